// A uprobe or uretprobe event: a uprobe consumer plus the trace::Tracepoint it fires (names,
// record and tracepoint in trace::DynamicEvent, the record is Linux's:
// trace/ProbeEventRecord.h), with hit.regs = the user pt_regs (KPROBE programs' ctx).
// bpf_get_func_ip gives the probe's address (for uretprobes too, as Linux). Created by
// uprobe_events (registered in tracefs) or by the uprobe PMU (hidden, filtered to the perf
// event's process when it has one). The probe is registered for the event's whole life.
#pragma once

#include "klib/RefPtr.h"
#include "klib/String.h"
#include "trace/DynamicEvent.h"
#include "trace/uprobes/Uprobes.h"

namespace uprobes {

class UprobeEvent final : public trace::DynamicEvent {
public:
    struct Spec {
        StringView group;
        StringView event;
        StringView path;     // as given (shown in uprobe_events)
        Inode* inode { nullptr };
        u64 offset { 0 };
        bool is_return { false };
        bool listed { true }; // registered in tracefs
        i32 filter_pid { 0 }; // 0: every process
    };
    static ErrorOr<RefPtr<UprobeEvent>> create(Spec const&);
    ~UprobeEvent() override;

    // The uprobe_events line (Linux's trace_uprobe_show).
    ErrorOr<void> show(StringBuilder&) const override;

private:
    UprobeEvent() = default;
    ErrorOr<void> install(Spec const&);
    static void on_entry(UprobeConsumer&, Registers&, u64 address);
    static void on_return(UprobeConsumer&, Registers&, u64 function, u64 return_address);

    String m_path;
    u64 m_offset { 0 };
    bool m_armed { false };
    UprobeConsumer m_consumer;
};

}
