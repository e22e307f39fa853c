// The tracepoint table (see TracepointRegistry.h): a fixed array under a spinlock.
#include "bpf/verifier/TracepointRegistry.h"
#include "klib/CString.h"
#include "klib/Spinlock.h"

namespace bpf::verifier {

namespace {

TracepointInfo s_table[max_tracepoints];
u32 s_count = 0;
Spinlock s_lock;

}

ErrorOr<void> register_tracepoint(u32 id, StringView name, u32 record_size)
{
    if (id == 0 || name.is_empty() || name.length() >= sizeof(TracepointInfo::name) || record_size < 8 || record_size > max_trace_record_size)
        return Error(EINVAL);
    SpinlockGuard guard(s_lock);
    TracepointInfo* slot = nullptr;
    for (u32 i = 0; i < s_count; ++i) {
        if (s_table[i].id == id)
            slot = &s_table[i];
    }
    if (!slot) {
        if (s_count == max_tracepoints)
            return Error(ENOSPC);
        slot = &s_table[s_count++];
    }
    slot->id = id;
    slot->record_size = record_size;
    memcpy(slot->name, name.chars(), name.length());
    slot->name[name.length()] = '\0';
    return {};
}

bool find_tracepoint(u32 id, TracepointInfo& out)
{
    SpinlockGuard guard(s_lock);
    for (u32 i = 0; i < s_count; ++i) {
        if (s_table[i].id == id) {
            out = s_table[i];
            return true;
        }
    }
    return false;
}

bool find_tracepoint(StringView name, TracepointInfo& out)
{
    SpinlockGuard guard(s_lock);
    for (u32 i = 0; i < s_count; ++i) {
        if (name == StringView(s_table[i].name)) {
            out = s_table[i];
            return true;
        }
    }
    return false;
}

ErrorOr<void> check_tracepoint_attach(u32 max_ctx_offset, u32 tracepoint_id)
{
    TracepointInfo info;
    if (!find_tracepoint(tracepoint_id, info))
        return Error(ENOENT);
    if (max_ctx_offset > info.record_size)
        return Error(EACCES);
    return {};
}

}
