// System and miscellaneous: nop forms, syscall, exceptions, int, cpuid, rdtsc/rdtscp,
// rdrand/rdseed, fences.
#include "target/x86/helpers.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

using jit::Opcode;
using jit::Type;

void tr_nop(Translator &, const Insn &) {}

void tr_syscall(Translator &t, const Insn &in) {
  t.exit_with(kExitSyscall, in.next_pc);
}

void tr_exception(Translator &t, const Insn &in) {
  t.gen_exception(in.def->arg, in.pc);
}

void tr_int(Translator &t, const Insn &in) {
  const uint32_t n = in.opc == 0xcc ? kExcpBP : static_cast<uint32_t>(in.imm & 0xff);
  t.b.st_env(Type::i64, t.cst(n), offsetof(CpuX86, exception_index), jit::kMo32);
  t.b.st_env(Type::i64, t.cst(0), offsetof(CpuX86, error_code), jit::kMo32);
  t.exit_with(kExitInterrupt, in.next_pc);
}

void tr_cpuid(Translator &t, const Insn &) {
  t.call_void(kHelperCpuid, {t.env_ptr()});
}

void tr_rdtsc(Translator &t, const Insn &in) {
  TempId v = t.call(kHelperRdtsc, {});
  t.set_reg(in, RAX, 4, v);
  t.set_reg(in, RDX, 4, t.binop(Opcode::shr, v, t.cst(32)));
}

void tr_0f01(Translator &t, const Insn &in) {
  const unsigned modrm = 0xc0 | (in.reg & 7) << 3 | (in.rm & 7);
  if (modrm == 0xf9) {  // rdtscp
    tr_rdtsc(t, in);
    t.set_reg(in, RCX, 4, t.cst(0));
    return;
  }
  t.gen_exception(kExcpUD, in.pc);
}

void tr_rdrand(Translator &t, const Insn &in) {
  TempId v = t.call(kHelperRdrand, {});
  t.put(in, in.def->o[0], t.zext(in.osize, v));
  t.set_flags(t.cst(kCF));
}

void tr_fence(Translator &t, const Insn &) {
  t.b.mb(0);
}

}  // namespace qemu::x86
