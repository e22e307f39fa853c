// The serial console terminal (/dev/console and /dev/tty are the same terminal) with a
// Linux-style line discipline:
//  - input (tty_receive_byte, interrupt context): ICRNL/INLCR/IGNCR/ISTRIP translation;
//    ISIG: ^C -> SIGINT, ^\ -> SIGQUIT, ^Z -> SIGTSTP to the foreground process group;
//    ICANON: a line editor with erase (DEL/^H), word erase (^W), kill (^U), EOF (^D) and
//    line delimiters (\n, VEOL, VEOL2); otherwise bytes go straight to readers (VMIN/VTIME:
//    VMIN=0 returns at once or after VTIME deciseconds, VMIN>0 waits for a byte);
//    ECHO/ECHOE/ECHOK/ECHONL/ECHOCTL echoing;
//  - output: OPOST|ONLCR turns \n into \r\n, then console_write();
//  - ioctls: TCGETS, TCSETS/TCSETSW/TCSETSF (struct termios from <asm/termbits.h>), TCFLSH,
//    TCXONC, TIOCGWINSZ/TIOCSWINSZ (80x24 by default), TIOCGPGRP/TIOCSPGRP, TIOCGSID,
//    TIOCSCTTY/TIOCNOTTY (accepted), FIONREAD, TIOCOUTQ, TIOCINQ.
// The foreground process group is what TIOCSPGRP set; until then it is the process group of
// the process that last read from the terminal.
//
// Locking: one spinlock (interrupts masked) guards the buffers and settings; it is never
// held across user-memory access or console output from process context.
#pragma once

#include "fs/File.h"

class Inode;

// Opens the console terminal (the DeviceOpener for 5:0 and 5:1).
ErrorOr<RefPtr<File>> open_console_tty(Inode& node, u32 flags);

// The terminal's foreground process group (TIOCSPGRP, else the last reader's), 0 if none.
i32 tty_foreground_process_group();
