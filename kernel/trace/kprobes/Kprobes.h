// Kernel probes: a breakpoint (int3 on x86-64) written into kernel text at an instruction
// boundary; when it is hit, the probes registered at that address run their pre-handlers with
// the registers of the probed point, then the original instruction is executed out of line or
// emulated and execution continues (docs/tracing-probes.md). Return probes (kretprobes) are
// probes on a function's entry that also divert its return address to a trampoline, so a
// handler runs when the function returns, with ax = its return value.
//
// What a pre-handler sees is Linux's: regs->ip = probe address + 1 (the int3 trap leaves ip
// after the breakpoint), everything else as at the probed instruction. Handlers run with
// interrupts masked and must not block. A probe hit while another probe's handler runs on the
// CPU (a probed function called by a BPF helper) does not run its handlers: it counts a miss.
//
// Registration rules (Linux's errors): the address must be in kernel text (EINVAL), not in
// the blacklist (EINVAL), on an instruction boundary of its function (EILSEQ), and an
// instruction that can be single-stepped out of line or emulated (EOPNOTSUPP otherwise).
// Several probes at one address share one breakpoint. Locking: registration and removal are
// serialized by one lock; the breakpoint path reads the probe table without locks (changes
// mask interrupts, and removal waits for handlers running on other CPUs).
#pragma once

#include "arch/Registers.h"
#include "klib/Atomic.h"
#include "klib/Error.h"
#include "klib/StringView.h"

class Thread;

namespace kprobes {

struct Kprobe;
using PreHandler = void (*)(Kprobe&, Registers&);

struct Kprobe {
    u64 address { 0 };              // set by resolve_probe_address or by hand
    PreHandler pre_handler { nullptr };
    void* owner { nullptr };        // for the handler
    bool on_function_entry { false }; // set at registration
    Atomic<u64> missed { 0 };       // hits that could not run the handler (recursion)

    // Registry state.
    Kprobe* next_at_address { nullptr };
    bool registered { false };
};

// name+offset or a plain address (name empty) -> the probe address. ENOENT for an unknown or
// mangled name, EADDRNOTAVAIL for an ambiguous one, EINVAL outside kernel text.
ErrorOr<u64> resolve_probe_address(StringView symbol, u64 offset_or_address);

ErrorOr<void> register_kprobe(Kprobe&);
// After it returns no handler of the probe runs any more.
void unregister_kprobe(Kprobe&);

// The probe whose handlers run on this CPU right now, or null (Linux's kprobe_running()).
Kprobe const* running_kprobe();

struct KretprobeInstance;
struct Kretprobe;
using ReturnHandler = void (*)(Kretprobe&, KretprobeInstance const&, Registers&);

// Linux's default maxactive on a preemptible kernel: max(10, 2 * possible CPUs).
constexpr u32 default_kretprobe_maxactive = 10;
constexpr u32 max_kretprobe_maxactive = 4096; // KRETPROBE_MAXACTIVE_MAX

struct Kretprobe {
    Kprobe entry;                  // on the function's entry (offset 0), set up by register_kretprobe
    ReturnHandler handler { nullptr };
    void* owner { nullptr };
    u32 maxactive { 0 };           // 0: the default
    Atomic<u32> active { 0 };      // instances in flight
    Atomic<u64> missed { 0 };      // entries without a free instance (or recursion)
};

// One call in flight: the return address it replaced.
struct KretprobeInstance {
    Kretprobe* probe { nullptr };  // null once the probe is unregistered
    Thread const* task { nullptr };
    u64 return_address_slot { 0 }; // stack address of the diverted return address
    u64 return_address { 0 };      // the real one
    u64 function { 0 };            // the probed function's entry
    KretprobeInstance* next { nullptr };
};

// EINVAL unless `address` is a function's entry.
ErrorOr<void> register_kretprobe(Kretprobe&, u64 function_address);
// Instances still in flight return normally without calling the handler.
void unregister_kretprobe(Kretprobe&);

// A task is going away (exit): its instances are released; the return addresses that still
// point at the trampoline belong to frames that never return.
void release_task_instances(Thread const& task);

}
