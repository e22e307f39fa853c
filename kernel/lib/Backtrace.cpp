// Walks the frame-pointer chain (the kernel is built with -fno-omit-frame-pointer) and prints
// `address symbol+offset` lines. Stops at a null or non-kernel frame pointer or after 32 frames.
#include "lib/Backtrace.h"
#include "console/Console.h"
#include "lib/Symbols.h"

namespace {

constexpr u64 kernel_space_start = 0xffff800000000000ULL;

void print_frame(u64 address)
{
    if (auto const* symbol = symbol_for_address(address))
        kprintf("    %016lx %s+0x%lx\n", address, symbol->name, address - symbol->address);
    else
        kprintf("    %016lx ?\n", address);
}

}

void print_backtrace(u64 rbp, u64 rip)
{
    kprintf("  backtrace:\n");
    print_frame(rip);
    for (int depth = 0; depth < 32; ++depth) {
        if (rbp < kernel_space_start || (rbp & 7))
            break;
        auto const* frame = reinterpret_cast<u64 const*>(rbp);
        u64 return_address = frame[1];
        if (return_address < kernel_space_start)
            break;
        print_frame(return_address - 1);
        rbp = frame[0];
    }
}

void print_current_backtrace()
{
    print_backtrace(reinterpret_cast<u64>(__builtin_frame_address(0)), reinterpret_cast<u64>(__builtin_return_address(0)));
}
