// devtmpfs population (see DevFS.h).
#include "fs/dev/DevFS.h"
#include "fs/VfsOps.h"
#include "fs/dev/MemoryDevices.h"
#include "fs/dev/Tty.h"
#include "fs/DeviceRegistry.h"

namespace {
RefPtr<Custody>* dev_root_custody = nullptr;
}

ErrorOr<void> devfs_add_node(StringView name, u32 major, u32 minor, u32 mode)
{
    if (!dev_root_custody)
        return Error(ENODEV);
    auto result = vfs_mknod(**dev_root_custody, name, fs::S_CHARDEV | (mode & fs::S_PERMISSION_MASK), fs::encode_dev(major, minor), FsCredentials::root());
    if (result.is_error() && result.error().code() != EEXIST)
        return result;
    return {};
}

ErrorOr<void> devfs_populate(Custody& dev_root)
{
    if (!dev_root_custody) {
        dev_root_custody = new (std::nothrow) RefPtr<Custody>(&dev_root);
        if (!dev_root_custody)
            return Error(ENOMEM);
    }
    TRY(register_memory_devices());
    TRY(register_char_device(5, 0, open_console_tty));
    TRY(register_char_device(5, 1, open_console_tty));

    TRY(devfs_add_node("null", 1, 3, 0666));
    TRY(devfs_add_node("zero", 1, 5, 0666));
    TRY(devfs_add_node("full", 1, 7, 0666));
    TRY(devfs_add_node("random", 1, 8, 0666));
    TRY(devfs_add_node("urandom", 1, 9, 0666));
    TRY(devfs_add_node("tty", 5, 0, 0666));
    TRY(devfs_add_node("console", 5, 1, 0600));

    auto cred = FsCredentials::root();
    TRY(vfs_symlink("/proc/self/fd", dev_root, "fd", cred));
    TRY(vfs_symlink("/proc/self/fd/0", dev_root, "stdin", cred));
    TRY(vfs_symlink("/proc/self/fd/1", dev_root, "stdout", cred));
    TRY(vfs_symlink("/proc/self/fd/2", dev_root, "stderr", cred));
    TRY(vfs_mkdir(dev_root, "shm", 01777, cred));
    TRY(vfs_mkdir(dev_root, "pts", 0755, cred));
    return {};
}
