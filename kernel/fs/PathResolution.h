// Path resolution: turns a path into a chain of custodies, starting at the root (absolute
// paths) or at a base directory (relative paths: the cwd or a dirfd). Handles ".", "..",
// repeated and trailing slashes, mount crossings, symlinks (at most 40 per resolution, else
// ELOOP; absolute targets restart at the root), magic links (/proc/<pid>/fd/N...), search
// permission on every directory walked, NAME_MAX (255) and PATH_MAX (4096, including the
// NUL: a path or expanded symlink path of 4096 bytes or more is ENAMETOOLONG).
//
// Pure: no process state is consulted (callers pass the base and the credentials).
#pragma once

#include "fs/Custody.h"
#include "fs/FsTypes.h"

struct PathResolution {
    // Directory the last component was looked up in (null for "/").
    RefPtr<Custody> parent;
    // The resolved object; null only with ResolveParent when the last component is missing.
    RefPtr<Custody> custody;
    // The last component as written: "" when the path is "/" (or ends at the root after a
    // symlink), possibly "." or "..".
    String last_name;
    bool trailing_slash { false };
};

enum ResolveFlags : u32 {
    // Follow a symlink in the last component (trailing slashes always follow).
    ResolveFollowFinal = 1,
    // Stop at the last component: look it up but never follow it, and report a missing one
    // as custody == null instead of ENOENT (for create, mkdir, unlink, rmdir, rename...).
    ResolveParent = 2,
};

ErrorOr<PathResolution> resolve_path(StringView path, Custody& base, FsCredentials const&, u32 flags);
// The custody of an existing object.
ErrorOr<RefPtr<Custody>> resolve_custody(StringView path, Custody& base, FsCredentials const&, bool follow_final = true);
