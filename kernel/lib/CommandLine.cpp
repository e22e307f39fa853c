// The kernel command line: words the kernel knows (`quiet`) are consumed here; everything
// after a `--` goes to /init as arguments (like Linux). The boot loader puts the image name
// first; it is skipped. Runs before the heap exists, so it keeps views into the boot
// loader's copy of the line instead of allocating.
#include "arch/BootInfo.h"
#include "console/Console.h"
#include "klib/Span.h"
#include "klib/StringView.h"

namespace {
constexpr usize max_init_arguments = 32;
StringView init_arguments[max_init_arguments];
usize init_argument_count;
}

Span<StringView const> kernel_init_arguments() { return { init_arguments, init_argument_count }; }

void kernel_command_line_parse(char const* command_line)
{
    StringView rest(command_line);
    bool after_separator = false;
    bool first = true;
    while (!rest.is_empty()) {
        rest = rest.trim_whitespace();
        if (rest.is_empty())
            break;
        isize space = rest.find(' ');
        StringView word = space < 0 ? rest : rest.substring(0, static_cast<usize>(space));
        rest = space < 0 ? StringView() : rest.substring(static_cast<usize>(space) + 1);
        if (first) {
            first = false;
            if (word.ends_with("kernel.bin") || word.ends_with("kernel.elf"))
                continue;
        }
        if (word == StringView("--")) {
            after_separator = true;
            continue;
        }
        if (after_separator) {
            if (init_argument_count < max_init_arguments)
                init_arguments[init_argument_count++] = word;
        } else if (word == StringView("quiet")) {
            console_set_quiet(true);
        }
    }
}

// /proc/cmdline: the line as the boot loader passed it.
char const* kernel_command_line() { return boot_info().command_line; }
