// Id iteration and lookup: BPF_{PROG,MAP,BTF,LINK}_GET_NEXT_ID and *_GET_FD_BY_ID
// (Linux's bpf_obj_get_next_id, bpf_prog_get_fd_by_id, ...). Ids come from the objects'
// registries (IdRegistry.h); every command needs CAP_SYS_ADMIN (effective uid 0, EPERM otherwise).
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/BpfFiles.h"
#include "bpf/syscall/Commands.h"
#include "bpf/syscall/Privileges.h"

namespace bpf::kernel {

namespace {

template<typename T>
ErrorOr<u64> get_next_id(union bpf_attr const& attr, u64 user_attr, IdRegistry<T>& registry)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(next_id)) || attr.start_id >= IdRegistry<T>::max_id)
        return Error(EINVAL);
    TRY(check_sys_admin());
    u32 next = TRY(registry.next_id(attr.start_id));
    TRY(write_attr_field(user_attr, offsetof(union bpf_attr, next_id), next));
    return 0;
}

}

ErrorOr<u64> prog_get_next_id(union bpf_attr const& attr, u64 user_attr) { return get_next_id(attr, user_attr, ProgramObject::registry()); }
ErrorOr<u64> map_get_next_id(union bpf_attr const& attr, u64 user_attr) { return get_next_id(attr, user_attr, MapObject::registry()); }
ErrorOr<u64> btf_get_next_id(union bpf_attr const& attr, u64 user_attr) { return get_next_id(attr, user_attr, BtfObject::registry()); }
ErrorOr<u64> link_get_next_id(union bpf_attr const& attr, u64 user_attr) { return get_next_id(attr, user_attr, LinkObject::registry()); }

ErrorOr<u64> prog_get_fd_by_id(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(prog_id)))
        return Error(EINVAL);
    TRY(check_sys_admin());
    auto object = TRY(ProgramObject::registry().find(attr.prog_id));
    return TRY(install_program_fd(move(object)));
}

ErrorOr<u64> map_get_fd_by_id(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(open_flags)) || (attr.open_flags & ~static_cast<u32>(BPF_F_RDONLY | BPF_F_WRONLY)))
        return Error(EINVAL);
    TRY(check_sys_admin());
    u32 access_mode = TRY(access_mode_from_bpf_flags(attr.open_flags));
    auto object = TRY(MapObject::registry().find(attr.map_id));
    return TRY(install_map_fd(move(object), access_mode));
}

ErrorOr<u64> btf_get_fd_by_id(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(btf_id)))
        return Error(EINVAL);
    TRY(check_sys_admin());
    auto object = TRY(BtfObject::registry().find(attr.btf_id));
    return TRY(install_btf_fd(move(object)));
}

ErrorOr<u64> link_get_fd_by_id(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(link_id)))
        return Error(EINVAL);
    TRY(check_sys_admin());
    auto object = TRY(LinkObject::registry().find(attr.link_id));
    return TRY(install_link_fd(move(object), false));
}

}
