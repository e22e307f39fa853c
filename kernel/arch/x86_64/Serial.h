// COM1 serial port driver (see Serial.cpp).
#pragma once
#include "klib/Types.h"

void serial_initialize();
void serial_enable_receive_interrupt();
void serial_write_byte(u8 byte);
void serial_handle_interrupt();
