// SHA-1 (FIPS 180-4) and the program tag (see ProgramTag.h).
#include "bpf/syscall/ProgramTag.h"
#include "klib/CString.h"
#include <new>

namespace bpf::kernel {

namespace {

u32 rotl(u32 value, u32 bits) { return (value << bits) | (value >> (32 - bits)); }

void sha1_block(u32 (&h)[5], u8 const* block)
{
    u32 w[80];
    for (u32 i = 0; i < 16; ++i)
        w[i] = static_cast<u32>(block[4 * i]) << 24 | static_cast<u32>(block[4 * i + 1]) << 16 | static_cast<u32>(block[4 * i + 2]) << 8 | block[4 * i + 3];
    for (u32 i = 16; i < 80; ++i)
        w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (u32 i = 0; i < 80; ++i) {
        u32 f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        u32 t = rotl(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

}

void sha1(u8 const* data, usize length, u8 (&digest)[20])
{
    u32 h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
    usize full = length / 64 * 64;
    for (usize offset = 0; offset < full; offset += 64)
        sha1_block(h, data + offset);
    u8 tail[128] = {};
    usize rest = length - full;
    memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    usize tail_length = rest + 1 + 8 <= 64 ? 64 : 128;
    u64 bits = static_cast<u64>(length) * 8;
    for (u32 i = 0; i < 8; ++i)
        tail[tail_length - 1 - i] = static_cast<u8>(bits >> (8 * i));
    for (usize offset = 0; offset < tail_length; offset += 64)
        sha1_block(h, tail + offset);
    for (u32 i = 0; i < 5; ++i) {
        digest[4 * i] = static_cast<u8>(h[i] >> 24);
        digest[4 * i + 1] = static_cast<u8>(h[i] >> 16);
        digest[4 * i + 2] = static_cast<u8>(h[i] >> 8);
        digest[4 * i + 3] = static_cast<u8>(h[i]);
    }
}

ErrorOr<void> program_tag(Span<isa::RawInstruction const> instructions, u8 (&tag)[BPF_TAG_SIZE])
{
    // Hash a scrubbed copy in one go (programs are at most 1M instructions).
    usize bytes = instructions.size() * sizeof(isa::RawInstruction);
    auto* copy = new (std::nothrow) isa::RawInstruction[instructions.size() ? instructions.size() : 1];
    u8 digest[20] = {};
    if (!copy)
        return Error(ENOMEM);
    {
        bool was_map_load = false;
        for (usize i = 0; i < instructions.size(); ++i) {
            copy[i] = instructions[i];
            if (!was_map_load && copy[i].opcode == (BPF_LD | BPF_IMM | BPF_DW)
                && (copy[i].src == BPF_PSEUDO_MAP_FD || copy[i].src == BPF_PSEUDO_MAP_VALUE)) {
                was_map_load = true;
                copy[i].imm = 0;
            } else if (was_map_load) {
                was_map_load = false;
                copy[i].imm = 0;
            }
        }
        sha1(reinterpret_cast<u8 const*>(copy), bytes, digest);
        delete[] copy;
    }
    memcpy(tag, digest, BPF_TAG_SIZE);
    return {};
}

}
