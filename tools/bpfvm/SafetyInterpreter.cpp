// The soundness oracle (see SafetyInterpreter.h).
#include "SafetyInterpreter.h"
#include "bpf/helpers/HelperProto.h"
#include "bpf/helpers/Helpers.h"
#include "bpf/verifier/ProgramType.h"
#include "bpf/isa/Decoder.h"
#include "bpf/maps/ArrayMap.h"
#include "bpf/maps/RingbufMap.h"
#include "bpf/verifier/types/XdpContext.h"
#include "klib/Format.h"
#include <cstring>
#include <map>
#include <set>

namespace bpfvm {

using namespace bpf::isa;

namespace {

constexpr uint32_t frame_size = 512;
constexpr uint32_t max_depth = 8;

struct Reg {
    uint64_t value { 0 };
    bool init { false };
};

struct Region {
    uint64_t start;
    uint64_t size;
};

class Oracle {
public:
    Oracle(std::vector<Instruction> code, MapSet& maps, SafetyRunConfig const& config)
        : m_code(std::move(code))
        , m_maps(maps)
        , m_config(config)
    {
    }

    SafetyResult run();

private:
    bool fail(uint32_t pc, char const* fmt, ...) __attribute__((format(printf, 3, 4)));
    bool check_memory(uint32_t pc, uint64_t address, uint64_t size, bool write, uint32_t depth, bool check_init = true);
    void mark_initialized(uint64_t address, uint64_t size);
    bool is_stack(uint64_t address) const { return address >= stack_base() && address < stack_base() + sizeof(m_stack); }
    uint64_t stack_base() const { return reinterpret_cast<uint64_t>(m_stack); }
    bool known_map(uint64_t address) const { return m_map_addresses.count(address) != 0; }
    bpf::Map* map_at(uint64_t address) const { return reinterpret_cast<bpf::Map*>(address); }
    void add_region(uint64_t start, uint64_t size) { m_regions[start] = std::max(m_regions[start], size); }
    bool call_helper(uint32_t pc, Instruction const& insn, Reg* regs, uint32_t depth);
    bool execute(uint32_t entry, Reg const* args, uint32_t depth, Reg& result);

    std::vector<Instruction> m_code;
    MapSet& m_maps;
    SafetyRunConfig const& m_config;
    alignas(16) uint8_t m_stack[max_depth * frame_size] {};
    bool m_stack_init[max_depth * frame_size] {};
    std::vector<uint8_t> m_context;
    std::vector<uint8_t> m_packet;
    std::map<uint64_t, uint64_t> m_regions; // start -> size
    std::set<uint64_t> m_map_addresses;
    std::map<uint64_t, uint64_t> m_ringbuf_records; // start -> size
    uint64_t m_executed { 0 };
    bool m_stop { false };
    bool m_exit_zero { false }; // LD_ABS miss: the program ends with r0 = 0
    SafetyResult m_result;
};

bool Oracle::fail(uint32_t pc, char const* fmt, ...)
{
    if (!m_result.violation) {
        char text[256];
        va_list args;
        va_start(args, fmt);
        klib::vformat(text, sizeof(text), fmt, args);
        va_end(args);
        m_result.violation = true;
        m_result.message = "insn " + std::to_string(pc) + ": " + text;
    }
    m_stop = true;
    return false;
}

bool Oracle::check_memory(uint32_t pc, uint64_t address, uint64_t size, bool write, uint32_t depth, bool check_init)
{
    uint64_t end;
    if (__builtin_add_overflow(address, size, &end))
        return fail(pc, "access wraps around at 0x%llx", static_cast<unsigned long long>(address));
    if (is_stack(address)) {
        uint64_t offset = address - stack_base();
        uint32_t frame = static_cast<uint32_t>(offset / frame_size);
        if (frame > depth)
            return fail(pc, "access to the stack of an inactive frame %u (depth %u)", frame, depth);
        if ((end - 1 - stack_base()) / frame_size != frame)
            return fail(pc, "stack access crosses a frame boundary");
        if (!write && check_init && !m_config.allow_uninit_stack) {
            for (uint64_t i = 0; i < size; ++i) {
                if (!m_stack_init[offset + i])
                    return fail(pc, "read of uninitialized stack byte fp%lld", static_cast<long long>(offset + i) - static_cast<long long>((frame + 1) * frame_size));
            }
        }
        if (write)
            mark_initialized(address, size);
        return true;
    }
    auto inside = [&](uint64_t start, uint64_t length) { return address >= start && end <= start + length; };
    if (!m_context.empty() && inside(reinterpret_cast<uint64_t>(m_context.data()), m_context.size()))
        return true;
    if (!m_packet.empty() && inside(reinterpret_cast<uint64_t>(m_packet.data()), m_packet.size()))
        return true;
    auto it = m_regions.upper_bound(address);
    if (it != m_regions.begin()) {
        --it;
        if (inside(it->first, it->second))
            return true;
    }
    return fail(pc, "%s of %llu bytes at 0x%llx outside every allowed region", write ? "store" : "load", static_cast<unsigned long long>(size),
        static_cast<unsigned long long>(address));
}

void Oracle::mark_initialized(uint64_t address, uint64_t size)
{
    if (!is_stack(address))
        return;
    uint64_t offset = address - stack_base();
    for (uint64_t i = 0; i < size && offset + i < sizeof(m_stack_init); ++i)
        m_stack_init[offset + i] = true;
}

template<typename T>
T load(uint64_t address)
{
    T value;
    std::memcpy(&value, reinterpret_cast<void const*>(address), sizeof(T));
    return value;
}

template<typename T>
void store(uint64_t address, T value)
{
    std::memcpy(reinterpret_cast<void*>(address), &value, sizeof(T));
}

struct MemOp {
    uint8_t size;
    bool sign;
};

MemOp mem_op(Op op)
{
    switch (op) {
    case Op::LdxB: case Op::StB: case Op::StxB: case Op::LoadAcquireB: case Op::StoreReleaseB:
        return { 1, false };
    case Op::LdxH: case Op::StH: case Op::StxH: case Op::LoadAcquireH: case Op::StoreReleaseH:
        return { 2, false };
    case Op::LdxW: case Op::StW: case Op::StxW: case Op::LoadAcquireW: case Op::StoreReleaseW:
        return { 4, false };
    case Op::LdxsB:
        return { 1, true };
    case Op::LdxsH:
        return { 2, true };
    case Op::LdxsW:
        return { 4, true };
    default:
        return { 8, false };
    }
}

uint64_t alu(Op base, uint64_t dst, uint64_t src, bool is32)
{
    auto op = static_cast<uint32_t>(base);
    (void)op;
    uint32_t d32 = static_cast<uint32_t>(dst), s32 = static_cast<uint32_t>(src);
    switch (base) {
    case Op::Add64Imm:
        return is32 ? static_cast<uint32_t>(d32 + s32) : dst + src;
    case Op::Sub64Imm:
        return is32 ? static_cast<uint32_t>(d32 - s32) : dst - src;
    case Op::Mul64Imm:
        return is32 ? static_cast<uint32_t>(d32 * s32) : dst * src;
    case Op::Div64Imm:
        return is32 ? (s32 ? d32 / s32 : 0u) : (src ? dst / src : 0);
    case Op::Mod64Imm:
        return is32 ? (s32 ? d32 % s32 : d32) : (src ? dst % src : dst);
    case Op::Sdiv64Imm:
        if (is32)
            return s32 == 0 ? 0u : static_cast<int32_t>(s32) == -1 ? static_cast<uint32_t>(0u - d32) : static_cast<uint32_t>(static_cast<int32_t>(d32) / static_cast<int32_t>(s32));
        return src == 0 ? 0 : static_cast<int64_t>(src) == -1 ? 0 - dst : static_cast<uint64_t>(static_cast<int64_t>(dst) / static_cast<int64_t>(src));
    case Op::Smod64Imm:
        if (is32)
            return s32 == 0 ? d32 : static_cast<int32_t>(s32) == -1 ? 0u : static_cast<uint32_t>(static_cast<int32_t>(d32) % static_cast<int32_t>(s32));
        return src == 0 ? dst : static_cast<int64_t>(src) == -1 ? 0 : static_cast<uint64_t>(static_cast<int64_t>(dst) % static_cast<int64_t>(src));
    case Op::Or64Imm:
        return is32 ? (d32 | s32) : (dst | src);
    case Op::And64Imm:
        return is32 ? (d32 & s32) : (dst & src);
    case Op::Xor64Imm:
        return is32 ? (d32 ^ s32) : (dst ^ src);
    case Op::Lsh64Imm:
        return is32 ? static_cast<uint32_t>(d32 << (s32 & 31)) : dst << (src & 63);
    case Op::Rsh64Imm:
        return is32 ? (d32 >> (s32 & 31)) : dst >> (src & 63);
    case Op::Arsh64Imm:
        return is32 ? static_cast<uint32_t>(static_cast<int32_t>(d32) >> (s32 & 31)) : static_cast<uint64_t>(static_cast<int64_t>(dst) >> (src & 63));
    case Op::Mov64Imm:
        return is32 ? s32 : src;
    default:
        return 0;
    }
}

bool jump_taken(Op base, uint64_t a, uint64_t b, bool is32)
{
    if (is32) {
        a = static_cast<uint32_t>(a);
        b = static_cast<uint32_t>(b);
    }
    int64_t sa = is32 ? static_cast<int32_t>(a) : static_cast<int64_t>(a);
    int64_t sb = is32 ? static_cast<int32_t>(b) : static_cast<int64_t>(b);
    switch (base) {
    case Op::JeqImm:
        return a == b;
    case Op::JneImm:
        return a != b;
    case Op::JgtImm:
        return a > b;
    case Op::JgeImm:
        return a >= b;
    case Op::JltImm:
        return a < b;
    case Op::JleImm:
        return a <= b;
    case Op::JsgtImm:
        return sa > sb;
    case Op::JsgeImm:
        return sa >= sb;
    case Op::JsltImm:
        return sa < sb;
    case Op::JsleImm:
        return sa <= sb;
    case Op::JsetImm:
        return (a & b) != 0;
    default:
        return false;
    }
}

}

bool Oracle::call_helper(uint32_t pc, Instruction const& insn, Reg* r, uint32_t depth)
{
    uint32_t id = insn.op == Op::TailCall ? 12u : static_cast<uint32_t>(insn.offset);
    bpf::HelperProto const* proto = bpf::helper_proto(id);
    if (!proto)
        return fail(pc, "call to unknown helper %u", id);
    uint64_t arg[5];
    bpf::Map* map = nullptr;
    for (uint32_t a = 0; a < 5; ++a) {
        uint32_t type = proto->arg_type[a];
        uint32_t base = bpf::base_type(type);
        if (base == bpf::ARG_DONTCARE) {
            arg[a] = r[a + 1].value;
            continue;
        }
        if (!r[a + 1].init)
            return fail(pc, "helper %s reads uninitialized r%u", proto->name, a + 1);
        arg[a] = r[a + 1].value;
        bool may_be_null = (type & bpf::PTR_MAYBE_NULL) && arg[a] == 0;
        switch (base) {
        case bpf::ARG_CONST_MAP_PTR:
            if (!known_map(arg[a]))
                return fail(pc, "helper %s: r%u is not a map", proto->name, a + 1);
            map = map_at(arg[a]);
            break;
        case bpf::ARG_PTR_TO_MAP_KEY:
            if (!check_memory(pc, arg[a], map->key_size(), false, depth))
                return false;
            break;
        case bpf::ARG_PTR_TO_MAP_VALUE:
            if (may_be_null)
                break;
            if (!check_memory(pc, arg[a], map->value_size(), (type & bpf::MEM_UNINIT) != 0, depth))
                return false;
            break;
        case bpf::ARG_CONST_SIZE:
        case bpf::ARG_CONST_SIZE_OR_ZERO: {
            uint32_t size = static_cast<uint32_t>(arg[a]);
            if (arg[a] > 0xffffffffull)
                return fail(pc, "helper %s: size r%u too big", proto->name, a + 1);
            uint64_t memory = arg[a - 1];
            bool null_ok = (proto->arg_type[a - 1] & bpf::PTR_MAYBE_NULL) && memory == 0;
            if (size == 0 || null_ok)
                break;
            bool writes = proto->arg_type[a - 1] & bpf::MEM_WRITE;
            bool uninit = proto->arg_type[a - 1] & bpf::MEM_UNINIT;
            if (!check_memory(pc, memory, size, writes && uninit, depth, true))
                return false;
            if (writes && !check_memory(pc, memory, size, true, depth))
                return false;
            break;
        }
        case bpf::ARG_PTR_TO_RINGBUF_MEM:
            if (!m_ringbuf_records.count(arg[a]))
                return fail(pc, "helper %s: r%u is not a reserved record", proto->name, a + 1);
            break;
        case bpf::ARG_PTR_TO_CONST_STR:
            if (!check_memory(pc, arg[a], 1, false, depth))
                return false;
            break;
        default:
            break;
        }
    }
    auto clobber = [&]() {
        for (uint32_t i = 1; i <= 5; ++i)
            r[i].init = false;
    };
    switch (id) {
    case BPF_FUNC_tail_call:
        // No program in any slot: execution continues after the call.
        clobber();
        r[0].init = false;
        return true;
    case BPF_FUNC_loop: {
        uint64_t count = static_cast<uint32_t>(arg[0]);
        uint64_t result = 0;
        if (arg[3] != 0) {
            result = static_cast<uint64_t>(-static_cast<int64_t>(EINVAL));
        } else if (count > bpf::helpers::max_loops) {
            result = static_cast<uint64_t>(-static_cast<int64_t>(E2BIG));
        } else {
            uint64_t i = 0;
            for (; i < count; ++i) {
                Reg args[6] {};
                args[1] = { i, true };
                args[2] = { arg[2], true };
                Reg ret;
                if (!execute(static_cast<uint32_t>(arg[1]), args, depth + 1, ret))
                    return false;
                if (ret.value > 1)
                    return fail(pc, "callback returned %llu", static_cast<unsigned long long>(ret.value));
                if (ret.value) {
                    ++i;
                    break;
                }
            }
            result = i;
        }
        clobber();
        r[0] = { result, true };
        return true;
    }
    case BPF_FUNC_for_each_map_elem: {
        uint64_t result = 0;
        if (arg[3] != 0) {
            result = static_cast<uint64_t>(-static_cast<int64_t>(EINVAL));
        } else {
            std::vector<uint8_t> key(map->key_size()), next(map->key_size());
            bool first = true;
            for (;;) {
                auto step = map->sys_get_next_key(first ? nullptr : key.data(), next.data(), bpf::FileAccess::ReadWrite);
                if (step.is_error())
                    break;
                first = false;
                key = next;
                void* value = map->lookup_elem(key.data());
                if (!value)
                    continue;
                uint64_t value_address = reinterpret_cast<uint64_t>(value);
                add_region(value_address, map->value_size());
                std::vector<uint8_t> key_copy = key;
                uint64_t key_address = reinterpret_cast<uint64_t>(key_copy.data());
                add_region(key_address, key_copy.size());
                Reg args[6] {};
                args[1] = { arg[0], true };
                args[2] = { key_address, true };
                args[3] = { value_address, true };
                args[4] = { arg[2], true };
                Reg ret;
                bool ok = execute(static_cast<uint32_t>(arg[1]), args, depth + 1, ret);
                m_regions.erase(key_address);
                if (!ok)
                    return false;
                ++result;
                if (ret.value > 1)
                    return fail(pc, "callback returned %llu", static_cast<unsigned long long>(ret.value));
                if (ret.value)
                    break;
            }
        }
        clobber();
        r[0] = { result, true };
        return true;
    }
    case BPF_FUNC_skb_load_bytes: {
        // The argument checks above proved `to` writable for `len` bytes.
        uint64_t offset = arg[1], length = static_cast<uint32_t>(arg[3]);
        auto* destination = reinterpret_cast<uint8_t*>(arg[2]);
        uint64_t result = 0;
        if (offset > 0x7fffffffu || length > m_packet.size() || offset > m_packet.size() - length) {
            std::memset(destination, 0, length);
            result = static_cast<uint64_t>(-static_cast<int64_t>(EFAULT));
        } else {
            std::memcpy(destination, m_packet.data() + offset, length);
        }
        clobber();
        r[0] = { result, true };
        return true;
    }
    case BPF_FUNC_xdp_adjust_head:
    case BPF_FUNC_xdp_adjust_tail:
        // Modelled as the helper refusing the adjustment: a behaviour every program must
        // handle. The verifier has already invalidated the packet pointers at this call.
        clobber();
        r[0] = { static_cast<uint64_t>(-static_cast<int64_t>(EINVAL)), true };
        return true;
    default:
        break;
    }
    if (!proto->function)
        return fail(pc, "helper %s has no implementation", proto->name);
    uint64_t value = proto->function(arg[0], arg[1], arg[2], arg[3], arg[4]);
    clobber();
    uint32_t ret = proto->ret_type;
    if (bpf::base_type(ret) == bpf::RET_VOID) {
        r[0].init = false;
    } else {
        r[0] = { value, true };
    }
    if (id == BPF_FUNC_map_lookup_elem || id == BPF_FUNC_map_lookup_percpu_elem) {
        if (value) {
            if (map->type() == BPF_MAP_TYPE_ARRAY_OF_MAPS || map->type() == BPF_MAP_TYPE_HASH_OF_MAPS)
                m_map_addresses.insert(value);
            else
                add_region(value, map->value_size());
        }
    } else if (id == BPF_FUNC_ringbuf_reserve) {
        if (value) {
            add_region(value, arg[1]);
            m_ringbuf_records[value] = arg[1];
        }
    } else if (id == BPF_FUNC_ringbuf_submit || id == BPF_FUNC_ringbuf_discard) {
        m_regions.erase(arg[0]);
        m_ringbuf_records.erase(arg[0]);
    }
    return true;
}

bool Oracle::execute(uint32_t entry, Reg const* args, uint32_t depth, Reg& result)
{
    if (depth >= max_depth)
        return fail(entry, "call depth %u exceeds 8 frames", depth + 1);
    if (entry >= m_code.size())
        return fail(entry, "call target outside the program");
    Reg r[11] {};
    for (uint32_t i = 1; i <= 5; ++i)
        r[i] = args[i];
    r[10] = { stack_base() + (depth + 1) * frame_size, true };
    std::memset(m_stack_init + depth * frame_size, 0, frame_size);
    uint32_t pc = entry;
    auto rd = [&](uint32_t reg, uint64_t& out) -> bool {
        if (!r[reg].init)
            return fail(pc, "read of uninitialized r%u", reg);
        out = r[reg].value;
        return true;
    };
    for (;;) {
        if (m_stop)
            return false;
        if (pc >= m_code.size())
            return fail(pc, "execution left the program");
        if (++m_executed > m_config.instruction_budget) {
            m_result.budget_exhausted = true;
            return fail(pc, "instruction budget of %llu exhausted", static_cast<unsigned long long>(m_config.instruction_budget));
        }
        Instruction const& insn = m_code[pc];
        Op op = insn.op;
        uint64_t a = 0, b = 0;
        if (op >= Op::Add64Imm && op <= Op::Mov32Reg) {
            uint32_t index = static_cast<uint32_t>(op) - static_cast<uint32_t>(Op::Add64Imm);
            Op base = static_cast<Op>(static_cast<uint32_t>(Op::Add64Imm) + (index / 4) * 4);
            bool is32 = (index % 4) >= 2;
            bool reg = index % 2;
            if (base != Op::Mov64Imm && !rd(insn.dst, a))
                return false;
            if (reg) {
                if (!rd(insn.src, b))
                    return false;
            } else {
                b = insn.imm;
            }
            r[insn.dst] = { alu(base, a, b, is32), true };
            ++pc;
            continue;
        }
        switch (op) {
        case Op::Neg64:
        case Op::Neg32:
            if (!rd(insn.dst, a))
                return false;
            r[insn.dst] = { op == Op::Neg64 ? 0 - a : static_cast<uint32_t>(0u - static_cast<uint32_t>(a)), true };
            ++pc;
            continue;
        case Op::Movsx8To64: case Op::Movsx16To64: case Op::Movsx32To64: case Op::Movsx8To32: case Op::Movsx16To32: {
            if (!rd(insn.src, b))
                return false;
            uint64_t v = op == Op::Movsx8To64 ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(b)))
                : op == Op::Movsx16To64      ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(b)))
                : op == Op::Movsx32To64      ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(b)))
                : op == Op::Movsx8To32       ? static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(b)))
                                             : static_cast<uint32_t>(static_cast<int32_t>(static_cast<int16_t>(b)));
            r[insn.dst] = { v, true };
            ++pc;
            continue;
        }
        case Op::Le16: case Op::Le32: case Op::Le64: case Op::Be16: case Op::Be32: case Op::Be64: case Op::Bswap16: case Op::Bswap32: case Op::Bswap64: {
            if (!rd(insn.dst, a))
                return false;
            uint64_t v = op == Op::Le16 ? static_cast<uint16_t>(a) : op == Op::Le32 ? static_cast<uint32_t>(a) : op == Op::Le64 ? a
                : (op == Op::Be16 || op == Op::Bswap16) ? __builtin_bswap16(static_cast<uint16_t>(a))
                : (op == Op::Be32 || op == Op::Bswap32) ? __builtin_bswap32(static_cast<uint32_t>(a))
                                                        : __builtin_bswap64(a);
            r[insn.dst] = { v, true };
            ++pc;
            continue;
        }
        case Op::LdImm64:
            r[insn.dst] = { insn.imm, true };
            pc += 2;
            continue;
        case Op::LdAbsB: case Op::LdAbsH: case Op::LdAbsW: case Op::LdIndB: case Op::LdIndH: case Op::LdIndW: {
            uint64_t ctx;
            if (!rd(6, ctx))
                return false;
            uint64_t offset = static_cast<uint32_t>(insn.imm);
            if (op >= Op::LdIndB) {
                if (!rd(insn.src, b))
                    return false;
                offset = static_cast<uint32_t>(static_cast<uint32_t>(b) + static_cast<uint32_t>(insn.imm));
            }
            uint32_t size = (op == Op::LdAbsB || op == Op::LdIndB) ? 1 : (op == Op::LdAbsH || op == Op::LdIndH) ? 2 : 4;
            for (uint32_t i = 1; i <= 5; ++i)
                r[i].init = false;
            if (offset + size > m_packet.size()) {
                m_exit_zero = true;
                m_stop = true;
                return false;
            }
            uint64_t v = size == 1 ? m_packet[offset]
                : size == 2        ? (static_cast<uint64_t>(m_packet[offset]) << 8) | m_packet[offset + 1]
                                   : (static_cast<uint64_t>(m_packet[offset]) << 24) | (static_cast<uint64_t>(m_packet[offset + 1]) << 16)
                        | (static_cast<uint64_t>(m_packet[offset + 2]) << 8) | m_packet[offset + 3];
            r[0] = { v, true };
            ++pc;
            continue;
        }
        default:
            break;
        }
        if ((op >= Op::LdxB && op <= Op::LdxsW) || (op >= Op::LoadAcquireB && op <= Op::LoadAcquireDW)) {
            if (!rd(insn.src, b))
                return false;
            MemOp m = mem_op(op);
            uint64_t address = b + static_cast<int64_t>(insn.offset);
            if (!check_memory(pc, address, m.size, false, depth))
                return false;
            uint64_t v = m.size == 1 ? (m.sign ? static_cast<uint64_t>(static_cast<int64_t>(load<int8_t>(address))) : load<uint8_t>(address))
                : m.size == 2        ? (m.sign ? static_cast<uint64_t>(static_cast<int64_t>(load<int16_t>(address))) : load<uint16_t>(address))
                : m.size == 4        ? (m.sign ? static_cast<uint64_t>(static_cast<int64_t>(load<int32_t>(address))) : load<uint32_t>(address))
                                     : load<uint64_t>(address);
            r[insn.dst] = { v, true };
            ++pc;
            continue;
        }
        if ((op >= Op::StB && op <= Op::StxDW) || (op >= Op::StoreReleaseB && op <= Op::StoreReleaseDW)) {
            if (!rd(insn.dst, a))
                return false;
            uint64_t value = insn.imm;
            if (op >= Op::StxB) {
                if (!rd(insn.src, value))
                    return false;
            }
            MemOp m = mem_op(op);
            uint64_t address = a + static_cast<int64_t>(insn.offset);
            if (!check_memory(pc, address, m.size, true, depth))
                return false;
            if (m.size == 1)
                store<uint8_t>(address, static_cast<uint8_t>(value));
            else if (m.size == 2)
                store<uint16_t>(address, static_cast<uint16_t>(value));
            else if (m.size == 4)
                store<uint32_t>(address, static_cast<uint32_t>(value));
            else
                store<uint64_t>(address, value);
            ++pc;
            continue;
        }
        if (op >= Op::AtomicAdd32 && op <= Op::AtomicCmpxchg64) {
            if (!rd(insn.dst, a) || !rd(insn.src, b))
                return false;
            bool is64 = op == Op::AtomicXchg64 || op == Op::AtomicCmpxchg64
                || ((static_cast<uint32_t>(op) - static_cast<uint32_t>(Op::AtomicAdd32)) % 4) % 2 == 1;
            if (op == Op::AtomicXchg32 || op == Op::AtomicCmpxchg32)
                is64 = false;
            uint32_t size = is64 ? 8 : 4;
            uint64_t address = a + static_cast<int64_t>(insn.offset);
            if (address % size)
                return fail(pc, "misaligned atomic access");
            if (!check_memory(pc, address, size, false, depth) || !check_memory(pc, address, size, true, depth))
                return false;
            uint64_t old = is64 ? load<uint64_t>(address) : load<uint32_t>(address);
            uint64_t next = old;
            bool fetch = false;
            switch (op) {
            case Op::AtomicAdd32: case Op::AtomicAdd64: case Op::AtomicAddFetch32: case Op::AtomicAddFetch64:
                next = old + b;
                fetch = op == Op::AtomicAddFetch32 || op == Op::AtomicAddFetch64;
                break;
            case Op::AtomicOr32: case Op::AtomicOr64: case Op::AtomicOrFetch32: case Op::AtomicOrFetch64:
                next = old | b;
                fetch = op == Op::AtomicOrFetch32 || op == Op::AtomicOrFetch64;
                break;
            case Op::AtomicAnd32: case Op::AtomicAnd64: case Op::AtomicAndFetch32: case Op::AtomicAndFetch64:
                next = old & b;
                fetch = op == Op::AtomicAndFetch32 || op == Op::AtomicAndFetch64;
                break;
            case Op::AtomicXor32: case Op::AtomicXor64: case Op::AtomicXorFetch32: case Op::AtomicXorFetch64:
                next = old ^ b;
                fetch = op == Op::AtomicXorFetch32 || op == Op::AtomicXorFetch64;
                break;
            case Op::AtomicXchg32: case Op::AtomicXchg64:
                next = b;
                fetch = true;
                break;
            default: { // cmpxchg
                uint64_t expected;
                if (!rd(0, expected))
                    return false;
                if ((is64 ? expected : static_cast<uint32_t>(expected)) == old)
                    next = b;
                r[0] = { old, true };
                break;
            }
            }
            if (is64)
                store<uint64_t>(address, next);
            else
                store<uint32_t>(address, static_cast<uint32_t>(next));
            if (fetch)
                r[insn.src] = { old, true };
            ++pc;
            continue;
        }
        if (op == Op::Ja || op == Op::Gotol) {
            pc = insn.target;
            continue;
        }
        if (op >= Op::JeqImm && op <= Op::Jset32Reg) {
            uint32_t index = static_cast<uint32_t>(op) - static_cast<uint32_t>(Op::JeqImm);
            Op base = static_cast<Op>(static_cast<uint32_t>(Op::JeqImm) + (index / 4) * 4);
            bool is32 = (index % 4) >= 2;
            bool reg = index % 2;
            if (!rd(insn.dst, a))
                return false;
            if (reg) {
                if (!rd(insn.src, b))
                    return false;
            } else {
                b = is32 ? static_cast<uint32_t>(insn.imm) : insn.imm;
            }
            pc = jump_taken(base, a, b, is32) ? insn.target : pc + 1;
            continue;
        }
        if (op == Op::Call || op == Op::CallUnwind || op == Op::TailCall) {
            if (!call_helper(pc, insn, r, depth))
                return false;
            ++pc;
            continue;
        }
        if (op == Op::CallLocal) {
            Reg ret;
            if (!execute(insn.target, r, depth + 1, ret))
                return false;
            for (uint32_t i = 1; i <= 5; ++i)
                r[i].init = false;
            r[0] = ret;
            ++pc;
            continue;
        }
        if (op == Op::Exit) {
            if (!r[0].init)
                return fail(pc, "exit with uninitialized r0");
            result = r[0];
            return true;
        }
        return fail(pc, "unexpected instruction %s", op_name(op));
    }
}

SafetyResult Oracle::run()
{
    // Context image in the runtime layout of the program type.
    using bpf::verifier::XdpRuntimeContext;
    bpf::verifier::register_default_program_types();
    auto const* ops = bpf::verifier::program_type_ops(m_config.prog_type);
    m_packet = m_config.packet;
    if (m_config.prog_type == BPF_PROG_TYPE_XDP) {
        m_context.assign(sizeof(XdpRuntimeContext), 0);
        XdpRuntimeContext ctx {};
        std::memcpy(&ctx, m_config.ctx.data(), std::min<size_t>(m_config.ctx.size(), 24));
        ctx.data = reinterpret_cast<uint64_t>(m_packet.data());
        ctx.data_end = ctx.data + m_packet.size();
        ctx.data_meta = ctx.data;
        std::memcpy(m_context.data(), &ctx, sizeof(ctx));
    } else {
        m_context.assign(ops ? ops->runtime_context_size : 256, 0);
        std::memcpy(m_context.data(), m_config.ctx.data(), std::min(m_config.ctx.size(), m_context.size()));
        if (m_config.prog_type == BPF_PROG_TYPE_SOCKET_FILTER && m_config.ctx.size() < 4) {
            uint32_t length = static_cast<uint32_t>(m_packet.size());
            std::memcpy(m_context.data(), &length, 4);
        }
    }
    for (auto const& map : m_maps.maps()) {
        m_map_addresses.insert(reinterpret_cast<uint64_t>(map.ptr()));
        if (map->type() == BPF_MAP_TYPE_ARRAY) {
            auto& array = static_cast<bpf::ArrayMap&>(*map);
            for (uint32_t i = 0; i < map->max_entries() && i < 4096; ++i)
                add_region(reinterpret_cast<uint64_t>(array.element(i)), map->value_size());
        }
    }
    Reg args[6] {};
    args[1] = { reinterpret_cast<uint64_t>(m_context.data()), true };
    Reg r0;
    bool ok = execute(0, args, 0, r0);
    m_result.executed = m_executed;
    if (ok) {
        m_result.r0 = r0.value;
    } else if (m_exit_zero && !m_result.violation) {
        m_result.r0 = 0;
    }
    return m_result;
}

SafetyResult safety_run(bpf::verifier::VerifiedProgram const& verified, MapSet& maps, SafetyRunConfig const& config)
{
    std::vector<RawInstruction> code(verified.xlated.begin(), verified.xlated.end());
    for (size_t i = 0; i + 1 < code.size(); ++i) {
        if (code[i].opcode != encoding::lddw_opcode)
            continue;
        if (code[i].src != encoding::pseudo_func)
            code[i].src = encoding::pseudo_none;
        ++i;
    }
    SafetyResult result;
    Diagnostic diag;
    auto decoded = decode(Span<RawInstruction const>(code.data(), code.size()), &diag);
    if (decoded.is_error()) {
        result.violation = true;
        result.message = std::string("xlated program does not decode: ") + diag.message();
        return result;
    }
    std::vector<Instruction> instructions(decoded.value().begin(), decoded.value().end());
    Oracle oracle(std::move(instructions), maps, config);
    return oracle.run();
}

}
