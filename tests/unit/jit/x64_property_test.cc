// Random IR (random_ir.h) run by the interpreter and by the x86-64 backend: the exit (value,
// goto_ptr target, or fault address with its guest instruction), the CPU state and guest
// memory must be identical.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "jit/ir/printer.h"
#include "jit/opt/passes.h"
#include "random_ir.h"
#include "x64_harness.h"

namespace qemu::jit {
namespace {

using test::Env;
using test::FlatMemory;

enum class Prep { optimize, liveness_only, none };

struct Outcome {
  ExitResult exit;
  Env env;
  std::vector<uint8_t> mem;
};

void init_state(uint64_t seed, Env *env, uint8_t *mem) {
  std::mt19937_64 rng(seed);
  *env = Env{};
  for (auto &v : env->g64) v = rng();
  for (auto &v : env->g32) v = static_cast<uint32_t>(rng());
  for (auto &v : env->scratch) v = static_cast<uint8_t>(rng());
  for (unsigned i = 0; i < FlatMemory::kSize; i++) mem[i] = static_cast<uint8_t>(rng());
}

Outcome run_interp(const Ir &ir, uint64_t seed) {
  Outcome o{};
  FlatMemory mem;
  init_state(seed, &o.env, mem.bytes.data());
  o.exit = Interpreter(ir).run(&o.env, mem);
  if (o.exit.kind != ExitKind::fault) o.exit.insn_pc = o.exit.insn_extra = 0;
  o.mem = mem.bytes;
  return o;
}

// The interpreter's view of a block whose goto_tb slot 0 is chained: the exit_tb after it
// becomes kChainedExit (the JIT run jumps to the catcher there instead).
constexpr uint64_t kChainedExit = 0xc4a1;
Ir chained_ir(const Ir &ir) {
  Ir c = ir;
  for (size_t i = 0; i + 1 < c.ops.size(); i++) {
    if (c.ops[i].opc == Opcode::goto_tb && c.ops[i].cst(0) == 0 &&
        c.ops[i + 1].opc == Opcode::exit_tb) {
      c.ops[i + 1].args[0] = kChainedExit;
    }
  }
  return c;
}

class X64Property : public ::testing::Test {
 protected:
  test::GuestSpace space_;
  x64::CodeBuffer buf_{16 << 20, space_.base()};
  x64::CompiledTb catcher_ = test::compile_catcher(buf_, space_.base());
  test::SegvHandler segv_;

  Outcome run_jit(const x64::CompiledTb &tb, uint64_t seed) {
    Outcome o{};
    uint8_t *page = space_.page();
    std::memset(page, 0, 4096);
    init_state(seed, &o.env, page);
    o.exit = test::run_compiled(buf_, tb, &o.env, space_.base(), catcher_.code);
    o.mem.assign(page, page + FlatMemory::kSize);
    for (unsigned i = FlatMemory::kSize; i < 4096; i++) {
      EXPECT_EQ(page[i], 0) << "stray store at guest " << std::hex << FlatMemory::kBase + i;
    }
    return o;
  }

  void check(const char *name, Prep prep, int count, int nops, uint32_t disable = 0) {
    size_t exits[3] = {}, chained = 0, code = 0;
    for (int seed = 0; seed < count; seed++) {
      test::GenOptions go;
      go.bounded_faults = true;
      go.insn_start_after_labels = true;
      go.goto_ptr_target = reinterpret_cast<uintptr_t>(catcher_.code);
      Ir ir = test::Generator(seed, go).make(nops);
      if (prep == Prep::optimize) optimize(ir);
      if (prep == Prep::liveness_only) compute_liveness(ir);
      ASSERT_EQ(verify(ir), "");
      if (buf_.full()) {
        buf_.reset();
        catcher_ = test::compile_catcher(buf_, space_.base());
      }
      x64::CodegenOptions opt;
      opt.guest_base = space_.base();
      opt.disable_features = disable;
      x64::CompiledTb tb;
      x64::CodegenError why;
      ASSERT_TRUE(x64::compile(ir, buf_, opt, &tb, &why))
          << name << " seed " << seed << " error " << static_cast<int>(why);
      code += tb.size;
      for (uint64_t data = 0; data < 3; data++) {
        // Some runs with goto_tb slot 0 chained to the catcher.
        bool chain = tb.jmp_offset[0] != UINT32_MAX && data == 2;
        if (chain) x64::patch_jump(tb, 0, catcher_.code);
        Outcome a = run_interp(chain ? chained_ir(ir) : ir, seed * 7 + data);
        Outcome b = run_jit(tb, seed * 7 + data);
        if (chain) {
          x64::reset_jump(tb, 0);
          chained++;
          if (a.exit.kind == ExitKind::exit_tb && a.exit.value == kChainedExit) {
            a.exit.kind = ExitKind::goto_ptr;
            a.exit.value = reinterpret_cast<uintptr_t>(catcher_.code);
          }
        }
        ASSERT_NE(a.exit.kind, ExitKind::fell_off);
        exits[static_cast<int>(a.exit.kind)]++;
        bool same = a.exit == b.exit && a.env == b.env && a.mem == b.mem;
        if (!same) {
          std::fprintf(stderr, "exit interp %d %lx pc %lx/%lx jit %d %lx pc %lx/%lx\n",
                       static_cast<int>(a.exit.kind), a.exit.value, a.exit.insn_pc,
                       a.exit.insn_extra, static_cast<int>(b.exit.kind), b.exit.value,
                       b.exit.insn_pc, b.exit.insn_extra);
          for (int i = 0; i < 8; i++) {
            if (a.env.g64[i] != b.env.g64[i]) {
              std::fprintf(stderr, "r%d %lx %lx\n", i, a.env.g64[i], b.env.g64[i]);
            }
          }
          for (int i = 0; i < 4; i++) {
            if (a.env.g32[i] != b.env.g32[i]) {
              std::fprintf(stderr, "e%d %x %x\n", i, a.env.g32[i], b.env.g32[i]);
            }
          }
          x64::disassemble(tb.code, tb.size, stderr);
        }
        ASSERT_TRUE(same) << name << ": seed " << seed << " data " << data << "\n"
                          << print(ir, prep != Prep::none);
      }
    }
    EXPECT_GT(exits[0], 0u);
    EXPECT_GT(exits[1], 0u);
    EXPECT_GT(exits[2], 0u);
    std::printf(
        "%s: %d programs, exits %zu, goto_ptr %zu, faults %zu, chained %zu, %zu code bytes\n", name,
        count, exits[0], exits[1], exits[2], chained, code);
  }
};

TEST_F(X64Property, Optimized) {
  check("optimized", Prep::optimize, 3000, 60);
}

TEST_F(X64Property, LivenessOnly) {
  check("liveness only", Prep::liveness_only, 1000, 40);
}

TEST_F(X64Property, NoLiveness) {
  check("no liveness", Prep::none, 500, 40);
}

TEST_F(X64Property, BaselineX86) {
  check("baseline x86-64", Prep::optimize, 1000, 60,
        x64::kFeatLzcnt | x64::kFeatBmi1 | x64::kFeatPopcnt | x64::kFeatBmi2 | x64::kFeatMovbe);
}

TEST_F(X64Property, LongBlocks) {
  check("long blocks", Prep::optimize, 200, 400);
}

}  // namespace
}  // namespace qemu::jit
