// tracefs trace_pipe: a consuming, blocking read of the trace ring (bpf_trace_printk lines
// and enabled events), one whole line per record. A read blocks until a record is there
// (EAGAIN with O_NONBLOCK, EINTR/restart on signals) and returns as many whole lines as fit;
// a line that does not fit in a small buffer is returned in pieces. poll/epoll report
// EPOLLIN while the ring is not empty (or a partial line is pending).
#pragma once

#include "fs/pseudo/PseudoFS.h"

namespace trace {

ErrorOr<RefPtr<Inode>> create_trace_pipe_inode(PseudoFS& fs);
// Registers the ring's notify hook (wakes readers); call once at boot.
void trace_pipe_initialize();

}
