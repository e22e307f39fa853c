// Host execution environments (see PluginEnvironment.h).
#include "PluginEnvironment.h"
#include "bpf/isa/Encoding.h"
#include "bpf/isa/ExecutionState.h"
#include <algorithm>
#include <cstring>

namespace bpfvm {

namespace {

thread_local std::vector<bpf::isa::MemoryRegion> const* t_regions = nullptr;
thread_local uint64_t t_packet_start = 0;
thread_local uint64_t t_packet_size = 0;
thread_local bpf::Program* t_tail_call_primary = nullptr;
thread_local bpf::Program* t_tail_call_secondary = nullptr;
alignas(16) thread_local uint8_t t_fake_map_values[fake_map_count][fake_map_value_size];

// Helpers may only touch the run's memory, its stack or the fake map values.
bool helper_may_access(uint64_t address, uint64_t size)
{
    if (auto* state = bpf::isa::current_execution()) {
        auto stack = reinterpret_cast<uint64_t>(state->stack);
        if (address >= stack && address + size <= stack + sizeof(state->stack))
            return true;
    }
    if (!t_regions)
        return false;
    for (auto const& region : *t_regions) {
        if (address >= region.start && address + size <= region.start + region.size && address + size >= address)
            return true;
    }
    return false;
}

// Longest length available from `address` within one accessible area.
uint64_t accessible_length(uint64_t address)
{
    uint64_t best = 0;
    auto consider = [&](uint64_t start, uint64_t size) {
        if (address >= start && address < start + size)
            best = std::max(best, start + size - address);
    };
    if (auto* state = bpf::isa::current_execution())
        consider(reinterpret_cast<uint64_t>(state->stack), sizeof(state->stack));
    if (t_regions) {
        for (auto const& region : *t_regions)
            consider(region.start, region.size);
    }
    return best;
}

uint64_t gather_bytes(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e)
{
    return (a & 0xff) << 32 | (b & 0xff) << 24 | (c & 0xff) << 16 | (d & 0xff) << 8 | (e & 0xff);
}

uint64_t memfrob(uint64_t pointer, uint64_t length, uint64_t, uint64_t, uint64_t)
{
    if (!helper_may_access(pointer, length))
        return static_cast<uint64_t>(-EFAULT);
    auto* bytes = reinterpret_cast<uint8_t*>(pointer);
    for (uint64_t i = 0; i < length; ++i)
        bytes[i] ^= 42;
    return 0;
}

uint64_t no_op(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) { return 0; }

uint64_t sqrti(uint64_t value, uint64_t, uint64_t, uint64_t, uint64_t)
{
    // Integer square root by bisection: the largest r with r * r <= value.
    uint64_t low = 0, high = 0xffffffffull;
    while (low < high) {
        uint64_t middle = low + (high - low + 1) / 2;
        if (middle * middle <= value)
            low = middle;
        else
            high = middle - 1;
    }
    return low;
}

uint64_t strcmp_ext(uint64_t a, uint64_t b, uint64_t, uint64_t, uint64_t)
{
    uint64_t length = std::min(accessible_length(a), accessible_length(b));
    if (length == 0)
        return static_cast<uint64_t>(-EFAULT);
    return static_cast<uint64_t>(static_cast<int64_t>(
        strncmp(reinterpret_cast<char const*>(a), reinterpret_cast<char const*>(b), length)));
}

uint64_t unwind(uint64_t value, uint64_t, uint64_t, uint64_t, uint64_t) { return value; }

// bpf_loop(nr_loops, callback, ctx, flags): calls callback(i, ctx) until it returns 1.
uint64_t loop_double(uint64_t count, uint64_t callback, uint64_t context, uint64_t flags, uint64_t)
{
    if (flags != 0 || count > (1u << 23))
        return static_cast<uint64_t>(-EINVAL);
    uint64_t i = 0;
    for (; i < count; ++i) {
        if (bpf::call_bpf_function(callback, i, context, 0, 0, 0) == 1) {
            ++i;
            break;
        }
        if (bpf::isa::current_execution()->stop)
            break;
    }
    return i;
}

bool load_packet(uint64_t context, uint32_t offset, uint32_t size, void* out)
{
    if (context != t_packet_start || offset > t_packet_size || size > t_packet_size - offset)
        return false;
    std::memcpy(out, reinterpret_cast<void const*>(t_packet_start + offset), size);
    return true;
}

constexpr bpf::HelperFunction plugin_helpers[] = { gather_bytes, memfrob, no_op, sqrti, strcmp_ext, unwind };

bpf::HelperFunction const* test_helper_table()
{
    static bpf::HelperFunction table[182] = {};
    for (size_t i = 0; i < sizeof(plugin_helpers) / sizeof(plugin_helpers[0]); ++i)
        table[i] = plugin_helpers[i];
    table[181] = loop_double;
    return table;
}

ErrorOr<u64> resolve_pseudo(void*, u8 kind, u32 imm, u32 next_imm)
{
    using namespace bpf::isa::encoding;
    switch (kind) {
    case pseudo_map_fd:
    case pseudo_map_idx:
        if (imm >= fake_map_count)
            return Error(EBADF);
        return fake_map_address(imm);
    case pseudo_map_value:
    case pseudo_map_idx_value:
        if (imm >= fake_map_count || next_imm >= fake_map_value_size)
            return Error(EINVAL);
        return reinterpret_cast<u64>(&t_fake_map_values[imm][0]) + next_imm;
    case pseudo_btf_id:
        return 0xb7f0000000000000ull | imm;
    default:
        return Error(EINVAL);
    }
}

bpf::Program* lookup_tail_call(u64 map, u32 index)
{
    if (map != fake_map_address(1))
        return nullptr;
    if (index == 0)
        return t_tail_call_primary;
    if (index == 1)
        return t_tail_call_secondary;
    return nullptr;
}

}

uint64_t fake_map_address(uint32_t index) { return 0xfa4e000000000000ull | (static_cast<uint64_t>(index) << 8); }

bpf::isa::ExecutionEnvironment plugin_environment()
{
    bpf::isa::ExecutionEnvironment environment;
    environment.helpers = plugin_helpers;
    environment.helper_count = sizeof(plugin_helpers) / sizeof(plugin_helpers[0]);
    environment.unwind_helper_id = 5;
    environment.load_packet = load_packet;
    return environment;
}

bpf::isa::ExecutionEnvironment test_environment()
{
    bpf::isa::ExecutionEnvironment environment = plugin_environment();
    environment.helpers = test_helper_table();
    environment.helper_count = 182;
    return environment;
}

bpf::isa::PseudoResolver const& test_pseudo_resolver()
{
    static bpf::isa::PseudoResolver const resolver { resolve_pseudo, nullptr };
    return resolver;
}

RunScope::RunScope(bpf::Program* program, std::vector<uint8_t>& memory)
{
    m_regions.push_back({ reinterpret_cast<uint64_t>(memory.data()), memory.size() });
    std::memset(t_fake_map_values, 0, sizeof(t_fake_map_values));
    m_regions.push_back({ reinterpret_cast<uint64_t>(&t_fake_map_values[0][0]), sizeof(t_fake_map_values) });
    t_regions = &m_regions;
    t_packet_start = reinterpret_cast<uint64_t>(memory.data());
    t_packet_size = memory.size();
    t_tail_call_primary = program;
    bpf::tail_call_lookup = lookup_tail_call;
}

RunScope::~RunScope()
{
    t_regions = nullptr;
    t_packet_start = t_packet_size = 0;
    t_tail_call_primary = nullptr;
}

void set_tail_call_secondary(bpf::Program* program) { t_tail_call_secondary = program; }

}
