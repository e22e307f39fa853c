// Thread creation and teardown (see Thread.h).
#include "sched/Thread.h"
#include "klib/CString.h"
#include "mm/Heap.h"
#include "proc/Pid.h"
#include "proc/Process.h"
#include "sched/PerCpu.h"
#include "sched/Scheduler.h"

namespace {

void user_thread_entry(void* frame) { arch_enter_user_from_frame(static_cast<Registers*>(frame)); }

}

Thread& Thread::current() { return *this_cpu().current_thread; }

ErrorOr<void> Thread::allocate_stack()
{
    m_kernel_stack = static_cast<u8*>(kmalloc(kernel_stack_size));
    if (!m_kernel_stack)
        return Error(ENOMEM);
    m_kernel_stack_top = reinterpret_cast<u64>(m_kernel_stack) + kernel_stack_size;
    return {};
}

Thread::~Thread()
{
    if (m_kernel_stack)
        kfree(m_kernel_stack);
    if (m_tid && !m_process)
        release_pid(static_cast<i32>(m_tid));
}

ErrorOr<Thread*> Thread::create_kernel_thread(void (*entry)(void*), void* argument, char const* name)
{
    auto* thread = new (std::nothrow) Thread;
    if (!thread)
        return Error(ENOMEM);
    if (auto result = thread->allocate_stack(); result.is_error()) {
        delete thread;
        return result.release_error();
    }
    auto tid = allocate_pid();
    if (tid.is_error()) {
        delete thread;
        return tid.release_error();
    }
    thread->m_tid = static_cast<u32>(tid.value());
    memcpy(thread->m_name, name, strnlen(name, sizeof(thread->m_name) - 1));
    arch_initialize_thread_state(thread->m_arch_state);
    thread->m_saved_rsp = arch_prepare_new_thread_stack(thread->m_kernel_stack_top, entry, argument);
    return thread;
}

ErrorOr<Thread*> Thread::create_user_thread(Process& process, Registers const& frame)
{
    auto* thread = new (std::nothrow) Thread;
    if (!thread)
        return Error(ENOMEM);
    if (auto result = thread->allocate_stack(); result.is_error()) {
        delete thread;
        return result.release_error();
    }
    thread->m_process = &process;
    thread->m_tid = static_cast<u32>(process.pid());
    auto name = process.comm();
    memcpy(thread->m_name, name.chars(), min<usize>(name.length(), sizeof(thread->m_name) - 1));
    arch_initialize_thread_state(thread->m_arch_state);
    Registers& user_frame = thread->user_frame();
    user_frame = frame;
    u64 below_frame = reinterpret_cast<u64>(&user_frame) & ~15ULL;
    thread->m_saved_rsp = arch_prepare_new_thread_stack(below_frame, user_thread_entry, &user_frame);
    return thread;
}

Thread* Thread::adopt_boot_context()
{
    static Thread boot_thread;
    boot_thread.m_is_idle = true;
    boot_thread.m_state = ThreadState::Running;
    memcpy(boot_thread.m_name, "swapper/0", 10);
    arch_initialize_thread_state(boot_thread.m_arch_state);
    return &boot_thread;
}
