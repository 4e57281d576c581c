// The CPU model CPUID describes: vendor, signature, brand and feature words. What is not
// implemented is never advertised (set_cpuid_model masks it out).
#pragma once

#include <cstdint>

namespace qemu::x86 {

struct CpuidModel {
  char vendor[13];     // 12 characters
  uint32_t signature;  // leaf 1 EAX: family, model, stepping
  uint32_t leaf1_ecx, leaf1_edx;
  uint32_t leaf7_ebx;           // leaf 7 sub-leaf 0
  uint32_t ext1_ecx, ext1_edx;  // 0x80000001
  uint32_t xsave1_eax;          // leaf 0xd sub-leaf 1
  const char *brand;            // 0x80000002..4, at most 48 characters
};

// The default model: everything implemented.
const CpuidModel &cpuid_implemented();
// The bits a model may advertise: those, and the supervisor-level ones user mode cannot tell.
const CpuidModel &cpuid_supported();
// The model cpuid reports from now on (process-wide, before the guest runs).
void set_cpuid_model(const CpuidModel &m);
// The model in effect (what the guest sees).
const CpuidModel &cpuid_model();

// A feature bit: which word of CpuidModel, and the bit.
enum CpuidWord : uint8_t { kL1Ecx, kL1Edx, kL7Ebx, kE1Ecx, kE1Edx, kXsave1Eax };
struct CpuidFeature {
  CpuidWord word;
  uint8_t bit;
};
// Whether the current model advertises it.
bool cpuid_has(CpuidFeature f);

}  // namespace qemu::x86
