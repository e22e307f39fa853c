// The global process table: pid -> Process, plus the parent/child links. One spinlock
// (ProcessTable::lock()) guards the table and every Process's m_parent/m_children.
#pragma once

#include "klib/HashMap.h"
#include "klib/Spinlock.h"
#include "proc/Process.h"

class ProcessTable {
public:
    static Spinlock& lock();
    static HashMap<i32, RefPtr<Process>>& table(); // lock held
    static ErrorOr<void> insert(Process& process, Process* parent);
    // Removes a reaped zombie from the table and from its parent.
    static void remove(Process& process);
    // Moves every child of `dying` to init; returns true if any child is a zombie.
    static bool reparent_children(Process& dying);
    static Process* init_process();

    // Field access for the lifecycle code.
    static Process*& parent_of(Process& p) { return p.m_parent; }
    static Vector<RefPtr<Process>>& children_of(Process& p) { return p.m_children; }
};
