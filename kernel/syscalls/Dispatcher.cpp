// The one place where ErrorOr results become Linux's -errno return convention, and where
// unknown syscall numbers turn into -ENOSYS (logged once per number).
//
// Every syscall has a Linux-named entry point `long __x64_sys_<name>(struct pt_regs const*)`
// with C linkage, generated from the *.def lists: it reads the arguments from the saved user
// registers (rdi, rsi, rdx, r10, r8, r9), calls sys_<name> and returns the value or -errno,
// exactly as Linux's syscall wrappers do. The dispatch table calls these functions, so a
// kprobe on __x64_sys_getpid fires on every getpid and sees the user registers through its
// first argument. They are real out-of-line functions (noinline, frame-pointer prologue).
#include "syscalls/Syscall.h"
#include "console/Console.h"
#include "klib/Atomic.h"
#include "sched/Thread.h"
#include <utility>

namespace {

template<typename T>
T from_register(u64 value)
{
    if constexpr (std::is_pointer_v<T>)
        return reinterpret_cast<T>(value);
    else
        return static_cast<T>(value);
}

template<typename... Params, usize... I>
ErrorOr<u64> invoke_with(ErrorOr<u64> (*handler)(Params...), u64 const* args, std::index_sequence<I...>)
{
    return handler(from_register<Params>(args[I])...);
}

template<typename... Params>
[[gnu::always_inline]] inline ErrorOr<u64> invoke(ErrorOr<u64> (*handler)(Params...), Registers const* regs)
{
    static_assert(sizeof...(Params) <= 6, "a syscall has at most six arguments");
    u64 const args[6] = { regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9 };
    return invoke_with(handler, args, std::index_sequence_for<Params...> {});
}

}

long linux_return_value(ErrorOr<u64>&& result)
{
    if (result.is_error())
        return -static_cast<long>(result.error().code());
    return static_cast<long>(result.value());
}

ErrorOr<u64> from_linux_return_value(long value)
{
    if (value < 0 && value >= -4095)
        return Error(static_cast<int>(-value));
    return static_cast<u64>(value);
}

#define SYSCALL(number, name, params)                                                      \
    extern "C" __attribute__((noinline, used)) long __x64_sys_##name(Registers const* regs) \
    {                                                                                      \
        return linux_return_value(invoke(&sys_##name, regs));                              \
    }
#include "syscalls/core.def"
#include "syscalls/fs.def"
#include "syscalls/bpf.def"
#undef SYSCALL

namespace {

using SyscallFunction = long (*)(Registers const*);

struct SyscallEntry {
    char const* name { nullptr };
    SyscallFunction function { nullptr };
};

constexpr usize max_syscall_number = 512;

struct SyscallTable {
    SyscallEntry entries[max_syscall_number] {};
    constexpr SyscallTable()
    {
#define SYSCALL(number, name, params) entries[number] = { #name, &__x64_sys_##name };
#include "syscalls/core.def"
#include "syscalls/fs.def"
#include "syscalls/bpf.def"
#undef SYSCALL
    }
};

constexpr SyscallTable table;
Atomic<u64> unknown_logged[max_syscall_number / 64 + 1];

}

u64 dispatch_syscall(Registers const& regs)
{
    u64 number = regs.orig_rax;
    if (number >= max_syscall_number || !table.entries[number].function) {
        usize word = number < max_syscall_number ? number / 64 : max_syscall_number / 64;
        u64 bit = 1ULL << (number % 64);
        if (!(unknown_logged[word].fetch_or(bit) & bit))
            kprintf("syscall: unknown number %lu, returning -ENOSYS\n", number);
        return static_cast<u64>(-static_cast<i64>(ENOSYS));
    }
    return static_cast<u64>(table.entries[number].function(&regs));
}

u64 dispatch_syscall(u64 number, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
    // The syscall entry passes the values of the current thread's saved user frame: hand
    // that frame to the __x64_sys_* function, as Linux does. Other callers get a copy.
    Registers const& frame = Thread::current().user_frame();
    if (frame.orig_rax == number && frame.rdi == a0 && frame.rsi == a1 && frame.rdx == a2 && frame.r10 == a3
        && frame.r8 == a4 && frame.r9 == a5)
        return dispatch_syscall(frame);
    Registers regs = frame;
    regs.orig_rax = number;
    regs.rdi = a0, regs.rsi = a1, regs.rdx = a2, regs.r10 = a3, regs.r8 = a4, regs.r9 = a5;
    return dispatch_syscall(regs);
}

char const* syscall_name(u64 number)
{
    return number < max_syscall_number ? table.entries[number].name : nullptr;
}
