// Decoding and LD_IMM64 resolution (Linux's resolve_pseudo_ldimm64): every map reference
// names a live map (through the loader's ObjectResolver, by fd or by fd_array index) and
// becomes an entry of used_maps; MAP_VALUE forms need a map with direct value access (an
// ARRAY with one entry) and an offset inside the value.
#include "bpf/isa/Decoder.h"
#include "bpf/maps/ArrayMap.h"
#include "bpf/verifier/VerifierEnv.h"
#include "klib/CString.h"

namespace bpf::verifier {

using namespace isa;
using namespace isa::encoding;

// Linux's check_atomic wording for an atomic the decoder refused.
ErrorOr<void> VerifierEnv::reject_atomic_encoding(RawInstruction const& insn)
{
    u8 size = op_size(insn.opcode);
    switch (static_cast<u32>(insn.imm)) {
    case atomic_add: case atomic_add | atomic_fetch: case atomic_or: case atomic_or | atomic_fetch:
    case atomic_and: case atomic_and | atomic_fetch: case atomic_xor: case atomic_xor | atomic_fetch:
    case atomic_xchg: case atomic_cmpxchg:
        if (size != size_w && size != size_dw)
            return reject(EINVAL, "invalid atomic operand size\n");
        return reject(EINVAL, "BPF_ATOMIC uses reserved fields\n");
    case atomic_load_acquire: case atomic_store_release:
        return reject(EINVAL, "BPF_ATOMIC uses reserved fields\n");
    default:
        return reject(EINVAL, "BPF_ATOMIC uses invalid atomic opcode %02x\n", static_cast<u32>(insn.imm));
    }
}

ErrorOr<void> VerifierEnv::decode_program()
{
    // LD_IMM64 second halves are validated first, with Linux's wording.
    u32 count = static_cast<u32>(m_raw.size());
    for (u32 i = 0; i < count; ++i) {
        RawInstruction const& insn = m_raw[i];
        if (op_class(insn.opcode) == class_ldx && ((op_mode(insn.opcode) != mode_mem && op_mode(insn.opcode) != mode_memsx) || insn.imm != 0))
            return reject(EINVAL, "BPF_LDX uses reserved fields\n");
        if (insn.opcode != lddw_opcode)
            continue;
        if (i == count - 1 || m_raw[i + 1].opcode != 0 || m_raw[i + 1].dst != 0 || m_raw[i + 1].src != 0 || m_raw[i + 1].offset != 0)
            return reject(EINVAL, "invalid bpf_ld_imm64 insn\n");
        switch (insn.src) {
        case pseudo_none:
        case pseudo_func:
        case pseudo_btf_id:
        case pseudo_map_value:
        case pseudo_map_idx_value:
            break;
        case pseudo_map_fd:
        case pseudo_map_idx:
            if (m_raw[i + 1].imm == 0)
                break;
            [[fallthrough]];
        default:
            return reject(EINVAL, "unrecognized bpf_ld_imm64 insn\n");
        }
        ++i;
    }
    Diagnostic diag;
    auto decoded = decode(m_raw.span(), &diag);
    if (decoded.is_error()) {
        // Jumps into the middle of LD_IMM64 and the like: Linux's CFG pass names them, which
        // runs on the raw instructions here.
        TRY(check_cfg());
        // Linux finds writes to r10 while walking, with EACCES; the decoder refuses them
        // up front. Keep Linux's errno and wording.
        if (StringView(diag.text()).starts_with("writes to r10"))
            return reject(EACCES, "frame pointer is read only\n");
        if (diag.where() < count && m_raw[diag.where()].opcode == (class_stx | mode_atomic | op_size(m_raw[diag.where()].opcode)))
            return reject_atomic_encoding(m_raw[diag.where()]);
        return reject(decoded.error().code(), "invalid insn %u: %s\n", diag.where(), diag.text());
    }
    m_insns = decoded.release_value();
    return {};
}

ErrorOr<void> VerifierEnv::resolve_map_references()
{
    u32 count = static_cast<u32>(m_raw.size());
    for (u32 i = 0; i < count; ++i) {
        RawInstruction const& insn = m_raw[i];
        if (insn.opcode != lddw_opcode)
            continue;
        u8 kind = insn.src;
        u32 second_imm = static_cast<u32>(m_raw[i + 1].imm);
        if (kind == pseudo_btf_id)
            return reject(EINVAL, "kernel is missing BTF, make sure CONFIG_DEBUG_INFO_BTF=y is specified in Kconfig.\n");
        if (kind != pseudo_map_fd && kind != pseudo_map_idx && kind != pseudo_map_value && kind != pseudo_map_idx_value) {
            ++i;
            continue;
        }
        i32 fd = insn.imm;
        if (kind == pseudo_map_idx || kind == pseudo_map_idx_value) {
            if (m_request.fd_array.is_empty())
                return reject(EPROTO, "fd_idx without fd_array is invalid\n");
            u32 index = static_cast<u32>(insn.imm);
            if (index >= m_request.fd_array.size())
                return Error(EFAULT);
            fd = m_request.fd_array[index];
        }
        if (!m_request.maps)
            return reject(EBADF, "fd %d is not pointing to valid bpf_map\n", fd);
        auto resolved = m_request.maps->map_from_fd(static_cast<u32>(fd));
        if (resolved.is_error())
            return reject(resolved.error().code(), "fd %d is not pointing to valid bpf_map\n", fd);
        RefPtr<Map> map = resolved.release_value();
        if (!map)
            return reject(EBADF, "fd %d is not pointing to valid bpf_map\n", fd);
        i32 index = -1;
        for (u32 m = 0; m < m_used_maps.size(); ++m) {
            if (m_used_maps[m].ptr() == map.ptr())
                index = static_cast<i32>(m);
        }
        if (index < 0) {
            if (m_used_maps.size() >= max_used_maps)
                return reject(E2BIG, "The total number of maps per program has reached the limit of %u\n", max_used_maps);
            index = static_cast<i32>(m_used_maps.size());
            auto descriptor = TRY(try_make<MapDescriptor>(map.ptr()));
            if (InnerMapTemplate const* inner = map->inner_map_template()) {
                auto inner_descriptor = TRY(try_make<MapDescriptor>(*inner));
                descriptor->set_inner(inner_descriptor.ptr());
                TRY(m_inner_descriptors.try_append(move(inner_descriptor)));
            }
            TRY(m_map_descriptors.try_append(move(descriptor)));
            TRY(m_used_maps.try_append(move(map)));
        }
        Map* object = m_used_maps[static_cast<u32>(index)].ptr();
        u64 address = reinterpret_cast<u64>(object);
        if (kind == pseudo_map_value || kind == pseudo_map_idx_value) {
            u32 off = second_imm;
            if (off >= static_cast<u32>(max_var_off))
                return reject(EINVAL, "direct value offset of %u is not allowed\n", off);
            if (object->type() != BPF_MAP_TYPE_ARRAY)
                return reject(EINVAL, "no direct value access support for this map type\n");
            if (object->max_entries() != 1)
                return reject(ENOTSUPP, "invalid access to map value pointer, value_size=%u off=%u\n", object->value_size(), off);
            if (off >= object->value_size())
                return reject(EINVAL, "invalid access to map value pointer, value_size=%u off=%u\n", object->value_size(), off);
            address = reinterpret_cast<u64>(static_cast<ArrayMap*>(object)->element(0)) + off;
        }
        m_aux[i].map_index = index;
        m_aux[i].map_address = address;
        ++i;
    }
    return {};
}

}
