#include "jit/ir/printer.h"

#include <gtest/gtest.h>

#include "jit/ir/builder.h"
#include "jit/opt/passes.h"
#include "jit_test_util.h"

namespace qemu::jit {
namespace {

TEST(Printer, Program) {
  Ir ir;
  Builder b(ir);
  TempId rax = ir.new_global(Type::i64, 0, "rax");
  TempId eflags = ir.new_global(Type::i32, 8, "eflags");
  TempId t = b.temp(Type::i64), l = b.tb_temp(Type::i32);
  LabelId out = b.label();
  b.insn_start(0x401000);
  b.addi(Type::i64, t, rax, 0x10);
  b.qemu_ld(Type::i32, l, t, kMo16 | kMoSign);
  b.brcond(Type::i32, Cond::geu, l, eflags, out);
  b.deposit(Type::i64, rax, rax, t, 8, 8);
  b.st_env(Type::i32, l, 0x20, kMo32);
  b.call(&test::kHelperPure, t, {rax, t});
  b.set_label(out);
  b.unop(Opcode::not_, Type::i64, rax, rax);
  b.goto_tb(1);
  b.exit_tb(0x1234);
  EXPECT_EQ(print(ir),
            " ---- 0000000000401000 0000000000000000\n"
            " add_i64 tmp3,rax,$0x10\n"
            " qemu_ld_i32 loc4,tmp3,s16\n"
            " brcond_i32 loc4,eflags,geu,L0\n"
            " deposit_i64 rax,rax,tmp3,$0x8,$0x8\n"
            " st_i32 loc4,env,u32,0x20\n"
            " call tmp3,rax,tmp3,pure\n"
            "L0:\n"
            " not_i64 rax,rax\n"
            " goto_tb $0x1\n"
            " exit_tb $0x1234\n");
}

TEST(Printer, Liveness) {
  Ir ir;
  Builder b(ir);
  TempId rax = ir.new_global(Type::i64, 0, "rax");
  TempId t = b.temp(Type::i64);
  b.add(Type::i64, t, rax, rax);
  b.mov(Type::i64, rax, t);
  b.exit_tb(0);
  compute_liveness(ir);
  std::string s = print(ir, true);
  EXPECT_NE(s.find(" add_i64 tmp2,rax,rax"), std::string::npos) << s;
  EXPECT_NE(s.find("sync: 0  dead: 0 1"), std::string::npos) << s;
}

}  // namespace
}  // namespace qemu::jit
