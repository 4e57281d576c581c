// Targeted tests of the x86-64 backend: every op family with edge values (against the
// interpreter, optimized and not, with and without the optional host instructions), calls,
// chaining, goto_ptr, precise faults, the code buffer's limits and the disassembler.
#include <gtest/gtest.h>
#include <xmmintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>

#include "jit/backend/x64/insn_map.h"
#include "jit/ir/printer.h"
#include "jit/opt/passes.h"
#include "x64_harness.h"

namespace qemu::jit {
namespace {

using test::Env;
using test::FlatMemory;

constexpr uint32_t kAllFeatures =
    x64::kFeatLzcnt | x64::kFeatBmi1 | x64::kFeatPopcnt | x64::kFeatBmi2 | x64::kFeatMovbe;

const uint64_t kEdge[] = {0,
                          1,
                          2,
                          31,
                          32,
                          33,
                          63,
                          64,
                          65,
                          0x7f,
                          0x80,
                          0xff,
                          0x7fff,
                          0x8000,
                          0xffff,
                          0x7fffffff,
                          0x80000000,
                          0xffffffff,
                          0x100000000,
                          0x7fffffffffffffff,
                          0x8000000000000000,
                          ~0ull,
                          0x123456789abcdef0};

class X64Ops : public ::testing::Test {
 protected:
  test::X64Runner run_;
  size_t programs_ = 0, runs_ = 0;

  static Env env_with(std::initializer_list<uint64_t> g64,
                      std::initializer_list<uint32_t> g32 = {}) {
    Env e{};
    unsigned i = 0;
    for (uint64_t v : g64) e.g64[i++] = v;
    i = 0;
    for (uint32_t v : g32) e.g32[i++] = v;
    for (unsigned j = 0; j < sizeof(e.scratch); j++)
      e.scratch[j] = static_cast<uint8_t>(j * 37 + 5);
    return e;
  }

  // ir (not yet optimized) on every env: optimized, with liveness only, and without the
  // optional instructions; exit, CPU state and memory as the interpreter's.
  void check(const Ir &ir, const std::vector<Env> &envs) {
    ASSERT_EQ(verify(ir), "");
    std::vector<uint8_t> mem(FlatMemory::kSize);
    for (unsigned i = 0; i < mem.size(); i++) mem[i] = static_cast<uint8_t>(i * 13 + 1);
    for (int v = 0; v < 3; v++) {
      Ir x = ir;
      if (v == 0) {
        optimize(x);
      } else {
        compute_liveness(x);
      }
      x64::CompiledTb tb = run_.compile(x, v == 2 ? kAllFeatures : 0);
      ASSERT_NE(tb.code, nullptr);
      programs_++;
      for (const Env &e : envs) {
        auto a = run_.interp(x, e, mem);
        auto b = run_.jit(tb, e, mem);
        runs_++;
        if (!(a == b)) {
          x64::disassemble(tb.code, tb.size, stderr);
          for (int i = 0; i < 8; i++) {
            std::fprintf(stderr, "r%d in %llx interp %llx jit %llx\n", i,
                         static_cast<unsigned long long>(e.g64[i]),
                         static_cast<unsigned long long>(a.env.g64[i]),
                         static_cast<unsigned long long>(b.env.g64[i]));
          }
          for (int i = 0; i < 4; i++) {
            std::fprintf(stderr, "e%d in %x interp %x jit %x\n", i, e.g32[i], a.env.g32[i],
                         b.env.g32[i]);
          }
        }
        ASSERT_TRUE(a == b) << "variant " << v << " exit " << a.exit.value << " vs " << b.exit.value
                            << "\n"
                            << print(x, true);
      }
    }
  }

  // Envs with every pair of edge values in r0/r1 and e0/e1.
  static std::vector<Env> pairs() {
    std::vector<Env> envs;
    for (uint64_t a : kEdge) {
      for (uint64_t b : kEdge) {
        envs.push_back(env_with({a, b, 0x5555, 0x6666},
                                {static_cast<uint32_t>(a), static_cast<uint32_t>(b), 7, 9}));
      }
    }
    return envs;
  }
  static std::vector<Env> singles() {
    std::vector<Env> envs;
    for (uint64_t a : kEdge) {
      envs.push_back(env_with({a, ~a, a * 3, 1},
                              {static_cast<uint32_t>(a), static_cast<uint32_t>(a >> 32), 5, 6}));
    }
    return envs;
  }
};

struct Prog {
  Ir ir;
  Builder b{ir};
  test::Globals g{ir};
  TempId a(Type t) { return t == Type::i64 ? g.g64[0] : g.g32[0]; }
  TempId bb(Type t) { return t == Type::i64 ? g.g64[1] : g.g32[1]; }
  TempId out(Type t) { return t == Type::i64 ? g.g64[2] : g.g32[2]; }
  TempId out2(Type t) { return t == Type::i64 ? g.g64[3] : g.g32[3]; }
};

TEST_F(X64Ops, BinaryEdgeValues) {
  const Opcode ops[] = {Opcode::add,  Opcode::sub,  Opcode::mul, Opcode::and_, Opcode::or_,
                        Opcode::xor_, Opcode::andc, Opcode::shl, Opcode::shr,  Opcode::sar,
                        Opcode::rotl, Opcode::rotr, Opcode::clz, Opcode::ctz};
  const std::vector<Env> all = pairs(), one = singles();
  for (Opcode o : ops) {
    for (Type t : {Type::i32, Type::i64}) {
      for (int shape = 0; shape < 4; shape++) {
        Prog p;
        // var op var, into another global, into its own input, and both inputs the same
        if (shape == 0) p.b.binop(o, t, p.out(t), p.a(t), p.bb(t));
        if (shape == 1) p.b.binop(o, t, p.a(t), p.a(t), p.bb(t));
        if (shape == 2) p.b.binop(o, t, p.bb(t), p.a(t), p.bb(t));
        if (shape == 3) p.b.binop(o, t, p.out(t), p.a(t), p.a(t));
        p.b.exit_tb(0);
        check(p.ir, all);
      }
      for (uint64_t c : kEdge) {
        for (int side = 0; side < 2; side++) {
          Prog p;
          TempId k = p.b.konst(t, c);
          if (side == 0) {
            p.b.binop(o, t, p.out(t), p.a(t), k);
          } else {
            p.b.binop(o, t, p.out(t), k, p.a(t));
          }
          p.b.exit_tb(0);
          check(p.ir, one);
        }
      }
    }
  }
  std::printf("%zu programs, %zu runs\n", programs_, runs_);
}

// 32-bit arithmetic as the x86 front end writes it, ext32u(op(ext32u(a), b)), and results read
// only in their low 8, 16 or 32 bits (extension, store): the optimizer marks the i64 op low32
// and drops the input's extension; the backend then computes it with 32-bit instructions.
TEST_F(X64Ops, NarrowedByDemand) {
  const Opcode bin[] = {Opcode::add, Opcode::sub,  Opcode::mul,  Opcode::and_,
                        Opcode::or_, Opcode::xor_, Opcode::andc, Opcode::shl};
  const Opcode exts[] = {Opcode::ext32u, Opcode::ext32s, Opcode::ext16u, Opcode::ext8s};
  const std::vector<Env> all = pairs();
  size_t marked = 0;
  for (Opcode o : bin) {
    for (Opcode e : exts) {
      for (int shape = 0; shape < 4; shape++) {
        Prog p;
        const Type t = Type::i64;
        TempId x = p.b.temp(t), y = p.b.temp(t), r = p.b.temp(t);
        p.b.unop(Opcode::ext32u, t, x, p.a(t));
        if (shape == 0) p.b.binop(o, t, y, x, p.bb(t));
        if (shape == 1) p.b.binop(o, t, y, x, p.b.konst(t, 0xfffffffffffffff3ull));
        if (shape == 2) p.b.binop(o, t, y, p.bb(t), x);
        if (shape == 3) {
          TempId n = p.b.temp(t);
          p.b.unop(o == Opcode::shl ? Opcode::neg : Opcode::not_, t, n, x);
          p.b.binop(o, t, y, n, p.b.konst(t, o == Opcode::shl ? 31 : 5));
        }
        p.b.unop(e, t, r, y);
        p.b.unop(Opcode::mov, t, p.out(t), r);
        p.b.exit_tb(0);
        check(p.ir, all);
        Ir x2 = p.ir;
        optimize(x2);
        for (const Op &op : x2.ops) marked += op.low32;
      }
    }
  }
  EXPECT_GT(marked, 100u);  // the pass did mark (most of) them
  std::printf("%zu programs, %zu runs, %zu ops low32\n", programs_, runs_, marked);
}

TEST_F(X64Ops, UnaryAndExtensions) {
  struct U {
    Opcode o;
    Type out, in;
  };
  const U ops[] = {{Opcode::not_, Type::i32, Type::i32},
                   {Opcode::not_, Type::i64, Type::i64},
                   {Opcode::neg, Type::i32, Type::i32},
                   {Opcode::neg, Type::i64, Type::i64},
                   {Opcode::ctpop, Type::i32, Type::i32},
                   {Opcode::ctpop, Type::i64, Type::i64},
                   {Opcode::bswap16, Type::i32, Type::i32},
                   {Opcode::bswap16, Type::i64, Type::i64},
                   {Opcode::bswap32, Type::i32, Type::i32},
                   {Opcode::bswap32, Type::i64, Type::i64},
                   {Opcode::bswap64, Type::i64, Type::i64},
                   {Opcode::ext8s, Type::i32, Type::i32},
                   {Opcode::ext8s, Type::i64, Type::i64},
                   {Opcode::ext8u, Type::i32, Type::i32},
                   {Opcode::ext8u, Type::i64, Type::i64},
                   {Opcode::ext16s, Type::i32, Type::i32},
                   {Opcode::ext16s, Type::i64, Type::i64},
                   {Opcode::ext16u, Type::i32, Type::i32},
                   {Opcode::ext16u, Type::i64, Type::i64},
                   {Opcode::ext32s, Type::i64, Type::i64},
                   {Opcode::ext32u, Type::i64, Type::i64},
                   {Opcode::ext_i32_i64, Type::i64, Type::i32},
                   {Opcode::extu_i32_i64, Type::i64, Type::i32},
                   {Opcode::extrl_i64_i32, Type::i32, Type::i64},
                   {Opcode::extrh_i64_i32, Type::i32, Type::i64},
                   {Opcode::mov, Type::i32, Type::i32},
                   {Opcode::mov, Type::i64, Type::i64}};
  const std::vector<Env> one = singles();
  for (const U &u : ops) {
    for (int shape = 0; shape < 3; shape++) {
      Prog p;
      TempId in = shape == 2 ? p.b.konst(u.in, 0x8180f0ff12345678ull) : p.a(u.in);
      TempId out = shape == 1 && u.in == u.out ? p.a(u.out) : p.out(u.out);
      p.b.unop(u.o, u.out, out, in);
      // the result also through a block temp used twice
      TempId t = p.b.temp(u.out);
      p.b.unop(u.o, u.out, t, in);
      p.b.binop(Opcode::xor_, u.out, p.out2(u.out), t, t);
      p.b.exit_tb(1);
      check(p.ir, one);
    }
  }
  std::printf("%zu programs, %zu runs\n", programs_, runs_);
}

TEST_F(X64Ops, BitFields) {
  std::vector<Env> envs;
  for (uint64_t v : {0ull, ~0ull, 0x123456789abcdef0ull, 0x8000000000000001ull}) {
    envs.push_back(
        env_with({v, ~v * 7}, {static_cast<uint32_t>(v), static_cast<uint32_t>(~v * 7)}));
  }
  for (Type t : {Type::i32, Type::i64}) {
    const unsigned w = type_bits(t);
    for (unsigned pos = 0; pos < w; pos++) {
      if (t == Type::i64 && pos % 7 != 0 && pos != 31 && pos != 32 && pos != 63) continue;
      for (unsigned len = 1; len <= w - pos; len++) {
        if (t == Type::i64 && len % 5 != 0 && len != 1 && len != 8 && len != 16 && len != 31 &&
            len != 32 && len != 33 && len != w - pos) {
          continue;
        }
        Prog p;
        p.b.deposit(t, p.out(t), p.a(t), p.bb(t), pos, len);
        p.b.deposit(t, p.out2(t), p.a(t), p.b.konst(t, 0xa5a5a5a5a5a5a5a5ull), pos, len);
        TempId x = p.b.temp(t), y = p.b.temp(t);
        p.b.extract(t, x, p.a(t), pos, len);
        p.b.extract(t, y, p.a(t), pos, len, true);
        p.b.st_env(t, x, test::kScratch, t == Type::i64 ? kMo64 : kMo32);
        p.b.st_env(t, y, test::kScratch + 8, t == Type::i64 ? kMo64 : kMo32);
        p.b.exit_tb(0);
        check(p.ir, envs);
      }
    }
  }
  std::printf("%zu programs, %zu runs\n", programs_, runs_);
}

TEST_F(X64Ops, DoubleWidth) {
  const std::vector<Env> all = pairs();
  for (Type t : {Type::i32, Type::i64}) {
    for (Opcode o : {Opcode::mulu2, Opcode::muls2}) {
      for (int shape = 0; shape < 3; shape++) {
        Prog p;
        TempId b = shape == 2 ? p.b.konst(t, 0xfffffffffffffff3ull) : p.bb(t);
        if (shape == 1) {
          p.b.mul2(o == Opcode::muls2, t, p.bb(t), p.a(t), p.a(t), b);  // outputs over inputs
        } else {
          p.b.mul2(o == Opcode::muls2, t, p.out(t), p.out2(t), p.a(t), b);
        }
        p.b.exit_tb(0);
        check(p.ir, all);
      }
    }
    for (bool add : {true, false}) {
      for (int shape = 0; shape < 4; shape++) {
        Prog p;
        TempId al = p.a(t), ah = p.bb(t), bl = p.bb(t), bh = p.a(t);
        if (shape == 2) bl = p.b.konst(t, 1);
        if (shape == 3) bh = p.b.konst(t, 0xffffffffffffffffull);
        TempId lo = p.out(t), hi = p.out2(t);
        if (shape == 1) {
          lo = p.bb(t);  // outputs are inputs, crossed
          hi = p.a(t);
        }
        if (add) {
          p.b.add2(t, lo, hi, al, ah, bl, bh);
        } else {
          p.b.sub2(t, lo, hi, al, ah, bl, bh);
        }
        p.b.exit_tb(0);
        check(p.ir, all);
      }
    }
  }
  std::printf("%zu programs, %zu runs\n", programs_, runs_);
}

TEST_F(X64Ops, Conditions) {
  const std::vector<Env> all = pairs(), one = singles();
  for (Type t : {Type::i32, Type::i64}) {
    for (unsigned ci = 0; ci < kNumConds; ci++) {
      Cond c = static_cast<Cond>(ci);
      for (int shape = 0; shape < 3; shape++) {
        Prog p;
        TempId a = p.a(t), b = shape == 1 ? p.b.konst(t, 0x80000000) : p.bb(t);
        if (shape == 2) std::swap(a, b), a = p.b.konst(t, 0);
        p.b.setcond(t, c, p.out(t), a, b);
        p.b.movcond(t, c, p.out2(t), a, b, p.b.konst(t, 0x1111), p.a(t));
        TempId m = p.b.temp(t);
        p.b.movcond(t, c, m, a, b, p.a(t), p.bb(t));
        p.b.st_env(t, m, test::kScratch, kMo64 & (t == Type::i64 ? 3 : 2));
        LabelId l = p.b.label();
        p.b.brcond(t, c, a, b, l);
        p.b.exit_tb(1);
        p.b.set_label(l);
        p.b.exit_tb(2);
        check(p.ir, shape == 0 ? all : one);
      }
    }
  }
  std::printf("%zu programs, %zu runs\n", programs_, runs_);
}

// Helpers with 0..6 arguments: each argument weighted differently.
uint64_t h0() {
  return 0x1234;
}
uint64_t h1(uint64_t a) {
  return a * 3 + 1;
}
uint64_t h2(uint64_t a, uint64_t b) {
  return a * 3 + b * 5;
}
uint64_t h3(uint64_t a, uint64_t b, uint64_t c) {
  return a * 3 + b * 5 + c * 7;
}
uint64_t h4(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return a * 3 + b * 5 + c * 7 + d * 11;
}
uint64_t h5(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e) {
  return a * 3 + b * 5 + c * 7 + d * 11 + e * 13;
}
uint64_t h6(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, uint64_t f) {
  return a * 3 + b * 5 + c * 7 + d * 11 + e * 13 + f * 17;
}
template <typename F>
HelperInfo helper(const char *name, F *f, uint8_t n, uint32_t flags) {
  return {name, reinterpret_cast<HelperInfo::GenericFn>(f), n, true, flags};
}
const HelperInfo kH[] = {
    helper("h0", h0, 0, kHelperNoGlobals), helper("h1", h1, 1, kHelperNoGlobals),
    helper("h2", h2, 2, kHelperNoGlobals), helper("h3", h3, 3, kHelperNoGlobals),
    helper("h4", h4, 4, kHelperNoGlobals), helper("h5", h5, 5, kHelperNoGlobals),
    helper("h6", h6, 6, kHelperNoGlobals)};
const HelperInfo kH6Pure = helper("h6p", h6, 6, kHelperNoSideEffects);
const HelperInfo kH6Writes = helper("h6w", h6, 6, 0);

TEST_F(X64Ops, Calls) {
  std::mt19937_64 rng(42);
  std::vector<Env> envs;
  for (int i = 0; i < 4; i++) {
    envs.push_back(env_with({rng(), rng(), rng(), rng(), rng(), rng(), rng(), rng()},
                            {static_cast<uint32_t>(rng()), 2, 3, 4}));
  }
  for (unsigned n = 0; n <= 6; n++) {
    for (int perm = 0; perm < 12; perm++) {
      for (const HelperInfo *h :
           {&kH[n], n == 6 ? &kH6Pure : &kH[n], n == 6 ? &kH6Writes : &kH[n]}) {
        Prog p;
        // Ten values live in registers (some in argument registers), passed in a shuffled
        // order, some twice, constants among them; all still live after the call (env arguments:
        // x64_property_test).
        std::vector<TempId> v;
        for (int i = 0; i < 10; i++) {
          TempId x = p.b.temp(Type::i64);
          p.b.binop(Opcode::add, Type::i64, x, p.g.g64[i % 8], p.b.konst(Type::i64, i));
          v.push_back(x);
        }
        std::vector<TempId> args(v.begin(), v.end());
        std::shuffle(args.begin(), args.end(), rng);
        args.resize(n);
        if (n >= 2 && perm % 3 == 0) args[1] = args[0];
        if (n >= 3 && perm % 4 == 1) args[2] = p.b.konst(Type::i64, 0x8000000000000000ull);
        TempId r = perm % 2 ? p.g.g64[7] : p.b.temp(Type::i64);
        p.ir.emit_call(p.ir.add_helper(h), r, {});
        Op &op = p.ir.ops.back();
        op.nin = static_cast<uint8_t>(n);
        op.args[0] = r;
        for (unsigned i = 0; i < n; i++) op.args[1 + i] = args[i];
        op.args[1 + n] = p.ir.add_helper(h);
        TempId sum = p.b.temp(Type::i64);
        p.b.mov(Type::i64, sum, r);
        for (TempId x : v) p.b.binop(Opcode::xor_, Type::i64, sum, sum, x);
        p.b.mov(Type::i64, p.g.g64[6], sum);
        // an i32 result is truncated
        TempId r32 = p.b.temp(Type::i32);
        p.b.call(&kH[0], r32, {});
        p.b.mov(Type::i32, p.g.g32[3], r32);
        p.b.exit_tb(3);
        check(p.ir, envs);
      }
    }
  }
  std::printf("%zu programs, %zu runs\n", programs_, runs_);
}

TEST_F(X64Ops, RegisterPressure) {
  // 40 TB temps live at once (through a label, so in their stack slots), then all summed.
  std::vector<Env> envs = {env_with({1, 2, 3, 4, 5, 6, 7, 8}), env_with({~0ull, 9, 0, 1ull << 63})};
  Prog p;
  std::vector<TempId> v;
  for (int i = 0; i < 40; i++) {
    TempId x = p.b.tb_temp(Type::i64);
    p.b.binop(Opcode::mul, Type::i64, x, p.g.g64[i % 8], p.b.konst(Type::i64, i * 2 + 1));
    v.push_back(x);
  }
  LabelId l = p.b.label();
  p.b.brcond(Type::i64, Cond::eq, p.g.g64[0], p.b.konst(Type::i64, 1), l);
  p.b.binop(Opcode::add, Type::i64, v[5], v[5], v[6]);
  p.b.set_label(l);
  TempId sum = p.b.temp(Type::i64);
  p.b.movi(Type::i64, sum, 0);
  for (size_t i = 0; i < v.size(); i++) {
    p.b.binop(i % 2 ? Opcode::add : Opcode::xor_, Type::i64, sum, sum, v[i]);
    p.b.binop(Opcode::rotl, Type::i64, sum, sum, v[(i + 1) % v.size()]);
  }
  p.b.mov(Type::i64, p.g.g64[0], sum);
  p.b.exit_tb(0);
  check(p.ir, envs);
}

TEST_F(X64Ops, BackwardBranchLoop) {
  // r0 = sum of i * r1 for i = r2 & 15 down to 1, with a TB temp counter and accumulator.
  std::vector<Env> envs;
  for (uint64_t n : {0ull, 1ull, 5ull, 15ull}) envs.push_back(env_with({7, 0x10001, n, 0}));
  Prog p;
  TempId i = p.b.tb_temp(Type::i64), acc = p.b.tb_temp(Type::i64);
  p.b.binop(Opcode::and_, Type::i64, i, p.g.g64[2], p.b.konst(Type::i64, 15));
  p.b.movi(Type::i64, acc, 0);
  LabelId top = p.b.label(), done = p.b.label();
  p.b.set_label(top);
  p.b.brcond(Type::i64, Cond::eq, i, p.b.konst(Type::i64, 0), done);
  TempId x = p.b.temp(Type::i64);
  p.b.binop(Opcode::mul, Type::i64, x, i, p.g.g64[1]);
  p.b.binop(Opcode::add, Type::i64, acc, acc, x);
  p.b.binop(Opcode::add, Type::i64, p.g.g64[3], p.g.g64[3], p.b.konst(Type::i64, 1));
  p.b.binop(Opcode::sub, Type::i64, i, i, p.b.konst(Type::i64, 1));
  p.b.br(top);
  p.b.set_label(done);
  p.b.mov(Type::i64, p.g.g64[0], acc);
  p.b.exit_tb(0);
  check(p.ir, envs);
}

TEST_F(X64Ops, HostPointers) {
  // ld/st through a pointer temp (env + offset computed), and offsets beyond 32 bits.
  std::vector<Env> envs = {env_with({1, 2}), env_with({~0ull, 0x8000})};
  for (Type t : {Type::i32, Type::i64}) {
    for (uint32_t mo : {0u, 1u | 4u, 2u, 2u | 4u, 3u}) {
      Prog p;
      TempId ptr = p.b.temp(Type::i64), ptr2 = p.b.temp(Type::i64);
      p.b.binop(Opcode::add, Type::i64, ptr, Ir::kEnv, p.b.konst(Type::i64, test::kScratch));
      p.b.binop(Opcode::add, Type::i64, ptr2, Ir::kEnv,
                p.b.konst(Type::i64, test::kScratch - (int64_t{1} << 40)));
      TempId v = p.b.temp(t);
      p.ir.emit(Opcode::ld, t, {v, ptr, mo, 8});
      p.ir.emit(Opcode::st, t, {v, ptr2, mo, static_cast<uint64_t>((int64_t{1} << 40) + 24)});
      p.ir.emit(Opcode::st, t, {t == Type::i64 ? p.g.g64[0] : p.g.g32[0], ptr, mo, 32});
      p.ir.emit(Opcode::ld, t,
                {t == Type::i64 ? p.g.g64[1] : p.g.g32[1], ptr2, mo,
                 static_cast<uint64_t>((int64_t{1} << 40) + 33)});
      // env + a variable offset, folded into [env + off] addressing
      TempId off = p.b.temp(Type::i64), ptr3 = p.b.temp(Type::i64), ptr4 = p.b.temp(Type::i64);
      p.b.binop(Opcode::and_, Type::i64, off, p.g.g64[0], p.b.konst(Type::i64, 8));
      p.b.binop(Opcode::add, Type::i64, ptr3, Ir::kEnv, off);
      p.ir.emit(Opcode::ld, t,
                {t == Type::i64 ? p.g.g64[2] : p.g.g32[2], ptr3, mo, test::kScratch});
      p.b.binop(Opcode::add, Type::i64, ptr4, off, Ir::kEnv);
      TempId v2 = t == Type::i64 ? off : p.g.g32[3];
      p.ir.emit(Opcode::st, t, {v2, ptr4, mo, test::kScratch + 40});
      p.b.exit_tb(0);
      check(p.ir, envs);
    }
  }
}

TEST_F(X64Ops, ConstantAddressesWithoutGuestBase) {
  // guest_base 0 and a page below 2 GiB: constant addresses become [disp32] operands.
  void *want = reinterpret_cast<void *>(0x3a000000);
  void *page = mmap(want, 4096, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (page != want) GTEST_SKIP() << "no page at " << want;
  auto *bytes = static_cast<uint8_t *>(page);
  for (int i = 0; i < 64; i++) bytes[i] = static_cast<uint8_t>(i + 1);
  x64::CodeBuffer buf(1 << 20);
  Prog p;
  p.b.qemu_ld(Type::i64, p.g.g64[0], p.b.konst(Type::i64, 0x3a000010), kMo64);
  p.b.qemu_st(Type::i32, p.g.g32[0], p.b.konst(Type::i64, 0x3a000020), kMo32);
  p.ir.emit(Opcode::ld, Type::i64, {p.g.g64[1], p.b.konst(Type::i64, 0x3a000000), kMo16, 2});
  p.ir.emit(Opcode::st, Type::i64, {p.g.g64[2], p.b.konst(Type::i64, 0x3a000000), kMo8, 0x30});
  TempId a = p.b.temp(Type::i64);
  p.b.binop(Opcode::add, Type::i64, a, p.g.g64[3], p.b.konst(Type::i64, 8));
  p.b.qemu_ld(Type::i64, p.g.g64[3], a, kMo8 | kMoSign);
  // Register + register addresses: [r4 + r5], the load into one of them, a store of one.
  TempId b = p.b.temp(Type::i64), c = p.b.temp(Type::i64), d = p.b.temp(Type::i64);
  p.b.binop(Opcode::add, Type::i64, b, p.g.g64[4], p.g.g64[5]);
  p.b.qemu_ld(Type::i32, p.g.g32[1], b, kMo16);
  p.b.binop(Opcode::add, Type::i64, c, p.g.g64[4], p.g.g64[5]);
  p.b.qemu_st(Type::i64, p.g.g64[5], c, kMo8);
  TempId x = p.b.temp(Type::i64);
  p.b.mov(Type::i64, x, p.g.g64[4]);
  p.b.binop(Opcode::add, Type::i64, d, x, p.g.g64[5]);
  p.b.qemu_ld(Type::i64, x, d, kMo64);
  p.b.mov(Type::i64, p.g.g64[6], x);
  p.b.exit_tb(0);
  optimize(p.ir);
  x64::CompiledTb tb;
  ASSERT_TRUE(x64::compile(p.ir, buf, x64::CodegenOptions{}, &tb));
  Env e = env_with({0, 0, 0x99, 0x3a000000 + 0x30, 0x3a000000, 0x28}, {0xdeadbeef});
  buf.enter(&e, tb.code);
  EXPECT_EQ(e.g32[1], 0x2a29u);
  EXPECT_EQ(bytes[0x28], 0x28);
  EXPECT_EQ(e.g64[6], 0x302f2e2d2c2b2a28u);
  EXPECT_EQ(e.g64[0], 0x1817161514131211u);
  EXPECT_EQ(e.g64[1], 0x0403u);
  EXPECT_EQ(bytes[0x30], 0x99);
  EXPECT_EQ(bytes[0x20], 0xef);
  EXPECT_EQ(bytes[0x23], 0xde);
  EXPECT_EQ(e.g64[3], 0x39u);
  munmap(page, 4096);
}

TEST_F(X64Ops, TooManyTempsFailsGracefully) {
  Prog p;
  std::vector<TempId> v;
  for (int i = 0; i < 200; i++) {
    TempId x = p.b.tb_temp(Type::i64);
    p.b.binop(Opcode::add, Type::i64, x, p.g.g64[i % 8], p.b.konst(Type::i64, i));
    v.push_back(x);
  }
  LabelId l = p.b.label();
  p.b.set_label(l);
  for (TempId x : v) p.b.binop(Opcode::add, Type::i64, p.g.g64[0], p.g.g64[0], x);
  p.b.exit_tb(0);
  optimize(p.ir);
  size_t used = run_.buf().used();
  x64::CodegenOptions opt;
  opt.guest_base = run_.guest_base();
  x64::CompiledTb tb;
  x64::CodegenError why;
  EXPECT_FALSE(x64::compile(p.ir, run_.buf(), opt, &tb, &why));
  EXPECT_EQ(why, x64::CodegenError::too_many_temps);
  EXPECT_EQ(run_.buf().used(), used);
  opt.guest_base = 0;
  EXPECT_FALSE(x64::compile(p.ir, run_.buf(), opt, &tb, &why));
  EXPECT_EQ(why, x64::CodegenError::bad_options);
}

TEST_F(X64Ops, GuestMemoryAllSizes) {
  std::vector<Env> envs;
  for (uint64_t off : {0ull, 1ull, 7ull, 0xf8ull}) {
    envs.push_back(env_with({FlatMemory::kBase + off, 0x8182838485868788ull, 0, 0}, {0xf1f2f3f4}));
  }
  for (Type t : {Type::i32, Type::i64}) {
    for (uint32_t mo = 0; mo < (t == Type::i64 ? 8u : 8u); mo++) {
      Prog p;
      p.b.qemu_ld(t, p.out(t), p.g.g64[0], mo);
      TempId x = p.b.temp(t);
      p.b.qemu_ld(t, x, p.g.g64[0], mo);
      p.b.st_env(t, x, test::kScratch, mo);
      p.b.qemu_st(t, t == Type::i64 ? p.g.g64[1] : p.g.g32[0], p.g.g64[0], mo);
      p.b.qemu_st(t, p.b.konst(t, 0x8000000000000000ull), p.g.g64[0], mo);
      TempId y = p.b.temp(t);
      p.b.ld_env(t, y, test::kScratch + 3, mo);
      p.b.mov(t, p.out2(t), y);
      p.b.exit_tb(0);
      check(p.ir, envs);
    }
  }
}

TEST_F(X64Ops, PreciseFaults) {
  Prog p;
  p.b.insn_start(0x1000, 1);
  p.b.movi(Type::i64, p.g.g64[5], 11);
  p.b.insn_start(0x1004, 2);
  p.b.qemu_ld(Type::i64, p.g.g64[6], p.g.g64[1], kMo32);
  p.b.insn_start(0x0ffc, 3);  // pcs may go backwards
  p.b.movi(Type::i64, p.g.g64[5], 12);
  p.b.qemu_st(Type::i64, p.g.g64[5], p.g.g64[0], kMo64);
  p.b.insn_start(0x2000, 0xffffffffffffull);
  p.b.exit_tb(9);
  Ir ir = p.ir;
  optimize(ir);
  x64::CompiledTb tb = run_.compile(ir);
  std::vector<uint8_t> mem(FlatMemory::kSize);
  // Fault in the third instruction: r5 is 12 in memory.
  Env e = env_with({0x100008, FlatMemory::kBase + 8});
  auto a = run_.interp(ir, e, mem);
  auto b = run_.jit(tb, e, mem);
  EXPECT_EQ(b.exit.kind, ExitKind::fault);
  EXPECT_EQ(b.exit.value, 0x100008u);
  EXPECT_EQ(b.exit.insn_pc, 0x0ffcu);
  EXPECT_EQ(b.exit.insn_extra, 3u);
  EXPECT_EQ(b.env.g64[5], 12u);
  EXPECT_TRUE(a == b);
  // In the second.
  e = env_with({FlatMemory::kBase, 0x100010});
  a = run_.interp(ir, e, mem);
  b = run_.jit(tb, e, mem);
  EXPECT_EQ(b.exit.insn_pc, 0x1004u);
  EXPECT_EQ(b.exit.insn_extra, 2u);
  EXPECT_EQ(b.env.g64[5], 11u);
  EXPECT_TRUE(a == b);
  // The map: every host pc of the block maps to some instruction, none outside.
  uint64_t pc, extra;
  EXPECT_FALSE(x64::find_insn(tb, reinterpret_cast<uintptr_t>(tb.code) - 1, &pc, &extra));
  EXPECT_FALSE(x64::find_insn(tb, reinterpret_cast<uintptr_t>(tb.code) + tb.size, &pc, &extra));
  EXPECT_TRUE(x64::find_insn(tb, reinterpret_cast<uintptr_t>(tb.code) + tb.size - 1, &pc, &extra));
  EXPECT_EQ(pc, 0x2000u);
  EXPECT_EQ(extra, 0xffffffffffffull);
  EXPECT_LE(tb.insn_map.size(), 4u * 3 + 8);  // a few bytes per instruction
  uint32_t offs[8];
  uint64_t pcs[8], extras[8];
  ASSERT_EQ(x64::insn_starts(tb, offs, pcs, extras, 8), 4u);
  EXPECT_EQ(pcs[0], 0x1000u);
  EXPECT_EQ(pcs[2], 0x0ffcu);
  EXPECT_EQ(extras[3], 0xffffffffffffull);
  EXPECT_LE(offs[0], offs[1]);
  EXPECT_LT(offs[1], offs[2]);  // a load between
  // out_asm with QEMU's guest address lines.
  char *text = nullptr;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  x64::disassemble_tb(tb, f);
  std::fclose(f);
  std::string s(text, len);
  std::free(text);
  EXPECT_EQ(s.rfind("  -- guest addr 0x0000000000001000 + tb prologue\n", 0), 0u) << s;
  EXPECT_NE(s.find("\n  -- guest addr 0x0000000000000ffc\n0x"), std::string::npos) << s;
  EXPECT_NE(s.find("\n  -- guest addr 0x0000000000002000\n"), std::string::npos) << s;
}

// The reference of the inline scalar double operations: fn(env, kind, doff, soff) under the
// MXCSR image at kScratch + 32 (control bits loaded, flags raised merged into it).
constexpr int64_t kSdImage = test::kScratch + 32;
uint64_t helper_sd(uint64_t env, uint64_t kind, uint64_t doff, uint64_t soff) {
  auto *base = reinterpret_cast<uint8_t *>(env);
  uint32_t image;
  double x, y;
  std::memcpy(&image, base + kSdImage, 4);
  std::memcpy(&x, base + doff, 8);
  std::memcpy(&y, base + soff, 8);
  const unsigned host = _mm_getcsr();
  _mm_setcsr((image & 0xffc0) | 0x1f80);
  switch (kind) {
    case 0:
      asm volatile("addsd %1, %0" : "+x"(x) : "x"(y));
      break;
    case 1:
      asm volatile("subsd %1, %0" : "+x"(x) : "x"(y));
      break;
    case 2:
      asm volatile("mulsd %1, %0" : "+x"(x) : "x"(y));
      break;
    default:
      asm volatile("divsd %1, %0" : "+x"(x) : "x"(y));
      break;
  }
  image |= _mm_getcsr() & 0x3f;
  _mm_setcsr(host);
  std::memcpy(base + kSdImage, &image, 4);
  std::memcpy(base + doff, &x, 8);
  return 0;
}
const HelperInfo kHelperSd = {"sd", reinterpret_cast<HelperInfo::GenericFn>(&helper_sd), 4, false,
                              kHelperNoGlobals};

// Calls of the inline scalar double helper against the interpreter's calls: the inline path
// (default control bits, flags the image has) and the call path (other rounding, FTZ/DAZ).
TEST_F(X64Ops, InlineScalarDouble) {
  run_.inline_scalar_double = {kHelperSd.fn, static_cast<int32_t>(kSdImage)};
  const double kValues[] = {1.0, 3.0, 0.0, -0.0, NAN, -INFINITY, 1e-310, 1e308, -2.5};
  const uint32_t kImages[] = {0x1f80, 0x1fbf, 0x7f80, 0x9fc0, 0x3f80};
  std::vector<uint8_t> mem(FlatMemory::kSize);
  int n = 0;
  for (uint64_t kind = 0; kind < 4; kind++) {
    Prog p;
    p.b.call(&kHelperSd, TempId(-1),
             {Ir::kEnv, p.b.konst(Type::i64, kind), p.b.konst(Type::i64, test::kScratch),
              p.b.konst(Type::i64, test::kScratch + 16)});
    p.b.exit_tb(0);
    Ir ir = p.ir;
    optimize(ir);
    x64::CompiledTb tb = run_.compile(ir);
    for (double a : kValues) {
      for (double b : kValues) {
        for (uint32_t image : kImages) {
          Env e{};
          std::memcpy(e.scratch, &a, 8);
          std::memcpy(e.scratch + 8, &a, 8);  // the upper half stays
          std::memcpy(e.scratch + 16, &b, 8);
          std::memcpy(e.scratch + 32, &image, 4);
          _mm_setcsr(0x1f80);
          auto x = run_.interp(ir, e, mem);
          _mm_setcsr(0x1f80);
          auto y = run_.jit(tb, e, mem);
          ASSERT_TRUE(x == y) << "kind " << kind << " " << a << " " << b << " image " << image;
          n++;
        }
      }
    }
  }
  run_.inline_scalar_double = {};
  EXPECT_EQ(n, 4 * 9 * 9 * 5);
}

TEST(X64InsnMap, RandomSequences) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 200; round++) {
    struct Entry {
      uint32_t off;
      uint64_t pc, extra;
    };
    std::vector<Entry> entries;
    std::vector<uint8_t> map;
    x64::InsnMapWriter w(map);
    uint32_t off = static_cast<uint32_t>(rng() % 3);
    uint64_t pc = rng() % 2 ? 0x400000 : rng();
    for (int i = 0, n = static_cast<int>(rng() % 40); i < n; i++) {
      off += static_cast<uint32_t>(rng() % (i % 7 == 0 ? 300 : 20));  // sometimes 0: same place
      pc += rng() % 5 == 0 ? rng() : rng() % 16 - 4;
      uint64_t extra = rng() % 3 == 0 ? rng() : rng() % 4;
      w.add(off, pc, extra);
      entries.push_back({off, pc, extra});
    }
    for (uint32_t q = 0; q <= off + 2; q++) {
      const Entry *want = nullptr;
      for (const Entry &e : entries) {
        if (e.off <= q) want = &e;
      }
      uint64_t got_pc = 0, got_extra = 0;
      bool found = x64::insn_map_find(map, q, &got_pc, &got_extra);
      ASSERT_EQ(found, want != nullptr) << "round " << round << " offset " << q;
      if (want) {
        ASSERT_EQ(got_pc, want->pc);
        ASSERT_EQ(got_extra, want->extra);
      }
    }
  }
}

// The guest instruction of the call in progress, as a faulting helper would find it.
const x64::CompiledTb *g_where_tb;
uint64_t helper_where(uint64_t) {
  uint64_t pc = 0, extra = 0;
  if (!x64::find_insn(*g_where_tb, x64::helper_return_address() - 1, &pc, &extra)) return ~0ull;
  return pc * 16 + extra;
}
const HelperInfo kWhere = helper("where", helper_where, 1, kHelperNoGlobals);

TEST_F(X64Ops, HelperReturnAddress) {
  Prog p;
  p.b.insn_start(0x100, 1);
  p.b.call(&kWhere, p.g.g64[0], {Ir::kEnv});  // the call ends the instruction
  p.b.insn_start(0x200, 2);
  TempId t = p.b.temp(Type::i64);
  p.b.call(&kWhere, t, {Ir::kEnv});
  p.b.binop(Opcode::add, Type::i64, p.g.g64[1], t, p.b.konst(Type::i64, 0));
  p.b.insn_start(0x300, 3);
  p.b.exit_tb(0);
  optimize(p.ir);
  x64::CompiledTb tb = run_.compile(p.ir);
  g_where_tb = &tb;
  for (int thread = 0; thread < 2; thread++) {
    Env e = env_with({});
    auto body = [&] { run_.buf().enter(&e, tb.code); };
    if (thread) {
      std::thread(body).join();  // the same at another thread pointer
    } else {
      body();
    }
    EXPECT_EQ(e.g64[0], 0x1001u);
    EXPECT_EQ(e.g64[1], 0x2002u);
  }
}

TEST_F(X64Ops, GotoTbPatchAndReset) {
  Prog p;
  LabelId l = p.b.label();
  p.b.brcond(Type::i64, Cond::eq, p.g.g64[0], p.b.konst(Type::i64, 0), l);
  p.b.movi(Type::i64, p.g.g64[1], 100);
  p.b.goto_tb(0);
  p.b.exit_tb(1);
  p.b.set_label(l);
  p.b.movi(Type::i64, p.g.g64[1], 200);
  p.b.goto_tb(1);
  p.b.exit_tb(2);
  optimize(p.ir);
  x64::CompiledTb tb = run_.compile(p.ir);
  Ir t2;
  Builder b2(t2);
  test::Globals g2(t2);
  b2.binop(Opcode::add, Type::i64, g2.g64[1], g2.g64[1], b2.konst(Type::i64, 5));
  b2.exit_tb(77);
  optimize(t2);
  x64::CompiledTb target = run_.compile(t2);
  for (unsigned s = 0; s < 2; s++) {
    ASSERT_NE(tb.jmp_offset[s], UINT32_MAX);
    EXPECT_EQ((reinterpret_cast<uintptr_t>(tb.code) + tb.jmp_offset[s] + 1) % 4, 0u);
    EXPECT_EQ(tb.code[tb.jmp_offset[s]], 0xe9);
    EXPECT_EQ(tb.jmp_reset_offset[s], tb.jmp_offset[s] + 5);
  }
  std::vector<uint8_t> mem(FlatMemory::kSize);
  auto go = [&](uint64_t r0) {
    Env e = env_with({r0, 0});
    auto o = run_.jit(tb, e, mem);
    return std::make_pair(o.exit.value, o.env.g64[1]);
  };
  EXPECT_EQ(go(1), std::make_pair(uint64_t{1}, uint64_t{100}));
  EXPECT_EQ(go(0), std::make_pair(uint64_t{2}, uint64_t{200}));
  x64::patch_jump(tb, 0, target.code);
  EXPECT_EQ(go(1), std::make_pair(uint64_t{77}, uint64_t{105}));
  EXPECT_EQ(go(0), std::make_pair(uint64_t{2}, uint64_t{200}));
  x64::patch_jump(tb, 1, target.code);
  EXPECT_EQ(go(0), std::make_pair(uint64_t{77}, uint64_t{205}));
  x64::reset_jump(tb, 0);
  x64::reset_jump(tb, 1);
  EXPECT_EQ(go(1), std::make_pair(uint64_t{1}, uint64_t{100}));
  EXPECT_EQ(go(0), std::make_pair(uint64_t{2}, uint64_t{200}));
}

TEST_F(X64Ops, GotoPtr) {
  Ir t2;
  Builder b2(t2);
  test::Globals g2(t2);
  b2.binop(Opcode::add, Type::i64, g2.g64[1], g2.g64[1], b2.konst(Type::i64, 5));
  b2.exit_tb(55);
  optimize(t2);
  x64::CompiledTb target = run_.compile(t2);
  Prog p;
  TempId ptr = p.b.temp(Type::i64);
  p.b.ld_env(Type::i64, ptr, test::kScratch, kMo64);
  p.b.movi(Type::i64, p.g.g64[1], 10);
  p.b.goto_ptr(ptr);
  optimize(p.ir);
  x64::CompiledTb tb = run_.compile(p.ir);
  std::vector<uint8_t> mem(FlatMemory::kSize);
  Env e = env_with({});
  uint64_t where = reinterpret_cast<uintptr_t>(target.code);
  std::memcpy(e.scratch, &where, 8);
  auto o = run_.jit(tb, e, mem);
  EXPECT_EQ(o.exit.value, 55u);
  EXPECT_EQ(o.env.g64[1], 15u);
  // The usual pattern: a lookup helper's result.
  static const uint8_t *found;
  found = target.code;
  static const HelperInfo kLookup = {
      "lookup", reinterpret_cast<HelperInfo::GenericFn>(+[](uint64_t) -> uint64_t {
        return reinterpret_cast<uintptr_t>(found);
      }),
      1, true, kHelperReadsGlobals};
  Prog q;
  TempId t = q.b.temp(Type::i64);
  q.b.movi(Type::i64, q.g.g64[1], 20);
  q.b.call(&kLookup, t, {Ir::kEnv});
  q.b.goto_ptr(t);
  optimize(q.ir);
  x64::CompiledTb tb2 = run_.compile(q.ir);
  o = run_.jit(tb2, e, mem);
  EXPECT_EQ(o.exit.value, 55u);
  EXPECT_EQ(o.env.g64[1], 25u);
  // exit_next returns 0 (kExitNext) for lookups that find nothing.
  where = reinterpret_cast<uintptr_t>(run_.buf().exit_next());
  std::memcpy(e.scratch, &where, 8);
  o = run_.jit(tb, e, mem);
  EXPECT_EQ(o.exit.value, 0u);
  EXPECT_EQ(o.env.g64[1], 10u);
}

TEST_F(X64Ops, BarriersAndDisassembly) {
  auto has_mfence = [&](uint32_t kind) {
    Ir ir;
    Builder b(ir);
    b.mb(kind);
    b.exit_tb(0);
    x64::CompiledTb tb = run_.compile(ir);
    const uint8_t kMfence[] = {0x0f, 0xae, 0xf0};
    return std::search(tb.code, tb.code + tb.size, kMfence, kMfence + 3) != tb.code + tb.size;
  };
  EXPECT_TRUE(has_mfence(x64::kMbAll));
  EXPECT_TRUE(has_mfence(0));
  EXPECT_TRUE(has_mfence(x64::kMbStLd));
  EXPECT_FALSE(has_mfence(x64::kMbLdLd | x64::kMbLdSt | x64::kMbStSt));

  Prog p;
  p.b.binop(Opcode::add, Type::i64, p.g.g64[0], p.g.g64[0], p.g.g64[1]);
  p.b.exit_tb(0x20);
  optimize(p.ir);
  x64::CompiledTb tb = run_.compile(p.ir);
  char *text = nullptr;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  x64::disassemble(tb.code, tb.size, f);
  std::fclose(f);
  std::string s(text, len);
  std::free(text);
  char first[32];
  std::snprintf(first, sizeof(first), "0x%08llx:  ",
                static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(tb.code)));
  EXPECT_EQ(s.rfind(first, 0), 0u) << s;
  // QEMU's columns: 8 bytes of 3 characters, a space, the mnemonic in 8, AT&T operands.
  EXPECT_NE(s.find("b8 20 00 00 00           movl     $0x20, %eax\n"), std::string::npos) << s;
  EXPECT_NE(s.find("jmp "), std::string::npos) << s;
}

TEST_F(X64Ops, BufferFullAndReset) {
  x64::CodeBuffer buf(256 << 10);
  x64::CodegenOptions opt;
  Prog p;
  for (int i = 0; i < 200; i++) {
    p.b.binop(Opcode::add, Type::i64, p.g.g64[i % 8], p.g.g64[(i + 1) % 8], p.g.g64[(i + 3) % 8]);
  }
  p.b.exit_tb(0);
  optimize(p.ir);
  int n = 0;
  x64::CompiledTb tb;
  x64::CodegenError why = x64::CodegenError::none;
  while (x64::compile(p.ir, buf, opt, &tb, &why)) n++;
  EXPECT_EQ(why, x64::CodegenError::buffer_full);
  EXPECT_GT(n, 10);
  EXPECT_TRUE(buf.full());
  size_t used = buf.used();
  EXPECT_FALSE(x64::compile(p.ir, buf, opt, &tb, &why));
  EXPECT_EQ(buf.used(), used);
  buf.reset();
  EXPECT_FALSE(buf.full());
  ASSERT_TRUE(x64::compile(p.ir, buf, opt, &tb, &why));
  Env e = env_with({1, 2, 3, 4, 5, 6, 7, 8});
  Env want = e;
  std::vector<uint8_t> mem(FlatMemory::kSize);
  FlatMemory fm;
  Interpreter(p.ir).run(&want, fm);
  EXPECT_EQ(buf.enter(&e, tb.code), 0u);
  EXPECT_TRUE(e == want);
}

}  // namespace
}  // namespace qemu::jit
