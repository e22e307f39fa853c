// LinkObject: a BPF link (struct bpf_link) — a program attached to something for as long as
// the link lives. The attach kinds (perf events, raw tracepoints, ...) subclass it and
// implement detachment in their destructor; this base holds what every link has: the link
// type (BPF_LINK_TYPE_*), the id and the program, and gives Linux's errno for operations a
// kind does not support (LINK_UPDATE: EINVAL, LINK_DETACH: EOPNOTSUPP).
//
// Lifetime: referenced by link files (fds) and pins. A subclass registers the id with
// publish() once it is attached (Linux's bpf_link_settle); the id is released in the
// destructor. Locking: the program pointer is guarded by m_lock (LINK_UPDATE replaces it).
#pragma once

#include "bpf/syscall/ProgramObject.h"
#include "klib/String.h"

namespace bpf::kernel {

class LinkObject : public BpfObject {
public:
    ~LinkObject() override;

    u32 type() const { return m_type; }
    u32 id() const { return m_id; }
    RefPtr<ProgramObject> program() const;

    // Makes the link findable by id (call when it is fully attached). ENOSPC/ENOMEM.
    ErrorOr<void> publish();

    // BPF_LINK_UPDATE: replace the program (old_program non-null = BPF_F_REPLACE expected).
    virtual ErrorOr<void> update_program(RefPtr<ProgramObject> new_program, ProgramObject* old_program);
    // BPF_LINK_DETACH.
    virtual ErrorOr<void> detach();
    // Kind-specific fields of struct bpf_link_info (the union after prog_id).
    virtual ErrorOr<void> fill_info(bpf_link_info&) const { return {}; }
    // Kind-specific lines of /proc/<pid>/fdinfo.
    virtual ErrorOr<void> show_fdinfo(StringBuilder&) const { return {}; }

    static IdRegistry<LinkObject>& registry();
    // The name fdinfo prints for a BPF_LINK_TYPE_* value ("raw_tracepoint", "perf_event"...).
    static char const* type_name(u32 type);

protected:
    LinkObject(u32 type, RefPtr<ProgramObject> program);
    // For update_program implementations.
    void replace_program(RefPtr<ProgramObject> program);

private:
    u32 m_type;
    u32 m_id { 0 };
    mutable Spinlock m_lock;
    RefPtr<ProgramObject> m_program;
};

}
