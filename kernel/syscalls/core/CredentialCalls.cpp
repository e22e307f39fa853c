// Credential syscalls with Linux's rules (kernel/sys.c, kernel/groups.c): set{,re,res}{u,g}id,
// get{res}{u,g}id, setfs{u,g}id and {get,set}groups. A privileged caller (effective uid 0: it
// has CAP_SETUID/CAP_SETGID) may set any id; any other caller may only move among its current
// real, effective and saved ids. (u32)-1 means "unchanged" where Linux allows it and is
// EINVAL where Linux has no unchanged form (setuid, setgid, a group list entry). The uid and
// gid rules are the same code over the two halves of Credentials. Every change sets the
// filesystem id to the new effective id, as Linux does.
#include "mm/UserBuffer.h"
#include "proc/Process.h"
#include "syscalls/Syscall.h"

namespace {

constexpr u32 unchanged = 0xffffffffu;
constexpr int ngroups_max = 65536; // Linux's NGROUPS_MAX

// The four ids of one kind (user or group) inside Credentials.
struct IdKind {
    u32 Credentials::* real;
    u32 Credentials::* effective;
    u32 Credentials::* saved;
    u32 Credentials::* fs;
};
constexpr IdKind user_ids { &Credentials::uid, &Credentials::euid, &Credentials::suid, &Credentials::fsuid };
constexpr IdKind group_ids { &Credentials::gid, &Credentials::egid, &Credentials::sgid, &Credentials::fsgid };

bool is_current_id(Credentials const& c, IdKind kind, u32 id)
{
    return id == c.*kind.real || id == c.*kind.effective || id == c.*kind.saved;
}

// setuid/setgid: privileged sets all four; otherwise the effective (and fs) id may become the
// real or saved id.
ErrorOr<u64> set_id(IdKind kind, u32 id)
{
    auto& process = Process::current();
    Credentials c = process.credentials();
    if (id == unchanged)
        return Error(EINVAL);
    if (c.is_privileged()) {
        c.*kind.real = c.*kind.effective = c.*kind.saved = c.*kind.fs = id;
    } else if (id == c.*kind.real || id == c.*kind.saved) {
        c.*kind.effective = c.*kind.fs = id;
    } else {
        return Error(EPERM);
    }
    process.set_credentials(c);
    return 0;
}

// setreuid/setregid: the real id may become the real or effective id, the effective id any
// of the three; the saved id follows the new effective id when the real id is set or the
// effective id becomes something other than the old real id.
ErrorOr<u64> set_real_effective(IdKind kind, u32 real, u32 effective)
{
    auto& process = Process::current();
    Credentials const& old = process.credentials();
    Credentials c = old;
    bool privileged = old.is_privileged();
    if (real != unchanged) {
        if (real != old.*kind.real && real != old.*kind.effective && !privileged)
            return Error(EPERM);
        c.*kind.real = real;
    }
    if (effective != unchanged) {
        if (!is_current_id(old, kind, effective) && !privileged)
            return Error(EPERM);
        c.*kind.effective = effective;
    }
    if (real != unchanged || (effective != unchanged && effective != old.*kind.real))
        c.*kind.saved = c.*kind.effective;
    c.*kind.fs = c.*kind.effective;
    process.set_credentials(c);
    return 0;
}

// setresuid/setresgid: each given id must be one of the current three unless privileged.
ErrorOr<u64> set_real_effective_saved(IdKind kind, u32 real, u32 effective, u32 saved)
{
    auto& process = Process::current();
    Credentials const& old = process.credentials();
    if ((real == unchanged || real == old.*kind.real) && (effective == unchanged || effective == old.*kind.effective)
        && (saved == unchanged || saved == old.*kind.saved))
        return 0;
    auto is_new = [&](u32 id) { return id != unchanged && !is_current_id(old, kind, id); };
    if ((is_new(real) || is_new(effective) || is_new(saved)) && !old.is_privileged())
        return Error(EPERM);
    Credentials c = old;
    if (real != unchanged)
        c.*kind.real = real;
    if (effective != unchanged)
        c.*kind.effective = effective;
    if (saved != unchanged)
        c.*kind.saved = saved;
    c.*kind.fs = c.*kind.effective;
    process.set_credentials(c);
    return 0;
}

ErrorOr<u64> get_real_effective_saved(IdKind kind, u64 user_real, u64 user_effective, u64 user_saved)
{
    Credentials const& c = Process::current().credentials();
    u32 real = c.*kind.real, effective = c.*kind.effective, saved = c.*kind.saved;
    TRY(copy_to_user(user_real, &real));
    TRY(copy_to_user(user_effective, &effective));
    TRY(copy_to_user(user_saved, &saved));
    return 0;
}

// setfsuid/setfsgid: always return the old fs id; the change happens only for one of the
// current ids (or the fs id itself) or for a privileged caller.
u64 set_fs_id(IdKind kind, u32 id)
{
    auto& process = Process::current();
    Credentials c = process.credentials();
    u32 old_fs = c.*kind.fs;
    if (id == unchanged)
        return old_fs;
    if (is_current_id(c, kind, id) || id == old_fs || c.is_privileged()) {
        c.*kind.fs = id;
        process.set_credentials(c);
    }
    return old_fs;
}

}

ErrorOr<u64> sys_setuid(u32 uid) { return set_id(user_ids, uid); }
ErrorOr<u64> sys_setgid(u32 gid) { return set_id(group_ids, gid); }
ErrorOr<u64> sys_setreuid(u32 ruid, u32 euid) { return set_real_effective(user_ids, ruid, euid); }
ErrorOr<u64> sys_setregid(u32 rgid, u32 egid) { return set_real_effective(group_ids, rgid, egid); }
ErrorOr<u64> sys_setresuid(u32 ruid, u32 euid, u32 suid) { return set_real_effective_saved(user_ids, ruid, euid, suid); }
ErrorOr<u64> sys_setresgid(u32 rgid, u32 egid, u32 sgid) { return set_real_effective_saved(group_ids, rgid, egid, sgid); }
ErrorOr<u64> sys_getresuid(u64 user_ruid, u64 user_euid, u64 user_suid)
{
    return get_real_effective_saved(user_ids, user_ruid, user_euid, user_suid);
}
ErrorOr<u64> sys_getresgid(u64 user_rgid, u64 user_egid, u64 user_sgid)
{
    return get_real_effective_saved(group_ids, user_rgid, user_egid, user_sgid);
}
ErrorOr<u64> sys_setfsuid(u32 uid) { return set_fs_id(user_ids, uid); }
ErrorOr<u64> sys_setfsgid(u32 gid) { return set_fs_id(group_ids, gid); }

// getgroups(0, _) counts; a smaller nonzero size is EINVAL.
ErrorOr<u64> sys_getgroups(int size, u64 user_list)
{
    Credentials const& c = Process::current().credentials();
    if (size < 0)
        return Error(EINVAL);
    if (size) {
        if (c.group_count > static_cast<u32>(size))
            return Error(EINVAL);
        TRY(copy_to_user(user_list, c.groups, c.group_count * sizeof(u32)));
    }
    return c.group_count;
}

// setgroups: privileged only; the list is stored sorted, as Linux's groups_sort does. Lists
// longer than Credentials::max_groups (but within NGROUPS_MAX) are refused with ENOMEM.
ErrorOr<u64> sys_setgroups(int size, u64 user_list)
{
    auto& process = Process::current();
    if (!process.credentials().is_privileged())
        return Error(EPERM);
    if (static_cast<u32>(size) > static_cast<u32>(ngroups_max))
        return Error(EINVAL);
    if (static_cast<u32>(size) > Credentials::max_groups)
        return Error(ENOMEM);
    Credentials c = process.credentials();
    u32 groups[Credentials::max_groups];
    TRY(copy_from_user(groups, user_list, static_cast<usize>(size) * sizeof(u32)));
    for (int i = 0; i < size; ++i) {
        if (groups[i] == unchanged)
            return Error(EINVAL);
        for (int j = i; j > 0 && groups[j - 1] > groups[j]; --j)
            klib::swap(groups[j - 1], groups[j]);
    }
    c.group_count = static_cast<u32>(size);
    for (int i = 0; i < size; ++i)
        c.groups[i] = groups[i];
    process.set_credentials(c);
    return 0;
}
