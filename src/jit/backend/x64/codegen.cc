#include "jit/backend/x64/codegen.h"

#include "jit/backend/x64/emitter.h"

namespace qemu::jit::x64 {

Emitter::Emitter(const Ir &ir, Xbyak::CodeGenerator &g, const CodeBuffer &buf,
                 const CodegenOptions &opt, CompiledTb *out)
    : ir_(ir),
      g_(g),
      buf_(buf),
      opt_(opt),
      out_(out),
      features_(host_features() & ~opt.disable_features),
      ra_(ir, g,
          static_cast<RegMask>(
              ~(bit(kRsp) | bit(kEnvReg) | (opt.guest_base ? bit(kGuestBaseReg) : 0)))),
      labels_(ir.num_labels()),
      map_(out->insn_map) {}

bool Emitter::imm_ok(TempId x, Type t) const {
  if (!ra_.is_const(x)) return false;
  uint64_t v = ra_.const_value(x);
  return t == Type::i32 || static_cast<int64_t>(v) == static_cast<int32_t>(v);
}

void Emitter::mov_rr(int d, int s, Type t) {
  if (d != s) g_.mov(R(d, t), R(s, t));
}

void Emitter::emit_op(const Op &op) {
  switch (op.opc) {
    case Opcode::mov:
      return emit_mov(op);
    case Opcode::movi:
      return emit_movi(op);
    case Opcode::add:
    case Opcode::sub:
    case Opcode::mul:
    case Opcode::and_:
    case Opcode::or_:
    case Opcode::xor_:
    case Opcode::andc:
      return emit_alu(op);
    case Opcode::not_:
    case Opcode::neg:
      return emit_unary(op);
    case Opcode::shl:
    case Opcode::shr:
    case Opcode::sar:
    case Opcode::rotl:
    case Opcode::rotr:
      return emit_shift(op);
    case Opcode::clz:
    case Opcode::ctz:
      return emit_clz_ctz(op);
    case Opcode::ctpop:
      return emit_ctpop(op);
    case Opcode::bswap16:
    case Opcode::bswap32:
    case Opcode::bswap64:
      return emit_bswap(op);
    case Opcode::ext8s:
    case Opcode::ext8u:
    case Opcode::ext16s:
    case Opcode::ext16u:
    case Opcode::ext32s:
    case Opcode::ext32u:
    case Opcode::ext_i32_i64:
    case Opcode::extu_i32_i64:
    case Opcode::extrl_i64_i32:
    case Opcode::extrh_i64_i32:
      return emit_ext(op);
    case Opcode::deposit:
      return emit_deposit(op);
    case Opcode::extract:
    case Opcode::sextract:
      return emit_extract(op);
    case Opcode::mulu2:
    case Opcode::muls2:
      return emit_mul2(op);
    case Opcode::add2:
    case Opcode::sub2:
      return emit_addsub2(op);
    case Opcode::setcond:
      return emit_setcond(op);
    case Opcode::movcond:
      return emit_movcond(op);
    case Opcode::set_label:
      return emit_set_label(op);
    case Opcode::br:
      return emit_br(op);
    case Opcode::brcond:
      return emit_brcond(op);
    case Opcode::ld:
    case Opcode::qemu_ld:
      return emit_memory(op, op.in(0), kNoIndex, 0, nullptr);
    case Opcode::st:
    case Opcode::qemu_st:
      return emit_memory(op, op.in(1), kNoIndex, 0, nullptr);
    case Opcode::call:
      return emit_call(op);
    case Opcode::mb:
      return emit_mb(op);
    case Opcode::exit_tb:
      return emit_exit_tb(op);
    case Opcode::goto_tb:
      return emit_goto_tb(op);
    case Opcode::goto_ptr:
      return emit_goto_ptr(op);
    case Opcode::insn_start:
      return emit_insn_start(op);
    case Opcode::nop:
      return done();
  }
  unsupported_ = true;
  done();
}

bool Emitter::result_zext(const Op &op) const {
  if (op.type == Type::i32 || op.low32) return true;  // low32: computed with 32-bit instructions
  auto z = [&](unsigned i) { return ra_.zext(op.in(i)); };
  auto cval = [&](unsigned i) {
    return ra_.is_const(op.in(i)) ? ra_.const_value(op.in(i)) : ~uint64_t{0};
  };
  switch (op.opc) {
    case Opcode::mov:
      return z(0);
    case Opcode::movi:
      return op.cst(0) <= 0xffffffffull;
    case Opcode::and_:
      return z(0) || z(1);
    case Opcode::or_:
    case Opcode::xor_:
      return z(0) && z(1);
    case Opcode::shr:
      return z(0) || (cval(1) >= 32 && cval(1) < 64);
    case Opcode::ext8u:
    case Opcode::ext16u:
    case Opcode::ext32u:
    case Opcode::extu_i32_i64:
    case Opcode::setcond:
    case Opcode::ctpop:
    case Opcode::bswap16:
    case Opcode::bswap32:
      return true;
    case Opcode::extract:
      return op.cst(0) + op.cst(1) <= 32;
    case Opcode::ld:
    case Opcode::qemu_ld:
      return (op.cst(0) & kMoSizeMask) <= kMo32 && !(op.cst(0) & kMoSign);
    default:
      return false;
  }
}

void Emitter::emit_tracked(const Op &op) {
  const bool z = op.nout == 1 && result_zext(op);
  emit_op(op);
  for (unsigned i = 0; i < op.nout; i++) ra_.set_zext(op.out(i), z);
}

bool Emitter::run(CodegenError *why) {
  const std::vector<Op> &ops = ir_.ops;
  for (size_t i = 0; i < ops.size(); i++) {
    const Op &op = ops[i];
    // Code after an unconditional exit is unreachable up to the next label.
    if (!reachable_ && op.opc != Opcode::set_label) continue;
    if (i + 1 < ops.size() &&
        (try_fuse_address(op, ops[i + 1]) || try_inline_lookup(op, ops[i + 1]))) {
      i++;
      continue;
    }
    ra_.begin_op(op);
    emit_tracked(op);
    if (op_has(op.opc, kNoReturn)) reachable_ = false;
  }
  if (reachable_) g_.ud2();  // the op list ended without an exit: a bug in the IR
  if (ra_.overflow()) {
    *why = CodegenError::too_many_temps;
    return false;
  }
  if (unsupported_ || g_.hasUndefinedLabel()) {
    *why = CodegenError::unsupported;
    return false;
  }
  return true;
}

bool compile(const Ir &ir, CodeBuffer &buf, const CodegenOptions &opt, CompiledTb *out,
             CodegenError *why) {
  CodegenError dummy;
  if (!why) why = &dummy;
  *why = CodegenError::none;
  if (opt.guest_base != buf.guest_base()) {
    *why = CodegenError::bad_options;
    return false;
  }
  uint8_t *cur = buf.cursor();
  size_t pad = (16 - (reinterpret_cast<uintptr_t>(cur) & 15)) & 15;
  if (buf.avail() < pad + 64) {
    *why = CodegenError::buffer_full;
    return false;
  }
  uint8_t *start = cur + pad;
  CompiledTb tb;
  try {
    Xbyak::CodeGenerator g(buf.avail() - pad, start);
    g.setDefaultJmpNEAR(true);
    bool ok;
    {
      Emitter e(ir, g, buf, opt, &tb);
      ok = e.run(why);
    }
    if (!ok) return false;
    tb.code = start;
    tb.size = g.getSize();
  } catch (const Xbyak::Error &e) {
    *why = static_cast<int>(e) == Xbyak::ERR_CODE_IS_TOO_BIG ? CodegenError::buffer_full
                                                             : CodegenError::unsupported;
    return false;
  }
  buf.commit(pad + tb.size);
  *out = std::move(tb);
  return true;
}

}  // namespace qemu::jit::x64
