// Double-width results: mulu2/muls2 (rdx:rax) and add2/sub2 (carry through adc/sbb).
#include "jit/backend/x64/emitter.h"

namespace qemu::jit::x64 {

void Emitter::emit_mul2(const Op &op) {
  const Type t = op.type;
  if (op.dead_arg(1) && !op.sync_out(1)) {
    // Only the low half is used: the same for both signs, a two-operand imul.
    const int ra = ra_.use(op.in(0)), rb = ra_.use(op.in(1));
    const int rd = ra_.out_reg({op.in(0), op.in(1)});
    if (rd == rb && rd != ra) {
      g_.imul(R(rd, t), R(ra, t));
    } else {
      mov_rr(rd, ra, t);
      g_.imul(R(rd, t), R(rb, t));
    }
    int outs[2] = {rd, RegAlloc::kNotComputed};
    return ra_.end_op(outs);
  }
  ra_.claim(kRax);
  ra_.claim(kRdx);
  ra_.copy_to(kRax, op.in(0));
  const int rb = ra_.use(op.in(1), static_cast<RegMask>(~(bit(kRax) | bit(kRdx))));
  if (op.opc == Opcode::mulu2) {
    g_.mul(R(rb, t));
  } else {
    g_.imul(R(rb, t));
  }
  int outs[2] = {kRax, kRdx};
  ra_.end_op(outs);
}

void Emitter::emit_addsub2(const Op &op) {
  const Type t = op.type;
  const bool add = op.opc == Opcode::add2;
  TempId al = op.in(0), ah = op.in(1), bl = op.in(2), bh = op.in(3);
  auto once = [&](TempId x) {
    int n = 0;
    for (unsigned i = 0; i < 4; i++) n += op.in(i) == x;
    return n == 1;
  };
  const int ral = ra_.use(al), rah = ra_.use(ah);
  const bool bl_imm = imm_ok(bl, t), bh_imm = imm_ok(bh, t);
  const int rbl = bl_imm ? -1 : ra_.use(bl), rbh = bh_imm ? -1 : ra_.use(bh);
  // An input's register becomes an output's only when no other input reads it.
  const int rlo = ra_.reusable(al) && once(al) ? ral : ra_.scratch();
  const int rhi = ra_.reusable(ah) && once(ah) ? rah : ra_.scratch();
  mov_rr(rlo, ral, t);
  mov_rr(rhi, rah, t);
  const Reg lo = R(rlo, t), hi = R(rhi, t);
  if (add) {
    if (bl_imm) {
      g_.add(lo, imm(bl));
    } else {
      g_.add(lo, R(rbl, t));
    }
    if (bh_imm) {
      g_.adc(hi, imm(bh));
    } else {
      g_.adc(hi, R(rbh, t));
    }
  } else {
    if (bl_imm) {
      g_.sub(lo, imm(bl));
    } else {
      g_.sub(lo, R(rbl, t));
    }
    if (bh_imm) {
      g_.sbb(hi, imm(bh));
    } else {
      g_.sbb(hi, R(rbh, t));
    }
  }
  int outs[2] = {rlo, rhi};
  ra_.end_op(outs);
}

}  // namespace qemu::jit::x64
