#include <gtest/gtest.h>

#include "jit/ir/builder.h"
#include "jit/ir/printer.h"
#include "jit/opt/passes.h"
#include "jit_test_util.h"

namespace qemu::jit {
namespace {

TEST(ConstFold, FoldsAndPropagates) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId t = b.temp(Type::i32), u = b.temp(Type::i32);
  b.movi(Type::i32, t, 0xfffffff0);
  b.add(Type::i32, u, t, b.konst(Type::i32, 0x20));
  b.mul2(false, Type::i32, t, g.g32[0], u, u);
  b.exit_tb(0);
  fold_constants(ir);
  EXPECT_EQ(print(ir),
            " movi_i32 tmp13,$0xfffffff0\n"
            " movi_i32 tmp14,$0x10\n"
            " movi_i32 tmp13,$0x100\n"
            " movi_i32 e0,$0x0\n"
            " exit_tb $0x0\n");
}

TEST(ConstFold, KnownInputsBecomeConstants) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  b.movi(Type::i64, g.g64[1], 3);
  b.add(Type::i64, g.g64[0], g.g64[1], g.g64[0]);  // commutative: the constant goes second
  b.sub(Type::i64, g.g64[0], g.g64[1], g.g64[0]);
  b.exit_tb(0);
  fold_constants(ir);
  EXPECT_EQ(print(ir),
            " movi_i64 r1,$0x3\n"
            " add_i64 r0,r0,$0x3\n"
            " sub_i64 r0,$0x3,r0\n"
            " exit_tb $0x0\n");
}

TEST(ConstFold, Identities) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId r0 = g.g64[0], r1 = g.g64[1];
  b.add(Type::i64, r1, r0, b.konst(Type::i64, 0));
  b.binop(Opcode::mul, Type::i64, r1, r0, b.konst(Type::i64, 1));
  b.binop(Opcode::and_, Type::i64, r1, r0, b.konst(Type::i64, 0));
  b.binop(Opcode::xor_, Type::i64, r1, r0, r0);
  b.binop(Opcode::shl, Type::i32, g.g32[0], g.g32[1], b.konst(Type::i32, 32));
  b.binop(Opcode::and_, Type::i32, g.g32[0], g.g32[1], b.konst(Type::i32, 0xffffffff));
  b.exit_tb(0);
  fold_constants(ir);
  EXPECT_EQ(print(ir),
            " mov_i64 r1,r0\n"
            " mov_i64 r1,r0\n"
            " movi_i64 r1,$0x0\n"
            " movi_i64 r1,$0x0\n"
            " mov_i32 e0,e1\n"
            " mov_i32 e0,e1\n"
            " exit_tb $0x0\n");
}

TEST(ConstFold, Branches) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  LabelId l = b.label();
  TempId one = b.konst(Type::i64, 1), two = b.konst(Type::i64, 2);
  b.brcond(Type::i64, Cond::eq, one, two, l);   // never taken: dropped
  b.brcond(Type::i64, Cond::ltu, one, two, l);  // always taken: br
  b.movcond(Type::i64, Cond::gt, g.g64[0], one, two, g.g64[1], g.g64[2]);
  b.set_label(l);
  b.exit_tb(0);
  fold_constants(ir);
  EXPECT_EQ(print(ir),
            " br L0\n"
            " mov_i64 r0,r2\n"
            "L0:\n"
            " exit_tb $0x0\n");
}

TEST(ConstFold, ForgetsAtLabelsAndCalls) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  LabelId l = b.label();
  TempId t = b.tb_temp(Type::i64);
  b.movi(Type::i64, t, 5);
  b.movi(Type::i64, g.g64[2], 5);
  b.movi(Type::i64, g.g64[3], 5);
  b.call(&test::kHelperWrites, g.g64[4], {Ir::kEnv, t});  // may change r2
  b.add(Type::i64, g.g64[5], g.g64[2], t);                // r2 unknown, t known
  b.set_label(l);
  b.add(Type::i64, g.g64[6], t, t);  // unknown after a label
  b.exit_tb(0);
  fold_constants(ir);
  std::string s = print(ir);
  EXPECT_NE(s.find(" call r4,env,$0x5,writes\n"), std::string::npos) << s;
  EXPECT_NE(s.find(" add_i64 r5,r2,$0x5\n"), std::string::npos) << s;
  EXPECT_NE(s.find(" add_i64 r6,loc13,loc13\n"), std::string::npos) << s;
}

// Extensions and masks of values whose other bits are known to be zero become moves; the
// knowledge ends at labels.
TEST(ConstFold, RedundantExtensions) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId r0 = g.g64[0], r1 = g.g64[1], r2 = g.g64[2], r3 = g.g64[3];
  b.qemu_ld(Type::i64, r1, r0, kMo8);
  b.unop(Opcode::ext8u, Type::i64, r2, r1);   // a byte already: mov
  b.unop(Opcode::ext32s, Type::i64, r2, r1);  // bit 31 clear too: mov
  b.unop(Opcode::ext8s, Type::i64, r2, r1);   // bit 7 unknown: kept
  b.binop(Opcode::shr, Type::i64, r3, r0, b.konst(Type::i64, 40));
  b.unop(Opcode::ext32u, Type::i64, r2, r3);                               // 24 bits left: mov
  b.unop(Opcode::ext16u, Type::i64, r2, r3);                               // kept
  b.binop(Opcode::and_, Type::i64, r2, r3, b.konst(Type::i64, 0xffffff));  // mov
  b.unop(Opcode::extu_i32_i64, Type::i64, r3, g.g32[0]);
  b.unop(Opcode::ext32u, Type::i64, r2, r3);  // mov
  LabelId l = b.label();
  b.set_label(l);
  b.unop(Opcode::ext32u, Type::i64, r2, r3);  // unknown after a label: kept
  b.exit_tb(0);
  fold_constants(ir);
  EXPECT_EQ(print(ir),
            " qemu_ld_i64 r1,r0,u8\n"
            " mov_i64 r2,r1\n"
            " mov_i64 r2,r1\n"
            " ext8s_i64 r2,r1\n"
            " shr_i64 r3,r0,$0x28\n"
            " mov_i64 r2,r3\n"
            " ext16u_i64 r2,r3\n"
            " mov_i64 r2,r3\n"
            " extu_i32_i64 r3,e0\n"
            " mov_i64 r2,r3\n"
            "L0:\n"
            " ext32u_i64 r2,r3\n"
            " exit_tb $0x0\n");
}

}  // namespace
}  // namespace qemu::jit
