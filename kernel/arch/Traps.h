// Architecture-neutral trap handling entry points, called by the arch interrupt code.
#pragma once

#include "arch/Registers.h"

using IrqHandler = void (*)(Registers&);

void idt_initialize();
void register_irq_handler(u8 irq, IrqHandler handler);

// CPU exceptions (vector < 32): page faults go to the memory manager; faults in user mode
// become signals; faults in kernel mode are fixed up (user copies) or panic.
void handle_exception(u32 vector, Registers& regs);
// Called at the end of the timer interrupt, with interrupts masked: may preempt.
void handle_timer_tick_exit(Registers& regs);
