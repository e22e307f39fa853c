// procfs and sysfs instances, their system-wide files and the registration API
// (see ProcFS.h). Per-process directories are in ProcPid.cpp.
#include "fs/proc/ProcFS.h"
#include "arch/Cpu.h"
#include "fs/Mount.h"
#include "fs/RamPages.h"
#include "fs/Vfs.h"
#include "fs/proc/Kallsyms.h"
#include "fs/proc/KernelInfo.h"
#include "fs/proc/ProcFormat.h"
#include "klib/Atomic.h"
#include "mm/PhysicalMemory.h"
#include "proc/Process.h"
#include "time/Clock.h"

namespace {

PseudoFS* proc_instance = nullptr;
PseudoFS* sys_instance = nullptr;

Atomic<i64> perf_event_paranoid { 2 };
Atomic<i64> unprivileged_bpf_disabled { 2 };
Atomic<i64> kptr_restrict { 0 };
Atomic<i64> randomize_va_space { 2 };

// ---- CPU identification for /proc/cpuinfo ------------------------------------------------

struct CpuidResult {
    u32 eax, ebx, ecx, edx;
};

CpuidResult cpuid(u32 leaf, u32 subleaf = 0)
{
    CpuidResult r {};
#if defined(__x86_64__)
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
#else
    (void)leaf;
    (void)subleaf;
#endif
    return r;
}

struct FlagName {
    u8 bit;
    char const* name;
};

// Linux's /proc/cpuinfo spellings (arch/x86/include/asm/cpufeatures.h).
constexpr FlagName leaf1_edx[] = { { 0, "fpu" }, { 1, "vme" }, { 2, "de" }, { 3, "pse" }, { 4, "tsc" }, { 5, "msr" },
    { 6, "pae" }, { 7, "mce" }, { 8, "cx8" }, { 9, "apic" }, { 11, "sep" }, { 12, "mtrr" }, { 13, "pge" }, { 14, "mca" },
    { 15, "cmov" }, { 16, "pat" }, { 17, "pse36" }, { 18, "pn" }, { 19, "clflush" }, { 21, "dts" }, { 22, "acpi" },
    { 23, "mmx" }, { 24, "fxsr" }, { 25, "sse" }, { 26, "sse2" }, { 27, "ss" }, { 28, "ht" }, { 29, "tm" },
    { 30, "ia64" }, { 31, "pbe" } };
constexpr FlagName ext_edx[] = { { 11, "syscall" }, { 20, "nx" }, { 22, "mmxext" }, { 25, "fxsr_opt" },
    { 26, "pdpe1gb" }, { 27, "rdtscp" }, { 29, "lm" }, { 30, "3dnowext" }, { 31, "3dnow" } };
constexpr FlagName leaf1_ecx[] = { { 0, "pni" }, { 1, "pclmulqdq" }, { 2, "dtes64" }, { 3, "monitor" },
    { 4, "ds_cpl" }, { 5, "vmx" }, { 6, "smx" }, { 7, "est" }, { 8, "tm2" }, { 9, "ssse3" }, { 10, "cid" },
    { 11, "sdbg" }, { 12, "fma" }, { 13, "cx16" }, { 14, "xtpr" }, { 15, "pdcm" }, { 17, "pcid" }, { 18, "dca" },
    { 19, "sse4_1" }, { 20, "sse4_2" }, { 21, "x2apic" }, { 22, "movbe" }, { 23, "popcnt" },
    { 24, "tsc_deadline_timer" }, { 25, "aes" }, { 26, "xsave" }, { 28, "avx" }, { 29, "f16c" }, { 30, "rdrand" },
    { 31, "hypervisor" } };
constexpr FlagName ext_ecx[] = { { 0, "lahf_lm" }, { 1, "cmp_legacy" }, { 2, "svm" }, { 3, "extapic" },
    { 4, "cr8_legacy" }, { 5, "abm" }, { 6, "sse4a" }, { 7, "misalignsse" }, { 8, "3dnowprefetch" }, { 9, "osvw" },
    { 11, "xop" }, { 16, "fma4" }, { 21, "tbm" }, { 22, "topoext" } };
constexpr FlagName leaf7_ebx[] = { { 0, "fsgsbase" }, { 1, "tsc_adjust" }, { 3, "bmi1" }, { 4, "hle" }, { 5, "avx2" },
    { 7, "smep" }, { 8, "bmi2" }, { 9, "erms" }, { 10, "invpcid" }, { 11, "rtm" }, { 16, "avx512f" },
    { 17, "avx512dq" }, { 18, "rdseed" }, { 19, "adx" }, { 20, "smap" }, { 23, "clflushopt" }, { 24, "clwb" },
    { 29, "sha_ni" } };

template<usize N>
ErrorOr<void> append_flags(StringBuilder& b, u32 value, FlagName const (&names)[N])
{
    for (auto const& flag : names)
        if (value & (1u << flag.bit))
            TRY(b.try_appendf(" %s", flag.name));
    return {};
}

ErrorOr<void> generate_cpuinfo(StringBuilder& b)
{
    auto basic = cpuid(0);
    auto leaf1 = basic.eax >= 1 ? cpuid(1) : CpuidResult {};
    auto leaf7 = basic.eax >= 7 ? cpuid(7) : CpuidResult {};
    auto ext_max = cpuid(0x80000000).eax;
    auto ext1 = ext_max >= 0x80000001 ? cpuid(0x80000001) : CpuidResult {};
    u32 family = (leaf1.eax >> 8) & 0xf;
    u32 model = (leaf1.eax >> 4) & 0xf;
    if (family == 6 || family == 15)
        model |= ((leaf1.eax >> 16) & 0xf) << 4;
    if (family == 15)
        family += (leaf1.eax >> 20) & 0xff;
    u32 stepping = leaf1.eax & 0xf;
    u64 khz = arch::cpu_khz();
    u32 count = arch::cpu_count();
    for (u32 cpu = 0; cpu < count; ++cpu) {
        TRY(b.try_appendf("processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n"
                          "stepping\t: %u\nmicrocode\t: 0x1\ncpu MHz\t\t: %llu.%03llu\ncache size\t: 512 KB\n",
            cpu, arch::cpu_vendor(), family, model, arch::cpu_model_name(), stepping,
            static_cast<unsigned long long>(khz / 1000), static_cast<unsigned long long>(khz % 1000)));
        TRY(b.try_appendf("physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\ncpu cores\t: %u\napicid\t\t: %u\n"
                          "initial apicid\t: %u\nfpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\nflags\t\t:",
            count, cpu, count, cpu, cpu, basic.eax));
        TRY(append_flags(b, leaf1.edx, leaf1_edx));
        TRY(append_flags(b, ext1.edx, ext_edx));
        TRY(append_flags(b, leaf1.ecx, leaf1_ecx));
        TRY(append_flags(b, ext1.ecx, ext_ecx));
        TRY(append_flags(b, leaf7.ebx, leaf7_ebx));
        u64 bogo = khz * 2 / 10; // bogomips = 2 * MHz, shown with two decimals
        TRY(b.try_appendf("\nbugs\t\t:\nbogomips\t: %llu.%02llu\nclflush size\t: 64\ncache_alignment\t: 64\n"
                          "address sizes\t: 40 bits physical, 48 bits virtual\npower management:\n\n",
            static_cast<unsigned long long>(bogo / 100), static_cast<unsigned long long>(bogo % 100)));
    }
    return {};
}

// ---- Memory, time and process statistics ---------------------------------------------------

ErrorOr<void> generate_meminfo(StringBuilder& b)
{
    MeminfoInput input;
    u64 page_kb = PAGE_SIZE / 1024;
    input.total_kb = PhysicalMemory::total_frames() * page_kb;
    input.free_kb = PhysicalMemory::free_frames() * page_kb;
    input.cached_kb = ram_pages_in_use() * (ram_page_size / 1024);
    input.shmem_kb = input.cached_kb;
    input.available_kb = input.free_kb; // ramfs data cannot be reclaimed
    input.kernel_kb = PhysicalMemory::reserved_frames() * page_kb;
    return format_meminfo(b, input);
}

struct CpuTimes {
    u64 user_ns { 0 };
    u64 system_ns { 0 };
    u64 idle_ns { 0 };
    u32 processes { 0 };
    u32 running { 0 };
    i32 last_pid { 0 };
};

CpuTimes cpu_times()
{
    CpuTimes times;
    for (auto& process : Process::snapshot()) {
        times.user_ns += process->user_time_ns();
        times.system_ns += process->system_time_ns();
        ++times.processes;
        if (process->state() != ProcessState::Zombie)
            ++times.running;
        times.last_pid = klib::max(times.last_pid, process->pid());
    }
    u64 capacity = clock_monotonic_ns() * arch::cpu_count();
    u64 busy = times.user_ns + times.system_ns;
    times.idle_ns = capacity > busy ? capacity - busy : 0;
    return times;
}

ErrorOr<void> generate_uptime(StringBuilder& b)
{
    auto times = cpu_times();
    return format_uptime(b, clock_monotonic_ns(), times.idle_ns);
}

ErrorOr<void> generate_loadavg(StringBuilder& b)
{
    auto times = cpu_times();
    return b.try_appendf("0.00 0.00 0.00 1/%u %d\n", times.processes, times.last_pid);
}

ErrorOr<void> generate_stat(StringBuilder& b)
{
    auto times = cpu_times();
    auto t = [](u64 ns) { return static_cast<unsigned long long>(ns / (NS_PER_SEC / user_hz)); };
    TRY(b.try_appendf("cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", t(times.user_ns), t(times.system_ns), t(times.idle_ns)));
    u32 count = arch::cpu_count();
    for (u32 cpu = 0; cpu < count; ++cpu)
        TRY(b.try_appendf("cpu%u %llu 0 %llu %llu 0 0 0 0 0 0\n", cpu, t(times.user_ns / count), t(times.system_ns / count),
            t(times.idle_ns / count)));
    u64 boot_time = (clock_realtime_ns() - clock_monotonic_ns()) / NS_PER_SEC;
    TRY(b.try_appendf("intr 0\nctxt 0\nbtime %llu\nprocesses %d\nprocs_running %u\nprocs_blocked 0\n"
                      "softirq 0 0 0 0 0 0 0 0 0 0 0\n",
        static_cast<unsigned long long>(boot_time), times.last_pid, times.running ? 1u : 0u));
    return {};
}

ErrorOr<void> generate_version(StringBuilder& b)
{
    return b.try_appendf("Linux version %s (root@ext-ebpf) (g++) #1 SMP PREEMPT ext-ebpf\n", kernel_release());
}

ErrorOr<void> generate_filesystems(StringBuilder& b)
{
    auto text = TRY(vfs_filesystems_text());
    return b.try_append(text.view());
}

ErrorOr<void> generate_cmdline(StringBuilder& b)
{
    return b.try_appendf("%s\n", kernel_command_line());
}

ErrorOr<void> generate_ostype(StringBuilder& b) { return b.try_append("Linux\n"); }
ErrorOr<void> generate_osrelease(StringBuilder& b) { return b.try_appendf("%s\n", kernel_release()); }
ErrorOr<void> generate_hostname(StringBuilder& b) { return b.try_append("ext-ebpf\n"); }
ErrorOr<void> generate_kernel_version(StringBuilder& b) { return b.try_append("#1 SMP PREEMPT ext-ebpf\n"); }
ErrorOr<void> generate_pid_max(StringBuilder& b) { return b.try_append("32768\n"); }

// Writable integer tunables.
ErrorOr<i64> parse_integer(StringView data)
{
    i64 value;
    if (!data.trim_whitespace().to_i64(value))
        return Error(EINVAL);
    return value;
}

template<Atomic<i64>& variable>
ErrorOr<void> generate_integer(StringBuilder& b)
{
    return b.try_appendf("%lld\n", static_cast<long long>(variable.load()));
}

template<Atomic<i64>& variable, i64 low, i64 high>
ErrorOr<void> write_integer(StringView data)
{
    i64 value = TRY(parse_integer(data));
    if (value < low || value > high)
        return Error(EINVAL);
    variable.store(value);
    return {};
}

ErrorOr<void> write_unprivileged_bpf_disabled(StringView data)
{
    i64 value = TRY(parse_integer(data));
    if (value < 0 || value > 2)
        return Error(EINVAL);
    // Once set to 1 it cannot be cleared (Linux).
    if (unprivileged_bpf_disabled.load() == 1 && value != 1)
        return Error(EPERM);
    unprivileged_bpf_disabled.store(value);
    return {};
}

// ---- sysfs ------------------------------------------------------------------------------------

ErrorOr<void> generate_cpu_list(StringBuilder& b) { return format_cpu_list(b, arch::cpu_count()); }
ErrorOr<void> generate_kernel_max(StringBuilder& b) { return b.try_appendf("%u\n", klib::max<u32>(arch::cpu_count(), 64) - 1); }

}

ErrorOr<void> append_mounts_text(StringBuilder& b)
{
    auto mounts = TRY(vfs_mount_snapshot());
    for (auto& mount : mounts) {
        auto path = TRY(mount.mountpoint->absolute_path());
        auto type = mount.fs->type_name();
        TRY(b.try_appendf("%s %s %.*s %s 0 0\n", mount.source.c_str(), path.c_str(), static_cast<int>(type.length()),
            type.chars(), mount.options.c_str()));
    }
    return {};
}

ErrorOr<void> append_mountinfo_text(StringBuilder& b)
{
    auto mounts = TRY(vfs_mount_snapshot());
    for (auto& mount : mounts) {
        auto path = TRY(mount.mountpoint->absolute_path());
        auto type = mount.fs->type_name();
        u64 dev = mount.fs->dev();
        // "id parent major:minor root mount-point options optional-fields - type source super-options"
        TRY(b.try_appendf("%u %u %u:%u / %s %s - %.*s %s rw\n", mount.id, mount.parent_id ? mount.parent_id : mount.id,
            fs::dev_major(dev), fs::dev_minor(dev), path.c_str(), mount.options.c_str(), static_cast<int>(type.length()),
            type.chars(), mount.source.c_str()));
    }
    return {};
}

int sysctl_perf_event_paranoid() { return static_cast<int>(perf_event_paranoid.load()); }
int sysctl_unprivileged_bpf_disabled() { return static_cast<int>(unprivileged_bpf_disabled.load()); }
int sysctl_kptr_restrict() { return static_cast<int>(kptr_restrict.load()); }

ErrorOr<RefPtr<PseudoFS>> procfs_create()
{
    constexpr u64 proc_super_magic = 0x9fa0;
    auto fs = TRY(PseudoFS::try_create("proc", proc_super_magic));
    proc_instance = fs.ptr();
    fs->ref(); // procfs lives for good; the registration API may be called at any time
    TRY(procfs_install_process_directories(*fs));
    TRY(fs->register_symlink("mounts", "self/mounts"));
    TRY(fs->register_file("cpuinfo", generate_cpuinfo));
    TRY(fs->register_file("meminfo", generate_meminfo));
    TRY(fs->register_file("uptime", generate_uptime));
    TRY(fs->register_file("loadavg", generate_loadavg));
    TRY(fs->register_file("stat", generate_stat));
    TRY(fs->register_file("version", generate_version));
    TRY(fs->register_file("filesystems", generate_filesystems));
    TRY(fs->register_file("cmdline", generate_cmdline));
    TRY(fs->register_file("kallsyms", generate_kallsyms));
    TRY(fs->register_file("sys/kernel/ostype", generate_ostype));
    TRY(fs->register_file("sys/kernel/osrelease", generate_osrelease));
    TRY(fs->register_file("sys/kernel/hostname", generate_hostname));
    TRY(fs->register_file("sys/kernel/version", generate_kernel_version));
    TRY(fs->register_file("sys/kernel/pid_max", generate_pid_max));
    TRY(fs->register_file("sys/kernel/perf_event_paranoid", generate_integer<perf_event_paranoid>,
        write_integer<perf_event_paranoid, INT32_MIN, INT32_MAX>));
    TRY(fs->register_file("sys/kernel/unprivileged_bpf_disabled", generate_integer<unprivileged_bpf_disabled>,
        write_unprivileged_bpf_disabled));
    TRY(fs->register_file("sys/kernel/kptr_restrict", generate_integer<kptr_restrict>, write_integer<kptr_restrict, 0, 2>));
    TRY(fs->register_file("sys/kernel/randomize_va_space", generate_integer<randomize_va_space>,
        write_integer<randomize_va_space, 0, 2>));
    return fs;
}

ErrorOr<RefPtr<PseudoFS>> sysfs_create()
{
    constexpr u64 sysfs_magic = 0x62656572;
    auto fs = TRY(PseudoFS::try_create("sysfs", sysfs_magic));
    sys_instance = fs.ptr();
    fs->ref();
    TRY(fs->register_file("devices/system/cpu/possible", generate_cpu_list));
    TRY(fs->register_file("devices/system/cpu/online", generate_cpu_list));
    TRY(fs->register_file("devices/system/cpu/present", generate_cpu_list));
    TRY(fs->register_file("devices/system/cpu/kernel_max", generate_kernel_max));
    TRY(fs->register_directory("kernel"));
    TRY(fs->register_directory("fs"));
    TRY(fs->register_directory("bus/event_source/devices"));
    TRY(fs->register_directory("class"));
    return fs;
}

ErrorOr<void> procfs_register_file(StringView path, PseudoGenerator generator, PseudoWriter writer, u32 mode)
{
    if (!proc_instance)
        return Error(ENODEV);
    return proc_instance->register_file(path, generator, writer, mode);
}

ErrorOr<void> procfs_register_symlink(StringView path, StringView target)
{
    if (!proc_instance)
        return Error(ENODEV);
    return proc_instance->register_symlink(path, target);
}

ErrorOr<void> sysfs_register_file(StringView path, PseudoGenerator generator, PseudoWriter writer, u32 mode)
{
    if (!sys_instance)
        return Error(ENODEV);
    return sys_instance->register_file(path, generator, writer, mode);
}

ErrorOr<void> sysfs_register_symlink(StringView path, StringView target)
{
    if (!sys_instance)
        return Error(ENODEV);
    return sys_instance->register_symlink(path, target);
}

ErrorOr<void> sysfs_register_directory(StringView path)
{
    if (!sys_instance)
        return Error(ENODEV);
    TRY(sys_instance->register_directory(path));
    return {};
}
