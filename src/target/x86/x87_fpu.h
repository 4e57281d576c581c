// The x87 helper's internals shared by x87_helpers.cc (the operations, all exceptions masked
// on the host) and x87_exceptions.cc (what changes when the guest unmasks one).
#pragma once

#include <cstdint>
#include <cstring>

#include "target/x86/cpu.h"

namespace qemu::x86 {

using X87Ld = long double;

inline constexpr uint16_t kC0 = 1u << 8, kC1 = 1u << 9, kC2 = 1u << 10, kC3 = 1u << 14;

// The guest's register stack and status word.
struct Fpu {
  CpuX86 &c;

  unsigned phys(unsigned i) const { return (c.fpstt + i) & 7; }
  // The real indefinite (a negative quiet NaN): what masked stack faults produce.
  static X87Ld indefinite() {
    X87Ld v = 0;
    const uint64_t m = 0xc000000000000000ull;
    const uint16_t e = 0xffff;
    std::memcpy(&v, &m, 8);
    std::memcpy(reinterpret_cast<uint8_t *>(&v) + 8, &e, 2);
    return v;
  }
  X87Ld get(unsigned i) {
    if (c.fptags[phys(i)]) {  // stack underflow
      c.fpus = static_cast<uint16_t>((c.fpus & ~kC1) | 0x41);
      return indefinite();
    }
    X87Ld v = 0;
    std::memcpy(&v, &c.fpregs[phys(i)], 10);
    return v;
  }
  void set(unsigned i, X87Ld v) {
    auto &r = c.fpregs[phys(i)];
    std::memcpy(&r, &v, 10);
    c.fptags[phys(i)] = 0;
  }
  void push(X87Ld v) {
    c.fpstt = (c.fpstt - 1) & 7;
    if (!c.fptags[phys(0)]) {  // stack overflow
      c.fpus |= 0x41 | kC1;
      v = indefinite();
    }
    set(0, v);
  }
  void pop() {
    c.fptags[phys(0)] = 1;
    c.fpstt = (c.fpstt + 1) & 7;
  }
  void cc(uint16_t bits) {
    c.fpus = static_cast<uint16_t>((c.fpus & ~(kC0 | kC1 | kC2 | kC3)) | bits);
  }
  uint16_t status() const {
    return static_cast<uint16_t>((c.fpus & ~0x3800u) | (c.fpstt & 7) << 11);
  }
  // fcom (signaling: any NaN is invalid) or fucom (quiet), on the host unit.
  void compare(X87Ld a, X87Ld b, bool quiet = false) {
    uint16_t sw;
    if (quiet) {
      asm("fucom %%st(1); fnstsw %%ax" : "=a"(sw) : "t"(a), "u"(b));
    } else {
      asm("fcom %%st(1); fnstsw %%ax" : "=a"(sw) : "t"(a), "u"(b));
    }
    cc(sw & (kC0 | kC2 | kC3));
  }
};

// A memory operand's bits (a) of kind b (X87Op kFld's kinds) as an 80-bit value (exact; the
// host's flags it raises are dropped by the next operation).
X87Ld x87_from_bits(uint64_t a, uint64_t kind, const CpuX86 &c);

// Operation op (X87Op) with every exception masked on the host (the guest's flags merged).
uint64_t x87_op(CpuX86 &c, unsigned op, uint64_t a, uint64_t b);

// The same while the guest's control word unmasks an exception: as the processor, an unmasked
// exception the operation raises sets ES and B (the #MF waits for the next waiting instruction)
// and makes its result the one the manual gives for it (x87_exceptions.cc).
uint64_t x87_unmasked(CpuX86 &c, unsigned op, uint64_t a, uint64_t b);

}  // namespace qemu::x86
