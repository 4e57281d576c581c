// AVX/AVX2 operations that are not VEX forms of SSE ones: broadcasts, 128-bit lane inserts,
// extracts and permutes, vpermq/vpermilpd, blends, vptest/vtestps/pd, the movmsk forms,
// vzeroupper/vzeroall and masked loads/stores in IR; vcmp (32 predicates), variable permutes
// and shifts, F16C and FMA3 through kHelperAvx; gathers element by element in IR.
#include "target/x86/avx.h"
#include "target/x86/sse.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Cond;
using jit::Opcode;
using jit::Type;

namespace {

constexpr int64_t kTmp = offsetof(CpuX86, xmm_tmp);
constexpr int64_t kScratch = offsetof(CpuX86, avx_scratch);

TempId ld(Translator &t, int64_t off, uint32_t mo = jit::kMo64) {
  TempId v = t.tmp();
  t.b.ld_env(Type::i64, v, off, mo);
  return v;
}
void st(Translator &t, int64_t off, TempId v, uint32_t mo = jit::kMo64) {
  t.b.st_env(Type::i64, v, off, mo);
}
// Qword q (0..3) of ymm n.
int64_t qw(unsigned n, unsigned q) {
  return ymm_lane(n, q / 2) + 8 * (q & 1);
}
void zero_upper(Translator &t, unsigned n) {
  st(t, ymm_lane(n, 1), t.cst(0));
  st(t, ymm_lane(n, 1) + 8, t.cst(0));
}
TempId bin(Translator &t, Opcode o, TempId a, TempId b) {
  return t.binop(o, a, b);
}
TempId binc(Translator &t, Opcode o, TempId a, uint64_t c) {
  return t.binop(o, a, t.cst(c));
}

// The qwords of the W operand (register or memory, n bytes, read into temps).
void read_w(Translator &t, const Insn &in, unsigned n, TempId *q) {
  if (in.is_mem()) {
    TempId a = t.ea(in);
    for (unsigned i = 0; i < n / 8; i++) q[i] = t.load(i ? binc(t, Opcode::add, a, 8 * i) : a, 8);
  } else {
    for (unsigned i = 0; i < n / 8; i++) q[i] = ld(t, qw(in.rm, i));
  }
}

// Stores the qwords of a VEX result (2 or 4) into V, zeroing the upper half for 2.
void write_v(Translator &t, unsigned v, const TempId *q, unsigned nq) {
  for (unsigned i = 0; i < nq; i++) st(t, qw(v, i), q[i]);
  if (nq == 2) zero_upper(t, v);
}

// A scalar broadcast: the element (size bytes) of the W operand's low end in every position.
void broadcast(Translator &t, const Insn &in, unsigned size) {
  TempId x = in.is_mem() ? t.load(t.ea(in), size)
                         : ld(t, qw(in.rm, 0),
                              size == 1   ? jit::kMo8
                              : size == 2 ? jit::kMo16
                              : size == 4 ? jit::kMo32
                                          : jit::kMo64);
  static constexpr uint64_t kSpread[] = {0, 0x0101010101010101ull, 0x0001000100010001ull, 0,
                                         0x0000000100000001ull};
  TempId q = size == 8 ? x : binc(t, Opcode::mul, x, kSpread[size]);
  TempId r[4] = {q, q, q, q};
  write_v(t, in.reg, r, in.vex_l ? 4 : 2);
}

// ZF and CF of vptest/vtestps/vtestpd over the whole operands (sign bits only: mask).
void test_flags(Translator &t, const Insn &in, uint64_t mask) {
  const unsigned nq = in.vex_l ? 4 : 2;
  TempId s[4];
  read_w(t, in, nq * 8, s);
  TempId and_acc = 0, andn_acc = 0;
  for (unsigned i = 0; i < nq; i++) {
    TempId a = ld(t, qw(in.reg, i));
    TempId x = bin(t, Opcode::and_, a, s[i]);
    TempId y = bin(t, Opcode::andc, s[i], a);
    and_acc = and_acc ? bin(t, Opcode::or_, and_acc, x) : x;
    andn_acc = andn_acc ? bin(t, Opcode::or_, andn_acc, y) : y;
  }
  if (mask != ~0ull) {
    and_acc = binc(t, Opcode::and_, and_acc, mask);
    andn_acc = binc(t, Opcode::and_, andn_acc, mask);
  }
  TempId zf = t.tmp(), cf = t.tmp();
  t.b.setcond(Type::i64, Cond::eq, zf, and_acc, t.cst(0));
  t.b.setcond(Type::i64, Cond::eq, cf, andn_acc, t.cst(0));
  t.set_flags(bin(t, Opcode::or_, binc(t, Opcode::shl, zf, 6), cf));
}

// The all-ones mask of the elements of x whose sign is set (element bits: 8, 32, 64).
TempId sign_mask(Translator &t, TempId x, unsigned bits) {
  if (bits == 64) return binc(t, Opcode::sar, x, 63);
  const uint64_t lows = bits == 8 ? 0x0101010101010101ull : 0x0000000100000001ull;
  const uint64_t ones = bits == 8 ? 0xff : 0xffffffffull;
  return binc(t, Opcode::mul, binc(t, Opcode::and_, binc(t, Opcode::shr, x, bits - 1), lows), ones);
}

// vmaskmov/vpmaskmov: element by element under the mask's sign bits; masked-out elements are
// neither read nor written (no faults from them).
void masked_move(Translator &t, const Insn &in, bool store) {
  const bool q = (in.opc & 0xf0) == 0x80 ? in.vex_w : (in.opc & 1);
  const unsigned es = q ? 8 : 4, n = (in.vex_l ? 32 : 16) / es;
  const uint32_t mo = (q ? jit::kMo64 : jit::kMo32);
  const unsigned data = in.reg, mask = in.vex_vvvv;
  if (!store) {
    for (unsigned i = 0; i < 4; i++) st(t, kScratch + 8 * i, t.cst(0));
  }
  for (unsigned i = 0; i < n; i++) {
    const unsigned eoff = i * es;
    const int64_t moff = ymm_lane(mask, eoff >= 16) + eoff % 16;
    jit::LabelId skip = t.b.label();
    t.b.brcond(Type::i64, Cond::ge, ld(t, moff, mo | jit::kMoSign), t.cst(0), skip);
    TempId a = t.ea(in);
    if (i) a = binc(t, Opcode::add, a, i * es);
    if (store) {
      t.store(a, es, ld(t, ymm_lane(data, eoff >= 16) + eoff % 16, mo));
    } else {
      st(t, kScratch + eoff, t.load(a, es), mo);
    }
    t.b.set_label(skip);
    t.forget_ea();
  }
  if (!store) {
    TempId r[4];
    for (unsigned i = 0; i < 4; i++) r[i] = ld(t, kScratch + 8 * i);
    write_v(t, data, r, in.vex_l ? 4 : 2);
  }
}

}  // namespace

void tr_avx_op(Translator &t, const Insn &in) {
  const unsigned op = in.def->arg;
  const unsigned v = in.reg, h = in.vex_vvvv, imm = in.imm & 0xff;
  const unsigned nq = in.vex_l ? 4 : 2;
  switch (op) {
    case kVzero:
      for (unsigned r = 0; r < 16; r++) {
        if (in.vex_l) {
          st(t, ymm_lane(r, 0), t.cst(0));
          st(t, ymm_lane(r, 0) + 8, t.cst(0));
        }
        zero_upper(t, r);
      }
      return;
    case kVbroadcastss:
    case kVpbroadcastd:
      broadcast(t, in, 4);
      return;
    case kVbroadcastsd:
    case kVpbroadcastq:
      broadcast(t, in, 8);
      return;
    case kVpbroadcastb:
      broadcast(t, in, 1);
      return;
    case kVpbroadcastw:
      broadcast(t, in, 2);
      return;
    case kVbroadcast128: {
      TempId s[2];
      read_w(t, in, 16, s);
      TempId r[4] = {s[0], s[1], s[0], s[1]};
      write_v(t, v, r, 4);
      return;
    }
    case kVinsert128: {
      TempId s[2], r[4];
      read_w(t, in, 16, s);
      for (unsigned i = 0; i < 4; i++) r[i] = (i / 2 == (imm & 1)) ? s[i & 1] : ld(t, qw(h, i));
      write_v(t, v, r, 4);
      return;
    }
    case kVextract128: {
      TempId lo = ld(t, qw(v, 2 * (imm & 1))), hi = ld(t, qw(v, 2 * (imm & 1) + 1));
      if (in.is_mem()) {
        TempId a = t.ea(in);
        t.store(binc(t, Opcode::add, a, 8), 8, hi);
        t.store(a, 8, lo);
      } else {
        TempId r[2] = {lo, hi};
        write_v(t, in.rm, r, 2);
      }
      return;
    }
    case kVperm2x128: {
      TempId s[4], src[8], r[4];
      read_w(t, in, 32, s);
      for (unsigned i = 0; i < 4; i++) {
        src[i] = ld(t, qw(h, i));
        src[4 + i] = s[i];
      }
      for (unsigned lane = 0; lane < 2; lane++) {
        const unsigned ctl = imm >> (4 * lane);
        for (unsigned i = 0; i < 2; i++) {
          r[2 * lane + i] = (ctl & 8) ? t.cst(0) : src[2 * (ctl & 3) + i];
        }
      }
      write_v(t, v, r, 4);
      return;
    }
    case kVpermq: {
      TempId s[4], r[4];
      read_w(t, in, 32, s);
      for (unsigned i = 0; i < 4; i++) r[i] = s[(imm >> (2 * i)) & 3];
      write_v(t, v, r, 4);
      return;
    }
    case kVpermilpdI: {
      TempId s[4], r[4];
      read_w(t, in, nq * 8, s);
      for (unsigned i = 0; i < nq; i++) r[i] = s[(i & ~1u) + ((imm >> i) & 1)];
      write_v(t, v, r, nq);
      return;
    }
    case kVpblendd: {
      TempId s[4], r[4];
      read_w(t, in, nq * 8, s);
      for (unsigned i = 0; i < nq; i++) {
        const uint64_t m = ((imm >> (2 * i)) & 1 ? 0xffffffffull : 0) |
                           ((imm >> (2 * i + 1)) & 1 ? 0xffffffff00000000ull : 0);
        TempId a = ld(t, qw(h, i));
        r[i] = m == 0       ? a
               : m == ~0ull ? s[i]
                            : bin(t, Opcode::xor_, a,
                                  binc(t, Opcode::and_, bin(t, Opcode::xor_, a, s[i]), m));
      }
      write_v(t, v, r, nq);
      return;
    }
    case kVblendvps:
    case kVblendvpd:
    case kVpblendvb: {
      const unsigned bits = op == kVblendvps ? 32 : op == kVblendvpd ? 64 : 8;
      TempId s[4], r[4];
      read_w(t, in, nq * 8, s);
      for (unsigned i = 0; i < nq; i++) {
        TempId a = ld(t, qw(h, i));
        TempId m = sign_mask(t, ld(t, qw(imm >> 4, i)), bits);
        r[i] = bin(t, Opcode::xor_, a, bin(t, Opcode::and_, bin(t, Opcode::xor_, a, s[i]), m));
      }
      write_v(t, v, r, nq);
      return;
    }
    case kVptest:
      test_flags(t, in, ~0ull);
      return;
    case kVtestps:
      test_flags(t, in, 0x8000000080000000ull);
      return;
    case kVtestpd:
      test_flags(t, in, 0x8000000000000000ull);
      return;
    case kVpmovmskb: {
      TempId m = pmovmskb_ir(t, ymm_lane(in.rm, 0));
      if (in.vex_l)
        m = bin(t, Opcode::or_, m, binc(t, Opcode::shl, pmovmskb_ir(t, ymm_lane(in.rm, 1)), 16));
      t.set_reg(in, in.reg, 4, m);
      return;
    }
    case kVmovmskps:
    case kVmovmskpd: {
      const uint64_t kind = op == kVmovmskps ? 1 : 2;
      TempId m = t.call(kHelperMovmsk, {t.env_ptr(), t.cst(ymm_lane(in.rm, 0)), t.cst(kind)});
      if (in.vex_l) {
        TempId hi = t.call(kHelperMovmsk, {t.env_ptr(), t.cst(ymm_lane(in.rm, 1)), t.cst(kind)});
        m = bin(t, Opcode::or_, m, binc(t, Opcode::shl, hi, kind == 1 ? 4 : 2));
      }
      t.set_reg(in, in.reg, 4, m);
      return;
    }
    case kVmaskmovLoad:
      masked_move(t, in, false);
      return;
    case kVmaskmovStore:
      masked_move(t, in, true);
      return;
    default:
      t.gen_exception(kExcpUD, in.pc);
      return;
  }
}

// Operations of kHelperAvx: the memory operand is loaded into xmm_tmp first (vcvtps2ph to
// memory: stored from it after).
void tr_avx_helper(Translator &t, const Insn &in) {
  const unsigned op = in.def->arg;
  const bool l = in.vex_l && !(in.def->flags & kVexLig);
  unsigned ms = l ? 32 : 16;
  if (op == kVcmpss) ms = 4;
  if (op == kVcmpsd) ms = 8;
  if (op == kVcvtph2ps) ms = l ? 16 : 8;
  const uint64_t ctl = op | (l ? 0x100u : 0u) | (in.vex_w ? 0x200u : 0u);
  if (op == kVcvtps2ph) {
    const uint64_t d = in.is_mem() ? kAvxMem : in.rm;
    t.call(kHelperAvxFp,
           {t.env_ptr(), t.cst(ctl), t.cst(d), t.cst(0), t.cst(in.reg), t.cst(in.imm & 0xff)});
    if (in.is_mem()) {
      TempId a = t.ea(in);
      if (l) t.store(binc(t, Opcode::add, a, 8), 8, ld(t, kTmp + 8));
      t.store(a, 8, ld(t, kTmp));
    }
    return;
  }
  if (in.is_mem()) {
    TempId a = t.ea(in);
    if (ms < 8) {
      st(t, kTmp, t.load(a, ms), jit::kMo32);
    } else {
      for (unsigned i = 0; i < ms; i += 8)
        st(t, kTmp + i, t.load(i ? binc(t, Opcode::add, a, i) : a, 8));
    }
  }
  const uint64_t s = in.is_mem() ? kAvxMem : in.rm;
  t.call(avx_helper(op), {t.env_ptr(), t.cst(ctl), t.cst(in.reg), t.cst(in.vex_vvvv), t.cst(s),
                          t.cst(in.imm & 0xff)});
}

// FMA3: arg = form (0: 132, 1: 213, 2: 231) << 4 | the opcode's low nibble.
void tr_avx_fma(Translator &t, const Insn &in) {
  const unsigned lo = in.def->arg & 15;
  const bool scalar = lo >= 8 && (lo & 1);
  const bool l = in.vex_l && !scalar;
  const unsigned ms = scalar ? (in.vex_w ? 8 : 4) : (l ? 32 : 16);
  if (in.is_mem()) {
    TempId a = t.ea(in);
    if (ms == 4) {
      st(t, kTmp, t.load(a, 4), jit::kMo32);
    } else {
      for (unsigned i = 0; i < ms; i += 8)
        st(t, kTmp + i, t.load(i ? binc(t, Opcode::add, a, i) : a, 8));
    }
  }
  const uint64_t ctl = kVfma | (l ? 0x100u : 0u) | (in.vex_w ? 0x200u : 0u);
  const uint64_t s = in.is_mem() ? kAvxMem : in.rm;
  t.call(kHelperAvxFp, {t.env_ptr(), t.cst(ctl), t.cst(in.reg), t.cst(in.vex_vvvv), t.cst(s),
                        t.cst(in.def->arg)});
}

// vgatherdps/dpd/qps/qpd, vpgatherdd/dq/qd/qq: opcode bit 0: qword indices; W: qword elements.
// Each element whose mask sign is set is loaded and its mask element cleared, in order, so a
// fault leaves the completed elements done and their mask bits clear; at the end the whole
// mask register is zero and the destination's elements beyond the gathered ones are zero.
void tr_avx_gather(Translator &t, const Insn &in) {
  const bool qidx = in.opc & 1, qel = in.vex_w;
  const unsigned dst = in.reg, mask = in.vex_vvvv, idx = in.vsib_index;
  if (idx == 0xff || dst == mask || dst == idx || mask == idx) {
    t.gen_exception(kExcpUD, in.pc);
    return;
  }
  const unsigned es = qel ? 8 : 4, is = qidx ? 8 : 4;
  const unsigned n = (in.vex_l ? 32 : 16) / (es > is ? es : is);
  const uint32_t emo = qel ? jit::kMo64 : jit::kMo32;
  auto elem_off = [](unsigned reg, unsigned byte) { return ymm_lane(reg, byte >= 16) + byte % 16; };
  Insn base = in;
  base.index = -1;
  for (unsigned i = 0; i < n; i++) {
    jit::LabelId skip = t.b.label();
    const int64_t moff = elem_off(mask, i * es);
    t.b.brcond(Type::i64, Cond::ge, ld(t, moff, emo | jit::kMoSign), t.cst(0), skip);
    TempId ix = ld(t, elem_off(idx, i * is), qidx ? jit::kMo64 : (jit::kMo32 | jit::kMoSign));
    if (in.scale) ix = binc(t, Opcode::shl, ix, in.scale);
    TempId a = bin(t, Opcode::add, t.ea(base), ix);
    if (in.addr32) a = t.zext(4, a);
    st(t, elem_off(dst, i * es), t.load(a, es), emo);
    st(t, moff, t.cst(0), emo);
    t.b.set_label(skip);
    t.forget_ea();
  }
  // The elements past the last gathered one (the qword-index dword forms: the upper half).
  for (unsigned byte = n * es; byte < 32; byte += 8) st(t, elem_off(dst, byte), t.cst(0));
  for (unsigned byte = 0; byte < 32; byte += 8) st(t, elem_off(mask, byte), t.cst(0));
}

}  // namespace qemu::x86
