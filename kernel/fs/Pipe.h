// Pipes: a 64 KiB ring buffer shared by a read end and a write end (two Files). pipe2 makes
// one description per end (dup shares it); opening /proc/<pid>/fd/N of an end makes another
// description of the same end. EOF and EPIPE come when the last description of the other
// end is gone (File::opened/close keep the counts).
//  - read: blocks while empty and writers exist; 0 (EOF) when empty without writers;
//    EAGAIN when O_NONBLOCK.
//  - write: EPIPE and SIGPIPE without readers; writes of at most PIPE_BUF (4096) bytes are
//    atomic (wait for room for all of them); larger writes may be split; O_NONBLOCK gives
//    EAGAIN when nothing (or, for small writes, not all) fits, else a partial count.
//  - poll: read end POLLIN when data, POLLHUP without writers; write end POLLOUT when at
//    least PIPE_BUF bytes are free, POLLERR without readers. FIONREAD on both ends.
//  - /proc/<pid>/fd shows "pipe:[ino]"; fstat shows a FIFO of pipefs. Reopening an end
//    through /proc keeps its direction (the other access mode gets EBADF on use).
// Locking: one spinlock per pipe guards the ring and the end counts; data is bounced through
// a kernel buffer so the lock is never held while user memory is touched. Waiters sleep on
// the pipe's WaitQueue.
#pragma once

#include "fs/File.h"

// Creates the two ends (read, write) for pipe2(); `flags` may hold O_NONBLOCK / O_DIRECT
// (ignored) — the caller installs the descriptions.
struct PipeEnds {
    RefPtr<File> read_end;
    RefPtr<File> write_end;
};
ErrorOr<PipeEnds> create_pipe();

constexpr usize pipe_capacity = 65536;
