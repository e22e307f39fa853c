// BPF_BTF_LOAD (Linux's bpf_btf_load → btf_new_fd → btf_parse): copies the blob (at most
// 16 MiB, E2BIG above), validates it (Btf.cpp) and returns a BTF fd. With a log
// (btf_log_level/btf_log_size/btf_log_buf, checked like the verifier's) the header, every type
// and the reason for a rejection are written to the user's buffer; a log that overflows turns
// a success into ENOSPC, as on Linux.
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/BpfFiles.h"
#include "bpf/syscall/Commands.h"
#include "bpf/syscall/Privileges.h"
#include "bpf/syscall/KernelBuffer.h"
#include "bpf/syscall/UserLog.h"

namespace bpf::kernel {

ErrorOr<u64> btf_load(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(btf_log_level)))
        return Error(EINVAL);
    TRY(check_bpf_capable());
    auto log = TRY(make_user_log(attr.btf_log_level, attr.btf_log_buf, attr.btf_log_size));
    if (attr.btf_size > Btf::max_size)
        return Error(E2BIG);
    auto data = TRY(KernelBuffer::copy_from(attr.btf, attr.btf_size));
    auto parsed = Btf::parse(Span<u8 const>(data.data(), data.size()), log);
    if (parsed.is_error()) {
        TRY(write_user_log(log, attr.btf_log_buf));
        return parsed.release_error();
    }
    TRY(finish_user_log(log, attr.btf_log_buf));
    auto object = TRY(BtfObject::create(parsed.release_value()));
    return TRY(install_btf_fd(move(object)));
}

}
