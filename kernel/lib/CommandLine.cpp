// The kernel command line: `key=value` words the kernel knows are consumed here; everything
// after a `--` goes to /init as arguments (like Linux). The boot loader puts the image name
// first; it is skipped.
#include "klib/String.h"
#include "klib/Vector.h"

namespace {
Vector<String> init_arguments;
}

Vector<String>& kernel_init_arguments() { return init_arguments; }

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
        if (after_separator)
            init_arguments.append(MUST(String::try_create(word)));
    }
}
