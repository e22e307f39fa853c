#include "arch/Traps.h"
#include "mm/PageFault.h"
#include "proc/Signals.h"
#include "console/Console.h"
#include "mm/UserBuffer.h"
void scheduler_timer_tick() {}
void handle_timer_tick_exit(Registers&) {}
PageFaultResult handle_page_fault(u64, PageFaultAccess, Registers&) { return PageFaultResult::BadAccess; }
void deliver_fault_signal(int, u64, Registers&) {}
void tty_receive_byte(u8) {}
extern "C" void prepare_return_to_user() {}
extern "C" void syscall_handler() {}
extern "C" void scheduler_finish_switch_for_new_thread() {}
ErrorOr<void> copy_from_user(void*, u64, usize) { return Error(EFAULT); }
ErrorOr<void> copy_to_user(u64, void const*, usize) { return Error(EFAULT); }
ErrorOr<void> clear_user(u64, usize) { return Error(EFAULT); }
