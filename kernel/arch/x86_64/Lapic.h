// Local APIC setup (see Lapic.cpp).
#pragma once

void lapic_initialize_virtual_wire();
