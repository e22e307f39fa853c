// Default HelperEnvironment behaviour and the installed-instance pointer (see the header).
#include "bpf/helpers/HelperEnvironment.h"
#include "klib/CString.h"
#include "klib/Errno.h"

namespace bpf {

i64 HelperEnvironment::current_comm(char* buffer, u32 size)
{
    if (size)
        memset(buffer, 0, size);
    return -EINVAL;
}

i64 HelperEnvironment::ns_current_pid_tgid(u64, u64, u32*, u32*) { return -EINVAL; }

i64 HelperEnvironment::probe_read_kernel(void* dst, u32 size, u64)
{
    memset(dst, 0, size);
    return -EFAULT;
}

i64 HelperEnvironment::probe_read_user(void* dst, u32 size, u64)
{
    memset(dst, 0, size);
    return -EFAULT;
}

i64 HelperEnvironment::probe_read_kernel_str(char* dst, u32 size, u64)
{
    memset(dst, 0, size);
    return -EFAULT;
}

i64 HelperEnvironment::probe_read_user_str(char* dst, u32 size, u64)
{
    memset(dst, 0, size);
    return -EFAULT;
}

i64 HelperEnvironment::walk_stack(u64, bool, u64*, u32) { return -EFAULT; }

static HelperEnvironment s_default_environment;
static HelperEnvironment* s_environment = &s_default_environment;

HelperEnvironment& helper_environment() { return *s_environment; }

void install_helper_environment(HelperEnvironment* environment)
{
    s_environment = environment ? environment : &s_default_environment;
}

}
