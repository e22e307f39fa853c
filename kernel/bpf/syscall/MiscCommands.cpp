// BPF_ENABLE_STATS (a bpf-stats fd that keeps run-time statistics on while open) and
// BPF_PROG_BIND_MAP (adds a map to a program's used maps, keeping it alive with the program).
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/BpfFiles.h"
#include "bpf/syscall/Commands.h"
#include "bpf/syscall/Privileges.h"

namespace bpf::kernel {

ErrorOr<u64> enable_stats(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(enable_stats.type)))
        return Error(EINVAL);
    TRY(check_sys_admin());
    if (attr.enable_stats.type != BPF_STATS_RUN_TIME)
        return Error(EINVAL);
    auto file = TRY(try_make_ref_counted<StatsFile>());
    return TRY(install_anonymous_fd(move(file), fs::O_READ_ONLY | fs::O_CLOEXEC_));
}

ErrorOr<u64> prog_bind_map(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(prog_bind_map.flags)))
        return Error(EINVAL);
    if (attr.prog_bind_map.flags)
        return Error(EINVAL);
    auto program = TRY(program_from_fd(static_cast<int>(attr.prog_bind_map.prog_fd)));
    auto map = TRY(map_from_fd(static_cast<int>(attr.prog_bind_map.map_fd)));
    TRY(program->bind_map(move(map)));
    return 0;
}

}
