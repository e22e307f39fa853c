// Who may do what with bpf(): Linux 6.x's checks with effective uid 0 standing for every
// capability. With kernel.unprivileged_bpf_disabled set (default 2), only a CAP_BPF caller
// creates maps and programs; BTF_LOAD always needs CAP_BPF; id iteration, *_GET_FD_BY_ID and
// ENABLE_STATS need CAP_SYS_ADMIN. Commands on an fd the caller already holds need nothing,
// as on Linux since 6.5 (the check is in the creating commands, not at the top of bpf()).
#pragma once

#include "klib/Error.h"
#include "klib/Types.h"

namespace bpf::kernel {

bool bpf_capable();
bool perfmon_capable();
bool sys_admin_capable();

// map_create/bpf_prog_load: EPERM while unprivileged_bpf_disabled is set and the caller is
// not bpf_capable.
ErrorOr<void> check_may_create_objects();
// map_create's "privileged map type" switch: EPERM for types only CAP_BPF may create.
ErrorOr<void> check_may_create_map_type(u32 map_type);
// bpf_prog_load: without CAP_BPF only SOCKET_FILTER and CGROUP_SKB programs (EPERM).
ErrorOr<void> check_may_load_program_type(u32 program_type);
// EPERM unless CAP_SYS_ADMIN.
ErrorOr<void> check_sys_admin();
// EPERM unless CAP_BPF.
ErrorOr<void> check_bpf_capable();

}
