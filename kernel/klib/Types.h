// Fixed-width integer types and small utilities (move/forward/min/max) shared by the
// kernel and host builds. No dependency on libstdc++ beyond freestanding headers.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <type_traits>

using u8 = uint8_t;
using u16 = uint16_t;
using u32 = uint32_t;
using u64 = uint64_t;
using i8 = int8_t;
using i16 = int16_t;
using i32 = int32_t;
using i64 = int64_t;
using uptr = uintptr_t;
using usize = size_t;
using isize = ptrdiff_t;

namespace klib {

template<typename T>
constexpr std::remove_reference_t<T>&& move(T&& value) { return static_cast<std::remove_reference_t<T>&&>(value); }

template<typename T>
constexpr T&& forward(std::remove_reference_t<T>& value) { return static_cast<T&&>(value); }
template<typename T>
constexpr T&& forward(std::remove_reference_t<T>&& value) { return static_cast<T&&>(value); }

template<typename T>
constexpr void swap(T& a, T& b)
{
    T tmp = move(a);
    a = move(b);
    b = move(tmp);
}

template<typename T, typename U = T>
constexpr T exchange(T& slot, U&& value)
{
    T old = move(slot);
    slot = forward<U>(value);
    return old;
}

template<typename T> constexpr T min(T a, T b) { return b < a ? b : a; }
template<typename T> constexpr T max(T a, T b) { return a < b ? b : a; }
template<typename T> constexpr T clamp(T v, T lo, T hi) { return v < lo ? lo : (hi < v ? hi : v); }

constexpr u64 align_up(u64 value, u64 alignment) { return (value + alignment - 1) & ~(alignment - 1); }
constexpr u64 align_down(u64 value, u64 alignment) { return value & ~(alignment - 1); }
constexpr bool is_power_of_two(u64 v) { return v && !(v & (v - 1)); }

// Overflow-checked arithmetic; returns false when the result does not fit.
template<typename T> constexpr bool checked_add(T a, T b, T& out) { return !__builtin_add_overflow(a, b, &out); }
template<typename T> constexpr bool checked_mul(T a, T b, T& out) { return !__builtin_mul_overflow(a, b, &out); }

}

using klib::move;
using klib::forward;
using klib::align_down;
using klib::exchange;
using klib::align_up;
using klib::max;
using klib::min;
