// The soundness fuzzer (see Fuzzer.h).
#include "Fuzzer.h"
#include "SafetyInterpreter.h"
#include "VerifierHarness.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "bpf/verifier/KernelDisasm.h"
#include <cstring>
#include <linux/bpf.h>

namespace verifier_fuzz {

using bpf::isa::RawInstruction;
using namespace bpf::isa::encoding;

namespace {

class Rng {
public:
    explicit Rng(uint64_t seed)
        : m_state(seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull)
    {
        next();
    }
    uint64_t next()
    {
        m_state ^= m_state << 13;
        m_state ^= m_state >> 7;
        m_state ^= m_state << 17;
        return m_state;
    }
    uint32_t below(uint32_t n) { return n ? static_cast<uint32_t>(next() % n) : 0; }
    bool chance(uint32_t percent) { return below(100) < percent; }
    int32_t range(int32_t low, int32_t high) { return low + static_cast<int32_t>(below(static_cast<uint32_t>(high - low + 1))); }

private:
    uint64_t m_state;
};

// Maps every fuzz program may use (fd = index).
constexpr uint32_t map_array = 0;      // array, key 4, value 64, 4 entries
constexpr uint32_t map_hash = 1;       // hash, key 8, value 32, 16 entries
constexpr uint32_t map_ringbuf = 2;    // ringbuf 4096
constexpr uint32_t map_single = 3;     // array, key 4, value 8, 1 entry (direct value access)
constexpr uint32_t map_percpu = 4;     // percpu array, key 4, value 16, 2 entries
uint32_t const value_sizes[] = { 64, 32, 0, 8, 16 };

enum class Kind : uint8_t {
    Unknown,
    Scalar,
    Ctx,
    Packet,
    PacketEnd,
    MapValue,
    Stack,
};

class Generator {
public:
    Generator(uint64_t seed, uint64_t index)
        : m_rng(seed ^ (index * 0xd1b54a32d192ed03ull))
    {
    }

    FuzzProgram build();

private:
    void emit(uint8_t opcode, uint8_t dst, uint8_t src, int16_t off, int32_t imm) { m_code.push_back(RawInstruction::make(opcode, dst, src, off, imm)); }
    void lddw(uint8_t dst, uint8_t pseudo, int32_t imm, int32_t next_imm)
    {
        emit(lddw_opcode, dst, pseudo, 0, imm);
        emit(0, 0, 0, 0, next_imm);
    }
    size_t jump_placeholder(uint8_t opcode, uint8_t dst, uint8_t src, int32_t imm)
    {
        emit(opcode, dst, src, 0, imm);
        return m_code.size() - 1;
    }
    void patch_to_here(size_t at) { m_code[at].offset = static_cast<int16_t>(static_cast<int64_t>(m_code.size()) - static_cast<int64_t>(at) - 1); }
    uint8_t reg(bool allow_r0 = true)
    {
        // Mostly registers that hold something; sometimes any (an uninitialized read to reject).
        if (m_rng.chance(95)) {
            uint8_t found[11];
            uint32_t count = 0;
            for (uint8_t r = allow_r0 ? 0 : 1; r < 10; ++r) {
                if (m_kind[r] != Kind::Unknown)
                    found[count++] = r;
            }
            if (count)
                return found[m_rng.below(count)];
        }
        return static_cast<uint8_t>(allow_r0 ? m_rng.below(10) : 1 + m_rng.below(9));
    }
    uint8_t any_reg() { return static_cast<uint8_t>(m_rng.below(10)); }
    // A choice that keeps the program valid with probability `percent`; always in careful
    // programs (half of them), so that many programs pass and run.
    bool valid(uint32_t percent) { return m_careful || m_rng.chance(percent); }
    bool has(Kind kind) const
    {
        for (u8 r = 0; r < 10; ++r) {
            if (m_kind[r] == kind)
                return true;
        }
        return false;
    }
    uint8_t reg_of(Kind kind)
    {
        uint8_t found[11];
        uint32_t count = 0;
        for (uint8_t r = 0; r < 10; ++r) {
            if (m_kind[r] == kind)
                found[count++] = r;
        }
        if (!count || !valid(90))
            return reg();
        return found[m_rng.below(count)];
    }
    int32_t small_imm()
    {
        switch (m_rng.below(6)) {
        case 0:
            return m_rng.range(-4, 4);
        case 1:
            return m_rng.range(0, 64);
        case 2:
            return m_rng.range(-600, 600);
        case 3:
            return static_cast<int32_t>(m_rng.next());
        case 4:
            return 1 << m_rng.below(31);
        default:
            return m_rng.range(0, 16) * 8;
        }
    }
    int16_t stack_offset()
    {
        if (m_careful)
            return static_cast<int16_t>(-8 * m_rng.range(1, 8));
        if (m_rng.chance(85))
            return static_cast<int16_t>(-8 * m_rng.range(1, 12) + (m_rng.chance(15) ? m_rng.range(0, 7) : 0));
        return static_cast<int16_t>(m_rng.range(-520, 8));
    }
    uint8_t size_bits()
    {
        static uint8_t const sizes[] = { size_b, size_h, size_w, size_dw };
        return sizes[m_rng.below(4)];
    }

    void scalar_init();
    void alu();
    void stack_store();
    void stack_load();
    void map_lookup();
    void map_value_access();
    void packet_access();
    void ctx_load();
    void branch_block(int depth);
    void loop(int depth);
    void misc_helper();
    void ringbuf();
    void probe_read();
    void atomic();
    void subprog_call();
    void bpf_loop();
    void early_exit();
    void direct_value();
    void context_helper();
    void snippet(int depth);
    void subprogram_body(uint32_t index);

    Rng m_rng;
    std::vector<RawInstruction> m_code;
    Kind m_kind[11] {};
    uint32_t m_value_size[11] {}; // MapValue registers: the value size
    uint32_t m_prog_type { BPF_PROG_TYPE_XDP };
    struct PendingCall {
        size_t at;
        uint32_t subprog;
        bool is_function_reference;
    };
    std::vector<PendingCall> m_calls;
    uint32_t m_subprog_count { 0 };
    bool m_in_subprog { false };
    bool m_careful { false };
};

void Generator::scalar_init()
{
    uint8_t dst = any_reg();
    switch (m_rng.below(4)) {
    case 0:
        emit(class_alu64 | alu_mov | source_k, dst, 0, 0, small_imm());
        break;
    case 1:
        emit(class_alu | alu_mov | source_k, dst, 0, 0, small_imm());
        break;
    case 2:
        lddw(dst, 0, static_cast<int32_t>(m_rng.next()), static_cast<int32_t>(m_rng.next()));
        break;
    default:
        emit(class_jmp | jmp_call, 0, 0, 0, BPF_FUNC_get_prandom_u32);
        for (uint8_t r = 1; r <= 5; ++r)
            m_kind[r] = Kind::Unknown;
        dst = 0;
        if (m_rng.chance(50))
            emit(class_alu64 | alu_and | source_k, 0, 0, 0, m_rng.range(1, 255));
        break;
    }
    m_kind[dst] = Kind::Scalar;
}

void Generator::alu()
{
    static uint8_t const ops[] = { alu_add, alu_sub, alu_mul, alu_div, alu_or, alu_and, alu_lsh, alu_rsh, alu_neg, alu_mod, alu_xor, alu_mov, alu_arsh, alu_end };
    uint8_t op = ops[m_rng.below(sizeof(ops))];
    uint8_t cls = m_rng.chance(70) ? class_alu64 : class_alu;
    uint8_t dst = m_rng.chance(60) || m_careful ? reg_of(Kind::Scalar) : reg(true);
    if (m_careful && m_kind[dst] != Kind::Scalar)
        return;
    if (op == alu_end) {
        static int32_t const widths[] = { 16, 32, 64 };
        emit(cls | alu_end | (cls == class_alu && m_rng.chance(50) ? source_x : source_k), dst, 0, 0, widths[m_rng.below(3)]);
        m_kind[dst] = Kind::Scalar;
        return;
    }
    if (op == alu_neg) {
        emit(cls | alu_neg, dst, 0, 0, 0);
        return;
    }
    bool use_reg = m_rng.chance(40);
    int16_t offset = 0;
    if ((op == alu_div || op == alu_mod) && m_rng.chance(20))
        offset = 1;
    if (op == alu_mov && use_reg && m_rng.chance(20)) {
        static int16_t const widths[] = { 8, 16, 32 };
        offset = widths[m_rng.below(cls == class_alu64 ? 3 : 2)];
    }
    if (use_reg) {
        uint8_t src = m_rng.chance(50) || m_careful ? reg_of(Kind::Scalar) : reg(true);
        if (m_careful && m_kind[src] != Kind::Scalar)
            return;
        emit(cls | op | source_x, dst, src, offset, 0);
        m_kind[dst] = op == alu_mov ? (cls == class_alu64 && !offset ? m_kind[src] : Kind::Scalar) : m_kind[dst];
    } else {
        int32_t imm = small_imm();
        if (op == alu_lsh || op == alu_rsh || op == alu_arsh)
            imm = m_rng.chance(95) ? m_rng.range(0, cls == class_alu64 ? 63 : 31) : m_rng.range(-2, 70);
        if ((op == alu_div || op == alu_mod) && imm == 0 && m_rng.chance(90))
            imm = 3;
        emit(cls | op | source_k, dst, 0, offset, imm);
        if (op == alu_mov)
            m_kind[dst] = Kind::Scalar;
    }
    if (cls == class_alu && m_kind[dst] != Kind::Unknown)
        m_kind[dst] = Kind::Scalar;
}

void Generator::stack_store()
{
    int16_t off = stack_offset();
    uint8_t size = m_careful ? size_dw : size_bits();
    if (m_rng.chance(50)) {
        emit(class_st | mode_mem | size, 10, 0, off, small_imm());
    } else {
        uint8_t src = reg(true);
        if (m_careful && m_kind[src] == Kind::Unknown)
            return;
        emit(class_stx | mode_mem | size, 10, src, off, 0);
    }
}

void Generator::stack_load()
{
    uint8_t dst = any_reg();
    uint8_t base = 10;
    if (m_rng.chance(20))
        base = reg_of(Kind::Stack);
    if (m_careful)
        base = 10;
    emit(class_ldx | (m_rng.chance(15) ? mode_memsx : mode_mem) | (m_careful ? size_dw : size_bits()), dst, base, stack_offset(), 0);
    if (m_code.back().opcode == (class_ldx | mode_memsx | size_dw))
        m_code.back().opcode = class_ldx | mode_mem | size_dw;
    m_kind[dst] = Kind::Scalar;
}

void Generator::map_lookup()
{
    uint32_t map = m_rng.chance(15) ? map_percpu : m_rng.chance(40) ? map_hash : map_array;
    if (!valid(95))
        map = m_rng.below(5);
    int16_t key_off = static_cast<int16_t>(-8 * m_rng.range(1, 4));
    if (valid(90)) {
        if (m_rng.chance(50) || m_careful)
            emit(class_st | mode_mem | size_dw, 10, 0, key_off, m_rng.range(0, 6));
        else
            emit(class_stx | mode_mem | size_dw, 10, reg_of(Kind::Scalar), key_off, 0);
    }
    lddw(1, pseudo_map_fd, static_cast<int32_t>(map), 0);
    emit(class_alu64 | alu_mov | source_x, 2, 10, 0, 0);
    emit(class_alu64 | alu_add | source_k, 2, 0, 0, key_off + (!valid(95) ? m_rng.range(-8, 8) : 0));
    emit(class_jmp | jmp_call, 0, 0, 0, BPF_FUNC_map_lookup_elem);
    for (uint8_t r = 1; r <= 5; ++r)
        m_kind[r] = Kind::Unknown;
    m_kind[0] = Kind::MapValue;
    m_value_size[0] = value_sizes[map];
    uint8_t holder = static_cast<uint8_t>(6 + m_rng.below(4));
    emit(class_alu64 | alu_mov | source_x, holder, 0, 0, 0);
    m_kind[holder] = Kind::MapValue;
    m_value_size[holder] = value_sizes[map];
    if (valid(92)) {
        size_t skip = jump_placeholder(class_jmp | jmp_jeq | source_k, holder, 0, 0);
        int n = m_rng.range(1, 3);
        for (int i = 0; i < n; ++i)
            map_value_access();
        patch_to_here(skip);
        // After the join the holder may be NULL again.
        m_kind[holder] = Kind::Unknown;
    } else {
        map_value_access();
    }
}

void Generator::map_value_access()
{
    if (m_careful && !has(Kind::MapValue))
        return;
    uint8_t base = reg_of(Kind::MapValue);
    uint32_t value_size = m_kind[base] == Kind::MapValue && m_value_size[base] ? m_value_size[base] : 64;
    uint8_t size = size_bits();
    uint32_t bytes = size == size_b ? 1 : size == size_h ? 2 : size == size_w ? 4 : 8;
    if (m_rng.chance(50)) {
        int16_t off = static_cast<int16_t>(valid(85) ? m_rng.range(0, static_cast<int32_t>(value_size - bytes)) / static_cast<int32_t>(bytes) * static_cast<int32_t>(bytes)
                                                      : m_rng.range(-8, 72));
        if (m_rng.chance(50))
            emit(class_ldx | mode_mem | size, reg(true), base, off, 0);
        else
            emit(class_stx | mode_mem | size, base, reg_of(Kind::Scalar), off, 0);
        return;
    }
    // Variable offset: bound a scalar, add it to a copy of the pointer, access.
    uint8_t index = reg_of(Kind::Scalar);
    uint8_t copy = static_cast<uint8_t>(m_rng.below(10));
    if (copy == index)
        copy = static_cast<uint8_t>((copy + 1) % 10);
    int32_t limit = valid(70) ? m_rng.range(0, static_cast<int32_t>(value_size) - 1) : small_imm();
    static uint8_t const checks[] = { jmp_jgt, jmp_jge, jmp_jsgt, jmp_jlt, jmp_jle, jmp_jne, jmp_jset, jmp_jslt };
    uint8_t check = m_careful ? jmp_jgt : checks[m_rng.below(sizeof(checks))];
    bool check32 = !m_careful && m_rng.chance(20);
    size_t skip = jump_placeholder((check32 ? class_jmp32 : class_jmp) | check | source_k, index, 0, limit);
    if (m_rng.chance(30))
        emit(class_alu64 | alu_and | source_k, index, 0, 0, m_rng.range(0, 63));
    emit(class_alu64 | alu_mov | source_x, copy, base, 0, 0);
    emit(class_alu64 | (valid(90) ? alu_add : alu_sub) | source_x, copy, index, 0, 0);
    int16_t off = static_cast<int16_t>(m_careful ? 0 : m_rng.range(-4, 8));
    if (m_careful)
        size = size_b;
    if (m_rng.chance(60))
        emit(class_ldx | mode_mem | size, reg(true), copy, off, 0);
    else
        emit(class_st | mode_mem | size, copy, 0, off, small_imm());
    patch_to_here(skip);
    m_kind[copy] = Kind::Unknown;
}

void Generator::packet_access()
{
    if (m_prog_type != BPF_PROG_TYPE_XDP) {
        ctx_load();
        return;
    }
    uint8_t data = static_cast<uint8_t>(2 + m_rng.below(3));
    uint8_t end = static_cast<uint8_t>(data == 4 ? 5 : data + 1);
    uint8_t cursor = static_cast<uint8_t>(end == 5 ? 6 : end + 1);
    if (m_kind[1] != Kind::Ctx && m_rng.chance(80)) {
        emit(class_ldx | mode_mem | size_w, 0, 6, 0, 0); // keep r6 = ctx convention below
        m_code.pop_back();
    }
    uint8_t ctx = m_kind[1] == Kind::Ctx ? 1 : 6;
    emit(class_ldx | mode_mem | size_w, data, ctx, 0, 0);
    emit(class_ldx | mode_mem | size_w, end, ctx, 4, 0);
    m_kind[data] = Kind::Packet;
    m_kind[end] = Kind::PacketEnd;
    int32_t n = m_rng.range(0, 64);
    emit(class_alu64 | alu_mov | source_x, cursor, data, 0, 0);
    bool variable = m_rng.chance(30);
    if (variable) {
        uint8_t index = reg_of(Kind::Scalar);
        if (index == cursor || index == data || index == end)
            index = 0;
        emit(class_alu64 | alu_and | source_k, index, 0, 0, m_rng.range(0, 31));
        emit(class_alu64 | alu_add | source_x, cursor, index, 0, 0);
    }
    emit(class_alu64 | alu_add | source_k, cursor, 0, 0, n);
    static uint8_t const forms[] = { jmp_jgt, jmp_jge, jmp_jlt, jmp_jle };
    uint8_t form = forms[m_rng.below(4)];
    bool swapped = m_rng.chance(30);
    size_t skip;
    // Jump away when the cursor passes the end; accesses follow in the fall-through.
    if (!swapped)
        skip = jump_placeholder(class_jmp | (form == jmp_jlt || form == jmp_jle ? jmp_jgt : form) | source_x, cursor, end, 0);
    else
        skip = jump_placeholder(class_jmp | (form == jmp_jgt || form == jmp_jge ? jmp_jlt : form) | source_x, end, cursor, 0);
    int accesses = m_rng.range(1, 3);
    for (int i = 0; i < accesses; ++i) {
        uint8_t size = size_bits();
        int32_t bytes = size == size_b ? 1 : size == size_h ? 2 : size == size_w ? 4 : 8;
        int16_t off = static_cast<int16_t>(m_careful ? m_rng.range(0, n >= bytes ? n - bytes : 0)
                : m_rng.chance(80)                   ? m_rng.range(-1, n)
                                                     : m_rng.range(-8, n + 8));
        if (m_careful && n < bytes)
            break;
        uint8_t base = variable && m_rng.chance(50) ? cursor : data;
        if (base == cursor)
            off = static_cast<int16_t>(off - n);
        if (m_rng.chance(70))
            emit(class_ldx | mode_mem | size, 0, base, off, 0);
        else
            emit(class_st | mode_mem | size, base, 0, off, small_imm());
        m_kind[0] = Kind::Scalar;
    }
    patch_to_here(skip);
}

void Generator::ctx_load()
{
    uint8_t ctx = 1;
    if (m_kind[1] != Kind::Ctx) {
        if (m_kind[6] == Kind::Ctx)
            ctx = 6;
        else
            return;
    }
    uint8_t dst = static_cast<uint8_t>(m_rng.below(6) + (ctx == 1 ? 2 : 0));
    int16_t off = static_cast<int16_t>(valid(80) ? m_rng.range(0, 48) / 4 * 4 : m_rng.range(-4, 200));
    uint8_t size = size_bits();
    if (m_careful) {
        if (m_prog_type == BPF_PROG_TYPE_XDP) {
            off = static_cast<int16_t>(m_rng.range(3, 4) * 4);
            size = size_w;
        } else if (m_prog_type == BPF_PROG_TYPE_KPROBE) {
            off = static_cast<int16_t>(m_rng.range(0, 20) * 8);
            size = size_dw;
        } else {
            off = static_cast<int16_t>(m_rng.range(0, 11) * 4);
            size = size_w;
        }
    }
    emit(class_ldx | mode_mem | size, dst, ctx, off, 0);
    m_kind[dst] = Kind::Scalar;
}

void Generator::branch_block(int depth)
{
    static uint8_t const ops[] = { jmp_jeq, jmp_jne, jmp_jgt, jmp_jge, jmp_jlt, jmp_jle, jmp_jsgt, jmp_jsge, jmp_jslt, jmp_jsle, jmp_jset };
    uint8_t op = ops[m_rng.below(sizeof(ops))];
    uint8_t cls = m_rng.chance(25) ? class_jmp32 : class_jmp;
    uint8_t dst = m_rng.chance(70) ? reg_of(Kind::Scalar) : reg(true);
    size_t at;
    if (m_rng.chance(35))
        at = jump_placeholder(cls | op | source_x, dst, reg(true), 0);
    else
        at = jump_placeholder(cls | op | source_k, dst, 0, small_imm());
    Kind saved[11];
    std::memcpy(saved, m_kind, sizeof(saved));
    int n = m_rng.range(1, 4);
    for (int i = 0; i < n; ++i)
        snippet(depth + 1);
    patch_to_here(at);
    for (int r = 0; r < 11; ++r) {
        if (m_kind[r] != saved[r])
            m_kind[r] = Kind::Unknown;
    }
}

void Generator::loop(int depth)
{
    uint8_t counter = static_cast<uint8_t>(6 + m_rng.below(4));
    emit(class_alu64 | alu_mov | source_k, counter, 0, 0, m_rng.range(0, 3));
    size_t top = m_code.size();
    int n = m_rng.range(1, 3);
    for (int i = 0; i < n; ++i)
        snippet(depth + 1);
    emit(class_alu64 | alu_add | source_k, counter, 0, 0, m_rng.chance(95) ? 1 : m_rng.range(-1, 3));
    int32_t bound = m_rng.range(1, 12);
    uint8_t op = m_rng.chance(70) ? jmp_jlt : m_rng.chance(50) ? jmp_jne : jmp_jsle;
    emit(class_jmp | op | source_k, counter, 0, static_cast<int16_t>(static_cast<int64_t>(top) - static_cast<int64_t>(m_code.size()) - 1), bound);
    m_kind[counter] = Kind::Scalar;
}

void Generator::misc_helper()
{
    static int32_t const ids[] = { BPF_FUNC_ktime_get_ns, BPF_FUNC_get_prandom_u32, BPF_FUNC_get_smp_processor_id, BPF_FUNC_ktime_get_boot_ns };
    emit(class_jmp | jmp_call, 0, 0, 0, ids[m_rng.below(4)]);
    for (uint8_t r = 1; r <= 5; ++r)
        m_kind[r] = Kind::Unknown;
    m_kind[0] = Kind::Scalar;
}

void Generator::ringbuf()
{
    uint8_t holder = static_cast<uint8_t>(6 + m_rng.below(4));
    int32_t size = m_rng.chance(85) ? m_rng.range(1, 8) * 8 : m_rng.range(0, 80);
    lddw(1, pseudo_map_fd, static_cast<int32_t>(m_rng.chance(95) ? map_ringbuf : map_array), 0);
    emit(class_alu64 | alu_mov | source_k, 2, 0, 0, size);
    emit(class_alu64 | alu_mov | source_k, 3, 0, 0, 0);
    emit(class_jmp | jmp_call, 0, 0, 0, BPF_FUNC_ringbuf_reserve);
    emit(class_alu64 | alu_mov | source_x, holder, 0, 0, 0);
    size_t skip = m_rng.chance(95) ? jump_placeholder(class_jmp | jmp_jeq | source_k, holder, 0, 0) : SIZE_MAX;
    int writes = m_rng.range(0, 3);
    for (int i = 0; i < writes; ++i) {
        int16_t off = static_cast<int16_t>(m_rng.chance(85) ? m_rng.range(0, size > 8 ? size - 8 : 0) / 8 * 8 : m_rng.range(-8, size + 8));
        emit(class_st | mode_mem | size_dw, holder, 0, off, small_imm());
    }
    if (m_rng.chance(95)) {
        emit(class_alu64 | alu_mov | source_x, 1, holder, 0, 0);
        emit(class_alu64 | alu_mov | source_k, 2, 0, 0, 0);
        emit(class_jmp | jmp_call, 0, 0, 0, m_rng.chance(60) ? BPF_FUNC_ringbuf_submit : BPF_FUNC_ringbuf_discard);
    }
    if (m_rng.chance(5))
        emit(class_stx | mode_mem | size_dw, holder, 0, 0, 0); // use after release
    if (skip != SIZE_MAX)
        patch_to_here(skip);
    for (uint8_t r = 0; r <= 5; ++r)
        m_kind[r] = Kind::Unknown;
    m_kind[holder] = Kind::Unknown;
}

void Generator::probe_read()
{
    int16_t off = static_cast<int16_t>(-8 * m_rng.range(1, 8));
    emit(class_alu64 | alu_mov | source_x, 1, 10, 0, 0);
    emit(class_alu64 | alu_add | source_k, 1, 0, 0, off);
    emit(class_alu64 | alu_mov | source_k, 2, 0, 0, m_rng.chance(85) ? m_rng.range(1, -off) : m_rng.range(0, 80));
    emit(class_alu64 | alu_mov | source_k, 3, 0, 0, 0);
    emit(class_jmp | jmp_call, 0, 0, 0, BPF_FUNC_probe_read_kernel);
    for (uint8_t r = 1; r <= 5; ++r)
        m_kind[r] = Kind::Unknown;
    m_kind[0] = Kind::Scalar;
}

void Generator::atomic()
{
    static int32_t const ops[] = { atomic_add, atomic_or, atomic_and, atomic_xor, atomic_add | atomic_fetch, atomic_xchg, atomic_cmpxchg };
    int32_t op = ops[m_rng.below(sizeof(ops) / sizeof(ops[0]))];
    uint8_t size = m_rng.chance(50) ? size_dw : size_w;
    uint8_t base = m_rng.chance(60) || m_careful ? 10 : reg_of(Kind::MapValue);
    int16_t off = base == 10 ? static_cast<int16_t>(-8 * m_rng.range(1, 8)) : static_cast<int16_t>(m_rng.range(0, 7) * 8);
    uint8_t src = reg_of(Kind::Scalar);
    emit(class_stx | mode_atomic | size, base, src, off, op);
    if (op & atomic_fetch)
        m_kind[op == atomic_cmpxchg ? 0 : src] = Kind::Scalar;
}

void Generator::subprog_call()
{
    if (m_in_subprog || m_subprog_count >= 3)
        return;
    for (uint8_t r = 1; r <= 5; ++r) {
        if (m_rng.chance(60))
            emit(class_alu64 | alu_mov | source_k, r, 0, 0, small_imm());
    }
    if (m_rng.chance(40)) {
        emit(class_alu64 | alu_mov | source_x, 1, 10, 0, 0);
        emit(class_alu64 | alu_add | source_k, 1, 0, 0, -8 * m_rng.range(1, 6));
    }
    m_calls.push_back({ m_code.size(), m_subprog_count++, false });
    emit(class_jmp | jmp_call, 0, call_pseudo, 0, 0);
    for (uint8_t r = 1; r <= 5; ++r)
        m_kind[r] = Kind::Unknown;
    m_kind[0] = Kind::Scalar;
}

void Generator::bpf_loop()
{
    if (m_in_subprog || m_subprog_count >= 3)
        return;
    emit(class_alu64 | alu_mov | source_k, 1, 0, 0, m_rng.chance(80) ? m_rng.range(0, 8) : m_rng.range(0, 40));
    m_calls.push_back({ m_code.size(), m_subprog_count++, true });
    lddw(2, pseudo_func, 0, 0);
    if (m_rng.chance(70)) {
        emit(class_alu64 | alu_mov | source_x, 3, 10, 0, 0);
        emit(class_alu64 | alu_add | source_k, 3, 0, 0, -8 * m_rng.range(1, 6));
    } else {
        emit(class_alu64 | alu_mov | source_k, 3, 0, 0, 0);
    }
    emit(class_alu64 | alu_mov | source_k, 4, 0, 0, 0);
    emit(class_jmp | jmp_call, 0, 0, 0, BPF_FUNC_loop);
    for (uint8_t r = 1; r <= 5; ++r)
        m_kind[r] = Kind::Unknown;
    m_kind[0] = Kind::Scalar;
}

void Generator::early_exit()
{
    // if (dst <= imm) skip the exit; otherwise return early.
    uint8_t dst = reg_of(Kind::Scalar);
    emit(class_jmp | jmp_jle | source_k, dst, 0, 2, small_imm());
    emit(class_alu64 | alu_mov | source_k, 0, 0, 0, m_rng.range(0, 3));
    emit(class_jmp | jmp_exit, 0, 0, 0, 0);
}

void Generator::direct_value()
{
    uint8_t dst = static_cast<uint8_t>(m_rng.below(10));
    int32_t off = valid(90) ? m_rng.range(0, 7) : m_rng.range(0, 12);
    lddw(dst, pseudo_map_value, static_cast<int32_t>(map_single), off);
    m_kind[dst] = Kind::MapValue;
    m_value_size[dst] = static_cast<uint32_t>(8 - (off < 8 ? off : 0));
}

// bpf_skb_load_bytes into the stack (socket filters), bpf_xdp_adjust_head/tail (XDP: every
// packet pointer is dead afterwards).
void Generator::context_helper()
{
    if (m_prog_type != BPF_PROG_TYPE_SOCKET_FILTER && m_prog_type != BPF_PROG_TYPE_XDP)
        return;
    uint8_t ctx = reg_of(Kind::Ctx);
    if (ctx != 1)
        emit(class_alu64 | alu_mov | source_x, 1, ctx, 0, 0);
    if (m_prog_type == BPF_PROG_TYPE_SOCKET_FILTER) {
        int16_t off = static_cast<int16_t>(-8 * m_rng.range(1, 8));
        emit(class_alu64 | alu_mov | source_k, 2, 0, 0, valid(85) ? m_rng.range(0, 64) : small_imm());
        emit(class_alu64 | alu_mov | source_x, 3, 10, 0, 0);
        emit(class_alu64 | alu_add | source_k, 3, 0, 0, off);
        emit(class_alu64 | alu_mov | source_k, 4, 0, 0, valid(85) ? m_rng.range(1, -off) : m_rng.range(0, 80));
        emit(class_jmp | jmp_call, 0, 0, 0, BPF_FUNC_skb_load_bytes);
    } else {
        emit(class_alu64 | alu_mov | source_k, 2, 0, 0, valid(85) ? m_rng.range(-16, 16) : small_imm());
        emit(class_jmp | jmp_call, 0, 0, 0, m_rng.chance(50) ? BPF_FUNC_xdp_adjust_head : BPF_FUNC_xdp_adjust_tail);
        for (auto& kind : m_kind) {
            if (kind == Kind::Packet || kind == Kind::PacketEnd)
                kind = Kind::Unknown;
        }
    }
    for (uint8_t r = 1; r <= 5; ++r)
        m_kind[r] = Kind::Unknown;
    m_kind[0] = Kind::Scalar;
}

void Generator::snippet(int depth)
{
    uint32_t pick = m_rng.below(100);
    if (depth > 3 && pick >= 60)
        pick = m_rng.below(60);
    if (pick < 10)
        scalar_init();
    else if (pick < 24)
        alu();
    else if (pick < 31)
        stack_store();
    else if (pick < 37)
        stack_load();
    else if (pick < 45)
        map_lookup();
    else if (pick < 50)
        map_value_access();
    else if (pick < 56)
        packet_access();
    else if (pick < 60)
        ctx_load();
    else if (pick < 72)
        branch_block(depth);
    else if (pick < 75)
        loop(depth);
    else if (pick < 79)
        misc_helper();
    else if (pick < 83)
        ringbuf();
    else if (pick < 85)
        probe_read();
    else if (pick < 89)
        atomic();
    else if (pick < 91)
        subprog_call();
    else if (pick < 93)
        bpf_loop();
    else if (pick < 95)
        early_exit();
    else if (pick < 97)
        context_helper();
    else
        direct_value();
}

void Generator::subprogram_body(uint32_t)
{
    for (auto& kind : m_kind)
        kind = Kind::Unknown;
    m_kind[1] = m_kind[2] = Kind::Scalar;
    m_kind[10] = Kind::Stack;
    m_in_subprog = true;
    int n = m_rng.range(1, 5);
    for (int i = 0; i < n; ++i)
        snippet(3);
    emit(class_alu64 | alu_mov | source_k, 0, 0, 0, m_rng.chance(90) ? m_rng.range(0, 1) : m_rng.range(-1, 3));
    emit(class_jmp | jmp_exit, 0, 0, 0, 0);
}

FuzzProgram Generator::build()
{
    m_careful = m_rng.chance(50);
    uint32_t type_pick = m_rng.below(100);
    m_prog_type = type_pick < 70 ? BPF_PROG_TYPE_XDP : type_pick < 85 ? BPF_PROG_TYPE_SOCKET_FILTER : BPF_PROG_TYPE_KPROBE;
    m_kind[1] = Kind::Ctx;
    m_kind[10] = Kind::Stack;
    if (m_rng.chance(60)) {
        emit(class_alu64 | alu_mov | source_x, 6, 1, 0, 0);
        m_kind[6] = Kind::Ctx;
    }
    if (m_rng.chance(85)) {
        for (uint8_t r = 0; r < 10; ++r) {
            if (m_kind[r] != Kind::Unknown || m_rng.chance(10))
                continue;
            emit(class_alu64 | alu_mov | source_k, r, 0, 0, small_imm());
            m_kind[r] = Kind::Scalar;
        }
    }
    if (m_careful || m_rng.chance(50)) {
        // Some initialized stack to read from.
        for (int s = 1; s <= 8; ++s) {
            if (m_careful || m_rng.chance(70))
                emit(class_st | mode_mem | size_dw, 10, 0, static_cast<int16_t>(-8 * s), small_imm());
        }
    }
    int n = m_rng.range(2, 14);
    for (int i = 0; i < n; ++i)
        snippet(0);
    if (m_rng.chance(90))
        emit(class_alu64 | alu_mov | source_k, 0, 0, 0, m_rng.range(0, 3));
    emit(class_jmp | jmp_exit, 0, 0, 0, 0);
    std::vector<size_t> starts;
    for (uint32_t s = 0; s < m_subprog_count; ++s) {
        starts.push_back(m_code.size());
        subprogram_body(s);
    }
    for (auto const& call : m_calls) {
        int64_t delta = static_cast<int64_t>(starts[call.subprog]) - static_cast<int64_t>(call.at) - 1;
        m_code[call.at].imm = static_cast<int32_t>(delta);
    }
    return { m_prog_type, m_code };
}

}

FuzzProgram generate(uint64_t seed, uint64_t index)
{
    Generator generator(seed, index);
    return generator.build();
}

std::string describe(FuzzProgram const& program)
{
    std::string text = std::string("type ") + bpfvm::program_type_name(program.prog_type) + "\n";
    for (uint32_t i = 0; i < program.instructions.size(); ++i) {
        StringBuilder line;
        uint64_t value = static_cast<uint32_t>(program.instructions[i].imm);
        if (i + 1 < program.instructions.size())
            value |= static_cast<uint64_t>(static_cast<uint32_t>(program.instructions[i + 1].imm)) << 32;
        bpf::verifier::print_kernel_insn(line, program.instructions.data(), static_cast<uint32_t>(program.instructions.size()), i, value);
        text += std::to_string(i) + ": " + std::string(line.view().chars(), line.view().length()) + "\n";
        if (program.instructions[i].opcode == lddw_opcode)
            ++i;
    }
    return text;
}

namespace {

class FuzzEnvironment final : public bpf::HelperEnvironment {
public:
    uint64_t state { 88172645463325252ull };
    uint64_t clock { 1000 };
    u32 prandom_u32() override
    {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return static_cast<u32>(state);
    }
    u64 ktime_ns() override { return clock += 977; }
    u64 ktime_boot_ns() override { return clock += 1013; }
    u32 possible_cpus() override { return 1; }
};

}

void fuzz(uint64_t seed, uint64_t first, uint64_t count, FuzzStats& stats, unsigned runs_per_program)
{
    FuzzEnvironment environment;
    bpf::install_helper_environment(&environment);
    std::string error;
    bpfvm::MapSet maps;
    std::vector<bpfvm::MapSpec> specs;
    for (char const* text : { "array:4:64:4", "hash:8:32:16", "ringbuf:0:0:4096", "array:4:8:1", "percpu_array:4:16:2" })
        specs.push_back(*bpfvm::parse_map_spec(text, error));
    if (!maps.create(specs, error)) {
        stats.examples.push_back("cannot create fuzz maps: " + error);
        ++stats.violations;
        bpf::install_helper_environment(nullptr);
        return;
    }
    Rng inputs(seed ^ 0x5bd1e995ull);
    for (uint64_t i = first; i < first + count; ++i) {
        FuzzProgram program = generate(seed, i);
        ++stats.generated;
        bpfvm::VerifyOptions options;
        options.prog_type = program.prog_type;
        options.log_level = stats.collect_reasons ? 1 : 0;
        auto outcome = bpfvm::run_verifier(program.instructions, maps, options);
        if (outcome.error) {
            if (stats.collect_reasons) {
                auto end = outcome.log.rfind("\nprocessed ");
                auto start = end == std::string::npos ? std::string::npos : outcome.log.rfind('\n', end - 1);
                std::string reason = end == std::string::npos ? "?" : outcome.log.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1));
                for (char& c : reason) {
                    if (c >= '0' && c <= '9')
                        c = 'N';
                }
                ++stats.reasons[reason];
            }
            continue;
        }
        ++stats.accepted;
        for (unsigned run = 0; run < runs_per_program; ++run) {
            bpfvm::SafetyRunConfig config;
            config.prog_type = program.prog_type;
            config.instruction_budget = 2'000'000;
            config.packet.resize(inputs.below(3) == 0 ? inputs.below(16) : inputs.below(128));
            for (auto& byte : config.packet)
                byte = static_cast<uint8_t>(inputs.next());
            config.ctx.resize(256);
            for (auto& byte : config.ctx)
                byte = static_cast<uint8_t>(inputs.next());
            // Random map contents: array values and a few hash entries.
            for (auto const& map : maps.maps()) {
                if (map->type() != BPF_MAP_TYPE_ARRAY && map->type() != BPF_MAP_TYPE_HASH)
                    continue;
                std::vector<uint8_t> key(map->key_size()), value(map->syscall_value_size());
                for (uint32_t k = 0; k < 4; ++k) {
                    std::memset(key.data(), 0, key.size());
                    uint32_t index = map->type() == BPF_MAP_TYPE_ARRAY ? k : inputs.below(8);
                    std::memcpy(key.data(), &index, std::min<size_t>(4, key.size()));
                    for (auto& byte : value)
                        byte = static_cast<uint8_t>(inputs.next());
                    if (k < map->max_entries())
                        (void)map->sys_update(key.data(), value.data(), BPF_ANY, nullptr, bpf::FileAccess::ReadWrite);
                }
            }
            ++stats.runs;
            auto result = bpfvm::safety_run(*outcome.verified, maps, config);
            if (result.budget_exhausted)
                ++stats.budget_stops;
            if (result.violation) {
                ++stats.violations;
                if (stats.examples.size() < 5)
                    stats.examples.push_back("program " + std::to_string(i) + " (seed " + std::to_string(seed) + "): " + result.message + "\n"
                        + describe(program));
                break;
            }
        }
    }
    bpf::install_helper_environment(nullptr);
}

}
