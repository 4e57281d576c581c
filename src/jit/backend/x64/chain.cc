// Chaining: goto_tb's jmp rel32 displacement is 4-byte aligned, so one 32-bit store patches it
// atomically for threads running the code.
#include "jit/backend/x64/codegen.h"

namespace qemu::jit::x64 {

namespace {

void set_target(const CompiledTb &tb, unsigned slot, const uint8_t *target) {
  if (slot > 1 || tb.jmp_offset[slot] == UINT32_MAX) return;
  uint8_t *jmp = const_cast<uint8_t *>(tb.code) + tb.jmp_offset[slot];
  auto *disp = reinterpret_cast<uint32_t *>(jmp + 1);
  int64_t rel = target - (jmp + 5);
  __atomic_store_n(disp, static_cast<uint32_t>(static_cast<int32_t>(rel)), __ATOMIC_RELEASE);
}

}  // namespace

void patch_jump(const CompiledTb &tb, unsigned slot, const void *target) {
  set_target(tb, slot, static_cast<const uint8_t *>(target));
}

void reset_jump(const CompiledTb &tb, unsigned slot) {
  if (slot > 1 || tb.jmp_reset_offset[slot] == UINT32_MAX) return;
  set_target(tb, slot, tb.code + tb.jmp_reset_offset[slot]);
}

}  // namespace qemu::jit::x64
