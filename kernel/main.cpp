// kernel_main64: the architecture-neutral boot sequence after the arch entry has set up
// long mode. Order matters: console, CPU tables, memory, then interrupts and time, then the
// file systems, the scheduler and the first user process.
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
#include "time/Clock.h"

void parse_multiboot(u64 info_phys);
void physical_memory_initialize();
void per_cpu_initialize_boot_cpu();
void run_global_constructors();

extern "C" [[noreturn]] void kernel_main64(u64 multiboot_info)
{
    run_global_constructors(); // before anything else: they must not allocate
    serial_initialize();
    kprintf("ext-ebpf: booting\n");
    gdt_initialize();
    per_cpu_initialize_boot_cpu();
    idt_initialize();
    parse_multiboot(multiboot_info);
    physical_memory_initialize();
    arch::paging_initialize(boot_info().highest_address);
    kprintf("memory: %lu MiB usable, %lu MiB free\n", PhysicalMemory::total_frames() * PAGE_SIZE >> 20,
        PhysicalMemory::free_frames() * PAGE_SIZE >> 20);
    kprintf("command line: %s\n", boot_info().command_line);
    pic_initialize();
    lapic_initialize_virtual_wire();
    kprintf("pic ok\n");
    timer_initialize();
    kprintf("timer ok, tsc %lu kHz\n", arch::cpu_khz());
    arch::enable_interrupts();
    u64 start = clock_monotonic_ns();
    while (clock_monotonic_ns() - start < 50000000)
        arch::wait_for_interrupt();
    kprintf("ticks after 50ms: %lu\n", jiffies());
    arch::power_off(0);
}
