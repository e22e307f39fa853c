// Loads, stores and atomics (Linux's check_mem_access and friends). The base register's kind
// decides what is checked:
//   map value/key   the whole access inside the value (key), for every possible variable
//                   offset; writes need a map the program may write; NULL-checked first
//   ringbuf/memory  inside the region; never while it may be NULL
//   context         per program type (ProgramType.h), unmodified pointer only
//   stack           inside the 512-byte frame, aligned, initialized for reads (CheckStack.cpp)
//   packet          inside the range proven by comparisons with the packet end
// anything else (scalars, map pointers, packet end, functions, maybe-NULL pointers) cannot be
// dereferenced.
#include "bpf/maps/ArrayMap.h"
#include "bpf/verifier/TracepointRegistry.h"
#include "bpf/verifier/VerifierEnv.h"
#include "klib/CString.h"

namespace bpf::verifier {

using namespace isa;

namespace {

u32 access_bytes(Op op)
{
    switch (op) {
    case Op::LdxB: case Op::LdxsB: case Op::StB: case Op::StxB: case Op::LoadAcquireB: case Op::StoreReleaseB:
        return 1;
    case Op::LdxH: case Op::LdxsH: case Op::StH: case Op::StxH: case Op::LoadAcquireH: case Op::StoreReleaseH:
        return 2;
    case Op::LdxW: case Op::LdxsW: case Op::StW: case Op::StxW: case Op::LoadAcquireW: case Op::StoreReleaseW:
    case Op::AtomicAdd32: case Op::AtomicAddFetch32: case Op::AtomicOr32: case Op::AtomicOrFetch32: case Op::AtomicAnd32:
    case Op::AtomicAndFetch32: case Op::AtomicXor32: case Op::AtomicXorFetch32: case Op::AtomicXchg32: case Op::AtomicCmpxchg32:
        return 4;
    default:
        return 8;
    }
}

bool map_rdonly_frozen(MapDescriptor const& map) { return (map.flags() & BPF_F_RDONLY_PROG) && map.is_frozen() && map.object(); }

}

ErrorOr<void> VerifierEnv::record_ptr_type(RegType type)
{
    InsnAux& aux = m_aux[m_insn_idx];
    if (aux.ptr_type == RegType::NotInit) {
        aux.ptr_type = type;
        return {};
    }
    // Context accesses are rewritten per instruction, so one instruction must not access
    // the context on one path and something else on another.
    if (type != aux.ptr_type && (type == RegType::PtrToCtx || aux.ptr_type == RegType::PtrToCtx))
        return reject(EINVAL, "same insn cannot be used with different pointers\n");
    if (type != aux.ptr_type)
        aux.ptr_type_mixed = true;
    return {};
}

ErrorOr<void> VerifierEnv::check_load(Instruction const& insn)
{
    bool acquire = insn.op >= Op::LoadAcquireB && insn.op <= Op::LoadAcquireDW;
    bool is_ldsx = insn.op >= Op::LdxsB && insn.op <= Op::LdxsW;
    TRY(check_reg_read(insn.src));
    TRY(check_reg_write(insn.dst));
    RegType src_type = regs()[insn.src].type;
    TRY(check_mem_access(insn.src, insn.offset, access_bytes(insn.op), AccessType::Read, insn.dst, is_ldsx, acquire));
    TRY(record_ptr_type(src_type));
    if (acquire && (src_type == RegType::PtrToCtx || regs()[insn.src].is_packet_pointer()))
        return reject(EACCES, "BPF_ATOMIC loads from R%u %s is not allowed\n", insn.src, reg_type_name(src_type, 0));
    return {};
}

ErrorOr<void> VerifierEnv::check_store(Instruction const& insn)
{
    bool release = insn.op >= Op::StoreReleaseB && insn.op <= Op::StoreReleaseDW;
    bool from_reg = (insn.op >= Op::StxB && insn.op <= Op::StxDW) || release;
    if (from_reg)
        TRY(check_reg_read(insn.src));
    TRY(check_reg_read(insn.dst));
    RegType dst_type = regs()[insn.dst].type;
    TRY(check_mem_access(insn.dst, insn.offset, access_bytes(insn.op), AccessType::Write, from_reg ? static_cast<i32>(insn.src) : -1, false,
        release));
    TRY(record_ptr_type(dst_type));
    if (release && (dst_type == RegType::PtrToCtx || regs()[insn.dst].is_packet_pointer()))
        return reject(EACCES, "BPF_ATOMIC stores into R%u %s is not allowed\n", insn.dst, reg_type_name(dst_type, 0));
    return {};
}

ErrorOr<void> VerifierEnv::check_atomic(Instruction const& insn)
{
    Op op = insn.op;
    bool cmpxchg = op == Op::AtomicCmpxchg32 || op == Op::AtomicCmpxchg64;
    bool xchg = op == Op::AtomicXchg32 || op == Op::AtomicXchg64;
    bool fetch = cmpxchg || xchg || ((static_cast<u32>(op) - static_cast<u32>(Op::AtomicAdd32)) % 4) >= 2;
    u32 size = access_bytes(op);
    TRY(check_reg_read(insn.src));
    TRY(check_reg_read(insn.dst));
    if (cmpxchg) {
        TRY(check_reg_read(0));
        if (is_pointer_value(regs()[0]))
            return reject(EACCES, "R0 leaks addr into mem\n");
    }
    if (is_pointer_value(regs()[insn.src]))
        return reject(EACCES, "R%u leaks addr into mem\n", insn.src);
    RegisterState const& base = regs()[insn.dst];
    if (base.type == RegType::PtrToCtx || base.is_packet_pointer())
        return reject(EACCES, "BPF_ATOMIC stores into R%u %s is not allowed\n", insn.dst, reg_type_name(base.type, base.flags));
    RegType dst_type = base.type;
    i32 load_reg = -1;
    if (fetch) {
        load_reg = cmpxchg ? 0 : static_cast<i32>(insn.src);
        TRY(check_reg_write(static_cast<u32>(load_reg)));
        mark_reg_unknown(regs()[load_reg]);
    }
    TRY(check_mem_access(insn.dst, insn.offset, size, AccessType::Read, -1, false, true));
    if (load_reg >= 0)
        TRY(check_mem_access(insn.dst, insn.offset, size, AccessType::Read, load_reg, false, true));
    TRY(check_mem_access(insn.dst, insn.offset, size, AccessType::Write, -1, false, true));
    TRY(record_ptr_type(dst_type));
    return {};
}

ErrorOr<void> VerifierEnv::check_ptr_off_reg(RegisterState const& reg, u32 regno, bool fixed_off_ok)
{
    if (reg.off < 0)
        return reject(EACCES, "negative offset %s ptr R%u off=%d disallowed\n", reg_type_name(reg.type, reg.flags), regno, reg.off);
    if (!fixed_off_ok && reg.off)
        return reject(EACCES, "dereference of modified %s ptr R%u off=%d disallowed\n", reg_type_name(reg.type, reg.flags), regno, reg.off);
    if (!reg.var_off.is_const() || reg.var_off.value) {
        char buffer[48];
        reg.var_off.format(buffer, sizeof(buffer));
        return reject(EACCES, "variable %s access var_off=%s disallowed\n", reg_type_name(reg.type, reg.flags), buffer);
    }
    return {};
}

namespace {

bool access_within(i64 off, i64 size, u64 mem_size, bool zero_size_allowed)
{
    bool size_ok = size > 0 || (size == 0 && zero_size_allowed);
    return off >= 0 && size_ok && static_cast<u64>(off) + static_cast<u64>(size) <= mem_size;
}

}

ErrorOr<void> VerifierEnv::check_mem_region_access(u32 regno, i32 off, u32 size, u32 mem_size, bool zero_size_allowed, char const* kind)
{
    RegisterState const& reg = regs()[regno];
    auto describe = [&](i64 at) {
        switch (reg.type) {
        case RegType::PtrToMapKey:
            verbose("invalid access to map key, key_size=%u off=%lld size=%u\n", mem_size, static_cast<long long>(at), size);
            break;
        case RegType::PtrToMapValue:
            verbose("invalid access to map value, value_size=%u off=%lld size=%u\n", mem_size, static_cast<long long>(at), size);
            break;
        default:
            verbose("invalid access to memory, mem_size=%u off=%lld size=%u\n", mem_size, static_cast<long long>(at), size);
            break;
        }
    };
    (void)kind;
    if (reg.smin < 0
        && (reg.smin == INT64_MIN || static_cast<i64>(off) + reg.smin != static_cast<i64>(static_cast<i32>(off + reg.smin)) || reg.smin + off < 0))
        return reject(EACCES, "R%u min value is negative, either use unsigned index or do a if (index >=0) check.\n", regno);
    if (!access_within(reg.smin + off, size, mem_size, zero_size_allowed)) {
        describe(reg.smin + off);
        return reject(EACCES, "R%u min value is outside of the allowed memory range\n", regno);
    }
    if (reg.umax >= static_cast<u64>(max_var_off))
        return reject(EACCES, "R%u unbounded memory access, make sure to bounds check any such access\n", regno);
    if (!access_within(static_cast<i64>(reg.umax) + off, size, mem_size, zero_size_allowed)) {
        describe(static_cast<i64>(reg.umax) + off);
        return reject(EACCES, "R%u max value is outside of the allowed memory range\n", regno);
    }
    return {};
}

ErrorOr<void> VerifierEnv::check_map_access(u32 regno, i32 off, u32 size, bool zero_size_allowed, u32 value_size, char const* kind)
{
    return check_mem_region_access(regno, off, size, value_size, zero_size_allowed, kind);
}

ErrorOr<void> VerifierEnv::check_packet_access(u32 regno, i32 off, u32 size, bool zero_size_allowed)
{
    RegisterState const& reg = regs()[regno];
    if (reg.smin < 0)
        return reject(EACCES, "R%u min value is negative, either use unsigned index or do a if (index >=0) check.\n", regno);
    if (reg.range < 0 || !access_within(off, size, static_cast<u64>(reg.range), zero_size_allowed)) {
        if (reg.range >= 0)
            verbose("invalid access to packet, off=%d size=%u, R%u(id=%u,off=%d,r=%d)\n", off, size, regno, reg.id, off, reg.range);
        return reject(reg.range < 0 ? EINVAL : EACCES, "R%u offset is outside of the packet\n", regno);
    }
    return {};
}

ErrorOr<void> VerifierEnv::check_ctx_access(u32 regno, i32 off, u32 size, AccessType type, i32 value_regno, bool is_ldsx)
{
    RegisterState const& reg = regs()[regno];
    if (type == AccessType::Write && value_regno >= 0 && is_pointer_value(regs()[value_regno]))
        return reject(EACCES, "R%d leaks addr into ctx\n", value_regno);
    TRY(check_ptr_off_reg(reg, regno, false));
    ContextAccess access;
    bool valid = m_ops->is_valid_access(off, size, type, is_ldsx, access);
    if (valid && m_ops->type == BPF_PROG_TYPE_TRACEPOINT && m_request.tracepoint_id) {
        TracepointInfo info;
        if (find_tracepoint(m_request.tracepoint_id, info) && static_cast<u64>(off) + size > info.record_size)
            valid = false;
    }
    if (!valid)
        return reject(EACCES, "invalid bpf_context access off=%d size=%u\n", off, size);
    m_aux[m_insn_idx].ctx_field_size = access.field_size;
    m_max_ctx_offset = max(m_max_ctx_offset, static_cast<u32>(off) + size);
    if (type == AccessType::Read && value_regno >= 0) {
        RegisterState& dst = regs()[value_regno];
        if (access.result == RegType::Scalar) {
            mark_reg_unknown(dst);
        } else {
            dst = RegisterState::pointer(access.result);
        }
    }
    return {};
}

ErrorOr<void> VerifierEnv::check_mem_access(u32 regno, i32 off, u32 size, AccessType type, i32 value_regno, bool is_ldsx, bool strict_alignment)
{
    RegisterState* r = regs();
    RegisterState& reg = r[regno];

    // Alignment: stack always (spill tracking relies on it), others for atomics.
    bool strict = strict_alignment || reg.type == RegType::PtrToStack;
    if (strict && size > 1) {
        char const* desc = "";
        i64 extra = 0;
        switch (reg.type) {
        case RegType::PtrToPacket:
        case RegType::PtrToPacketMeta:
            extra = 2; // NET_IP_ALIGN, as Linux checks in strict mode
            break;
        case RegType::PtrToMapKey:
            desc = "key ";
            break;
        case RegType::PtrToMapValue:
            desc = "value ";
            break;
        case RegType::PtrToCtx:
            desc = "context ";
            break;
        case RegType::PtrToStack:
            desc = "stack ";
            break;
        default:
            break;
        }
        Tnum full = tnum_add(reg.var_off, Tnum::constant(static_cast<u64>(extra + reg.off + off)));
        if (!full.is_aligned(size)) {
            char buffer[48];
            reg.var_off.format(buffer, sizeof(buffer));
            if (extra)
                return reject(EACCES, "misaligned packet access off %lld+%s+%d+%d size %u\n", static_cast<long long>(extra), buffer, reg.off, off, size);
            return reject(EACCES, "misaligned %saccess off %s+%d+%d size %u\n", desc, buffer, reg.off, off, size);
        }
    }

    off += reg.off;
    switch (reg.type) {
    case RegType::PtrToMapKey:
        if (type == AccessType::Write)
            return reject(EACCES, "write to change key R%u not allowed\n", regno);
        TRY(check_mem_region_access(regno, off, size, reg.map->key_size(), false, "key"));
        if (value_regno >= 0)
            mark_reg_unknown(r[value_regno]);
        break;
    case RegType::PtrToMapValue: {
        if (reg.maybe_null())
            return reject(EACCES, "R%u invalid mem access '%s'\n", regno, reg_type_name(reg.type, reg.flags));
        MapDescriptor const& map = *reg.map;
        if (type == AccessType::Write && value_regno >= 0 && is_pointer_value(r[value_regno]))
            return reject(EACCES, "R%d leaks addr into map\n", value_regno);
        if (type == AccessType::Write && (map.flags() & BPF_F_RDONLY_PROG))
            return reject(EACCES, "write into map forbidden, value_size=%u off=%d size=%u\n", map.value_size(), off, size);
        if (type == AccessType::Read && (map.flags() & BPF_F_WRONLY_PROG))
            return reject(EACCES, "read from map forbidden, value_size=%u off=%d size=%u\n", map.value_size(), off, size);
        TRY(check_map_access(regno, off, size, false, map.value_size(), "value"));
        if (type == AccessType::Read && value_regno >= 0) {
            if (reg.var_off.is_const() && map_rdonly_frozen(map) && map.type() == BPF_MAP_TYPE_ARRAY && map.max_entries() == 1) {
                // A frozen read-only map: the program reads constants (bpf_map_direct_read).
                u64 map_off = static_cast<u64>(off) + reg.var_off.value;
                u8 const* base = static_cast<ArrayMap const&>(*map.object()).element(0) + map_off;
                u64 value = 0;
                memcpy(&value, base, size);
                if (is_ldsx) {
                    if (size == 1)
                        value = static_cast<u64>(static_cast<i64>(static_cast<i8>(value)));
                    else if (size == 2)
                        value = static_cast<u64>(static_cast<i64>(static_cast<i16>(value)));
                    else if (size == 4)
                        value = static_cast<u64>(static_cast<i64>(static_cast<i32>(value)));
                }
                r[value_regno] = RegisterState::known_scalar(value);
            } else {
                mark_reg_unknown(r[value_regno]);
            }
        }
        break;
    }
    case RegType::PtrToMem: {
        if (reg.maybe_null())
            return reject(EACCES, "R%u invalid mem access '%s'\n", regno, reg_type_name(reg.type, reg.flags));
        bool rdonly = reg.flags & reg_flag_rdonly;
        if (type == AccessType::Write && rdonly)
            return reject(EACCES, "R%u cannot write into %s\n", regno, reg_type_name(reg.type, reg.flags));
        if (type == AccessType::Write && value_regno >= 0 && is_pointer_value(r[value_regno]))
            return reject(EACCES, "R%d leaks addr into mem\n", value_regno);
        TRY(check_mem_region_access(regno, off, size, static_cast<u32>(reg.range), false, "mem"));
        if (value_regno >= 0 && (type == AccessType::Read || rdonly))
            mark_reg_unknown(r[value_regno]);
        break;
    }
    case RegType::PtrToCtx:
        TRY(check_ctx_access(regno, off, size, type, value_regno, is_ldsx));
        break;
    case RegType::PtrToStack:
        TRY(check_stack_access_within_bounds(regno, off, size, type));
        if (type == AccessType::Read)
            TRY(check_stack_read(regno, off, size, value_regno));
        else
            TRY(check_stack_write(regno, off, size, value_regno));
        break;
    case RegType::PtrToPacket:
    case RegType::PtrToPacketMeta:
        if (type == AccessType::Write && !m_ops->packet_writable)
            return reject(EACCES, "cannot write into packet\n");
        if (type == AccessType::Write && value_regno >= 0 && is_pointer_value(r[value_regno]))
            return reject(EACCES, "R%d leaks addr into packet\n", value_regno);
        TRY(check_packet_access(regno, off, size, false));
        if (type == AccessType::Read && value_regno >= 0)
            mark_reg_unknown(r[value_regno]);
        break;
    default:
        return reject(EACCES, "R%u invalid mem access '%s'\n", regno, reg_type_name(reg.type, reg.flags));
    }

    if (size < 8 && value_regno >= 0 && type == AccessType::Read && r[value_regno].type == RegType::Scalar) {
        if (is_ldsx)
            r[value_regno].sign_extend_from(static_cast<u8>(size));
        else
            r[value_regno].truncate_to(static_cast<u8>(size));
    }
    return {};
}

ErrorOr<void> VerifierEnv::check_ld_imm64(Instruction const& insn)
{
    TRY(check_reg_write(insn.dst));
    RegisterState& dst = regs()[insn.dst];
    isa::RawInstruction const& raw = m_raw[m_insn_idx];
    switch (insn.pseudo) {
    case isa::encoding::pseudo_none: {
        u64 value = static_cast<u64>(static_cast<u32>(raw.imm)) | static_cast<u64>(static_cast<u32>(m_raw[m_insn_idx + 1].imm)) << 32;
        dst = RegisterState::known_scalar(value);
        return {};
    }
    case isa::encoding::pseudo_func: {
        u32 target = static_cast<u32>(static_cast<i64>(m_insn_idx) + raw.imm + 1);
        u32 subprog = find_subprog(target);
        if (subprog == ~0u)
            return reject(EFAULT, "verifier bug: function reference at %u is not a subprogram\n", m_insn_idx);
        dst = RegisterState::pointer(RegType::PtrToFunc);
        dst.range = static_cast<i32>(subprog);
        return {};
    }
    case isa::encoding::pseudo_map_fd:
    case isa::encoding::pseudo_map_idx: {
        InsnAux const& aux = m_aux[m_insn_idx];
        dst = RegisterState::pointer(RegType::ConstPtrToMap);
        dst.map = m_map_descriptors[static_cast<u32>(aux.map_index)].ptr();
        return {};
    }
    case isa::encoding::pseudo_map_value:
    case isa::encoding::pseudo_map_idx_value: {
        InsnAux const& aux = m_aux[m_insn_idx];
        dst = RegisterState::pointer(RegType::PtrToMapValue);
        dst.map = m_map_descriptors[static_cast<u32>(aux.map_index)].ptr();
        dst.off = m_raw[m_insn_idx + 1].imm;
        return {};
    }
    default:
        return reject(EINVAL, "unrecognized bpf_ld_imm64 insn\n");
    }
}

ErrorOr<void> VerifierEnv::check_ld_abs(Instruction const& insn)
{
    if (!m_ops->allows_ld_abs)
        return reject(EINVAL, "BPF_LD_[ABS|IND] instructions not allowed for this program type\n");
    TRY(check_reg_read(6));
    if (!m_cur->refs.is_empty())
        return reject(EINVAL, "BPF_LD_[ABS|IND] would lead to reference leak\n");
    if (regs()[6].type != RegType::PtrToCtx)
        return reject(EINVAL, "at the time of BPF_LD_ABS|IND R6 != pointer to skb\n");
    if (insn.op >= Op::LdIndB)
        TRY(check_reg_read(insn.src));
    TRY(check_ptr_off_reg(regs()[6], 6, false));
    for (u32 r = 1; r <= 5; ++r) {
        mark_reg_not_init(regs()[r]);
        mark_scratched(r);
    }
    mark_reg_unknown(regs()[0]);
    mark_scratched(0);
    return {};
}

}
