#include <gtest/gtest.h>

#include "jit/ir/builder.h"
#include "jit/ir/printer.h"
#include "jit/opt/passes.h"
#include "jit_test_util.h"

namespace qemu::jit {
namespace {

TEST(Liveness, DeadArgumentsAndSyncs) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId r0 = g.g64[0], r1 = g.g64[1], t = b.temp(Type::i64);
  b.add(Type::i64, t, r0, r1);  // r0 read again below; r1 not
  b.add(Type::i64, r0, r0, t);  // the qemu_ld can fault: r0 must be in memory
  b.qemu_ld(Type::i64, r0, t, kMo8);
  b.add(Type::i64, r0, r0, r0);
  b.mov(Type::i64, r0, t);  // redefined with no sync point between: the add needs no sync
  b.exit_tb(0);
  compute_liveness(ir);
  const Op &a = ir.ops[0], &c = ir.ops[1], &ld = ir.ops[2];
  EXPECT_FALSE(a.dead_arg(0));  // t
  EXPECT_FALSE(a.dead_arg(1));  // r0
  EXPECT_TRUE(a.dead_arg(2));   // r1
  EXPECT_TRUE(c.sync_out(0));
  EXPECT_TRUE(c.dead_arg(0));  // the new r0 is never read in a register
  EXPECT_TRUE(c.dead_arg(1));
  EXPECT_FALSE(c.dead_arg(2));
  EXPECT_FALSE(ld.dead_arg(1));  // t is read by the mov
  EXPECT_FALSE(ld.sync_out(0));  // the add redefines r0 first
  EXPECT_FALSE(ir.ops[3].sync_out(0));
  EXPECT_TRUE(ir.ops[3].dead_arg(0));
  EXPECT_TRUE(ir.ops[4].sync_out(0));
  EXPECT_TRUE(ir.ops[4].dead_arg(1));
}

TEST(Liveness, SyncBeforeFaultsAndCalls) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId t = b.temp(Type::i64);
  b.movi(Type::i64, g.g64[0], 1);
  b.qemu_ld(Type::i64, t, g.g64[1], kMo8);  // can fault: r0 synced before
  b.movi(Type::i64, g.g64[0], 2);
  b.call(&test::kHelperCounter, 0, {Ir::kEnv, t});  // no globals: r0 not synced for it
  b.movi(Type::i64, g.g64[0], 3);
  b.exit_tb(0);
  compute_liveness(ir);
  EXPECT_TRUE(ir.ops[0].sync_out(0));
  EXPECT_FALSE(ir.ops[2].sync_out(0));
  EXPECT_TRUE(ir.ops[4].sync_out(0));
  EXPECT_TRUE(ir.ops[3].dead_arg(1));  // t
}

TEST(Liveness, BlockBoundaries) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  LabelId l = b.label();
  TempId tb = b.tb_temp(Type::i64), bb = b.temp(Type::i64);
  b.movi(Type::i64, tb, 1);
  b.movi(Type::i64, bb, 1);
  b.brcond(Type::i64, Cond::eq, bb, g.g64[0], l);  // bb dies; tb lives on
  b.set_label(l);
  b.exit_tb(0);
  compute_liveness(ir);
  EXPECT_FALSE(ir.ops[0].dead_arg(0));
  EXPECT_TRUE(ir.ops[2].dead_arg(0));
  EXPECT_TRUE(ir.ops[2].dead_arg(1));  // globals are in memory across blocks
}

}  // namespace
}  // namespace qemu::jit
