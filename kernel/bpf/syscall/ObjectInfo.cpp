// BPF_OBJ_GET_INFO_BY_FD (Linux's bpf_obj_get_info_by_fd): struct bpf_prog_info,
// bpf_map_info, bpf_btf_info or bpf_link_info, depending on the fd. Like Linux, the caller's
// info_len may be shorter (only that much is written) or longer (the extra bytes must be
// zero: E2BIG); variable-length parts (map ids, xlated instructions, func/line info, tags,
// the BTF blob, names) are copied up to the lengths the caller supplied, the full lengths are
// reported back, and info_len is written back into the attr.
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/BpfFiles.h"
#include "bpf/syscall/Commands.h"
#include "proc/Process.h"

namespace bpf::kernel {

namespace {

template<typename Info>
ErrorOr<u32> read_info(union bpf_attr const& attr, Info& info, bool copy_in = true)
{
    u32 info_len = attr.info.info_len;
    TRY(check_user_tail_zero(attr.info.info, sizeof(Info), info_len));
    info_len = min<u32>(sizeof(Info), info_len);
    memset(&info, 0, sizeof(Info));
    if (copy_in)
        TRY(copy_from_user(&info, attr.info.info, info_len));
    return info_len;
}

template<typename Info>
ErrorOr<u64> write_info(union bpf_attr const& attr, u64 user_attr, Info const& info, u32 info_len)
{
    TRY(copy_to_user(attr.info.info, &info, info_len));
    TRY(write_attr_field(user_attr, offsetof(union bpf_attr, info.info_len), info_len));
    return 0;
}

// set_info_rec_size(): the caller's record sizes must be 0 or the kernel's.
ErrorOr<void> set_record_sizes(bpf_prog_info& info)
{
    if ((info.nr_func_info || info.func_info_rec_size) && info.func_info_rec_size != sizeof(bpf_func_info))
        return Error(EINVAL);
    if ((info.nr_line_info || info.line_info_rec_size) && info.line_info_rec_size != sizeof(bpf_line_info))
        return Error(EINVAL);
    if ((info.nr_jited_line_info || info.jited_line_info_rec_size) && info.jited_line_info_rec_size != sizeof(u64))
        return Error(EINVAL);
    info.func_info_rec_size = sizeof(bpf_func_info);
    info.line_info_rec_size = sizeof(bpf_line_info);
    info.jited_line_info_rec_size = sizeof(u64);
    return {};
}

ErrorOr<u64> program_info(ProgramObject& program, union bpf_attr const& attr, u64 user_attr)
{
    bpf_prog_info info;
    u32 info_len = TRY(read_info(attr, info));
    auto const& p = program.info();
    info.type = p.type;
    info.id = program.id();
    info.load_time = p.load_time_ns;
    info.created_by_uid = p.created_by_uid;
    info.gpl_compatible = p.gpl_compatible;
    memcpy(info.tag, p.tag, sizeof(info.tag));
    memcpy(info.name, p.name, sizeof(info.name));

    auto ids = TRY(program.map_ids());
    u32 wanted = info.nr_map_ids;
    info.nr_map_ids = static_cast<u32>(ids.size());
    TRY(copy_to_user(info.map_ids, ids.data(), sizeof(u32) * min<u32>(wanted, info.nr_map_ids)));

    TRY(set_record_sizes(info));
    info.run_time_ns = program.run_time_ns();
    info.run_cnt = program.run_count();
    info.recursion_misses = program.recursion_misses();
    info.verified_insns = p.verified_insns;

    wanted = info.xlated_prog_len;
    info.xlated_prog_len = static_cast<u32>(p.xlated.size() * sizeof(isa::RawInstruction));
    if (info.xlated_prog_len && wanted)
        TRY(copy_to_user(info.xlated_prog_insns, p.xlated.data(), min(info.xlated_prog_len, wanted)));

    info.jited_prog_len = 0; // interpreted: no JIT image
    // Like Linux for a program that is not JITed: one function, reported with a zero
    // address and length.
    wanted = info.nr_jited_ksyms;
    info.nr_jited_ksyms = 1;
    if (wanted) {
        u64 zero = 0;
        TRY(copy_to_user(info.jited_ksyms, &zero, sizeof(zero)));
    }
    wanted = info.nr_jited_func_lens;
    info.nr_jited_func_lens = 1;
    if (wanted) {
        u32 zero = 0;
        TRY(copy_to_user(info.jited_func_lens, &zero, sizeof(zero)));
    }

    if (p.btf)
        info.btf_id = p.btf->id();
    info.attach_btf_id = p.attach_btf_id;

    wanted = info.nr_func_info;
    info.nr_func_info = static_cast<u32>(p.func_info.size());
    if (info.nr_func_info && wanted)
        TRY(copy_to_user(info.func_info, p.func_info.data(), sizeof(bpf_func_info) * min(info.nr_func_info, wanted)));
    wanted = info.nr_line_info;
    info.nr_line_info = static_cast<u32>(p.line_info.size());
    if (info.nr_line_info && wanted)
        TRY(copy_to_user(info.line_info, p.line_info.data(), sizeof(bpf_line_info) * min(info.nr_line_info, wanted)));
    info.nr_jited_line_info = 0;

    wanted = info.nr_prog_tags;
    info.nr_prog_tags = 1;
    if (wanted)
        TRY(copy_to_user(info.prog_tags, p.tag, BPF_TAG_SIZE));
    return write_info(attr, user_attr, info, info_len);
}

ErrorOr<u64> map_info(MapObject& object, union bpf_attr const& attr, u64 user_attr)
{
    bpf_map_info info;
    u32 info_len = TRY(read_info(attr, info, false));
    auto const& map = object.map();
    info.type = map.type();
    info.id = object.id();
    info.key_size = map.key_size();
    info.value_size = map.value_size();
    info.max_entries = map.max_entries();
    info.map_flags = map.flags() & ~static_cast<u32>(BPF_F_RDONLY | BPF_F_WRONLY);
    info.map_extra = map.map_extra();
    memcpy(info.name, object.metadata().name, sizeof(info.name));
    if (object.metadata().btf) {
        info.btf_id = object.metadata().btf->id();
        info.btf_key_type_id = object.metadata().btf_key_type_id;
        info.btf_value_type_id = object.metadata().btf_value_type_id;
    }
    info.btf_vmlinux_value_type_id = object.metadata().btf_vmlinux_value_type_id;
    return write_info(attr, user_attr, info, info_len);
}

// btf_get_info_by_fd(): copies min(btf_size, data size) bytes of the blob and the name (empty
// for BTF loaded from user space, so no buffer is ever too short).
ErrorOr<u64> btf_info(BtfObject& object, union bpf_attr const& attr, u64 user_attr)
{
    TRY(check_user_tail_zero(attr.info.info, sizeof(bpf_btf_info), attr.info.info_len));
    bpf_btf_info info {};
    u32 info_copy = min<u32>(attr.info.info_len, sizeof(info));
    TRY(copy_from_user(&info, attr.info.info, info_copy));
    auto data = object.btf().data();
    info.id = object.id();
    TRY(copy_to_user(info.btf, data.data(), min<u32>(static_cast<u32>(data.size()), info.btf_size)));
    info.btf_size = static_cast<u32>(data.size());
    info.kernel_btf = 0;
    bool has_buffer = info.name != 0;
    bool has_length = info.name_len != 0;
    if (has_buffer != has_length)
        return Error(EINVAL);
    info.name_len = 0; // user-loaded BTF has an empty name: any buffer holds it
    if (has_buffer) {
        char nul = '\0';
        TRY(copy_to_user(info.name, &nul, 1));
    }
    TRY(copy_to_user(attr.info.info, &info, info_copy));
    TRY(write_attr_field(user_attr, offsetof(union bpf_attr, info.info_len), info_copy));
    return 0;
}

ErrorOr<u64> link_info(LinkObject& link, union bpf_attr const& attr, u64 user_attr)
{
    bpf_link_info info;
    u32 info_len = TRY(read_info(attr, info));
    info.type = link.type();
    info.id = link.id();
    info.prog_id = link.program()->id();
    TRY(link.fill_info(info));
    return write_info(attr, user_attr, info, info_len);
}

}

ErrorOr<u64> obj_get_info_by_fd(union bpf_attr const& attr, u64 user_attr)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(info.info)))
        return Error(EINVAL);
    auto description = Process::current().fds().get(static_cast<int>(attr.info.bpf_fd));
    if (description.is_error())
        return Error(EBADFD);
    File& file = description.value()->file();
    if (auto* program = file_as<ProgramFile>(file))
        return program_info(program->object(), attr, user_attr);
    if (auto* map = file_as<MapFile>(file))
        return map_info(map->object(), attr, user_attr);
    if (auto* btf = file_as<BtfFile>(file))
        return btf_info(btf->object(), attr, user_attr);
    if (auto* link = file_as<LinkFile>(file))
        return link_info(link->object(), attr, user_attr);
    return Error(EINVAL);
}

}
