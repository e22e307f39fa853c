// The abstract domain: tnums, register states (join, inclusion, printing) and, property-based,
// the soundness of every scalar ALU transfer function and of branch refinement: for abstract
// values built as joins of known constants, every concrete result of the operation on those
// constants must be described by the abstract result.
#include "bpf/verifier/BranchRefinement.h"
#include "bpf/verifier/RegisterState.h"
#include "bpf/verifier/ScalarAlu.h"
#include "bpf/verifier/Tnum.h"
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

using namespace bpf::verifier;

namespace {

bool contains(RegisterState const& r, u64 v)
{
    u32 low = static_cast<u32>(v);
    return (v & ~r.var_off.mask) == r.var_off.value && v >= r.umin && v <= r.umax && static_cast<i64>(v) >= r.smin && static_cast<i64>(v) <= r.smax
        && low >= r.u32_min && low <= r.u32_max && static_cast<i32>(low) >= r.s32_min && static_cast<i32>(low) <= r.s32_max;
}

std::string text(RegisterState const& r)
{
    StringBuilder out;
    r.print(out, 0);
    return std::string(out.view().chars(), out.view().length());
}

u64 interesting(std::mt19937_64& rng)
{
    switch (rng() % 8) {
    case 0:
        return rng() % 16;
    case 1:
        return static_cast<u64>(-static_cast<i64>(rng() % 16));
    case 2:
        return rng() % 4096;
    case 3:
        return 0x7fffffffull + (rng() % 4) - 2;
    case 4:
        return 0x80000000ull + (rng() % 4) - 2;
    case 5:
        return 0xffffffffull - (rng() % 4);
    case 6:
        return 0x8000000000000000ull + (rng() % 4) - 2;
    default:
        return rng();
    }
}

// An abstract value containing `values` (and possibly more).
RegisterState abstract_of(std::vector<u64> const& values)
{
    RegisterState r = RegisterState::known_scalar(values[0]);
    for (size_t i = 1; i < values.size(); ++i)
        r = RegisterState::join(r, RegisterState::known_scalar(values[i]));
    r.sync_bounds();
    return r;
}

u64 concrete(AluOp op, u64 a, u64 b, bool is32)
{
    u32 a32 = static_cast<u32>(a), b32 = static_cast<u32>(b);
    switch (op) {
    case AluOp::Add:
        return is32 ? static_cast<u32>(a32 + b32) : a + b;
    case AluOp::Sub:
        return is32 ? static_cast<u32>(a32 - b32) : a - b;
    case AluOp::Mul:
        return is32 ? static_cast<u32>(a32 * b32) : a * b;
    case AluOp::Div:
        return is32 ? (b32 ? a32 / b32 : 0u) : (b ? a / b : 0);
    case AluOp::Mod:
        return is32 ? (b32 ? a32 % b32 : a32) : (b ? a % b : a);
    case AluOp::Or:
        return is32 ? (a32 | b32) : (a | b);
    case AluOp::And:
        return is32 ? (a32 & b32) : (a & b);
    case AluOp::Xor:
        return is32 ? (a32 ^ b32) : (a ^ b);
    case AluOp::Lsh:
        return is32 ? static_cast<u32>(a32 << (b32 & 31)) : a << (b & 63);
    case AluOp::Rsh:
        return is32 ? a32 >> (b32 & 31) : a >> (b & 63);
    case AluOp::Arsh:
        return is32 ? static_cast<u32>(static_cast<i32>(a32) >> (b32 & 31)) : static_cast<u64>(static_cast<i64>(a) >> (b & 63));
    case AluOp::Neg:
        return is32 ? static_cast<u32>(0u - a32) : 0 - a;
    default:
        return 0;
    }
}

}

TEST_CASE("tnum basics", "[verifier][domain]")
{
    Tnum t = Tnum::range(0, 255);
    CHECK(t.value == 0);
    CHECK(t.mask == 0xff);
    CHECK(Tnum::range(5, 5).equals_const(5));
    CHECK(Tnum::unknown().contains(Tnum::constant(42)));
    CHECK(!Tnum::constant(1).contains(Tnum::constant(2)));
    CHECK(tnum_add(Tnum::constant(3), Tnum::constant(4)).equals_const(7));
    CHECK(tnum_and(Tnum::range(0, 255), Tnum::constant(0xf0)).mask == 0xf0);
    char buffer[48];
    Tnum{ 0, 0xff }.format(buffer, sizeof(buffer));
    CHECK(std::string(buffer) == "(0x0; 0xff)");
    Tnum::constant(100000).format(buffer, sizeof(buffer));
    CHECK(std::string(buffer) == "0x186a0");
}

TEST_CASE("tnum operations are sound on random members", "[verifier][domain]")
{
    std::mt19937_64 rng(7);
    for (int round = 0; round < 20000; ++round) {
        u64 a = interesting(rng), b = interesting(rng);
        u64 ma = rng() & rng(), mb = rng() & rng();
        Tnum ta { a & ~ma, ma }, tb { b & ~mb, mb };
        // Concrete members: the value with random choices of the unknown bits.
        u64 x = ta.value | (rng() & ta.mask), y = tb.value | (rng() & tb.mask);
        auto member = [](Tnum t, u64 v) { return (v & ~t.mask) == t.value; };
        CHECK(member(tnum_add(ta, tb), x + y));
        CHECK(member(tnum_sub(ta, tb), x - y));
        CHECK(member(tnum_mul(ta, tb), x * y));
        CHECK(member(tnum_and(ta, tb), x & y));
        CHECK(member(tnum_or(ta, tb), x | y));
        CHECK(member(tnum_xor(ta, tb), x ^ y));
        u8 shift = static_cast<u8>(rng() % 64);
        CHECK(member(tnum_lshift(ta, shift), x << shift));
        CHECK(member(tnum_rshift(ta, shift), x >> shift));
        CHECK(member(tnum_arshift(ta, shift, 64), static_cast<u64>(static_cast<i64>(x) >> shift)));
        CHECK(member(tnum_union(ta, tb), x));
        CHECK(member(tnum_union(ta, tb), y));
    }
}

TEST_CASE("register states: join, inclusion and printing", "[verifier][domain]")
{
    RegisterState a = RegisterState::known_scalar(3);
    RegisterState b = RegisterState::known_scalar(10);
    RegisterState j = RegisterState::join(a, b);
    CHECK(a.numerically_within(j));
    CHECK(b.numerically_within(j));
    CHECK(!j.numerically_within(a));
    CHECK(RegisterState::join(RegisterState::pointer(RegType::PtrToCtx), RegisterState::known_scalar(0)).type == RegType::NotInit);
    CHECK(text(RegisterState::known_scalar(0)) == "0");
    CHECK(text(RegisterState::known_scalar(100000)) == "0x186a0");
    CHECK(text(RegisterState::known_scalar(static_cast<u64>(-70000))) == "0xfffffffffffeee90");
    CHECK(text(RegisterState::unknown_scalar()) == "scalar()");
    RegisterState byte = RegisterState::unknown_scalar();
    byte.truncate_to(1);
    CHECK(text(byte) == "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))");
    RegisterState stack = RegisterState::pointer(RegType::PtrToStack);
    stack.off = -8;
    CHECK(text(stack) == "fp-8");
    CHECK(text(RegisterState::pointer(RegType::PtrToCtx)) == "ctx()");
    RegisterState packet = RegisterState::pointer(RegType::PtrToPacket);
    packet.off = 14;
    packet.range = 14;
    CHECK(text(packet) == "pkt(off=14,r=14)");
}

TEST_CASE("scalar ALU transfer functions are sound", "[verifier][domain]")
{
    std::mt19937_64 rng(11);
    static AluOp const ops[] = { AluOp::Add, AluOp::Sub, AluOp::Mul, AluOp::Div, AluOp::Mod, AluOp::Or, AluOp::And, AluOp::Xor, AluOp::Lsh,
        AluOp::Rsh, AluOp::Arsh, AluOp::Neg };
    for (int round = 0; round < 20000; ++round) {
        std::vector<u64> xs, ys;
        size_t nx = 1 + rng() % 4, ny = 1 + rng() % 3;
        for (size_t i = 0; i < nx; ++i)
            xs.push_back(interesting(rng));
        AluOp op = ops[rng() % (sizeof(ops) / sizeof(ops[0]))];
        bool is32 = rng() % 2;
        for (size_t i = 0; i < ny; ++i)
            ys.push_back((op == AluOp::Lsh || op == AluOp::Rsh || op == AluOp::Arsh) ? rng() % (is32 ? 32 : 64) : interesting(rng));
        RegisterState src = abstract_of(ys);
        RegisterState result = abstract_of(xs);
        scalar_alu(result, op == AluOp::Neg ? result : src, op, is32);
        REQUIRE(result.bounds_consistent());
        for (u64 x : xs) {
            for (u64 y : ys) {
                u64 expected = concrete(op, x, y, is32);
                INFO("op " << static_cast<int>(op) << (is32 ? " 32" : " 64") << " x=" << x << " y=" << y << " -> " << expected << " in " << text(result));
                CHECK(contains(result, expected));
            }
        }
    }
}

TEST_CASE("zero and sign extension are sound", "[verifier][domain]")
{
    std::mt19937_64 rng(13);
    for (int round = 0; round < 20000; ++round) {
        std::vector<u64> xs;
        for (size_t i = 0, n = 1 + rng() % 4; i < n; ++i)
            xs.push_back(interesting(rng));
        u8 size = static_cast<u8>(1u << (rng() % 3));
        RegisterState t = abstract_of(xs), s = abstract_of(xs), s32 = abstract_of(xs);
        t.truncate_to(size);
        s.sign_extend_from(size);
        s32.sign_extend32_from(size == 4 ? 2 : size);
        s32.zext_32_to_64();
        s32.sync_bounds();
        u8 size32 = size == 4 ? 2 : size;
        for (u64 x : xs) {
            u64 mask = (1ull << (size * 8)) - 1;
            i64 extended = size == 1 ? static_cast<i8>(x) : size == 2 ? static_cast<i16>(x) : static_cast<i32>(x);
            u32 extended32 = static_cast<u32>(size32 == 1 ? static_cast<i32>(static_cast<i8>(x)) : static_cast<i32>(static_cast<i16>(x)));
            CHECK(contains(t, x & mask));
            CHECK(contains(s, static_cast<u64>(extended)));
            CHECK(contains(s32, extended32));
        }
    }
}

namespace {

bool holds(Cmp cmp, u64 a, u64 b, bool is32)
{
    if (is32) {
        a = static_cast<u32>(a);
        b = static_cast<u32>(b);
    }
    i64 sa = is32 ? static_cast<i32>(a) : static_cast<i64>(a);
    i64 sb = is32 ? static_cast<i32>(b) : static_cast<i64>(b);
    switch (cmp) {
    case Cmp::Eq:
        return a == b;
    case Cmp::Ne:
        return a != b;
    case Cmp::Gt:
        return a > b;
    case Cmp::Ge:
        return a >= b;
    case Cmp::Lt:
        return a < b;
    case Cmp::Le:
        return a <= b;
    case Cmp::Sgt:
        return sa > sb;
    case Cmp::Sge:
        return sa >= sb;
    case Cmp::Slt:
        return sa < sb;
    case Cmp::Sle:
        return sa <= sb;
    case Cmp::Set:
        return (a & b) != 0;
    case Cmp::NotSet:
        return (a & b) == 0;
    }
    return false;
}

}

TEST_CASE("branch prediction and refinement are sound", "[verifier][domain]")
{
    std::mt19937_64 rng(17);
    static Cmp const cmps[] = { Cmp::Eq, Cmp::Ne, Cmp::Gt, Cmp::Ge, Cmp::Lt, Cmp::Le, Cmp::Sgt, Cmp::Sge, Cmp::Slt, Cmp::Sle, Cmp::Set };
    for (int round = 0; round < 30000; ++round) {
        std::vector<u64> xs, ys;
        for (size_t i = 0, n = 1 + rng() % 4; i < n; ++i)
            xs.push_back(interesting(rng));
        for (size_t i = 0, n = 1 + rng() % 3; i < n; ++i)
            ys.push_back(rng() % 3 == 0 ? xs[rng() % xs.size()] : interesting(rng));
        Cmp cmp = cmps[rng() % (sizeof(cmps) / sizeof(cmps[0]))];
        bool is32 = rng() % 4 == 0;
        RegisterState a = abstract_of(xs), b = abstract_of(ys);
        int taken = branch_taken(a, b, cmp, is32);
        RegisterState at = a, bt = b, af = a, bf = b;
        refine(at, bt, cmp, is32);
        refine(af, bf, reverse(cmp), is32);
        for (auto* r : { &at, &bt, &af, &bf })
            r->sync_bounds();
        for (u64 x : xs) {
            for (u64 y : ys) {
                bool c = holds(cmp, x, y, is32);
                INFO("cmp " << static_cast<int>(cmp) << (is32 ? " 32" : " 64") << " x=" << x << " y=" << y << " a=" << text(a) << " b=" << text(b));
                if (taken == 1)
                    CHECK(c);
                if (taken == 0)
                    CHECK(!c);
                if (c) {
                    CHECK(contains(at, x));
                    CHECK(contains(bt, y));
                } else {
                    CHECK(contains(af, x));
                    CHECK(contains(bf, y));
                }
            }
        }
    }
}
