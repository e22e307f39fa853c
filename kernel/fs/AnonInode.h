// Anonymous-inode files: Files that no path names (epoll instances, later BPF maps,
// programs and links, perf events). Their /proc/<pid>/fd link reads "anon_inode:<name>"
// (Linux spells some names with brackets, "anon_inode:[eventpoll]", others without,
// "anon_inode:bpf-map"), and stat shows the shared anon_inode inode (mode 0600, no type).
//
// install_anonymous_fd() wraps a File in a description and installs it in the current
// process's fd table — the last step of every fd-creating syscall, after everything that can
// fail has succeeded.
#pragma once

#include "fs/File.h"
#include "fs/OpenFileDescription.h"

class AnonInodeFile : public File {
public:
    // `name` must outlive the file (a string literal).
    explicit AnonInodeFile(char const* name)
        : m_name(name)
    {
    }
    ErrorOr<String> absolute_path(OpenFileDescription const&) const override;
    StringView anon_name() const { return m_name; }

private:
    char const* m_name;
};

// The text of an anon_inode fd link: "anon_inode:" + name.
ErrorOr<String> anon_inode_path(StringView name);
// Creates a description (flags: access mode | O_NONBLOCK | O_CLOEXEC) for `file` and
// installs it at the lowest free fd of the current process. Returns the fd.
ErrorOr<int> install_anonymous_fd(RefPtr<File> file, u32 flags);
