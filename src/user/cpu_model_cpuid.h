// What CPUID says for each -cpu model (cpu_model_cpuid.cc) and the feature flags of -cpu
// MODEL,+flag,-flag,flag=on|off (cpu_flags.cc).
#pragma once

#include <string>

#include "target/x86/cpuid.h"

namespace qemu::user {

// The model's CPUID before masking to what is implemented; null for names without one.
const x86::CpuidModel *model_cpuid(const std::string &name);
// The 32-bit models (486, pentium, qemu32, ...): "does not support 64 bit mode".
bool model_lacks_long_mode(const std::string &name);

}  // namespace qemu::user
