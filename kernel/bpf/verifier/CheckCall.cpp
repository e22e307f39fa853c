// Calls and exits (Linux's check_helper_call, check_func_call, prepare_func_exit,
// check_return_code):
//  - a helper call is checked only from its prototype (HelperProto.h): the helper must exist
//    for the program type and license, each argument must have a compatible kind and point to
//    enough accessible (initialized, for reads) memory of the size the next argument says;
//    map helpers must get a map of a type they work on; r1..r5 are dead afterwards and r0
//    gets the declared return kind (a map value that may be NULL, a ringbuf record that must
//    be submitted or discarded on every path, a scalar);
//  - bpf_loop and bpf_for_each_map_elem verify their callback as a function called any number
//    of times (it must return 0 or 1);
//  - a bpf-to-bpf call opens a new frame (at most 8) with the caller's r1..r5;
//  - EXIT returns to the caller, or ends the path after the main program's checks (r0
//    initialized, in range for the program type, no reference still held).
#include "bpf/helpers/Bprintf.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/helpers/HelperProto.h"
#include "bpf/maps/ArrayMap.h"
#include "bpf/verifier/VerifierEnv.h"
#include "klib/CString.h"

namespace bpf::verifier {

using namespace isa;

namespace {

constexpr i64 max_var_size = 1ll << 29; // BPF_MAX_VAR_SIZ
constexpr i64 max_errno = 4095;

char const* helper_name(u32 id)
{
    HelperProto const* proto = helper_proto(id);
    return proto ? proto->name : nullptr;
}

struct NameBuffer {
    char text[48];
};

NameBuffer func_name(u32 id)
{
    NameBuffer name;
    char const* base = helper_name(id);
    if (base)
        klib::format(name.text, sizeof(name.text), "bpf_%s", base);
    else
        klib::format(name.text, sizeof(name.text), "unknown");
    return name;
}

// Helpers that move or resize packet data: every packet pointer is stale after them (Linux's
// bpf_helper_changes_pkt_data()).
bool changes_packet_data(u32 id)
{
    switch (id) {
    case BPF_FUNC_skb_store_bytes:
    case BPF_FUNC_l3_csum_replace:
    case BPF_FUNC_l4_csum_replace:
    case BPF_FUNC_clone_redirect:
    case BPF_FUNC_skb_vlan_push:
    case BPF_FUNC_skb_vlan_pop:
    case BPF_FUNC_skb_change_proto:
    case BPF_FUNC_skb_change_tail:
    case BPF_FUNC_skb_change_head:
    case BPF_FUNC_skb_pull_data:
    case BPF_FUNC_skb_adjust_room:
    case BPF_FUNC_xdp_adjust_head:
    case BPF_FUNC_xdp_adjust_meta:
    case BPF_FUNC_xdp_adjust_tail:
    case BPF_FUNC_msg_pull_data:
    case BPF_FUNC_msg_push_data:
    case BPF_FUNC_msg_pop_data:
    case BPF_FUNC_lwt_push_encap:
    case BPF_FUNC_lwt_seg6_store_bytes:
    case BPF_FUNC_lwt_seg6_adjust_srh:
    case BPF_FUNC_lwt_seg6_action:
        return true;
    default:
        return false;
    }
}

// Helpers that may be given packet pointers (Linux's pkt_access prototypes).
bool helper_packet_access(u32 id) { return id == BPF_FUNC_map_lookup_elem || id == BPF_FUNC_map_update_elem || id == BPF_FUNC_map_delete_elem; }

bool is_mem_arg_kind(RegType type)
{
    switch (type) {
    case RegType::PtrToStack:
    case RegType::PtrToPacket:
    case RegType::PtrToPacketMeta:
    case RegType::PtrToMapKey:
    case RegType::PtrToMapValue:
    case RegType::PtrToMem:
        return true;
    default:
        return false;
    }
}

// The register kinds an argument type accepts, for the "expected=" part of the message.
char const* expected_kinds(u32 base)
{
    switch (base) {
    case ARG_CONST_MAP_PTR:
        return "map_ptr";
    case ARG_PTR_TO_CTX:
        return "ctx";
    case ARG_PTR_TO_RINGBUF_MEM:
        return "ringbuf_mem";
    case ARG_PTR_TO_FUNC:
        return "func";
    case ARG_PTR_TO_STACK:
        return "fp";
    case ARG_PTR_TO_CONST_STR:
        return "map_value";
    case ARG_CONST_SIZE:
    case ARG_CONST_SIZE_OR_ZERO:
    case ARG_CONST_ALLOC_SIZE_OR_ZERO:
        return "scalar";
    default:
        return "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem";
    }
}

bool kind_compatible(u32 arg_type, RegisterState const& reg)
{
    u32 base = base_type(arg_type);
    u8 flags = reg.flags;
    if (arg_type & PTR_MAYBE_NULL)
        flags &= static_cast<u8>(~reg_flag_maybe_null);
    if (arg_type & MEM_RDONLY)
        flags &= static_cast<u8>(~reg_flag_rdonly);
    switch (base) {
    case ARG_CONST_MAP_PTR:
        return reg.type == RegType::ConstPtrToMap && !flags;
    case ARG_PTR_TO_CTX:
        return reg.type == RegType::PtrToCtx;
    case ARG_PTR_TO_RINGBUF_MEM:
        return reg.type == RegType::PtrToMem && flags == reg_flag_ringbuf;
    case ARG_PTR_TO_FUNC:
        return reg.type == RegType::PtrToFunc;
    case ARG_PTR_TO_STACK:
        return reg.type == RegType::PtrToStack;
    case ARG_PTR_TO_CONST_STR:
        return reg.type == RegType::PtrToMapValue && !flags;
    case ARG_CONST_SIZE:
    case ARG_CONST_SIZE_OR_ZERO:
    case ARG_CONST_ALLOC_SIZE_OR_ZERO:
        return reg.type == RegType::Scalar;
    case ARG_PTR_TO_MAP_KEY:
    case ARG_PTR_TO_MAP_VALUE:
    case ARG_PTR_TO_MEM:
        if (!is_mem_arg_kind(reg.type))
            return false;
        if (reg.type == RegType::PtrToMem)
            return flags == 0 || flags == reg_flag_ringbuf;
        return flags == 0;
    default:
        return false;
    }
}

}

ErrorOr<void> VerifierEnv::check_helper_mem_access(u32 regno, i64 access_size, AccessType type, bool zero_size_allowed, CallArgMeta* meta)
{
    RegisterState const& reg = regs()[regno];
    u32 size = static_cast<u32>(access_size);
    switch (reg.type) {
    case RegType::PtrToPacket:
    case RegType::PtrToPacketMeta:
        if (type == AccessType::Write && !m_ops->packet_writable)
            return reject(EACCES, "helper access to the packet is not allowed\n");
        return check_packet_access(regno, reg.off, size, zero_size_allowed);
    case RegType::PtrToMapKey:
        if (type == AccessType::Write)
            return reject(EACCES, "R%u cannot write into %s\n", regno, reg_type_name(reg.type, reg.flags));
        return check_mem_region_access(regno, reg.off, size, reg.map->key_size(), false, "key");
    case RegType::PtrToMapValue:
        if (type == AccessType::Write && (reg.map->flags() & BPF_F_RDONLY_PROG))
            return reject(EACCES, "write into map forbidden, value_size=%u off=%d size=%u\n", reg.map->value_size(), reg.off, size);
        if (type == AccessType::Read && (reg.map->flags() & BPF_F_WRONLY_PROG))
            return reject(EACCES, "read from map forbidden, value_size=%u off=%d size=%u\n", reg.map->value_size(), reg.off, size);
        return check_map_access(regno, reg.off, size, zero_size_allowed, reg.map->value_size(), "value");
    case RegType::PtrToMem:
        if ((reg.flags & reg_flag_rdonly) && type == AccessType::Write)
            return reject(EACCES, "R%u cannot write into %s\n", regno, reg_type_name(reg.type, reg.flags));
        return check_mem_region_access(regno, reg.off, size, static_cast<u32>(reg.range), zero_size_allowed, "mem");
    case RegType::PtrToStack:
        return check_stack_range_initialized(regno, reg.off, access_size, zero_size_allowed, type, meta);
    default:
        if (zero_size_allowed && access_size == 0 && reg.is_known_zero())
            return {};
        return reject(EACCES, "R%u type=%s expected=fp\n", regno, reg_type_name(reg.type, reg.flags));
    }
}

ErrorOr<void> VerifierEnv::check_mem_size_reg(u32 regno, bool zero_size_allowed, AccessType type, CallArgMeta& meta_in)
{
    RegisterState const& reg = regs()[regno];
    meta_in.msize_max = static_cast<i64>(reg.umax);
    CallArgMeta* meta = reg.var_off.is_const() ? &meta_in : nullptr;
    if (reg.smin < 0)
        return reject(EACCES, "R%u min value is negative, either use unsigned or 'var &= const'\n", regno);
    if (reg.umin == 0 && !zero_size_allowed)
        return reject(EACCES, "R%u invalid zero-sized read: u64=[%lld,%lld]\n", regno, static_cast<long long>(reg.umin),
            static_cast<long long>(reg.umax));
    if (reg.umax >= static_cast<u64>(max_var_size))
        return reject(EACCES, "R%u unbounded memory access, use 'var &= const' or 'if (var < const)'\n", regno);
    return check_helper_mem_access(regno - 1, static_cast<i64>(reg.umax), type, zero_size_allowed, meta);
}

ErrorOr<void> VerifierEnv::check_func_arg(u32 arg, u32 arg_type, HelperProto const& proto, CallArgMeta& meta)
{
    u32 regno = arg + 1;
    RegisterState& reg = regs()[regno];
    if (arg_type == ARG_DONTCARE)
        return {};
    TRY(check_reg_read(regno));
    if (arg_type == ARG_ANYTHING) {
        if (is_pointer_value(reg))
            return reject(EACCES, "R%u leaks addr into helper function\n", regno);
        return {};
    }
    u32 base = base_type(arg_type);
    if (reg.is_packet_pointer() && !(m_ops->packet_writable && helper_packet_access(meta.func_id)))
        return reject(EACCES, "helper access to the packet is not allowed\n");

    bool null_ok = (arg_type & PTR_MAYBE_NULL) && reg.is_known_zero();
    if (!null_ok) {
        if (!kind_compatible(arg_type, reg))
            return reject(EACCES, "R%u type=%s expected=%s\n", regno, reg_type_name(reg.type, reg.flags), expected_kinds(base));
        bool release = arg_type & OBJ_RELEASE;
        if (release) {
            if (reg.off)
                return reject(EINVAL, "R%u must have zero offset when passed to release func or trusted arg to kfunc\n", regno);
            TRY(check_ptr_off_reg(reg, regno, false));
        } else if (!is_mem_arg_kind(reg.type) && reg.type != RegType::Scalar) {
            TRY(check_ptr_off_reg(reg, regno, false));
        }
    }
    if (arg_type & OBJ_RELEASE) {
        if (!reg.ref_obj_id && !reg.is_known_zero())
            return reject(EINVAL, "R%u must be referenced when passed to release function\n", regno);
        meta.release_regno = regno;
    }
    if (reg.ref_obj_id) {
        if (meta.ref_obj_id)
            return reject(EACCES, "more than one arg with ref_obj_id R%u %u %d", regno, reg.ref_obj_id, meta.ref_obj_id);
        meta.ref_obj_id = static_cast<i32>(reg.ref_obj_id);
    }
    if (null_ok)
        return {};

    switch (base) {
    case ARG_CONST_MAP_PTR:
        meta.map = reg.map;
        break;
    case ARG_PTR_TO_MAP_KEY: {
        if (!meta.map)
            return reject(EFAULT, "verifier bug: invalid map_ptr to access map->key\n");
        u32 key_size = meta.map->key_size();
        TRY(check_helper_mem_access(regno, key_size, AccessType::Read, false, nullptr));
        u32 map_type = meta.map->type();
        if ((map_type == BPF_MAP_TYPE_ARRAY || map_type == BPF_MAP_TYPE_PERCPU_ARRAY) && m_request.privileges.bpf_capable && reg.type == RegType::PtrToStack
            && reg.var_off.is_const()) {
            // A key known at verification time: lookups of in-range keys cannot fail.
            i64 stack_off = reg.off + static_cast<i64>(reg.var_off.value);
            u64 slot = static_cast<u64>(-stack_off - 1);
            FrameState& frame = frame_of(reg);
            StackSlot const& s = frame.stack[slot / slot_size];
            u32 byte = static_cast<u32>(slot % slot_size);
            u32 zeros = 0;
            for (i32 i = static_cast<i32>(byte); i >= 0 && s.type[i] == SlotType::Zero; --i)
                ++zeros;
            if (zeros >= key_size) {
                meta.const_map_key = 0;
            } else if (s.is_spilled_scalar()) {
                u32 spilled = 0;
                for (i32 i = static_cast<i32>(byte); i >= 0 && s.type[i] == SlotType::Spill; --i)
                    ++spilled;
                if (spilled == key_size && s.spilled.var_off.is_const())
                    meta.const_map_key = static_cast<i64>(s.spilled.var_off.value);
            }
        }
        break;
    }
    case ARG_PTR_TO_MAP_VALUE: {
        if (!meta.map)
            return reject(EFAULT, "verifier bug: invalid map_ptr to access map->value\n");
        meta.raw_mode = arg_type & MEM_UNINIT;
        if (meta.map->type() == BPF_MAP_TYPE_BLOOM_FILTER && meta.func_id == BPF_FUNC_map_peek_elem)
            meta.raw_mode = false;
        AccessType type = meta.raw_mode ? AccessType::Write : AccessType::Read;
        TRY(check_helper_mem_access(regno, meta.map->value_size(), type, false, &meta));
        break;
    }
    case ARG_PTR_TO_FUNC:
        meta.subprogno = reg.range;
        break;
    case ARG_PTR_TO_MEM:
        meta.raw_mode = arg_type & MEM_UNINIT;
        break;
    case ARG_CONST_SIZE:
    case ARG_CONST_SIZE_OR_ZERO: {
        u32 previous = proto.arg_type[arg - 1];
        AccessType type = (previous & MEM_WRITE) ? AccessType::Write : AccessType::Read;
        TRY(check_mem_size_reg(regno, base == ARG_CONST_SIZE_OR_ZERO, type, meta));
        break;
    }
    case ARG_CONST_ALLOC_SIZE_OR_ZERO:
        if (!reg.var_off.is_const())
            return reject(EACCES, "R%u is not a known constant'\n", regno);
        meta.mem_size = static_cast<i64>(reg.var_off.value);
        break;
    case ARG_PTR_TO_STACK:
        break;
    case ARG_PTR_TO_CONST_STR: {
        MapDescriptor const& map = *reg.map;
        if (!((map.flags() & BPF_F_RDONLY_PROG) && map.is_frozen() && map.object()))
            return reject(EACCES, "R%u does not point to a readonly map'\n", regno);
        if (!reg.var_off.is_const())
            return reject(EACCES, "R%u is not a constant address'\n", regno);
        if (map.type() != BPF_MAP_TYPE_ARRAY || map.max_entries() != 1)
            return reject(EACCES, "no direct value access support for this map type\n");
        TRY(check_map_access(regno, reg.off, map.value_size() - static_cast<u32>(reg.off), false, map.value_size(), "value"));
        u64 map_off = static_cast<u64>(reg.off) + reg.var_off.value;
        char const* text = reinterpret_cast<char const*>(static_cast<ArrayMap const&>(*map.object()).element(0)) + map_off;
        bool terminated = false;
        for (u64 i = 0; i < map.value_size() - map_off && !terminated; ++i)
            terminated = text[i] == '\0';
        if (!terminated)
            return reject(EINVAL, "string is not zero-terminated\n");
        break;
    }
    case ARG_PTR_TO_RINGBUF_MEM:
    case ARG_PTR_TO_CTX:
        break;
    default:
        return reject(EINVAL, "helper argument type %u of %s is not supported\n", arg_type, proto.name);
    }
    return {};
}

ErrorOr<void> VerifierEnv::check_map_func_compatibility(MapDescriptor const* map, u32 func_id)
{
    if (!map)
        return {};
    u32 type = map->type();
    bool ok = true;
    switch (type) {
    case BPF_MAP_TYPE_PROG_ARRAY:
        ok = func_id == BPF_FUNC_tail_call;
        break;
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
        ok = func_id == BPF_FUNC_perf_event_read || func_id == BPF_FUNC_perf_event_output || func_id == BPF_FUNC_skb_output
            || func_id == BPF_FUNC_perf_event_read_value || func_id == BPF_FUNC_xdp_output;
        break;
    case BPF_MAP_TYPE_RINGBUF:
        ok = func_id == BPF_FUNC_ringbuf_output || func_id == BPF_FUNC_ringbuf_reserve || func_id == BPF_FUNC_ringbuf_query;
        break;
    case BPF_MAP_TYPE_STACK_TRACE:
        ok = func_id == BPF_FUNC_get_stackid;
        break;
    case BPF_MAP_TYPE_ARRAY_OF_MAPS:
    case BPF_MAP_TYPE_HASH_OF_MAPS:
        ok = func_id == BPF_FUNC_map_lookup_elem;
        break;
    case BPF_MAP_TYPE_QUEUE:
    case BPF_MAP_TYPE_STACK:
        ok = func_id == BPF_FUNC_map_peek_elem || func_id == BPF_FUNC_map_pop_elem || func_id == BPF_FUNC_map_push_elem;
        break;
    case BPF_MAP_TYPE_BLOOM_FILTER:
        ok = func_id == BPF_FUNC_map_peek_elem || func_id == BPF_FUNC_map_push_elem;
        break;
    default:
        break;
    }
    if (ok) {
        switch (func_id) {
        case BPF_FUNC_tail_call:
            ok = type == BPF_MAP_TYPE_PROG_ARRAY;
            break;
        case BPF_FUNC_perf_event_read:
        case BPF_FUNC_perf_event_output:
        case BPF_FUNC_perf_event_read_value:
        case BPF_FUNC_skb_output:
        case BPF_FUNC_xdp_output:
            ok = type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
            break;
        case BPF_FUNC_ringbuf_output:
        case BPF_FUNC_ringbuf_reserve:
        case BPF_FUNC_ringbuf_query:
            ok = type == BPF_MAP_TYPE_RINGBUF;
            break;
        case BPF_FUNC_get_stackid:
            ok = type == BPF_MAP_TYPE_STACK_TRACE;
            break;
        case BPF_FUNC_map_pop_elem:
            ok = type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK;
            break;
        case BPF_FUNC_map_peek_elem:
        case BPF_FUNC_map_push_elem:
            ok = type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK || type == BPF_MAP_TYPE_BLOOM_FILTER;
            break;
        case BPF_FUNC_map_lookup_percpu_elem:
            ok = type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
            break;
        default:
            break;
        }
    }
    if (!ok)
        return reject(EINVAL, "cannot pass map_type %u into func %s#%u\n", type, func_name(func_id).text, func_id);
    return {};
}

void VerifierEnv::clear_caller_saved_regs()
{
    RegisterState* r = regs();
    for (u32 i = 0; i <= 5; ++i) {
        mark_reg_not_init(r[i]);
        mark_scratched(i);
    }
}

ErrorOr<void> VerifierEnv::setup_callee_frame(VerifierState& state, u32 subprog, u32 callsite)
{
    if (state.curframe + 1 >= max_frames)
        return reject(E2BIG, "the call stack of %u frames is too deep\n", state.curframe + 2);
    auto callee = TRY(try_make<FrameState>());
    callee->callsite = static_cast<i32>(callsite);
    callee->frameno = state.curframe + 1;
    callee->subprog = subprog;
    for (auto& reg : callee->regs)
        reg = RegisterState::not_init();
    callee->regs[frame_pointer] = RegisterState::pointer(RegType::PtrToStack);
    callee->regs[frame_pointer].frameno = static_cast<u8>(callee->frameno);
    state.frames[state.curframe + 1] = move(callee);
    return {};
}

ErrorOr<void> VerifierEnv::check_helper_call(Instruction const& insn)
{
    u32 func_id = insn.op == Op::TailCall ? static_cast<u32>(BPF_FUNC_tail_call) : static_cast<u32>(insn.offset);
    if (func_id >= __BPF_FUNC_MAX_ID)
        return reject(EINVAL, "invalid func %s#%u\n", func_name(func_id).text, func_id);
    HelperProto const* proto = helper_proto(func_id);
    if (!proto || !helper_allowed(func_id, m_request.prog_type, true, m_request.privileges.perfmon_capable))
        return reject(EINVAL, "program of this type cannot use helper %s#%u\n", func_name(func_id).text, func_id);
    if (proto->gpl_only && !m_request.gpl_compatible)
        return reject(EINVAL, "cannot call GPL-restricted function from non-GPL compatible program\n");
    if (proto->sleepable_only)
        return reject(EINVAL, "helper call might sleep in a non-sleepable prog\n");

    CallArgMeta meta;
    meta.func_id = func_id;
    for (u32 arg = 0; arg < 5; ++arg)
        TRY(check_func_arg(arg, proto->arg_type[arg], *proto, meta));

    if (func_id == BPF_FUNC_snprintf) {
        RegisterState const& fmt = regs()[3];
        RegisterState const& data_len = regs()[5];
        if (data_len.var_off.value % 8)
            return Error(EINVAL);
        u32 num_args = static_cast<u32>(data_len.var_off.value / 8);
        MapDescriptor const& map = *fmt.map;
        u64 map_off = static_cast<u64>(fmt.off) + fmt.var_off.value;
        char const* text = reinterpret_cast<char const*>(static_cast<ArrayMap const&>(*map.object()).element(0)) + map_off;
        u64 zeros[max_bprintf_args] {};
        if (num_args > max_bprintf_args || bprintf(text, static_cast<u32>(map.value_size() - map_off), zeros, num_args, nullptr, 0) == -EINVAL)
            return reject(EINVAL, "Invalid format string\n");
    }

    // Helpers that write into uninitialized stack memory: mark the bytes written.
    if (meta.raw_mode && meta.access_size > 0) {
        for (i64 i = 0; i < meta.access_size; ++i)
            TRY(check_mem_access(meta.raw_regno, static_cast<i32>(i), 1, AccessType::Write, -1, false, false));
    }

    RegisterState* r = regs();
    if (meta.release_regno) {
        bool released = false;
        if (meta.ref_obj_id) {
            u32 id = static_cast<u32>(meta.ref_obj_id);
            released = m_cur->release_reference(id);
            if (released) {
                for (u32 f = 0; f <= m_cur->curframe; ++f) {
                    FrameState& frame = *m_cur->frames[f];
                    for (auto& reg : frame.regs) {
                        if (reg.ref_obj_id == id)
                            mark_reg_unknown(reg);
                    }
                    for (auto& slot : frame.stack) {
                        if (slot.is_spill() && slot.spilled.ref_obj_id == id)
                            slot.spilled = RegisterState::unknown_scalar();
                    }
                }
            }
        } else if (r[meta.release_regno].is_known_zero()) {
            released = true;
        }
        if (!released)
            return reject(EINVAL, "func %s#%u reference has not been acquired before\n", func_name(func_id).text, func_id);
    }

    switch (func_id) {
    case BPF_FUNC_tail_call:
        TRY(check_reference_leak("tail_call"));
        m_has_tail_call = true;
        break;
    case BPF_FUNC_for_each_map_elem:
    case BPF_FUNC_loop: {
        if (meta.subprogno < 0)
            return reject(EFAULT, "verifier bug: callback without a function\n");
        u32 subprog = static_cast<u32>(meta.subprogno);
        if (func_id == BPF_FUNC_for_each_map_elem) {
            u32 type = meta.map->type();
            if (type != BPF_MAP_TYPE_ARRAY && type != BPF_MAP_TYPE_PERCPU_ARRAY && type != BPF_MAP_TYPE_HASH && type != BPF_MAP_TYPE_PERCPU_HASH
                && type != BPF_MAP_TYPE_LRU_HASH && type != BPF_MAP_TYPE_LRU_PERCPU_HASH)
                return reject(ENOTSUPP, "callback function not allowed for map\n");
        }
        bool iterate = true;
        if (func_id == BPF_FUNC_loop && cur_frame().callback_depth >= r[1].umax)
            iterate = false;
        if (iterate) {
            m_subprogs[subprog].is_callback = true;
            VerifierState* callback = TRY(push_stack(m_subprogs[subprog].start, m_insn_idx));
            FrameState& caller = *callback->frames[callback->curframe];
            TRY(setup_callee_frame(*callback, subprog, m_insn_idx));
            FrameState& callee = *callback->frames[callback->curframe + 1];
            if (func_id == BPF_FUNC_loop) {
                callee.regs[1] = RegisterState::unknown_scalar();
                callee.regs[2] = caller.regs[3];
            } else {
                callee.regs[1] = RegisterState::pointer(RegType::ConstPtrToMap);
                callee.regs[1].map = meta.map;
                callee.regs[2] = RegisterState::pointer(RegType::PtrToMapKey);
                callee.regs[2].map = meta.map;
                callee.regs[3] = RegisterState::pointer(RegType::PtrToMapValue);
                callee.regs[3].map = meta.map;
                callee.regs[4] = caller.regs[3];
            }
            callee.in_callback = true;
            callee.callback_ret_min = 0;
            callee.callback_ret_max = 1;
            ++callback->curframe;
            ++callback->callback_unroll_depth;
            ++caller.callback_depth;
            cur_frame().callback_depth = 0;
        } else {
            cur_frame().callback_depth = 0;
        }
        break;
    }
    default:
        break;
    }

    clear_caller_saved_regs();
    RegisterState& r0 = r[0];
    u32 ret = proto->ret_type;
    switch (base_type(ret)) {
    case RET_INTEGER:
        mark_reg_unknown(r0);
        break;
    case RET_VOID:
        mark_reg_not_init(r0);
        break;
    case RET_PTR_TO_MAP_VALUE: {
        if (!meta.map)
            return reject(EFAULT, "verifier bug: unexpected null map_ptr\n");
        if ((meta.map->type() == BPF_MAP_TYPE_ARRAY_OF_MAPS || meta.map->type() == BPF_MAP_TYPE_HASH_OF_MAPS) && !meta.map->inner())
            return reject(EFAULT, "verifier bug: map of maps without an inner map template\n");
        u8 flags = (ret & PTR_MAYBE_NULL) ? reg_flag_maybe_null : 0;
        u32 type = meta.map->type();
        if (func_id == BPF_FUNC_map_lookup_elem && (type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY) && meta.const_map_key >= 0
            && meta.const_map_key < static_cast<i64>(meta.map->max_entries()))
            flags = 0;
        r0 = RegisterState::pointer(RegType::PtrToMapValue, flags);
        r0.map = meta.map;
        break;
    }
    case RET_PTR_TO_MEM: {
        u8 flags = 0;
        if (ret & PTR_MAYBE_NULL)
            flags |= reg_flag_maybe_null;
        if (ret & MEM_RINGBUF)
            flags |= reg_flag_ringbuf;
        if (ret & MEM_RDONLY)
            flags |= reg_flag_rdonly;
        r0 = RegisterState::pointer(RegType::PtrToMem, flags);
        r0.range = static_cast<i32>(meta.mem_size);
        break;
    }
    default:
        return reject(EINVAL, "unknown return type %u of callee %s#%u\n", base_type(ret), func_name(func_id).text, func_id);
    }
    if (r0.maybe_null())
        r0.id = new_id();
    if (func_id == BPF_FUNC_ringbuf_reserve) {
        u32 id = new_id();
        TRY(m_cur->acquire_reference(id, m_insn_idx));
        r0.id = id;
        r0.ref_obj_id = id;
    }
    if (base_type(ret) == RET_INTEGER) {
        switch (func_id) {
        case BPF_FUNC_get_stack:
        case BPF_FUNC_probe_read_str:
        case BPF_FUNC_probe_read_kernel_str:
        case BPF_FUNC_probe_read_user_str:
            r0.smax = meta.msize_max;
            r0.s32_max = static_cast<i32>(meta.msize_max);
            r0.smin = -max_errno;
            r0.s32_min = -static_cast<i32>(max_errno);
            r0.sync_bounds();
            break;
        case BPF_FUNC_get_smp_processor_id: {
            u32 cpus = helper_environment().possible_cpus();
            r0.umin = r0.u32_min = 0;
            r0.smin = r0.s32_min = 0;
            r0.umax = r0.u32_max = cpus - 1;
            r0.smax = r0.s32_max = static_cast<i32>(cpus - 1);
            r0.sync_bounds();
            break;
        }
        default:
            break;
        }
    }
    TRY(check_map_func_compatibility(meta.map, func_id));
    if (changes_packet_data(func_id)) {
        for (u32 f = 0; f <= m_cur->curframe; ++f) {
            FrameState& frame = *m_cur->frames[f];
            for (auto& reg : frame.regs) {
                if (reg.is_packet_related())
                    reg = m_request.privileges.perfmon_capable ? RegisterState::unknown_scalar() : RegisterState::not_init();
            }
            for (auto& slot : frame.stack) {
                if (slot.is_spill() && slot.spilled.is_packet_related())
                    slot.spilled = RegisterState::unknown_scalar();
            }
        }
    }
    ++m_insn_idx;
    return {};
}

ErrorOr<void> VerifierEnv::check_subprog_call(Instruction const& insn)
{
    u32 target = insn.target;
    u32 subprog = find_subprog(target);
    if (subprog == ~0u)
        return reject(EFAULT, "verifier bug: target of func call at insn %u is not a program\n", m_insn_idx);
    FrameState& caller = cur_frame();
    TRY(setup_callee_frame(*m_cur, subprog, m_insn_idx));
    FrameState& callee = *m_cur->frames[m_cur->curframe + 1];
    for (u32 i = 1; i <= 5; ++i)
        callee.regs[i] = caller.regs[i];
    ++m_cur->curframe;
    for (u32 i = 0; i <= 5; ++i)
        mark_reg_not_init(caller.regs[i]);
    if (logging()) {
        verbose("caller:\n");
        print_verifier_state(*m_cur, m_cur->curframe - 1, true);
        verbose("callee:\n");
        print_verifier_state(*m_cur, m_cur->curframe, true);
    }
    m_insn_idx = m_subprogs[subprog].start;
    return {};
}

ErrorOr<void> VerifierEnv::check_reference_leak(char const* where)
{
    if (m_cur->refs.is_empty())
        return {};
    for (auto const& ref : m_cur->refs)
        verbose("Unreleased reference id=%u alloc_insn=%u\n", ref.id, ref.insn_idx);
    return reject(EINVAL, "%s would lead to reference leak\n", where);
}

ErrorOr<void> VerifierEnv::prepare_func_exit()
{
    FrameState& callee = cur_frame();
    RegisterState& r0 = callee.regs[0];
    if (r0.type == RegType::PtrToStack)
        return reject(EINVAL, "cannot return stack pointer to the caller\n");
    FrameState& caller = *m_cur->frames[m_cur->curframe - 1];
    if (callee.in_callback) {
        if (r0.type != RegType::Scalar)
            return reject(EACCES, "R0 not a scalar value\n");
        if (r0.smin < callee.callback_ret_min || r0.smax > callee.callback_ret_max) {
            verbose("At callback return the register R0 has");
            bool unknown = true;
            if (r0.smin > INT64_MIN) {
                verbose(" smin=%lld", static_cast<long long>(r0.smin));
                unknown = false;
            }
            if (r0.smax < INT64_MAX) {
                verbose(" smax=%lld", static_cast<long long>(r0.smax));
                unknown = false;
            }
            if (unknown)
                verbose(" unknown scalar value");
            return reject(EINVAL, " should have been in [%lld, %lld]\n", static_cast<long long>(callee.callback_ret_min),
                static_cast<long long>(callee.callback_ret_max));
        }
    } else {
        caller.regs[0] = r0;
    }
    bool callback = callee.in_callback;
    u32 callsite = static_cast<u32>(callee.callsite);
    m_insn_idx = callback ? callsite : callsite + 1;
    if (logging()) {
        verbose("returning from callee:\n");
        print_verifier_state(*m_cur, m_cur->curframe, true);
        verbose("to caller at %u:\n", m_insn_idx);
        print_verifier_state(*m_cur, m_cur->curframe - 1, true);
    }
    m_cur->frames[m_cur->curframe].reset();
    --m_cur->curframe;
    if (callback) {
        widen_changed_scalars(callsite);
        m_cur->from_callback_return = true;
    }
    return {};
}

// After a callback returns to its call site, scalars that changed since the previous visit of
// the call site (an ancestor state still being explored) become unknown, so that repeated
// callback invocations reach a fixpoint instead of walking every iteration (Linux's
// widen_imprecise_scalars). Widening only loses information: it cannot make a program pass
// that would otherwise fail.
void VerifierEnv::widen_changed_scalars(u32 callsite)
{
    VerifierState* previous = nullptr;
    auto& list = m_explored[callsite];
    for (usize i = list.size(); i-- > 0;) {
        VerifierState& candidate = *list[i].state;
        if (!candidate.branches || candidate.curframe != m_cur->curframe)
            continue;
        bool same = true;
        for (u32 f = 0; f <= m_cur->curframe && same; ++f)
            same = candidate.frames[f]->callsite == m_cur->frames[f]->callsite;
        if (same) {
            previous = &candidate;
            break;
        }
    }
    if (!previous)
        return;
    auto widen = [](RegisterState const& old, RegisterState& cur) {
        if (old.type != RegType::Scalar || cur.type != RegType::Scalar)
            return;
        if (old.var_off == cur.var_off && old.smin == cur.smin && old.smax == cur.smax && old.umin == cur.umin && old.umax == cur.umax
            && old.s32_min == cur.s32_min && old.s32_max == cur.s32_max && old.u32_min == cur.u32_min && old.u32_max == cur.u32_max)
            return;
        cur = RegisterState::unknown_scalar();
    };
    for (u32 f = 0; f <= m_cur->curframe; ++f) {
        FrameState const& old = *previous->frames[f];
        FrameState& cur = *m_cur->frames[f];
        for (u32 r = 0; r < register_count; ++r)
            widen(old.regs[r], cur.regs[r]);
        usize slots = min(old.stack.size(), cur.stack.size());
        for (usize s = 0; s < slots; ++s) {
            if (old.stack[s].is_spill() && cur.stack[s].is_spill())
                widen(old.stack[s].spilled, cur.stack[s].spilled);
        }
    }
}

ErrorOr<void> VerifierEnv::check_return_code()
{
    TRY(check_reg_read(0));
    RegisterState const& r0 = regs()[0];
    if (is_pointer_value(r0))
        return reject(EACCES, "R0 leaks addr as return value\n");
    if (!m_ops->has_return_range)
        return {};
    if (r0.type != RegType::Scalar)
        return reject(EINVAL, "At program exit the register R0 is not a known value (%s)\n", reg_type_name(r0.type, r0.flags));
    if (r0.smin < m_ops->return_min || r0.smax > m_ops->return_max) {
        verbose("At program exit the register R0 has");
        if (r0.smin > INT64_MIN)
            verbose(" smin=%lld", static_cast<long long>(r0.smin));
        if (r0.smax < INT64_MAX)
            verbose(" smax=%lld", static_cast<long long>(r0.smax));
        return reject(EINVAL, " should have been in [%lld, %lld]\n", static_cast<long long>(m_ops->return_min), static_cast<long long>(m_ops->return_max));
    }
    return {};
}

ErrorOr<StepResult> VerifierEnv::check_exit()
{
    if (m_cur->curframe == 0)
        TRY(check_reference_leak("BPF_EXIT instruction in main prog"));
    if (m_cur->curframe) {
        TRY(prepare_func_exit());
        m_do_print_state = true;
        return StepResult::Continue;
    }
    TRY(check_return_code());
    return StepResult::PathDone;
}

}
