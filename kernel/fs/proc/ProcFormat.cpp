// /proc text formats (see ProcFormat.h).
#include "fs/proc/ProcFormat.h"

namespace {
unsigned long long ticks(u64 ns) { return static_cast<unsigned long long>(ns / (1000000000ULL / user_hz)); }
long long sticks(i64 ns) { return static_cast<long long>(ns / static_cast<i64>(1000000000LL / user_hz)); }
unsigned long long ull(u64 v) { return static_cast<unsigned long long>(v); }
}

ErrorOr<void> format_proc_stat(StringBuilder& b, ProcStatInfo const& s)
{
    TRY(b.try_appendf("%d (%.*s) %c %d %d %d %d %d %u 0 0 0 0 %llu %llu %lld %lld %lld %lld %lld 0 %llu %llu %llu 18446744073709551615",
        s.pid, static_cast<int>(s.comm.length()), s.comm.chars(), s.state, s.ppid, s.pgrp, s.session, s.tty_nr, s.tpgid,
        s.flags, ticks(s.utime_ns), ticks(s.stime_ns), sticks(s.cutime_ns), sticks(s.cstime_ns),
        static_cast<long long>(s.priority), static_cast<long long>(s.nice), static_cast<long long>(s.num_threads),
        ticks(s.start_time_ns), ull(s.vsize), ull(s.has_mm ? s.rss_pages : 0)));
    TRY(b.try_appendf(" %llu %llu %llu 0 0 %llu %llu %llu %llu 0 0 0 %d %d 0 0 0 0 0",
        ull(s.has_mm ? s.start_code : 0), ull(s.has_mm ? s.end_code : 0), ull(s.has_mm ? s.start_stack : 0),
        ull(s.signal_pending & 0x7fffffff), ull(s.signal_blocked & 0x7fffffff), ull(s.signal_ignored & 0x7fffffff),
        ull(s.signal_caught & 0x7fffffff), s.exit_signal, s.processor));
    if (s.has_mm)
        TRY(b.try_appendf(" %llu %llu %llu %llu %llu %llu %llu", ull(s.start_data), ull(s.end_data), ull(s.start_brk),
            ull(s.arg_start), ull(s.arg_end), ull(s.env_start), ull(s.env_end)));
    else
        TRY(b.try_append(" 0 0 0 0 0 0 0"));
    TRY(b.try_appendf(" %d\n", s.exit_code));
    return {};
}

StringView proc_state_name(char state)
{
    switch (state) {
    case 'R':
        return "R (running)";
    case 'S':
        return "S (sleeping)";
    case 'D':
        return "D (disk sleep)";
    case 'T':
        return "T (stopped)";
    case 't':
        return "t (tracing stop)";
    case 'X':
        return "X (dead)";
    case 'Z':
        return "Z (zombie)";
    case 'I':
        return "I (idle)";
    default:
        return "R (running)";
    }
}

ErrorOr<void> format_proc_status(StringBuilder& b, ProcStatusInfo const& s)
{
    auto state = proc_state_name(s.state);
    TRY(b.try_appendf("Name:\t%.*s\nUmask:\t%04o\nState:\t%.*s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
        static_cast<int>(s.name.length()), s.name.chars(), s.umask, static_cast<int>(state.length()), state.chars(),
        s.tgid, s.pid, s.ppid));
    TRY(b.try_appendf("Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%u\nGroups:\t\n",
        s.uid[0], s.uid[1], s.uid[2], s.uid[3], s.gid[0], s.gid[1], s.gid[2], s.gid[3], s.fd_size));
    TRY(b.try_appendf("NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", s.tgid, s.pid, s.pgid, s.sid));
    if (s.has_mm) {
        TRY(b.try_appendf("VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmLck:\t%8llu kB\nVmPin:\t%8llu kB\nVmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\n",
            ull(s.vm_size_kb), ull(s.vm_size_kb), 0ULL, 0ULL, ull(s.vm_rss_kb), ull(s.vm_rss_kb)));
        TRY(b.try_appendf("RssAnon:\t%8llu kB\nRssFile:\t%8llu kB\nRssShmem:\t%8llu kB\n", ull(s.vm_rss_kb), 0ULL, 0ULL));
        TRY(b.try_appendf("VmData:\t%8llu kB\nVmStk:\t%8llu kB\nVmExe:\t%8llu kB\nVmLib:\t%8llu kB\nVmPTE:\t%8llu kB\nVmSwap:\t%8llu kB\n",
            ull(s.vm_data_kb), ull(s.vm_stack_kb), ull(s.vm_exe_kb), 0ULL, 0ULL, 0ULL));
        TRY(b.try_appendf("HugetlbPages:\t%8llu kB\n", 0ULL));
    }
    TRY(b.try_appendf("CoreDumping:\t0\nTHP_enabled:\t0\nThreads:\t%u\nSigQ:\t0/15630\n", s.threads));
    TRY(b.try_appendf("SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n",
        0ULL, ull(s.sig_pending), ull(s.sig_blocked), ull(s.sig_ignored), ull(s.sig_caught)));
    TRY(b.try_append("CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
                     "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
                     "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tnot vulnerable\n"
                     "SpeculationIndirectBranch:\tunknown\n"));
    u32 cpus = s.cpu_count ? s.cpu_count : 1;
    u64 mask = cpus >= 64 ? ~0ULL : ((1ULL << cpus) - 1);
    TRY(b.try_appendf("Cpus_allowed:\t%llx\nCpus_allowed_list:\t", ull(mask)));
    if (cpus == 1)
        TRY(b.try_append("0\n"));
    else
        TRY(b.try_appendf("0-%u\n", cpus - 1));
    TRY(b.try_append("Mems_allowed:\t1\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n"));
    return {};
}

ErrorOr<void> format_maps_line(StringBuilder& b, u64 start, u64 end, bool readable, bool writable, bool executable,
    bool shared, u64 offset, u32 dev_major, u32 dev_minor, u64 inode, StringView name)
{
    usize line_start = b.length();
    TRY(b.try_appendf("%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ", ull(start), ull(end), readable ? 'r' : '-',
        writable ? 'w' : '-', executable ? 'x' : '-', shared ? 's' : 'p', ull(offset), dev_major, dev_minor, ull(inode)));
    if (!name.is_empty()) {
        // seq_setwidth(25 + 6 * sizeof(void*) - 1) then seq_pad(' '): spaces up to column 72,
        // one more space, then the name.
        constexpr usize pad_until = 25 + 6 * 8 - 1;
        usize length = b.length() - line_start;
        while (length < pad_until) {
            TRY(b.try_append(' '));
            ++length;
        }
        TRY(b.try_append(' '));
        TRY(b.try_append(name));
    }
    TRY(b.try_append('\n'));
    return {};
}

ErrorOr<void> format_meminfo(StringBuilder& b, MeminfoInput const& m)
{
    auto line = [&](char const* label, u64 kb) -> ErrorOr<void> {
        // Linux: the label padded to 16 columns (with its colon), the value in 8.
        StringBuilder name;
        TRY(name.try_appendf("%s:", label));
        return b.try_appendf("%-15.*s %8llu kB\n", static_cast<int>(name.length()), name.view().chars(), ull(kb));
    };
    TRY(line("MemTotal", m.total_kb));
    TRY(line("MemFree", m.free_kb));
    TRY(line("MemAvailable", m.available_kb));
    TRY(line("Buffers", 0));
    TRY(line("Cached", m.cached_kb));
    TRY(line("SwapCached", 0));
    TRY(line("Active", m.cached_kb));
    TRY(line("Inactive", 0));
    TRY(line("Active(anon)", 0));
    TRY(line("Inactive(anon)", 0));
    TRY(line("Active(file)", m.cached_kb));
    TRY(line("Inactive(file)", 0));
    TRY(line("Unevictable", 0));
    TRY(line("Mlocked", 0));
    TRY(line("SwapTotal", 0));
    TRY(line("SwapFree", 0));
    TRY(line("Dirty", 0));
    TRY(line("Writeback", 0));
    TRY(line("AnonPages", 0));
    TRY(line("Mapped", 0));
    TRY(line("Shmem", m.shmem_kb));
    TRY(line("KReclaimable", 0));
    TRY(line("Slab", 0));
    TRY(line("SReclaimable", 0));
    TRY(line("SUnreclaim", 0));
    TRY(line("KernelStack", 0));
    TRY(line("PageTables", 0));
    TRY(line("NFS_Unstable", 0));
    TRY(line("Bounce", 0));
    TRY(line("WritebackTmp", 0));
    TRY(line("CommitLimit", m.total_kb));
    TRY(line("Committed_AS", m.total_kb - klib::min(m.total_kb, m.free_kb)));
    TRY(line("VmallocTotal", 34359738367ULL));
    TRY(line("VmallocUsed", 0));
    TRY(line("VmallocChunk", 0));
    TRY(line("Percpu", 0));
    TRY(line("HugePages_Total", 0));
    TRY(line("Hugepagesize", 2048));
    return {};
}

ErrorOr<void> format_cpu_list(StringBuilder& b, u32 cpu_count)
{
    if (cpu_count <= 1)
        return b.try_append("0\n");
    return b.try_appendf("0-%u\n", cpu_count - 1);
}

ErrorOr<void> format_fdinfo_header(StringBuilder& b, u64 position, u32 flags, u32 mount_id, u64 ino)
{
    return b.try_appendf("pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n", static_cast<long long>(position), flags,
        static_cast<int>(mount_id), ull(ino));
}

ErrorOr<void> format_uptime(StringBuilder& b, u64 uptime_ns, u64 idle_ns)
{
    u64 up_cs = uptime_ns / 10000000ULL;
    u64 idle_cs = idle_ns / 10000000ULL;
    return b.try_appendf("%llu.%02llu %llu.%02llu\n", ull(up_cs / 100), ull(up_cs % 100), ull(idle_cs / 100), ull(idle_cs % 100));
}
