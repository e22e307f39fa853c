// BPF_PROG_LOAD (Linux 6.1's bpf_prog_load + the parts of bpf_check that are about the
// syscall): attr checks in Linux's order (flags, privileges (Privileges.h), license, instruction count, attach target,
// instructions, program type, name), then the BTF func/line info, the verifier
// (kernel/bpf/verifier, which also resolves the map references through ProgramMaps), and
// finally the executable bpf::Program linked from the verifier's xlated instructions with the
// type's helper table, plus the tag, the xlated dump, and a new id and fd. The verifier log
// (log_level/log_size/log_buf) is written back whenever Linux writes it.
#include "bpf/isa/Decoder.h"
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/BpfFiles.h"
#include "bpf/syscall/Commands.h"
#include "bpf/syscall/Privileges.h"
#include "bpf/syscall/KernelBuffer.h"
#include "bpf/syscall/ProgramContexts.h"
#include "bpf/syscall/ProgramTag.h"
#include "bpf/syscall/ProgramTypes.h"
#include "bpf/syscall/UserLog.h"
#include "bpf/syscall/Verification.h"
#include "bpf/syscall/ProgramBtfInfo.h"
#include "mm/PhysicalMemory.h"
#include "proc/Process.h"
#include "time/Clock.h"

namespace bpf::kernel {

namespace {

constexpr u32 allowed_flags = BPF_F_STRICT_ALIGNMENT | BPF_F_ANY_ALIGNMENT | BPF_F_TEST_STATE_FREQ | BPF_F_SLEEPABLE
    | BPF_F_TEST_RND_HI32 | BPF_F_XDP_HAS_FRAGS;
constexpr u32 max_instructions = 1000000; // BPF_COMPLEXITY_LIMIT_INSNS
constexpr u32 max_unprivileged_instructions = 4096; // BPF_MAXINSNS

// strncpy_from_user(license, attr->license, 127): stops at the NUL or after 127 bytes.
ErrorOr<void> copy_license(u64 user_license, char (&license)[128])
{
    memset(license, 0, sizeof(license));
    usize copied = 0;
    while (copied < sizeof(license) - 1) {
        u64 address = user_license + copied;
        usize chunk = min<usize>(PAGE_SIZE - (address & (PAGE_SIZE - 1)), sizeof(license) - 1 - copied);
        TRY(copy_from_user(license + copied, address, chunk));
        for (usize i = 0; i < chunk; ++i)
            if (license[copied + i] == '\0')
                return {};
        copied += chunk;
    }
    license[sizeof(license) - 1] = '\0';
    return {};
}

// license_is_gpl_compatible()
bool is_gpl_compatible(char const* license)
{
    for (char const* name : { "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL" })
        if (!strcmp(license, name))
            return true;
    return false;
}

// LD_ABS/LD_IND for socket filters: bytes of the packet the SkbContext describes.
bool load_skb_packet(u64 context, u32 offset, u32 size, void* out)
{
    auto const* skb = reinterpret_cast<SkbContext const*>(context);
    u64 length = skb->data_end - skb->data;
    if (offset > length || size > length - offset)
        return false;
    memcpy(out, reinterpret_cast<void const*>(skb->data + offset), size);
    return true;
}

struct LoadRequest {
    u32 type;
    u32 expected_attach_type;
    bool gpl;
    KernelBuffer instructions;
    char name[BPF_OBJ_NAME_LEN];
};

// Everything of bpf_check() after the log is set up: returns the program object.
ErrorOr<RefPtr<ProgramObject>> verify_and_build(union bpf_attr const& attr, u64 user_attr, LoadRequest& request, VerifierLog& log)
{
    Span<isa::RawInstruction const> instructions(reinterpret_cast<isa::RawInstruction const*>(request.instructions.data()), attr.insn_cnt);
    auto subprograms = TRY(subprogram_starts(instructions));
    auto btf_info = TRY(check_program_btf_info(attr, user_attr, instructions, subprograms.span(), log));
    if (attr.core_relo_cnt && (attr.func_info_cnt || attr.line_info_cnt)) {
        log.printf("CO-RE relocations in the kernel are not supported\n");
        return Error(EINVAL);
    }

    ProgramMaps maps;
    VerificationRequest verification;
    verification.program_type = request.type;
    verification.expected_attach_type = request.expected_attach_type;
    verification.gpl_compatible = request.gpl;
    verification.instructions = instructions;
    verification.fd_array = attr.fd_array;
    verification.maps = &maps;
    auto verified = TRY(verify_program(verification, log));

    isa::ExecutionEnvironment environment;
    environment.helpers = program_helper_table(request.type);
    environment.helper_count = helper_table_size();
    environment.load_packet = request.type == BPF_PROG_TYPE_SOCKET_FILTER ? load_skb_packet : nullptr;
    isa::Diagnostic diag;
    auto program = verifier::link_verified_program(verified, environment, &diag);
    if (program.is_error()) {
        log.printf("%s\n", diag.message());
        return program.release_error();
    }
    auto objects = TRY(maps.objects_in_order(verified.used_maps.span()));
    // bpf_check_tail_call(): every PROG_ARRAY the program uses must belong to its type.
    for (auto& map : objects)
        if (map->map().type() == BPF_MAP_TYPE_PROG_ARRAY && !map->claim_owner(request.type))
            return Error(EINVAL);

    ProgramInfo info;
    info.type = request.type;
    info.expected_attach_type = request.expected_attach_type;
    info.flags = attr.prog_flags;
    memcpy(info.name, request.name, sizeof(info.name));
    TRY(program_tag(instructions, info.tag));
    info.gpl_compatible = request.gpl;
    info.load_time_ns = clock_boottime_ns();
    info.created_by_uid = Process::current().credentials().uid;
    info.verified_insns = verified.stats.insn_processed;
    info.max_context_offset = verified.max_ctx_offset;
    info.xlated = TRY(maps.xlated_dump(verified.xlated.span()));
    info.maps = move(objects);
    info.btf = move(btf_info.btf);
    info.func_info = move(btf_info.func_info);
    info.line_info = move(btf_info.line_info);
    return ProgramObject::create(program.release_value(), move(info));
}

}

ErrorOr<u64> prog_load(union bpf_attr const& attr, u64 user_attr)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(core_relo_rec_size)))
        return Error(EINVAL);
    if (attr.prog_flags & ~allowed_flags)
        return Error(EINVAL);
    TRY(check_may_create_objects());
    char license[128];
    TRY(copy_license(attr.license, license));
    LoadRequest request {};
    request.gpl = is_gpl_compatible(license);
    if (attr.insn_cnt == 0 || attr.insn_cnt > (bpf_capable() ? max_instructions : max_unprivileged_instructions))
        return Error(E2BIG);
    TRY(check_may_load_program_type(attr.prog_type));

    if (attr.attach_prog_fd) {
        // A target program (fentry/freplace) or a kernel BTF object: neither is supported.
        if (program_from_fd(static_cast<int>(attr.attach_prog_fd)).is_error()) {
            auto btf = btf_from_fd(static_cast<int>(attr.attach_btf_obj_fd));
            if (btf.is_error())
                return Error(EINVAL);
            return Error(ENOTSUPP); // user BTF, not kernel BTF
        }
        return Error(EINVAL);
    }
    if (attr.attach_btf_id)
        return Error(EINVAL); // no vmlinux BTF to attach by id

    // bpf_prog_load_check_attach() has nothing to refuse for the types this kernel has.
    request.type = attr.prog_type;
    request.expected_attach_type = attr.expected_attach_type;

    request.instructions = TRY(KernelBuffer::copy_from(attr.insns, static_cast<usize>(attr.insn_cnt) * sizeof(isa::RawInstruction)));
    if (!program_type_info(request.type))
        return Error(EINVAL);
    TRY(copy_object_name(request.name, attr.prog_name));

    auto log = TRY(make_user_log(attr.log_level, attr.log_buf, attr.log_size));
    auto object = verify_and_build(attr, user_attr, request, log);
    if (object.is_error()) {
        TRY(write_user_log(log, attr.log_buf));
        return object.release_error();
    }
    TRY(finish_user_log(log, attr.log_buf));
    return TRY(install_program_fd(object.release_value()));
}

}
