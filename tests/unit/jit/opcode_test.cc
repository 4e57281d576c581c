#include "jit/ir/opcode.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "jit/ir/eval.h"
#include "jit/ir/ir.h"

namespace qemu::jit {
namespace {

TEST(Opcode, TableIsConsistent) {
  std::set<std::string> names;
  for (size_t i = 0; i < kNumOpcodes; i++) {
    const OpInfo &info = kOpInfo[i];
    auto opc = static_cast<Opcode>(i);
    EXPECT_TRUE(names.insert(info.name.s).second) << info.name.s;
    EXPECT_LE(info.nout + info.nin + info.ncst, static_cast<int>(kMaxArgs)) << info.name.s;
    // Every foldable op is evaluated, and no other.
    uint64_t in[kMaxArgs] = {1, 2, 3, 4, 5, 6}, c[2] = {0, 1}, out[2];
    EXPECT_EQ(eval_op(opc, Type::i64, in, c, out), op_has(opc, kFoldable)) << info.name.s;
    if (op_has(opc, kFoldable)) {
      EXPECT_FALSE(op_has(opc, kSideEffects | kCanFault | kBranch)) << info.name.s;
      EXPECT_GE(info.nout, 1) << info.name.s;
    }
    if (op_has(opc, kBranch | kLabel | kNoReturn | kCanFault)) {
      EXPECT_TRUE(op_has(opc, kSideEffects)) << info.name.s;
    }
    if (op_has(opc, kCommutative)) {
      EXPECT_GE(info.nin, 2) << info.name.s;
    }
  }
  EXPECT_EQ(names.count("and"), 1u);
  EXPECT_EQ(names.count("and_"), 0u);
}

TEST(Opcode, Facts) {
  EXPECT_EQ(op_info(Opcode::movcond).nin, 4);
  EXPECT_EQ(op_info(Opcode::add2).nout, 2);
  EXPECT_TRUE(op_has(Opcode::qemu_ld, kCanFault));
  EXPECT_FALSE(op_has(Opcode::ld, kCanFault | kSideEffects));
  EXPECT_TRUE(op_has(Opcode::exit_tb, kNoReturn));
  EXPECT_FALSE(op_has(Opcode::brcond, kNoReturn));
  EXPECT_TRUE(op_has(Opcode::mul, kCommutative));
  EXPECT_FALSE(op_has(Opcode::sub, kCommutative));
}

TEST(Opcode, Conditions) {
  for (unsigned i = 0; i < kNumConds; i++) {
    auto c = static_cast<Cond>(i);
    EXPECT_EQ(cond_invert(cond_invert(c)), c);
    EXPECT_EQ(cond_swap(cond_swap(c)), c);
    for (uint64_t a : {0ull, 1ull, 0x80000000ull, ~0ull}) {
      for (uint64_t b : {0ull, 1ull, 0x7fffffffull, ~0ull}) {
        for (Type t : {Type::i32, Type::i64}) {
          EXPECT_NE(eval_cond(t, c, a, b), eval_cond(t, cond_invert(c), a, b));
          EXPECT_EQ(eval_cond(t, c, a, b), eval_cond(t, cond_swap(c), b, a));
        }
      }
    }
  }
  EXPECT_STREQ(cond_name(Cond::leu), "leu");
}

}  // namespace
}  // namespace qemu::jit
