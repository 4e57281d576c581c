// CPUID as the guest sees it: only what the front end implements is advertised.
#include <cstring>

#include "target/x86/helpers.h"
#include "target/x86/xsave.h"

namespace qemu::x86 {

namespace {

constexpr char kVendor[] = "GenuineIntel";
constexpr char kBrand[48] = "QEMU-compatible x86-64 CPU";

uint32_t word(const char *s, int i) {
  uint32_t v;
  std::memcpy(&v, s + 4 * i, 4);
  return v;
}

}  // namespace

void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]) {
  out[0] = out[1] = out[2] = out[3] = 0;
  switch (leaf) {
    case 0:
      out[0] = 0xd;
      out[1] = word(kVendor, 0);
      out[3] = word(kVendor, 1);
      out[2] = word(kVendor, 2);
      break;
    case 1:
      // Family 6, model 0x3a (Ivy Bridge), stepping 9.
      out[0] = 0x000306a9;
      out[1] = 0x00010800;  // CLFLUSH size 8 (x8 = 64 bytes), one logical processor
      // ECX: SSE3 (0), SSSE3 (9), CX16 (13), SSE4.1 (19), SSE4.2 (20), MOVBE (22),
      // POPCNT (23), XSAVE (26), OSXSAVE (27), RDRAND (30).
      out[2] = (1u << 0) | (1u << 9) | (1u << 13) | (1u << 19) | (1u << 20) | (1u << 22) |
               (1u << 23) | (1u << 26) | (1u << 27) | (1u << 30);
      // EDX: FPU (0), TSC (4), CX8 (8), CMOV (15), CLFSH (19), MMX (23), FXSR (24), SSE (25),
      // SSE2 (26).
      out[3] = (1u << 0) | (1u << 4) | (1u << 8) | (1u << 15) | (1u << 19) | (1u << 23) |
               (1u << 24) | (1u << 25) | (1u << 26);
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
        out[0] = c.type | c.level << 5 | 1u << 8 | (c.level == 3 ? 0 : 0);
        out[1] = (c.ways - 1) << 22 | 63;  // line size 64, one partition
        out[2] = c.sets - 1;
        out[3] = c.level == 3 ? 2 : 0;  // inclusive L3
      }
      break;
    }
    case 7:
      if (subleaf == 0) {
        // EBX: BMI1 (3), BMI2 (8), RDSEED (18).
        out[1] = (1u << 3) | (1u << 8) | (1u << 18);
      }
      break;
    case 0xd:
      // XSAVE: components x87 and SSE (xsave.h); sub-leaf 1: XSAVEOPT (0), XSAVEC (1),
      // XGETBV with ECX=1 (2).
      if (subleaf == 0) {
        out[0] = static_cast<uint32_t>(kXcr0);
        out[1] = out[2] = kXsaveAreaSize;
      } else if (subleaf == 1) {
        out[0] = 7;
        out[1] = kXsaveAreaSize;
      }
      break;
    case 0x80000000:
      out[0] = 0x80000008;
      break;
    case 0x80000001:
      out[2] = (1u << 0) | (1u << 5);                              // LAHF/SAHF, LZCNT
      out[3] = (1u << 11) | (1u << 20) | (1u << 27) | (1u << 29);  // SYSCALL NX RDTSCP LM
      break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004:
      for (int i = 0; i < 4; i++) out[i] = word(kBrand, (leaf - 0x80000002) * 4 + i);
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
