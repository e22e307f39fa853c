// BPF_OBJ_PIN and BPF_OBJ_GET (Linux 6.1's bpf_obj_pin_user / bpf_obj_get_user in
// kernel/bpf/inode.c): pinning puts a map, program or link under a new name in bpffs (the
// pin keeps the object alive), getting opens a new fd for a pinned object. Paths are
// resolved from the caller's cwd like open(2); the directory must be on bpffs (EPERM).
#include "bpf/syscall/Attr.h"
#include "bpf/syscall/BpfFiles.h"
#include "bpf/syscall/Commands.h"
#include "fs/Vfs.h"
#include "fs/bpffs/BpfFS.h"
#include "proc/Process.h"

namespace bpf::kernel {

namespace {

ErrorOr<String> copy_path(u64 user_path)
{
    auto path = TRY(copy_string_from_user(user_path, fs::path_max - 1));
    if (path.is_empty())
        return Error(ENOENT);
    return path;
}

// bpf_fd_probe_obj(): a map, then a program, then a link; anything else is EINVAL.
ErrorOr<bpffs::PinnedObject> object_of_fd(int fd)
{
    if (auto map = map_from_fd(fd); !map.is_error())
        return bpffs::PinnedObject { bpffs::ObjectKind::Map, map.release_value() };
    if (auto program = program_from_fd(fd); !program.is_error())
        return bpffs::PinnedObject { bpffs::ObjectKind::Program, program.release_value() };
    if (auto link = link_from_fd(fd); !link.is_error())
        return bpffs::PinnedObject { bpffs::ObjectKind::Link, link.release_value() };
    return Error(EINVAL);
}

}

ErrorOr<u64> obj_pin(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(file_flags)) || attr.file_flags != 0)
        return Error(EINVAL);
    auto object = TRY(object_of_fd(static_cast<int>(attr.bpf_fd)));
    auto path = TRY(copy_path(attr.pathname));
    auto cwd = current_cwd();
    if (!cwd)
        return Error(ENOENT);
    auto credentials = current_fs_credentials();
    auto resolved = TRY(resolve_path(path.view(), *cwd, credentials, ResolveParent));
    if (resolved.custody)
        return Error(EEXIST);
    if (!resolved.parent || resolved.last_name.is_empty() || resolved.last_name == "." || resolved.last_name == "..")
        return Error(EEXIST);
    u32 mode = 0600 & ~Process::current().umask();
    TRY(bpffs::pin_object(resolved.parent->inode(), resolved.last_name.view(), move(object), mode, credentials));
    return 0;
}

ErrorOr<u64> obj_get(union bpf_attr const& attr, u64)
{
    if (attr_has_unknown_bytes(attr, BPF_ATTR_END(file_flags)) || attr.bpf_fd != 0
        || (attr.file_flags & ~static_cast<u32>(BPF_F_RDONLY | BPF_F_WRONLY)))
        return Error(EINVAL);
    u32 access_mode = TRY(access_mode_from_bpf_flags(attr.file_flags));
    auto path = TRY(copy_path(attr.pathname));
    auto cwd = current_cwd();
    if (!cwd)
        return Error(ENOENT);
    auto credentials = current_fs_credentials();
    auto custody = TRY(resolve_custody(path.view(), *cwd, credentials, true));
    Inode& inode = custody->inode();
    int wanted = access_mode == fs::O_READ_ONLY ? fs::ACCESS_R : access_mode == fs::O_WRITE_ONLY ? fs::ACCESS_W : fs::ACCESS_R | fs::ACCESS_W;
    if (!may_access(inode.metadata(), wanted, credentials))
        return Error(EACCES);
    auto pinned = TRY(bpffs::pinned_object(inode));
    switch (pinned.kind) {
    case bpffs::ObjectKind::Map:
        return TRY(install_map_fd(RefPtr<MapObject>(static_cast<MapObject*>(pinned.object.ptr())), access_mode));
    case bpffs::ObjectKind::Program:
        return TRY(install_program_fd(RefPtr<ProgramObject>(static_cast<ProgramObject*>(pinned.object.ptr()))));
    case bpffs::ObjectKind::Link:
        if (access_mode != fs::O_READ_WRITE)
            return Error(EINVAL);
        return TRY(install_link_fd(RefPtr<LinkObject>(static_cast<LinkObject*>(pinned.object.ptr())), false));
    default:
        return Error(EACCES);
    }
}

}
