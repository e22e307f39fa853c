// GDT/TSS setup (see Gdt.cpp).
#pragma once
#include "klib/Types.h"

void gdt_initialize();
void tss_set_kernel_stack(u64 stack_top);
