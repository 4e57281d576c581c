#include <gtest/gtest.h>

#include "jit/ir/builder.h"
#include "jit/ir/printer.h"
#include "jit/opt/passes.h"
#include "jit_test_util.h"

namespace qemu::jit {
namespace {

TEST(CopyProp, UsesReadTheSource) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId t = b.temp(Type::i64), u = b.temp(Type::i64);
  b.mov(Type::i64, t, g.g64[0]);
  b.mov(Type::i64, u, t);
  b.add(Type::i64, g.g64[1], u, t);
  b.mov(Type::i64, g.g64[0], u);  // becomes mov r0,r0: dropped
  b.exit_tb(0);
  propagate_copies(ir);
  ir.compact();
  EXPECT_EQ(print(ir),
            " mov_i64 tmp13,r0\n"
            " mov_i64 tmp14,r0\n"
            " add_i64 r1,r0,r0\n"
            " exit_tb $0x0\n");
}

TEST(CopyProp, RedefinedSource) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId t = b.temp(Type::i64);
  b.mov(Type::i64, t, g.g64[0]);
  b.movi(Type::i64, g.g64[0], 1);  // t keeps the old r0
  b.add(Type::i64, g.g64[1], t, t);
  b.exit_tb(0);
  propagate_copies(ir);
  EXPECT_NE(print(ir).find(" add_i64 r1,tmp13,tmp13"), std::string::npos) << print(ir);
}

TEST(CopyProp, CallsWritingGlobals) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId t = b.tb_temp(Type::i64), u = b.tb_temp(Type::i64);
  b.mov(Type::i64, t, g.g64[2]);
  b.mov(Type::i64, u, g.g64[3]);
  b.call(&test::kHelperReads, g.g64[7], {Ir::kEnv});  // reads only: copies stay
  b.add(Type::i64, g.g64[0], t, t);
  b.call(&test::kHelperWrites, g.g64[7], {Ir::kEnv, t});  // r2 may change
  b.add(Type::i64, g.g64[1], t, u);
  b.exit_tb(0);
  propagate_copies(ir);
  std::string s = print(ir);
  EXPECT_NE(s.find(" add_i64 r0,r2,r2\n"), std::string::npos) << s;
  EXPECT_NE(s.find(" add_i64 r1,loc13,loc14\n"), std::string::npos) << s;
}

TEST(CopyProp, BlockTempsDieAtBranches) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  LabelId l = b.label();
  TempId bb = b.temp(Type::i64), tb = b.tb_temp(Type::i64);
  b.add(Type::i64, bb, g.g64[0], g.g64[1]);
  b.mov(Type::i64, tb, bb);
  b.brcond(Type::i64, Cond::eq, g.g64[0], g.g64[1], l);
  b.mov(Type::i64, g.g64[2], tb);  // must not read the dead block temp
  b.set_label(l);
  b.exit_tb(0);
  propagate_copies(ir);
  EXPECT_NE(print(ir).find(" mov_i64 r2,loc14\n"), std::string::npos) << print(ir);
}

}  // namespace
}  // namespace qemu::jit
