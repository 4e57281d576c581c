// MMX: the eight 64-bit registers are the x87 registers' significands (physical order); every
// MMX instruction empties nothing but makes the x87 stack top 0 and all tags valid, a write
// sets the register's exponent word to all ones; emms empties the tags. Operations go through
// the SSE helper on the low halves (mmx_op in sse_helpers.cc).
#include "target/x86/sse.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Opcode;
using jit::Type;

namespace {

constexpr int64_t mmoff(unsigned i) {
  return static_cast<int64_t>(offsetof(CpuX86, fpregs) + sizeof(CpuX86::FpReg) * (i & 7));
}
constexpr int64_t kTmp = offsetof(CpuX86, xmm_tmp);

void mmx_enter(Translator &t) {
  t.b.st_env(Type::i64, t.cst(0), offsetof(CpuX86, fpstt), jit::kMo32);
  t.b.st_env(Type::i64, t.cst(0), offsetof(CpuX86, fptags), jit::kMo64);
}

void mmx_write(Translator &t, unsigned i, TempId v) {
  t.b.st_env(Type::i64, v, mmoff(i), jit::kMo64);
  t.b.st_env(Type::i64, t.cst(0xffff), mmoff(i) + 8, jit::kMo16);
}

TempId mmx_read(Translator &t, unsigned i) {
  TempId v = t.tmp();
  t.b.ld_env(Type::i64, v, mmoff(i), jit::kMo64);
  return v;
}

}  // namespace

void tr_mmx(Translator &t, const Insn &in) {
  const unsigned op = in.def->arg;
  int64_t d, s;
  unsigned dreg;
  if (in.def->o[0] == Opnd::N) {  // shifts by an immediate
    dreg = in.rm & 7;
    d = s = mmoff(dreg);
  } else {
    dreg = in.reg & 7;
    d = mmoff(dreg);
    if (in.is_mem()) {
      t.b.st_env(Type::i64, t.load(t.ea(in), 8), kTmp, jit::kMo64);
      s = kTmp;
    } else {
      s = mmoff(in.rm);
    }
  }
  const uint64_t imm = in.def->o[1] == Opnd::Ib || in.def->o[2] == Opnd::Ib ? in.imm & 0xff : 0;
  mmx_enter(t);
  t.call(kHelperMmx, {t.env_ptr(), t.cst(op), t.cst(d), t.cst(s), t.cst(imm)});
  t.b.st_env(Type::i64, t.cst(0xffff), d + 8, jit::kMo16);
}

void tr_mmx_mov(Translator &t, const Insn &in) {
  switch (in.def->arg) {
    case 0: {  // movd/movq mm, r/m32/64
      TempId v = t.get(in, Opnd::Ey);
      mmx_enter(t);
      mmx_write(t, in.reg, t.zext(in.rex_w() ? 8 : 4, v));
      return;
    }
    case 1: {  // movd/movq r/m32/64, mm
      TempId v = mmx_read(t, in.reg);
      t.put(in, Opnd::Ey, v);
      mmx_enter(t);
      return;
    }
    case 2: {  // movq mm, mm/m64
      TempId v = in.is_mem() ? t.load(t.ea(in), 8) : mmx_read(t, in.rm);
      mmx_enter(t);
      mmx_write(t, in.reg, v);
      return;
    }
    case 3: {  // movq mm/m64, mm (and movntq)
      TempId v = mmx_read(t, in.reg);
      if (in.is_mem()) {
        t.store(t.ea(in), 8, v);
        mmx_enter(t);
      } else {
        mmx_enter(t);
        mmx_write(t, in.rm, v);
      }
      return;
    }
    case 4: {  // movq2dq xmm, mm
      TempId v = mmx_read(t, in.rm);
      mmx_enter(t);
      const int64_t x = static_cast<int64_t>(offsetof(CpuX86, xmm) + 16 * in.reg);
      t.b.st_env(Type::i64, v, x, jit::kMo64);
      t.b.st_env(Type::i64, t.cst(0), x + 8, jit::kMo64);
      return;
    }
    default: {  // movdq2q mm, xmm
      TempId v = t.tmp();
      t.b.ld_env(Type::i64, v, static_cast<int64_t>(offsetof(CpuX86, xmm) + 16 * in.rm),
                 jit::kMo64);
      mmx_enter(t);
      mmx_write(t, in.reg, v);
      return;
    }
  }
}

void tr_emms(Translator &t, const Insn &) {
  t.b.st_env(Type::i64, t.cst(0x0101010101010101ull), offsetof(CpuX86, fptags), jit::kMo64);
}

void tr_mmx_movmsk(Translator &t, const Insn &in) {
  mmx_enter(t);
  TempId m = mmx_read(t, in.rm);
  t.b.st_env(Type::i64, m, kTmp, jit::kMo64);
  t.b.st_env(Type::i64, t.cst(0), kTmp + 8, jit::kMo64);
  t.set_reg(in, in.reg, 4, t.call(kHelperMovmsk, {t.env_ptr(), t.cst(kTmp), t.cst(0)}));
}

void tr_mmx_pextrw(Translator &t, const Insn &in) {
  mmx_enter(t);
  TempId v = t.tmp();
  t.b.ld_env(Type::i64, v, mmoff(in.rm) + 2 * (in.imm & 3), jit::kMo16);
  t.set_reg(in, in.reg, 4, v);
}

void tr_mmx_pinsrw(Translator &t, const Insn &in) {
  TempId x = in.is_mem() ? t.load(t.ea(in), 2) : t.get_reg(in, in.rm, 2);
  mmx_enter(t);
  t.b.st_env(Type::i64, x, mmoff(in.reg) + 2 * (in.imm & 3), jit::kMo16);
  t.b.st_env(Type::i64, t.cst(0xffff), mmoff(in.reg) + 8, jit::kMo16);
}

// maskmovq: the bytes of mm (reg) whose byte in the mask (rm) has its top bit set go to
// [rdi]; the others keep memory's value (read and written back, as for maskmovdqu).
void tr_mmx_maskmovq(Translator &t, const Insn &in) {
  TempId di = in.addr32 ? t.zext(4, t.reg[RDI]) : t.reg[RDI];
  TempId a = t.seg_addr(in, di);
  TempId old = t.load(a, 8);
  mmx_enter(t);
  TempId top = t.binop(Opcode::and_, mmx_read(t, in.rm), t.cst(0x8080808080808080ull));
  // Each selected byte's top bit moved to its bit 0, times 0xff: 0xff in exactly those bytes.
  TempId bm = t.binop(Opcode::mul, t.binop(Opcode::shr, top, t.cst(7)), t.cst(0xff));
  TempId keep = t.binop(Opcode::and_, old, t.binop(Opcode::xor_, bm, t.cst(~0ull)));
  TempId put = t.binop(Opcode::and_, mmx_read(t, in.reg), bm);
  t.store(a, 8, t.binop(Opcode::or_, keep, put));
}

}  // namespace qemu::x86

namespace qemu::x86 {

// cvtpi2ps/cvtpi2pd (xmm <- mm/m64), cvt(t)ps2pi/cvt(t)pd2pi (mm <- xmm/m64/m128).
void tr_mmx_cvt(Translator &t, const Insn &in) {
  const unsigned op = in.def->arg;
  const bool to_mm = op != kCvtpi2ps && op != kCvtpi2pd;
  const int64_t xmm_reg =
      static_cast<int64_t>(offsetof(CpuX86, xmm) + 16 * (to_mm ? in.rm : in.reg));
  int64_t d, s;
  if (in.is_mem()) {
    TempId a = t.ea(in);
    t.b.st_env(Type::i64, t.load(a, 8), kTmp, jit::kMo64);
    if (op == kCvtpd2pi || op == kCvttpd2pi) {
      t.b.st_env(Type::i64, t.load(t.binop(Opcode::add, a, t.cst(8)), 8), kTmp + 8, jit::kMo64);
    }
    s = kTmp;
  } else {
    s = to_mm ? xmm_reg : mmoff(in.rm);
  }
  d = to_mm ? mmoff(in.reg) : xmm_reg;
  // (The x87 state changes after the helper: an #XM leaves it as it was.)
  t.call(sse_helper(op), {t.env_ptr(), t.cst(op), t.cst(d), t.cst(s), t.cst(0)});
  if (to_mm || !in.is_mem()) mmx_enter(t);
  if (to_mm) t.b.st_env(Type::i64, t.cst(0xffff), d + 8, jit::kMo16);
}

}  // namespace qemu::x86
