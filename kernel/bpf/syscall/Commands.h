// The bpf() commands, one function per command (kernel/bpf/syscall.c's map_create,
// map_lookup_elem, bpf_prog_load, ...). Each receives the attr already copied into the kernel
// (zero-filled past what the caller passed) and the caller's attr address for the fields a
// command writes back. Each applies CHECK_ATTR with its own last field first.
//
// Files: MapCommands.cpp, MapBatch.cpp, ProgLoad.cpp, TestRun.cpp, PinCommands.cpp,
// IdCommands.cpp, ObjectInfo.cpp, BtfLoad.cpp, LinkCommands.cpp, MiscCommands.cpp.
#pragma once

#include "klib/Error.h"
#include <linux/bpf.h>

namespace bpf::kernel {

using Command = ErrorOr<u64> (*)(union bpf_attr const& attr, u64 user_attr);

// The handler of `cmd`, or nullptr for commands this kernel does not implement (EINVAL).
Command command_handler(int cmd);

ErrorOr<u64> map_create(union bpf_attr const&, u64);
ErrorOr<u64> map_lookup_elem(union bpf_attr const&, u64);
ErrorOr<u64> map_update_elem(union bpf_attr const&, u64);
ErrorOr<u64> map_delete_elem(union bpf_attr const&, u64);
ErrorOr<u64> map_get_next_key(union bpf_attr const&, u64);
ErrorOr<u64> map_lookup_and_delete_elem(union bpf_attr const&, u64);
ErrorOr<u64> map_freeze(union bpf_attr const&, u64);
ErrorOr<u64> map_lookup_batch(union bpf_attr const&, u64);
ErrorOr<u64> map_lookup_and_delete_batch(union bpf_attr const&, u64);
ErrorOr<u64> map_update_batch(union bpf_attr const&, u64);
ErrorOr<u64> map_delete_batch(union bpf_attr const&, u64);
ErrorOr<u64> prog_load(union bpf_attr const&, u64);
ErrorOr<u64> prog_test_run(union bpf_attr const&, u64);
ErrorOr<u64> prog_bind_map(union bpf_attr const&, u64);
ErrorOr<u64> obj_pin(union bpf_attr const&, u64);
ErrorOr<u64> obj_get(union bpf_attr const&, u64);
ErrorOr<u64> prog_get_next_id(union bpf_attr const&, u64);
ErrorOr<u64> map_get_next_id(union bpf_attr const&, u64);
ErrorOr<u64> btf_get_next_id(union bpf_attr const&, u64);
ErrorOr<u64> link_get_next_id(union bpf_attr const&, u64);
ErrorOr<u64> prog_get_fd_by_id(union bpf_attr const&, u64);
ErrorOr<u64> map_get_fd_by_id(union bpf_attr const&, u64);
ErrorOr<u64> btf_get_fd_by_id(union bpf_attr const&, u64);
ErrorOr<u64> link_get_fd_by_id(union bpf_attr const&, u64);
ErrorOr<u64> obj_get_info_by_fd(union bpf_attr const&, u64);
ErrorOr<u64> btf_load(union bpf_attr const&, u64);
ErrorOr<u64> raw_tracepoint_open(union bpf_attr const&, u64);
ErrorOr<u64> link_create(union bpf_attr const&, u64);
ErrorOr<u64> link_update(union bpf_attr const&, u64);
ErrorOr<u64> link_detach(union bpf_attr const&, u64);
ErrorOr<u64> enable_stats(union bpf_attr const&, u64);

}
