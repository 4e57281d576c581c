// x87 differential tests: each operation between a prologue that loads values from memory in
// every format and an epilogue that stores the stack top as 80-bit values and the status word.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "x86_test_util.h"

namespace qemu::x86::test {
namespace {

using Bytes = std::vector<uint8_t>;

std::string hex(const Bytes &v) {
  std::string s;
  char b[4];
  for (uint8_t x : v) {
    std::snprintf(b, sizeof b, "%02x ", x);
    s += b;
  }
  return s;
}

double pick_double(std::mt19937_64 &rng) {
  static const double k[] = {0.0,
                             -0.0,
                             1.0,
                             -1.0,
                             0.5,
                             3.0,
                             1e300,
                             -1e-300,
                             4.9e-324,
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN(),
                             1e19,
                             2.5,
                             -2.5,
                             1e-5};
  if (rng() % 2) return k[rng() % 16];
  return static_cast<double>(static_cast<int64_t>(rng() >> (rng() % 60))) /
         static_cast<double>(1 + rng() % 1000);
}

const std::vector<Bytes> &ops() {
  static const std::vector<Bytes> k = {
      {0xde, 0xc1},
      {0xde, 0xe9},
      {0xde, 0xe1},
      {0xde, 0xc9},
      {0xde, 0xf9},
      {0xde, 0xf1},
      {0xd8, 0xc1},
      {0xd8, 0xe1},
      {0xd8, 0xe9},
      {0xd8, 0xf1},
      {0xd8, 0xf9},
      {0xdc, 0xc1},
      {0xdc, 0xe9},
      {0xdc, 0xe1},
      {0xdc, 0xf9},
      {0xdc, 0xf1},
      {0xd9, 0xc9},
      {0xd9, 0xe0},
      {0xd9, 0xe1},
      {0xd9, 0xfa},
      {0xd9, 0xfc},
      {0xd9, 0xf8},
      {0xd9, 0xf5},
      {0xd9, 0xfd},
      {0xd9, 0xfe},
      {0xd9, 0xff},
      {0xd9, 0xfb},
      {0xd9, 0xf2},
      {0xd9, 0xf3},
      {0xd9, 0xf1},
      {0xd9, 0xf9},
      {0xd9, 0xf0},
      {0xd9, 0xf4},
      {0xd9, 0xe4},
      {0xd9, 0xe5},
      {0xd8, 0xd1},
      {0xd8, 0xd9},
      {0xdd, 0xe1},
      {0xdd, 0xe9},
      {0xda, 0xe9},
      {0xde, 0xd9},
      {0xdb, 0xf1},
      {0xdb, 0xe9},
      {0xdf, 0xf1},
      {0xdf, 0xe9},
      {0xd9, 0xe8},
      {0xd9, 0xeb},
      {0xd9, 0xee},
      {0xd9, 0xea},
      {0xd9, 0xed},
      {0xd9, 0xc1},
      {0xdd, 0xd1},
      {0xdd, 0xd9},
      {0xd9, 0xf6},
      {0xd9, 0xf7},
      {0xda, 0xc1},
      {0xda, 0xc9},
      {0xdb, 0xd1},
      {0xdb, 0xd9},
      // Memory operands.
      {0x41, 0xdc, 0x47, 0x08},
      {0x41, 0xd8, 0x4f, 0x10},
      {0x41, 0xda, 0x67, 0x14},
      {0x41, 0xde, 0x7f, 0x20},
      {0x41, 0xdc, 0x57, 0x08},
      {0x41, 0xd9, 0x47, 0x10},
      {0x41, 0xdb, 0x47, 0x14},
      {0x41, 0xdf, 0x6f, 0x18},
      {0x41, 0xdf, 0x47, 0x20},
      {0x41, 0xdb, 0x6f, 0x30},
      {0x41, 0xdd, 0x57, 0x60},
      {0x41, 0xd9, 0x5f, 0x60},
      {0x41, 0xdb, 0x57, 0x60},
      {0x41, 0xdf, 0x7f, 0x60},
      {0x41, 0xdd, 0x4f, 0x60},
      {0x41, 0xdb, 0x4f, 0x60},
      {0x41, 0xdf, 0x4f, 0x60},
      {0x41, 0xdf, 0x57, 0x60},
      // fldcw [r15+40]; frndint; fistp qword [r15+0x60]; fnstcw [r15+0x68]
      {0x41, 0xd9, 0x6f, 0x28, 0xd9, 0xfc, 0x41, 0xdf, 0x7f, 0x60, 0x41, 0xd9, 0x7f, 0x68},
      // fldcw [r15+40]; fadd st0,st1; fdiv st0,st2
      {0x41, 0xd9, 0x6f, 0x28, 0xd8, 0xc1, 0xd8, 0xf2},
      // fbstp tword [r15+0x60]; fbld tword [r15+0x60]
      {0x41, 0xdf, 0x77, 0x60, 0x41, 0xdf, 0x67, 0x60},
      // movq mm1,[r15]; paddw mm1,[r15+8]; emms (MMX between x87 code)
      {0x41, 0x0f, 0x6f, 0x0f, 0x41, 0x0f, 0xfd, 0x4f, 0x08, 0x0f, 0x77, 0xdb, 0xe3, 0xd9, 0xe8,
       0xd9, 0xeb},
      // fnstenv [r15+0x70]; fldenv [r15+0x70]; clear the instruction and operand pointers
      {0x41, 0xd9, 0x77, 0x70, 0x41, 0xd9, 0x67, 0x70, 0x49, 0xc7, 0x47, 0x7c, 0, 0,
       0,    0,    0x41, 0xc7, 0x87, 0x84, 0,    0,    0,    0,    0,    0,    0},
  };
  return k;
}

TEST(X86x87, Operations) {
  Harness h;
  std::mt19937_64 rng(21);
  // fninit; fld1; fldpi; fld qword [r15]; fld qword [r15+8]
  const Bytes pro = {0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xeb, 0x41, 0xdd, 0x07, 0x41, 0xdd, 0x47, 0x08};
  // fnstsw ax; and ax,0xfdff (not C1); fstp tword [r15+0x40]; fstp tword [r15+0x50]
  const Bytes epi = {0xdf, 0xe0, 0x66, 0x25, 0xff, 0xfd, 0x41,
                     0xdb, 0x7f, 0x40, 0x41, 0xdb, 0x7f, 0x50};
  int n = 0;
  for (const Bytes &op : ops()) {
    for (int i = 0; i < 40; i++) {
      Bytes code = pro;
      code.insert(code.end(), op.begin(), op.end());
      code.insert(code.end(), epi.begin(), epi.end());
      std::memset(h.buf + 2048, 0, 256);
      double d[2] = {pick_double(rng), pick_double(rng)};
      if (rng() % 4 == 0) d[1] = d[0];
      std::memcpy(h.buf + 2048, d, 16);
      float f = static_cast<float>(pick_double(rng));
      std::memcpy(h.buf + 2048 + 16, &f, 4);
      int32_t i32 = static_cast<int32_t>(rng() >> (rng() % 64));
      std::memcpy(h.buf + 2048 + 20, &i32, 4);
      int64_t i64 = static_cast<int64_t>(rng() >> (rng() % 64));
      std::memcpy(h.buf + 2048 + 24, &i64, 8);
      int16_t i16 = static_cast<int16_t>(rng());
      if (i16 == 0) i16 = 3;
      std::memcpy(h.buf + 2048 + 32, &i16, 2);
      uint16_t cw = static_cast<uint16_t>(0x37f | (rng() % 4) << 10 | (rng() % 2 ? 0 : 0x200));
      std::memcpy(h.buf + 2048 + 40, &cw, 2);
      long double ld = static_cast<long double>(pick_double(rng)) / 3;
      std::memcpy(h.buf + 2048 + 48, &ld, 10);
      State s = h.state();
      s.flags = (rng() & kArithFlags) | 0x202;
      ASSERT_EQ(h.diff(code, s), "") << hex(op) << " values " << d[0] << " " << d[1];
      n++;
    }
  }
  EXPECT_GT(n, 3000);
}

long double pick_long_double(std::mt19937_64 &rng) {
  static const long double k[] = {std::numeric_limits<long double>::max() / 2,
                                  -std::numeric_limits<long double>::max() / 3,
                                  std::numeric_limits<long double>::min() * 3,
                                  std::numeric_limits<long double>::min() / 5,  // denormal
                                  std::numeric_limits<long double>::denorm_min(),
                                  1e4000L,
                                  -1e-4000L,
                                  1e-4900L,
                                  0.1L,
                                  1e30L};
  if (rng() % 2) return k[rng() % 10];
  return static_cast<long double>(pick_double(rng)) / 3;
}

// One operation under a control word unmasking random exceptions (and random precision and
// rounding): the pending state it leaves (status word with ES and B, registers, tags, memory)
// through the non-waiting fnstsw and fnsave, as the processor leaves it. (C1 is not compared:
// the emulator does not track it after masked arithmetic.)
TEST(X86x87, UnmaskedExceptions) {
  Harness h;
  std::mt19937_64 rng(23);
  // fninit; fldz x 8 (every register's bits known, for fnsave); fninit; fld1; fldpi; fld qword
  // [r15]; fld qword [r15+8]; fld tword [r15+0x30]; fnclex; fldcw [r15+40]
  const Bytes pro = {0xdb, 0xe3, 0xd9, 0xee, 0xd9, 0xee, 0xd9, 0xee, 0xd9, 0xee, 0xd9,
                     0xee, 0xd9, 0xee, 0xd9, 0xee, 0xd9, 0xee, 0xdb, 0xe3, 0xd9, 0xe8,
                     0xd9, 0xeb, 0x41, 0xdd, 0x07, 0x41, 0xdd, 0x47, 0x08, 0x41, 0xdb,
                     0x6f, 0x30, 0xdb, 0xe2, 0x41, 0xd9, 0x6f, 0x28};
  // fnstsw ax; and ax,0xfdff; fnsave [r15+0x80]; and word [r15+0x84],0xfdff; the instruction
  // and operand pointers (12..27) cleared
  const Bytes epi = {0xdf, 0xe0, 0x66, 0x25, 0xff, 0xfd, 0x41, 0xdd, 0xb7, 0x80, 0x00, 0x00,
                     0x00, 0x66, 0x41, 0x81, 0xa7, 0x84, 0x00, 0x00, 0x00, 0xff, 0xfd, 0x49,
                     0xc7, 0x87, 0x8c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x49, 0xc7,
                     0x87, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  int n = 0, pending = 0;
  for (const Bytes &op : ops()) {
    if (op.size() > 4) continue;  // one instruction: a second would take the #MF
    for (int i = 0; i < 60; i++) {
      Bytes code = pro;
      code.insert(code.end(), op.begin(), op.end());
      code.insert(code.end(), epi.begin(), epi.end());
      std::memset(h.buf + 2048, 0, 256);
      double d[2] = {pick_double(rng), pick_double(rng)};
      std::memcpy(h.buf + 2048, d, 16);
      float f = static_cast<float>(pick_double(rng));
      if (rng() % 8 == 0) f = 1e-40f;  // denormal
      std::memcpy(h.buf + 2048 + 16, &f, 4);
      int32_t i32 = static_cast<int32_t>(rng() >> (rng() % 64));
      std::memcpy(h.buf + 2048 + 20, &i32, 4);
      int64_t i64 = static_cast<int64_t>(rng() >> (rng() % 64));
      std::memcpy(h.buf + 2048 + 24, &i64, 8);
      int16_t i16 = static_cast<int16_t>(rng());
      std::memcpy(h.buf + 2048 + 32, &i16, 2);
      const unsigned unmask = static_cast<unsigned>(rng() & rng()) & 0x3f;
      const unsigned pc = (rng() % 3 == 0 ? 0u : rng() % 2 ? 2u : 3u) << 8;
      const uint16_t cw =
          static_cast<uint16_t>((0x37f & ~unmask & ~0x300u) | pc | (rng() % 4) << 10);
      std::memcpy(h.buf + 2048 + 40, &cw, 2);
      long double ld = pick_long_double(rng);
      std::memcpy(h.buf + 2048 + 48, &ld, 10);
      std::memset(h.buf + 2048 + 0x60, static_cast<int>(rng() & 0xff), 16);
      State s = h.state();
      ASSERT_EQ(h.diff(code, s), "") << hex(op) << " values " << d[0] << " " << d[1] << " "
                                     << static_cast<double>(ld) << " cw " << std::hex << cw;
      uint16_t sw;
      std::memcpy(&sw, h.buf + 2048 + 0x84, 2);
      pending += (sw & 0x80) != 0;
      n++;
    }
  }
  EXPECT_GT(n, 4000);
  EXPECT_GT(pending, 300);
}

}  // namespace
}  // namespace qemu::x86::test
