// The few C++ ABI hooks a freestanding kernel needs: pure virtual calls panic, global
// destructors are never registered (the kernel does not exit), and static constructors run
// from the .init_array at boot (run_global_constructors).
#include "console/Console.h"

extern "C" {

void* __dso_handle = nullptr;

int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
int atexit(void (*)()) { return 0; }

void __cxa_pure_virtual() { panic("pure virtual function called"); }

using Constructor = void (*)();
extern Constructor __init_array_start[];
extern Constructor __init_array_end[];
}

void run_global_constructors()
{
    for (Constructor* constructor = __init_array_start; constructor < __init_array_end; ++constructor)
        (*constructor)();
}
