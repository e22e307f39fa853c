// verify(): the phases in Linux's order, the initial state, the combined stack depth check,
// the statistics and the result.
#include "bpf/helpers/HelperProto.h"
#include "bpf/verifier/VerifierEnv.h"
#include "klib/CString.h"

namespace bpf::verifier {

using namespace isa;

VerifierEnv::VerifierEnv(VerifyRequest const& request, VerifierLog& log)
    : m_request(request)
    , m_log(log)
{
}

VerifierEnv::~VerifierEnv() = default;

Error VerifierEnv::reject(int error, char const* fmt, ...)
{
    if (m_log.level()) {
        va_list args;
        va_start(args, fmt);
        m_log.vprintf(fmt, args);
        va_end(args);
    }
    return Error(error);
}

void VerifierEnv::verbose(char const* fmt, ...)
{
    if (!m_log.level())
        return;
    va_list args;
    va_start(args, fmt);
    m_log.vprintf(fmt, args);
    va_end(args);
}

ErrorOr<void> VerifierEnv::do_check_main()
{
    m_cur = TRY(try_make<VerifierState>());
    m_cur->frames[0] = TRY(try_make<FrameState>());
    FrameState& frame = *m_cur->frames[0];
    frame.callsite = -1;
    frame.regs[1] = RegisterState::pointer(RegType::PtrToCtx);
    frame.regs[frame_pointer] = RegisterState::pointer(RegType::PtrToStack);
    m_insn_idx = 0;
    m_prev_insn_idx = 0;
    TRY(m_explored.try_resize(m_insns.size()));
    auto result = do_check();
    if (!result.is_error() && !m_log.level2())
        m_log.reset(0);
    return result;
}

ErrorOr<void> VerifierEnv::check_max_stack_depth()
{
    auto round = [](u32 depth) { return static_cast<u32>(align_up(depth, 16)); };
    u32 ret_insn[max_frames];
    u32 ret_prog[max_frames];
    u32 index = 0, frame = 0, depth = 0;
    u32 i = m_subprogs[0].start;
process:
    depth += round(m_subprogs[index].stack_depth);
    if (depth > stack_bytes)
        return reject(EACCES, "combined stack size of %u calls is %u. Too large\n", frame + 1, depth);
continue_func:
    for (; i < m_subprogs[index].end; ++i) {
        RawInstruction const& raw = m_raw[i];
        bool call = raw.opcode == (encoding::class_jmp | encoding::jmp_call) && raw.src == encoding::call_pseudo;
        bool func = raw.opcode == encoding::lddw_opcode && raw.src == encoding::pseudo_func;
        if (!call && !func)
            continue;
        ret_insn[frame] = i + 1;
        ret_prog[frame] = index;
        u32 next = static_cast<u32>(static_cast<i64>(i) + raw.imm + 1);
        u32 callee = find_subprog(next);
        if (callee == ~0u)
            return reject(EFAULT, "verifier bug: callee not found at insn %u\n", next);
        i = next;
        index = callee;
        ++frame;
        if (frame >= max_frames)
            return reject(E2BIG, "the call stack of %u frames is too deep !\n", frame);
        goto process;
    }
    if (frame == 0)
        return {};
    depth -= round(m_subprogs[index].stack_depth);
    --frame;
    i = ret_insn[frame];
    index = ret_prog[frame];
    goto continue_func;
}

ErrorOr<VerifiedProgram> VerifierEnv::build_result()
{
    VerifiedProgram result;
    TRY(convert_ctx_accesses(result.xlated));
    for (auto& map : m_used_maps)
        TRY(result.used_maps.try_append(map));
    for (auto const& sub : m_subprogs)
        TRY(result.subprog_stack_depth.try_append(sub.stack_depth));
    result.max_ctx_offset = m_max_ctx_offset;
    result.has_tail_call = m_has_tail_call;
    result.stats = m_stats;
    return result;
}

namespace {

void print_live_regs(VerifierEnv& env)
{
    env.verbose("Live regs before insn:\n");
    for (u32 i = 0; i < env.m_insns.size(); ++i) {
        if (i > 0 && env.m_raw[i - 1].opcode == encoding::lddw_opcode && !(i > 1 && env.m_raw[i - 2].opcode == encoding::lddw_opcode))
            continue;
        LiveSet const& live = env.m_liveness.at(i);
        char regs[12];
        for (u32 r = 0; r < 10; ++r)
            regs[r] = (live.live_regs & (1u << r)) ? static_cast<char>('0' + r) : '.';
        regs[10] = '\0';
        env.verbose("%7u: %s ", i, regs);
        env.print_insn(i);
        env.verbose("\n");
    }
}

}

ErrorOr<VerifiedProgram> VerifierEnv::run()
{
    u64 start = m_request.clock_ns ? m_request.clock_ns() : 0;
    register_default_program_types();
    m_ops = program_type_ops(m_request.prog_type);
    auto finish = [&](ErrorOr<void> status) -> ErrorOr<VerifiedProgram> {
        m_stats.verification_ns = m_request.clock_ns ? m_request.clock_ns() - start : 0;
        if (m_log.stats()) {
            verbose("verification time %llu usec\n", static_cast<unsigned long long>(m_stats.verification_ns / 1000));
            verbose("stack depth ");
            for (usize s = 0; s < m_subprogs.size(); ++s)
                verbose(s + 1 < m_subprogs.size() ? "%u+" : "%u", m_subprogs[s].stack_depth);
            if (m_subprogs.is_empty())
                verbose("0");
            verbose("\n");
        }
        verbose("processed %u insns (limit %u) max_states_per_insn %u total_states %u peak_states %u mark_read %u\n", m_stats.insn_processed,
            max_processed_insns, m_stats.max_states_per_insn, m_stats.total_states, m_stats.peak_states, m_stats.mark_read);
        auto log_status = m_log.finalize();
        if (status.is_error())
            return status.release_error();
        if (log_status.is_error())
            return log_status.release_error();
        return build_result();
    };

    if (!m_ops)
        return finish(reject(EINVAL, "unknown program type %u\n", m_request.prog_type));
    if (m_request.instructions.is_empty())
        return finish(Error(E2BIG));
    if (m_request.instructions.size() > max_processed_insns)
        return finish(reject(E2BIG, "BPF program is too large (%zu insns)\n", m_request.instructions.size()));
    auto status = [&]() -> ErrorOr<void> {
        TRY(m_raw.try_append(m_request.instructions.data(), m_request.instructions.size()));
        TRY(m_aux.try_resize(m_raw.size()));
        TRY(check_raw_structure());
        if (m_log.level2()) {
            for (u32 s = 0; s < m_subprogs.size(); ++s)
                verbose("func#%u @%u\n", s, m_subprogs[s].start);
        }
        TRY(check_subprogs());
        TRY(decode_program());
        TRY(resolve_map_references());
        TRY(check_cfg());
        Vector<u32> starts;
        for (auto const& sub : m_subprogs)
            TRY(starts.try_append(sub.start));
        Vector<i32> lddw_maps;
        Vector<u32> key_sizes;
        for (auto const& aux : m_aux)
            TRY(lddw_maps.try_append(aux.map_index));
        for (auto const& descriptor : m_map_descriptors)
            TRY(key_sizes.try_append(descriptor->key_size()));
        TRY(m_liveness.compute(m_insns.span(), starts.span(), m_ops->has_return_range, lddw_maps.span(), key_sizes.span()));
        if (m_log.level2())
            print_live_regs(*this);
        TRY(do_check_main());
        TRY(check_max_stack_depth());
        return {};
    }();
    return finish(move(status));
}

ErrorOr<VerifiedProgram> verify(VerifyRequest const& request, VerifierLog& log)
{
    auto env = TRY(try_make<VerifierEnv>(request, log));
    return env->run();
}

bool license_is_gpl_compatible(StringView license)
{
    return license == "GPL" || license == "GPL v2" || license == "GPL and additional rights" || license == "Dual BSD/GPL"
        || license == "Dual MIT/GPL" || license == "Dual MPL/GPL";
}

}
