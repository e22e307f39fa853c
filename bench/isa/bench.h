/* Shared definitions of the ISA benchmark programs. Each program is one C file defining
 * u64 entry(u8 *buf) over a BENCH_BUFFER_SIZE-byte buffer (filled by the harness with
 * byte i = (i * 131 + 7) & 0xff). The same file is compiled with `clang -O2 -target bpf`
 * (run by our interpreter and by the host kernel's JIT) and natively (entry renamed to
 * bench_<name>). Programs must be idempotent (they re-initialise what they modify) and keep
 * every buffer index provably in bounds so that the Linux verifier accepts them. */
#pragma once

typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#define BENCH_BUFFER_SIZE 4096
#define NOINLINE static __attribute__((noinline))
