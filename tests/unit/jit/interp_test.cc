#include "jit/backend/interp/interp.h"

#include <gtest/gtest.h>

#include "jit/ir/builder.h"
#include "jit_test_util.h"

namespace qemu::jit {
namespace {

using test::Env;
using test::FlatMemory;

TEST(Interp, LoopAndGlobals) {
  // r0 = sum of 1..r1, with a backward branch.
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId i = b.tb_temp(Type::i64);
  LabelId top = b.label();
  b.movi(Type::i64, g.g64[0], 0);
  b.mov(Type::i64, i, g.g64[1]);
  b.set_label(top);
  b.add(Type::i64, g.g64[0], g.g64[0], i);
  b.addi(Type::i64, i, i, ~0ull);
  b.brcond(Type::i64, Cond::ne, i, b.konst(Type::i64, 0), top);
  b.exit_tb(7);
  ASSERT_EQ(verify(ir), "");
  Env env{};
  env.g64[1] = 100;
  FlatMemory mem;
  ExitResult r = Interpreter(ir).run(&env, mem);
  EXPECT_EQ(r.kind, ExitKind::exit_tb);
  EXPECT_EQ(r.value, 7u);
  EXPECT_EQ(env.g64[0], 5050u);
}

TEST(Interp, GuestMemoryAndFaults) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  b.insn_start(0x10, 1);
  b.qemu_st(Type::i32, g.g32[0], g.g64[0], kMo16);
  b.qemu_ld(Type::i64, g.g64[2], g.g64[0], kMo8 | kMoSign);
  b.insn_start(0x14, 2);
  b.qemu_ld(Type::i32, g.g32[1], g.g64[1], kMo32);
  b.exit_tb(1);
  Env env{};
  env.g64[0] = FlatMemory::kBase + 4;
  env.g64[1] = 0x10;  // unmapped
  env.g32[0] = 0xabcd80;
  FlatMemory mem;
  ExitResult r = Interpreter(ir).run(&env, mem);
  EXPECT_EQ(r.kind, ExitKind::fault);
  EXPECT_EQ(r.value, 0x10u);
  EXPECT_EQ(r.insn_pc, 0x14u);
  EXPECT_EQ(r.insn_extra, 2u);
  EXPECT_EQ(mem.bytes[4], 0x80);
  EXPECT_EQ(mem.bytes[5], 0xcd);
  EXPECT_EQ(mem.bytes[6], 0);
  EXPECT_EQ(env.g64[2], 0xffffffffffffff80u);
  EXPECT_EQ(env.g32[1], 0u);
}

TEST(Interp, EnvLoadsStoresCallsAndGotoPtr) {
  Ir ir;
  Builder b(ir);
  test::Globals g(ir);
  TempId t = b.temp(Type::i64), u = b.temp(Type::i32);
  b.ld_env(Type::i64, t, test::kScratch, kMo16 | kMoSign);
  b.st_env(Type::i64, t, test::kScratch + 8, kMo64);
  b.ld_env(Type::i32, u, test::kScratch, kMo8);
  b.mov(Type::i32, g.g32[2], u);
  b.call(&test::kHelperWrites, g.g64[5], {Ir::kEnv, t});
  b.call(&test::kHelperCounter, 0, {Ir::kEnv, t});
  b.goto_ptr(g.g64[5]);
  ASSERT_EQ(verify(ir), "");
  Env env{};
  env.scratch[0] = 0xfe;
  env.scratch[1] = 0xff;
  env.g64[3] = 1;
  env.g64[4] = 41;
  FlatMemory mem;
  ExitResult r = Interpreter(ir).run(&env, mem);
  EXPECT_EQ(r.kind, ExitKind::goto_ptr);
  EXPECT_EQ(r.value, 42u);
  EXPECT_EQ(env.g32[2], 0xfeu);
  EXPECT_EQ(env.g64[2], ~0ull ^ 1 ^ 1);  // -2 ^ 1
  EXPECT_EQ(env.counter, ~1ull | 1);
  uint64_t st;
  std::memcpy(&st, env.scratch + 8, 8);
  EXPECT_EQ(st, ~1ull);
}

TEST(Interp, FallsOffTheEnd) {
  Ir ir;
  Builder b(ir);
  b.insn_start(5);
  Env env{};
  FlatMemory mem;
  EXPECT_EQ(Interpreter(ir).run(&env, mem).kind, ExitKind::fell_off);
}

TEST(Interp, GotoTbFallsThroughToItsExit) {
  Ir ir;
  Builder b(ir);
  b.goto_tb(0);
  b.exit_tb(0x40);
  Env env{};
  FlatMemory mem;
  ExitResult r = Interpreter(ir).run(&env, mem);
  EXPECT_EQ(r.kind, ExitKind::exit_tb);
  EXPECT_EQ(r.value, 0x40u);
}

}  // namespace
}  // namespace qemu::jit
