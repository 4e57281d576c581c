// AES-NI, PCLMULQDQ and SHA: the operations of crypto.h. With the host's instruction available
// (checked once through cpuid) the helper runs it; the portable versions follow FIPS-197 (AES),
// FIPS 180-4 (SHA-1, SHA-256) and the instruction descriptions of the Intel SDM.
#include <cpuid.h>
#include <immintrin.h>

#include <array>
#include <bit>
#include <cstring>
#include <utility>

#include "target/x86/crypto.h"

namespace qemu::x86 {

namespace {

using U = uint64_t;

// ---- AES ----

constexpr uint8_t xtime(uint8_t a) {
  return static_cast<uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
}

constexpr uint8_t gmul(uint8_t a, uint8_t b) {
  uint8_t p = 0;
  while (b) {
    if (b & 1) p ^= a;
    a = xtime(a);
    b >>= 1;
  }
  return p;
}

constexpr uint8_t rotl8(uint8_t v, unsigned n) {
  return static_cast<uint8_t>((v << n) | (v >> (8 - n)));
}

struct AesTables {
  uint8_t sbox[256] = {};
  uint8_t inv_sbox[256] = {};
};

// The S-box: the multiplicative inverse in GF(2^8) (0 for 0), then the affine map.
constexpr AesTables make_aes_tables() {
  AesTables t;
  for (unsigned a = 0; a < 256; a++) {
    uint8_t inv = 0;
    for (unsigned x = 1; a && x < 256; x++) {
      if (gmul(static_cast<uint8_t>(a), static_cast<uint8_t>(x)) == 1) {
        inv = static_cast<uint8_t>(x);
        break;
      }
    }
    const uint8_t s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63;
    t.sbox[a] = s;
    t.inv_sbox[s] = static_cast<uint8_t>(a);
  }
  return t;
}

constexpr AesTables kAes = make_aes_tables();
static_assert(kAes.sbox[0] == 0x63 && kAes.sbox[0x53] == 0xed && kAes.inv_sbox[0x63] == 0);

// The state: byte r + 4c is row r of column c.
void shift_rows(uint8_t s[16], bool inverse) {
  uint8_t o[16];
  for (unsigned c = 0; c < 4; c++) {
    for (unsigned r = 0; r < 4; r++) {
      const unsigned from = inverse ? (c + 4 - r) % 4 : (c + r) % 4;
      o[r + 4 * c] = s[r + 4 * from];
    }
  }
  std::memcpy(s, o, 16);
}

void sub_bytes(uint8_t s[16], bool inverse) {
  for (unsigned i = 0; i < 16; i++) s[i] = inverse ? kAes.inv_sbox[s[i]] : kAes.sbox[s[i]];
}

void mix_columns(uint8_t s[16], bool inverse) {
  static constexpr uint8_t kFwd[4] = {2, 3, 1, 1}, kInv[4] = {14, 11, 13, 9};
  const uint8_t *m = inverse ? kInv : kFwd;
  for (unsigned c = 0; c < 4; c++) {
    uint8_t a[4];
    std::memcpy(a, s + 4 * c, 4);
    for (unsigned r = 0; r < 4; r++) {
      uint8_t v = 0;
      for (unsigned k = 0; k < 4; k++) v ^= gmul(a[k], m[(k + 4 - r) % 4]);
      s[4 * c + r] = v;
    }
  }
}

uint32_t sub_word(uint32_t w) {
  uint32_t r = 0;
  for (unsigned i = 0; i < 4; i++) r |= uint32_t{kAes.sbox[(w >> (8 * i)) & 0xff]} << (8 * i);
  return r;
}

XmmReg aes_portable(unsigned op, const XmmReg &dst, const XmmReg &src, unsigned imm) {
  XmmReg r = dst;
  switch (op) {
    case kAesenc:
    case kAesenclast:
      shift_rows(r.b, false);
      sub_bytes(r.b, false);
      if (op == kAesenc) mix_columns(r.b, false);
      break;
    case kAesdec:
    case kAesdeclast:
      shift_rows(r.b, true);
      sub_bytes(r.b, true);
      if (op == kAesdec) mix_columns(r.b, true);
      break;
    case kAesimc:
      r = src;
      mix_columns(r.b, true);
      return r;
    default: {  // aeskeygenassist
      const uint32_t x1 = sub_word(src.d[1]), x3 = sub_word(src.d[3]);
      r.d[0] = x1;
      r.d[1] = std::rotr(x1, 8) ^ imm;
      r.d[2] = x3;
      r.d[3] = std::rotr(x3, 8) ^ imm;
      return r;
    }
  }
  for (unsigned i = 0; i < 2; i++) r.q[i] ^= src.q[i];
  return r;
}

// ---- PCLMULQDQ ----

XmmReg clmul_portable(uint64_t a, uint64_t b) {
  uint64_t lo = 0, hi = 0;
  for (unsigned i = 0; i < 64; i++) {
    if ((b >> i) & 1) {
      lo ^= a << i;
      if (i) hi ^= a >> (64 - i);
    }
  }
  XmmReg r;
  r.q[0] = lo;
  r.q[1] = hi;
  return r;
}

// ---- SHA ----

uint32_t sha1_f(unsigned group, uint32_t b, uint32_t c, uint32_t d) {
  switch (group) {
    case 0:
      return (b & c) ^ (~b & d);
    case 2:
      return (b & c) ^ (b & d) ^ (c & d);
    default:
      return b ^ c ^ d;
  }
}

XmmReg sha_portable(unsigned op, const XmmReg &s1, const XmmReg &s2, const XmmReg &xmm0,
                    unsigned imm) {
  XmmReg r;
  switch (op) {
    case kSha1rnds4: {
      static constexpr uint32_t kK[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
      const unsigned g = imm & 3;
      uint32_t a = s1.d[3], b = s1.d[2], c = s1.d[1], d = s1.d[0], e = 0;
      for (unsigned i = 0; i < 4; i++) {
        const uint32_t na = sha1_f(g, b, c, d) + std::rotl(a, 5) + s2.d[3 - i] + e + kK[g];
        e = d;
        d = c;
        c = std::rotl(b, 30);
        b = a;
        a = na;
      }
      r.d[3] = a;
      r.d[2] = b;
      r.d[1] = c;
      r.d[0] = d;
      return r;
    }
    case kSha1nexte:
      r = s2;
      r.d[3] = s2.d[3] + std::rotl(s1.d[3], 30);
      return r;
    case kSha1msg1:
      r.d[3] = s1.d[1] ^ s1.d[3];
      r.d[2] = s1.d[0] ^ s1.d[2];
      r.d[1] = s2.d[3] ^ s1.d[1];
      r.d[0] = s2.d[2] ^ s1.d[0];
      return r;
    case kSha1msg2: {
      const uint32_t w16 = std::rotl(s1.d[3] ^ s2.d[2], 1);
      const uint32_t w17 = std::rotl(s1.d[2] ^ s2.d[1], 1);
      const uint32_t w18 = std::rotl(s1.d[1] ^ s2.d[0], 1);
      const uint32_t w19 = std::rotl(s1.d[0] ^ w16, 1);
      r.d[3] = w16;
      r.d[2] = w17;
      r.d[1] = w18;
      r.d[0] = w19;
      return r;
    }
    case kSha256rnds2: {
      uint32_t a = s2.d[3], b = s2.d[2], c = s1.d[3], d = s1.d[2];
      uint32_t e = s2.d[1], f = s2.d[0], g = s1.d[1], h = s1.d[0];
      for (unsigned i = 0; i < 2; i++) {
        const uint32_t ch = (e & f) ^ (~e & g);
        const uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        const uint32_t s0 = std::rotr(a, 2) ^ std::rotr(a, 13) ^ std::rotr(a, 22);
        const uint32_t s1e = std::rotr(e, 6) ^ std::rotr(e, 11) ^ std::rotr(e, 25);
        const uint32_t t1 = ch + s1e + xmm0.d[i] + h;
        h = g;
        g = f;
        f = e;
        e = t1 + d;
        d = c;
        c = b;
        b = a;
        a = t1 + maj + s0;
      }
      r.d[3] = a;
      r.d[2] = b;
      r.d[1] = e;
      r.d[0] = f;
      return r;
    }
    case kSha256msg1: {
      auto sig0 = [](uint32_t x) { return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3); };
      r.d[3] = s1.d[3] + sig0(s2.d[0]);
      r.d[2] = s1.d[2] + sig0(s1.d[3]);
      r.d[1] = s1.d[1] + sig0(s1.d[2]);
      r.d[0] = s1.d[0] + sig0(s1.d[1]);
      return r;
    }
    default: {  // sha256msg2
      auto sig1 = [](uint32_t x) { return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10); };
      const uint32_t w16 = s1.d[0] + sig1(s2.d[2]);
      const uint32_t w17 = s1.d[1] + sig1(s2.d[3]);
      const uint32_t w18 = s1.d[2] + sig1(w16);
      const uint32_t w19 = s1.d[3] + sig1(w17);
      r.d[0] = w16;
      r.d[1] = w17;
      r.d[2] = w18;
      r.d[3] = w19;
      return r;
    }
  }
}

// ---- The host's instructions ----

struct HostHas {
  bool aes = false, pclmul = false, sha = false;
};

HostHas probe_host() {
  HostHas h;
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    h.aes = c & bit_AES;
    h.pclmul = c & bit_PCLMUL;
  }
  if (__get_cpuid_max(0, nullptr) >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    h.sha = (b & bit_SHA) && (c != ~0u);
  }
  return h;
}

const HostHas kHost = probe_host();

__m128i ld(const XmmReg &x) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i *>(&x));
}
XmmReg st(__m128i v) {
  XmmReg r;
  _mm_storeu_si128(reinterpret_cast<__m128i *>(&r), v);
  return r;
}

template <int kImm>
__attribute__((target("aes"))) XmmReg keygen_imm(const XmmReg &x) {
  return st(_mm_aeskeygenassist_si128(ld(x), kImm));
}
using KeygenFn = XmmReg (*)(const XmmReg &);
template <size_t... I>
constexpr std::array<KeygenFn, sizeof...(I)> keygen_table(std::index_sequence<I...>) {
  return {&keygen_imm<static_cast<int>(I)>...};
}

__attribute__((target("aes"))) XmmReg aes_host(unsigned op, const XmmReg &dst, const XmmReg &src,
                                               unsigned imm) {
  const __m128i a = ld(dst), b = ld(src);
  switch (op) {
    case kAesenc:
      return st(_mm_aesenc_si128(a, b));
    case kAesenclast:
      return st(_mm_aesenclast_si128(a, b));
    case kAesdec:
      return st(_mm_aesdec_si128(a, b));
    case kAesdeclast:
      return st(_mm_aesdeclast_si128(a, b));
    case kAesimc:
      return st(_mm_aesimc_si128(b));
    default: {
      static constexpr auto kTable = keygen_table(std::make_index_sequence<256>());
      return kTable[imm & 0xff](src);
    }
  }
}

__attribute__((target("pclmul"))) XmmReg clmul_host(uint64_t a, uint64_t b) {
  const __m128i x = _mm_cvtsi64_si128(static_cast<long long>(a));
  const __m128i y = _mm_cvtsi64_si128(static_cast<long long>(b));
  return st(_mm_clmulepi64_si128(x, y, 0));
}

__attribute__((target("sha,sse4.1"))) XmmReg sha_host(unsigned op, const XmmReg &s1,
                                                      const XmmReg &s2, const XmmReg &xmm0,
                                                      unsigned imm) {
  const __m128i a = ld(s1), b = ld(s2);
  switch (op) {
    case kSha1rnds4:
      switch (imm & 3) {
        case 0:
          return st(_mm_sha1rnds4_epu32(a, b, 0));
        case 1:
          return st(_mm_sha1rnds4_epu32(a, b, 1));
        case 2:
          return st(_mm_sha1rnds4_epu32(a, b, 2));
        default:
          return st(_mm_sha1rnds4_epu32(a, b, 3));
      }
    case kSha1nexte:
      return st(_mm_sha1nexte_epu32(a, b));
    case kSha1msg1:
      return st(_mm_sha1msg1_epu32(a, b));
    case kSha1msg2:
      return st(_mm_sha1msg2_epu32(a, b));
    case kSha256rnds2:
      return st(_mm_sha256rnds2_epu32(a, b, ld(xmm0)));
    case kSha256msg1:
      return st(_mm_sha256msg1_epu32(a, b));
    default:
      return st(_mm_sha256msg2_epu32(a, b));
  }
}

void h_crypto(U env, U op, U d, U s, U imm) {
  auto *base = reinterpret_cast<uint8_t *>(env);
  auto &cpu = *reinterpret_cast<CpuX86 *>(env);
  XmmReg dst, src;
  std::memcpy(&dst, base + d, 16);
  std::memcpy(&src, base + s, 16);
  const XmmReg r =
      crypto_op(static_cast<unsigned>(op), dst, src, cpu.xmm[0], static_cast<unsigned>(imm), false);
  std::memcpy(base + d, &r, 16);
}

}  // namespace

XmmReg crypto_op(unsigned op, const XmmReg &dst, const XmmReg &src, const XmmReg &xmm0,
                 unsigned imm, bool portable) {
  if (op <= kAeskeygenassist) {
    return !portable && kHost.aes ? aes_host(op, dst, src, imm) : aes_portable(op, dst, src, imm);
  }
  if (op == kPclmulqdq) {
    const uint64_t a = dst.q[imm & 1], b = src.q[(imm >> 4) & 1];
    return !portable && kHost.pclmul ? clmul_host(a, b) : clmul_portable(a, b);
  }
  return !portable && kHost.sha ? sha_host(op, dst, src, xmm0, imm)
                                : sha_portable(op, dst, src, xmm0, imm);
}

const jit::HelperInfo kHelperCrypto = {"crypto",
                                       reinterpret_cast<jit::HelperInfo::GenericFn>(&h_crypto), 5,
                                       false, jit::kHelperNoGlobals};

}  // namespace qemu::x86
