// render_event_text() (see EventText.h).
#include "trace/tracefs/EventText.h"
#include "klib/CString.h"
#include "klib/Format.h"

namespace trace {

namespace {

class Writer {
public:
    Writer(char* buffer, usize size)
        : m_buffer(buffer)
        , m_size(size)
    {
        if (size)
            buffer[0] = 0;
    }
    template<typename... Args>
    void append(char const* format, Args... args)
    {
        if (m_used + 1 >= m_size)
            return;
        int n = klib::format(m_buffer + m_used, m_size - m_used, format, args...);
        if (n > 0)
            m_used = min<usize>(m_used + static_cast<usize>(n), m_size - 1);
    }
    usize length() const { return m_used; }

private:
    char* m_buffer;
    usize m_size;
    usize m_used { 0 };
};

u64 read_unsigned(u8 const* p, u32 size)
{
    u64 v = 0;
    memcpy(&v, p, size <= 8 ? size : 8);
    return v;
}

i64 read_signed(u8 const* p, u32 size)
{
    switch (size) {
    case 1: return static_cast<i8>(p[0]);
    case 2: { i16 v; memcpy(&v, p, 2); return v; }
    case 4: { i32 v; memcpy(&v, p, 4); return v; }
    default: { i64 v; memcpy(&v, p, 8); return v; }
    }
}

bool starts_with(char const* text, char const* prefix) { return strncmp(text, prefix, strlen(prefix)) == 0; }

bool is_char_array(TracepointField const& field) { return starts_with(field.type, "char") && strchr(field.name, '[') != nullptr; }

void render_field(Writer& out, TracepointField const& field, u8 const* record, u32 record_size)
{
    if (field.offset + field.size > record_size)
        return;
    u8 const* p = record + field.offset;
    if (starts_with(field.type, "__data_loc")) {
        u32 locator = static_cast<u32>(read_unsigned(p, 4));
        u32 offset = locator & 0xffff, length = locator >> 16;
        if (offset + length > record_size || length == 0)
            length = 0, offset = 0;
        out.append("%.*s", static_cast<int>(length ? length - 1 : 0), reinterpret_cast<char const*>(record + offset));
    } else if (is_char_array(field)) {
        out.append("%.*s", static_cast<int>(strnlen(reinterpret_cast<char const*>(p), field.size)), reinterpret_cast<char const*>(p));
    } else if (strchr(field.type, '*') || (!field.is_signed && field.size == 8)) {
        out.append("%lx", static_cast<unsigned long>(read_unsigned(p, field.size)));
    } else if (field.is_signed) {
        out.append("%ld", static_cast<long>(read_signed(p, field.size)));
    } else {
        out.append("%lu", static_cast<unsigned long>(read_unsigned(p, field.size)));
    }
}

}

usize render_event_text(Tracepoint const& tracepoint, u8 const* record, u32 record_size, char* buffer, usize size)
{
    Writer out(buffer, size);
    auto const& definition = tracepoint.definition();
    char const* name = definition.name;
    bool syscall_enter = definition.flags & tracepoint_flag_no_raw && starts_with(name, "sys_enter_");
    bool syscall_exit = definition.flags & tracepoint_flag_no_raw && starts_with(name, "sys_exit_");
    if (syscall_enter) {
        out.append("sys_%s(", name + 10);
        for (u32 i = 1; i < definition.field_count; i++) {
            auto const& field = definition.fields[i];
            out.append("%s%s: %lx", i > 1 ? ", " : "", field.name, static_cast<unsigned long>(read_unsigned(record + field.offset, 8)));
        }
        out.append(")");
        return out.length();
    }
    if (syscall_exit) {
        out.append("sys_%s -> 0x%lx", name + 9, static_cast<unsigned long>(read_unsigned(record + 16, 8)));
        return out.length();
    }
    for (u32 i = 0; i < definition.field_count; i++) {
        auto const& field = definition.fields[i];
        char const* bracket = strchr(field.name, '[');
        int name_length = bracket ? static_cast<int>(bracket - field.name) : static_cast<int>(strlen(field.name));
        out.append("%s%.*s=", i ? " " : "", name_length, field.name);
        render_field(out, field, record, record_size);
    }
    return out.length();
}

}
