#include "target/x86/flags.h"

#include "target/x86/cpu.h"

namespace qemu::x86 {

namespace {

uint64_t parity_flag(uint64_t v) {
  return (__builtin_popcount(static_cast<unsigned>(v & 0xff)) & 1) ? 0 : kPF;
}

}  // namespace

uint64_t compute_eflags(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2) {
  if (cc_op & kCcRot) {
    const unsigned bits = 8u << ((cc_op >> kCcRotSizeShift) & 3);
    const uint64_t msb = (src2 >> (bits - 1)) & 1;
    uint64_t cf, of;
    if (cc_op & kCcRotRight) {
      cf = msb;
      of = msb ^ ((src2 >> (bits - 2)) & 1);
    } else {
      cf = src2 & 1;
      of = msb ^ cf;
    }
    return (compute_eflags(cc_op & ~kCcRotMask, dst, src, 0) & ~(kCF | kOF)) | cf | of << 11;
  }
  const uint32_t kind = cc_kind(cc_op);
  if (kind == kCcEflags || kind >= kCcNumOps) return src & kArithFlags;
  const unsigned bits = 8u << cc_size_log2(cc_op);
  const uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
  const uint64_t sign = 1ull << (bits - 1);
  dst &= mask;
  src &= mask;
  uint64_t cf = 0, of = 0, af = 0;
  switch (kind) {
    case kCcAdd:
    case kCcAdc: {
      uint64_t cin = kind == kCcAdc ? (src2 & 1) : 0;
      uint64_t src1 = (dst - src - cin) & mask;
      cf = cin ? dst <= src : dst < src;
      of = (~(src1 ^ src) & (src1 ^ dst) & sign) != 0;
      af = (src1 ^ src ^ dst) & kAF;
      break;
    }
    case kCcSub:
    case kCcSbb: {
      uint64_t cin = kind == kCcSbb ? (src2 & 1) : 0;
      uint64_t src1 = (dst + src + cin) & mask;
      cf = cin ? src1 <= src : src1 < src;
      of = ((src1 ^ src) & (src1 ^ dst) & sign) != 0;
      af = (src1 ^ src ^ dst) & kAF;
      break;
    }
    case kCcLogic:
      break;
    case kCcInc:
      cf = src & 1;
      of = dst == sign;
      af = ((dst - 1) ^ 1 ^ dst) & kAF;
      break;
    case kCcDec:
      cf = src & 1;
      of = dst == sign - 1;
      af = ((dst + 1) ^ 1 ^ dst) & kAF;
      break;
    case kCcShl:
      cf = (src >> (bits - 1)) & 1;
      of = cf ^ ((dst >> (bits - 1)) & 1);
      break;
    case kCcSar:
      cf = src & 1;
      of = ((src ^ dst) >> (bits - 1)) & 1;
      break;
    case kCcMul:
      cf = of = src != 0;
      break;
  }
  return (cf ? kCF : 0) | parity_flag(dst) | af | (dst == 0 ? kZF : 0) | (dst & sign ? kSF : 0) |
         (of ? kOF : 0);
}

void cpu_reset(CpuX86 &cpu) {
  cpu = CpuX86{};
  cpu.cc_op = kCcEflags;
  cpu.df = 1;
  cpu.eflags = 0x202;
  cpu.mxcsr = 0x1f80;
  cpu.fpuc = 0x37f;
  for (auto &t : cpu.fptags) t = 1;
}

uint64_t get_eflags(const CpuX86 &cpu) {
  uint64_t f = compute_eflags(cpu.cc_op, cpu.cc_dst, cpu.cc_src, cpu.cc_src2);
  f |= cpu.eflags & ~(kArithFlags | kDF);
  if (cpu.df < 0) f |= kDF;
  return f | 2;
}

void set_eflags(CpuX86 &cpu, uint64_t value, uint64_t mask) {
  if (mask & kArithFlags) {
    uint64_t cur = compute_eflags(cpu.cc_op, cpu.cc_dst, cpu.cc_src, cpu.cc_src2);
    cpu.cc_src = (cur & ~mask) | (value & mask & kArithFlags);
    cpu.cc_op = kCcEflags;
  }
  if (mask & kDF) cpu.df = (value & kDF) ? -1 : 1;
  uint64_t other = mask & ~(kArithFlags | kDF | 2);
  cpu.eflags = (cpu.eflags & ~other) | (value & other);
}

}  // namespace qemu::x86
