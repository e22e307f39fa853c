// BTF parsing and validation (see Btf.h), following Linux's kernel/bpf/btf.c: btf_parse_hdr,
// btf_check_sec_info, btf_parse_str_sec, btf_check_all_metas (the per-kind check_meta
// functions) and btf_check_all_types (the per-kind resolve functions).
#include "bpf/syscall/Btf.h"
#include "klib/CString.h"
#include "klib/Format.h"

namespace bpf::kernel {

namespace {

constexpr u32 BTF_INT_MASK = 0x0fffffff;
constexpr u32 BITS_PER_U128 = 128;
constexpr u32 KSYM_NAME_LEN = 128;

u32 kind(btf_type const& t) { return BTF_INFO_KIND(t.info); }
u32 vlen(btf_type const& t) { return BTF_INFO_VLEN(t.info); }
bool kflag(btf_type const& t) { return BTF_INFO_KFLAG(t.info); }
bool id_in_range(u32 id) { return id <= BTF_MAX_TYPE; }

template<typename T>
T const* after(btf_type const& t) { return reinterpret_cast<T const*>(&t + 1); }

bool is_modifier(u32 k)
{
    return k == BTF_KIND_TYPEDEF || k == BTF_KIND_VOLATILE || k == BTF_KIND_CONST || k == BTF_KIND_RESTRICT || k == BTF_KIND_TYPE_TAG;
}

// Kinds that may only appear where Linux names them explicitly (btf_type_is_resolve_source_only).
bool is_source_only(u32 k) { return k == BTF_KIND_VAR || k == BTF_KIND_DATASEC || k == BTF_KIND_DECL_TAG; }

// Kinds with their own size field.
bool has_size_field(u32 k)
{
    return k == BTF_KIND_INT || k == BTF_KIND_ENUM || k == BTF_KIND_ENUM64 || k == BTF_KIND_STRUCT || k == BTF_KIND_UNION
        || k == BTF_KIND_DATASEC || k == BTF_KIND_FLOAT;
}

// Bytes that follow struct btf_type for each kind (0 for an unknown kind).
bool extra_bytes(btf_type const& t, u64& out)
{
    switch (kind(t)) {
    case BTF_KIND_INT:
        out = sizeof(u32);
        return true;
    case BTF_KIND_PTR:
    case BTF_KIND_FWD:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_FUNC:
    case BTF_KIND_FLOAT:
    case BTF_KIND_TYPE_TAG:
        out = 0;
        return true;
    case BTF_KIND_ARRAY:
        out = sizeof(btf_array);
        return true;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
        out = static_cast<u64>(vlen(t)) * sizeof(btf_member);
        return true;
    case BTF_KIND_ENUM:
        out = static_cast<u64>(vlen(t)) * sizeof(btf_enum);
        return true;
    case BTF_KIND_ENUM64:
        out = static_cast<u64>(vlen(t)) * sizeof(btf_enum64);
        return true;
    case BTF_KIND_FUNC_PROTO:
        out = static_cast<u64>(vlen(t)) * sizeof(btf_param);
        return true;
    case BTF_KIND_VAR:
        out = sizeof(btf_var);
        return true;
    case BTF_KIND_DATASEC:
        out = static_cast<u64>(vlen(t)) * sizeof(btf_var_secinfo);
        return true;
    case BTF_KIND_DECL_TAG:
        out = sizeof(btf_decl_tag);
        return true;
    default:
        return false;
    }
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

}

char const* btf_kind_name(u32 k)
{
    static char const* const names[] = { "UNKNOWN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF",
        "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64" };
    return k < sizeof(names) / sizeof(names[0]) ? names[k] : "UNKNOWN";
}

ErrorOr<Btf> Btf::parse(Span<u8 const> data, VerifierLog& log)
{
    Btf btf;
    TRY(btf.m_data.try_append(data.data(), data.size()));
    TRY(btf.parse_header(log));
    TRY(btf.parse_strings(log));
    TRY(btf.collect_types(log));
    TRY(btf.resolve_all(log));
    return btf;
}

ErrorOr<void> Btf::parse_header(VerifierLog& log)
{
    u32 size = static_cast<u32>(m_data.size());
    if (size < offsetof(btf_header, hdr_len) + sizeof(u32)) {
        log.printf("hdr_len not found\n");
        return Error(EINVAL);
    }
    u32 hdr_len;
    memcpy(&hdr_len, m_data.data() + offsetof(btf_header, hdr_len), sizeof(hdr_len));
    if (size < hdr_len) {
        log.printf("btf_header not found\n");
        return Error(EINVAL);
    }
    for (u32 i = sizeof(btf_header); i < hdr_len; ++i) {
        if (m_data[i]) {
            log.printf("Unsupported btf_header\n");
            return Error(E2BIG);
        }
    }
    memcpy(&m_header, m_data.data(), min<u32>(hdr_len, sizeof(btf_header)));
    if (log.level()) {
        log.printf("magic: 0x%x\nversion: %u\nflags: 0x%x\nhdr_len: %u\ntype_off: %u\ntype_len: %u\nstr_off: %u\nstr_len: %u\nbtf_total_size: %u\n",
            m_header.magic, m_header.version, m_header.flags, m_header.hdr_len, m_header.type_off, m_header.type_len,
            m_header.str_off, m_header.str_len, size);
    }
    if (m_header.magic != BTF_MAGIC) {
        log.printf("Invalid magic\n");
        return Error(EINVAL);
    }
    if (m_header.version != BTF_VERSION) {
        log.printf("Unsupported version\n");
        return Error(ENOTSUPP);
    }
    if (m_header.flags) {
        log.printf("Unsupported flags\n");
        return Error(ENOTSUPP);
    }
    if (size == m_header.hdr_len) {
        log.printf("No data\n");
        return Error(EINVAL);
    }
    // btf_check_sec_info: the type and string sections, sorted by offset, must tile the data.
    struct Section {
        u32 offset, length;
    } sections[2] = { { m_header.type_off, m_header.type_len }, { m_header.str_off, m_header.str_len } };
    if (sections[1].offset < sections[0].offset)
        klib::swap(sections[0], sections[1]);
    u32 expected_total = size - m_header.hdr_len;
    u32 total = 0;
    for (auto const& section : sections) {
        if (expected_total < section.offset) {
            log.printf("Invalid section offset\n");
            return Error(EINVAL);
        }
        if (total < section.offset) {
            log.printf("Unsupported section found\n");
            return Error(EINVAL);
        }
        if (total > section.offset) {
            log.printf("Section overlap found\n");
            return Error(EINVAL);
        }
        if (expected_total - total < section.length) {
            log.printf("Total section length too long\n");
            return Error(EINVAL);
        }
        total += section.length;
    }
    if (expected_total != total) {
        log.printf("Unsupported section found\n");
        return Error(EINVAL);
    }
    return {};
}

ErrorOr<void> Btf::parse_strings(VerifierLog& log)
{
    u8 const* body = m_data.data() + m_header.hdr_len;
    u8 const* start = body + m_header.str_off;
    u8 const* end = start + m_header.str_len;
    if (end != m_data.data() + m_data.size()) {
        log.printf("String section is not at the end\n");
        return Error(EINVAL);
    }
    if (!m_header.str_len || m_header.str_len - 1 > BTF_MAX_NAME_OFFSET || end[-1] || start[0]) {
        log.printf("Invalid string section\n");
        return Error(EINVAL);
    }
    m_strings = reinterpret_cast<char const*>(start);
    m_string_length = m_header.str_len;
    return {};
}

StringView Btf::name_at(u32 offset) const
{
    if (offset >= m_string_length)
        return {};
    return StringView(m_strings + offset, strnlen(m_strings + offset, m_string_length - offset));
}

// __btf_name_valid(): [A-Za-z_][A-Za-z0-9_]* ('.' allowed anywhere when dot_ok), shorter
// than KSYM_NAME_LEN.
bool Btf::valid_identifier(u32 offset, bool dot_ok) const
{
    if (offset >= m_string_length)
        return false;
    char const* s = m_strings + offset;
    char const* limit = m_strings + m_string_length;
    auto ok = [&](char c, bool first) { return (first ? is_alpha(c) : (is_alpha(c) || is_digit(c))) || c == '_' || (dot_ok && c == '.'); };
    if (!ok(*s, true))
        return false;
    char const* cap = s + KSYM_NAME_LEN;
    ++s;
    while (s < limit && *s && s < cap) {
        if (!ok(*s, false))
            return false;
        ++s;
    }
    return s < limit && !*s;
}

StringView Btf::log_name(u32 offset) const
{
    StringView name = name_at(offset);
    return name.is_empty() ? StringView("(anon)") : name;
}

// btf_verifier_log_type(): "[id] KIND name details[ reason]". The kind's details (Linux's
// log_details) read the type's trailing data, so they are only printed once check_meta has
// made sure it is there.
void Btf::log_type(VerifierLog& log, u32 id, btf_type const& t, char const* reason, bool details) const
{
    if (!log.level())
        return;
    StringView name = log_name(t.name_off);
    log.printf("[%u] %s %.*s", id, btf_kind_name(kind(t)), static_cast<int>(name.length()), name.chars());
    if (details) {
        switch (kind(t)) {
        case BTF_KIND_INT: {
            u32 data = *after<u32>(t);
            u32 encoding = BTF_INT_ENCODING(data);
            char const* text = encoding == 0 ? "(none)" : encoding == BTF_INT_SIGNED ? "SIGNED" : encoding == BTF_INT_CHAR ? "CHAR" : encoding == BTF_INT_BOOL ? "BOOL" : "UNKN";
            log.printf(" size=%u bits_offset=%u nr_bits=%u encoding=%s", t.size, BTF_INT_OFFSET(data), BTF_INT_BITS(data), text);
            break;
        }
        case BTF_KIND_PTR:
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG:
        case BTF_KIND_FUNC:
            log.printf(" type_id=%u", t.type);
            break;
        case BTF_KIND_FWD:
            log.printf(" %s", kflag(t) ? "union" : "struct");
            break;
        case BTF_KIND_ARRAY: {
            auto const* array = after<btf_array>(t);
            log.printf(" type_id=%u index_type_id=%u nr_elems=%u", array->type, array->index_type, array->nelems);
            break;
        }
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
        case BTF_KIND_DATASEC:
            log.printf(" size=%u vlen=%u", t.size, vlen(t));
            break;
        case BTF_KIND_FUNC_PROTO: {
            auto const* params = after<btf_param>(t);
            u32 count = vlen(t);
            log.printf(" return=%u args=(", t.type);
            for (u32 i = 0; i < count; ++i) {
                char const* separator = i ? ", " : "";
                if (!params[i].type && i + 1 == count) {
                    log.printf("%svararg", separator);
                } else {
                    StringView arg = name_at(params[i].name_off);
                    log.printf("%s%u %.*s", separator, params[i].type, static_cast<int>(arg.length()), arg.chars());
                }
            }
            log.printf("%s)", count ? "" : "void");
            break;
        }
        case BTF_KIND_VAR:
            log.printf(" type_id=%u linkage=%u", t.type, after<btf_var>(t)->linkage);
            break;
        case BTF_KIND_FLOAT:
            log.printf(" size=%u", t.size);
            break;
        case BTF_KIND_DECL_TAG:
            log.printf(" type=%u component_idx=%d", t.type, after<btf_decl_tag>(t)->component_idx);
            break;
        }
    }
    if (reason)
        log.printf(" %s", reason);
    log.printf("\n");
}

// The member lines Linux prints after a struct, union, enum or datasec.
void Btf::log_members(VerifierLog& log, btf_type const& t) const
{
    if (!log.level())
        return;
    for (u32 i = 0; i < vlen(t); ++i) {
        switch (kind(t)) {
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION: {
            auto const& member = after<btf_member>(t)[i];
            StringView name = log_name(member.name_off);
            if (kflag(t))
                log.printf("\t%.*s type_id=%u bitfield_size=%u bits_offset=%u\n", static_cast<int>(name.length()), name.chars(), member.type,
                    BTF_MEMBER_BITFIELD_SIZE(member.offset), BTF_MEMBER_BIT_OFFSET(member.offset));
            else
                log.printf("\t%.*s type_id=%u bits_offset=%u\n", static_cast<int>(name.length()), name.chars(), member.type, member.offset);
            break;
        }
        case BTF_KIND_ENUM: {
            auto const& value = after<btf_enum>(t)[i];
            StringView name = log_name(value.name_off);
            log.printf("\t%.*s val=%d\n", static_cast<int>(name.length()), name.chars(), value.val);
            break;
        }
        case BTF_KIND_ENUM64: {
            auto const& value = after<btf_enum64>(t)[i];
            StringView name = log_name(value.name_off);
            log.printf("\t%.*s val=%lld\n", static_cast<int>(name.length()), name.chars(),
                static_cast<long long>(static_cast<u64>(value.val_hi32) << 32 | value.val_lo32));
            break;
        }
        case BTF_KIND_DATASEC: {
            auto const& entry = after<btf_var_secinfo>(t)[i];
            log.printf("\t type_id=%u offset=%u size=%u\n", entry.type, entry.offset, entry.size);
            break;
        }
        default:
            return;
        }
    }
}

ErrorOr<void> Btf::collect_types(VerifierLog& log)
{
    if (m_header.type_off & (sizeof(u32) - 1)) {
        log.printf("Unaligned type_off\n");
        return Error(EINVAL);
    }
    if (!m_header.type_len) {
        log.printf("No type found\n");
        return Error(EINVAL);
    }
    m_types = m_data.data() + m_header.hdr_len + m_header.type_off;
    TRY(m_offsets.try_append(0u)); // void
    u32 cursor = 0;
    while (cursor < m_header.type_len) {
        u32 id = static_cast<u32>(m_offsets.size());
        u32 left = m_header.type_len - cursor;
        if (left < sizeof(btf_type)) {
            log.printf("[%u] meta_left:%u meta_needed:%zu\n", id, left, sizeof(btf_type));
            return Error(EINVAL);
        }
        if (id > BTF_MAX_TYPE) {
            log.printf("Exceeded max num of types\n");
            return Error(E2BIG);
        }
        btf_type t;
        memcpy(&t, m_types + cursor, sizeof(t));
        u32 consumed = 0;
        TRY(check_meta(id, *reinterpret_cast<btf_type const*>(m_types + cursor), left, consumed, log));
        TRY(m_offsets.try_append(cursor));
        cursor += consumed;
    }
    TRY(m_state.try_resize(m_offsets.size()));
    TRY(m_sizes.try_resize(m_offsets.size()));
    TRY(m_has_size.try_resize(m_offsets.size()));
    return {};
}

btf_type const* Btf::type_by_id(u32 id) const
{
    if (id == 0 || id >= m_offsets.size())
        return nullptr;
    return reinterpret_cast<btf_type const*>(m_types + m_offsets[id]);
}

u32 Btf::kind_of(u32 id) const
{
    auto const* t = type_by_id(id);
    return t ? kind(*t) : static_cast<u32>(BTF_KIND_UNKN);
}

ErrorOr<void> Btf::check_meta(u32 id, btf_type const& t, u32 available, u32& consumed, VerifierLog& log)
{
    bool sized = false; // the type's trailing data is known to be there
    auto fail = [&](char const* reason) -> ErrorOr<void> {
        log_type(log, id, t, reason, sized);
        return Error(EINVAL);
    };
    u32 k = kind(t);
    if (k > BTF_KIND_MAX || k == BTF_KIND_UNKN) {
        log.printf("[%u] Invalid kind:%u\n", id, k);
        return Error(EINVAL);
    }
    if (!is_valid_name_offset(t.name_off)) {
        log.printf("[%u] Invalid name_offset:%u\n", id, t.name_off);
        return Error(EINVAL);
    }
    u64 extra = 0;
    extra_bytes(t, extra);
    u64 needed = sizeof(btf_type) + extra;
    if (available < needed) {
        log.printf("[%u] meta_left:%u meta_needed:%lu\n", id, static_cast<u32>(available - sizeof(btf_type)), static_cast<unsigned long>(extra));
        return Error(EINVAL);
    }
    consumed = static_cast<u32>(needed);
    sized = true;
    TRY(check_kind_meta(id, t, log, fail));
    log_type(log, id, t, nullptr, true);
    log_members(log, t);
    return {};
}

template<typename Fail>
ErrorOr<void> Btf::check_kind_meta(u32 id, btf_type const& t, VerifierLog& log, Fail& fail)
{
    u32 k = kind(t);
    switch (k) {
    case BTF_KIND_INT: {
        if (vlen(t))
            return fail("vlen != 0");
        if (kflag(t))
            return fail("Invalid btf_info kind_flag");
        u32 data = *after<u32>(t);
        if (data & ~BTF_INT_MASK) {
            char reason[32];
            klib::format(reason, sizeof(reason), "Invalid int_data:%x", data);
            return fail(reason);
        }
        u32 bits = BTF_INT_BITS(data) + BTF_INT_OFFSET(data);
        if (bits > BITS_PER_U128)
            return fail("nr_bits exceeds 128");
        if ((bits + 7) / 8 > t.size)
            return fail("nr_bits exceeds type_size");
        u32 encoding = BTF_INT_ENCODING(data);
        if (encoding && encoding != BTF_INT_SIGNED && encoding != BTF_INT_CHAR && encoding != BTF_INT_BOOL) {
            log_type(log, id, t, "Unsupported encoding", true);
            return Error(ENOTSUPP);
        }
        return {};
    }
    case BTF_KIND_PTR:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG:
        if (vlen(t))
            return fail("vlen != 0");
        if (kflag(t))
            return fail("Invalid btf_info kind_flag");
        if (!id_in_range(t.type))
            return fail("Invalid type_id");
        if (k == BTF_KIND_TYPEDEF) {
            if (!t.name_off || !valid_identifier(t.name_off, false))
                return fail("Invalid name");
        } else if (k == BTF_KIND_TYPE_TAG) {
            if (name_at(t.name_off).is_empty())
                return fail("Invalid name");
        } else if (t.name_off) {
            return fail("Invalid name");
        }
        return {};
    case BTF_KIND_FWD:
        if (vlen(t))
            return fail("vlen != 0");
        if (!t.name_off || !valid_identifier(t.name_off, false))
            return fail("Invalid name");
        return {};
    case BTF_KIND_ARRAY: {
        if (vlen(t))
            return fail("vlen != 0");
        if (kflag(t))
            return fail("Invalid btf_info kind_flag");
        if (t.name_off)
            return fail("Invalid name");
        if (t.size)
            return fail("size != 0");
        auto const* array = after<btf_array>(t);
        if (!array->type || !id_in_range(array->type))
            return fail("Invalid elem");
        if (!array->index_type || !id_in_range(array->index_type))
            return fail("Invalid index");
        return {};
    }
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: {
        if (t.name_off && !valid_identifier(t.name_off, false))
            return fail("Invalid name");
        auto const* members = after<btf_member>(t);
        for (u32 i = 0; i < vlen(t); ++i) {
            auto const& member = members[i];
            if (!is_valid_name_offset(member.name_off)) {
                log.printf("[%u] %s Invalid member name_offset:%u\n", id, btf_kind_name(k), member.name_off);
                return Error(EINVAL);
            }
            if (member.name_off && !valid_identifier(member.name_off, false))
                return fail("Invalid member name");
            if (!member.type || !id_in_range(member.type))
                return fail("Invalid type_id");
            u32 offset = kflag(t) ? BTF_MEMBER_BIT_OFFSET(member.offset) : member.offset;
            if (k == BTF_KIND_UNION && offset)
                return fail("Invalid member bits_offset");
            if ((static_cast<u64>(offset) + 7) / 8 > t.size)
                return fail("Member bits_offset exceeds its struct size");
        }
        return {};
    }
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: {
        if (k == BTF_KIND_ENUM ? (t.size > 8 || !klib::is_power_of_two(t.size)) : (t.size > 8 || !klib::is_power_of_two(t.size)))
            return fail("Unexpected size");
        if (t.name_off && !valid_identifier(t.name_off, false))
            return fail("Invalid name");
        for (u32 i = 0; i < vlen(t); ++i) {
            u32 name_off = k == BTF_KIND_ENUM ? after<btf_enum>(t)[i].name_off : after<btf_enum64>(t)[i].name_off;
            if (!is_valid_name_offset(name_off)) {
                log.printf("[%u] %s Invalid name_offset:%u\n", id, btf_kind_name(k), name_off);
                return Error(EINVAL);
            }
            if (!name_off || !valid_identifier(name_off, false))
                return fail("Invalid name");
        }
        return {};
    }
    case BTF_KIND_FUNC_PROTO:
        if (t.name_off)
            return fail("Invalid name");
        if (kflag(t))
            return fail("Invalid btf_info kind_flag");
        return {};
    case BTF_KIND_FUNC:
        if (!t.name_off || !valid_identifier(t.name_off, false))
            return fail("Invalid name");
        if (vlen(t) > BTF_FUNC_GLOBAL)
            return fail("Invalid func linkage");
        if (kflag(t))
            return fail("Invalid btf_info kind_flag");
        return {};
    case BTF_KIND_VAR: {
        if (vlen(t))
            return fail("vlen != 0");
        if (kflag(t))
            return fail("Invalid btf_info kind_flag");
        if (!t.name_off || !valid_identifier(t.name_off, true))
            return fail("Invalid name");
        if (!t.type || !id_in_range(t.type))
            return fail("Invalid type_id");
        u32 linkage = after<btf_var>(t)->linkage;
        if (linkage != BTF_VAR_STATIC && linkage != BTF_VAR_GLOBAL_ALLOCATED)
            return fail("Linkage not supported");
        return {};
    }
    case BTF_KIND_DATASEC: {
        if (!vlen(t))
            return fail("vlen == 0");
        if (!t.size)
            return fail("size == 0");
        if (kflag(t))
            return fail("Invalid btf_info kind_flag");
        if (!t.name_off || !valid_identifier(t.name_off, true))
            return fail("Invalid name");
        u64 last_end = 0, sum = 0;
        auto const* entries = after<btf_var_secinfo>(t);
        for (u32 i = 0; i < vlen(t); ++i) {
            auto const& entry = entries[i];
            if (!entry.type || !id_in_range(entry.type))
                return fail("Invalid type_id");
            if (entry.offset < last_end || entry.offset >= t.size)
                return fail("Invalid offset");
            if (!entry.size || entry.size > t.size)
                return fail("Invalid size");
            last_end = static_cast<u64>(entry.offset) + entry.size;
            if (last_end > t.size)
                return fail("Invalid offset+size");
            sum += entry.size;
        }
        if (t.size < sum)
            return fail("Invalid btf_info size");
        return {};
    }
    case BTF_KIND_FLOAT:
        if (vlen(t))
            return fail("vlen != 0");
        if (kflag(t))
            return fail("Invalid btf_info kind_flag");
        if (t.size != 2 && t.size != 4 && t.size != 8 && t.size != 12 && t.size != 16)
            return fail("Invalid type_size");
        if (!t.name_off || !valid_identifier(t.name_off, false))
            return fail("Invalid name");
        return {};
    case BTF_KIND_DECL_TAG: {
        if (name_at(t.name_off).is_empty())
            return fail("Invalid value");
        if (vlen(t))
            return fail("vlen != 0");
        if (kflag(t))
            return fail("Invalid btf_info kind_flag");
        if (!t.type || !id_in_range(t.type))
            return fail("Invalid type_id");
        if (after<btf_decl_tag>(t)->component_idx < -1)
            return fail("Invalid component_idx");
        return {};
    }
    }
    return fail("Invalid kind");
}

ErrorOr<void> Btf::resolve_all(VerifierLog& log)
{
    for (u32 id = 1; id < m_offsets.size(); ++id)
        TRY(resolve(id, 0, log));
    return {};
}

ErrorOr<void> Btf::resolve(u32 id, u32 depth, VerifierLog& log)
{
    if (id == 0 || m_state[id] == State::Resolved)
        return {};
    auto const& t = *type_by_id(id);
    if (m_state[id] == State::Visiting) { // env_stack_push() on a type being resolved
        log_type(log, id, t, "Loop detected", true);
        return Error(EEXIST);
    }
    if (depth >= max_resolve_depth) {
        log_type(log, id, t, "Exceeded max resolving depth", true);
        return Error(E2BIG);
    }
    m_state[id] = State::Visiting;
    TRY(resolve_type(id, t, depth, log));
    m_state[id] = State::Resolved;
    return {};
}

// The target of a reference must exist; resolving it must give a sized type (or, for
// modifiers, void, FWD or FUNC_PROTO as Linux allows "typedef void", "const fwd"...).
ErrorOr<void> Btf::resolve_to_sized(u32 target, u32 depth, VerifierLog& log)
{
    TRY(resolve(target, depth + 1, log));
    return {};
}

ErrorOr<void> Btf::resolve_type(u32 id, btf_type const& t, u32 depth, VerifierLog& log)
{
    auto fail = [&](char const* reason) -> ErrorOr<void> {
        log_type(log, id, t, reason, true);
        return Error(EINVAL);
    };
    auto target_exists = [&](u32 target) { return target == 0 || target < m_offsets.size(); };
    u32 k = kind(t);
    switch (k) {
    case BTF_KIND_INT:
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64:
    case BTF_KIND_FLOAT:
        m_sizes[id] = t.size;
        m_has_size[id] = 1;
        return {};
    case BTF_KIND_FWD:
    case BTF_KIND_FUNC_PROTO:
        if (k == BTF_KIND_FUNC_PROTO) {
            auto const* params = after<btf_param>(t);
            u32 count = vlen(t);
            if (t.type) {
                if (!target_exists(t.type) || is_source_only(kind_of(t.type)))
                    return fail("Invalid return type");
                TRY(resolve(t.type, depth + 1, log));
                if (resolved_size(t.type).is_error())
                    return fail("Invalid return type");
            }
            if (count && !params[count - 1].type) {
                if (params[count - 1].name_off) {
                    char reason[32];
                    klib::format(reason, sizeof(reason), "Invalid arg#%u", count);
                    return fail(reason);
                }
                --count; // varargs
            }
            for (u32 i = 0; i < count; ++i) {
                u32 arg = params[i].type;
                bool bad = !arg || !target_exists(arg) || is_source_only(kind_of(arg))
                    || (params[i].name_off && (!is_valid_name_offset(params[i].name_off) || !valid_identifier(params[i].name_off, false)));
                if (!bad) {
                    TRY(resolve(arg, depth + 1, log));
                    bad = resolved_size(arg).is_error();
                }
                if (bad) {
                    char reason[32];
                    klib::format(reason, sizeof(reason), "Invalid arg#%u", i + 1);
                    return fail(reason);
                }
            }
        }
        return {};
    case BTF_KIND_PTR:
        // Pointers do not need their target resolved (a struct may point at itself).
        if (!target_exists(t.type) || is_source_only(kind_of(t.type)))
            return fail("Invalid type_id");
        m_sizes[id] = sizeof(u64);
        m_has_size[id] = 1;
        return {};
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPE_TAG: {
        if (!target_exists(t.type) || is_source_only(kind_of(t.type)) || kind_of(t.type) == BTF_KIND_FUNC)
            return fail("Invalid type_id");
        if (t.type && kind_of(t.type) != BTF_KIND_PTR)
            TRY(resolve(t.type, depth + 1, log));
        auto size = resolved_size(t.type);
        if (!size.is_error()) {
            m_sizes[id] = size.value();
            m_has_size[id] = 1;
        } else {
            u32 base = skip_modifiers(t.type);
            u32 base_kind = kind_of(base);
            if (base != 0 && base_kind != BTF_KIND_FWD && base_kind != BTF_KIND_FUNC_PROTO)
                return fail("Invalid type_id");
        }
        return {};
    }
    case BTF_KIND_ARRAY: {
        auto const* array = after<btf_array>(t);
        if (!target_exists(array->type) || is_source_only(kind_of(array->type)))
            return fail("Invalid elem");
        if (!target_exists(array->index_type))
            return fail("Invalid index");
        TRY(resolve(array->index_type, depth + 1, log));
        u32 index = skip_modifiers(array->index_type);
        if (kind_of(index) != BTF_KIND_INT || resolved_size(index).is_error())
            return fail("Invalid index");
        TRY(resolve(array->type, depth + 1, log));
        auto element_size = resolved_size(array->type);
        if (element_size.is_error())
            return fail("Invalid elem");
        u64 total = static_cast<u64>(element_size.value()) * array->nelems;
        if (total > 0xffffffffu)
            return fail("Array size overflows U32_MAX");
        m_sizes[id] = static_cast<u32>(total);
        m_has_size[id] = 1;
        return {};
    }
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION: {
        auto const* members = after<btf_member>(t);
        for (u32 i = 0; i < vlen(t); ++i) {
            auto const& member = members[i];
            if (!target_exists(member.type) || is_source_only(kind_of(member.type)))
                return fail("Invalid member");
            if (kind_of(member.type) != BTF_KIND_PTR)
                TRY(resolve(member.type, depth + 1, log));
            auto size = resolved_size(member.type);
            if (size.is_error())
                return fail("Invalid member");
            u32 offset = kflag(t) ? BTF_MEMBER_BIT_OFFSET(member.offset) : member.offset;
            u32 bitfield = kflag(t) ? BTF_MEMBER_BITFIELD_SIZE(member.offset) : 0;
            u32 base_kind = kind_of(skip_modifiers(member.type));
            if (bitfield) {
                if (base_kind != BTF_KIND_INT && base_kind != BTF_KIND_ENUM && base_kind != BTF_KIND_ENUM64)
                    return fail("Invalid member bitfield_size");
                if (bitfield > size.value() * 8u)
                    return fail("Invalid member bitfield_size");
                if (static_cast<u64>(offset) + bitfield > static_cast<u64>(t.size) * 8)
                    return fail("Member exceeds struct_size");
            } else {
                if (base_kind != BTF_KIND_INT && (offset % 8))
                    return fail("Member is not byte aligned");
                if ((static_cast<u64>(offset) + 7) / 8 + size.value() > t.size)
                    return fail("Member exceeds struct_size");
            }
        }
        m_sizes[id] = t.size;
        m_has_size[id] = 1;
        return {};
    }
    case BTF_KIND_FUNC: {
        if (!target_exists(t.type) || kind_of(t.type) != BTF_KIND_FUNC_PROTO)
            return fail("Invalid type_id");
        TRY(resolve(t.type, depth + 1, log));
        auto const& proto = *type_by_id(t.type);
        auto const* params = after<btf_param>(proto);
        u32 count = vlen(proto);
        for (u32 i = 0; i < count; ++i) {
            if (!params[i].name_off && params[i].type) {
                char reason[32];
                klib::format(reason, sizeof(reason), "Invalid arg#%u", i + 1);
                return fail(reason);
            }
        }
        return {};
    }
    case BTF_KIND_VAR: {
        if (!target_exists(t.type) || is_source_only(kind_of(t.type)) || kind_of(t.type) == BTF_KIND_FUNC)
            return fail("Invalid type_id");
        if (kind_of(t.type) != BTF_KIND_PTR)
            TRY(resolve(t.type, depth + 1, log));
        auto size = resolved_size(t.type);
        if (size.is_error())
            return fail("Invalid type_id");
        m_sizes[id] = size.value();
        return {};
    }
    case BTF_KIND_DATASEC: {
        auto const* entries = after<btf_var_secinfo>(t);
        for (u32 i = 0; i < vlen(t); ++i) {
            auto const& entry = entries[i];
            if (!target_exists(entry.type) || kind_of(entry.type) != BTF_KIND_VAR)
                return fail("Not a VAR kind member");
            TRY(resolve(entry.type, depth + 1, log));
            if (m_sizes[entry.type] > entry.size)
                return fail("Invalid size");
        }
        m_sizes[id] = t.size;
        m_has_size[id] = 1;
        return {};
    }
    case BTF_KIND_DECL_TAG: {
        u32 target_kind = kind_of(t.type);
        if (!target_exists(t.type) || !(target_kind == BTF_KIND_STRUCT || target_kind == BTF_KIND_UNION || target_kind == BTF_KIND_VAR
                || target_kind == BTF_KIND_FUNC || target_kind == BTF_KIND_TYPEDEF))
            return fail("Invalid type_id");
        i32 component = after<btf_decl_tag>(t)->component_idx;
        if (component != -1) {
            auto const& target = *type_by_id(t.type);
            u32 limit = 0;
            if (target_kind == BTF_KIND_STRUCT || target_kind == BTF_KIND_UNION)
                limit = vlen(target);
            else if (target_kind == BTF_KIND_FUNC && kind_of(target.type) == BTF_KIND_FUNC_PROTO)
                limit = vlen(*type_by_id(target.type));
            if (static_cast<u32>(component) >= limit)
                return fail("Invalid component_idx");
        }
        return {};
    }
    }
    return fail("Invalid kind");
}

u32 Btf::skip_modifiers(u32 id) const
{
    for (u32 steps = 0; steps < max_resolve_depth + 1; ++steps) {
        auto const* t = type_by_id(id);
        if (!t || !is_modifier(kind(*t)))
            return id;
        id = t->type;
    }
    return id;
}

ErrorOr<u32> Btf::resolved_size(u32 id) const
{
    if (id == 0 || id >= m_offsets.size())
        return Error(EINVAL);
    if (m_has_size[id])
        return m_sizes[id];
    u32 base = skip_modifiers(id);
    auto const* t = type_by_id(base);
    if (!t)
        return Error(EINVAL);
    u32 k = kind(*t);
    if (m_has_size[base])
        return m_sizes[base];
    if (has_size_field(k))
        return t->size;
    if (k == BTF_KIND_PTR)
        return static_cast<u32>(sizeof(u64));
    return Error(EINVAL);
}

}
