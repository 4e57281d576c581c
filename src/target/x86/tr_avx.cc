// AVX/AVX2: the VEX forms of the SSE operations on 128/256-bit registers, and the VEX moves.
// A 256-bit operation in two 128-bit lanes runs the SSE operation (IR or helper) on each lane:
// lane 0 is the xmm register, lane 1 its upper half (CpuX86::ymmh). Three-operand forms copy
// the first source (VEX.vvvv) into the destination and run the two-operand operation there;
// VEX.128 forms zero the destination's upper half. Floating point operations, which may raise
// #XM, compute every lane before the destination changes (kHelperSseVex).
#include "target/x86/avx.h"
#include "target/x86/cpuid.h"
#include "target/x86/defs_avx.h"
#include "target/x86/env_lanes.h"
#include "target/x86/sse.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Cond;
using jit::Opcode;
using jit::Type;

namespace {

constexpr int64_t kTmp = offsetof(CpuX86, xmm_tmp);
constexpr int64_t kScratch = offsetof(CpuX86, avx_scratch);
static_assert(offsetof(CpuX86, xmm_tmp_hi) == offsetof(CpuX86, xmm_tmp) + 16);

// #GP unless the memory operand is aligned to n bytes.
void check_align(Translator &t, const Insn &in, unsigned n) {
  jit::LabelId ok = t.b.label();
  t.b.brcond(Type::i64, Cond::eq, t.binop(Opcode::and_, t.ea(in), t.cst(n - 1)), t.cst(0), ok);
  t.gen_exception_at_label(kExcpGP, in.pc);
  t.b.set_label(ok);
  t.forget_ea();
}

// Loads n bytes (2, 4, 8, 16 or 32) of the memory operand into xmm_tmp.
void load_tmp(Translator &t, const Insn &in, unsigned n) {
  TempId a = t.ea(in);
  if (n < 8) {
    st64(t, kTmp, t.load(a, n), n == 4 ? jit::kMo32 : jit::kMo16);
    return;
  }
  for (unsigned i = 0; i < n; i += 8) {
    st64(t, kTmp + i, t.load(i ? t.binop(Opcode::add, a, t.cst(i)) : a, 8));
  }
}

bool widening(unsigned op) {
  return op == kCvtps2pd || op == kCvtdq2pd || (op >= kPmovsxbw && op <= kPmovzxdq);
}
bool count_shift(unsigned op) {
  return op == kPsrlw || op == kPsraw || op == kPsllw || op == kPsrld || op == kPsrad ||
         op == kPslld || op == kPsrlq || op == kPsllq;
}
bool narrowing(unsigned op) {
  return op == kCvtpd2ps || op == kCvtpd2dq || op == kCvttpd2dq;
}
bool zero_idiom(unsigned op) {
  return op == kPxor || op == kXorps || op == kPandn || op == kAndnps || op == kPsubb ||
         op == kPsubw || op == kPsubd || op == kPsubq;
}

// The immediate of lane 1 of a 256-bit operation.
unsigned lane1_imm(unsigned op, unsigned imm) {
  switch (op) {
    case kBlendps:
      return imm >> 4;
    case kBlendpd:
    case kShufpd:
      return imm >> 2;
    case kMpsadbw:
      return imm >> 3;
    default:
      return imm;
  }
}

// d op= s on one 16-byte lane: IR where the SSE translator has it, else the SSE helper.
void lane_op(Translator &t, unsigned op, int64_t d, int64_t s, unsigned imm) {
  if (ir_lane_op(t, op, d, s) || sse_lanes_ir(t, op, d, s, imm)) return;
  t.call(kHelperSse, {t.env_ptr(), t.cst(op), t.cst(d), t.cst(s), t.cst(imm)});
}

}  // namespace

bool avx_usable(const Insn &in) {
  const CpuidModel &m = cpuid_model();
  const uint32_t f = in.def->flags;
  const bool avx2 = m.leaf7_ebx & (1u << 5);
  if (!(m.leaf1_ecx & (1u << 28))) return false;
  if (!avx2 && ((f & kNeedAvx2) || ((f & kAvx2At256) && in.vex_l))) return false;
  // vbroadcastss/sd from a register are AVX2's on the processors; QEMU 7.2 runs them with AVX
  // alone, and so do we (qemu_x86_64_cpu_insns_vs_qemu72).
  if ((f & kNeedFma) && !(m.leaf1_ecx & (1u << 12))) return false;
  return !(f & kNeedF16c) || (m.leaf1_ecx & (1u << 29));
}

void tr_avx(Translator &t, const Insn &in) {
  const unsigned op = in.def->arg;
  const Opnd *o = in.def->o;
  const bool lig = in.def->flags & kVexLig;
  const unsigned nl = (in.vex_l && !lig) ? 2 : 1;
  unsigned imm = (o[2] == Opnd::Ib || (in.def->flags & kVexImm)) ? in.imm & 0xff : 0;
  if (op == kInsertps && in.is_mem()) imm |= 0x100;
  unsigned dreg, areg = 0;
  bool has_a = false;
  int64_t s_off[2] = {0, 0};
  if (o[0] == Opnd::H) {  // shifts by an immediate: vvvv = rm shifted
    dreg = in.vex_vvvv;
    has_a = true;
    areg = in.rm;
    s_off[0] = ymm_lane(in.rm, 0);
    s_off[1] = ymm_lane(in.rm, 1);
  } else {
    dreg = in.reg;
    has_a = o[1] == Opnd::H;
    areg = in.vex_vvvv;
    unsigned ms = sse_mem_size(op);
    if (nl == 2 && !count_shift(op)) ms = (widening(op) || ms == 16) ? 2 * ms : ms;
    if (op == kMovddup && nl == 2) ms = 32;
    const unsigned step = widening(op) ? ms / 2 : 16;
    for (unsigned k = 0; k < nl; k++) {
      if (in.is_mem()) {
        s_off[k] = kTmp + (count_shift(op) ? 0 : step * k);
      } else if (widening(op)) {
        s_off[k] = ymm_lane(in.rm, 0) + step * k;
      } else {
        s_off[k] = ymm_lane(in.rm, count_shift(op) ? 0 : k);
      }
    }
    if (in.is_mem() && !(has_a && qword_op_ir_has(op))) load_tmp(t, in, ms);
  }
  if (sse_op_fp(op) && nl == 1 && (!has_a || areg == dreg)) {
    // Floating point in place (VEX.128, no other first source): the SSE operation, which
    // writes nothing on #XM, then the upper half zeroed. (addsd..divsd through the helper
    // the x86-64 backend compiles inline.)
    const int64_t d = ymm_lane(dreg, 0);
    if (op >= kAddsd && op <= kDivsd && (op - kAddsd) % 4 == 0) {
      t.call_void(kHelperSseSd, {t.env_ptr(), t.cst((op - kAddsd) / 4), t.cst(d), t.cst(s_off[0])});
    } else {
      t.call(kHelperSseFp, {t.env_ptr(), t.cst(op), t.cst(d), t.cst(s_off[0]), t.cst(imm)});
    }
    zero16(t, ymm_lane(dreg, 1));
    return;
  }
  if (sse_op_fp(op)) {
    // Floating point: one helper computes every lane before writing any (precise #XM).
    const uint64_t ctl = op | uint64_t{imm & 0xff} << 16 | (nl == 2 ? 1u << 24 : 0u) |
                         (narrowing(op) ? 1u << 25 : 0u);
    t.call_void(kHelperSseVex, {t.env_ptr(), t.cst(ctl), t.cst(dreg), t.cst(has_a ? areg : dreg),
                                t.cst(s_off[0]), t.cst(s_off[1])});
    return;
  }
  // x ^ x, x & ~x, x - x: zero.
  if (has_a && o[0] != Opnd::H && !in.is_mem() && areg == in.rm && zero_idiom(op)) {
    for (unsigned k = 0; k < nl; k++) zero16(t, ymm_lane(dreg, k));
    if (nl == 1) zero16(t, ymm_lane(dreg, 1));
    return;
  }
  // Lane-independent operations in IR straight from the sources (the memory operand's qwords
  // loaded into temps, no copy of vvvv first): every source is read before the first store.
  if (has_a && o[0] != Opnd::H && qword_op_ir_has(op)) {
    const unsigned nq = 2 * nl;
    TempId b[4], r[4];
    TempId ea = in.is_mem() ? t.ea(in) : 0;
    for (unsigned q = 0; q < nq; q++) {
      b[q] = in.is_mem() ? t.load(q ? t.binop(Opcode::add, ea, t.cst(8 * q)) : ea, 8)
                         : ld64(t, ymm_lane(in.rm, q / 2) + 8 * (q & 1));
    }
    for (unsigned q = 0; q < nq; q++) {
      r[q] = qword_op_ir(t, op, ld64(t, ymm_lane(areg, q / 2) + 8 * (q & 1)), b[q]);
    }
    for (unsigned q = 0; q < nq; q++) st64(t, ymm_lane(dreg, q / 2) + 8 * (q & 1), r[q]);
    if (nl == 1) zero16(t, ymm_lane(dreg, 1));
    return;
  }
  // Lane 1 first: its result lands in the upper half, which no lane-0 source reads.
  for (unsigned k = nl; k-- > 0;) {
    const int64_t d = ymm_lane(dreg, k);
    int64_t s = s_off[k];
    if (has_a) {
      const int64_t a = ymm_lane(areg, k);
      if (a != d) {
        if (s == d) {
          copy16(t, kScratch, s);
          s = kScratch;
        }
        copy16(t, d, a);
      }
    }
    lane_op(t, op, d, s, k ? lane1_imm(op, imm) : imm);
  }
  if (nl == 1) zero16(t, ymm_lane(dreg, 1));
}

void tr_avx_mov(Translator &t, const Insn &in) {
  using namespace avx_defs;
  const unsigned kind = in.def->arg & 0xff;
  const unsigned n = in.vex_l ? 32 : 16;
  const unsigned v = in.reg;
  const unsigned ss = in.rep == 0xf3 ? 4 : 8;
  const uint32_t smo = ss == 4 ? jit::kMo32 : jit::kMo64;
  if ((in.def->arg & kVAligned) && in.is_mem()) check_align(t, in, n);
  switch (kind) {
    case kVLoad:
      if (in.is_mem()) {
        // Every part read before the register changes.
        TempId a = t.ea(in), x[4];
        for (unsigned i = 0; i < n / 8; i++) {
          x[i] = t.load(i ? t.binop(Opcode::add, a, t.cst(8 * i)) : a, 8);
        }
        for (unsigned i = 0; i < n / 8; i++) st64(t, ymm_lane(v, i / 2) + 8 * (i & 1), x[i]);
        if (n == 16) zero16(t, ymm_lane(v, 1));
      } else if (in.rm != v || n == 16) {
        copy16(t, ymm_lane(v, 0), ymm_lane(in.rm, 0));
        if (n == 32) {
          copy16(t, ymm_lane(v, 1), ymm_lane(in.rm, 1));
        } else {
          zero16(t, ymm_lane(v, 1));
        }
      }
      return;
    case kVStore:
      if (in.is_mem()) {
        // Every load first: the stores then cannot fault halfway... except on the page
        // boundary, where the highest part goes first (a store into an unwritable page
        // changes nothing).
        TempId a = t.ea(in);
        TempId x[4];
        for (unsigned i = 0; i < n / 8; i++) x[i] = ld64(t, ymm_lane(v, i / 2) + 8 * (i & 1));
        for (unsigned i = n / 8; i-- > 0;) {
          t.store(i ? t.binop(Opcode::add, a, t.cst(8 * i)) : a, 8, x[i]);
        }
      } else {
        copy16(t, ymm_lane(in.rm, 0), ymm_lane(v, 0));
        if (n == 32) {
          copy16(t, ymm_lane(in.rm, 1), ymm_lane(v, 1));
        } else {
          zero16(t, ymm_lane(in.rm, 1));
        }
      }
      return;
    case kVLoadScalar:
      st64(t, ymm_lane(v, 0), t.load(t.ea(in), ss));
      st64(t, ymm_lane(v, 0) + 8, t.cst(0));
      zero16(t, ymm_lane(v, 1));
      return;
    case kVMovsReg:
    case kVStoreScalar: {
      if (in.is_mem()) {
        t.store(t.ea(in), ss, ld64(t, ymm_lane(v, 0), smo));
        return;
      }
      // Register forms: dst = (low element of src, the rest of vvvv).
      const unsigned dst = kind == kVMovsReg ? v : in.rm;
      const unsigned src = kind == kVMovsReg ? in.rm : v;
      TempId e = ld64(t, ymm_lane(src, 0), smo);
      TempId lo = ld64(t, ymm_lane(in.vex_vvvv, 0)), hi = ld64(t, ymm_lane(in.vex_vvvv, 0) + 8);
      if (ss == 4) {
        lo = t.binop(Opcode::or_, t.binop(Opcode::and_, lo, t.cst(~0xffffffffull)), e);
      } else {
        lo = e;
      }
      st64(t, ymm_lane(dst, 0), lo);
      st64(t, ymm_lane(dst, 0) + 8, hi);
      zero16(t, ymm_lane(dst, 1));
      return;
    }
    case kVLoadLow:
    case kVLoadHigh: {
      // vmovlps/vmovlpd/vmovhps/vmovhpd m64 with the other half from vvvv; register forms:
      // vmovhlps (low = rm's high) and vmovlhps (high = rm's low).
      const bool low = kind == kVLoadLow;
      TempId x = in.is_mem() ? t.load(t.ea(in), 8) : ld64(t, ymm_lane(in.rm, 0) + (low ? 8 : 0));
      TempId keep = ld64(t, ymm_lane(in.vex_vvvv, 0) + (low ? 8 : 0));
      st64(t, ymm_lane(v, 0) + (low ? 0 : 8), x);
      st64(t, ymm_lane(v, 0) + (low ? 8 : 0), keep);
      zero16(t, ymm_lane(v, 1));
      return;
    }
    case kVStoreLow:
    case kVStoreHigh:
      t.store(t.ea(in), 8, ld64(t, ymm_lane(v, 0) + (kind == kVStoreHigh ? 8 : 0)));
      return;
    case kVMovdToX: {
      const unsigned size = in.rex_w() ? 8 : 4;
      TempId x = t.get(in, Opnd::Ey);
      st64(t, ymm_lane(v, 0), t.zext(size, x));
      st64(t, ymm_lane(v, 0) + 8, t.cst(0));
      zero16(t, ymm_lane(v, 1));
      return;
    }
    case kVMovdFromX:
      t.put(in, Opnd::Ey, ld64(t, ymm_lane(v, 0), in.rex_w() ? jit::kMo64 : jit::kMo32));
      return;
    case kVMovqLoad: {
      TempId x = in.is_mem() ? t.load(t.ea(in), 8) : ld64(t, ymm_lane(in.rm, 0));
      st64(t, ymm_lane(v, 0), x);
      st64(t, ymm_lane(v, 0) + 8, t.cst(0));
      zero16(t, ymm_lane(v, 1));
      return;
    }
    default: {  // kVMovqStore
      TempId x = ld64(t, ymm_lane(v, 0));
      if (in.is_mem()) {
        t.store(t.ea(in), 8, x);
      } else {
        st64(t, ymm_lane(in.rm, 0), x);
        st64(t, ymm_lane(in.rm, 0) + 8, t.cst(0));
        zero16(t, ymm_lane(in.rm, 1));
      }
      return;
    }
  }
}

namespace {

// Runs a legacy two-operand handler as the three-operand VEX form V = H op E: the handler
// updates V in place after H is copied there (through the scratch register when E is V).
void as_nds(Translator &t, const Insn &in, Handler fn, bool e_is_xmm) {
  const unsigned v = in.reg, h = in.vex_vvvv;
  if (v == h) {
    fn(t, in);
  } else if (e_is_xmm && !in.is_mem() && in.rm == v) {
    // The source is the destination: compute into the scratch register.
    constexpr unsigned kScratchReg = (offsetof(CpuX86, avx_scratch) - offsetof(CpuX86, xmm)) / 16;
    static_assert((offsetof(CpuX86, avx_scratch) - offsetof(CpuX86, xmm)) % 16 == 0);
    copy16(t, kScratch, ymm_lane(h, 0));
    Insn copy = in;
    copy.reg = kScratchReg;
    fn(t, copy);
    copy16(t, ymm_lane(v, 0), kScratch);
  } else {
    copy16(t, ymm_lane(v, 0), ymm_lane(h, 0));
    fn(t, in);
  }
  zero16(t, ymm_lane(v, 1));
}

}  // namespace

void tr_avx_insert(Translator &t, const Insn &in) {
  as_nds(t, in, tr_sse_insert, false);
}

// vcvtsi2ss/sd: V = H with the low element converted (computed aside: precise #XM).
void tr_avx_cvtsi2f(Translator &t, const Insn &in) {
  const bool dbl = in.rep == 0xf2;
  const unsigned size = in.rex_w() ? 8 : 4;
  TempId x = t.get(in, Opnd::Ey);
  t.call(kHelperCvtI2F, {t.env_ptr(), t.cst((dbl ? 2 : 0) | (size == 8 ? 1 : 0)), x,
                         t.cst(ymm_lane(in.reg, 0)), t.cst(ymm_lane(in.vex_vvvv, 0))});
  zero16(t, ymm_lane(in.reg, 1));
}

void tr_avx_legacy(Translator &t, const Insn &in) {
  if (in.def->arg == 0) {
    tr_sse_maskmov(t, in);
    return;
  }
  tr_sse_pcmpstr(t, in);
  if (!(in.opc & 1)) zero16(t, ymm_lane(0, 1));  // the mask forms write xmm0
}

}  // namespace qemu::x86
