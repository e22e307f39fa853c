// Custody: one step of a resolved path — the parent custody, the name used to reach the
// inode, and the inode itself. A chain of custodies up to the root is how the kernel knows
// where something was found: getcwd, /proc/<pid>/cwd and exe, /proc/<pid>/fd links and ".."
// (which follows the chain, so ".." of a mounted root leads to the mount point's parent).
//
// Invariants: immutable after creation (a rename does not update existing custodies; like a
// Linux path, a custody is a record of how the object was reached). The root custody has no
// parent and an empty name. Thread-safe because immutable.
#pragma once

#include "fs/Inode.h"
#include "klib/RefPtr.h"
#include "klib/String.h"

class Custody : public RefCounted {
public:
    static ErrorOr<RefPtr<Custody>> try_create(RefPtr<Custody> parent, StringView name, RefPtr<Inode> inode);
    ~Custody() override;

    Custody* parent() const { return m_parent.ptr(); }
    RefPtr<Custody> parent_ref() const { return m_parent; }
    StringView name() const { return m_name.view(); }
    Inode& inode() const { return *m_inode; }
    RefPtr<Inode> inode_ref() const { return m_inode; }
    bool is_root() const { return !m_parent; }

    // "/a/b/c" (the root is "/").
    ErrorOr<String> absolute_path() const;

private:
    Custody(RefPtr<Custody> parent, String name, RefPtr<Inode> inode);

    RefPtr<Custody> m_parent;
    String m_name;
    RefPtr<Inode> m_inode;
};
