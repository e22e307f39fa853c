// kernel_main64: the architecture-neutral boot sequence after the arch entry has set up
// long mode. Order matters: console, CPU tables, memory, then interrupts and time, then the
// file systems, the scheduler and the first user process (/init), after which this context
// becomes the idle thread.
#include "arch/BootInfo.h"
#include "arch/Cpu.h"
#include "arch/Paging.h"
#include "arch/Traps.h"
#include "arch/x86_64/Gdt.h"
#include "arch/x86_64/Lapic.h"
#include "arch/x86_64/Pic.h"
#include "arch/x86_64/Serial.h"
#include "arch/x86_64/Timer.h"
#include "console/Console.h"
#include "mm/Heap.h"
#include "mm/PhysicalMemory.h"
#include "proc/Process.h"
#include "sched/Scheduler.h"
#include "time/Clock.h"

// File system entry points (kernel/fs).
ErrorOr<void> vfs_initialize();
ErrorOr<void> unpack_initramfs(ReadonlyBytes archive);

// The bpf()/perf layer (kernel/bpf/syscall), when it is part of the image.
__attribute__((weak)) void bpf_subsystem_initialize();
// Tracepoints, raw tracepoints and tracefs (kernel/trace), when part of the image.
__attribute__((weak)) void trace_subsystem_initialize();

void parse_multiboot(u64 info_phys);
void physical_memory_initialize();
void physical_memory_release_boot_modules();
void per_cpu_initialize_boot_cpu();
void run_global_constructors();
void syscall_initialize();
void kernel_command_line_parse(char const* command_line);
Span<StringView const> kernel_init_arguments();

namespace {

void unpack_boot_modules()
{
    BootInfo& info = boot_info();
    for (usize i = 0; i < info.module_count; ++i) {
        ReadonlyBytes archive(static_cast<u8 const*>(phys_to_virt(info.modules[i].base)), info.modules[i].length);
        if (auto result = unpack_initramfs(archive); result.is_error())
            kprintf("initramfs: module %zu rejected (errno %d)\n", i, result.error().code());
    }
    physical_memory_release_boot_modules();
}

void start_init()
{
    Vector<String> argv;
    argv.append(MUST(String::try_create("/init")));
    for (auto argument : kernel_init_arguments())
        argv.append(MUST(String::try_create(argument)));
    Vector<String> envp;
    envp.append(MUST(String::try_create("HOME=/root")));
    envp.append(MUST(String::try_create("PATH=/bin:/usr/bin")));
    envp.append(MUST(String::try_create("TERM=vt100")));
    if (auto result = Process::create_init("/init", move(argv), move(envp)); result.is_error())
        panic("cannot start /init (errno %d)", result.error().code());
}

}

extern "C" [[noreturn]] void kernel_main64(u64 multiboot_info)
{
    run_global_constructors(); // first: they must not allocate
    serial_initialize();
    parse_multiboot(multiboot_info);
    kernel_command_line_parse(boot_info().command_line);
    kprintf("ext-ebpf: booting\n");
    gdt_initialize();
    per_cpu_initialize_boot_cpu();
    idt_initialize();
    physical_memory_initialize();
    arch::paging_initialize(boot_info().highest_address);
    heap_initialize(PhysicalMemory::frame_count());
    kprintf("memory: %lu MiB usable, %lu MiB free\n", PhysicalMemory::total_frames() * PAGE_SIZE >> 20,
        PhysicalMemory::free_frames() * PAGE_SIZE >> 20);
    pic_initialize();
    lapic_initialize_virtual_wire();
    timer_initialize();
    syscall_initialize();
    Scheduler::initialize();
    if (auto result = vfs_initialize(); result.is_error())
        panic("cannot initialise the file systems (errno %d)", result.error().code());
    unpack_boot_modules();
    if (bpf_subsystem_initialize)
        bpf_subsystem_initialize();
    if (trace_subsystem_initialize)
        trace_subsystem_initialize();
    serial_enable_receive_interrupt();
    start_init();
    arch::enable_interrupts();
    Scheduler::idle_loop();
}
