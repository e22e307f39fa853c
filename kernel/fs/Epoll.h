// epoll: an EpollFile is the File behind an epoll fd. It watches (fd, description) pairs
// without keeping them alive — a description that goes away (its last reference dropped)
// detaches itself from every epoll instance, as in Linux. Readiness is computed by asking
// each watched File's poll_status(); level-triggered by default, EPOLLET reports an entry
// again only after its File notified a readiness change (File::readiness_sequence), and
// EPOLLONESHOT disarms an entry after one report until EPOLL_CTL_MOD re-arms it.
// Like Linux's ready list, an entry is only looked at when it may have become ready: right
// after EPOLL_CTL_ADD/MOD, after its File notified a change, or after a level-triggered report
// (Linux re-queues those). A File that becomes readable without notifying (a BPF ring buffer
// whose producer asked for no wakeup) is therefore not reported until something notifies.
// Waiting (epoll_wait) uses the global readiness generation (fs/Readiness.h).
//
// Locking: one global spinlock guards every epoll instance's entries and every
// description's watcher list; poll_status() of watched files is called under it, so File
// implementations must not take it (nested epolls are evaluated in place).
#pragma once

#include "fs/File.h"
#include "klib/Vector.h"

class OpenFileDescription;

struct [[gnu::packed]] EpollEvent {
    u32 events;
    u64 data;
};
static_assert(sizeof(EpollEvent) == 12, "struct epoll_event is packed on x86_64");

namespace fs {
constexpr int EPOLL_CTL_ADD_ = 1;
constexpr int EPOLL_CTL_DEL_ = 2;
constexpr int EPOLL_CTL_MOD_ = 3;
constexpr u32 EPOLLEXCLUSIVE_ = 1u << 28;
constexpr u32 EPOLLWAKEUP_ = 1u << 29;
constexpr u32 EPOLLONESHOT_ = 1u << 30;
constexpr u32 EPOLLET_ = 1u << 31;
constexpr u32 EPOLL_CLOEXEC_ = 02000000;
constexpr int epoll_max_nesting = 4; // EP_MAX_NESTS
}

class EpollFile final : public File {
public:
    static ErrorOr<RefPtr<EpollFile>> try_create();
    ~EpollFile() override;

    // epoll_ctl: `target` is the description `fd` names (checked by the caller).
    ErrorOr<void> control(int op, int fd, OpenFileDescription& target, EpollEvent const& event);
    // Collects up to `max` ready events (rotating the start so no entry starves).
    usize collect_ready(EpollEvent* out, usize max);

    u32 poll_status(OpenFileDescription&) override;
    bool is_epoll() const override { return true; }
    StringView class_name() const override { return "eventpoll"; }
    ErrorOr<void> fdinfo(OpenFileDescription const&, StringBuilder&) const override;

private:
    friend void epoll_detach_description(OpenFileDescription&);
    struct Entry {
        OpenFileDescription* description;
        int fd;
        u32 events;
        u64 data;
        bool armed;
        u64 reported_sequence;
        u64 checked_sequence; // the File's readiness sequence when last looked at
        bool requeued;        // reported level-triggered: look again next time
    };

    EpollFile() = default;
    u32 entry_ready_locked(Entry&, int depth);
    static bool may_be_ready(Entry const&);
    bool any_ready_locked(int depth);
    bool reaches_locked(EpollFile const* target, int depth) const;

    Vector<Entry> m_entries;
    usize m_scan_start { 0 };
};

// Called by ~OpenFileDescription.
void epoll_detach_description(OpenFileDescription&);
