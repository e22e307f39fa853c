// Host kernel verification (see HostVerifier.h).
#include "HostVerifier.h"
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace bpfvm::host {

using bpf::isa::RawInstruction;

namespace {

long sys_bpf(int command, union bpf_attr* attr) { return syscall(__NR_bpf, command, attr, sizeof(*attr)); }

class Fds {
public:
    ~Fds()
    {
        for (int fd : m_fds)
            close(fd);
    }
    void add(int fd) { m_fds.push_back(fd); }

private:
    std::vector<int> m_fds;
};

// Minimal BTF: int, then one FUNC_PROTO + FUNC (static) per subprogram.
int load_func_btf(size_t functions, int& error)
{
    std::vector<uint32_t> types;
    std::string strings(1, '\0');
    auto add_string = [&](std::string const& s) {
        uint32_t offset = static_cast<uint32_t>(strings.size());
        strings += s;
        strings += '\0';
        return offset;
    };
    // [1] int: INT kind 1, size 4, encoding signed, 32 bits
    types.insert(types.end(), { add_string("int"), 1u << 24, 4u, (1u << 24) | 32u });
    for (size_t i = 0; i < functions; ++i) {
        // [2 + 2i] FUNC_PROTO (kind 13) returning int, no parameters
        types.insert(types.end(), { 0u, 13u << 24, 1u });
        uint32_t proto = static_cast<uint32_t>(2 + 2 * i);
        // [3 + 2i] FUNC (kind 12), linkage static (vlen 0)
        types.insert(types.end(), { add_string("f" + std::to_string(i)), 12u << 24, proto });
    }
    struct {
        uint16_t magic;
        uint8_t version, flags;
        uint32_t hdr_len, type_off, type_len, str_off, str_len;
    } header { 0xeb9f, 1, 0, 24, 0, static_cast<uint32_t>(types.size() * 4), static_cast<uint32_t>(types.size() * 4),
        static_cast<uint32_t>(strings.size()) };
    std::vector<uint8_t> blob(sizeof(header) + types.size() * 4 + strings.size());
    std::memcpy(blob.data(), &header, sizeof(header));
    std::memcpy(blob.data() + sizeof(header), types.data(), types.size() * 4);
    std::memcpy(blob.data() + sizeof(header) + types.size() * 4, strings.data(), strings.size());
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.btf = reinterpret_cast<uint64_t>(blob.data());
    attr.btf_size = static_cast<uint32_t>(blob.size());
    long fd = sys_bpf(BPF_BTF_LOAD, &attr);
    error = fd < 0 ? errno : 0;
    return static_cast<int>(fd);
}

}

int host_available()
{
    union bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    attr.map_type = BPF_MAP_TYPE_ARRAY;
    attr.key_size = 4;
    attr.value_size = 8;
    attr.max_entries = 1;
    long fd = sys_bpf(BPF_MAP_CREATE, &attr);
    if (fd < 0)
        return errno;
    close(static_cast<int>(fd));
    return 0;
}

HostVerdict host_verify(std::vector<RawInstruction> const& program_in, std::vector<MapSpec> const& maps, HostOptions const& options)
{
    HostVerdict verdict;
    Fds fds;
    std::vector<int> map_fds;
    for (auto const& spec : maps) {
        union bpf_attr attr;
        uint32_t inner_fd = 0;
        if (spec.inner) {
            std::memset(&attr, 0, sizeof(attr));
            attr.map_type = spec.inner->type;
            attr.key_size = spec.inner->key_size;
            attr.value_size = spec.inner->value_size;
            attr.max_entries = spec.inner->max_entries;
            attr.map_flags = spec.inner->flags;
            long fd = sys_bpf(BPF_MAP_CREATE, &attr);
            if (fd < 0) {
                verdict.setup_failed = true;
                verdict.setup_error = "inner map of '" + spec.text + "': errno " + std::to_string(errno);
                return verdict;
            }
            fds.add(static_cast<int>(fd));
            inner_fd = static_cast<uint32_t>(fd);
        }
        std::memset(&attr, 0, sizeof(attr));
        attr.inner_map_fd = inner_fd;
        attr.map_type = spec.type;
        attr.key_size = spec.key_size;
        attr.value_size = spec.value_size;
        attr.max_entries = spec.max_entries;
        attr.map_flags = spec.flags;
        long fd = sys_bpf(BPF_MAP_CREATE, &attr);
        if (fd < 0) {
            verdict.setup_failed = true;
            verdict.setup_error = "map '" + spec.text + "': errno " + std::to_string(errno);
            return verdict;
        }
        fds.add(static_cast<int>(fd));
        map_fds.push_back(static_cast<int>(fd));
        if (!spec.data.empty()) {
            std::vector<uint8_t> value(spec.value_size, 0);
            std::memcpy(value.data(), spec.data.data(), std::min(value.size(), spec.data.size()));
            uint32_t key = 0;
            std::memset(&attr, 0, sizeof(attr));
            attr.map_fd = static_cast<uint32_t>(fd);
            attr.key = reinterpret_cast<uint64_t>(&key);
            attr.value = reinterpret_cast<uint64_t>(value.data());
            sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
        }
        if (spec.freeze) {
            std::memset(&attr, 0, sizeof(attr));
            attr.map_fd = static_cast<uint32_t>(fd);
            sys_bpf(BPF_MAP_FREEZE, &attr);
        }
    }
    std::vector<RawInstruction> program = program_in;
    std::vector<uint32_t> subprogs { 0 };
    bool has_func_refs = false;
    for (size_t i = 0; i < program.size(); ++i) {
        RawInstruction& insn = program[i];
        if (insn.opcode == (BPF_JMP | BPF_CALL) && insn.src == BPF_PSEUDO_CALL)
            subprogs.push_back(static_cast<uint32_t>(static_cast<int64_t>(i) + insn.imm + 1));
        if (insn.opcode != (BPF_LD | BPF_IMM | BPF_DW))
            continue;
        if (insn.src == BPF_PSEUDO_FUNC) {
            has_func_refs = true;
            subprogs.push_back(static_cast<uint32_t>(static_cast<int64_t>(i) + insn.imm + 1));
        }
        bool map_ref = insn.src == BPF_PSEUDO_MAP_FD || insn.src == BPF_PSEUDO_MAP_VALUE || insn.src == BPF_PSEUDO_MAP_IDX
            || insn.src == BPF_PSEUDO_MAP_IDX_VALUE;
        if (map_ref) {
            uint32_t index = static_cast<uint32_t>(insn.imm);
            if (insn.src == BPF_PSEUDO_MAP_IDX)
                insn.src = BPF_PSEUDO_MAP_FD;
            if (insn.src == BPF_PSEUDO_MAP_IDX_VALUE)
                insn.src = BPF_PSEUDO_MAP_VALUE;
            // Indices without a map stay invalid fds on the host too.
            insn.imm = index < map_fds.size() ? map_fds[index] : 100000 + static_cast<int32_t>(index);
        }
        ++i;
    }
    std::sort(subprogs.begin(), subprogs.end());
    subprogs.erase(std::unique(subprogs.begin(), subprogs.end()), subprogs.end());

    union bpf_attr attr;
    std::memset(&attr, 0, sizeof(attr));
    std::vector<uint32_t> func_info;
    if (has_func_refs) {
        int error = 0;
        int btf = load_func_btf(subprogs.size(), error);
        if (btf < 0) {
            verdict.setup_failed = true;
            verdict.setup_error = "BTF load: errno " + std::to_string(error);
            return verdict;
        }
        fds.add(btf);
        for (size_t s = 0; s < subprogs.size(); ++s) {
            func_info.push_back(subprogs[s]);
            func_info.push_back(static_cast<uint32_t>(3 + 2 * s));
        }
        attr.prog_btf_fd = static_cast<uint32_t>(btf);
        attr.func_info = reinterpret_cast<uint64_t>(func_info.data());
        attr.func_info_rec_size = 8;
        attr.func_info_cnt = static_cast<uint32_t>(subprogs.size());
    }
    static char const gpl[] = "GPL";
    static char const proprietary[] = "Proprietary";
    std::vector<char> log(16u << 20);
    attr.prog_type = options.prog_type;
    attr.insn_cnt = static_cast<uint32_t>(program.size());
    attr.insns = reinterpret_cast<uint64_t>(program.data());
    attr.license = reinterpret_cast<uint64_t>(options.gpl ? gpl : proprietary);
    // The verdict comes from a load without a trace (a level-1 trace of a long walk can
    // overflow any buffer, which fails the load with ENOSPC); the log from a second load.
    attr.log_level = options.stats ? 4u : 0u;
    if (attr.log_level) {
        attr.log_buf = reinterpret_cast<uint64_t>(log.data());
        attr.log_size = static_cast<uint32_t>(log.size());
    }
    long fd = sys_bpf(BPF_PROG_LOAD, &attr);
    verdict.error = fd < 0 ? errno : 0;
    if (fd >= 0)
        close(static_cast<int>(fd));
    if ((verdict.error || options.log_when_accepted) && options.log_level) {
        std::string stats = log.data();
        attr.log_level = options.log_level;
        attr.log_buf = reinterpret_cast<uint64_t>(log.data());
        attr.log_size = static_cast<uint32_t>(log.size());
        log[0] = '\0';
        fd = sys_bpf(BPF_PROG_LOAD, &attr);
        if (fd >= 0)
            close(static_cast<int>(fd));
        if (!stats.empty() && std::string(log.data()).find("verification time") == std::string::npos)
            stats += log.data();
        else
            stats = log.data();
        std::memcpy(log.data(), stats.c_str(), std::min(stats.size() + 1, log.size()));
    }
    verdict.log = log.data();
    auto time = verdict.log.find("verification time ");
    if (time != std::string::npos)
        verdict.verification_usec = std::strtoull(verdict.log.c_str() + time + 18, nullptr, 10);
    auto processed = verdict.log.rfind("processed ");
    if (processed != std::string::npos)
        verdict.processed_insns = static_cast<uint32_t>(std::strtoul(verdict.log.c_str() + processed + 10, nullptr, 10));
    return verdict;
}

}
