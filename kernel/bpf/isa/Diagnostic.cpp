// Diagnostic formatting (see Diagnostic.h).
#include "bpf/isa/Diagnostic.h"
#include "klib/Format.h"
#include <stdarg.h>

namespace bpf::isa {

void Diagnostic::report(Location location, u32 where, char const* fmt, ...)
{
    m_location = location;
    m_where = where;
    va_list args;
    va_start(args, fmt);
    klib::vformat(m_text, sizeof(m_text), fmt, args);
    va_end(args);
    switch (location) {
    case Location::Instruction:
        klib::format(m_full, sizeof(m_full), "instruction %u: %s", where, m_text);
        break;
    case Location::Line:
        klib::format(m_full, sizeof(m_full), "line %u: %s", where, m_text);
        break;
    case Location::None:
        klib::format(m_full, sizeof(m_full), "%s", m_text);
        break;
    }
}

void Diagnostic::clear()
{
    m_location = Location::None;
    m_where = 0;
    m_text[0] = '\0';
    m_full[0] = '\0';
}

}
