// SSE/SSE2: moves in IR (64-bit lanes of the xmm registers in the CPU state), arithmetic through
// the SSE helper, conversions, comparisons into EFLAGS, MXCSR, fxsave/fxrstor.
#include "jit/exec/exits.h"
#include "target/x86/helpers.h"
#include "target/x86/sse.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Cond;
using jit::Opcode;
using jit::Type;

namespace {

constexpr int64_t xoff(unsigned n) {
  return static_cast<int64_t>(offsetof(CpuX86, xmm) + 16 * n);
}
constexpr int64_t kTmp = offsetof(CpuX86, xmm_tmp);

TempId ld_lane(Translator &t, int64_t off, uint32_t mo = jit::kMo64) {
  TempId v = t.tmp();
  t.b.ld_env(Type::i64, v, off, mo);
  return v;
}
void st_lane(Translator &t, int64_t off, TempId v, uint32_t mo = jit::kMo64) {
  t.b.st_env(Type::i64, v, off, mo);
}

}  // namespace

unsigned sse_mem_size(unsigned op) {
  switch (op) {
    case kAddss:
    case kSubss:
    case kMulss:
    case kDivss:
    case kMinss:
    case kMaxss:
    case kSqrtss:
    case kRsqrtss:
    case kRcpss:
    case kCmpss:
    case kCvtss2sd:
    case kMovss:
    case kRoundss:
    case kInsertps:
    case kPmovsxbd:
    case kPmovzxbd:
    case kPmovsxwq:
    case kPmovzxwq:
      return 4;
    case kPmovsxbq:
    case kPmovzxbq:
      return 2;
    case kAddsd:
    case kSubsd:
    case kMulsd:
    case kDivsd:
    case kMinsd:
    case kMaxsd:
    case kSqrtsd:
    case kCmpsd:
    case kCvtsd2ss:
    case kCvtps2pd:
    case kCvtdq2pd:
    case kMovsd:
    case kMovlps:
    case kMovhps:
    case kMovq:
    case kMovddup:
    case kRoundsd:
    case kPmovsxbw:
    case kPmovzxbw:
    case kPmovsxwd:
    case kPmovzxwd:
    case kPmovsxdq:
    case kPmovzxdq:
      return 8;
    default:
      return 16;
  }
}

namespace {

unsigned mem_size(unsigned op) {
  return sse_mem_size(op);
}

// The offset of the W operand's data: its register, or xmm_tmp loaded from memory.
// Legacy SSE: a 16-byte memory operand must be 16-byte aligned, else #GP (SIGSEGV), except for
// the unaligned moves (movups, movupd, movdqu, lddqu) and pcmpXstrX. The branch ends the
// cached address's life: it is computed again after.
void check_align16(Translator &t, const Insn &in) {
  jit::LabelId ok = t.b.label();
  t.b.brcond(Type::i64, Cond::eq, t.binop(Opcode::and_, t.ea(in), t.cst(15)), t.cst(0), ok);
  t.gen_exception_at_label(kExcpGP, in.pc);
  t.b.set_label(ok);
  t.forget_ea();
}

int64_t src_off(Translator &t, const Insn &in, unsigned size) {
  if (!in.is_mem()) return xoff(in.rm);
  TempId a = t.ea(in);
  if (size == 4) {
    st_lane(t, kTmp, t.load(a, 4), jit::kMo32);
  } else if (size == 2) {
    st_lane(t, kTmp, t.load(a, 2), jit::kMo16);
  } else {
    st_lane(t, kTmp, t.load(a, 8));
    if (size == 16) st_lane(t, kTmp + 8, t.load(t.binop(Opcode::add, a, t.cst(8)), 8));
  }
  return kTmp;
}

}  // namespace

int64_t sse_src16(Translator &t, const Insn &in, bool aligned) {
  if (aligned && in.is_mem()) check_align16(t, in);
  return src_off(t, in, 16);
}

// Bitwise logic and element-wise adds and subtracts (wrapping) as IR on the two 64-bit lanes (no
// helper call); false for the other operations.
bool ir_lane_op(Translator &t, unsigned op, int64_t d, int64_t s) {
  enum { kBin, kAndn, kAddElems, kSubElems } form = kBin;
  Opcode o = Opcode::add;
  switch (op) {
    case kPand:
    case kAndps:
      o = Opcode::and_;
      break;
    case kPor:
    case kOrps:
      o = Opcode::or_;
      break;
    case kPxor:
    case kXorps:
      o = Opcode::xor_;
      break;
    case kPandn:
    case kAndnps:
      form = kAndn;
      break;
    case kPaddq:
      break;
    case kPsubq:
      o = Opcode::sub;
      break;
    case kPaddb:
    case kPaddw:
    case kPaddd:
      form = kAddElems;
      break;
    case kPsubb:
    case kPsubw:
    case kPsubd:
      form = kSubElems;
      break;
    default:
      return false;
  }
  // x ^ x, x & ~x and x - x with one register: zero (the zeroing idiom), without reading it.
  if (d == s &&
      ((form == kBin && o == Opcode::xor_) || form == kAndn || form == kSubElems || op == kPsubq)) {
    st_lane(t, d, t.cst(0));
    st_lane(t, d + 8, t.cst(0));
    return true;
  }
  // The top bit of each element, and the rest.
  const uint64_t kHi = op == kPaddb || op == kPsubb   ? 0x8080808080808080ull
                       : op == kPaddw || op == kPsubw ? 0x8000800080008000ull
                                                      : 0x8000000080000000ull;
  for (int64_t lane = 0; lane < 16; lane += 8) {
    TempId a = ld_lane(t, d + lane);
    TempId b = ld_lane(t, s + lane);
    TempId r;
    switch (form) {
      case kBin:
        r = t.binop(o, a, b);
        break;
      case kAndn:
        r = t.binop(Opcode::andc, b, a);
        break;
      case kAddElems: {  // carries stop at the element boundaries
        TempId lo = t.binop(Opcode::add, t.binop(Opcode::and_, a, t.cst(~kHi)),
                            t.binop(Opcode::and_, b, t.cst(~kHi)));
        r = t.binop(Opcode::xor_, lo,
                    t.binop(Opcode::and_, t.binop(Opcode::xor_, a, b), t.cst(kHi)));
        break;
      }
      case kSubElems: {  // borrows stop at the element boundaries
        TempId lo = t.binop(Opcode::sub, t.binop(Opcode::or_, a, t.cst(kHi)),
                            t.binop(Opcode::and_, b, t.cst(~kHi)));
        TempId top =
            t.binop(Opcode::and_, t.binop(Opcode::xor_, a, t.unop(Opcode::not_, b)), t.cst(kHi));
        r = t.binop(Opcode::xor_, lo, top);
        break;
      }
    }
    st_lane(t, d + lane, r);
  }
  return true;
}

// Arithmetic, logic, shuffles and conversions between xmm registers: V op= W (or U for the
// shifts by an immediate).
void tr_sse(Translator &t, const Insn &in) {
  const unsigned op = in.def->arg;
  const Opnd *o = in.def->o;
  int64_t d, s;
  if (o[0] == Opnd::U) {
    d = s = xoff(in.rm);
  } else {
    d = xoff(in.reg);
    if (in.is_mem() && mem_size(op) == 16) check_align16(t, in);
    s = src_off(t, in, mem_size(op));
  }
  uint64_t imm = (o[1] == Opnd::Ib || o[2] == Opnd::Ib) ? in.imm & 0xff : 0;
  if (op == kInsertps && in.is_mem()) imm |= 0x100;
  if (ir_lane_op(t, op, d, s) || sse_lanes_ir(t, op, d, s, static_cast<unsigned>(imm))) return;
  if (op == kAddsd || op == kSubsd || op == kMulsd || op == kDivsd) {
    const uint64_t kind = op == kAddsd ? 0 : op == kSubsd ? 1 : op == kMulsd ? 2 : 3;
    t.call_void(kHelperSseSd, {t.env_ptr(), t.cst(kind), t.cst(d), t.cst(s)});
    return;
  }
  TempId r = t.call(sse_helper(op), {t.env_ptr(), t.cst(op), t.cst(d), t.cst(s), t.cst(imm)});
  if (op == kPtest) t.set_flags(r);
}

// pextrb/w/d/q, extractps: arg = log2 of the element size (3: d or q by REX.W).
void tr_sse_extract(Translator &t, const Insn &in) {
  unsigned lg = in.def->arg;
  if (lg == 3) lg = in.rex_w() ? 3 : 2;
  const unsigned size = 1u << lg;
  const int64_t off = xoff(in.reg) + size * (in.imm & (16 / size - 1));
  static constexpr uint32_t kMo[] = {jit::kMo8, jit::kMo16, jit::kMo32, jit::kMo64};
  TempId v = ld_lane(t, off, kMo[lg]);
  if (in.is_mem()) {
    t.store(t.ea(in), size, v);
  } else {
    t.set_reg(in, in.rm, size == 8 ? 8 : 4, v);
  }
}

// pinsrb/d/q: arg as tr_sse_extract.
void tr_sse_insert(Translator &t, const Insn &in) {
  unsigned lg = in.def->arg;
  if (lg == 3) lg = in.rex_w() ? 3 : 2;
  const unsigned size = 1u << lg;
  const int64_t off = xoff(in.reg) + size * (in.imm & (16 / size - 1));
  static constexpr uint32_t kMo[] = {jit::kMo8, jit::kMo16, jit::kMo32, jit::kMo64};
  TempId v = in.is_mem() ? t.load(t.ea(in), size) : t.get_reg(in, in.rm, size == 8 ? 8 : 4);
  st_lane(t, off, v, kMo[lg]);
}

// Moves. arg: the kind below.
enum SseMove {
  kLoad128,
  kStore128,
  kLoadScalar,
  kStoreScalar,
  kLoadLow,
  kStoreLow,
  kLoadHigh,
  kStoreHigh,
  kMovdToX,
  kMovdFromX,
  kMovqLoad,
  kMovqStore
};

void tr_sse_mov(Translator &t, const Insn &in) {
  const unsigned kind = in.def->arg;
  const int64_t v = xoff(in.reg);
  // Scalar size for movss/movsd (F3: 4, F2: 8).
  const unsigned ss = in.rep == 0xf3 ? 4 : 8;
  if ((kind == kLoad128 || kind == kStore128) && in.is_mem()) {
    // movaps/movapd (28, 29), movntps/movntpd (2B), movntdq (E7), movntdqa (0F 38 2A) and
    // movdqa (66 6F, 66 7F) want alignment; movups/movupd (10, 11), lddqu (F0) and movdqu
    // (F3 6F, F3 7F) do not.
    const bool unaligned = in.opc == 0x10 || in.opc == 0x11 || in.opc == 0xf0 ||
                           ((in.opc == 0x6f || in.opc == 0x7f) && in.rep == 0xf3);
    if (!unaligned) check_align16(t, in);
  }
  switch (kind) {
    case kLoad128:
      if (in.is_mem()) {
        TempId a = t.ea(in);
        TempId lo = t.load(a, 8), hi = t.load(t.binop(Opcode::add, a, t.cst(8)), 8);
        st_lane(t, v, lo);
        st_lane(t, v + 8, hi);
      } else {
        TempId lo = ld_lane(t, xoff(in.rm)), hi = ld_lane(t, xoff(in.rm) + 8);
        st_lane(t, v, lo);
        st_lane(t, v + 8, hi);
      }
      return;
    case kStore128:
      if (in.is_mem()) {
        // The high half first: a store running into an unwritable page changes nothing.
        TempId a = t.ea(in);
        t.store(t.binop(Opcode::add, a, t.cst(8)), 8, ld_lane(t, v + 8));
        t.store(a, 8, ld_lane(t, v));
      } else {
        TempId lo = ld_lane(t, v), hi = ld_lane(t, v + 8);
        st_lane(t, xoff(in.rm), lo);
        st_lane(t, xoff(in.rm) + 8, hi);
      }
      return;
    case kLoadScalar:
      if (in.is_mem()) {
        TempId x = t.load(t.ea(in), ss);
        st_lane(t, v, x);
        st_lane(t, v + 8, t.cst(0));
      } else {
        const uint32_t mo = ss == 4 ? jit::kMo32 : jit::kMo64;
        st_lane(t, v, ld_lane(t, xoff(in.rm), mo), mo);
      }
      return;
    case kStoreScalar: {
      const uint32_t mo = ss == 4 ? jit::kMo32 : jit::kMo64;
      if (in.is_mem()) {
        t.store(t.ea(in), ss, ld_lane(t, v, mo));
      } else {
        st_lane(t, xoff(in.rm), ld_lane(t, v, mo), mo);
      }
      return;
    }
    case kLoadLow:  // movlps/movlpd m64; movhlps (register form)
      st_lane(t, v, in.is_mem() ? t.load(t.ea(in), 8) : ld_lane(t, xoff(in.rm) + 8));
      return;
    case kStoreLow:
      t.store(t.ea(in), 8, ld_lane(t, v));
      return;
    case kLoadHigh:  // movhps/movhpd m64; movlhps (register form)
      st_lane(t, v + 8, in.is_mem() ? t.load(t.ea(in), 8) : ld_lane(t, xoff(in.rm)));
      return;
    case kStoreHigh:
      t.store(t.ea(in), 8, ld_lane(t, v + 8));
      return;
    case kMovdToX: {
      const unsigned size = in.rex_w() ? 8 : 4;
      TempId x = t.get(in, Opnd::Ey);
      st_lane(t, v, t.zext(size, x));
      st_lane(t, v + 8, t.cst(0));
      return;
    }
    case kMovdFromX: {
      const unsigned size = in.rex_w() ? 8 : 4;
      t.put(in, Opnd::Ey, ld_lane(t, v, size == 8 ? jit::kMo64 : jit::kMo32));
      return;
    }
    case kMovqLoad: {  // F3 0F 7E: V = W low 64, upper zero
      TempId x = in.is_mem() ? t.load(t.ea(in), 8) : ld_lane(t, xoff(in.rm));
      st_lane(t, v, x);
      st_lane(t, v + 8, t.cst(0));
      return;
    }
    default: {  // 66 0F D6: W low 64 = V low 64 (a register gets its upper half cleared)
      TempId x = ld_lane(t, v);
      if (in.is_mem()) {
        t.store(t.ea(in), 8, x);
      } else {
        st_lane(t, xoff(in.rm), x);
        st_lane(t, xoff(in.rm) + 8, t.cst(0));
      }
      return;
    }
  }
}

void tr_sse_movmsk(Translator &t, const Insn &in) {
  TempId m = in.def->arg == 0
                 ? pmovmskb_ir(t, xoff(in.rm))
                 : t.call(kHelperMovmsk, {t.env_ptr(), t.cst(xoff(in.rm)), t.cst(in.def->arg)});
  t.set_reg(in, in.reg, 4, m);
}

void tr_sse_comis(Translator &t, const Insn &in) {
  const bool dbl = in.opsize_prefix;
  const int64_t s = src_off(t, in, dbl ? 8 : 4);
  TempId f = t.call(kHelperSseCompare, {t.env_ptr(), t.cst((dbl ? 1 : 0) | in.def->arg << 1),
                                        t.cst(xoff(in.reg)), t.cst(s)});
  t.set_flags(f);
}

void tr_sse_cvtsi2f(Translator &t, const Insn &in) {
  const bool dbl = in.rep == 0xf2;
  const unsigned size = in.rex_w() ? 8 : 4;
  TempId x = t.get(in, Opnd::Ey);
  t.call(kHelperCvtI2F, {t.env_ptr(), t.cst((dbl ? 2 : 0) | (size == 8 ? 1 : 0)), x,
                         t.cst(xoff(in.reg)), t.cst(xoff(in.reg))});
}

void tr_sse_cvtf2si(Translator &t, const Insn &in) {
  const bool dbl = in.rep == 0xf2;
  const unsigned size = in.rex_w() ? 8 : 4;
  const int64_t s = src_off(t, in, dbl ? 8 : 4);
  const uint64_t kind = (dbl ? 1 : 0) | (size == 8 ? 2 : 0) | (in.def->arg ? 4 : 0);
  TempId r = t.call(kHelperCvtF2I, {t.env_ptr(), t.cst(kind), t.cst(s)});
  t.set_reg(in, in.reg, size, r);
}

void tr_sse_pinsrw(Translator &t, const Insn &in) {
  TempId x = in.is_mem() ? t.load(t.ea(in), 2) : t.get_reg(in, in.rm, 2);
  st_lane(t, xoff(in.reg) + 2 * (in.imm & 7), x, jit::kMo16);
}

void tr_sse_pextrw(Translator &t, const Insn &in) {
  t.set_reg(in, in.reg, 4, ld_lane(t, xoff(in.rm) + 2 * (in.imm & 7), jit::kMo16));
}

void tr_mxcsr(Translator &t, const Insn &in) {
  TempId a = t.ea(in);
  if (in.def->arg == 1) {
    t.store(a, 4, ld_lane(t, offsetof(CpuX86, mxcsr), jit::kMo32));
    return;
  }
  TempId v = t.load(a, 4);
  TempId st = t.call(kHelperLdmxcsr, {t.env_ptr(), v});
  jit::LabelId ok = t.b.label();
  t.b.brcond(Type::i64, Cond::eq, st, t.cst(0), ok);
  t.gen_exception_at_label(kExcpGP, in.pc);
  t.b.set_label(ok);
}

void tr_fxsave(Translator &t, const Insn &in) {
  check_align16(t, in);
  TempId a = t.ea(in);
  // Fault first, precisely, when the area is not all there.
  t.load(a, 8);
  t.load(t.binop(Opcode::add, a, t.cst(504)), 8);
  TempId st = t.call(in.def->arg ? kHelperFxrstor : kHelperFxsave, {t.env_ptr(), t.host_addr(a)});
  if (in.def->arg) {  // fxrstor: #GP for a reserved MXCSR bit
    jit::LabelId ok = t.b.label();
    t.b.brcond(Type::i64, Cond::eq, st, t.cst(0), ok);
    t.gen_exception_at_label(kExcpGP, in.pc);
    t.b.set_label(ok);
  }
}

}  // namespace qemu::x86

namespace qemu::x86 {

void tr_sse_pcmpstr(Translator &t, const Insn &in) {
  const bool expl = in.opc <= 0x61, mask = !(in.opc & 1);
  const int64_t s = src_off(t, in, 16);
  const uint64_t ctl =
      (in.imm & 0xff) | (expl ? 0x100u : 0u) | (mask ? 0x200u : 0u) | (in.rex_w() ? 0x400u : 0u);
  TempId r = t.call(kHelperPcmpstr, {t.env_ptr(), t.cst(ctl), t.cst(xoff(in.reg)), t.cst(s),
                                     t.reg[RAX], t.reg[RDX]});
  if (!mask) t.set_reg(in, RCX, 4, t.binop(Opcode::shr, r, t.cst(32)));
  t.set_flags(t.binop(Opcode::and_, r, t.cst(kArithFlags)));
}

}  // namespace qemu::x86

namespace qemu::x86 {

// maskmovdqu: the bytes of V whose mask byte (U) has its top bit set go to [rdi].
void tr_sse_maskmov(Translator &t, const Insn &in) {
  TempId di = in.addr32 ? t.zext(4, t.reg[RDI]) : t.reg[RDI];
  TempId a = t.seg_addr(in, di);
  TempId a8 = t.binop(Opcode::add, a, t.cst(8));
  st_lane(t, kTmp, t.load(a, 8));
  st_lane(t, kTmp + 8, t.load(a8, 8));
  t.call(kHelperSse,
         {t.env_ptr(), t.cst(kMaskmov), t.cst(kTmp), t.cst(xoff(in.rm)), t.cst(in.reg)});
  t.store(a8, 8, ld_lane(t, kTmp + 8));
  t.store(a, 8, ld_lane(t, kTmp));
}

}  // namespace qemu::x86
