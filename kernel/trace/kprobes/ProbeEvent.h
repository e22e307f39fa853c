// A kprobe or kretprobe event: the probe plus the trace::Tracepoint it fires, with Linux's
// record (common header, then `unsigned long __probe_ip` for kprobes; `__probe_func` and
// `__probe_ret_ip` for kretprobes) and hit.regs = the probe's pt_regs (KPROBE programs' ctx).
// Created by kprobe_events (registered in tracefs under events/<group>/<event>/) or by the
// kprobe PMU (hidden, unregistered). The probe is armed for the event's whole life.
#pragma once

#include "klib/RefPtr.h"
#include "klib/String.h"
#include "perf/Pmu.h"
#include "trace/Tracepoint.h"
#include "trace/kprobes/Kprobes.h"

namespace kprobes {

class ProbeEvent final : public perf::ProbeEvent {
public:
    struct Spec {
        StringView group;
        StringView event;
        StringView symbol; // empty: `offset` is an address
        u64 offset { 0 };
        bool is_return { false };
        u32 maxactive { 0 };
        bool listed { true }; // registered in tracefs
    };
    static ErrorOr<RefPtr<ProbeEvent>> create(Spec const&);
    ~ProbeEvent() override;

    trace::Tracepoint& tracepoint() override { return m_tracepoint; }
    StringView group() const { return m_group.view(); }
    StringView event() const { return m_event.view(); }
    bool is_return() const { return m_is_return; }
    bool in_use() const { return m_tracepoint.is_active(); }
    // The kprobe_events line (Linux's trace_kprobe_show).
    ErrorOr<void> show(StringBuilder&) const;

private:
    ProbeEvent() = default;
    ErrorOr<void> install(Spec const&);
    static void on_entry(Kprobe&, Registers&);
    static void on_return(Kretprobe&, KretprobeInstance const&, Registers&);

    String m_group;
    String m_event;
    String m_symbol;
    u64 m_offset { 0 };
    bool m_is_return { false };
    bool m_listed { false };
    bool m_registered_tracepoint { false };
    bool m_armed { false };
    u32 m_maxactive { 0 };
    trace::TracepointDefinition m_definition {};
    trace::Tracepoint m_tracepoint { m_definition };
    Kprobe m_kprobe;
    Kretprobe m_kretprobe;
};

}
