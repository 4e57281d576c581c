#include <cpuid.h>

#include "jit/backend/x64/codegen.h"

namespace qemu::jit::x64 {

namespace {

uint32_t detect() {
  unsigned a, b, c, d;
  uint32_t f = 0;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    if (c & (1u << 23)) f |= kFeatPopcnt;
    if (c & (1u << 22)) f |= kFeatMovbe;
  }
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    if (b & (1u << 3)) f |= kFeatBmi1;
    if (b & (1u << 8)) f |= kFeatBmi2;
  }
  if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
    if (c & (1u << 5)) f |= kFeatLzcnt;
  }
  return f;
}

}  // namespace

uint32_t host_features() {
  static const uint32_t features = detect();
  return features;
}

}  // namespace qemu::jit::x64
