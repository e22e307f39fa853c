// bpf_bprintf_prepare + bstr_printf equivalents (see Bprintf.h).
#include "bpf/helpers/Bprintf.h"
#include "bpf/helpers/HelperEnvironment.h"
#include "klib/CString.h"
#include "klib/Errno.h"
#include "klib/Format.h"

namespace bpf {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
bool is_print(char c) { return c >= 0x20 && c < 0x7f; }
bool is_ascii(char c) { return static_cast<unsigned char>(c) < 0x80; }
bool is_alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_punct(char c) { return is_print(c) && !is_alnum(c) && c != ' '; }

// One resolved conversion: an integer (or pointer) value, or text in the argument buffer.
struct Resolved {
    u64 value;
    u16 text_offset;
    bool is_text;
};

struct Output {
    char* out;
    u32 size;
    u64 length { 0 };
    void put(char c)
    {
        if (out && length + 1 < size)
            out[length] = c;
        ++length;
    }
    void put(char const* s, u64 n)
    {
        for (u64 i = 0; i < n; ++i)
            put(s[i]);
    }
    void finish()
    {
        if (out && size)
            out[length < size ? length : size - 1] = '\0';
    }
};

void format_ip(char* text, u32 capacity, char kind, char version, u8 const* ip)
{
    if (version == '4') {
        if (kind == 'I')
            klib::format(text, capacity, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
        else
            klib::format(text, capacity, "%03u.%03u.%03u.%03u", ip[0], ip[1], ip[2], ip[3]);
        return;
    }
    usize used = 0;
    for (int group = 0; group < 8; ++group) {
        unsigned word = static_cast<unsigned>(ip[2 * group]) << 8 | ip[2 * group + 1];
        if (kind == 'I')
            used += klib::format(text + used, capacity - used, group ? ":%04x" : "%04x", word);
        else
            used += klib::format(text + used, capacity - used, "%04x", word);
    }
}

}

i64 bprintf(char const* fmt, u32 fmt_size, u64 const* args, u32 num_args, char* out, u32 out_size)
{
    // ---- bpf_bprintf_prepare ----
    u32 length = 0;
    while (length < fmt_size && fmt[length])
        ++length;
    if (length == fmt_size)
        return -EINVAL; // not NUL-terminated within fmt_size
    fmt_size = length;

    char buffer[max_bprintf_bin_args];
    u32 used = 0; // bytes of the argument buffer consumed, with Linux's accounting
    Resolved resolved[max_bprintf_args];
    u32 num_spec = 0;
    HelperEnvironment& env = helper_environment();

    for (u32 i = 0; i < fmt_size; i++) {
        if ((!is_print(fmt[i]) && !is_space(fmt[i])) || !is_ascii(fmt[i]))
            return -EINVAL;
        if (fmt[i] != '%')
            continue;
        if (fmt[i + 1] == '%') {
            i++;
            continue;
        }
        if (num_spec >= num_args)
            return -EINVAL;
        i++;
        while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' || fmt[i] == ' ')
            i++;
        if (fmt[i] >= '1' && fmt[i] <= '9') {
            i++;
            while (fmt[i] >= '0' && fmt[i] <= '9')
                i++;
        }
        Resolved& slot = resolved[num_spec];
        slot = { args[num_spec], 0, false };
        u32 arg_size;
        char string_kind = 0;
        if (fmt[i] == 'p') {
            arg_size = 8;
            char next = fmt[i + 1];
            if ((next == 'k' || next == 'u') && fmt[i + 2] == 's') {
                string_kind = next;
                i += 2;
            } else if (next == 0 || is_space(next) || is_punct(next) || next == 'K' || next == 'x' || next == 's' || next == 'S') {
                i++; // the character after %p is consumed here (Linux does the same)
            } else if (next == 'B') {
                // Symbolised on Linux; printed as an address here (see Bprintf.h).
                char text[24];
                int n = klib::format(text, sizeof(text), "%016llx", static_cast<unsigned long long>(args[num_spec]));
                if (max_bprintf_bin_args - used < static_cast<u32>(n) + 1)
                    return -ENOSPC;
                memcpy(buffer + used, text, n + 1);
                slot = { 0, static_cast<u16>(used), true };
                used += n + 1;
                i++;
                num_spec++;
                continue;
            } else {
                if ((next != 'i' && next != 'I') || (fmt[i + 2] != '4' && fmt[i + 2] != '6'))
                    return -EINVAL;
                i += 2;
                u32 ip_size = fmt[i] == '4' ? 4 : 16;
                if (max_bprintf_bin_args - used < ip_size)
                    return -ENOSPC;
                u8 ip[16];
                if (env.probe_read_kernel(ip, ip_size, args[num_spec]) < 0)
                    memset(ip, 0, ip_size);
                char text[48];
                format_ip(text, sizeof(text), fmt[i - 1], fmt[i], ip);
                u32 n = static_cast<u32>(strlen(text));
                u32 room = max_bprintf_bin_args - used;
                u32 copied = n + 1 <= room ? n + 1 : room;
                memcpy(buffer + used, text, copied);
                buffer[used + copied - 1] = '\0';
                slot = { 0, static_cast<u16>(used), true };
                used += copied;
                num_spec++;
                continue;
            }
            if (!string_kind) {
                used = static_cast<u32>(klib::align_up(used, 4));
                if (max_bprintf_bin_args - used < arg_size)
                    return -ENOSPC;
                used += arg_size;
                num_spec++;
                continue;
            }
        } else if (fmt[i] == 's') {
            string_kind = 's';
        } else if (fmt[i] == 'c') {
            if (used == max_bprintf_bin_args)
                return -ENOSPC;
            slot.value = static_cast<u8>(args[num_spec]);
            used += 1;
            num_spec++;
            continue;
        }
        if (string_kind) {
            if (fmt[i + 1] != 0 && !is_space(fmt[i + 1]) && !is_punct(fmt[i + 1]))
                return -EINVAL;
            if (used == max_bprintf_bin_args)
                return -ENOSPC;
            u64 address = args[num_spec];
            u32 room = max_bprintf_bin_args - used;
            i64 copied;
            bool user = string_kind == 'u' || (string_kind == 's' && env.is_user_address(address));
            copied = user ? env.probe_read_user_str(buffer + used, room, address) : env.probe_read_kernel_str(buffer + used, room, address);
            if (copied < 0) {
                buffer[used] = '\0';
                copied = 1;
            }
            slot = { 0, static_cast<u16>(used), true };
            used += static_cast<u32>(copied);
            num_spec++;
            continue;
        }
        arg_size = 4;
        if (fmt[i] == 'l') {
            arg_size = 8;
            i++;
        }
        if (fmt[i] == 'l') {
            arg_size = 8;
            i++;
        }
        if (fmt[i] != 'i' && fmt[i] != 'd' && fmt[i] != 'u' && fmt[i] != 'x' && fmt[i] != 'X')
            return -EINVAL;
        if (arg_size == 4)
            slot.value = static_cast<u32>(slot.value);
        used = static_cast<u32>(klib::align_up(used, 4));
        if (max_bprintf_bin_args - used < arg_size)
            return -ENOSPC;
        used += arg_size;
        num_spec++;
    }

    // ---- bstr_printf ----
    Output output { out, out_size };
    u32 next_arg = 0;
    auto take = [&]() -> Resolved {
        return next_arg < num_spec ? resolved[next_arg++] : Resolved { 0, 0, false };
    };
    for (u32 i = 0; i < fmt_size; ++i) {
        char c = fmt[i];
        if (c != '%') {
            output.put(c);
            continue;
        }
        if (fmt[i + 1] == '%') {
            output.put('%');
            ++i;
            continue;
        }
        // Rebuild "%<flags><width><length><conversion>" and print one argument with it.
        char spec[32];
        u32 n = 0;
        spec[n++] = '%';
        ++i;
        while (fmt[i] == '0' || fmt[i] == '+' || fmt[i] == '-' || fmt[i] == ' ' || fmt[i] == '#') {
            if (n < 8)
                spec[n++] = fmt[i];
            ++i;
        }
        while (fmt[i] >= '0' && fmt[i] <= '9') {
            if (n < 16)
                spec[n++] = fmt[i];
            ++i;
        }
        char text[64];
        if (fmt[i] == 'p') {
            Resolved arg = take();
            char next = fmt[i + 1];
            if ((next == 'k' || next == 'u') && fmt[i + 2] == 's') {
                i += 2;
                spec[n++] = 's';
                spec[n] = 0;
                char big[max_bprintf_bin_args + 64];
                int len = klib::format(big, sizeof(big), spec, buffer + arg.text_offset);
                output.put(big, static_cast<u64>(len) < sizeof(big) ? len : sizeof(big) - 1);
                continue;
            }
            if (next == 'I' || next == 'i' || next == 'B') {
                i += next == 'B' ? 1 : 2;
                output.put(buffer + arg.text_offset, strlen(buffer + arg.text_offset));
                continue;
            }
            if (next == 'K' || next == 'x' || next == 's' || next == 'S')
                ++i;
            spec[n++] = '0';
            spec[n++] = '1';
            spec[n++] = '6';
            spec[n++] = 'l';
            spec[n++] = 'l';
            spec[n++] = 'x';
            spec[n] = 0;
            int len = klib::format(text, sizeof(text), spec, static_cast<unsigned long long>(arg.value));
            output.put(text, static_cast<u64>(len) < sizeof(text) ? len : sizeof(text) - 1);
            continue;
        }
        if (fmt[i] == 's') {
            Resolved arg = take();
            spec[n++] = 's';
            spec[n] = 0;
            char big[max_bprintf_bin_args + 64];
            int len = klib::format(big, sizeof(big), spec, arg.is_text ? buffer + arg.text_offset : "");
            output.put(big, static_cast<u64>(len) < sizeof(big) ? len : sizeof(big) - 1);
            continue;
        }
        if (fmt[i] == 'c') {
            Resolved arg = take();
            spec[n++] = 'c';
            spec[n] = 0;
            int len = klib::format(text, sizeof(text), spec, static_cast<int>(static_cast<u8>(arg.value)));
            output.put(text, static_cast<u64>(len) < sizeof(text) ? len : sizeof(text) - 1);
            continue;
        }
        bool wide = false;
        if (fmt[i] == 'l') {
            wide = true;
            ++i;
            if (fmt[i] == 'l')
                ++i;
        }
        char conversion = fmt[i];
        if (conversion == 0) {
            --i;
            continue;
        }
        Resolved arg = take();
        spec[n++] = 'l';
        spec[n++] = 'l';
        spec[n++] = conversion;
        spec[n] = 0;
        long long value;
        if (conversion == 'd' || conversion == 'i')
            value = wide ? static_cast<long long>(arg.value) : static_cast<long long>(static_cast<i32>(arg.value));
        else
            value = static_cast<long long>(wide ? arg.value : static_cast<u32>(arg.value));
        int len = klib::format(text, sizeof(text), spec, value);
        output.put(text, static_cast<u64>(len) < sizeof(text) ? len : sizeof(text) - 1);
    }
    output.finish();
    return static_cast<i64>(output.length);
}

}
