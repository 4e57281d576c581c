#include <gtest/gtest.h>

#include "jit/ir/builder.h"
#include "jit/ir/printer.h"
#include "jit/opt/passes.h"
#include "jit_test_util.h"

namespace qemu::jit {
namespace {

std::string dce(Ir &ir) {
  eliminate_dead_code(ir);
  ir.compact();
  return print(ir);
}

TEST(Dce, UnusedPureOps) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId t = b.temp(Type::i64), u = b.temp(Type::i64);
  b.add(Type::i64, t, g.g64[0], g.g64[1]);
  b.binop(Opcode::mul, Type::i64, u, t, t);  // u unused: both go
  b.ld_env(Type::i64, u, test::kScratch, kMo64);
  b.call(&test::kHelperPure, u, {t, t});
  b.qemu_ld(Type::i64, u, g.g64[0], kMo64);  // can fault: stays
  b.st_env(Type::i64, g.g64[0], test::kScratch, kMo64);
  b.exit_tb(0);
  EXPECT_EQ(dce(ir),
            " qemu_ld_i64 tmp14,r0,u64\n"
            " st_i64 r0,env,u64,0x50\n"
            " exit_tb $0x0\n");
}

TEST(Dce, GlobalStores) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  b.movi(Type::i64, g.g64[0], 1);  // overwritten before anything sees it
  b.movi(Type::i64, g.g64[0], 2);
  b.movi(Type::i64, g.g64[1], 3);  // visible at the fault
  b.qemu_st(Type::i64, g.g64[0], g.g64[2], kMo8);
  b.movi(Type::i64, g.g64[1], 4);
  b.exit_tb(0);
  EXPECT_EQ(dce(ir),
            " movi_i64 r0,$0x2\n"
            " movi_i64 r1,$0x3\n"
            " qemu_st_i64 r0,r2,u8\n"
            " movi_i64 r1,$0x4\n"
            " exit_tb $0x0\n");
}

TEST(Dce, CallsSeeGlobals) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId t = b.temp(Type::i64);
  b.movi(Type::i64, g.g64[0], 1);  // read by the helper
  b.movi(Type::i64, g.g64[5], 1);
  b.call(&test::kHelperReads, t, {Ir::kEnv});
  b.movi(Type::i64, g.g64[5], 2);
  b.exit_tb(0);
  EXPECT_EQ(dce(ir),
            " movi_i64 r0,$0x1\n"
            " movi_i64 r5,$0x1\n"
            " call tmp13,env,reads\n"
            " movi_i64 r5,$0x2\n"
            " exit_tb $0x0\n");
  Ir ir2;
  Builder b2(ir2);
  test::Globals g2(ir2);
  b2.movi(Type::i64, g2.g64[5], 1);  // a helper without globals does not see it
  b2.call(&test::kHelperCounter, 0, {Ir::kEnv, g2.g64[0]});
  b2.movi(Type::i64, g2.g64[5], 2);
  b2.exit_tb(0);
  EXPECT_EQ(dce(ir2),
            " call env,r0,counter\n"
            " movi_i64 r5,$0x2\n"
            " exit_tb $0x0\n");
}

TEST(Dce, UnreachableAndBranches) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  LabelId l = b.label();
  TempId tb = b.tb_temp(Type::i64);
  b.movi(Type::i64, tb, 9);  // live at the label
  b.brcond(Type::i64, Cond::eq, g.g64[0], g.g64[1], l);
  b.exit_tb(1);
  b.movi(Type::i64, g.g64[3], 1);  // unreachable
  b.set_label(l);
  b.mov(Type::i64, g.g64[4], tb);
  b.exit_tb(2);
  EXPECT_EQ(dce(ir),
            " movi_i64 loc13,$0x9\n"
            " brcond_i64 r0,r1,eq,L0\n"
            " exit_tb $0x1\n"
            "L0:\n"
            " mov_i64 r4,loc13\n"
            " exit_tb $0x2\n");
}

}  // namespace
}  // namespace qemu::jit
