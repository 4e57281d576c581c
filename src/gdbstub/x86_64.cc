#include "gdbstub/x86_64.h"

#include <cstring>

#include "target/x86/flags.h"

namespace qemu::gdbstub {

namespace {

using x86::CpuX86;

// gdb's general register order.
constexpr int kGpr[16] = {x86::RAX, x86::RBX, x86::RCX, x86::RDX, x86::RSI, x86::RDI,
                          x86::RBP, x86::RSP, x86::R8,  x86::R9,  x86::R10, x86::R11,
                          x86::R12, x86::R13, x86::R14, x86::R15};

enum : int {
  kRip = 16,
  kEflags = 17,
  kCs = 18,  // .. kGs = 23
  kFsBase = 24,
  kGsBase = 25,
  kKGsBase = 26,
  kCr0 = 27,
  kCr2 = 28,
  kCr3 = 29,
  kCr4 = 30,
  kCr8 = 31,
  kEfer = 32,
  kSt0 = 33,    // .. st7 = 40
  kFctrl = 41,  // fctrl fstat ftag fiseg fioff foseg fooff fop
  kXmm0 = 49,   // .. xmm15 = 64
  kMxcsr = 65,
};

// The selectors a 64-bit Linux process has: cs ss ds es fs gs.
constexpr uint32_t kSelectors[6] = {0x33, 0x2b, 0, 0, 0, 0};

void put(std::string *out, uint64_t v, int size) {
  char b[8];
  std::memcpy(b, &v, 8);
  out->append(b, size);
}

uint64_t get(std::string_view d, int size) {
  uint64_t v = 0;
  std::memcpy(&v, d.data(), size);
  return v;
}

}  // namespace

int x86_64_read_register(const CpuX86 &c, int n, std::string *out) {
  if (n < 0 || n >= kX86_64NumRegs) return 0;
  if (n < 16) {
    put(out, c.regs[kGpr[n]], 8);
    return 8;
  }
  switch (n) {
    case kRip:
      put(out, c.rip, 8);
      return 8;
    case kEflags:
      put(out, x86::get_eflags(c), 4);
      return 4;
    case kFsBase:
      put(out, c.fs_base, 8);
      return 8;
    case kGsBase:
      put(out, c.gs_base, 8);
      return 8;
    case kKGsBase:
    case kCr2:
    case kCr3:
    case kCr8:
      put(out, 0, 8);
      return 8;
    // What the CPU state of a 64-bit user process holds: protected mode with paging, OSFXSR,
    // OSXMMEXCPT, OSXSAVE, FSGSBASE; EFER LME|LMA.
    case kCr0:
      put(out, 0x80010001, 8);
      return 8;
    case kCr4:
      put(out, 0x50220, 8);
      return 8;
    case kEfer:
      put(out, 0x500, 8);
      return 8;
    case kMxcsr:
      put(out, c.mxcsr, 4);
      return 4;
    default:
      break;
  }
  if (n >= kCs && n < kCs + 6) {
    put(out, kSelectors[n - kCs], 4);
    return 4;
  }
  if (n >= kSt0 && n < kSt0 + 8) {
    const CpuX86::FpReg &r = c.fpregs[(c.fpstt + (n - kSt0)) & 7];
    put(out, r.mant, 8);
    put(out, r.exp, 2);
    return 10;
  }
  if (n >= kFctrl && n < kFctrl + 8) {
    uint32_t v = 0;
    if (n == kFctrl) v = c.fpuc;
    if (n == kFctrl + 1) v = (c.fpus & ~0x3800u) | (c.fpstt & 7) << 11;
    put(out, v, 4);
    return 4;
  }
  out->append(reinterpret_cast<const char *>(c.xmm[n - kXmm0].b), 16);
  return 16;
}

int x86_64_write_register(CpuX86 &c, int n, std::string_view d) {
  std::string cur;
  const int size = x86_64_read_register(c, n, &cur);
  if (size == 0 || d.size() < static_cast<size_t>(size)) return 0;
  if (n < 16) {
    c.regs[kGpr[n]] = get(d, 8);
  } else if (n == kRip) {
    c.rip = get(d, 8);
  } else if (n == kEflags) {
    // The flags a program can change (arithmetic, TF, DF, OF, AC, ID).
    x86::set_eflags(c, get(d, 4), 0x40dd5 | 0x200000);
  } else if (n == kFsBase) {
    c.fs_base = get(d, 8);
  } else if (n == kGsBase) {
    c.gs_base = get(d, 8);
  } else if (n >= kSt0 && n < kSt0 + 8) {
    CpuX86::FpReg &r = c.fpregs[(c.fpstt + (n - kSt0)) & 7];
    r.mant = get(d, 8);
    r.exp = static_cast<uint16_t>(get(d.substr(8), 2));
  } else if (n == kFctrl) {
    c.fpuc = static_cast<uint16_t>(get(d, 4));
  } else if (n == kFctrl + 1) {
    const uint32_t v = static_cast<uint32_t>(get(d, 4));
    c.fpus = static_cast<uint16_t>(v & ~0x3800u);
    c.fpstt = (v >> 11) & 7;
  } else if (n >= kXmm0 && n < kXmm0 + 16) {
    std::memcpy(c.xmm[n - kXmm0].b, d.data(), 16);
  } else if (n == kMxcsr) {
    c.mxcsr = static_cast<uint32_t>(get(d, 4));
  }
  return size;
}

}  // namespace qemu::gdbstub
