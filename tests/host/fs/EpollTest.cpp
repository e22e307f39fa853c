// epoll bookkeeping: ctl errors, level/edge-triggered and one-shot reporting, automatic
// removal when a watched description goes away, nesting and loop detection.
#include "TestFs.h"
#include "fs/Epoll.h"

namespace {

class FakeFile final : public File {
public:
    u32 status { 0 };
    bool pollable { true };
    u32 poll_status(OpenFileDescription&) override { return status; }
    bool can_poll() const override { return pollable; }
    StringView class_name() const override { return "fake"; }
    void set(u32 s)
    {
        status = s;
        notify_readiness_changed();
    }
};

RefPtr<OpenFileDescription> describe(RefPtr<File> file)
{
    return MUST(OpenFileDescription::try_create(move(file), fs::O_READ_WRITE));
}

struct Setup {
    Setup()
    {
        epoll = MUST(EpollFile::try_create());
        epoll_description = describe(epoll);
        fake = MUST(try_make_ref_counted<FakeFile>());
        fake_description = describe(fake);
    }
    RefPtr<EpollFile> epoll;
    RefPtr<OpenFileDescription> epoll_description;
    RefPtr<FakeFile> fake;
    RefPtr<OpenFileDescription> fake_description;
};

usize collect(EpollFile& epoll, EpollEvent* events, usize max = 8) { return epoll.collect_ready(events, max); }

}

TEST_CASE("epoll_ctl errors", "[fs][epoll]")
{
    Setup s;
    EpollEvent in { fs::POLLIN_, 7 };
    MUST(s.epoll->control(fs::EPOLL_CTL_ADD_, 3, *s.fake_description, in));
    CHECK(error_of(s.epoll->control(fs::EPOLL_CTL_ADD_, 3, *s.fake_description, in)) == EEXIST);
    CHECK(error_of(s.epoll->control(fs::EPOLL_CTL_MOD_, 4, *s.fake_description, in)) == ENOENT);
    CHECK(error_of(s.epoll->control(fs::EPOLL_CTL_DEL_, 4, *s.fake_description, in)) == ENOENT);
    CHECK(error_of(s.epoll->control(99, 3, *s.fake_description, in)) == EINVAL);
    CHECK(error_of(s.epoll->control(fs::EPOLL_CTL_ADD_, 5, *s.epoll_description, in)) == EINVAL);
    EpollEvent exclusive { fs::POLLIN_ | fs::EPOLLEXCLUSIVE_, 0 };
    CHECK(error_of(s.epoll->control(fs::EPOLL_CTL_MOD_, 3, *s.fake_description, exclusive)) == EINVAL);
    s.fake->pollable = false;
    CHECK(error_of(s.epoll->control(fs::EPOLL_CTL_ADD_, 6, *s.fake_description, in)) == EPERM);
    s.fake->pollable = true;
    MUST(s.epoll->control(fs::EPOLL_CTL_DEL_, 3, *s.fake_description, in));
}

TEST_CASE("level-triggered, edge-triggered and one-shot reporting", "[fs][epoll]")
{
    Setup s;
    EpollEvent events[8];
    MUST(s.epoll->control(fs::EPOLL_CTL_ADD_, 3, *s.fake_description, EpollEvent { fs::POLLIN_, 0x1234 }));
    CHECK(collect(*s.epoll, events) == 0);
    CHECK(s.epoll->poll_status(*s.epoll_description) == 0);
    s.fake->set(fs::POLLIN_ | fs::POLLOUT_);
    REQUIRE(collect(*s.epoll, events) == 1);
    CHECK(events[0].events == fs::POLLIN_); // only what was asked for
    CHECK(events[0].data == 0x1234);
    CHECK(collect(*s.epoll, events) == 1); // level-triggered: again
    CHECK(s.epoll->poll_status(*s.epoll_description) & fs::POLLIN_);
    s.fake->set(fs::POLLHUP_);
    REQUIRE(collect(*s.epoll, events) == 1);
    CHECK(events[0].events == fs::POLLHUP_); // always reported

    // Edge-triggered: once per change.
    MUST(s.epoll->control(fs::EPOLL_CTL_MOD_, 3, *s.fake_description, EpollEvent { fs::POLLIN_ | fs::EPOLLET_, 1 }));
    s.fake->set(fs::POLLIN_);
    CHECK(collect(*s.epoll, events) == 1);
    CHECK(collect(*s.epoll, events) == 0);
    s.fake->set(fs::POLLIN_); // new data arrived
    CHECK(collect(*s.epoll, events) == 1);
    CHECK(collect(*s.epoll, events) == 0);

    // One-shot: disarmed after one report until EPOLL_CTL_MOD.
    MUST(s.epoll->control(fs::EPOLL_CTL_MOD_, 3, *s.fake_description, EpollEvent { fs::POLLIN_ | fs::EPOLLONESHOT_, 2 }));
    CHECK(collect(*s.epoll, events) == 1);
    s.fake->set(fs::POLLIN_);
    CHECK(collect(*s.epoll, events) == 0);
    MUST(s.epoll->control(fs::EPOLL_CTL_MOD_, 3, *s.fake_description, EpollEvent { fs::POLLIN_ | fs::EPOLLONESHOT_, 2 }));
    CHECK(collect(*s.epoll, events) == 1);
}

TEST_CASE("a closed description leaves every epoll set", "[fs][epoll]")
{
    Setup s;
    auto second = MUST(EpollFile::try_create());
    auto second_description = describe(second);
    s.fake->status = fs::POLLIN_;
    MUST(s.epoll->control(fs::EPOLL_CTL_ADD_, 3, *s.fake_description, EpollEvent { fs::POLLIN_, 0 }));
    MUST(s.epoll->control(fs::EPOLL_CTL_ADD_, 4, *s.fake_description, EpollEvent { fs::POLLIN_, 1 })); // a dup'd fd
    MUST(second->control(fs::EPOLL_CTL_ADD_, 3, *s.fake_description, EpollEvent { fs::POLLIN_, 0 }));
    EpollEvent events[8];
    CHECK(collect(*s.epoll, events) == 2);
    CHECK(collect(*second, events) == 1);
    s.fake_description = nullptr; // last reference: the description is destroyed
    CHECK(collect(*s.epoll, events) == 0);
    CHECK(collect(*second, events) == 0);
    // And an epoll going away first leaves no dangling watcher behind.
    auto other = describe(s.fake);
    MUST(second->control(fs::EPOLL_CTL_ADD_, 5, *other, EpollEvent { fs::POLLIN_, 0 }));
    second_description = nullptr;
    second = nullptr;
    other = nullptr;
}

TEST_CASE("nested epolls report readiness and loops are refused", "[fs][epoll]")
{
    Setup s;
    auto outer = MUST(EpollFile::try_create());
    auto outer_description = describe(outer);
    MUST(s.epoll->control(fs::EPOLL_CTL_ADD_, 3, *s.fake_description, EpollEvent { fs::POLLIN_, 0 }));
    MUST(outer->control(fs::EPOLL_CTL_ADD_, 4, *s.epoll_description, EpollEvent { fs::POLLIN_, 9 }));
    EpollEvent events[8];
    CHECK(collect(*outer, events) == 0);
    s.fake->set(fs::POLLIN_);
    REQUIRE(collect(*outer, events) == 1);
    CHECK(events[0].data == 9);
    CHECK(error_of(s.epoll->control(fs::EPOLL_CTL_ADD_, 5, *outer_description, EpollEvent { fs::POLLIN_, 0 })) == ELOOP);
}

TEST_CASE("maxevents smaller than the ready set rotates fairly", "[fs][epoll]")
{
    Setup s;
    RefPtr<FakeFile> files[3];
    RefPtr<OpenFileDescription> descriptions[3];
    for (int i = 0; i < 3; ++i) {
        files[i] = MUST(try_make_ref_counted<FakeFile>());
        files[i]->status = fs::POLLIN_;
        descriptions[i] = describe(files[i]);
        MUST(s.epoll->control(fs::EPOLL_CTL_ADD_, 10 + i, *descriptions[i], EpollEvent { fs::POLLIN_, static_cast<u64>(i) }));
    }
    EpollEvent events[1];
    u64 seen = 0;
    for (int round = 0; round < 3; ++round) {
        REQUIRE(collect(*s.epoll, events, 1) == 1);
        seen |= 1ULL << events[0].data;
    }
    CHECK(seen == 7);
}
