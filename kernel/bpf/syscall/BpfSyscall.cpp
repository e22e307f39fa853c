// bpf(2), syscall 321: copies the attr like Linux's __sys_bpf — a caller's attr larger than
// ours must be zero past our union bpf_attr (E2BIG otherwise, and for anything above a page),
// a shorter one is zero-filled — then hands it to the command's function. Commands this
// kernel does not implement give EINVAL, as on an older kernel.
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/Commands.h"
#include "syscalls/Syscall.h"

namespace bpf::kernel {

Command command_handler(int cmd)
{
    switch (cmd) {
    case BPF_MAP_CREATE: return map_create;
    case BPF_MAP_LOOKUP_ELEM: return map_lookup_elem;
    case BPF_MAP_UPDATE_ELEM: return map_update_elem;
    case BPF_MAP_DELETE_ELEM: return map_delete_elem;
    case BPF_MAP_GET_NEXT_KEY: return map_get_next_key;
    case BPF_PROG_LOAD: return prog_load;
    case BPF_OBJ_PIN: return obj_pin;
    case BPF_OBJ_GET: return obj_get;
    case BPF_PROG_TEST_RUN: return prog_test_run;
    case BPF_PROG_GET_NEXT_ID: return prog_get_next_id;
    case BPF_MAP_GET_NEXT_ID: return map_get_next_id;
    case BPF_PROG_GET_FD_BY_ID: return prog_get_fd_by_id;
    case BPF_MAP_GET_FD_BY_ID: return map_get_fd_by_id;
    case BPF_OBJ_GET_INFO_BY_FD: return obj_get_info_by_fd;
    case BPF_RAW_TRACEPOINT_OPEN: return raw_tracepoint_open;
    case BPF_BTF_LOAD: return btf_load;
    case BPF_BTF_GET_FD_BY_ID: return btf_get_fd_by_id;
    case BPF_MAP_LOOKUP_AND_DELETE_ELEM: return map_lookup_and_delete_elem;
    case BPF_MAP_FREEZE: return map_freeze;
    case BPF_BTF_GET_NEXT_ID: return btf_get_next_id;
    case BPF_MAP_LOOKUP_BATCH: return map_lookup_batch;
    case BPF_MAP_LOOKUP_AND_DELETE_BATCH: return map_lookup_and_delete_batch;
    case BPF_MAP_UPDATE_BATCH: return map_update_batch;
    case BPF_MAP_DELETE_BATCH: return map_delete_batch;
    case BPF_LINK_CREATE: return link_create;
    case BPF_LINK_UPDATE: return link_update;
    case BPF_LINK_GET_FD_BY_ID: return link_get_fd_by_id;
    case BPF_LINK_GET_NEXT_ID: return link_get_next_id;
    case BPF_ENABLE_STATS: return enable_stats;
    case BPF_LINK_DETACH: return link_detach;
    case BPF_PROG_BIND_MAP: return prog_bind_map;
    default: return nullptr; // PROG_ATTACH/DETACH/QUERY, TASK_FD_QUERY, ITER_CREATE, ...
    }
}

}

ErrorOr<u64> sys_bpf(int cmd, u64 user_attr, u32 size)
{
    using namespace bpf::kernel;
    TRY(check_user_tail_zero(user_attr, sizeof(union bpf_attr), size));
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    TRY(copy_from_user(&attr, user_attr, min<usize>(size, sizeof(attr))));
    Command handler = command_handler(cmd);
    if (!handler)
        return Error(EINVAL);
    return handler(attr, user_attr);
}
