// The single-element map commands: BPF_MAP_CREATE, LOOKUP_ELEM, UPDATE_ELEM, DELETE_ELEM,
// GET_NEXT_KEY, LOOKUP_AND_DELETE_ELEM and FREEZE (Linux's map_create, map_lookup_elem...).
// The syscall-side semantics of each map type live in bpf::Map (kernel/bpf/maps); this file
// resolves the fd, checks the fd's permissions in Linux's order, copies keys and values
// between user and kernel memory and creates the map file.
#include "bpf/maps/MapFactory.h"
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/Privileges.h"
#include "bpf/syscall/BpfFiles.h"
#include "bpf/syscall/Commands.h"
#include "bpf/syscall/FdResolver.h"
#include "bpf/syscall/KernelBuffer.h"

namespace bpf::kernel {

namespace {

// Linux's map_check_btf() and the map types' map_check_btf hooks.
ErrorOr<void> check_map_btf(Map const& map, Btf const& btf, u32 key_id, u32 value_id)
{
    // Types with a map_check_btf hook (Linux 6.x): those that reject BTF (map_check_no_btf:
    // ENOTSUPP) and those that check it themselves; only these may omit the key type.
    u32 type = map.type();
    bool no_btf = type == BPF_MAP_TYPE_PERF_EVENT_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS || type == BPF_MAP_TYPE_HASH_OF_MAPS
        || type == BPF_MAP_TYPE_STACK_TRACE;
    bool has_check = no_btf || type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_LPM_TRIE
        || type == BPF_MAP_TYPE_BLOOM_FILTER;
    if (key_id) {
        auto key_size = btf.resolved_size(key_id);
        if (key_size.is_error() || key_size.value() != map.key_size())
            return Error(EINVAL);
    } else if (!has_check) {
        return Error(EINVAL);
    }
    auto value_size = btf.resolved_size(value_id);
    if (value_size.is_error() || value_size.value() != map.value_size())
        return Error(EINVAL);
    if (no_btf)
        return Error(ENOTSUPP);
    u32 key = btf.skip_modifiers(key_id);
    u32 value = btf.skip_modifiers(value_id);
    switch (type) {
    case BPF_MAP_TYPE_ARRAY:
    case BPF_MAP_TYPE_PERCPU_ARRAY: {
        if (key == 0) // keyless BTF: only the .data/.rodata/.bss-style single-element array
            return type == BPF_MAP_TYPE_ARRAY && map.max_entries() == 1 && btf.kind_of(value) == BTF_KIND_DATASEC ? ErrorOr<void>() : Error(EINVAL);
        auto const* t = btf.type_by_id(key);
        if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_INT)
            return Error(EINVAL);
        u32 data = *reinterpret_cast<u32 const*>(t + 1);
        if (BTF_INT_BITS(data) != 32 || BTF_INT_OFFSET(data))
            return Error(EINVAL);
        return {};
    }
    case BPF_MAP_TYPE_LPM_TRIE:
        return btf.kind_of(key) == BTF_KIND_STRUCT ? ErrorOr<void>() : Error(EINVAL);
    case BPF_MAP_TYPE_BLOOM_FILTER:
        return key == 0 ? ErrorOr<void>() : Error(EINVAL);
    default:
        return {};
    }
}

bool may_read(FileAccess access) { return access != FileAccess::WriteOnly; }
bool may_write(Map const& map, FileAccess access) { return access != FileAccess::ReadOnly && !map.is_frozen(); }

// __bpf_copy_key(): key_size bytes from user space; a zero-size key must come as NULL.
ErrorOr<KernelBuffer> copy_key(Map const& map, u64 user_key)
{
    if (!map.key_size()) {
        if (user_key)
            return Error(EINVAL);
        return KernelBuffer();
    }
    return KernelBuffer::copy_from(user_key, map.key_size());
}

}

ErrorOr<u64> map_create(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(map_extra)))
        return Error(EINVAL);
    if (attr.btf_vmlinux_value_type_id) {
        if (attr.map_type != BPF_MAP_TYPE_STRUCT_OPS || attr.btf_key_type_id || attr.btf_value_type_id)
            return Error(EINVAL);
    } else if (attr.btf_key_type_id && !attr.btf_value_type_id) {
        return Error(EINVAL);
    }
    if (attr.map_type != BPF_MAP_TYPE_BLOOM_FILTER && attr.map_extra)
        return Error(EINVAL);
    u32 access_mode = TRY(access_mode_from_bpf_flags(attr.map_flags));
    // Linux checks privileges after the type's map_alloc_check; here the type-specific checks
    // run with the allocation, so an unprivileged caller's bad attributes get EPERM first.
    if (!is_map_type_supported(attr.map_type))
        return Error(EINVAL);
    TRY(check_may_create_objects());
    TRY(check_may_create_map_type(attr.map_type));

    FdResolver resolver;
    auto map = TRY(create_map(MapAttributes::from_bpf_attr(attr), &resolver));
    MapMetadata metadata;
    TRY(copy_object_name(metadata.name, attr.map_name));
    if (attr.btf_key_type_id || attr.btf_value_type_id || attr.btf_vmlinux_value_type_id) {
        metadata.btf = TRY(btf_from_fd(static_cast<int>(attr.btf_fd)));
        if (attr.btf_value_type_id)
            TRY(check_map_btf(*map, metadata.btf->btf(), attr.btf_key_type_id, attr.btf_value_type_id));
        metadata.btf_key_type_id = attr.btf_key_type_id;
        metadata.btf_value_type_id = attr.btf_value_type_id;
        metadata.btf_vmlinux_value_type_id = attr.btf_vmlinux_value_type_id;
    }
    auto object = TRY(MapObject::create(move(map), move(metadata)));
    return TRY(install_map_fd(move(object), access_mode));
}

ErrorOr<u64> map_lookup_elem(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(flags)))
        return Error(EINVAL);
    if (attr.flags & ~static_cast<u64>(BPF_F_LOCK))
        return Error(EINVAL);
    FileAccess access;
    auto object = TRY(map_from_fd(static_cast<int>(attr.map_fd), &access));
    auto& map = object->map();
    if (!may_read(access))
        return Error(EPERM);
    if (attr.flags & BPF_F_LOCK) // no map value here carries a bpf_spin_lock
        return Error(EINVAL);
    auto key = TRY(copy_key(map, attr.key));
    u32 value_size = map.syscall_value_size();
    auto value = TRY(KernelBuffer::allocate(value_size));
    if (map.type() == BPF_MAP_TYPE_BLOOM_FILTER) {
        TRY(copy_from_user(value.data(), attr.value, value_size));
        TRY(map.sys_lookup(key.data(), value.data(), attr.flags, access));
        return 0;
    }
    TRY(map.sys_lookup(key.data(), value.data(), attr.flags, access));
    TRY(copy_to_user(attr.value, value.data(), value_size));
    return 0;
}

ErrorOr<u64> map_update_elem(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(flags)))
        return Error(EINVAL);
    FileAccess access;
    auto file = TRY(map_file_from_fd(static_cast<int>(attr.map_fd), &access));
    auto object = file->object_ref();
    auto& map = object->map();
    if (!may_write(map, access))
        return Error(EPERM);
    if (attr.flags & BPF_F_LOCK)
        return Error(EINVAL);
    auto key = TRY(copy_key(map, attr.key));
    auto value = TRY(KernelBuffer::copy_from(attr.value, map.syscall_value_size()));
    FdResolver resolver(object.ptr(), file.ptr());
    TRY(map.sys_update(key.data(), value.data(), attr.flags, &resolver, access));
    return 0;
}

ErrorOr<u64> map_delete_elem(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(key)))
        return Error(EINVAL);
    FileAccess access;
    auto object = TRY(map_from_fd(static_cast<int>(attr.map_fd), &access));
    auto& map = object->map();
    if (!may_write(map, access))
        return Error(EPERM);
    auto key = TRY(copy_key(map, attr.key));
    TRY(map.sys_delete(key.data(), access));
    return 0;
}

ErrorOr<u64> map_get_next_key(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(next_key)))
        return Error(EINVAL);
    FileAccess access;
    auto object = TRY(map_from_fd(static_cast<int>(attr.map_fd), &access));
    auto& map = object->map();
    if (!may_read(access))
        return Error(EPERM);
    KernelBuffer key;
    if (attr.key)
        key = TRY(copy_key(map, attr.key));
    auto next = TRY(KernelBuffer::allocate(map.key_size()));
    TRY(map.sys_get_next_key(attr.key ? key.data() : nullptr, next.data(), access));
    TRY(copy_to_user(attr.next_key, next.data(), map.key_size()));
    return 0;
}

ErrorOr<u64> map_lookup_and_delete_elem(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(flags)))
        return Error(EINVAL);
    if (attr.flags & ~static_cast<u64>(BPF_F_LOCK))
        return Error(EINVAL);
    FileAccess access;
    auto object = TRY(map_from_fd(static_cast<int>(attr.map_fd), &access));
    auto& map = object->map();
    if (!may_read(access) || !may_write(map, access))
        return Error(EPERM);
    if (attr.flags && (map.type() == BPF_MAP_TYPE_QUEUE || map.type() == BPF_MAP_TYPE_STACK))
        return Error(EINVAL);
    if (attr.flags & BPF_F_LOCK)
        return Error(EINVAL);
    auto key = TRY(copy_key(map, attr.key));
    u32 value_size = map.syscall_value_size();
    auto value = TRY(KernelBuffer::allocate(value_size));
    TRY(map.sys_lookup_and_delete(key.data(), value.data(), attr.flags, access));
    TRY(copy_to_user(attr.value, value.data(), value_size));
    return 0;
}

ErrorOr<u64> map_freeze(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(map_fd)))
        return Error(EINVAL);
    FileAccess access;
    auto object = TRY(map_from_fd(static_cast<int>(attr.map_fd), &access));
    TRY(object->map().sys_freeze(access));
    return 0;
}

}
