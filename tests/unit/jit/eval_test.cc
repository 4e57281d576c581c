#include "jit/ir/eval.h"

#include <gtest/gtest.h>

namespace qemu::jit {
namespace {

uint64_t ev(Opcode o, Type t, std::initializer_list<uint64_t> in,
            std::initializer_list<uint64_t> c = {}, uint64_t *hi = nullptr) {
  uint64_t a[8] = {}, k[4] = {}, out[2] = {};
  std::copy(in.begin(), in.end(), a);
  std::copy(c.begin(), c.end(), k);
  EXPECT_TRUE(eval_op(o, t, a, k, out));
  if (hi) *hi = out[1];
  return out[0];
}

constexpr Type I32 = Type::i32, I64 = Type::i64;

TEST(Eval, Arithmetic) {
  EXPECT_EQ(ev(Opcode::add, I32, {0xffffffff, 2}), 1u);
  EXPECT_EQ(ev(Opcode::add, I64, {0xffffffff, 2}), 0x100000001u);
  EXPECT_EQ(ev(Opcode::sub, I32, {0, 1}), 0xffffffffu);
  EXPECT_EQ(ev(Opcode::mul, I32, {0x10000, 0x10000}), 0u);
  EXPECT_EQ(ev(Opcode::neg, I64, {1}), ~0ull);
  EXPECT_EQ(ev(Opcode::not_, I32, {0}), 0xffffffffu);
  EXPECT_EQ(ev(Opcode::andc, I64, {0xff, 0x0f}), 0xf0u);
}

TEST(Eval, Shifts) {
  EXPECT_EQ(ev(Opcode::shl, I32, {1, 33}), 2u);  // counts modulo the width
  EXPECT_EQ(ev(Opcode::shr, I32, {0x80000000, 31}), 1u);
  EXPECT_EQ(ev(Opcode::sar, I32, {0x80000000, 31}), 0xffffffffu);
  EXPECT_EQ(ev(Opcode::sar, I64, {0x80000000, 31}), 1u);
  EXPECT_EQ(ev(Opcode::rotl, I32, {0x80000001, 1}), 3u);
  EXPECT_EQ(ev(Opcode::rotr, I64, {1, 1}), 0x8000000000000000u);
  EXPECT_EQ(ev(Opcode::rotr, I32, {5, 0}), 5u);
}

TEST(Eval, Bits) {
  EXPECT_EQ(ev(Opcode::clz, I32, {1, 99}), 31u);
  EXPECT_EQ(ev(Opcode::clz, I64, {0, 99}), 99u);
  EXPECT_EQ(ev(Opcode::ctz, I64, {0x100, 99}), 8u);
  EXPECT_EQ(ev(Opcode::ctpop, I32, {0xf0f0}), 8u);
  EXPECT_EQ(ev(Opcode::bswap16, I32, {0x1234}), 0x3412u);
  EXPECT_EQ(ev(Opcode::bswap32, I64, {0x12345678}), 0x78563412u);
  EXPECT_EQ(ev(Opcode::bswap64, I64, {0x0102030405060708}), 0x0807060504030201u);
}

TEST(Eval, Extensions) {
  EXPECT_EQ(ev(Opcode::ext8s, I32, {0x80}), 0xffffff80u);
  EXPECT_EQ(ev(Opcode::ext8s, I64, {0x80}), 0xffffffffffffff80u);
  EXPECT_EQ(ev(Opcode::ext16u, I64, {0x12345678}), 0x5678u);
  EXPECT_EQ(ev(Opcode::ext32s, I64, {0x80000000}), 0xffffffff80000000u);
  EXPECT_EQ(ev(Opcode::ext_i32_i64, I64, {0xfffffffe}), ~1ull);
  EXPECT_EQ(ev(Opcode::extu_i32_i64, I64, {0xfffffffe}), 0xfffffffeu);
  EXPECT_EQ(ev(Opcode::extrh_i64_i32, I32, {0x1234567800000000}), 0x12345678u);
  EXPECT_EQ(ev(Opcode::extrl_i64_i32, I32, {0x1234567887654321}), 0x87654321u);
}

TEST(Eval, BitFields) {
  EXPECT_EQ(ev(Opcode::deposit, I32, {0xffffffff, 0}, {8, 8}), 0xffff00ffu);
  EXPECT_EQ(ev(Opcode::deposit, I64, {0, ~0ull}, {0, 64}), ~0ull);
  EXPECT_EQ(ev(Opcode::extract, I64, {0xabcd}, {4, 8}), 0xbcu);
  EXPECT_EQ(ev(Opcode::sextract, I32, {0x0800}, {8, 4}), 0xfffffff8u);
}

TEST(Eval, DoubleWidth) {
  uint64_t hi;
  EXPECT_EQ(ev(Opcode::mulu2, I64, {~0ull, 2}, {}, &hi), ~1ull);
  EXPECT_EQ(hi, 1u);
  EXPECT_EQ(ev(Opcode::muls2, I64, {~0ull, 2}, {}, &hi), ~1ull);
  EXPECT_EQ(hi, ~0ull);
  EXPECT_EQ(ev(Opcode::muls2, I32, {0xffffffff, 0xffffffff}, {}, &hi), 1u);
  EXPECT_EQ(hi, 0u);
  EXPECT_EQ(ev(Opcode::add2, I32, {0xffffffff, 0, 1, 0}, {}, &hi), 0u);
  EXPECT_EQ(hi, 1u);
  EXPECT_EQ(ev(Opcode::sub2, I64, {0, 1, 1, 0}, {}, &hi), ~0ull);
  EXPECT_EQ(hi, 0u);
}

TEST(Eval, Conditions) {
  auto c = [](Cond x) { return static_cast<uint64_t>(x); };
  EXPECT_EQ(ev(Opcode::setcond, I32, {0xffffffff, 0}, {c(Cond::lt)}), 1u);
  EXPECT_EQ(ev(Opcode::setcond, I64, {0xffffffff, 0}, {c(Cond::lt)}), 0u);
  EXPECT_EQ(ev(Opcode::setcond, I32, {0xffffffff, 0}, {c(Cond::gtu)}), 1u);
  EXPECT_EQ(ev(Opcode::movcond, I64, {1, 2, 10, 20}, {c(Cond::eq)}), 20u);
  EXPECT_EQ(ev(Opcode::movcond, I64, {1, 2, 10, 20}, {c(Cond::ne)}), 10u);
}

}  // namespace
}  // namespace qemu::jit
