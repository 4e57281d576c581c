// Generated-code access to 64-bit pieces of the CPU state (the xmm/ymm lanes and scratch
// areas) at fixed offsets: shared by the SSE, AVX and crypto translators.
#pragma once

#include "target/x86/translator.h"

namespace qemu::x86 {

inline TempId ld64(Translator &t, int64_t off, uint32_t mo = jit::kMo64) {
  TempId v = t.tmp();
  t.b.ld_env(jit::Type::i64, v, off, mo);
  return v;
}
inline void st64(Translator &t, int64_t off, TempId v, uint32_t mo = jit::kMo64) {
  t.b.st_env(jit::Type::i64, v, off, mo);
}
// 16 bytes from s to d (both read before either is written).
inline void copy16(Translator &t, int64_t d, int64_t s) {
  TempId lo = ld64(t, s), hi = ld64(t, s + 8);
  st64(t, d, lo);
  st64(t, d + 8, hi);
}
inline void zero16(Translator &t, int64_t d) {
  st64(t, d, t.cst(0));
  st64(t, d + 8, t.cst(0));
}

}  // namespace qemu::x86
