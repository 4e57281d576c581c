// Shared by the jit unit tests: a CPU state, a guest memory and a few helpers.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "jit/backend/interp/interp.h"
#include "jit/ir/ir.h"

namespace qemu::jit::test {

// 8 i64 globals at 0..63, 4 i32 globals at 64..79, then scratch for ld/st.
struct Env {
  uint64_t g64[8];
  uint32_t g32[4];
  uint8_t scratch[64];
  uint64_t counter;
  bool operator==(const Env &o) const { return std::memcmp(this, &o, sizeof(Env)) == 0; }
};

inline constexpr int64_t kScratch = offsetof(Env, scratch);

// Guest memory: kSize bytes at kBase; anything else faults.
class FlatMemory : public GuestMemory {
 public:
  static constexpr uint64_t kBase = 0x1000, kSize = 256;
  std::vector<uint8_t> bytes = std::vector<uint8_t>(kSize);

  bool load(uint64_t addr, unsigned size, uint64_t *value) override {
    if (addr < kBase || addr - kBase > kSize - size) return false;
    *value = 0;
    std::memcpy(value, &bytes[addr - kBase], size);
    return true;
  }
  bool store(uint64_t addr, unsigned size, uint64_t value) override {
    if (addr < kBase || addr - kBase > kSize - size) return false;
    std::memcpy(&bytes[addr - kBase], &value, size);
    return true;
  }
};

// Globals named r0..r7 (i64) and e0..e3 (i32).
struct Globals {
  TempId g64[8], g32[4];
  explicit Globals(Ir &ir) {
    static const char *const k64[] = {"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7"};
    static const char *const k32[] = {"e0", "e1", "e2", "e3"};
    for (int i = 0; i < 8; i++) g64[i] = ir.new_global(Type::i64, 8 * i, k64[i]);
    for (int i = 0; i < 4; i++) {
      g32[i] = ir.new_global(Type::i32, offsetof(Env, g32) + 4 * i, k32[i]);
    }
  }
};

inline uint64_t helper_pure(uint64_t a, uint64_t b) {
  return a * 31 + (b ^ 0x5a);
}
inline uint64_t helper_reads(uint64_t env) {
  auto *e = reinterpret_cast<Env *>(env);
  return e->g64[0] + e->g64[1] * 3 + e->g32[0];
}
inline uint64_t helper_writes(uint64_t env, uint64_t v) {
  auto *e = reinterpret_cast<Env *>(env);
  e->g64[2] = v ^ e->g64[3];
  e->g32[1] += static_cast<uint32_t>(v);
  return e->g64[4] + 1;
}
inline uint64_t helper_counter(uint64_t env, uint64_t v) {
  reinterpret_cast<Env *>(env)->counter += v | 1;
  return 0;
}

inline const HelperInfo kHelperPure = {
    "pure", reinterpret_cast<HelperInfo::GenericFn>(&helper_pure), 2, true, kHelperNoSideEffects};
inline const HelperInfo kHelperReads = {
    "reads", reinterpret_cast<HelperInfo::GenericFn>(&helper_reads), 1, true, kHelperReadsGlobals};
inline const HelperInfo kHelperWrites = {
    "writes", reinterpret_cast<HelperInfo::GenericFn>(&helper_writes), 2, true, 0};
inline const HelperInfo kHelperCounter = {"counter",
                                          reinterpret_cast<HelperInfo::GenericFn>(&helper_counter),
                                          2, false, kHelperNoGlobals};

}  // namespace qemu::jit::test
