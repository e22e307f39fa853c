// Raw bpf() access to the host kernel (see HostKernel.h).
#include "HostKernel.h"
#include <cerrno>
#include <cstring>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace bpfvm::host {

using bpf::isa::RawInstruction;

namespace {

long sys_bpf(int command, union bpf_attr* attr)
{
    return syscall(__NR_bpf, command, attr, sizeof(*attr));
}

RawInstruction insn(uint8_t opcode, uint8_t dst, uint8_t src, int16_t offset, int32_t imm)
{
    return RawInstruction::make(opcode, dst, src, offset, imm);
}

// Stores r0 and a "written" marker in slot 0 of the result map, then returns XDP_PASS.
void append_store_result(std::vector<RawInstruction>& out, int result_map)
{
    out.push_back(insn(0x7b, 10, 0, -16, 0));           // *(u64 *)(r10 - 16) = r0
    out.push_back(insn(0x7a, 10, 0, -8, 1));            // *(u64 *)(r10 - 8) = 1
    out.push_back(insn(0x62, 10, 0, -20, 0));           // *(u32 *)(r10 - 20) = 0 (key)
    out.push_back(insn(0x18, 1, BPF_PSEUDO_MAP_FD, 0, result_map)); // r1 = result map
    out.push_back(insn(0, 0, 0, 0, 0));
    out.push_back(insn(0xbf, 2, 10, 0, 0));             // r2 = r10
    out.push_back(insn(0x07, 2, 0, 0, -20));            // r2 += -20
    out.push_back(insn(0xbf, 3, 10, 0, 0));             // r3 = r10
    out.push_back(insn(0x07, 3, 0, 0, -16));            // r3 += -16
    out.push_back(insn(0xb7, 4, 0, 0, 0));              // r4 = BPF_ANY
    out.push_back(insn(0x85, 0, 0, 0, BPF_FUNC_map_update_elem));
}

void append_call_and_tail(std::vector<RawInstruction>& out, std::vector<RawInstruction> const& program, int result_map,
    size_t fail_jump_index)
{
    size_t call_index = out.size();
    out.push_back(insn(0x85, 0, BPF_PSEUDO_CALL, 0, 0)); // patched below
    append_store_result(out, result_map);
    size_t pass_index = out.size();
    out.push_back(insn(0xb7, 0, 0, 0, XDP_PASS));
    out.push_back(insn(0x95, 0, 0, 0, 0));
    size_t program_index = out.size();
    out[call_index].imm = static_cast<int32_t>(program_index - call_index - 1);
    if (fail_jump_index)
        out[fail_jump_index].offset = static_cast<int16_t>(pass_index - fail_jump_index - 1);
    out.insert(out.end(), program.begin(), program.end());
}

}

Fd& Fd::operator=(Fd&& other)
{
    if (this != &other) {
        if (m_fd >= 0)
            close(m_fd);
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

Fd::~Fd()
{
    if (m_fd >= 0)
        close(m_fd);
}

Fd create_array_map(uint32_t value_size, uint32_t max_entries, int& error)
{
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.map_type = BPF_MAP_TYPE_ARRAY;
    attr.key_size = 4;
    attr.value_size = value_size;
    attr.max_entries = max_entries;
    long fd = sys_bpf(BPF_MAP_CREATE, &attr);
    error = fd < 0 ? errno : 0;
    return Fd(static_cast<int>(fd));
}

bool update_element(Fd const& map, uint32_t key, void const* value)
{
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.map_fd = static_cast<uint32_t>(map.get());
    attr.key = reinterpret_cast<uint64_t>(&key);
    attr.value = reinterpret_cast<uint64_t>(value);
    return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) == 0;
}

bool lookup_element(Fd const& map, uint32_t key, void* value)
{
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.map_fd = static_cast<uint32_t>(map.get());
    attr.key = reinterpret_cast<uint64_t>(&key);
    attr.value = reinterpret_cast<uint64_t>(value);
    return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr) == 0;
}

int probe()
{
    int error = 0;
    Fd map = create_array_map(8, 1, error);
    if (!map.valid())
        return error;
    std::vector<RawInstruction> trivial { insn(0xb7, 0, 0, 0, XDP_PASS), insn(0x95, 0, 0, 0, 0) };
    LoadResult loaded = load_xdp(trivial);
    return loaded.program.valid() ? 0 : loaded.error;
}

LoadResult load_xdp(std::vector<RawInstruction> const& instructions)
{
    static char const license[] = "GPL";
    auto attempt = [&](char* log, uint32_t log_size) {
        union bpf_attr attr;
        std::memset(&attr, 0, sizeof(attr));
        attr.prog_type = BPF_PROG_TYPE_XDP;
        attr.insn_cnt = static_cast<uint32_t>(instructions.size());
        attr.insns = reinterpret_cast<uint64_t>(instructions.data());
        attr.license = reinterpret_cast<uint64_t>(license);
        if (log) {
            log[0] = '\0';
            attr.log_buf = reinterpret_cast<uint64_t>(log);
            attr.log_size = log_size;
            attr.log_level = 1;
        }
        return sys_bpf(BPF_PROG_LOAD, &attr);
    };
    LoadResult result;
    // Load without a log first: a verbose log of a long verification can overflow any buffer,
    // which fails the load with ENOSPC. Only a rejected program is loaded again for its log.
    long fd = attempt(nullptr, 0);
    if (fd >= 0) {
        result.program = Fd(static_cast<int>(fd));
        return result;
    }
    result.error = errno;
    std::vector<char> log(16 << 20);
    fd = attempt(log.data(), static_cast<uint32_t>(log.size()));
    if (fd >= 0)
        close(static_cast<int>(fd));
    result.log = log.data();
    return result;
}

TestRun test_run(Fd const& program, std::vector<uint8_t> const& packet, uint32_t repeat)
{
    std::vector<uint8_t> data = packet;
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.test.prog_fd = static_cast<uint32_t>(program.get());
    attr.test.data_in = reinterpret_cast<uint64_t>(data.data());
    attr.test.data_size_in = static_cast<uint32_t>(data.size());
    attr.test.repeat = repeat;
    TestRun run;
    if (sys_bpf(BPF_PROG_TEST_RUN, &attr) != 0) {
        run.error = errno;
        return run;
    }
    run.retval = attr.test.retval;
    run.duration_ns = attr.test.duration;
    return run;
}

std::vector<RawInstruction> wrap_with_packet(std::vector<RawInstruction> const& program, uint32_t length, int result_map)
{
    std::vector<RawInstruction> out;
    out.push_back(insn(0x61, 2, 1, 4, 0));                         // r2 = ctx->data_end
    out.push_back(insn(0x61, 1, 1, 0, 0));                         // r1 = ctx->data
    out.push_back(insn(0xbf, 3, 1, 0, 0));                         // r3 = r1
    out.push_back(insn(0x07, 3, 0, 0, static_cast<int32_t>(length))); // r3 += length
    size_t check = out.size();
    out.push_back(insn(0x2d, 3, 2, 0, 0));                         // if r3 > r2 goto pass (patched)
    out.push_back(insn(0xb7, 2, 0, 0, static_cast<int32_t>(length))); // r2 = length
    append_call_and_tail(out, program, result_map, check);
    return out;
}

std::vector<RawInstruction> wrap_with_map_value(std::vector<RawInstruction> const& program, int buffer_map, int result_map)
{
    std::vector<RawInstruction> out;
    out.push_back(insn(0x62, 10, 0, -4, 0));                       // *(u32 *)(r10 - 4) = 0
    out.push_back(insn(0x18, 1, BPF_PSEUDO_MAP_FD, 0, buffer_map)); // r1 = buffer map
    out.push_back(insn(0, 0, 0, 0, 0));
    out.push_back(insn(0xbf, 2, 10, 0, 0));                        // r2 = r10
    out.push_back(insn(0x07, 2, 0, 0, -4));                        // r2 += -4
    out.push_back(insn(0x85, 0, 0, 0, BPF_FUNC_map_lookup_elem));
    size_t check = out.size();
    out.push_back(insn(0x15, 0, 0, 0, 0));                         // if r0 == 0 goto pass (patched)
    out.push_back(insn(0xbf, 1, 0, 0, 0));                         // r1 = r0
    append_call_and_tail(out, program, result_map, check);
    return out;
}

}
