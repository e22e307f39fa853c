// Path resolution: ".", "..", slashes, symlinks (relative, absolute, loops, depth limit),
// trailing slashes, length limits, mount crossings and custody paths.
#include "TestFs.h"

TEST_CASE("resolution of dots, slashes and relative paths", "[fs][path]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    MUST(vfs_mkdir(*root, "/a", 0755, cred));
    MUST(vfs_mkdir(*root, "/a/b", 0755, cred));
    write_file(*root, "/a/b/f", "x");
    CHECK(path_of(MUST(resolve_custody("/a/b/f", *root, cred))) == "/a/b/f");
    CHECK(path_of(MUST(resolve_custody("//a///b/./f", *root, cred))) == "/a/b/f");
    CHECK(path_of(MUST(resolve_custody("/a/b/../b/f", *root, cred))) == "/a/b/f");
    CHECK(path_of(MUST(resolve_custody("/../../a", *root, cred))) == "/a");
    CHECK(path_of(MUST(resolve_custody("/", *root, cred))) == "/");
    CHECK(path_of(MUST(resolve_custody("/a/b/", *root, cred))) == "/a/b");
    auto a = MUST(resolve_custody("/a", *root, cred));
    CHECK(path_of(MUST(resolve_custody("b/f", *a, cred))) == "/a/b/f");
    CHECK(path_of(MUST(resolve_custody("..", *a, cred))) == "/");
    CHECK(path_of(MUST(resolve_custody(".", *a, cred))) == "/a");
    CHECK(error_of(resolve_custody("", *root, cred)) == ENOENT);
    CHECK(error_of(resolve_custody("/a/b/f/", *root, cred)) == ENOTDIR);
    CHECK(error_of(resolve_custody("/a/b/f/x", *root, cred)) == ENOTDIR);
    CHECK(error_of(resolve_custody("/a/nope/x", *root, cred)) == ENOENT);
}

TEST_CASE("symlinks: relative, absolute, chains, nofollow, loops", "[fs][path]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    MUST(vfs_mkdir(*root, "/dir", 0755, cred));
    write_file(*root, "/dir/file", "data");
    MUST(vfs_symlink("dir/file", *root, "/rel", cred));
    MUST(vfs_symlink("/dir", *root, "/abs", cred));
    MUST(vfs_symlink("rel", *root, "/chain", cred));
    MUST(vfs_symlink("missing", *root, "/dangling", cred));
    MUST(vfs_symlink("loop2", *root, "/loop1", cred));
    MUST(vfs_symlink("loop1", *root, "/loop2", cred));
    MUST(vfs_symlink("../dir", *root, "/dir/up", cred));

    CHECK(read_file(*root, "/rel") == "data");
    CHECK(read_file(*root, "/chain") == "data");
    CHECK(read_file(*root, "/abs/file") == "data");
    CHECK(read_file(*root, "/dir/up/up/up/file") == "data");
    CHECK(path_of(MUST(resolve_custody("/abs/file", *root, cred))) == "/dir/file");
    CHECK(path_of(MUST(resolve_custody("/rel", *root, cred, false))) == "/rel");
    CHECK(MUST(resolve_custody("/rel", *root, cred, false))->inode().is_symlink());
    CHECK(std::string(MUST(vfs_readlink(*root, "/rel", cred)).c_str()) == "dir/file");
    CHECK(error_of(vfs_readlink(*root, "/dir", cred)) == EINVAL);
    CHECK(error_of(resolve_custody("/dangling", *root, cred)) == ENOENT);
    CHECK(error_of(resolve_custody("/loop1", *root, cred)) == ELOOP);
    CHECK(error_of(vfs_open_at(*root, "/rel", fs::O_READ_ONLY | fs::O_NOFOLLOW_, 0, cred)) == ELOOP);
    CHECK(error_of(vfs_open_at(*root, "/rel", fs::O_CREATE | fs::O_EXCLUSIVE | fs::O_WRITE_ONLY, 0644, cred)) == EEXIST);
    // A trailing slash follows the final symlink.
    CHECK(MUST(resolve_custody("/abs/", *root, cred, false))->inode().is_directory());
    // O_PATH|O_NOFOLLOW opens the link itself.
    auto link = MUST(vfs_open_at(*root, "/rel", fs::O_PATH_ | fs::O_NOFOLLOW_, 0, cred));
    CHECK(MUST(link->metadata()).is_symlink());
    // unlink removes the link, not the target.
    MUST(vfs_unlink(*root, "/abs", cred));
    CHECK(read_file(*root, "/dir/file") == "data");
    CHECK(error_of(vfs_symlink("", *root, "/empty", cred)) == ENOENT);
    CHECK(error_of(vfs_symlink("x", *root, "/rel", cred)) == EEXIST);
}

TEST_CASE("symlink depth limit is 40", "[fs][path]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    write_file(*root, "/l0", "end");
    for (int i = 1; i <= 41; ++i)
        MUST(vfs_symlink(("l" + std::to_string(i - 1)).c_str(), *root, ("/l" + std::to_string(i)).c_str(), cred));
    CHECK(read_file(*root, "/l40") == "end");
    CHECK(error_of(resolve_custody("/l41", *root, cred)) == ELOOP);
}

TEST_CASE("name and path length limits", "[fs][path]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    std::string name255(255, 'n');
    std::string name256(256, 'n');
    MUST(vfs_mkdir(*root, ("/" + name255).c_str(), 0755, cred));
    CHECK(error_of(vfs_mkdir(*root, ("/" + name256).c_str(), 0755, cred)) == ENAMETOOLONG);
    std::string long_path;
    while (long_path.size() < 4096)
        long_path += "/.";
    long_path.resize(4096);
    CHECK(error_of(resolve_custody(long_path.c_str(), *root, cred)) == ENAMETOOLONG);
    long_path.resize(4095);
    if (long_path.back() == '/')
        long_path.back() = '.';
    CHECK(error_of(resolve_custody(long_path.c_str(), *root, cred)) == 0);
}

TEST_CASE("mounts cover directories and .. climbs out of them", "[fs][path]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    MUST(vfs_mkdir(*root, "/mnt", 0755, cred));
    write_file(*root, "/mnt/hidden", "under");
    auto other = MUST(RamFS::try_create("tmpfs"));
    MUST(vfs_mount_filesystem(other, *MUST(resolve_custody("/mnt", *root, cred)), "tmpfs", "rw"));
    CHECK(error_of(resolve_custody("/mnt/hidden", *root, cred)) == ENOENT);
    write_file(*root, "/mnt/top", "over");
    auto top = MUST(resolve_custody("/mnt/top", *root, cred));
    CHECK(&top->inode().fs() == other.ptr());
    CHECK(path_of(top) == "/mnt/top");
    CHECK(path_of(MUST(resolve_custody("/mnt/..", *root, cred))) == "/");
    CHECK(MUST(resolve_custody("/mnt/../mnt", *root, cred))->inode().ino() == other->root()->ino());
    CHECK(vfs_mount_id_of(*other) == 2);
    auto mounts = MUST(vfs_mount_snapshot());
    REQUIRE(mounts.size() == 2);
    CHECK(path_of(mounts[1].mountpoint) == "/mnt");
    CHECK(error_of(vfs_rmdir(*root, "/mnt", cred)) == EBUSY);
}

TEST_CASE("search permission is needed on every directory", "[fs][path]")
{
    auto root = fresh_root();
    auto cred = FsCredentials::root();
    MUST(vfs_mkdir(*root, "/locked", 0700, cred));
    write_file(*root, "/locked/f", "x");
    CHECK(error_of(resolve_custody("/locked/f", *root, user_cred())) == EACCES);
    CHECK(error_of(resolve_custody("/locked", *root, user_cred())) == 0);
    CHECK(error_of(vfs_resolve_directory(*root, "/locked", user_cred())) == EACCES);
    CHECK(error_of(vfs_resolve_directory(*root, "/locked/f", cred)) == ENOTDIR);
}
