// Process table (see ProcessTable.h).
#include "proc/ProcessTable.h"
#include "proc/Pid.h"

namespace {
Spinlock table_lock;
HashMap<i32, RefPtr<Process>> processes;
Process* init;
}

Spinlock& ProcessTable::lock() { return table_lock; }
HashMap<i32, RefPtr<Process>>& ProcessTable::table() { return processes; }
Process* ProcessTable::init_process() { return init; }

ErrorOr<void> ProcessTable::insert(Process& process, Process* parent)
{
    SpinlockGuard guard(table_lock);
    TRY(processes.try_set(process.pid(), RefPtr<Process>(&process)));
    if (parent) {
        if (auto result = parent->m_children.try_append(RefPtr<Process>(&process)); result.is_error()) {
            processes.remove(process.pid());
            return result.release_error();
        }
    }
    process.m_parent = parent;
    if (process.pid() == 1)
        init = &process;
    return {};
}

void ProcessTable::remove(Process& process)
{
    RefPtr<Process> keep(&process); // the table's reference may be the last but one
    {
        SpinlockGuard guard(table_lock);
        if (Process* parent = process.m_parent) {
            parent->m_children.remove_all_matching([&](auto& child) { return child.ptr() == &process; });
            process.m_parent = nullptr;
        }
        processes.remove(process.pid());
    }
    release_pid(process.pid());
}

bool ProcessTable::reparent_children(Process& dying)
{
    SpinlockGuard guard(table_lock);
    bool has_zombie = false;
    if (!init || &dying == init)
        return false;
    for (auto& child : dying.m_children) {
        child->m_parent = init;
        if (child->state() == ProcessState::Zombie)
            has_zombie = true;
        (void)init->m_children.try_append(child);
    }
    dying.m_children.clear();
    return has_zombie;
}

RefPtr<Process> Process::from_pid(i32 pid)
{
    SpinlockGuard guard(table_lock);
    if (auto* entry = processes.get(pid))
        return *entry;
    return nullptr;
}

Vector<RefPtr<Process>> Process::snapshot()
{
    Vector<RefPtr<Process>> result;
    {
        SpinlockGuard guard(table_lock);
        (void)result.try_ensure_capacity(processes.size());
        processes.for_each([&](i32, RefPtr<Process>& process) { (void)result.try_append(process); });
    }
    // Insertion sort by pid (small tables).
    for (usize i = 1; i < result.size(); ++i)
        for (usize j = i; j > 0 && result[j - 1]->pid() > result[j]->pid(); --j)
            klib::swap(result[j - 1], result[j]);
    return result;
}

i32 Process::ppid() const
{
    SpinlockGuard guard(table_lock);
    return m_parent ? m_parent->pid() : 0;
}
