// Path resolution (see PathResolution.h). The remaining path lives in a small buffer that is
// rebuilt (target + rest) each time a symlink is expanded.
#include "fs/PathResolution.h"
#include "fs/Inode.h"
#include "fs/Mount.h"

namespace {

ErrorOr<PathResolution> make_result(RefPtr<Custody> parent, RefPtr<Custody> custody, StringView name, bool trailing)
{
    PathResolution result;
    result.parent = move(parent);
    result.custody = move(custody);
    result.last_name = TRY(String::try_create(name));
    result.trailing_slash = trailing;
    return result;
}

}

ErrorOr<PathResolution> resolve_path(StringView path, Custody& base, FsCredentials const& cred, u32 flags)
{
    if (path.is_empty())
        return Error(ENOENT);
    if (path.length() >= fs::path_max)
        return Error(ENAMETOOLONG);

    auto root = vfs_root_custody();
    Vector<char> buffer;
    TRY(buffer.try_append(path.chars(), path.length()));
    usize position = 0;
    RefPtr<Custody> current;
    if (path[0] == '/') {
        if (!root)
            return Error(ENOENT);
        current = root;
    } else {
        current = RefPtr<Custody>(&base);
    }
    u32 links_followed = 0;

    for (;;) {
        usize size = buffer.size();
        while (position < size && buffer[position] == '/')
            ++position;
        if (position == size) {
            // Nothing after the slashes: the path names the directory we are at ("/").
            return make_result(current->parent_ref(), current, "", false);
        }
        usize end = position;
        while (end < size && buffer[end] != '/')
            ++end;
        usize after = end;
        while (after < size && buffer[after] == '/')
            ++after;
        bool is_last = after == size;
        bool trailing = is_last && end < size;
        StringView component(buffer.data() + position, end - position);
        if (component.length() > fs::name_max)
            return Error(ENAMETOOLONG);

        Inode& directory = current->inode();
        auto directory_md = directory.metadata();
        if (!directory_md.is_directory())
            return Error(ENOTDIR);
        if (!may_access(directory_md, fs::ACCESS_X, cred))
            return Error(EACCES);

        RefPtr<Custody> next;
        if (component == ".") {
            next = current;
        } else if (component == "..") {
            next = current->parent() ? current->parent_ref() : current;
        } else {
            auto lookup = directory.lookup(component);
            if (lookup.is_error()) {
                if (lookup.error().code() == ENOENT && is_last && (flags & ResolveParent))
                    return make_result(current, nullptr, component, trailing);
                return lookup.release_error();
            }
            RefPtr<Inode> child = lookup.release_value();
            for (u32 depth = 0; depth < 16; ++depth) {
                auto covering = vfs_mounted_root_at(*child);
                if (!covering)
                    break;
                child = move(covering);
            }
            bool follow = !is_last || (!(flags & ResolveParent) && ((flags & ResolveFollowFinal) || trailing));
            if (follow && child->is_symlink()) {
                if (++links_followed > fs::max_symlink_follows)
                    return Error(ELOOP);
                if (child->is_magic_link()) {
                    auto target = TRY(child->resolve_magic_link());
                    if (!is_last) {
                        current = move(target);
                        position = after;
                        continue;
                    }
                    if (trailing && !target->inode().is_directory())
                        return Error(ENOTDIR);
                    return make_result(current, move(target), component, trailing);
                }
                auto target = TRY(child->readlink());
                if (target.is_empty())
                    return Error(ENOENT);
                Vector<char> expanded;
                TRY(expanded.try_ensure_capacity(target.length() + (size - end)));
                TRY(expanded.try_append(target.c_str(), target.length()));
                TRY(expanded.try_append(buffer.data() + end, size - end));
                if (expanded.size() >= fs::path_max)
                    return Error(ENAMETOOLONG);
                if (target.c_str()[0] == '/') {
                    if (!root)
                        return Error(ENOENT);
                    current = root;
                }
                buffer = move(expanded);
                position = 0;
                continue;
            }
            next = TRY(Custody::try_create(current, component, move(child)));
        }

        if (is_last) {
            if (trailing && !(flags & ResolveParent) && !next->inode().is_directory())
                return Error(ENOTDIR);
            return make_result(current, move(next), component, trailing);
        }
        current = move(next);
        position = after;
    }
}

ErrorOr<RefPtr<Custody>> resolve_custody(StringView path, Custody& base, FsCredentials const& cred, bool follow_final)
{
    auto result = TRY(resolve_path(path, base, cred, follow_final ? static_cast<u32>(ResolveFollowFinal) : 0u));
    return move(result.custody);
}
