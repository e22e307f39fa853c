// Functions that cannot be probed (Linux's NOKPROBE_SYMBOL list and .kprobes.text): the probe
// machinery itself and everything the breakpoint path runs before it knows a probe is active
// (interrupt entry and exit code, the exception dispatcher, the per-CPU and interrupt-flag
// helpers), so a probe there would recurse without end. Matched by link name, so the rules
// cover mangled C++ names too (e.g. everything in namespace kprobes). Pure: host-tested.
#pragma once

#include "klib/StringView.h"

namespace kprobes {

bool is_blacklisted_function(StringView link_name);

}
