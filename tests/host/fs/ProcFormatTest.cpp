// /proc text formats and the PseudoFS machinery (generated files, registration, listing).
#include "TestFs.h"
#include "fs/proc/ProcFormat.h"
#include "fs/pseudo/PseudoFS.h"
#include <sstream>
#include <vector>

namespace {

std::string text(StringBuilder const& b) { return std::string(b.view().chars(), b.view().length()); }

std::vector<std::string> split(std::string const& s, char c)
{
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(s);
    while (std::getline(in, field, c))
        out.push_back(field);
    return out;
}

}

TEST_CASE("/proc/<pid>/stat has 52 fields with the comm in parentheses", "[fs][proc]")
{
    ProcStatInfo info;
    info.pid = 42;
    info.comm = "my prog)";
    info.state = 'S';
    info.ppid = 1;
    info.pgrp = 42;
    info.session = 42;
    info.utime_ns = 2500000000ULL; // 250 ticks
    info.start_time_ns = 1000000000ULL;
    info.vsize = 8192;
    info.rss_pages = 2;
    info.arg_start = 0x1000;
    info.exit_code = 0;
    StringBuilder b;
    MUST(format_proc_stat(b, info));
    auto line = text(b);
    REQUIRE(line.back() == '\n');
    CHECK(line.rfind("42 (my prog)) S 1 42 42 ", 0) == 0);
    auto after = line.substr(line.rfind(')') + 2);
    after.pop_back();
    auto fields = split(after, ' ');
    CHECK(fields.size() == 50); // fields 3..52
    CHECK(fields[14 - 3] == "250");   // utime
    CHECK(fields[22 - 3] == "100");   // starttime in ticks
    CHECK(fields[23 - 3] == "8192");  // vsize
    CHECK(fields[24 - 3] == "2");     // rss
    CHECK(fields[25 - 3] == "18446744073709551615");
    CHECK(fields[38 - 3] == "17");    // exit_signal
    CHECK(fields[48 - 3] == "4096");  // arg_start
}

TEST_CASE("/proc/<pid>/status lines", "[fs][proc]")
{
    ProcStatusInfo info;
    info.name = "sh";
    info.state = 'R';
    info.tgid = info.pid = 7;
    info.ppid = 1;
    info.vm_size_kb = 1234;
    info.vm_rss_kb = 56;
    info.cpu_count = 4;
    StringBuilder b;
    MUST(format_proc_status(b, info));
    auto s = text(b);
    CHECK(s.rfind("Name:\tsh\nUmask:\t0022\nState:\tR (running)\nTgid:\t7\nNgid:\t0\nPid:\t7\nPPid:\t1\n", 0) == 0);
    CHECK(s.find("VmSize:\t    1234 kB\n") != std::string::npos);
    CHECK(s.find("VmRSS:\t      56 kB\n") != std::string::npos);
    CHECK(s.find("Uid:\t0\t0\t0\t0\n") != std::string::npos);
    CHECK(s.find("Cpus_allowed_list:\t0-3\n") != std::string::npos);
    CHECK(s.find("SigBlk:\t0000000000000000\n") != std::string::npos);
    info.has_mm = false;
    info.state = 'Z';
    StringBuilder z;
    MUST(format_proc_status(z, info));
    CHECK(text(z).find("VmSize") == std::string::npos);
    CHECK(text(z).find("State:\tZ (zombie)\n") != std::string::npos);
}

TEST_CASE("/proc/<pid>/maps lines are padded like Linux", "[fs][proc]")
{
    StringBuilder b;
    MUST(format_maps_line(b, 0x400000, 0x401000, true, false, true, false, 0, 0, 1, 12, "/bin/sh"));
    MUST(format_maps_line(b, 0x7ffff000, 0x80000000, true, true, false, false, 0, 0, 0, 0, ""));
    MUST(format_maps_line(b, 0x7ffffffde000, 0x7ffffffff000, true, true, false, false, 0, 0, 0, 0, "[stack]"));
    auto lines = split(text(b), '\n');
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].rfind("00400000-00401000 r-xp 00000000 00:01 12 ", 0) == 0);
    CHECK(lines[0].find("/bin/sh") == 73);
    CHECK(lines[0].find_first_not_of(' ', 41) == 73);
    CHECK(lines[1] == "7ffff000-80000000 rw-p 00000000 00:00 0 ");
    CHECK(lines[2].rfind("7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 ", 0) == 0);
    CHECK(lines[2].find("[stack]") == 73);
    CHECK(lines[2].size() == 80);
}

TEST_CASE("meminfo, cpu lists, fdinfo and uptime formats", "[fs][proc]")
{
    MeminfoInput m;
    m.total_kb = 523900;
    m.free_kb = 518800;
    m.available_kb = 518800;
    m.cached_kb = 2900;
    StringBuilder b;
    MUST(format_meminfo(b, m));
    auto s = text(b);
    CHECK(s.rfind("MemTotal:         523900 kB\nMemFree:          518800 kB\nMemAvailable:     518800 kB\n", 0) == 0);
    CHECK(s.find("Cached:             2900 kB\n") != std::string::npos);
    CHECK(s.find("Inactive(anon):        0 kB\n") != std::string::npos);

    StringBuilder one, many;
    MUST(format_cpu_list(one, 1));
    MUST(format_cpu_list(many, 4));
    CHECK(text(one) == "0\n");
    CHECK(text(many) == "0-3\n");

    StringBuilder fdinfo;
    MUST(format_fdinfo_header(fdinfo, 7, 0102002, 3, 99));
    CHECK(text(fdinfo) == "pos:\t7\nflags:\t0102002\nmnt_id:\t3\nino:\t99\n");

    StringBuilder uptime;
    MUST(format_uptime(uptime, 12345678901ULL, 5000000000ULL));
    CHECK(text(uptime) == "12.34 5.00\n");
}

namespace {
int generated_count = 0;
ErrorOr<void> counting_generator(StringBuilder& b)
{
    ++generated_count;
    return b.try_appendf("generation %d\n", generated_count);
}
std::string written;
ErrorOr<void> remember_writer(StringView data)
{
    written.assign(data.chars(), data.length());
    return {};
}
}

TEST_CASE("PseudoFS files are generated on open and at offset 0", "[fs][pseudo]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    auto pseudo = MUST(PseudoFS::try_create("proc", 0x9fa0));
    MUST(pseudo->register_file("sys/kernel/counter", counting_generator));
    MUST(pseudo->register_file("tunable", counting_generator, remember_writer));
    MUST(pseudo->register_symlink("link", "sys/kernel/counter"));
    CHECK(error_of(pseudo->register_file("tunable", counting_generator)) == EEXIST);
    MUST(vfs_mkdir(*root, "/proc", 0555, cred));
    MUST(vfs_mount_filesystem(pseudo, *MUST(resolve_custody("/proc", *root, cred)), "proc", "rw"));

    generated_count = 0;
    auto d = MUST(vfs_open_at(*root, "/proc/link", fs::O_READ_ONLY, 0, cred));
    CHECK(generated_count == 1);
    char buf[64] = {};
    auto buffer = UserBuffer::kernel(buf, sizeof(buf));
    CHECK(MUST(d->read(buffer, 5)) == 5); // offset 0: regenerated
    CHECK(generated_count == 2);
    CHECK(MUST(d->read(buffer, sizeof(buf))) == 8); // the rest of the same content
    CHECK(std::string(buf, 8) == "ation 2\n");
    CHECK(generated_count == 2);
    CHECK(MUST(d->read(buffer, sizeof(buf))) == 0);
    MUST(d->seek(0, 0));
    CHECK(MUST(d->read(buffer, sizeof(buf))) == 13);
    CHECK(generated_count == 3);

    // Writes go to the writer; files without one refuse writing even for root.
    auto w = MUST(vfs_open_at(*root, "/proc/tunable", fs::O_WRITE_ONLY, 0, cred));
    char value[] = "17\n";
    auto value_buffer = UserBuffer::kernel(value, 3);
    CHECK(MUST(w->write(value_buffer, 3)) == 3);
    CHECK(written == "17\n");
    CHECK(error_of(vfs_open_at(*root, "/proc/sys/kernel/counter", fs::O_WRITE_ONLY, 0, cred)) == EACCES);
    CHECK(error_of(vfs_open_at(*root, "/proc/new", fs::O_CREATE | fs::O_WRITE_ONLY, 0644, cred)) == EACCES);
    CHECK(error_of(vfs_mkdir(*root, "/proc/dir", 0755, cred)) == EPERM);
    CHECK(error_of(vfs_unlink(*root, "/proc/tunable", cred)) == EPERM);

    // Listing.
    auto dir = MUST(vfs_open_at(*root, "/proc", fs::O_READ_ONLY | fs::O_DIRECTORY_, 0, cred));
    alignas(8) u8 dirents[512];
    auto dirent_buffer = UserBuffer::kernel(dirents, sizeof(dirents));
    usize n = MUST(dir->get_dir_entries(dirent_buffer, sizeof(dirents)));
    std::vector<std::string> names;
    for (usize at = 0; at < n;) {
        u16 reclen;
        memcpy(&reclen, dirents + at + 16, 2);
        names.emplace_back(reinterpret_cast<char*>(dirents + at + 19));
        at += reclen;
    }
    CHECK(names == std::vector<std::string> { ".", "..", "sys", "tunable", "link" });
    auto md = MUST(resolve_custody("/proc/sys/kernel/counter", *root, cred))->inode().metadata();
    CHECK(md.is_regular());
    CHECK((md.mode & 0777) == 0444);
}
