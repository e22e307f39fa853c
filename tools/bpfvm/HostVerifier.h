// The host Linux kernel's verifier through the raw bpf() system call: creates the maps of a
// case (same specs as MapSet), rewrites LD_IMM64 map references from map indices to the new
// fds, and loads the program with the same type and license, returning Linux's errno and log.
// Programs that take function references (callbacks) get a minimal BTF with one static
// function per subprogram, because Linux requires func_info for them. Host-only.
#pragma once

#include "VerifierHarness.h"
#include <string>
#include <vector>

namespace bpfvm::host {

struct HostVerdict {
    int error { 0 };        // 0 = accepted
    std::string log;
    uint64_t verification_usec { 0 }; // from a log_level 4 (stats) line when requested
    uint32_t processed_insns { 0 };
    bool setup_failed { false };      // maps or BTF could not be created
    std::string setup_error;
};

struct HostOptions {
    uint32_t prog_type { 0 };
    bool gpl { true };
    uint32_t log_level { 1 };
    bool stats { false };
    bool log_when_accepted { false }; // also load a second time for the log of an accepted program
};

HostVerdict host_verify(std::vector<bpf::isa::RawInstruction> const& program, std::vector<MapSpec> const& maps, HostOptions const& options);
// 0 if bpf() works here, else errno.
int host_available();

}
