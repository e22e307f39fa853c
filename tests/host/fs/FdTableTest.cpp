// FdTable: lowest-free allocation, cloexec, dup2-style install, limits, cloning.
#include "TestFs.h"
#include "fs/FdTable.h"

namespace {
RefPtr<OpenFileDescription> some_description(Custody& root)
{
    return MUST(vfs_open_at(root, "/", fs::O_READ_ONLY, 0, FsCredentials::root()));
}
}

TEST_CASE("fd allocation is lowest-first with cloexec bookkeeping", "[fs][fdtable]")
{
    auto root = fresh_root();
    auto table = MUST(FdTable::try_create());
    auto d = some_description(*root);
    CHECK(MUST(table->allocate(d, false)) == 0);
    CHECK(MUST(table->allocate(d, true)) == 1);
    CHECK(MUST(table->allocate(d, false)) == 2);
    CHECK(MUST(table->is_cloexec(1)));
    MUST(table->close(1));
    CHECK(error_of(table->get(1)) == EBADF);
    CHECK(error_of(table->close(1)) == EBADF);
    CHECK(MUST(table->allocate(d, false)) == 1);
    CHECK_FALSE(MUST(table->is_cloexec(1)));
    CHECK(MUST(table->allocate(d, false, 10)) == 10);
    CHECK(MUST(table->allocate(d, false, 10)) == 11);
    CHECK(error_of(table->allocate(d, false, 1024)) == EINVAL);
    CHECK(error_of(table->get(-1)) == EBADF);
    CHECK(error_of(table->get(5000)) == EBADF);
}

TEST_CASE("install_at replaces, close_on_exec closes, clone copies", "[fs][fdtable]")
{
    auto root = fresh_root();
    auto table = MUST(FdTable::try_create());
    auto a = some_description(*root);
    auto b = some_description(*root);
    MUST(table->install_at(7, a, true));
    CHECK(MUST(table->get(7)) == a);
    MUST(table->install_at(7, b, false));
    CHECK(MUST(table->get(7)) == b);
    CHECK(a->ref_count() == 1);
    CHECK(error_of(table->install_at(1024, a, false)) == EBADF);
    MUST(table->install_at(3, a, true));
    auto clone = MUST(table->try_clone());
    table->close_on_exec();
    CHECK(error_of(table->get(3)) == EBADF);
    CHECK(MUST(clone->get(3)) == a);
    int count = 0;
    clone->for_each([&](int, OpenFileDescription&) { ++count; });
    CHECK(count == 2);
    clone->close_all();
    CHECK(error_of(clone->get(7)) == EBADF);
}

TEST_CASE("the table fills up at 1024 descriptors", "[fs][fdtable]")
{
    auto root = fresh_root();
    auto table = MUST(FdTable::try_create());
    auto d = some_description(*root);
    for (int i = 0; i < 1024; ++i)
        REQUIRE(MUST(table->allocate(d, false)) == i);
    CHECK(error_of(table->allocate(d, false)) == EMFILE);
}
