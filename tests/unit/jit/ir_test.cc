#include "jit/ir/ir.h"

#include <gtest/gtest.h>

#include "jit/ir/builder.h"

namespace qemu::jit {
namespace {

TEST(Ir, Temps) {
  Ir ir;
  EXPECT_EQ(ir.temp(Ir::kEnv).kind, TempKind::env);
  TempId g = ir.new_global(Type::i64, 16, "rax");
  EXPECT_EQ(ir.temp(g).kind, TempKind::global);
  EXPECT_EQ(ir.temp(g).offset, 16);
  EXPECT_EQ(ir.temp(g).name, "rax");
  TempId c1 = ir.const_temp(Type::i32, 0x100000005);  // truncated to the type
  EXPECT_EQ(ir.temp(c1).value, 5u);
  EXPECT_EQ(ir.const_temp(Type::i32, 5), c1);
  EXPECT_NE(ir.const_temp(Type::i64, 5), c1);
  EXPECT_EQ(ir.new_label(), 0u);
  EXPECT_EQ(ir.new_label(), 1u);
}

TEST(Ir, BuilderEmitsTableOperands) {
  Ir ir;
  Builder b(ir);
  TempId a = b.temp(Type::i32), c = b.tb_temp(Type::i32);
  b.movcond(Type::i32, Cond::ltu, a, a, c, c, a);
  const Op &op = ir.ops.back();
  EXPECT_EQ(op.opc, Opcode::movcond);
  EXPECT_EQ(op.nout, 1);
  EXPECT_EQ(op.nin, 4);
  EXPECT_EQ(op.ncst, 1);
  EXPECT_EQ(op.in(1), c);
  EXPECT_EQ(static_cast<Cond>(op.cst(0)), Cond::ltu);
  EXPECT_EQ(ir.temp(c).kind, TempKind::tb);
  b.exit_tb(0);
  EXPECT_EQ(verify(ir), "");
}

uint64_t h2(uint64_t a, uint64_t b) {
  return a + b;
}
const HelperInfo kH2 = {"h2", reinterpret_cast<HelperInfo::GenericFn>(&h2), 2, true, 0};

TEST(Ir, Calls) {
  Ir ir;
  Builder b(ir);
  TempId r = b.temp(Type::i64);
  b.call(&kH2, r, {Ir::kEnv, r});
  b.call(&kH2, r, {r, r});
  EXPECT_EQ(ir.ops[0].cst(0), ir.ops[1].cst(0));  // one helper entry
  EXPECT_EQ(ir.ops[0].nin, 2);
  EXPECT_EQ(ir.ops[0].nout, 1);
  EXPECT_EQ(verify(ir), "");
}

TEST(Ir, VerifyRejects) {
  {
    Ir ir;
    Builder b(ir);
    b.add(Type::i32, b.temp(Type::i32), b.temp(Type::i64), b.temp(Type::i32));
    EXPECT_NE(verify(ir).find("input type"), std::string::npos);
  }
  {
    Ir ir;
    Builder b(ir);
    b.movi(Type::i64, b.konst(Type::i64, 1), 2);
    EXPECT_NE(verify(ir).find("constant"), std::string::npos);
  }
  {
    Ir ir;
    Builder b(ir);
    b.br(b.label());
    EXPECT_NE(verify(ir).find("never set"), std::string::npos);
  }
  {
    Ir ir;
    Builder b(ir);
    b.extract(Type::i32, b.temp(Type::i32), b.temp(Type::i32), 30, 4);
    EXPECT_NE(verify(ir).find("bit field"), std::string::npos);
  }
  {
    Ir ir;
    Builder b(ir);
    b.unop(Opcode::bswap64, Type::i32, b.temp(Type::i32), b.temp(Type::i32));
    EXPECT_NE(verify(ir).find("i64 only"), std::string::npos);
  }
}

TEST(Ir, Compact) {
  Ir ir;
  Builder b(ir);
  b.insn_start(1);
  b.insn_start(2);
  b.insn_start(3);
  ir.ops[1] = Op{};
  ir.compact();
  ASSERT_EQ(ir.ops.size(), 2u);
  EXPECT_EQ(ir.ops[1].cst(0), 3u);
}

}  // namespace
}  // namespace qemu::jit
