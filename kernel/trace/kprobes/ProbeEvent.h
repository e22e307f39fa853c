// A kprobe or kretprobe event: the probe plus the trace::Tracepoint it fires (names, record
// and tracepoint in trace::DynamicEvent, the record is Linux's: trace/ProbeEventRecord.h),
// with hit.regs = the probe's pt_regs (KPROBE programs' ctx).
// Created by kprobe_events (registered in tracefs under events/<group>/<event>/) or by the
// kprobe PMU (hidden, unregistered). The probe is armed for the event's whole life.
#pragma once

#include "klib/RefPtr.h"
#include "klib/String.h"
#include "trace/DynamicEvent.h"
#include "trace/kprobes/Kprobes.h"

namespace kprobes {

class ProbeEvent final : public trace::DynamicEvent {
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

    // The kprobe_events line (Linux's trace_kprobe_show).
    ErrorOr<void> show(StringBuilder&) const override;

private:
    ProbeEvent() = default;
    ErrorOr<void> install(Spec const&);
    static void on_entry(Kprobe&, Registers&);
    static void on_return(Kretprobe&, KretprobeInstance const&, Registers&);

    String m_symbol;
    u64 m_offset { 0 };
    bool m_armed { false };
    u32 m_maxactive { 0 };
    Kprobe m_kprobe;
    Kretprobe m_kretprobe;
};

}
