// BPF_MAP_LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH, UPDATE_BATCH and DELETE_BATCH (Linux's
// bpf_map_do_batch). The element loop lives in each map type (kernel/bpf/maps, Map::sys_batch);
// it reads and writes user memory element by element through UserBatchIo, which also stores
// the processed count into the caller's attr (batch.count) as Linux does.
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/BpfFiles.h"
#include "bpf/syscall/Commands.h"
#include "bpf/syscall/FdResolver.h"

namespace bpf::kernel {

namespace {

class UserBatchIo final : public BatchIo {
public:
    UserBatchIo(union bpf_attr const& attr, u64 user_attr)
        : m_attr(attr)
        , m_user_attr(user_attr)
    {
        count = attr.batch.count;
        elem_flags = attr.batch.elem_flags;
        flags = attr.batch.flags;
    }

    bool has_in_batch() const override { return m_attr.batch.in_batch != 0; }
    ErrorOr<void> read_in_batch(void* dst, u32 size) override { return copy_from_user(dst, m_attr.batch.in_batch, size); }
    ErrorOr<void> write_out_batch(void const* src, u32 size) override { return copy_to_user(m_attr.batch.out_batch, src, size); }
    ErrorOr<void> read_key(u32 index, void* dst, u32 key_size) override
    {
        return copy_from_user(dst, m_attr.batch.keys + static_cast<u64>(index) * key_size, key_size);
    }
    ErrorOr<void> write_key(u32 index, void const* src, u32 key_size) override
    {
        return copy_to_user(m_attr.batch.keys + static_cast<u64>(index) * key_size, src, key_size);
    }
    ErrorOr<void> read_value(u32 index, void* dst, u32 value_size) override
    {
        return copy_from_user(dst, m_attr.batch.values + static_cast<u64>(index) * value_size, value_size);
    }
    ErrorOr<void> write_value(u32 index, void const* src, u32 value_size) override
    {
        return copy_to_user(m_attr.batch.values + static_cast<u64>(index) * value_size, src, value_size);
    }
    ErrorOr<void> write_count(u32 value) override
    {
        return write_attr_field(m_user_attr, offsetof(union bpf_attr, batch.count), value);
    }

private:
    union bpf_attr const& m_attr;
    u64 m_user_attr;
};

ErrorOr<u64> do_batch(union bpf_attr const& attr, u64 user_attr, BatchCommand command)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(batch.flags)))
        return Error(EINVAL);
    bool has_read = command == BatchCommand::Lookup || command == BatchCommand::LookupAndDelete;
    bool has_write = command != BatchCommand::Lookup;
    FileAccess access;
    auto file = TRY(map_file_from_fd(static_cast<int>(attr.batch.map_fd), &access));
    auto object = file->object_ref();
    if (has_read && access == FileAccess::WriteOnly)
        return Error(EPERM);
    if (has_write && (access == FileAccess::ReadOnly || object->map().is_frozen()))
        return Error(EPERM);
    UserBatchIo io(attr, user_attr);
    FdResolver resolver(object.ptr(), file.ptr());
    TRY(object->map().sys_batch(command, io, &resolver, access));
    return 0;
}

}

ErrorOr<u64> map_lookup_batch(union bpf_attr const& attr, u64 user_attr) { return do_batch(attr, user_attr, BatchCommand::Lookup); }
ErrorOr<u64> map_lookup_and_delete_batch(union bpf_attr const& attr, u64 user_attr) { return do_batch(attr, user_attr, BatchCommand::LookupAndDelete); }
ErrorOr<u64> map_update_batch(union bpf_attr const& attr, u64 user_attr) { return do_batch(attr, user_attr, BatchCommand::Update); }
ErrorOr<u64> map_delete_batch(union bpf_attr const& attr, u64 user_attr) { return do_batch(attr, user_attr, BatchCommand::Delete); }

}
