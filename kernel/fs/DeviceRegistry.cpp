// Character device registry (see DeviceRegistry.h).
#include "fs/DeviceRegistry.h"
#include "klib/Spinlock.h"
#include "klib/Vector.h"

namespace {
struct Registration {
    u64 rdev;
    DeviceOpener opener;
};
Spinlock registry_lock;
Vector<Registration>* registrations = nullptr;
}

ErrorOr<void> register_char_device(u32 major, u32 minor, DeviceOpener opener)
{
    u64 rdev = fs::encode_dev(major, minor);
    SpinlockGuard guard(registry_lock);
    if (!registrations) {
        registrations = new (std::nothrow) Vector<Registration>();
        if (!registrations)
            return Error(ENOMEM);
    }
    for (auto& registration : *registrations)
        if (registration.rdev == rdev)
            return Error(EBUSY);
    return registrations->try_append(Registration { rdev, opener });
}

ErrorOr<RefPtr<File>> open_char_device(u64 rdev, Inode& node, u32 flags)
{
    DeviceOpener opener = nullptr;
    {
        SpinlockGuard guard(registry_lock);
        if (registrations)
            for (auto& registration : *registrations)
                if (registration.rdev == rdev)
                    opener = registration.opener;
    }
    if (!opener)
        return Error(ENXIO);
    return opener(node, flags);
}
