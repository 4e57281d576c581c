// Random IR: the interpreter must give the same exit, CPU state and memory before and after
// each pass and after the whole optimizer.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "jit/ir/builder.h"
#include "jit/ir/printer.h"
#include "jit/opt/passes.h"
#include "jit_test_util.h"
#include "random_ir.h"

namespace qemu::jit {
namespace {

using test::Env;
using test::FlatMemory;

using test::Generator;

struct Outcome {
  ExitResult exit;
  Env env;
  std::vector<uint8_t> mem;
};

Outcome run(const Ir &ir, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Outcome o{};
  for (auto &v : o.env.g64) v = rng();
  for (auto &v : o.env.g32) v = static_cast<uint32_t>(rng());
  for (auto &v : o.env.scratch) v = static_cast<uint8_t>(rng());
  FlatMemory mem;
  for (auto &v : mem.bytes) v = static_cast<uint8_t>(rng());
  Interpreter interp(ir);
  o.exit = interp.run(&o.env, mem);
  o.mem = mem.bytes;
  return o;
}

void check_pass(const char *name, const std::function<void(Ir &)> &pass, int count, int nops,
                bool shrinks = true) {
  size_t ops_before = 0, ops_after = 0, exits[4] = {};
  for (int seed = 0; seed < count; seed++) {
    Ir ir = Generator(seed).make(nops);
    ASSERT_EQ(verify(ir), "") << print(ir);
    Ir opt = ir;
    pass(opt);
    ASSERT_EQ(verify(opt), "") << name << " seed " << seed << "\n" << print(opt);
    ops_before += ir.ops.size();
    ops_after += opt.ops.size();
    for (uint64_t data = 0; data < 3; data++) {
      Outcome a = run(ir, seed * 7 + data), b = run(opt, seed * 7 + data);
      ASSERT_NE(a.exit.kind, ExitKind::fell_off);
      exits[static_cast<int>(a.exit.kind)]++;
      bool same = a.exit == b.exit && a.env == b.env && a.mem == b.mem;
      ASSERT_TRUE(same) << name << ": seed " << seed << " data " << data << "\nbefore:\n"
                        << print(ir) << "after:\n"
                        << print(opt, true);
    }
  }
  if (shrinks) {
    EXPECT_LE(ops_after, ops_before);
  }
  // Every way out is exercised.
  EXPECT_GT(exits[0], 0u);
  EXPECT_GT(exits[1], 0u);
  EXPECT_GT(exits[2], 0u);
  std::printf("%s: %zu ops -> %zu; exits %zu, goto_ptr %zu, faults %zu\n", name, ops_before,
              ops_after, exits[0], exits[1], exits[2]);
}

TEST(OptimizeProperty, ConstantFolding) {
  check_pass("fold", fold_constants, 1500, 40, false);
}

TEST(OptimizeProperty, CopyPropagation) {
  check_pass("copy", propagate_copies, 1500, 40);
}

TEST(OptimizeProperty, DeadCode) {
  check_pass(
      "dce",
      [](Ir &ir) {
        eliminate_dead_code(ir);
        ir.compact();
      },
      1500, 40);
}

TEST(OptimizeProperty, Liveness) {
  check_pass("liveness", compute_liveness, 500, 40);
}

TEST(OptimizeProperty, DemandedBits) {
  check_pass("demand", narrow_by_demand, 1500, 40, false);
}

TEST(OptimizeProperty, Everything) {
  check_pass("optimize", optimize, 3000, 60);
}

TEST(OptimizeProperty, RunsTwice) {
  check_pass(
      "optimize twice",
      [](Ir &ir) {
        optimize(ir);
        optimize(ir);
      },
      1000, 60);
}

}  // namespace
}  // namespace qemu::jit
