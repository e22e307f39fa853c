// Boot-time assembly of the file system tree and the process-context helpers (see Vfs.h).
//
// The tree: a ramfs root ("rootfs"), devtmpfs on /dev, proc on /proc, sysfs on /sys and a
// tmpfs on /tmp; the initramfs is unpacked into it afterwards.
#include "fs/Vfs.h"
#include "console/Console.h"
#include "fs/Initramfs.h"
#include "fs/Mount.h"
#include "fs/dev/DevFS.h"
#include "fs/proc/ProcFS.h"
#include "fs/ramfs/RamFS.h"
#include "klib/Spinlock.h"
#include "proc/Process.h"

namespace {

struct FilesystemType {
    String name;
    bool nodev;
};
Spinlock types_lock;
Vector<FilesystemType>* types = nullptr;

ErrorOr<RefPtr<Custody>> make_mount_point(Custody& root, StringView path, u32 mode)
{
    auto result = vfs_mkdir(root, path, mode, FsCredentials::root());
    if (result.is_error() && result.error().code() != EEXIST)
        return result.release_error();
    return resolve_custody(path, root, FsCredentials::root());
}

}

ErrorOr<void> vfs_register_filesystem_type(StringView name, bool nodev)
{
    auto copy = TRY(String::try_create(name));
    SpinlockGuard guard(types_lock);
    if (!types) {
        types = new (std::nothrow) Vector<FilesystemType>();
        if (!types)
            return Error(ENOMEM);
    }
    for (auto& type : *types)
        if (type.name == name)
            return {};
    return types->try_append(FilesystemType { move(copy), nodev });
}

ErrorOr<String> vfs_filesystems_text()
{
    StringBuilder builder;
    {
        SpinlockGuard guard(types_lock);
        if (types)
            for (auto& type : *types)
                TRY(builder.try_appendf("%s\t%s\n", type.nodev ? "nodev" : "", type.name.c_str()));
    }
    return builder.try_to_string();
}

// vfs_initialize, unpack_initramfs and tty_receive_byte are weak so that the kernel still
// links while kernel/boot_stubs_tmp.cpp (the bring-up shim) is part of the build; once the
// shim is gone these are the only definitions.
__attribute__((weak)) ErrorOr<void> vfs_initialize()
{
    for (auto name : { "sysfs", "tmpfs", "proc", "devtmpfs", "ramfs", "pipefs", "anon_inodefs" })
        TRY(vfs_register_filesystem_type(name));

    auto root_fs = TRY(RamFS::try_create("rootfs", 0755));
    auto root = TRY(vfs_set_root_filesystem(root_fs, "rootfs", "rw"));

    auto dev_fs = TRY(RamFS::try_create("devtmpfs", 0755));
    auto dev_point = TRY(make_mount_point(*root, "/dev", 0755));
    TRY(vfs_mount_filesystem(dev_fs, *dev_point, "devtmpfs", "rw,nosuid,relatime,mode=755"));
    auto dev_root = TRY(resolve_custody("/dev", *root, FsCredentials::root()));
    TRY(devfs_populate(*dev_root));

    auto proc_fs = TRY(procfs_create());
    auto proc_point = TRY(make_mount_point(*root, "/proc", 0555));
    TRY(vfs_mount_filesystem(proc_fs, *proc_point, "proc", "rw,nosuid,nodev,noexec,relatime"));

    auto sys_fs = TRY(sysfs_create());
    auto sys_point = TRY(make_mount_point(*root, "/sys", 0555));
    TRY(vfs_mount_filesystem(sys_fs, *sys_point, "sysfs", "rw,nosuid,nodev,noexec,relatime"));

    auto tmp_fs = TRY(RamFS::try_create("tmpfs", 01777));
    auto tmp_point = TRY(make_mount_point(*root, "/tmp", 01777));
    TRY(vfs_mount_filesystem(tmp_fs, *tmp_point, "tmpfs", "rw,nosuid,nodev,relatime"));

    (void)vfs_mkdir(*root, "/root", 0700, FsCredentials::root());
    (void)vfs_mkdir(*root, "/etc", 0755, FsCredentials::root());
    kprintf("vfs: rootfs on /, devtmpfs on /dev, proc on /proc, sysfs on /sys, tmpfs on /tmp\n");
    return {};
}

__attribute__((weak)) ErrorOr<void> unpack_initramfs(ReadonlyBytes archive)
{
    auto root = vfs_root_custody();
    if (!root)
        return Error(ENOENT);
    return unpack_cpio(archive, *root);
}

FsCredentials current_fs_credentials()
{
    auto const& cred = Process::current().credentials();
    return FsCredentials { cred.fsuid, cred.fsgid };
}

RefPtr<Custody> current_cwd()
{
    auto cwd = Process::current().cwd();
    if (cwd)
        return cwd;
    return vfs_root_custody();
}

ErrorOr<RefPtr<OpenFileDescription>> vfs_open(StringView path, int flags, u32 mode, Custody* base)
{
    RefPtr<Custody> start = base ? RefPtr<Custody>(base) : current_cwd();
    if (!start)
        return Error(ENOENT);
    return vfs_open_at(*start, path, static_cast<u32>(flags), mode, current_fs_credentials());
}

ErrorOr<void> vfs_mount_at(StringView path, RefPtr<FileSystem> fs, StringView source, StringView options)
{
    auto root = vfs_root_custody();
    if (!root)
        return Error(ENOENT);
    auto mountpoint = TRY(resolve_custody(path, *root, FsCredentials::root()));
    TRY(vfs_register_filesystem_type(fs->type_name()));
    return vfs_mount_filesystem(move(fs), *mountpoint, source, options);
}
