// Stack accesses (Linux's check_stack_* family). Every access stays inside the frame's 512
// bytes below fp; a fixed-offset 8-byte (or, for scalars, narrower) aligned store of a
// register spills it (a later fill restores its full state); other stores make bytes Misc or
// Zero; reads need initialized bytes (unless Privileges::allow_uninit_stack); a
// variable-offset access is checked over every byte it may touch.
#include "bpf/verifier/VerifierEnv.h"

namespace bpf::verifier {

using namespace isa;

namespace {

// Byte `offset` (negative, from fp) -> slot index and byte index inside the slot.
struct SlotIndex {
    u32 spi;
    u32 byte;
};
SlotIndex slot_of(i64 offset)
{
    u64 slot = static_cast<u64>(-offset - 1);
    return { static_cast<u32>(slot / slot_size), static_cast<u32>(slot % slot_size) };
}

void mark_misc(SlotType& type)
{
    if (type == SlotType::Zero || type == SlotType::Invalid)
        return;
    type = SlotType::Misc;
}

void scrub_spilled(StackSlot& slot)
{
    if (!slot.is_spill())
        return;
    for (auto& type : slot.type) {
        if (type == SlotType::Spill)
            type = SlotType::Misc;
    }
    slot.spilled = RegisterState::not_init();
}

}

ErrorOr<void> VerifierEnv::grow_stack(FrameState& state, u32 bytes)
{
    bytes = static_cast<u32>(align_up(bytes, slot_size));
    if (bytes <= state.allocated_bytes())
        return {};
    TRY(state.grow_stack(bytes));
    SubprogInfo& sub = m_subprogs[state.subprog];
    sub.stack_depth = max(sub.stack_depth, bytes);
    return {};
}

ErrorOr<void> VerifierEnv::check_stack_access_within_bounds(u32 regno, i32 off, i64 access_size, AccessType type)
{
    RegisterState const& reg = regs()[regno];
    FrameState& state = frame_of(reg);
    char const* extra = type == AccessType::Read ? " read from" : " write to";
    i64 min_off, max_off;
    if (reg.var_off.is_const()) {
        min_off = static_cast<i64>(reg.var_off.value) + off;
        max_off = min_off + access_size;
    } else {
        if (reg.smax >= max_var_off || reg.smin <= -max_var_off)
            return reject(EACCES, "invalid unbounded variable-offset%s stack R%u\n", extra, regno);
        min_off = reg.smin + off;
        max_off = reg.smax + off + access_size;
    }
    i64 min_valid = (type == AccessType::Write || m_request.privileges.allow_uninit_stack) ? -static_cast<i64>(stack_bytes)
                                                                                           : -static_cast<i64>(state.allocated_bytes());
    int error = 0;
    if (min_off < min_valid || min_off > -1)
        error = EACCES;
    else if (max_off > 0)
        error = EINVAL;
    else if (access_size < 0)
        error = EFAULT;
    if (error) {
        if (reg.var_off.is_const())
            return reject(error, "invalid%s stack R%u off=%d size=%lld\n", extra, regno, off, static_cast<long long>(access_size));
        char buffer[48];
        reg.var_off.format(buffer, sizeof(buffer));
        return reject(error, "invalid variable-offset%s stack R%u var_off=%s off=%d size=%lld\n", extra, regno, buffer, off,
            static_cast<long long>(access_size));
    }
    return grow_stack(state, static_cast<u32>(-min_off));
}

ErrorOr<void> VerifierEnv::check_stack_read(u32 ptr_regno, i32 off, u32 size, i32 dst_regno)
{
    RegisterState const& reg = regs()[ptr_regno];
    FrameState& state = frame_of(reg);
    bool var_off = !reg.var_off.is_const();
    if (dst_regno < 0 && var_off) {
        char buffer[48];
        reg.var_off.format(buffer, sizeof(buffer));
        return reject(EACCES, "variable offset stack pointer cannot be passed into helper function; var_off=%s off=%d size=%u\n", buffer, off, size);
    }
    if (!var_off)
        return check_stack_read_fixed_off(state, off + static_cast<i32>(reg.var_off.value), size, dst_regno);
    TRY(check_stack_range_initialized(ptr_regno, off, size, false, AccessType::Read, nullptr));
    i64 min_off = regs()[ptr_regno].smin + off;
    i64 max_off = regs()[ptr_regno].smax + off;
    mark_reg_stack_read(state, min_off, max_off + size, static_cast<u32>(dst_regno));
    return {};
}

void VerifierEnv::mark_reg_stack_read(FrameState& state, i64 min_off, i64 max_off, u32 dst_regno)
{
    i64 zeros = 0;
    for (i64 i = min_off; i < max_off; ++i) {
        SlotIndex at = slot_of(i);
        mark_slot_scratched(at.spi);
        if (state.stack[at.spi].type[at.byte] != SlotType::Zero)
            break;
        ++zeros;
    }
    RegisterState& dst = regs()[dst_regno];
    if (zeros == max_off - min_off)
        dst = RegisterState::known_scalar(0);
    else
        mark_reg_unknown(dst);
}

ErrorOr<void> VerifierEnv::check_stack_read_fixed_off(FrameState& state, i32 off, u32 size, i32 dst_regno)
{
    SlotIndex at = slot_of(off);
    StackSlot& slot = state.stack[at.spi];
    mark_slot_scratched(at.spi);
    bool allow_uninit = m_request.privileges.allow_uninit_stack;
    if (slot.is_spill()) {
        u32 spill_size = 1;
        for (u32 i = slot_size - 1; i > 0 && slot.type[i - 1] == SlotType::Spill; --i)
            ++spill_size;
        if (size != slot_size || spill_size != slot_size) {
            if (slot.spilled.type != RegType::Scalar)
                return reject(EACCES, "invalid size of register fill\n");
            if (dst_regno < 0) {
                // An atomic reads every byte, not only the spilled ones.
                for (u32 i = 0; i < size; ++i) {
                    SlotType type = slot.type[(at.byte - i) % slot_size];
                    if (type == SlotType::Invalid && !allow_uninit)
                        return reject(EACCES, "invalid read from stack off %d+%u size %u\n", off, i, size);
                }
                return {};
            }
            RegisterState& dst = regs()[dst_regno];
            if (size <= spill_size && off % static_cast<i32>(slot_size) == 0) {
                if (m_request.privileges.bpf_capable && size == 4 && spill_size == 4 && slot.spilled.width() <= 32)
                    assign_scalar_id_before_mov(slot.spilled);
                dst = slot.spilled;
                if (slot.spilled.width() > size * 8)
                    dst.id = 0, dst.off = 0;
            } else {
                u32 spill_count = 0, zero_count = 0;
                for (u32 i = 0; i < size; ++i) {
                    SlotType type = slot.type[(at.byte - i) % slot_size];
                    if (type == SlotType::Spill) {
                        ++spill_count;
                        continue;
                    }
                    if (type == SlotType::Misc)
                        continue;
                    if (type == SlotType::Zero) {
                        ++zero_count;
                        continue;
                    }
                    if (type == SlotType::Invalid && allow_uninit)
                        continue;
                    return reject(EACCES, "invalid read from stack off %d+%u size %u\n", off, i, size);
                }
                if (spill_count == size && slot.spilled.var_off.equals_const(0))
                    dst = RegisterState::known_scalar(0);
                else if (zero_count == size)
                    dst = RegisterState::known_scalar(0);
                else
                    mark_reg_unknown(dst);
            }
        } else if (dst_regno >= 0) {
            regs()[dst_regno] = slot.spilled;
        } else if (is_pointer_value(slot.spilled)) {
            return reject(EACCES, "leaking pointer from stack off %d\n", off);
        }
        return {};
    }
    for (u32 i = 0; i < size; ++i) {
        SlotType type = slot.type[(at.byte - i) % slot_size];
        if (type == SlotType::Misc || type == SlotType::Zero)
            continue;
        if (type == SlotType::Invalid && allow_uninit)
            continue;
        return reject(EACCES, "invalid read from stack off %d+%u size %u\n", off, i, size);
    }
    if (dst_regno >= 0)
        mark_reg_stack_read(state, off, off + static_cast<i32>(size), static_cast<u32>(dst_regno));
    return {};
}

ErrorOr<void> VerifierEnv::check_stack_write(u32 ptr_regno, i32 off, u32 size, i32 value_regno)
{
    RegisterState const& reg = regs()[ptr_regno];
    FrameState& state = frame_of(reg);
    if (reg.var_off.is_const())
        return check_stack_write_fixed_off(state, off + static_cast<i32>(reg.var_off.value), size, value_regno);
    return check_stack_write_var_off(state, ptr_regno, off, size, value_regno);
}

ErrorOr<void> VerifierEnv::check_stack_write_fixed_off(FrameState& state, i32 off, u32 size, i32 value_regno)
{
    SlotIndex at = slot_of(off);
    StackSlot& slot = state.stack[at.spi];
    mark_slot_scratched(at.spi);
    RegisterState* value = value_regno >= 0 ? &regs()[value_regno] : nullptr;
    bool bpf_capable = m_request.privileges.bpf_capable;
    Instruction const& insn = m_insns[m_insn_idx];
    bool is_st_imm = insn.op >= Op::StB && insn.op <= Op::StDW;
    bool aligned = off % static_cast<i32>(slot_size) == 0;

    // A store over part of a spilled register turns the rest of that spill into data.
    if (size != slot_size && slot.is_spill())
        scrub_spilled(slot);

    auto save_spill = [&](RegisterState const& spilled) {
        slot.spilled = spilled;
        u32 i = slot_size;
        for (; i > slot_size - size; --i)
            slot.type[i - 1] = SlotType::Spill;
        for (; i; --i)
            mark_misc(slot.type[i - 1]);
    };

    if (value && aligned && value->type == RegType::Scalar && bpf_capable) {
        bool fits = value->width() <= size * 8;
        if (fits)
            assign_scalar_id_before_mov(*value);
        save_spill(*value);
        if (!fits)
            slot.spilled.id = 0, slot.spilled.off = 0;
    } else if (!value && aligned && is_st_imm && bpf_capable) {
        save_spill(RegisterState::known_scalar(insn.imm));
    } else if (value && value->is_pointer()) {
        if (size != slot_size)
            return reject(EACCES, "invalid size of register spill\n");
        if (&state != &cur_frame() && value->type == RegType::PtrToStack)
            return reject(EINVAL, "cannot spill pointers to stack into stack frame of the caller\n");
        save_spill(*value);
    } else {
        SlotType type = SlotType::Misc;
        if (slot.is_spill() || slot.spilled.type != RegType::NotInit)
            scrub_spilled(slot);
        slot.spilled = RegisterState::not_init();
        if ((value && value->is_known_zero()) || (!value && is_st_imm && insn.imm == 0))
            type = SlotType::Zero;
        for (u32 i = 0; i < size; ++i)
            slot.type[(at.byte - i) % slot_size] = type;
    }
    return {};
}

ErrorOr<void> VerifierEnv::check_stack_write_var_off(FrameState& state, u32 ptr_regno, i32 off, u32 size, i32 value_regno)
{
    RegisterState const& ptr = regs()[ptr_regno];
    i64 min_off = ptr.smin + off;
    i64 max_off = ptr.smax + off + size;
    RegisterState const* value = value_regno >= 0 ? &regs()[value_regno] : nullptr;
    Instruction const& insn = m_insns[m_insn_idx];
    bool is_st_imm = insn.op >= Op::StB && insn.op <= Op::StDW;
    bool writing_zero = (value && value->is_known_zero()) || (!value && is_st_imm && insn.imm == 0);
    bool allow_uninit = m_request.privileges.allow_uninit_stack;
    for (i64 i = min_off; i < max_off; ++i) {
        SlotIndex at = slot_of(i);
        StackSlot& slot = state.stack[at.spi];
        SlotType& type = slot.type[at.byte];
        mark_slot_scratched(at.spi);
        if (!m_request.privileges.perfmon_capable && type != SlotType::Misc && type != SlotType::Zero) {
            verbose("spilled ptr in range of var-offset stack write; insn %u, ptr off: %lld", m_insn_idx, static_cast<long long>(i));
            return Error(EINVAL);
        }
        if (writing_zero && type == SlotType::Spill && slot.spilled.type == RegType::Scalar && slot.spilled.var_off.equals_const(0))
            continue;
        if (type == SlotType::Invalid && !allow_uninit) {
            verbose("uninit stack in range of var-offset write prohibited for !root; insn %u, off: %lld", m_insn_idx, static_cast<long long>(i));
            return Error(EINVAL);
        }
        // Any spill this write may overlap is no longer a register.
        scrub_spilled(slot);
        SlotType new_type = (writing_zero && type == SlotType::Zero) ? SlotType::Zero : SlotType::Misc;
        type = new_type;
    }
    return {};
}

ErrorOr<void> VerifierEnv::check_stack_range_initialized(u32 regno, i32 off, i64 access_size, bool zero_size_allowed, AccessType type,
    CallArgMeta* meta)
{
    RegisterState const& reg = regs()[regno];
    FrameState& state = frame_of(reg);
    if (access_size == 0 && !zero_size_allowed)
        return reject(EACCES, "invalid zero-sized read\n");
    TRY(check_stack_access_within_bounds(regno, off, access_size, type));
    bool clobber = type == AccessType::Write;
    i64 min_off, max_off;
    if (reg.var_off.is_const()) {
        min_off = max_off = static_cast<i64>(reg.var_off.value) + off;
    } else {
        if (!m_request.privileges.perfmon_capable) {
            char buffer[48];
            reg.var_off.format(buffer, sizeof(buffer));
            return reject(EACCES, "R%u variable offset stack access prohibited for !root, var_off=%s\n", regno, buffer);
        }
        if (meta && meta->raw_mode)
            meta = nullptr;
        min_off = reg.smin + off;
        max_off = reg.smax + off;
    }
    if (meta && meta->raw_mode) {
        meta->access_size = access_size;
        meta->raw_regno = regno;
        return {};
    }
    bool allow_uninit = m_request.privileges.allow_uninit_stack;
    for (i64 i = min_off; i < max_off + access_size; ++i) {
        SlotIndex at = slot_of(i);
        if (at.spi >= state.stack.size())
            return reject(EFAULT, "allocated_stack too small\n");
        StackSlot& slot = state.stack[at.spi];
        SlotType& stype = slot.type[at.byte];
        if (stype == SlotType::Misc)
            continue;
        if (stype == SlotType::Zero || (stype == SlotType::Invalid && allow_uninit)) {
            if (clobber)
                stype = SlotType::Misc;
            continue;
        }
        // Bytes of a spilled register (a narrower spill leaves the rest of the slot as it was).
        if (slot.is_spill() && stype == SlotType::Spill && (slot.spilled.type == RegType::Scalar || m_request.privileges.perfmon_capable)) {
            if (clobber) {
                slot.spilled = RegisterState::unknown_scalar();
                for (auto& t : slot.type) {
                    if (t == SlotType::Spill)
                        t = SlotType::Misc;
                }
            }
            continue;
        }
        if (reg.var_off.is_const())
            return reject(EACCES, "invalid read from stack R%u off %lld+%lld size %lld\n", regno, static_cast<long long>(min_off),
                static_cast<long long>(i - min_off), static_cast<long long>(access_size));
        char buffer[48];
        reg.var_off.format(buffer, sizeof(buffer));
        return reject(EACCES, "invalid read from stack R%u var_off %s+%lld size %lld\n", regno, buffer, static_cast<long long>(i - min_off),
            static_cast<long long>(access_size));
    }
    return {};
}

}
