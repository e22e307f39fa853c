// 8259 PIC driver (see Pic.cpp).
#pragma once
#include "klib/Types.h"

void pic_initialize();
void pic_unmask(u8 irq);
void pic_send_eoi(u8 irq);
bool pic_is_spurious(u8 irq);
