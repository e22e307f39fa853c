// Btf: a parsed, validated BTF blob (the .BTF section user space uploads with BPF_BTF_LOAD),
// with Linux's btf_parse() rules: the header (magic, version, flags, hdr_len, section
// layout without gaps or overlaps), the string section (at the end, starting and ending with
// NUL), every type's metadata (kind, vlen, kind_flag, names, sizes — btf_check_all_metas)
// and the references between types (ids in range, no loops through modifiers, sized member,
// element, variable and argument types — btf_check_all_types). Failures return Linux's
// errno and leave the reason in the log in Linux's "[id] KIND name reason" form.
//
// After parsing the object is immutable; queries (type_by_id, resolved sizes) need no locks.
// Pure (klib only): compiled into the kernel and usable from host tests.
#pragma once

#include "bpf/verifier/VerifierLog.h"
#include "klib/Error.h"
#include "klib/Span.h"
#include "klib/StringView.h"
#include "klib/Vector.h"
#include <linux/btf.h>

namespace bpf::kernel {

using verifier::VerifierLog;

class Btf {
public:
    static constexpr u32 max_size = 16 * 1024 * 1024; // BTF_MAX_SIZE
    static constexpr u32 max_resolve_depth = 32;      // MAX_RESOLVE_DEPTH

    // Parses and validates `data` (copied). EINVAL/ENOTSUPP/E2BIG with a log message.
    static ErrorOr<Btf> parse(Span<u8 const> data, VerifierLog& log);

    Btf(Btf&&) = default;
    Btf& operator=(Btf&&) = default;

    Span<u8 const> data() const { return m_data.span(); }
    // Number of types including void (id 0).
    u32 type_count() const { return static_cast<u32>(m_offsets.size()); }
    // The type with `id` (1..type_count()-1), or nullptr (also for 0 = void).
    btf_type const* type_by_id(u32 id) const;
    u32 kind_of(u32 id) const;
    // A string of the string section, or an empty view when the offset is invalid.
    StringView name_at(u32 offset) const;
    bool is_valid_name_offset(u32 offset) const { return offset < m_string_length; }
    // btf_type_id_size(): follows typedefs and modifiers to a sized type; returns its size,
    // or an error when the type has none (void, FUNC, FUNC_PROTO, FWD, VAR...).
    ErrorOr<u32> resolved_size(u32 id) const;
    // The id reached by skipping typedefs and modifiers (CONST, VOLATILE, RESTRICT, TYPE_TAG).
    u32 skip_modifiers(u32 id) const;

private:
    Btf() = default;

    ErrorOr<void> parse_header(VerifierLog&);
    ErrorOr<void> parse_strings(VerifierLog&);
    ErrorOr<void> collect_types(VerifierLog&);
    ErrorOr<void> check_meta(u32 id, btf_type const&, u32 available, u32& consumed, VerifierLog&);
    ErrorOr<void> resolve_all(VerifierLog&);
    ErrorOr<void> resolve(u32 id, u32 depth, VerifierLog&);
    ErrorOr<void> resolve_type(u32 id, btf_type const&, u32 depth, VerifierLog&);
    ErrorOr<void> resolve_to_sized(u32 id, u32 depth, VerifierLog&);
    template<typename Fail>
    ErrorOr<void> check_kind_meta(u32 id, btf_type const&, VerifierLog&, Fail& fail);
    void log_type(VerifierLog&, u32 id, btf_type const&, char const* reason, bool details) const;
    void log_members(VerifierLog&, btf_type const&) const;
    StringView log_name(u32 offset) const;
    bool valid_identifier(u32 offset, bool dot_ok) const;

    Vector<u8> m_data;
    btf_header m_header {};
    u8 const* m_types { nullptr };
    char const* m_strings { nullptr };
    u32 m_string_length { 0 };
    Vector<u32> m_offsets; // byte offset of each type in the type section; [0] unused (void)
    enum class State : u8 { Unvisited, Visiting, Resolved };
    Vector<State> m_state;
    Vector<u32> m_sizes;  // resolved sizes (valid when m_has_size)
    Vector<u8> m_has_size;
};

char const* btf_kind_name(u32 kind);

}
