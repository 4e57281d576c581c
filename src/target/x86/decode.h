// The x86-64 decoder: instruction definitions (one table, decode.cc builds the lookup index
// from it), the prefix scanner, ModRM/SIB/displacement and immediate decoding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace qemu::x86 {

class Translator;
struct Insn;

using Handler = void (*)(Translator &, const Insn &);

// Operand forms (Intel manual appendix A notation).
enum class Opnd : uint8_t {
  none,
  Eb,
  Ew,
  Ed,
  Ev,
  Ey,
  Eq,  // ModRM r/m: byte, word, dword, operand size, 32/64 (REX.W), qword
  M,   // ModRM memory only (its address)
  Gb,
  Gw,
  Gd,
  Gv,
  Gy,
  Gq,  // ModRM reg
  Ib,
  Ibs,
  Iw,
  Iz,
  Iv,  // immediates: byte, byte sign-extended, word, 16/32, 16/32/64
  Jb,
  Jz,  // relative branch targets
  Ob,
  Ov,  // moffs (A0-A3)
  AL,
  rAX,
  CL,
  DX,
  One,  // fixed registers, the constant 1 (shifts)
  Zb,
  Zv,
  Zq,  // register in the opcode's low bits (+REX.B)
  V,
  W,
  U,  // SSE: ModRM reg, r/m (xmm or memory), r/m xmm register only
  P,
  Q,
  N,   // MMX: ModRM reg, r/m (mm or memory), r/m mm register only
  By,  // VEX.vvvv general register (32/64 by VEX.W)
  H,   // VEX.vvvv xmm/ymm register (the first source of three-operand forms)
};

// Mandatory prefix classes of the 0F maps (kPfxAny: 66 is the operand size, F2/F3 rep).
enum PfxClass : uint8_t { kPfxNone, kPfx66, kPfxF3, kPfxF2, kPfxAny };

// ModRM.mod restriction.
enum ModClass : uint8_t { kModAny, kModMem, kModReg };

// Opcode maps.
enum Map : uint8_t {
  kMap1,
  kMap0F,
  kMap0F38,
  kMap0F3A,
  kMapVex0F38,
  kMapVex0F3A,
  kMapVex0F,
  kNumMaps
};

enum DefFlag : uint32_t {
  kD64 = 1u << 0,      // default operand size 64 (push, pop, ...), 66 makes it 16
  kF64 = 1u << 1,      // operand size always 64 (near branches)
  kLock = 1u << 2,     // lock prefix allowed (with a memory operand)
  kNoTest = 1u << 3,   // not in the random differential test (control flow, system, ...)
  kUndefOF = 1u << 4,  // flags the manuals leave undefined (the tests mask them)
  kUndefSF = 1u << 5,
  kUndefZF = 1u << 6,
  kUndefAF = 1u << 7,
  kUndefPF = 1u << 8,
  kUndefCF = 1u << 9,
  kTestNo16 = 1u << 10,     // the test avoids the 16-bit form (undefined results)
  kTestRegOnly = 1u << 11,  // the test uses the register form only
  kTestMemOnly = 1u << 12,
  kTestNoRep = 1u << 13,
  kSse = 1u << 14,  // SSE: the test compares the xmm registers
  // AVX (VEX-encoded vector instructions): the decoder's #UD rules. Without an H operand
  // VEX.vvvv must be 1111.
  kAvx = 1u << 15,
  kVexL0 = 1u << 16,   // VEX.L must be 0 (no 256-bit form)
  kVexL1 = 1u << 17,   // VEX.L must be 1 (256-bit only)
  kVexLig = 1u << 18,  // VEX.L ignored (scalar)
  kVexW0 = 1u << 19,   // VEX.W must be 0
  kVexImm = 1u << 20,  // an imm8 after three operands (the table has three slots)
  // The CPUID features an AVX instruction needs besides AVX (else #UD, as a CPU without them).
  kNeedAvx2 = 1u << 21,
  kAvx2At256 = 1u << 22,  // the 256-bit form needs AVX2 (integer operations)
  kNeedFma = 1u << 23,
  kNeedF16c = 1u << 24,
  kUndefAll = kUndefOF | kUndefSF | kUndefZF | kUndefAF | kUndefPF | kUndefCF,
};

struct Def {
  const char *name;
  uint8_t map;
  uint8_t opc;
  int8_t reg;   // ModRM.reg for group members, -1 for any
  uint8_t pfx;  // PfxClass
  uint8_t mod;  // ModClass
  Handler fn;
  uint16_t arg;  // handler-specific (the operation within the family)
  Opnd o[3];
  uint32_t flags;

  constexpr Def p(uint8_t v) const {
    Def d = *this;
    d.pfx = v;
    return d;
  }
  constexpr Def r(int8_t v) const {
    Def d = *this;
    d.reg = v;
    return d;
  }
  constexpr Def m(uint8_t v) const {
    Def d = *this;
    d.mod = v;
    return d;
  }
  constexpr bool has_modrm() const {
    for (Opnd x : o) {
      if ((x >= Opnd::Eb && x <= Opnd::Gq) || (x >= Opnd::V && x <= Opnd::N)) return true;
    }
    return reg >= 0 || mod != kModAny;
  }
};

// Builders for the table.
constexpr Def op(uint8_t map, uint8_t opc, const char *name, Handler fn, uint16_t arg,
                 Opnd a = Opnd::none, Opnd b = Opnd::none, Opnd c = Opnd::none,
                 uint32_t flags = 0) {
  return Def{name, map, opc, -1, kPfxAny, kModAny, fn, arg, {a, b, c}, flags};
}

// All instruction definitions (defs.cc).
const Def *all_defs(size_t *count);

enum Seg : uint8_t { kSegNone, kSegFS, kSegGS };

// A decoded instruction.
struct Insn {
  uint64_t pc = 0, next_pc = 0;
  unsigned len = 0;
  const Def *def = nullptr;
  // Prefixes.
  uint8_t rep = 0;  // 0, 0xf2 or 0xf3 (the last one)
  bool lock = false, opsize_prefix = false, addr32 = false;
  uint8_t seg = kSegNone;
  uint8_t rex = 0;  // 0x40-0x4f or 0
  bool vex = false;
  uint8_t vex_vvvv = 0, vex_l = 0, vex_w = 0;
  uint8_t map = kMap1, opc = 0;
  // ModRM.
  bool has_modrm = false;
  uint8_t mod = 0, reg = 0, rm = 0;  // reg and rm with the REX bits (rm: the register, mod 3)
  // Memory operand (mod != 3): base/index register numbers, -1 none, kRipBase for RIP-relative.
  int base = -1, index = -1;
  uint8_t scale = 0;
  uint8_t vsib_index = 0xff;  // the SIB index field with REX.X (a vector register for VSIB)
  int64_t disp = 0;
  uint64_t imm = 0, imm2 = 0;
  unsigned osize = 4;  // operand size of the v forms, in bytes

  static constexpr int kRipBase = 16;
  bool is_mem() const { return has_modrm && mod != 3; }
  bool rex_w() const { return vex ? vex_w : (rex & 8) != 0; }
};

enum class DecodeStatus : uint8_t {
  ok,
  undefined,   // no such instruction (#UD)
  too_long,    // more than 15 bytes (#GP)
  fetch_fault  // the bytes end before the instruction does (fault at pc + avail)
};

// Decodes the instruction at pc from bytes[0..avail).
DecodeStatus decode(const uint8_t *bytes, size_t avail, uint64_t pc, Insn *insn);

// The size in bytes of an operand of this form (1, 2, 4, 8, 16), 0 for none.
unsigned operand_size(const Insn &insn, Opnd form);

}  // namespace qemu::x86
