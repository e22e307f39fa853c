// Program BTF info checks (see ProgramBtfInfo.h), after Linux 6.1's kernel/bpf/verifier.c.
#include "bpf/syscall/ProgramBtfInfo.h"
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/BpfFiles.h"

namespace bpf::kernel {

namespace {

constexpr u32 min_func_info_size = 8;   // MIN_BPF_FUNCINFO_SIZE
constexpr u32 min_line_info_size = 16;  // MIN_BPF_LINEINFO_SIZE
constexpr u32 max_record_size = 252;    // MAX_FUNCINFO_REC_SIZE, MAX_LINEINFO_REC_SIZE

ErrorOr<void> insert_sorted(Vector<u32>& starts, u32 value)
{
    usize index = 0;
    while (index < starts.size() && starts[index] < value)
        ++index;
    if (index < starts.size() && starts[index] == value)
        return {};
    return starts.try_insert(index, move(value));
}

ErrorOr<void> check_func_info(union bpf_attr const& attr, u64 user_attr, Span<u32 const> subprograms, ProgramBtfInfo& info, verifier::VerifierLog& log)
{
    u32 count = attr.func_info_cnt;
    if (!count)
        return {};
    if (count != subprograms.size()) {
        log.printf("number of funcs in func_info doesn't match number of subprogs\n");
        return Error(EINVAL);
    }
    u32 record_size = attr.func_info_rec_size;
    if (record_size < min_func_info_size || record_size > max_record_size || record_size % sizeof(u32)) {
        log.printf("invalid func info rec size %u\n", record_size);
        return Error(EINVAL);
    }
    u32 copy_size = min<u32>(sizeof(bpf_func_info), record_size);
    TRY(info.func_info.try_resize(count));
    u32 previous = 0;
    for (u32 i = 0; i < count; ++i) {
        u64 record = attr.func_info + static_cast<u64>(i) * record_size;
        auto tail = check_user_tail_zero(record, sizeof(bpf_func_info), record_size);
        if (tail.is_error()) {
            if (tail.error().code() == E2BIG) {
                log.printf("nonzero tailing record in func info");
                TRY(write_attr_field(user_attr, offsetof(union bpf_attr, func_info_rec_size), copy_size));
            }
            return tail.release_error();
        }
        auto& entry = info.func_info[i];
        TRY(copy_from_user(&entry, record, copy_size));
        if (i == 0 && entry.insn_off) {
            log.printf("nonzero insn_off %u for the first func info record", entry.insn_off);
            return Error(EINVAL);
        }
        if (i && entry.insn_off <= previous) {
            log.printf("same or smaller insn offset (%u) than previous func info record (%u)", entry.insn_off, previous);
            return Error(EINVAL);
        }
        if (subprograms[i] != entry.insn_off) {
            log.printf("func_info BTF section doesn't match subprog layout in BPF program\n");
            return Error(EINVAL);
        }
        auto const* type = info.btf->btf().type_by_id(entry.type_id);
        if (!type || BTF_INFO_KIND(type->info) != BTF_KIND_FUNC) {
            log.printf("invalid type id %d in func info", entry.type_id);
            return Error(EINVAL);
        }
        previous = entry.insn_off;
    }
    return {};
}

ErrorOr<void> check_line_info(union bpf_attr const& attr, u64 user_attr, Span<isa::RawInstruction const> instructions,
    Span<u32 const> subprograms, ProgramBtfInfo& info, verifier::VerifierLog& log)
{
    u32 count = attr.line_info_cnt;
    if (!count)
        return {};
    if (count > 0x7fffffffu / sizeof(bpf_line_info))
        return Error(EINVAL);
    u32 record_size = attr.line_info_rec_size;
    if (record_size < min_line_info_size || record_size > max_record_size || (record_size & 3))
        return Error(EINVAL);
    u32 copy_size = min<u32>(sizeof(bpf_line_info), record_size);
    TRY(info.line_info.try_resize(count));
    Btf const& btf = info.btf->btf();
    u32 previous = 0;
    usize next_subprogram = 0;
    for (u32 i = 0; i < count; ++i) {
        u64 record = attr.line_info + static_cast<u64>(i) * record_size;
        auto tail = check_user_tail_zero(record, sizeof(bpf_line_info), record_size);
        if (tail.is_error()) {
            if (tail.error().code() == E2BIG) {
                log.printf("nonzero tailing record in line_info");
                u32 expected = sizeof(bpf_line_info);
                TRY(write_attr_field(user_attr, offsetof(union bpf_attr, line_info_rec_size), expected));
            }
            return tail.release_error();
        }
        auto& line = info.line_info[i];
        TRY(copy_from_user(&line, record, copy_size));
        if ((i && line.insn_off <= previous) || line.insn_off >= instructions.size()) {
            log.printf("Invalid line_info[%u].insn_off:%u (prev_offset:%u prog->len:%u)\n", i, line.insn_off, previous,
                static_cast<u32>(instructions.size()));
            return Error(EINVAL);
        }
        if (!instructions[line.insn_off].opcode) {
            log.printf("Invalid insn code at line_info[%u].insn_off\n", i);
            return Error(EINVAL);
        }
        if (!btf.is_valid_name_offset(line.line_off) || !btf.is_valid_name_offset(line.file_name_off)) {
            log.printf("Invalid line_info[%u].line_off or .file_name_off\n", i);
            return Error(EINVAL);
        }
        if (next_subprogram != subprograms.size()) {
            if (line.insn_off == subprograms[next_subprogram]) {
                ++next_subprogram;
            } else if (subprograms[next_subprogram] < line.insn_off) {
                log.printf("missing bpf_line_info for func#%u\n", static_cast<u32>(next_subprogram));
                return Error(EINVAL);
            }
        }
        previous = line.insn_off;
    }
    if (next_subprogram != subprograms.size()) {
        log.printf("missing bpf_line_info for %u funcs starting from func#%u\n", static_cast<u32>(subprograms.size() - next_subprogram),
            static_cast<u32>(next_subprogram));
        return Error(EINVAL);
    }
    return {};
}

}

ErrorOr<Vector<u32>> subprogram_starts(Span<isa::RawInstruction const> instructions)
{
    Vector<u32> starts;
    TRY(starts.try_append(0u));
    for (u32 i = 0; i < instructions.size(); ++i) {
        auto const& insn = instructions[i];
        i64 target = -1;
        if (insn.opcode == (BPF_JMP | BPF_CALL) && insn.src == BPF_PSEUDO_CALL)
            target = static_cast<i64>(i) + 1 + insn.imm;
        else if (insn.opcode == (BPF_LD | BPF_IMM | BPF_DW) && insn.src == BPF_PSEUDO_FUNC)
            target = static_cast<i64>(i) + 1 + insn.imm;
        if (target >= 0 && target < static_cast<i64>(instructions.size()))
            TRY(insert_sorted(starts, static_cast<u32>(target)));
        if (insn.opcode == (BPF_LD | BPF_IMM | BPF_DW))
            ++i;
    }
    return starts;
}

ErrorOr<ProgramBtfInfo> check_program_btf_info(union bpf_attr const& attr, u64 user_attr, Span<isa::RawInstruction const> instructions,
    Span<u32 const> subprograms, verifier::VerifierLog& log)
{
    ProgramBtfInfo info;
    if (!attr.func_info_cnt && !attr.line_info_cnt)
        return info;
    info.btf = TRY(btf_from_fd(static_cast<int>(attr.prog_btf_fd)));
    TRY(check_func_info(attr, user_attr, subprograms, info, log));
    TRY(check_line_info(attr, user_attr, instructions, subprograms, info, log));
    return info;
}

}
