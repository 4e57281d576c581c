// The x86-64 guest front end (64-bit user mode): translation of guest code into IR.
#pragma once

#include "jit/exec/frontend.h"
#include "target/x86/cpu.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

class X86Frontend : public jit::Frontend {
 public:
  explicit X86Frontend(const FrontendOptions &opts = {}) : opts_(opts) {}

  jit::TbKey key(const void *env) const override;
  bool simple_key(size_t *pc_offset, uint64_t *flags) const override;
  bool inline_scalar_double(jit::HelperInfo::GenericFn *fn, size_t *mxcsr_offset) const override;
  void translate(const jit::TbKey &key, jit::Builder &b, jit::TbSource &src,
                 unsigned max_insns) override;
  void restore(void *env, uint64_t insn_pc, uint64_t extra) override;
  void capstone_mode(uint64_t flags, int *arch, int *mode) const override;
  void dump_state(const void *env, FILE *out, bool fpu) const override;

  FrontendOptions &options() { return opts_; }

 private:
  // Bytes of guest code readable at pc (at most 15).
  size_t readable(uint64_t pc);

  FrontendOptions opts_;
};

}  // namespace qemu::x86
