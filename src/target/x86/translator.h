// The state of translating one block and the building blocks every instruction family uses:
// guest registers and memory operands, lazy condition codes, block exits.
#pragma once

#include <cstdint>

#include "jit/ir/builder.h"
#include "target/x86/cpu.h"
#include "target/x86/decode.h"
#include "target/x86/flags.h"

namespace qemu::x86 {

struct FrontendOptions {
  // User mode: host address = guest_base + guest address (code is read there, atomic helpers
  // access memory there).
  uintptr_t guest_base = 0;
  // Whether guest code in [addr, addr + len) may be read; null: everything may.
  bool (*code_readable)(uint64_t addr, size_t len) = nullptr;
  // Indirect jumps: a helper (env) -> host code pointer used with goto_ptr; null ends such
  // blocks with exit_tb(kExitNext).
  const jit::HelperInfo *lookup_tb = nullptr;
  // A debugger's breakpoints: whether one is at pc (checked at translation; the owner
  // invalidates the blocks at pc when the set changes). Null: none.
  bool (*breakpoint_at)(uint64_t pc) = nullptr;
};

using jit::TempId;

// A condition as an i64 comparison (for brcond, setcond and movcond).
struct CondExpr {
  jit::Cond c;
  TempId a, b;
};

class Translator {
 public:
  Translator(jit::Builder &b, const FrontendOptions &opts);

  jit::Builder &b;
  const FrontendOptions &opts;
  TempId reg[16], rip, cc_dst, cc_src, cc_src2, cc_op_g;

  // Translate-time state.
  uint32_t cc_op = kCcDynamic;  // kCcDynamic: in cc_op_g only
  bool cc_dirty = false;        // cc_op_g is behind cc_op
  bool ended = false;           // the current instruction ended the block
  uint64_t tb_flags = 0;        // the block's key flags (TbFlag)
  // Single-step blocks end every exit with kExitSingleStep instead of chaining or looking up.
  bool single_step() const { return tb_flags & (kTbTrapFlag | kTbDebugStep); }

  // Per instruction (reset by begin_insn).
  void begin_insn(const Insn &insn);
  // After a branch within an instruction: block-local temps (the cached address) are dead.
  void forget_ea() { ea_ = 0; }

  // Temps and constants (i64).
  TempId tmp() { return b.temp(jit::Type::i64); }
  TempId tbtmp() { return b.tb_temp(jit::Type::i64); }
  TempId cst(uint64_t v) { return b.konst(jit::Type::i64, v); }
  TempId binop(jit::Opcode o, TempId a, TempId c);
  TempId unop(jit::Opcode o, TempId a);
  TempId zext(unsigned size, TempId v);  // low size bytes, zero-extended
  TempId sext(unsigned size, TempId v);

  // General registers. Byte registers 4-7 without a REX prefix are AH, CH, DH, BH.
  TempId get_reg(const Insn &insn, int r, unsigned size);
  void set_reg(const Insn &insn, int r, unsigned size, TempId v);
  TempId get_reg64(int r) { return reg[r]; }

  // Memory.
  TempId ea(const Insn &insn);  // the memory operand's address (segment base included)
  TempId seg_addr(const Insn &insn, TempId off);  // adds the segment base, applies addr32
  TempId load(TempId addr, unsigned size, bool sign = false);
  void store(TempId addr, unsigned size, TempId v);
  TempId host_addr(TempId addr);  // guest_base + addr

  // Operands of the instruction in its definition's form.
  TempId get(const Insn &insn, Opnd form);
  void put(const Insn &insn, Opnd form, TempId v);
  unsigned size_of(const Insn &insn, Opnd form) { return operand_size(insn, form); }

  // Condition codes.
  void set_cc(uint32_t op, TempId dst, TempId src = 0, TempId src2 = 0);
  void set_flags(TempId eflags);  // explicit arithmetic flags (kCcEflags)
  TempId eflags();                // the arithmetic flags now
  TempId carry();                 // CF as 0/1
  CondExpr cond(unsigned cc);     // x86 condition 0..15
  TempId setcc(unsigned cc);      // 0/1
  void sync_cc_op();
  void sync_cc_op_keep_dirty();  // for a side exit: the state stays dirty on the main path

  // Exits.
  void gen_exception(uint32_t excp, uint64_t pc, uint32_t error_code = 0);
  void gen_exception_at_label(uint32_t excp, uint64_t pc);  // a side exit (no block end)
  void jump(uint64_t target, unsigned slot);                // goto_tb + exit (chained)
  void jump_indirect(TempId target);
  void exit_with(uint64_t value, uint64_t next_pc);  // set rip, exit_tb(value)

  // Helpers.
  TempId call(const jit::HelperInfo &h, std::initializer_list<TempId> args);
  void call_void(const jit::HelperInfo &h, std::initializer_list<TempId> args);
  TempId env_ptr() { return jit::Ir::kEnv; }

 private:
  TempId ea_ = 0;
};

// Instruction families (each in its own file).
void tr_alu(Translator &t, const Insn &in);  // add or adc sbb and sub xor cmp
void tr_test(Translator &t, const Insn &in);
void tr_incdec(Translator &t, const Insn &in);  // arg 0 inc, 1 dec
void tr_notneg(Translator &t, const Insn &in);  // arg 0 not, 1 neg
void tr_adx(Translator &t, const Insn &in);     // arg 0 adcx, 1 adox
void tr_shift(Translator &t, const Insn &in);   // arg: rol ror rcl rcr shl shr sal sar
void tr_shd(Translator &t, const Insn &in);     // arg 0 shld, 1 shrd
void tr_mul1(Translator &t, const Insn &in);    // arg 0 mul, 1 imul (one operand)
void tr_imul(Translator &t, const Insn &in);    // two and three operands
void tr_div(Translator &t, const Insn &in);     // arg 0 div, 1 idiv
void tr_mov(Translator &t, const Insn &in);
void tr_movx(Translator &t, const Insn &in);  // movzx/movsx/movsxd: arg 1 sign
void tr_lea(Translator &t, const Insn &in);
void tr_xlat(Translator &t, const Insn &in);
void tr_xchg(Translator &t, const Insn &in);
void tr_xadd(Translator &t, const Insn &in);
void tr_cmpxchg(Translator &t, const Insn &in);
void tr_cmpxchg8b(Translator &t, const Insn &in);
void tr_bswap(Translator &t, const Insn &in);
void tr_cbw(Translator &t, const Insn &in);        // arg 0 cbw/cwde/cdqe, 1 cwd/cdq/cqo
void tr_lahf_sahf(Translator &t, const Insn &in);  // arg 0 lahf, 1 sahf
void tr_flagop(Translator &t, const Insn &in);     // arg: clc stc cmc cld std
void tr_cmov(Translator &t, const Insn &in);
void tr_setcc(Translator &t, const Insn &in);
void tr_bt(Translator &t, const Insn &in);       // arg: bt bts btr btc
void tr_bitscan(Translator &t, const Insn &in);  // arg: bsf bsr tzcnt lzcnt popcnt
void tr_bmi(Translator &t, const Insn &in);      // arg: andn bextr blsi blsmsk blsr bzhi ...
void tr_movbe(Translator &t, const Insn &in);
void tr_crc32(Translator &t, const Insn &in);
void tr_push(Translator &t, const Insn &in);
void tr_pop(Translator &t, const Insn &in);
void tr_pushf(Translator &t, const Insn &in);
void tr_popf(Translator &t, const Insn &in);
void tr_enter(Translator &t, const Insn &in);
void tr_leave(Translator &t, const Insn &in);
void tr_jcc(Translator &t, const Insn &in);
void tr_jmp(Translator &t, const Insn &in);
void tr_jmp_ind(Translator &t, const Insn &in);
void tr_call(Translator &t, const Insn &in);
void tr_call_ind(Translator &t, const Insn &in);
void tr_ret(Translator &t, const Insn &in);
void tr_loop(Translator &t, const Insn &in);    // arg 0 loopne, 1 loope, 2 loop, 3 jrcxz
void tr_string(Translator &t, const Insn &in);  // arg: movs cmps stos lods scas
void tr_nop(Translator &t, const Insn &in);
void tr_syscall(Translator &t, const Insn &in);
void tr_exception(Translator &t, const Insn &in);  // arg: the vector (#UD, #GP, #BP)
void tr_int(Translator &t, const Insn &in);
void tr_cpuid(Translator &t, const Insn &in);
void tr_rdtsc(Translator &t, const Insn &in);
void tr_0f01(Translator &t, const Insn &in);  // rdtscp by ModRM
void tr_xgetbv(Translator &t, const Insn &in);
void tr_xsave(Translator &t, const Insn &in);  // arg: xsave xrstor xsaveopt xsavec
void tr_rdrand(Translator &t, const Insn &in);
void tr_fence(Translator &t, const Insn &in);
void tr_sse(Translator &t, const Insn &in);  // SSE arithmetic (arg: SseOp)
void tr_sse_mov(Translator &t, const Insn &in);
void tr_sse_movmsk(Translator &t, const Insn &in);  // arg 0 pmovmskb, 1 movmskps, 2 movmskpd
void tr_sse_comis(Translator &t, const Insn &in);   // arg 0 ucomis, 1 comis
void tr_sse_cvtsi2f(Translator &t, const Insn &in);
void tr_sse_cvtf2si(Translator &t, const Insn &in);  // arg 1 truncating
void tr_sse_pinsrw(Translator &t, const Insn &in);
void tr_sse_pextrw(Translator &t, const Insn &in);
void tr_sse_extract(Translator &t, const Insn &in);  // arg: log2 element size (3: d/q)
void tr_sse_insert(Translator &t, const Insn &in);
void tr_sse_pcmpstr(Translator &t, const Insn &in);
void tr_sse_maskmov(Translator &t, const Insn &in);  // pcmpestri/m, pcmpistri/m
void tr_x87(Translator &t, const Insn &in);          // D8-DF
void tr_fwait(Translator &t, const Insn &in);        // 9B: a pending x87 exception (#MF)
void tr_mmx(Translator &t, const Insn &in);          // MMX operations (arg: SseOp)
void tr_mmx_mov(Translator &t, const Insn &in);  // arg: movd to/from, movq load/store, q2dq, dq2q
void tr_emms(Translator &t, const Insn &in);
void tr_mmx_cvt(Translator &t, const Insn &in);  // arg: SseOp (cvtpi2ps ... cvttpd2pi)
void tr_mmx_movmsk(Translator &t, const Insn &in);
void tr_mmx_pextrw(Translator &t, const Insn &in);
void tr_mmx_pinsrw(Translator &t, const Insn &in);
void tr_mmx_maskmovq(Translator &t, const Insn &in);
void tr_mxcsr(Translator &t, const Insn &in);   // arg 0 ldmxcsr, 1 stmxcsr
void tr_fxsave(Translator &t, const Insn &in);  // arg 0 fxsave, 1 fxrstor
// AVX (tr_avx*.cc): VEX forms of SSE operations (arg: SseOp), moves (defs_avx.h kinds), the
// AVX-only operations (arg: AvxOp) in IR or through kHelperAvx, FMA3, gathers; legacy handlers
// wrapped for their three-operand forms (insert, cvtsi2ss/sd) or the VEX.128 zeroing.
void tr_avx(Translator &t, const Insn &in);
void tr_avx_mov(Translator &t, const Insn &in);
void tr_avx_op(Translator &t, const Insn &in);
void tr_avx_helper(Translator &t, const Insn &in);
void tr_avx_fma(Translator &t, const Insn &in);
void tr_avx_gather(Translator &t, const Insn &in);
void tr_avx_insert(Translator &t, const Insn &in);  // arg as tr_sse_insert
void tr_avx_cvtsi2f(Translator &t, const Insn &in);
void tr_avx_legacy(Translator &t, const Insn &in);  // arg 0 vmaskmovdqu, 1 vpcmpXstrX
void tr_crypto(Translator &t, const Insn &in);      // AES-NI, PCLMULQDQ, SHA (arg: CryptoOp)
void tr_vcrypto(Translator &t, const Insn &in);     // their VEX forms

}  // namespace qemu::x86
