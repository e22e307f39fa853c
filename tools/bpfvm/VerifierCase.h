// The verifier corpus format (tests/verifier/*.case): one program per file with everything
// needed to verify it, run it and compare it with Linux. Sections start with "-- name":
//
//   -- type      socket_filter | xdp | kprobe | tracepoint | raw_tracepoint | perf_event
//   -- maps      one map per line, TYPE:KEY_SIZE:VALUE_SIZE:MAX_ENTRIES[:FLAGS] (fd = line index)
//   -- flags     unprivileged, no_perfmon, allow_uninit_stack, tracepoint=ID:SIZE, log_level=N,
//                license=NAME (last on its line: the rest of the line is the license)
//   -- asm       the program in the bpfvm asm dialect (or -- raw: hex bytes)
//   -- expect    "accept" or "reject ERRNO" (EACCES, EINVAL, E2BIG, ...)
//   -- log       lines that must each appear in the verifier log
//   -- ctx       hex bytes of the context as the program sees it (UAPI layout)
//   -- packet    hex bytes of the packet (socket filter, XDP)
//   -- result    r0 the accepted program returns when run on the interpreter
//   -- host      "skip: REASON" (not loaded on the host kernel) or "differs: REASON" (the host
//                kernel is expected to decide otherwise; documented in docs/bpf/verifier.md)
//
// Lines starting with '#' outside asm are comments; a leading "-- description" is free text.
#pragma once

#include "VerifierHarness.h"
#include <optional>
#include <string>
#include <vector>

namespace bpfvm {

struct VerifierCase {
    std::string description;
    uint32_t prog_type { 0 };
    std::vector<MapSpec> maps;
    std::vector<bpf::isa::RawInstruction> instructions;
    bool expect_accept { true };
    int expect_errno { 0 };
    std::vector<std::string> log_lines;
    std::vector<uint8_t> ctx;
    std::vector<uint8_t> packet;
    std::optional<uint64_t> result;
    bool gpl { true };
    std::string license { "GPL" };
    bool unprivileged { false };
    bool no_perfmon { false };
    bool allow_uninit_stack { false };
    uint32_t log_level { 1 };
    uint32_t tracepoint_id { 0 };
    uint32_t tracepoint_size { 0 };
    std::string host_skip;    // reason, when not sent to the host kernel
    std::string host_differs; // reason, when the host is expected to disagree

    VerifyOptions options() const;
};

std::optional<VerifierCase> parse_verifier_case(std::string const& text, std::string& error);
int errno_from_name(std::string const& name);

}
