// Process basics: creation of a blank process, accessors, accounting and pid 1.
#include "proc/Process.h"
#include "console/Console.h"
#include "fs/Custody.h"
#include "fs/Mount.h"
#include "fs/OpenFileDescription.h"
#include "fs/VfsOps.h"
#include "klib/CString.h"
#include "mm/AddressSpace.h"
#include "proc/Pid.h"
#include "proc/ProcessTable.h"
#include "sched/Scheduler.h"
#include "sched/Thread.h"
#include "time/Clock.h"

Process& Process::current()
{
    Process* process = Thread::current().process();
    VERIFY(process);
    return *process;
}

ErrorOr<RefPtr<Process>> Process::try_create_blank()
{
    auto* raw = new (std::nothrow) Process;
    if (!raw)
        return Error(ENOMEM);
    auto process = RefPtr<Process>::adopt(raw);
    process->m_pid = TRY(allocate_pid());
    process->m_start_time_ns = clock_monotonic_ns();
    return process;
}

Process::~Process()
{
    delete m_address_space;
}

StringView Process::comm() const { return { m_comm, strnlen(m_comm, sizeof(m_comm)) }; }

void Process::set_comm(StringView name)
{
    memset(m_comm, 0, sizeof(m_comm));
    memcpy(m_comm, name.chars(), min<usize>(name.length(), sizeof(m_comm) - 1));
}

RefPtr<Custody> Process::cwd() const { return m_cwd; }
void Process::set_cwd(RefPtr<Custody> cwd) { m_cwd = move(cwd); }
RefPtr<Custody> Process::executable() const { return m_executable; }

void Process::account_tick(bool user_mode)
{
    if (user_mode)
        m_user_time_ns += NS_PER_SEC / TICK_HZ;
    else
        m_system_time_ns += NS_PER_SEC / TICK_HZ;
}

ErrorOr<void> Process::create_init(StringView path, Vector<String>&& argv, Vector<String>&& envp)
{
    auto process = TRY(try_create_blank());
    VERIFY(process->pid() == 1);
    process->m_pgid = 1;
    process->m_sid = 1;
    process->m_fds = TRY(FdTable::try_create());
    process->m_cwd = vfs_root_custody();
    process->m_address_space = TRY(AddressSpace::try_create());
    for (int fd = 0; fd < 3; ++fd) {
        auto console = vfs_open_at(*process->m_cwd, "/dev/console", fd == 0 ? 0 : 1, 0, FsCredentials::root());
        if (console.is_error()) {
            kprintf("init: cannot open /dev/console: errno %d\n", console.error().code());
            return console.release_error();
        }
        TRY(process->m_fds->allocate(console.release_value(), false));
    }
    Registers frame {};
    // exec uses Thread::current() only for needs_full_return; pid 1 has no thread yet.
    TRY(process->exec(path, move(argv), move(envp), frame));
    TRY(ProcessTable::insert(*process, nullptr));
    Thread* thread = TRY(Thread::create_user_thread(*process, frame));
    process->m_main_thread = thread;
    Scheduler::make_runnable(*thread);
    return {};
}
