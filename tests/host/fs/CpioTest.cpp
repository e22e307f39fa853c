// initramfs: newc parsing, unpacking into ramfs, and rejection of malformed archives.
#include "TestFs.h"
#include "fs/Initramfs.h"
#include <cstdio>

namespace {

void add_entry(std::string& archive, std::string const& name, u32 mode, std::string const& data, u32 mtime = 1234567)
{
    char header[111];
    snprintf(header, sizeof(header), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
        1u, mode, 0u, 0u, 1u, mtime, static_cast<u32>(data.size()), 0u, 0u, 0u, 0u, static_cast<u32>(name.size() + 1), 0u);
    archive.append(header, 110);
    archive += name;
    archive.push_back('\0');
    while (archive.size() % 4)
        archive.push_back('\0');
    archive += data;
    while (archive.size() % 4)
        archive.push_back('\0');
}

std::string trailer_archive(std::string archive)
{
    add_entry(archive, "TRAILER!!!", 0, "", 0);
    return archive;
}

ReadonlyBytes bytes_of(std::string const& s) { return { reinterpret_cast<u8 const*>(s.data()), s.size() }; }

}

TEST_CASE("cpio newc archives unpack into ramfs", "[fs][cpio]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    std::string archive;
    add_entry(archive, ".", 040755, "");
    add_entry(archive, "bin", 040755, "");
    add_entry(archive, "bin/sh", 0100755, "#!shell");
    add_entry(archive, "./etc/deep/config", 0100600, "key=value\n"); // parents created
    add_entry(archive, "init", 0120777, "bin/sh");
    add_entry(archive, "empty", 0100644, "");
    archive = trailer_archive(archive);
    MUST(unpack_cpio(bytes_of(archive), *root));

    CHECK(read_file(*root, "/bin/sh") == "#!shell");
    CHECK(read_file(*root, "/init") == "#!shell");
    CHECK(read_file(*root, "/etc/deep/config") == "key=value\n");
    CHECK(read_file(*root, "/empty").empty());
    auto sh = MUST(resolve_custody("/bin/sh", *root, cred))->inode().metadata();
    CHECK((sh.mode & 07777) == 0755);
    CHECK(sh.mtime_ns == 1234567ULL * 1000000000ULL);
    CHECK((MUST(resolve_custody("/etc/deep/config", *root, cred))->inode().metadata().mode & 07777) == 0600);
    CHECK(std::string(MUST(vfs_readlink(*root, "/init", cred)).c_str()) == "bin/sh");
}

TEST_CASE("concatenated archives and zero padding are accepted", "[fs][cpio]")
{
    auto root = fresh_root();
    std::string first, second;
    add_entry(first, "a", 0100644, "first");
    add_entry(second, "a", 0100644, "second"); // later archives replace files
    add_entry(second, "b", 0100644, "bee");
    std::string archive = trailer_archive(first) + std::string(512, '\0') + trailer_archive(second) + std::string(100, '\0');
    MUST(unpack_cpio(bytes_of(archive), *root));
    CHECK(read_file(*root, "/a") == "second");
    CHECK(read_file(*root, "/b") == "bee");
}

TEST_CASE("malformed archives give EINVAL without crashing", "[fs][cpio]")
{
    std::string good;
    add_entry(good, "file", 0100644, "0123456789");
    good = trailer_archive(good);

    SECTION("bad magic")
    {
        auto root = fresh_root();
        std::string bad = good;
        bad[5] = '7';
        CHECK(error_of(unpack_cpio(bytes_of(bad), *root)) == EINVAL);
    }
    SECTION("every truncation")
    {
        for (usize cut = 1; cut < good.size() - 120; ++cut) {
            auto root = fresh_root();
            std::string bad = good.substr(0, cut);
            int error = error_of(unpack_cpio(bytes_of(bad), *root));
            // A cut inside the trailer's padding still parses the file; every other cut fails.
            CHECK((error == EINVAL || error == 0));
        }
    }
    SECTION("bad hex digit")
    {
        auto root = fresh_root();
        std::string bad = good;
        bad[20] = 'g';
        CHECK(error_of(unpack_cpio(bytes_of(bad), *root)) == EINVAL);
    }
    SECTION("huge sizes")
    {
        auto root = fresh_root();
        std::string bad = good;
        memcpy(&bad[6 + 8 * 6], "FFFFFFFF", 8); // filesize
        CHECK(error_of(unpack_cpio(bytes_of(bad), *root)) == EINVAL);
        bad = good;
        memcpy(&bad[6 + 8 * 11], "FFFFFFFF", 8); // namesize
        CHECK(error_of(unpack_cpio(bytes_of(bad), *root)) == EINVAL);
        bad = good;
        memcpy(&bad[6 + 8 * 11], "00000000", 8);
        CHECK(error_of(unpack_cpio(bytes_of(bad), *root)) == EINVAL);
    }
    SECTION("name without NUL")
    {
        auto root = fresh_root();
        std::string bad = good;
        bad[110 + 4] = 'X';
        CHECK(error_of(unpack_cpio(bytes_of(bad), *root)) == EINVAL);
    }
    SECTION("random garbage")
    {
        u32 seed = 12345;
        for (int round = 0; round < 300; ++round) {
            auto root = fresh_root();
            std::string bad = good;
            for (int flips = 0; flips < 4; ++flips) {
                seed = seed * 1103515245 + 12345;
                bad[(seed >> 8) % bad.size()] = static_cast<char>(seed >> 24);
            }
            (void)unpack_cpio(bytes_of(bad), *root); // must not crash
        }
    }
}

TEST_CASE("CpioReader reports entries in order", "[fs][cpio]")
{
    std::string archive;
    add_entry(archive, "x", 0100644, "1");
    add_entry(archive, "y", 040755, "");
    archive = trailer_archive(archive);
    CpioReader reader(bytes_of(archive));
    CpioEntry entry;
    REQUIRE(MUST(reader.next(entry)));
    CHECK(entry.name == "x");
    CHECK(entry.data.size() == 1);
    REQUIRE(MUST(reader.next(entry)));
    CHECK(entry.name == "y");
    CHECK(entry.mode == 040755);
    CHECK_FALSE(MUST(reader.next(entry)));
}
