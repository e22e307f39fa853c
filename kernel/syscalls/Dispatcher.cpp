// The one place where ErrorOr results become Linux's -errno return convention, and where
// unknown syscall numbers turn into -ENOSYS (logged once per number).
#include "syscalls/Syscall.h"
#include "console/Console.h"
#include "klib/Atomic.h"
#include <utility>

namespace {

template<typename T>
T from_register(u64 value)
{
    if constexpr (std::is_pointer_v<T>)
        return reinterpret_cast<T>(value);
    else
        return static_cast<T>(value);
}

template<typename... Params, usize... I>
ErrorOr<u64> invoke_with(ErrorOr<u64> (*handler)(Params...), u64 const* args, std::index_sequence<I...>)
{
    return handler(from_register<Params>(args[I])...);
}

template<typename... Params>
ErrorOr<u64> invoke(ErrorOr<u64> (*handler)(Params...), u64 const* args)
{
    static_assert(sizeof...(Params) <= 6, "a syscall has at most six arguments");
    return invoke_with(handler, args, std::index_sequence_for<Params...> {});
}

using Trampoline = ErrorOr<u64> (*)(u64 const* args);

struct SyscallEntry {
    char const* name { nullptr };
    Trampoline trampoline { nullptr };
};

constexpr usize max_syscall_number = 512;

struct SyscallTable {
    SyscallEntry entries[max_syscall_number] {};
    constexpr SyscallTable()
    {
#define SYSCALL(number, name, params) \
    entries[number] = { #name, [](u64 const* args) { return invoke(&sys_##name, args); } };
#include "syscalls/core.def"
#include "syscalls/fs.def"
#include "syscalls/bpf.def"
#undef SYSCALL
    }
};

constexpr SyscallTable table;
Atomic<u64> unknown_logged[max_syscall_number / 64 + 1];

}

u64 dispatch_syscall(u64 number, u64 a0, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
    if (number >= max_syscall_number || !table.entries[number].trampoline) {
        usize word = number < max_syscall_number ? number / 64 : max_syscall_number / 64;
        u64 bit = 1ULL << (number % 64);
        if (!(unknown_logged[word].fetch_or(bit) & bit))
            kprintf("syscall: unknown number %lu, returning -ENOSYS\n", number);
        return static_cast<u64>(-static_cast<i64>(ENOSYS));
    }
    u64 args[6] = { a0, a1, a2, a3, a4, a5 };
    auto result = table.entries[number].trampoline(args);
    if (result.is_error())
        return static_cast<u64>(-static_cast<i64>(result.error().code()));
    return result.value();
}

char const* syscall_name(u64 number)
{
    return number < max_syscall_number ? table.entries[number].name : nullptr;
}
