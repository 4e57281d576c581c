// Lazy condition codes: the last flag-setting operation (CcOp) and its operands, kept in
// CpuX86::cc_op/cc_dst/cc_src/cc_src2; the arithmetic flags are computed from them when read.
#pragma once

#include <cstdint>

namespace qemu::x86 {

// EFLAGS bits.
inline constexpr uint64_t kCF = uint64_t{1} << 0;
inline constexpr uint64_t kPF = uint64_t{1} << 2;
inline constexpr uint64_t kAF = uint64_t{1} << 4;
inline constexpr uint64_t kZF = uint64_t{1} << 6;
inline constexpr uint64_t kSF = uint64_t{1} << 7;
inline constexpr uint64_t kTF = uint64_t{1} << 8;
inline constexpr uint64_t kIF = uint64_t{1} << 9;
inline constexpr uint64_t kDF = uint64_t{1} << 10;
inline constexpr uint64_t kOF = uint64_t{1} << 11;
inline constexpr uint64_t kNT = uint64_t{1} << 14;
inline constexpr uint64_t kAC = uint64_t{1} << 18;
inline constexpr uint64_t kID = uint64_t{1} << 21;
inline constexpr uint64_t kArithFlags = kCF | kPF | kAF | kZF | kSF | kOF;

// A CcOp is a kind plus the log2 of the operand size in bytes (0..3). The operands kept:
//   Eflags: cc_src = the flags themselves.
//   Add/Sub: cc_dst = result, cc_src = second operand.
//   Adc/Sbb: the same plus cc_src2 = the carry in.
//   Logic:   cc_dst = result (CF = OF = 0).
//   Inc/Dec: cc_dst = result, cc_src = the carry before (kept).
//   Shl:     cc_dst = result, cc_src = operand shifted by count - 1 (CF its top bit).
//   Sar:     cc_dst = result, cc_src = operand shifted right by count - 1 (CF its bit 0);
//            used for shr too (OF = top bit of cc_src ^ cc_dst).
//   Mul:     cc_dst = low result, cc_src = nonzero when CF = OF = 1.
// Every value is zero-extended from the operand size.
enum CcOp : uint32_t {
  kCcEflags = 0,
  kCcAdd = 4,
  kCcAdc = 8,
  kCcSub = 12,
  kCcSbb = 16,
  kCcLogic = 20,
  kCcInc = 24,
  kCcDec = 28,
  kCcShl = 32,
  kCcSar = 36,
  kCcMul = 40,
  kCcNumOps = 44,
  // Added to any kind but Eflags/Adc/Sbb after a rotate: the flags are those of the kind
  // with CF and OF those of the rotate, derived from its result in cc_src2 (a rotate changes
  // only CF and OF; cc_src2 is unused by those kinds), so rotates need not materialize the
  // flags. kCcRotRight for ror (else rol), the rotate's log2 size at kCcRotSizeShift.
  kCcRot = 0x100,
  kCcRotRight = 0x200,
  kCcRotMask = 0xf00,
  // Translate time only: the value is in the CPU state, not known.
  kCcDynamic = 0xff,
};

inline constexpr unsigned kCcRotSizeShift = 10;

// Without kCcRot, which cc_kind keeps.
constexpr uint32_t cc_kind(uint32_t op) {
  return op & ~3u;
}
constexpr unsigned cc_size_log2(uint32_t op) {
  return op & 3u;
}

// The arithmetic flags (kArithFlags bits) of a lazy state.
uint64_t compute_eflags(uint32_t cc_op, uint64_t dst, uint64_t src, uint64_t src2);

}  // namespace qemu::x86
