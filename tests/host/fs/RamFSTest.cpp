// ramfs behaviour through the VFS operations: files, sparse data, truncate, directories,
// link counts, rename rules, getdents positions.
#include "TestFs.h"
#include "fs/RamPages.h"
#include <vector>

namespace {

struct Names final : DirectoryVisitor {
    std::vector<std::string> names;
    std::vector<u64> next;
    usize limit { 1000 };
    bool visit(StringView name, u64, u8, u64 next_position) override
    {
        if (names.size() >= limit)
            return false;
        names.emplace_back(name.chars(), name.length());
        next.push_back(next_position);
        return true;
    }
};

std::vector<std::string> list(Custody& root, char const* path, u64 from = 0)
{
    auto custody = MUST(resolve_custody(path, root, FsCredentials::root()));
    Names names;
    MUST(custody->inode().iterate(from, names));
    return names.names;
}

}

TEST_CASE("ramfs creates, writes, reads and truncates files", "[fs][ramfs]")
{
    auto root = fresh_root();
    write_file(*root, "/hello", "hello world");
    CHECK(read_file(*root, "/hello") == "hello world");
    auto custody = MUST(resolve_custody("/hello", *root, FsCredentials::root()));
    auto md = custody->inode().metadata();
    CHECK(md.size == 11);
    CHECK(md.is_regular());
    CHECK((md.mode & 07777) == 0644);
    CHECK(md.nlink == 1);

    MUST(vfs_truncate(*root, "/hello", 5, FsCredentials::root()));
    CHECK(read_file(*root, "/hello") == "hello");
    MUST(vfs_truncate(*root, "/hello", 8, FsCredentials::root()));
    CHECK(read_file(*root, "/hello") == std::string("hello\0\0\0", 8));
}

TEST_CASE("ramfs files are sparse and span pages", "[fs][ramfs]")
{
    auto root = fresh_root();
    u64 pages_before = ram_pages_in_use();
    auto description = MUST(vfs_open_at(*root, "/sparse", fs::O_CREATE | fs::O_READ_WRITE, 0600, FsCredentials::root()));
    char data[] = "tail";
    auto buffer = UserBuffer::kernel(data, 4);
    CHECK(MUST(description->write_at(10 * 4096 + 4094, buffer, 4)) == 4);
    CHECK(ram_pages_in_use() - pages_before == 2);
    auto md = MUST(description->metadata());
    CHECK(md.size == 10 * 4096 + 4098);
    CHECK(md.blocks == 16);
    char back[8] = {};
    auto read_buffer = UserBuffer::kernel(back, 8);
    CHECK(MUST(description->read_at(10 * 4096 + 4092, read_buffer, 8)) == 6);
    CHECK(std::string(back, 6) == std::string("\0\0tail", 6));
    CHECK(MUST(description->read_at(100, read_buffer, 8)) == 8);
    CHECK(std::string(back, 8) == std::string(8, '\0'));
    MUST(description->file().truncate(0));
    CHECK(ram_pages_in_use() == pages_before);
}

TEST_CASE("ramfs large writes cross page boundaries intact", "[fs][ramfs]")
{
    auto root = fresh_root();
    std::string big;
    for (int i = 0; i < 20000; ++i)
        big += static_cast<char>('a' + i % 26);
    write_file(*root, "/big", big);
    CHECK(read_file(*root, "/big") == big);
}

TEST_CASE("O_APPEND writes at the end", "[fs][ramfs]")
{
    auto root = fresh_root();
    write_file(*root, "/log", "one\n");
    auto description = MUST(vfs_open_at(*root, "/log", fs::O_WRITE_ONLY | fs::O_APPEND_, 0, FsCredentials::root()));
    char two[] = "two\n";
    auto buffer = UserBuffer::kernel(two, 4);
    MUST(description->seek(0, 0));
    CHECK(MUST(description->write(buffer, 4)) == 4);
    CHECK(description->offset() == 8);
    CHECK(read_file(*root, "/log") == "one\ntwo\n");
    // pwrite on an O_APPEND description appends too, and leaves the offset alone.
    MUST(description->seek(2, 0));
    CHECK(MUST(description->write_at(0, buffer, 4)) == 4);
    CHECK(description->offset() == 2);
    CHECK(read_file(*root, "/log") == "one\ntwo\ntwo\n");
}

TEST_CASE("directories: mkdir, rmdir, link counts, ENOTEMPTY", "[fs][ramfs]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    CHECK(root->inode().metadata().nlink == 2);
    MUST(vfs_mkdir(*root, "/a", 0755, cred));
    MUST(vfs_mkdir(*root, "/a/b", 0755, cred));
    CHECK(root->inode().metadata().nlink == 3);
    CHECK(MUST(resolve_custody("/a", *root, cred))->inode().metadata().nlink == 3);
    CHECK(error_of(vfs_mkdir(*root, "/a", 0755, cred)) == EEXIST);
    CHECK(error_of(vfs_rmdir(*root, "/a", cred)) == ENOTEMPTY);
    CHECK(error_of(vfs_unlink(*root, "/a", cred)) == EISDIR);
    write_file(*root, "/a/f", "x");
    CHECK(error_of(vfs_rmdir(*root, "/a/f", cred)) == ENOTDIR);
    CHECK(error_of(vfs_mkdir(*root, "/a/f/g", 0755, cred)) == ENOTDIR);
    MUST(vfs_unlink(*root, "/a/f", cred));
    MUST(vfs_rmdir(*root, "/a/b", cred));
    MUST(vfs_rmdir(*root, "/a", cred));
    CHECK(root->inode().metadata().nlink == 2);
    CHECK(error_of(vfs_rmdir(*root, "/a", cred)) == ENOENT);
    CHECK(error_of(vfs_rmdir(*root, "/", cred)) == EBUSY);
    CHECK(error_of(vfs_rmdir(*root, ".", cred)) == EINVAL);
    CHECK(error_of(vfs_rmdir(*root, "..", cred)) == ENOTEMPTY);
    CHECK(error_of(vfs_unlink(*root, "/", cred)) == EISDIR);
    CHECK(error_of(vfs_mkdir(*root, "/", 0755, cred)) == EEXIST);
}

TEST_CASE("unlinked open files stay readable with nlink 0", "[fs][ramfs]")
{
    auto root = fresh_root();
    write_file(*root, "/tmpfile", "data");
    auto description = MUST(vfs_open_at(*root, "/tmpfile", fs::O_READ_ONLY, 0, FsCredentials::root()));
    MUST(vfs_unlink(*root, "/tmpfile", FsCredentials::root()));
    CHECK(error_of(resolve_custody("/tmpfile", *root, FsCredentials::root())) == ENOENT);
    char buf[8];
    auto buffer = UserBuffer::kernel(buf, 8);
    CHECK(MUST(description->read(buffer, 8)) == 4);
    CHECK(MUST(description->metadata()).nlink == 0);
    CHECK(std::string(MUST(description->absolute_path()).c_str()) == "/tmpfile (deleted)");
}

TEST_CASE("rename follows Linux's rules", "[fs][ramfs]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    write_file(*root, "/f1", "one");
    write_file(*root, "/f2", "two");
    MUST(vfs_mkdir(*root, "/d1", 0755, cred));
    MUST(vfs_mkdir(*root, "/d2", 0755, cred));
    MUST(vfs_mkdir(*root, "/d1/sub", 0755, cred));

    MUST(vfs_rename(*root, "/f1", *root, "/f2", cred)); // replaces
    CHECK(read_file(*root, "/f2") == "one");
    CHECK(error_of(resolve_custody("/f1", *root, cred)) == ENOENT);
    CHECK(error_of(vfs_rename(*root, "/f2", *root, "/d2", cred)) == EISDIR);
    CHECK(error_of(vfs_rename(*root, "/d2", *root, "/f2", cred)) == ENOTDIR);
    CHECK(error_of(vfs_rename(*root, "/d2", *root, "/d1", cred)) == ENOTEMPTY);
    CHECK(error_of(vfs_rename(*root, "/d1", *root, "/d1/sub/x", cred)) == EINVAL);
    CHECK(error_of(vfs_rename(*root, "/nope", *root, "/x", cred)) == ENOENT);
    CHECK(error_of(vfs_rename(*root, "/f2/", *root, "/x", cred)) == ENOTDIR);
    CHECK(error_of(vfs_rename(*root, ".", *root, "/x", cred)) == EBUSY);
    MUST(vfs_rename(*root, "/f2", *root, "/f2", cred)); // same file: no-op

    // Moving a directory updates link counts and "..".
    MUST(vfs_rename(*root, "/d1/sub", *root, "/d2/moved", cred));
    CHECK(MUST(resolve_custody("/d1", *root, cred))->inode().metadata().nlink == 2);
    CHECK(MUST(resolve_custody("/d2", *root, cred))->inode().metadata().nlink == 3);
    // Replacing an empty directory.
    MUST(vfs_rename(*root, "/d2/moved", *root, "/d1", cred));
    CHECK(list(*root, "/") == std::vector<std::string> { ".", "..", "f2", "d1", "d2" });
    CHECK(MUST(resolve_custody("/d2", *root, cred))->inode().metadata().nlink == 2);

    // Across file systems: EXDEV.
    auto tmp = MUST(RamFS::try_create("tmpfs"));
    MUST(vfs_mkdir(*root, "/tmp", 01777, cred));
    MUST(vfs_mount_filesystem(tmp, *MUST(resolve_custody("/tmp", *root, cred)), "tmpfs", "rw"));
    CHECK(error_of(vfs_rename(*root, "/f2", *root, "/tmp/f2", cred)) == EXDEV);
    CHECK(error_of(vfs_rename(*root, "/tmp", *root, "/tmp2", cred)) == EBUSY);
}

TEST_CASE("getdents positions survive unlinking while reading", "[fs][ramfs]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    MUST(vfs_mkdir(*root, "/d", 0755, cred));
    for (int i = 0; i < 10; ++i)
        write_file(*root, ("/d/f" + std::to_string(i)).c_str(), "");
    auto dir = MUST(resolve_custody("/d", *root, cred));
    Names first;
    first.limit = 5;
    MUST(dir->inode().iterate(0, first));
    CHECK(first.names == std::vector<std::string> { ".", "..", "f0", "f1", "f2" });
    // Remove what was read, then continue from the last position.
    for (int i = 0; i < 3; ++i)
        MUST(vfs_unlink(*root, ("/d/f" + std::to_string(i)).c_str(), cred));
    Names rest;
    MUST(dir->inode().iterate(first.next.back(), rest));
    CHECK(rest.names == std::vector<std::string> { "f3", "f4", "f5", "f6", "f7", "f8", "f9" });
}

TEST_CASE("getdents64 records through a description", "[fs][ramfs]")
{
    auto root = fresh_root();
    write_file(*root, "/file", "");
    auto description = MUST(vfs_open_at(*root, "/", fs::O_READ_ONLY | fs::O_DIRECTORY_, 0, FsCredentials::root()));
    alignas(8) u8 buffer[256];
    auto user = UserBuffer::kernel(buffer, sizeof(buffer));
    usize n = MUST(description->get_dir_entries(user, sizeof(buffer)));
    REQUIRE(n == 24 + 24 + 24);
    u16 reclen;
    memcpy(&reclen, buffer + 16, 2);
    CHECK(reclen == 24);
    CHECK(std::string(reinterpret_cast<char*>(buffer + 19)) == ".");
    CHECK(std::string(reinterpret_cast<char*>(buffer + 48 + 19)) == "file");
    CHECK(buffer[48 + 18] == 8); // DT_REG
    CHECK(MUST(description->get_dir_entries(user, sizeof(buffer))) == 0);
    // Too small for one record.
    MUST(description->seek(0, 0));
    CHECK(error_of(description->get_dir_entries(user, 10)) == EINVAL);
}

TEST_CASE("open flags: O_EXCL, O_DIRECTORY, O_TRUNC, directories for writing", "[fs][ramfs]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    write_file(*root, "/f", "content");
    CHECK(error_of(vfs_open_at(*root, "/f", fs::O_CREATE | fs::O_EXCLUSIVE | fs::O_WRITE_ONLY, 0644, cred)) == EEXIST);
    CHECK(error_of(vfs_open_at(*root, "/f", fs::O_DIRECTORY_, 0, cred)) == ENOTDIR);
    CHECK(error_of(vfs_open_at(*root, "/", fs::O_WRITE_ONLY, 0, cred)) == EISDIR);
    CHECK(error_of(vfs_open_at(*root, "/", fs::O_CREATE | fs::O_READ_ONLY, 0, cred)) == EISDIR);
    CHECK(error_of(vfs_open_at(*root, "/missing", fs::O_READ_ONLY, 0, cred)) == ENOENT);
    CHECK(error_of(vfs_open_at(*root, "/new/", fs::O_CREATE | fs::O_WRITE_ONLY, 0644, cred)) == EISDIR);
    MUST(vfs_open_at(*root, "/f", fs::O_WRITE_ONLY | fs::O_TRUNCATE, 0, cred));
    CHECK(read_file(*root, "/f").empty());
    auto d = MUST(vfs_open_at(*root, "/f", fs::O_READ_ONLY, 0, cred));
    char c;
    auto buffer = UserBuffer::kernel(&c, 1);
    CHECK(error_of(d->write(buffer, 1)) == EBADF);
    auto path_only = MUST(vfs_open_at(*root, "/f", fs::O_PATH_, 0, cred));
    CHECK(error_of(path_only->read(buffer, 1)) == EBADF);
}

TEST_CASE("permissions for ordinary users", "[fs][ramfs]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    auto user = user_cred();
    MUST(vfs_mkdir(*root, "/private", 0700, cred));
    write_file(*root, "/private/secret", "s");
    write_file(*root, "/public", "p");
    CHECK(error_of(vfs_open_at(*root, "/private/secret", fs::O_READ_ONLY, 0, user)) == EACCES);
    CHECK(error_of(vfs_open_at(*root, "/public", fs::O_WRITE_ONLY, 0, user)) == EACCES);
    MUST(vfs_open_at(*root, "/public", fs::O_READ_ONLY, 0, user));
    CHECK(error_of(vfs_access(*root, "/public", fs::ACCESS_W, true, user)) == EACCES);
    MUST(vfs_access(*root, "/public", fs::ACCESS_R, true, user));
    CHECK(error_of(vfs_access(*root, "/public", fs::ACCESS_X, true, cred)) == EACCES);
    MUST(vfs_access(*root, "/private", fs::ACCESS_X, true, cred));
    CHECK(error_of(vfs_mkdir(*root, "/userdir", 0755, user)) == EACCES);
    CHECK(error_of(vfs_access(*root, "/public", 8, true, cred)) == EINVAL);
}
