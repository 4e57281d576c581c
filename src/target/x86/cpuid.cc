// CPUID as the guest sees it: only what the front end implements is advertised. A CPU model
// (user mode's -cpu) may name another vendor, signature and brand, and fewer features; the
// features it names that are not implemented are never advertised.
#include "target/x86/cpuid.h"

#include <cstring>

#include "target/x86/helpers.h"
#include "target/x86/xsave.h"

namespace qemu::x86 {

namespace {

// What is implemented. Leaf 1 ECX: SSE3 (0), PCLMULQDQ (1), SSSE3 (9), FMA (12), CX16 (13),
// SSE4.1 (19), SSE4.2 (20), MOVBE (22), POPCNT (23), AES (25), XSAVE (26), OSXSAVE (27), AVX
// (28), F16C (29), RDRAND (30). EDX: FPU (0), TSC (4), CX8 (8), CMOV (15), CLFSH (19), MMX (23),
// FXSR (24), SSE (25), SSE2 (26). Leaf 7 EBX: BMI1 (3), AVX2 (5), BMI2 (8), RDSEED (18), ADX
// (19), SHA (29). 0x80000001 ECX: LAHF/SAHF (0), LZCNT (5); EDX: SYSCALL (11), NX (20), RDTSCP
// (27), LM (29). Leaf 0xd.1 EAX: XSAVEOPT (0), XSAVEC (1), XGETBV1 (2).
constexpr CpuidModel kImplemented = {
    "GenuineIntel",
    0x000306a9,  // family 6, model 0x3a (Ivy Bridge), stepping 9
    (1u << 0) | (1u << 1) | (1u << 9) | (1u << 12) | (1u << 13) | (1u << 19) | (1u << 20) |
        (1u << 22) | (1u << 23) | (1u << 25) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 29) |
        (1u << 30),
    (1u << 0) | (1u << 4) | (1u << 8) | (1u << 15) | (1u << 19) | (1u << 23) | (1u << 24) |
        (1u << 25) | (1u << 26),
    (1u << 3) | (1u << 5) | (1u << 8) | (1u << 18) | (1u << 19) | (1u << 29),
    (1u << 0) | (1u << 5),
    (1u << 11) | (1u << 20) | (1u << 27) | (1u << 29),
    7,
    "QEMU-compatible x86-64 CPU",
};

// Bits a model may keep although no instruction of ours depends on them: they describe the
// supervisor's machine (paging, APIC, MSRs, virtualization, power management) or say that
// the instructions are there under other names (AMD's copies of leaf 1 EDX in 0x80000001 EDX;
// MMXEXT, the MMX half of SSE).
constexpr CpuidModel kSystem = {
    "",
    0,
    (1u << 3) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 15) | (1u << 17) |
        (1u << 21) | (1u << 24) | (1u << 31),
    (1u << 1) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 9) | (1u << 11) |
        (1u << 12) | (1u << 13) | (1u << 14) | (1u << 16) | (1u << 17),
    (1u << 1) | (1u << 7) | (1u << 10) | (1u << 20),
    (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 9),
    0x0183f3ffu | (1u << 22) | (1u << 25) | (1u << 26),
    0,
    "",
};

// FMA and F16C run on the host's instructions (avx_helpers.cc): without them on the host they
// are not advertised.
uint32_t host_leaf1_ecx_mask() {
  __builtin_cpu_init();
  uint32_t m = ~0u;
  if (!__builtin_cpu_supports("fma")) m &= ~(1u << 12);
  if (!__builtin_cpu_supports("f16c")) m &= ~(1u << 29);
  return m;
}

CpuidModel host_limited(CpuidModel m) {
  m.leaf1_ecx &= host_leaf1_ecx_mask();
  return m;
}

CpuidModel g_model = host_limited(kImplemented);

uint32_t word(const char *s, int i) {
  uint32_t v;
  std::memcpy(&v, s + 4 * i, 4);
  return v;
}

}  // namespace

const CpuidModel &cpuid_implemented() {
  return kImplemented;
}

const CpuidModel &cpuid_supported() {
  static const CpuidModel k = {
      "",
      0,
      kImplemented.leaf1_ecx | kSystem.leaf1_ecx,
      kImplemented.leaf1_edx | kSystem.leaf1_edx,
      kImplemented.leaf7_ebx | kSystem.leaf7_ebx,
      kImplemented.ext1_ecx | kSystem.ext1_ecx,
      kImplemented.ext1_edx | kSystem.ext1_edx,
      kImplemented.xsave1_eax | kSystem.xsave1_eax,
      "",
  };
  return k;
}

void set_cpuid_model(const CpuidModel &m) {
  const CpuidModel &k = cpuid_supported();
  g_model = m;
  g_model.leaf1_ecx &= k.leaf1_ecx & host_leaf1_ecx_mask();
  g_model.leaf1_edx &= k.leaf1_edx;
  g_model.leaf7_ebx &= k.leaf7_ebx;
  g_model.ext1_ecx &= k.ext1_ecx;
  g_model.ext1_edx &= k.ext1_edx;
  g_model.xsave1_eax &= k.xsave1_eax;
  // OSXSAVE goes with XSAVE (the "OS" here has it enabled whenever the CPU has it).
  const uint32_t xsave = 1u << 26, osxsave = 1u << 27;
  g_model.leaf1_ecx = (g_model.leaf1_ecx & ~osxsave) | ((g_model.leaf1_ecx & xsave) ? osxsave : 0);
  if (!(g_model.leaf1_ecx & xsave)) g_model.xsave1_eax = 0;
}

const CpuidModel &cpuid_model() {
  return g_model;
}

uint64_t xcr0() {
  // AVX (leaf 1 ECX bit 28) brings its state component.
  return (g_model.leaf1_ecx & (1u << 28)) ? 7 : 3;
}

bool cpuid_has(CpuidFeature f) {
  const CpuidModel &m = g_model;
  const uint32_t w[] = {m.leaf1_ecx, m.leaf1_edx, m.leaf7_ebx,
                        m.ext1_ecx,  m.ext1_edx,  m.xsave1_eax};
  return (w[f.word] >> f.bit) & 1;
}

void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]) {
  const CpuidModel &m = g_model;
  const bool have_xsave = m.leaf1_ecx & (1u << 26);
  out[0] = out[1] = out[2] = out[3] = 0;
  switch (leaf) {
    case 0:
      out[0] = 0xd;
      out[1] = word(m.vendor, 0);
      out[3] = word(m.vendor, 1);
      out[2] = word(m.vendor, 2);
      break;
    case 1:
      out[0] = m.signature;
      out[1] = 0x00010800;  // CLFLUSH size 8 (x8 = 64 bytes), one logical processor
      out[2] = m.leaf1_ecx;
      out[3] = m.leaf1_edx;
      break;
    case 2:
      out[0] = 0x00ff0001;  // descriptors in leaf 4
      break;
    case 4: {
      // Deterministic cache parameters: L1d, L1i, L2, L3.
      static constexpr struct {
        uint32_t type, level, ways, sets;
      } kCaches[] = {{1, 1, 8, 64}, {2, 1, 8, 64}, {3, 2, 8, 512}, {3, 3, 16, 8192}};
      if (subleaf < 4) {
        const auto &c = kCaches[subleaf];
        out[0] = c.type | c.level << 5 | 1u << 8;
        out[1] = (c.ways - 1) << 22 | 63;  // line size 64, one partition
        out[2] = c.sets - 1;
        out[3] = c.level == 3 ? 2 : 0;  // inclusive L3
      }
      break;
    }
    case 7:
      if (subleaf == 0) out[1] = m.leaf7_ebx;
      break;
    case 0xd:
      // XSAVE: components x87, SSE and AVX when advertised (xsave.h); sub-leaf 1: XSAVEOPT (0),
      // XSAVEC (1), XGETBV with ECX=1 (2).
      if (!have_xsave) break;
      if (subleaf == 0) {
        out[0] = static_cast<uint32_t>(xcr0());
        out[1] = out[2] = xsave_area_size(xcr0());
      } else if (subleaf == 1) {
        out[0] = m.xsave1_eax;
        out[1] = xsave_area_size(xcr0());
      } else if (subleaf == 2 && (xcr0() & 4)) {
        out[0] = 256;  // YMM_Hi128: size and offset in the standard form
        out[1] = kXsaveYmmOffset;
      }
      break;
    case 0x80000000:
      out[0] = 0x80000008;
      // AMD puts its vendor here too.
      if (std::strcmp(m.vendor, "AuthenticAMD") == 0) {
        out[1] = word(m.vendor, 0);
        out[3] = word(m.vendor, 1);
        out[2] = word(m.vendor, 2);
      }
      break;
    case 0x80000001:
      out[2] = m.ext1_ecx;
      out[3] = m.ext1_edx;
      break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      char brand[48] = {};  // 48 characters fill it without a terminating NUL
      std::memcpy(brand, m.brand, strnlen(m.brand, sizeof brand));
      for (int i = 0; i < 4; i++) out[i] = word(brand, static_cast<int>(leaf - 0x80000002) * 4 + i);
      break;
    }
    case 0x80000005:
      // L1d and L1i (AMD's leaf): 32 KiB, 8-way, 64-byte lines.
      out[2] = out[3] = 32u << 24 | 8u << 16 | 1u << 8 | 64;
      break;
    case 0x80000006:
      out[2] = 256 << 16 | 8 << 12 | 64;  // L2: 256 KiB, 8-way, 64-byte lines
      break;
    case 0x80000008:
      out[0] = 0x3027;  // 39 physical, 48 virtual address bits
      break;
    default:
      break;
  }
}

}  // namespace qemu::x86
