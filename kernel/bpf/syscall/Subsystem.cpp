// bpf_subsystem_initialize() (see Subsystem.h).
#include "bpf/syscall/Subsystem.h"
#include "bpf/maps/ProgArrayMap.h"
#include "bpf/syscall/ProgramTypes.h"
#include "console/Console.h"
#include "fs/Vfs.h"
#include "fs/bpffs/BpfFS.h"
#include "fs/proc/ProcFS.h"

namespace bpf::kernel {
void install_kernel_helper_environment();
}

// perf events plug into the bpf() layer (kernel/perf), when in the image.
__attribute__((weak)) void perf_subsystem_initialize();

void bpf_subsystem_initialize()
{
    using namespace bpf::kernel;
    install_kernel_helper_environment();
    bpf_program_types_initialize();
    bpf::install_tail_call_hook();

    auto mounted = [&]() -> ErrorOr<void> {
        auto fs = TRY(bpffs::BpfFS::try_create());
        TRY(sysfs_register_directory("fs/bpf"));
        TRY(vfs_mount_at("/sys/fs/bpf", move(fs), "bpf", "rw,nosuid,nodev,noexec,relatime"));
        return {};
    }();
    if (mounted.is_error())
        kprintf("bpf: cannot mount bpffs on /sys/fs/bpf (errno %d)\n", mounted.error().code());
    if (perf_subsystem_initialize)
        perf_subsystem_initialize();
}
