// /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom (see MemoryDevices.h).
#include "fs/dev/MemoryDevices.h"
#include "fs/DeviceRegistry.h"
#include "fs/Inode.h"
#include "lib/Random.h"
#include "mm/UserBuffer.h"

namespace {

enum class Kind { Null, Zero, Full, Random };

class MemoryDeviceFile final : public File {
public:
    MemoryDeviceFile(Inode& node, Kind kind)
        : File(RefPtr<Inode>(&node))
        , m_kind(kind)
    {
    }

    ErrorOr<usize> read(OpenFileDescription&, u64, UserBuffer const& buffer, usize size) override
    {
        switch (m_kind) {
        case Kind::Null:
            return 0;
        case Kind::Zero:
        case Kind::Full:
            TRY(buffer.fill_zero(size));
            return size;
        case Kind::Random: {
            u8 chunk[256];
            usize done = 0;
            while (done < size) {
                usize n = klib::min<usize>(sizeof(chunk), size - done);
                random_bytes(chunk, n);
                auto copied = buffer.write(chunk, n, done);
                if (copied.is_error()) {
                    if (done)
                        return done;
                    return copied.release_error();
                }
                done += n;
            }
            return done;
        }
        }
        return Error(EINVAL);
    }

    ErrorOr<usize> write(OpenFileDescription&, u64, UserBuffer const& buffer, usize size) override
    {
        if (m_kind == Kind::Full)
            return Error(ENOSPC);
        if (m_kind == Kind::Random && size) {
            // Linux mixes written data into the pool; we only check it is readable.
            u8 probe;
            TRY(buffer.read(&probe, 1));
        }
        return size;
    }

    // lseek on these devices succeeds and leaves the offset at 0 (Linux's noop/null llseek).
    bool is_seekable() const override { return true; }
    ErrorOr<u64> seek_end_size() const override { return 0; }
    bool can_poll() const override { return m_kind == Kind::Random; }
    StringView class_name() const override { return "MemoryDevice"; }

private:
    Kind m_kind;
};

template<Kind kind>
ErrorOr<RefPtr<File>> open_device(Inode& node, u32)
{
    auto file = TRY(adopt_ref_or_enomem(new (std::nothrow) MemoryDeviceFile(node, kind)));
    return RefPtr<File>(move(file));
}

}

ErrorOr<void> register_memory_devices()
{
    TRY(register_char_device(1, 3, open_device<Kind::Null>));
    TRY(register_char_device(1, 5, open_device<Kind::Zero>));
    TRY(register_char_device(1, 7, open_device<Kind::Full>));
    TRY(register_char_device(1, 8, open_device<Kind::Random>));
    TRY(register_char_device(1, 9, open_device<Kind::Random>));
    return {};
}
