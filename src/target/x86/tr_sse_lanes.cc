// SSE integer compares, unsigned byte min/max, shuffles, unpacks, byte shifts and pmovmskb as IR on
// the two 64-bit lanes of the xmm registers in the CPU state (SWAR within each lane), instead of
// the SSE helper: these are the core of glibc's str*/mem* routines.
#include "target/x86/cpu.h"
#include "target/x86/sse.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Opcode;
using jit::Type;

namespace {

TempId ld64(Translator &t, int64_t off) {
  TempId v = t.tmp();
  t.b.ld_env(Type::i64, v, off, jit::kMo64);
  return v;
}
void st64(Translator &t, int64_t off, TempId v) {
  t.b.st_env(Type::i64, v, off, jit::kMo64);
}
TempId bin(Translator &t, Opcode o, TempId a, TempId b) {
  return t.binop(o, a, b);
}
TempId binc(Translator &t, Opcode o, TempId a, uint64_t c) {
  return t.binop(o, a, t.cst(c));
}

// Each element of a lane (bits wide) all ones where a and b are equal, else zero.
TempId compare_equal(Translator &t, TempId a, TempId b, unsigned bits) {
  const uint64_t lo = bits == 8    ? 0x7f7f7f7f7f7f7f7full
                      : bits == 16 ? 0x7fff7fff7fff7fffull
                                   : 0x7fffffff7fffffffull;
  TempId x = bin(t, Opcode::xor_, a, b);
  // The top bit of each element of `nz` is set when the element of x is not zero.
  TempId nz = bin(t, Opcode::or_, binc(t, Opcode::add, binc(t, Opcode::and_, x, lo), lo), x);
  TempId m = t.binop(Opcode::andc, t.cst(~lo), nz);  // the top bits of the equal elements
  return bin(t, Opcode::or_, m, bin(t, Opcode::sub, m, binc(t, Opcode::shr, m, bits - 1)));
}

// Unsigned byte minimum (or maximum) of two lanes: per byte, a >= b from the top bits and a
// borrow-free subtraction of the low seven bits, widened into a byte mask that picks b or a.
TempId min_max_ub(Translator &t, TempId a, TempId b, bool max) {
  constexpr uint64_t kH = 0x8080808080808080ull;
  TempId x = bin(t, Opcode::xor_, a, b);
  TempId low_ge = bin(t, Opcode::sub, binc(t, Opcode::or_, a, kH), binc(t, Opcode::and_, b, ~kH));
  TempId ge = bin(t, Opcode::or_, bin(t, Opcode::andc, a, b), bin(t, Opcode::andc, low_ge, x));
  TempId m = binc(t, Opcode::mul,
                  binc(t, Opcode::and_, binc(t, Opcode::shr, ge, 7), 0x0101010101010101ull), 0xff);
  // a >= b: min is b, max is a.
  TempId pick = bin(t, Opcode::and_, x, m);
  return bin(t, Opcode::xor_, max ? b : a, pick);
}

// The low 32 bits of x spread into a lane with the elements of `bits` apart.
TempId spread(Translator &t, TempId x, unsigned bits) {
  x = binc(t, Opcode::and_, bin(t, Opcode::or_, x, binc(t, Opcode::shl, x, 16)),
           0x0000ffff0000ffffull);
  if (bits == 8) {
    x = binc(t, Opcode::and_, bin(t, Opcode::or_, x, binc(t, Opcode::shl, x, 8)),
             0x00ff00ff00ff00ffull);
  }
  return x;
}

// punpckl/h{bw,wd,dq,qdq}: the elements of the low (high) halves of a and b interleaved.
void unpack(Translator &t, int64_t d, int64_t s, unsigned bits, bool high) {
  TempId a = ld64(t, d + (high ? 8 : 0)), b = ld64(t, s + (high ? 8 : 0));
  TempId lo, hi;
  if (bits == 64) {
    lo = a;
    hi = b;
  } else if (bits == 32) {
    lo = bin(t, Opcode::or_, binc(t, Opcode::and_, a, 0xffffffffull), binc(t, Opcode::shl, b, 32));
    hi = bin(t, Opcode::or_, binc(t, Opcode::shr, a, 32),
             binc(t, Opcode::and_, b, 0xffffffff00000000ull));
  } else {
    auto half = [&](TempId x, bool upper) {
      return upper ? binc(t, Opcode::shr, x, 32) : binc(t, Opcode::and_, x, 0xffffffffull);
    };
    lo = bin(t, Opcode::or_, spread(t, half(a, false), bits),
             binc(t, Opcode::shl, spread(t, half(b, false), bits), bits));
    hi = bin(t, Opcode::or_, spread(t, half(a, true), bits),
             binc(t, Opcode::shl, spread(t, half(b, true), bits), bits));
  }
  st64(t, d, lo);
  st64(t, d + 8, hi);
}

// pshufd: dword k of the result is dword (imm >> 2k) & 3 of the source.
void shuffle_dwords(Translator &t, int64_t d, int64_t s, unsigned imm) {
  TempId src[2] = {ld64(t, s), ld64(t, s + 8)};
  auto dword = [&](unsigned k) {
    TempId q = src[k >> 1];
    return k & 1 ? binc(t, Opcode::shr, q, 32) : binc(t, Opcode::and_, q, 0xffffffffull);
  };
  TempId lo = bin(t, Opcode::or_, dword(imm & 3), binc(t, Opcode::shl, dword((imm >> 2) & 3), 32));
  TempId hi = bin(t, Opcode::or_, dword((imm >> 4) & 3), binc(t, Opcode::shl, dword(imm >> 6), 32));
  st64(t, d, lo);
  st64(t, d + 8, hi);
}

// pslldq/psrldq: the 128-bit value shifted by n bytes (zero from 16 on).
void shift_bytes(Translator &t, int64_t d, unsigned n, bool left) {
  if (n == 0) return;
  if (n >= 16) {
    st64(t, d, t.cst(0));
    st64(t, d + 8, t.cst(0));
    return;
  }
  TempId lo = ld64(t, d), hi = ld64(t, d + 8);
  const unsigned sh = 8 * n;
  TempId rlo, rhi;
  if (left) {
    if (n < 8) {
      rhi = bin(t, Opcode::or_, binc(t, Opcode::shl, hi, sh), binc(t, Opcode::shr, lo, 64 - sh));
      rlo = binc(t, Opcode::shl, lo, sh);
    } else {
      rhi = n == 8 ? lo : binc(t, Opcode::shl, lo, sh - 64);
      rlo = t.cst(0);
    }
  } else {
    if (n < 8) {
      rlo = bin(t, Opcode::or_, binc(t, Opcode::shr, lo, sh), binc(t, Opcode::shl, hi, 64 - sh));
      rhi = binc(t, Opcode::shr, hi, sh);
    } else {
      rlo = n == 8 ? hi : binc(t, Opcode::shr, hi, sh - 64);
      rhi = t.cst(0);
    }
  }
  st64(t, d, rlo);
  st64(t, d + 8, rhi);
}

// The top bits of the 8 bytes of a lane, as 8 bits.
TempId byte_signs(Translator &t, TempId v) {
  TempId m = binc(t, Opcode::and_, binc(t, Opcode::shr, v, 7), 0x0101010101010101ull);
  return binc(t, Opcode::shr, binc(t, Opcode::mul, m, 0x0102040810204080ull), 56);
}

}  // namespace

bool qword_op_ir_has(unsigned op) {
  switch (op) {
    case kPcmpeqb:
    case kPcmpeqw:
    case kPcmpeqd:
    case kPminub:
    case kPmaxub:
    case kPand:
    case kAndps:
    case kPor:
    case kOrps:
    case kPxor:
    case kXorps:
    case kPandn:
    case kAndnps:
      return true;
    default:
      return false;
  }
}

TempId qword_op_ir(Translator &t, unsigned op, TempId a, TempId b) {
  switch (op) {
    case kPcmpeqb:
    case kPcmpeqw:
    case kPcmpeqd:
      return compare_equal(t, a, b, op == kPcmpeqb ? 8 : op == kPcmpeqw ? 16 : 32);
    case kPminub:
    case kPmaxub:
      return min_max_ub(t, a, b, op == kPmaxub);
    case kPand:
    case kAndps:
      return bin(t, Opcode::and_, a, b);
    case kPor:
    case kOrps:
      return bin(t, Opcode::or_, a, b);
    case kPxor:
    case kXorps:
      return bin(t, Opcode::xor_, a, b);
    default:  // pandn, andnps
      return bin(t, Opcode::andc, b, a);
  }
}

bool sse_lanes_ir(Translator &t, unsigned op, int64_t d, int64_t s, unsigned imm) {
  switch (op) {
    case kPcmpeqb:
    case kPcmpeqw:
    case kPcmpeqd: {
      const unsigned bits = op == kPcmpeqb ? 8 : op == kPcmpeqw ? 16 : 32;
      TempId r[2];
      for (int lane = 0; lane < 2; lane++) {
        r[lane] = compare_equal(t, ld64(t, d + 8 * lane), ld64(t, s + 8 * lane), bits);
      }
      st64(t, d, r[0]);
      st64(t, d + 8, r[1]);
      return true;
    }
    case kPunpcklbw:
    case kPunpckhbw:
      unpack(t, d, s, 8, op == kPunpckhbw);
      return true;
    case kPunpcklwd:
    case kPunpckhwd:
      unpack(t, d, s, 16, op == kPunpckhwd);
      return true;
    case kPunpckldq:
    case kPunpckhdq:
      unpack(t, d, s, 32, op == kPunpckhdq);
      return true;
    case kPunpcklqdq:
    case kPunpckhqdq:
      unpack(t, d, s, 64, op == kPunpckhqdq);
      return true;
    case kPshufd:
      shuffle_dwords(t, d, s, imm);
      return true;
    case kPminub:
    case kPmaxub: {
      TempId r[2];
      for (int lane = 0; lane < 2; lane++) {
        r[lane] = min_max_ub(t, ld64(t, d + 8 * lane), ld64(t, s + 8 * lane), op == kPmaxub);
      }
      st64(t, d, r[0]);
      st64(t, d + 8, r[1]);
      return true;
    }
    case kPslldq:
    case kPsrldq:
      shift_bytes(t, d, imm, op == kPslldq);
      return true;
    default:
      return false;
  }
}

TempId pmovmskb_ir(Translator &t, int64_t s) {
  TempId lo = byte_signs(t, ld64(t, s));
  TempId hi = byte_signs(t, ld64(t, s + 8));
  return bin(t, Opcode::or_, lo, binc(t, Opcode::shl, hi, 8));
}

}  // namespace qemu::x86
