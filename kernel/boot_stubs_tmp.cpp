// TEMPORARY bring-up shim until kernel/fs provides its entry points.
#include "console/Console.h"
#include "fs/Custody.h"
#include "fs/DeviceRegistry.h"
#include "fs/File.h"
#include "fs/Initramfs.h"
#include "fs/Mount.h"
#include "fs/VfsOps.h"
#include "fs/ramfs/RamFS.h"
#include "mm/UserBuffer.h"
#include "klib/Vector.h"

namespace {
class ConsoleFile final : public File {
public:
    ErrorOr<usize> write(OpenFileDescription&, u64, UserBuffer const& buffer, usize size) override
    {
        char chunk[256];
        usize done = 0;
        while (done < size) {
            usize n = min<usize>(sizeof(chunk), size - done);
            TRY(buffer.read(chunk, n, done));
            console_write(chunk, n);
            done += n;
        }
        return size;
    }
    ErrorOr<usize> read(OpenFileDescription&, u64, UserBuffer const&, usize) override { return 0; }
    StringView class_name() const override { return "ConsoleFile"; }
};
ErrorOr<RefPtr<File>> open_console(Inode&, u32) { return RefPtr<File>(TRY(try_make_ref_counted<ConsoleFile>())); }
}

void tty_receive_byte(u8) {}

ErrorOr<void> vfs_initialize()
{
    auto fs = TRY(RamFS::try_create("ramfs"));
    auto root = TRY(vfs_set_root_filesystem(fs, "rootfs", "rw"));
    TRY(register_char_device(5, 1, open_console));
    TRY(vfs_mkdir(*root, "/dev", 0755, FsCredentials::root()));
    TRY(vfs_mknod(*root, "/dev/console", 0020600, (5 << 8) | 1, FsCredentials::root()));
    return {};
}

ErrorOr<void> unpack_initramfs(ReadonlyBytes archive)
{
    return unpack_cpio(archive, *vfs_root_custody());
}
