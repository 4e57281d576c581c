// The crypto helper's two implementations: the portable one must give what the host's AES-NI,
// PCLMULQDQ and SHA instructions give (crypto_op with portable = false uses them when the host
// has them; without them the comparison is skipped with the reason), plus known answers that
// hold either way (FIPS-197's S-box and cipher example, a carry-less product).
#include <cpuid.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "target/x86/crypto.h"

namespace qemu::x86 {
namespace {

XmmReg from_bytes(const uint8_t (&b)[16]) {
  XmmReg r;
  std::memcpy(r.b, b, 16);
  return r;
}

bool host_has(unsigned op) {
  unsigned a, b, c, d;
  if (op <= kAeskeygenassist) return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_AES);
  if (op == kPclmulqdq) return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_PCLMUL);
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  return b & bit_SHA;
}

TEST(Crypto, PortableMatchesHost) {
  std::mt19937_64 rng(42);
  for (unsigned op = 0; op < kNumCryptoOps; op++) {
    if (!host_has(op)) {
      GTEST_LOG_(INFO) << "op " << op << ": the host lacks the instruction, comparison skipped";
      continue;
    }
    for (int n = 0; n < 2000; n++) {
      XmmReg d, s, x0;
      for (XmmReg *r : {&d, &s, &x0}) r->q[0] = rng(), r->q[1] = rng();
      const unsigned imm = static_cast<unsigned>(rng() & 0xff);
      const XmmReg h = crypto_op(op, d, s, x0, imm, false);
      const XmmReg p = crypto_op(op, d, s, x0, imm, true);
      ASSERT_EQ(0, std::memcmp(&h, &p, 16)) << "op " << op << " imm " << imm << " n " << n;
    }
  }
}

// FIPS-197 appendix B: the first round of AES-128 (the state after the initial AddRoundKey,
// round 1's key, the state after round 1).
TEST(Crypto, Fips197RoundKnownAnswer) {
  const uint8_t start[16] = {0x19, 0x3d, 0xe3, 0xbe, 0xa0, 0xf4, 0xe2, 0x2b,
                             0x9a, 0xc6, 0x8d, 0x2a, 0xe9, 0xf8, 0x48, 0x08};
  const uint8_t key1[16] = {0xa0, 0xfa, 0xfe, 0x17, 0x88, 0x54, 0x2c, 0xb1,
                            0x23, 0xa3, 0x39, 0x39, 0x2a, 0x6c, 0x76, 0x05};
  const uint8_t after[16] = {0xa4, 0x9c, 0x7f, 0xf2, 0x68, 0x9f, 0x35, 0x2b,
                             0x6b, 0x5b, 0xea, 0x43, 0x02, 0x6a, 0x50, 0x49};
  for (bool portable : {true, false}) {
    const XmmReg r = crypto_op(kAesenc, from_bytes(start), from_bytes(key1), {}, 0, portable);
    EXPECT_EQ(0, std::memcmp(r.b, after, 16)) << "portable " << portable;
  }
}

// The last rounds undo each other: aesdeclast(aesenclast(s, k) ^ k, 0) = s, and aesimc strips
// aesenc's MixColumns: aesdeclast(aesimc(aesenc(s, 0)), 0) = s.
TEST(Crypto, RoundTrips) {
  std::mt19937_64 rng(7);
  for (bool portable : {true, false}) {
    for (int n = 0; n < 100; n++) {
      XmmReg s, k;
      s.q[0] = rng(), s.q[1] = rng(), k.q[0] = rng(), k.q[1] = rng();
      XmmReg y = crypto_op(kAesenclast, s, k, {}, 0, portable);
      y.q[0] ^= k.q[0], y.q[1] ^= k.q[1];
      XmmReg back = crypto_op(kAesdeclast, y, {}, {}, 0, portable);
      ASSERT_EQ(0, std::memcmp(&back, &s, 16));
      const XmmReg m =
          crypto_op(kAesimc, {}, crypto_op(kAesenc, s, {}, {}, 0, portable), {}, 0, portable);
      back = crypto_op(kAesdeclast, m, {}, {}, 0, portable);
      ASSERT_EQ(0, std::memcmp(&back, &s, 16));
    }
  }
}

TEST(Crypto, CarrylessProduct) {
  XmmReg a{}, b{};
  a.q[0] = 0x8000000000000001ull;
  b.q[1] = 0x3;  // imm 0x10 selects b's high half
  for (bool portable : {true, false}) {
    const XmmReg r = crypto_op(kPclmulqdq, a, b, {}, 0x10, portable);
    EXPECT_EQ(r.q[0], 0x8000000000000003ull);  // a ^ a << 1
    EXPECT_EQ(r.q[1], 1u);
  }
}

}  // namespace
}  // namespace qemu::x86
