// Enabled tracefs events (see EventEnable.h).
#include "trace/tracefs/EventEnable.h"
#include "bpf/syscall/TraceRing.h"
#include "klib/OwnPtr.h"
#include "klib/Spinlock.h"
#include "trace/tracefs/EventText.h"

namespace trace {

namespace {

class RingListener final : public TracepointListener {
public:
    bool wants_record() const override { return true; }
    void on_hit(TracepointHit const& hit) override
    {
        char text[256];
        usize length = render_event_text(hit.tracepoint, hit.record, hit.record_size, text, sizeof text);
        bpf::kernel::trace_ring_append_event(hit.tracepoint.definition().name, text, static_cast<u32>(length));
    }
};

constexpr u32 max_ids = 0x10000;
RingListener* listeners[max_ids];
Spinlock table_lock;

}

ErrorOr<void> set_event_enabled(Tracepoint& tracepoint, bool enabled)
{
    u32 id = tracepoint.id();
    if (id >= max_ids)
        return Error(EINVAL);
    if (enabled) {
        auto* listener = new (std::nothrow) RingListener;
        if (!listener)
            return Error(ENOMEM);
        int error = 0;
        bool installed = false;
        {
            SpinlockGuard guard(table_lock);
            if (!listeners[id]) {
                auto result = tracepoint.add_listener(*listener);
                if (result.is_error()) {
                    error = result.error().code();
                } else {
                    listeners[id] = listener;
                    installed = true;
                }
            }
        }
        if (!installed)
            delete listener;
        if (error)
            return Error(error);
        return {};
    }
    RingListener* listener;
    {
        SpinlockGuard guard(table_lock);
        listener = listeners[id];
        listeners[id] = nullptr;
    }
    if (listener) {
        tracepoint.remove_listener(*listener);
        delete listener;
    }
    return {};
}

bool event_enabled(Tracepoint const& tracepoint)
{
    SpinlockGuard guard(table_lock);
    return tracepoint.id() < max_ids && listeners[tracepoint.id()];
}

}
