// Every instruction the front end knows, once: opcode map, opcode, ModRM.reg (groups),
// mandatory prefix, operand forms, the handler of its family and flags. decode.cc builds the
// lookup index from this table; the differential test generates instructions from it.
#include <array>

#include "target/x86/decode.h"
#include "target/x86/defs_avx.h"
#include "target/x86/defs_crypto.h"
#include "target/x86/defs_sse.h"
#include "target/x86/translator.h"

namespace qemu::x86 {

namespace {

using O = Opnd;

constexpr Def op1(uint8_t opc, const char *name, Handler fn, uint16_t arg, O a = O::none,
                  O b = O::none, O c = O::none, uint32_t flags = 0) {
  return op(kMap1, opc, name, fn, arg, a, b, c, flags);
}
constexpr Def op2(uint8_t opc, const char *name, Handler fn, uint16_t arg, O a = O::none,
                  O b = O::none, O c = O::none, uint32_t flags = 0) {
  return op(kMap0F, opc, name, fn, arg, a, b, c, flags);
}
constexpr Def op38(uint8_t opc, const char *name, Handler fn, uint16_t arg, O a = O::none,
                   O b = O::none, O c = O::none, uint32_t flags = 0) {
  return op(kMap0F38, opc, name, fn, arg, a, b, c, flags);
}
constexpr Def vex38(uint8_t opc, const char *name, Handler fn, uint16_t arg, O a = O::none,
                    O b = O::none, O c = O::none, uint32_t flags = 0) {
  return op(kMapVex0F38, opc, name, fn, arg, a, b, c, flags);
}

constexpr uint32_t kNT = kNoTest;
constexpr uint32_t kShiftUndef = kUndefOF | kUndefAF;
constexpr uint32_t kMulUndef = kUndefSF | kUndefZF | kUndefAF | kUndefPF;
constexpr uint32_t kLogicUndef = kUndefAF;

// The eight ALU operations of 00-3F, 80-83.
constexpr const char *kAluNames[8] = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
constexpr const char *kShiftNames[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
constexpr const char *kBtNames[4] = {"bt", "bts", "btr", "btc"};

constexpr uint32_t alu_flags(int i) {
  uint32_t f = (i == 1 || i == 4 || i == 6) ? kLogicUndef : 0;
  return i == 7 ? f : f | kLock;
}
constexpr uint32_t shift_flags(int i) {
  return i < 4 ? kUndefOF : kShiftUndef;
}

constexpr size_t kMaxDefs = 1536;

struct Table {
  std::array<Def, kMaxDefs> d{};
  size_t n = 0;
  constexpr void add(const Def &x) { d[n++] = x; }
};

constexpr Table build() {
  Table t;
  // ALU.
  for (int i = 0; i < 8; i++) {
    const uint8_t base = static_cast<uint8_t>(i * 8);
    const char *nm = kAluNames[i];
    const uint32_t f = alu_flags(i);
    t.add(op1(base + 0, nm, tr_alu, i, O::Eb, O::Gb, O::none, f));
    t.add(op1(base + 1, nm, tr_alu, i, O::Ev, O::Gv, O::none, f));
    t.add(op1(base + 2, nm, tr_alu, i, O::Gb, O::Eb, O::none, f & ~kLock));
    t.add(op1(base + 3, nm, tr_alu, i, O::Gv, O::Ev, O::none, f & ~kLock));
    t.add(op1(base + 4, nm, tr_alu, i, O::AL, O::Ib, O::none, f & ~kLock));
    t.add(op1(base + 5, nm, tr_alu, i, O::rAX, O::Iz, O::none, f & ~kLock));
    t.add(op1(0x80, nm, tr_alu, i, O::Eb, O::Ib, O::none, f).r(static_cast<int8_t>(i)));
    t.add(op1(0x81, nm, tr_alu, i, O::Ev, O::Iz, O::none, f).r(static_cast<int8_t>(i)));
    t.add(op1(0x83, nm, tr_alu, i, O::Ev, O::Ibs, O::none, f).r(static_cast<int8_t>(i)));
  }
  // Shifts and rotates.
  for (int i = 0; i < 8; i++) {
    const char *nm = kShiftNames[i];
    const uint32_t f = shift_flags(i);
    const int8_t r = static_cast<int8_t>(i);
    t.add(op1(0xc0, nm, tr_shift, i, O::Eb, O::Ib, O::none, f).r(r));
    t.add(op1(0xc1, nm, tr_shift, i, O::Ev, O::Ib, O::none, f).r(r));
    t.add(op1(0xd0, nm, tr_shift, i, O::Eb, O::One, O::none, f).r(r));
    t.add(op1(0xd1, nm, tr_shift, i, O::Ev, O::One, O::none, f).r(r));
    t.add(op1(0xd2, nm, tr_shift, i, O::Eb, O::CL, O::none, f).r(r));
    t.add(op1(0xd3, nm, tr_shift, i, O::Ev, O::CL, O::none, f).r(r));
  }
  t.add(op2(0xa4, "shld", tr_shd, 0, O::Ev, O::Gv, O::Ib, kShiftUndef | kTestNo16));
  t.add(op2(0xa5, "shld", tr_shd, 0, O::Ev, O::Gv, O::CL, kShiftUndef | kTestNo16));
  t.add(op2(0xac, "shrd", tr_shd, 1, O::Ev, O::Gv, O::Ib, kShiftUndef | kTestNo16));
  t.add(op2(0xad, "shrd", tr_shd, 1, O::Ev, O::Gv, O::CL, kShiftUndef | kTestNo16));

  // test, inc/dec, not/neg, mul/div.
  t.add(op1(0x84, "test", tr_test, 0, O::Eb, O::Gb, O::none, kLogicUndef));
  t.add(op1(0x85, "test", tr_test, 0, O::Ev, O::Gv, O::none, kLogicUndef));
  t.add(op1(0xa8, "test", tr_test, 0, O::AL, O::Ib, O::none, kLogicUndef));
  t.add(op1(0xa9, "test", tr_test, 0, O::rAX, O::Iz, O::none, kLogicUndef));
  for (uint8_t opc : {uint8_t{0xf6}, uint8_t{0xf7}}) {
    const O e = opc == 0xf6 ? O::Eb : O::Ev;
    const O imm = opc == 0xf6 ? O::Ib : O::Iz;
    t.add(op1(opc, "test", tr_test, 0, e, imm, O::none, kLogicUndef).r(0));
    t.add(op1(opc, "test", tr_test, 0, e, imm, O::none, kLogicUndef).r(1));
    t.add(op1(opc, "not", tr_notneg, 0, e, O::none, O::none, kLock).r(2));
    t.add(op1(opc, "neg", tr_notneg, 1, e, O::none, O::none, kLock).r(3));
    t.add(op1(opc, "mul", tr_mul1, 0, e, O::none, O::none, kMulUndef).r(4));
    t.add(op1(opc, "imul", tr_mul1, 1, e, O::none, O::none, kMulUndef).r(5));
    t.add(op1(opc, "div", tr_div, 0, e, O::none, O::none, kUndefAll | kNT).r(6));
    t.add(op1(opc, "idiv", tr_div, 1, e, O::none, O::none, kUndefAll | kNT).r(7));
  }
  t.add(op1(0xfe, "inc", tr_incdec, 0, O::Eb, O::none, O::none, kLock).r(0));
  t.add(op1(0xfe, "dec", tr_incdec, 1, O::Eb, O::none, O::none, kLock).r(1));
  t.add(op1(0xff, "inc", tr_incdec, 0, O::Ev, O::none, O::none, kLock).r(0));
  t.add(op1(0xff, "dec", tr_incdec, 1, O::Ev, O::none, O::none, kLock).r(1));
  t.add(op2(0xaf, "imul", tr_imul, 0, O::Gv, O::Ev, O::none, kMulUndef));
  t.add(op1(0x69, "imul", tr_imul, 0, O::Gv, O::Ev, O::Iz, kMulUndef));
  t.add(op1(0x6b, "imul", tr_imul, 0, O::Gv, O::Ev, O::Ibs, kMulUndef));

  // Moves and conversions.
  t.add(op1(0x88, "mov", tr_mov, 0, O::Eb, O::Gb));
  t.add(op1(0x89, "mov", tr_mov, 0, O::Ev, O::Gv));
  t.add(op1(0x8a, "mov", tr_mov, 0, O::Gb, O::Eb));
  t.add(op1(0x8b, "mov", tr_mov, 0, O::Gv, O::Ev));
  t.add(op1(0xc6, "mov", tr_mov, 0, O::Eb, O::Ib).r(0));
  t.add(op1(0xc7, "mov", tr_mov, 0, O::Ev, O::Iz).r(0));
  for (uint8_t r = 0; r < 8; r++) {
    t.add(op1(0xb0 + r, "mov", tr_mov, 0, O::Zb, O::Ib));
    t.add(op1(0xb8 + r, "mov", tr_mov, 0, O::Zv, O::Iv));
    t.add(op1(0x50 + r, "push", tr_push, 0, O::Zq, O::none, O::none, kD64));
    t.add(op1(0x58 + r, "pop", tr_pop, 0, O::Zq, O::none, O::none, kD64));
    t.add(op1(0x90 + r, "xchg", tr_xchg, 0, O::Zv, O::rAX));
    t.add(op2(0xc8 + r, "bswap", tr_bswap, 0, O::Zv, O::none, O::none, kTestNo16));
  }
  t.add(op1(0xa0, "mov", tr_mov, 0, O::AL, O::Ob, O::none, kNT));
  t.add(op1(0xa1, "mov", tr_mov, 0, O::rAX, O::Ov, O::none, kNT));
  t.add(op1(0xa2, "mov", tr_mov, 0, O::Ob, O::AL, O::none, kNT));
  t.add(op1(0xa3, "mov", tr_mov, 0, O::Ov, O::rAX, O::none, kNT));
  t.add(op2(0xb6, "movzx", tr_movx, 0, O::Gv, O::Eb));
  t.add(op2(0xb7, "movzx", tr_movx, 0, O::Gv, O::Ew));
  t.add(op2(0xbe, "movsx", tr_movx, 1, O::Gv, O::Eb));
  t.add(op2(0xbf, "movsx", tr_movx, 1, O::Gv, O::Ew));
  t.add(op1(0x63, "movsxd", tr_movx, 1, O::Gv, O::Ed));
  t.add(op1(0x8d, "lea", tr_lea, 0, O::Gv, O::M).m(kModMem));
  t.add(op1(0x86, "xchg", tr_xchg, 0, O::Eb, O::Gb, O::none, kLock));
  t.add(op1(0x87, "xchg", tr_xchg, 0, O::Ev, O::Gv, O::none, kLock));
  t.add(op2(0xc0, "xadd", tr_xadd, 0, O::Eb, O::Gb, O::none, kLock));
  t.add(op2(0xc1, "xadd", tr_xadd, 0, O::Ev, O::Gv, O::none, kLock));
  t.add(op2(0xb0, "cmpxchg", tr_cmpxchg, 0, O::Eb, O::Gb, O::none, kLock));
  t.add(op2(0xb1, "cmpxchg", tr_cmpxchg, 0, O::Ev, O::Gv, O::none, kLock));
  t.add(
      op2(0xc7, "cmpxchg8b", tr_cmpxchg8b, 0, O::M, O::none, O::none, kLock | kNT).r(1).m(kModMem));
  t.add(op1(0xd7, "xlat", tr_xlat, 0, O::none, O::none, O::none, kNT));
  t.add(op1(0x98, "cbw", tr_cbw, 0));
  t.add(op1(0x99, "cwd", tr_cbw, 1));
  t.add(op1(0x9e, "sahf", tr_lahf_sahf, 1));
  t.add(op1(0x9f, "lahf", tr_lahf_sahf, 0));
  t.add(op1(0xf8, "clc", tr_flagop, 0));
  t.add(op1(0xf9, "stc", tr_flagop, 1));
  t.add(op1(0xf5, "cmc", tr_flagop, 2));
  t.add(op1(0xfc, "cld", tr_flagop, 3, O::none, O::none, O::none, kNT));
  t.add(op1(0xfd, "std", tr_flagop, 4, O::none, O::none, O::none, kNT));
  for (uint8_t cc = 0; cc < 16; cc++) {
    t.add(op2(0x40 + cc, "cmovcc", tr_cmov, 0, O::Gv, O::Ev));
    t.add(op2(0x90 + cc, "setcc", tr_setcc, 0, O::Eb));
    t.add(op1(0x70 + cc, "jcc", tr_jcc, 0, O::Jb, O::none, O::none, kF64 | kNT));
    t.add(op2(0x80 + cc, "jcc", tr_jcc, 0, O::Jz, O::none, O::none, kF64 | kNT));
  }

  // Bits.
  t.add(op2(0xa3, "bt", tr_bt, 0, O::Ev, O::Gv, O::none, kUndefAll & ~kUndefCF & ~kUndefZF));
  t.add(op2(0xab, "bts", tr_bt, 1, O::Ev, O::Gv, O::none,
            kLock | (kUndefAll & ~kUndefCF & ~kUndefZF)));
  t.add(op2(0xb3, "btr", tr_bt, 2, O::Ev, O::Gv, O::none,
            kLock | (kUndefAll & ~kUndefCF & ~kUndefZF)));
  t.add(op2(0xbb, "btc", tr_bt, 3, O::Ev, O::Gv, O::none,
            kLock | (kUndefAll & ~kUndefCF & ~kUndefZF)));
  for (int i = 0; i < 4; i++) {
    t.add(op2(0xba, kBtNames[i], tr_bt, i, O::Ev, O::Ib, O::none,
              (i ? uint32_t{kLock} : 0u) | (kUndefAll & ~kUndefCF & ~kUndefZF))
              .r(static_cast<int8_t>(4 + i)));
  }
  t.add(op2(0xbc, "bsf", tr_bitscan, 0, O::Gv, O::Ev, O::none, kUndefAll & ~kUndefZF));
  t.add(op2(0xbd, "bsr", tr_bitscan, 1, O::Gv, O::Ev, O::none, kUndefAll & ~kUndefZF));
  t.add(op2(0xbc, "tzcnt", tr_bitscan, 2, O::Gv, O::Ev, O::none, kUndefAll & ~kUndefZF & ~kUndefCF)
            .p(kPfxF3));
  t.add(op2(0xbd, "lzcnt", tr_bitscan, 3, O::Gv, O::Ev, O::none, kUndefAll & ~kUndefZF & ~kUndefCF)
            .p(kPfxF3));
  t.add(op2(0xb8, "popcnt", tr_bitscan, 4, O::Gv, O::Ev).p(kPfxF3));
  t.add(vex38(0xf2, "andn", tr_bmi, 0, O::Gy, O::By, O::Ey, kUndefAF | kUndefPF).p(kPfxNone));
  t.add(vex38(0xf7, "bextr", tr_bmi, 1, O::Gy, O::Ey, O::By, kUndefAF | kUndefPF | kUndefSF)
            .p(kPfxNone));
  t.add(
      vex38(0xf3, "blsi", tr_bmi, 2, O::By, O::Ey, O::none, kUndefAF | kUndefPF).p(kPfxNone).r(3));
  t.add(vex38(0xf3, "blsmsk", tr_bmi, 3, O::By, O::Ey, O::none, kUndefAF | kUndefPF)
            .p(kPfxNone)
            .r(2));
  t.add(
      vex38(0xf3, "blsr", tr_bmi, 4, O::By, O::Ey, O::none, kUndefAF | kUndefPF).p(kPfxNone).r(1));
  t.add(vex38(0xf5, "bzhi", tr_bmi, 5, O::Gy, O::Ey, O::By, kUndefAF | kUndefPF).p(kPfxNone));
  t.add(vex38(0xf5, "pdep", tr_bmi, 6, O::Gy, O::By, O::Ey).p(kPfxF2));
  t.add(vex38(0xf5, "pext", tr_bmi, 7, O::Gy, O::By, O::Ey).p(kPfxF3));
  t.add(vex38(0xf6, "mulx", tr_bmi, 8, O::Gy, O::By, O::Ey).p(kPfxF2));
  t.add(op(kMapVex0F3A, 0xf0, "rorx", tr_bmi, 9, O::Gy, O::Ey, O::Ib).p(kPfxF2));
  t.add(vex38(0xf7, "sarx", tr_bmi, 10, O::Gy, O::Ey, O::By).p(kPfxF3));
  t.add(vex38(0xf7, "shlx", tr_bmi, 11, O::Gy, O::Ey, O::By).p(kPfx66));
  t.add(vex38(0xf7, "shrx", tr_bmi, 12, O::Gy, O::Ey, O::By).p(kPfxF2));
  t.add(op38(0xf0, "movbe", tr_movbe, 0, O::Gv, O::Ev, O::none, kTestMemOnly).m(kModMem));
  t.add(op38(0xf1, "movbe", tr_movbe, 0, O::Ev, O::Gv, O::none, kTestMemOnly).m(kModMem));
  t.add(op38(0xf6, "adcx", tr_adx, 0, O::Gy, O::Ey).p(kPfx66));
  t.add(op38(0xf6, "adox", tr_adx, 1, O::Gy, O::Ey).p(kPfxF3));

  // Stack.
  t.add(op1(0x68, "push", tr_push, 0, O::Iz, O::none, O::none, kD64));
  t.add(op1(0x6a, "push", tr_push, 0, O::Ibs, O::none, O::none, kD64));
  t.add(op1(0xff, "push", tr_push, 0, O::Ev, O::none, O::none, kD64).r(6));
  t.add(op1(0x8f, "pop", tr_pop, 0, O::Ev, O::none, O::none, kD64).r(0));
  t.add(op1(0x9c, "pushf", tr_pushf, 0, O::none, O::none, O::none, kD64 | kNT));
  t.add(op1(0x9d, "popf", tr_popf, 0, O::none, O::none, O::none, kD64 | kNT));
  t.add(op1(0xc8, "enter", tr_enter, 0, O::Iw, O::Ib, O::none, kD64 | kNT));
  t.add(op1(0xc9, "leave", tr_leave, 0, O::none, O::none, O::none, kD64 | kNT));

  // Control.
  t.add(op1(0xeb, "jmp", tr_jmp, 0, O::Jb, O::none, O::none, kF64 | kNT));
  t.add(op1(0xe9, "jmp", tr_jmp, 0, O::Jz, O::none, O::none, kF64 | kNT));
  t.add(op1(0xe8, "call", tr_call, 0, O::Jz, O::none, O::none, kF64 | kNT));
  t.add(op1(0xff, "call", tr_call_ind, 0, O::Ev, O::none, O::none, kF64 | kNT).r(2));
  t.add(op1(0xff, "jmp", tr_jmp_ind, 0, O::Ev, O::none, O::none, kF64 | kNT).r(4));
  t.add(op1(0xc3, "ret", tr_ret, 0, O::none, O::none, O::none, kF64 | kNT));
  t.add(op1(0xc2, "ret", tr_ret, 0, O::Iw, O::none, O::none, kF64 | kNT));
  t.add(op1(0xe0, "loopne", tr_loop, 0, O::Jb, O::none, O::none, kF64 | kNT));
  t.add(op1(0xe1, "loope", tr_loop, 1, O::Jb, O::none, O::none, kF64 | kNT));
  t.add(op1(0xe2, "loop", tr_loop, 2, O::Jb, O::none, O::none, kF64 | kNT));
  t.add(op1(0xe3, "jrcxz", tr_loop, 3, O::Jb, O::none, O::none, kF64 | kNT));

  // Strings (arg: operation | 8 for the byte forms).
  t.add(op1(0xa4, "movsb", tr_string, 0 | 8, O::none, O::none, O::none, kNT));
  t.add(op1(0xa5, "movs", tr_string, 0, O::none, O::none, O::none, kNT));
  t.add(op1(0xa6, "cmpsb", tr_string, 1 | 8, O::none, O::none, O::none, kNT));
  t.add(op1(0xa7, "cmps", tr_string, 1, O::none, O::none, O::none, kNT));
  t.add(op1(0xaa, "stosb", tr_string, 2 | 8, O::none, O::none, O::none, kNT));
  t.add(op1(0xab, "stos", tr_string, 2, O::none, O::none, O::none, kNT));
  t.add(op1(0xac, "lodsb", tr_string, 3 | 8, O::none, O::none, O::none, kNT));
  t.add(op1(0xad, "lods", tr_string, 3, O::none, O::none, O::none, kNT));
  t.add(op1(0xae, "scasb", tr_string, 4 | 8, O::none, O::none, O::none, kNT));
  t.add(op1(0xaf, "scas", tr_string, 4, O::none, O::none, O::none, kNT));

  // System and miscellaneous.
  t.add(op2(0x05, "syscall", tr_syscall, 0, O::none, O::none, O::none, kNT));
  t.add(op2(0x0b, "ud2", tr_exception, kExcpUD, O::none, O::none, O::none, kNT));
  t.add(op1(0xcc, "int3", tr_int, 0, O::none, O::none, O::none, kNT));
  t.add(op1(0xcd, "int", tr_int, 0, O::Ib, O::none, O::none, kNT));
  t.add(op1(0xf4, "hlt", tr_exception, kExcpGP, O::none, O::none, O::none, kNT));
  t.add(op1(0xfa, "cli", tr_exception, kExcpGP, O::none, O::none, O::none, kNT));
  t.add(op1(0xfb, "sti", tr_exception, kExcpGP, O::none, O::none, O::none, kNT));
  for (uint8_t opc : {0x6c, 0x6d, 0x6e, 0x6f, 0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef}) {
    O imm = (opc & 0xf0) == 0xe0 && !(opc & 8) ? O::Ib : O::none;
    t.add(op1(opc, "in/out", tr_exception, kExcpGP, imm, O::none, O::none, kNT));
  }
  t.add(op2(0x06, "clts", tr_exception, kExcpGP, O::none, O::none, O::none, kNT));
  t.add(op2(0x09, "wbinvd", tr_exception, kExcpGP, O::none, O::none, O::none, kNT));
  t.add(op2(0x30, "wrmsr", tr_exception, kExcpGP, O::none, O::none, O::none, kNT));
  t.add(op2(0x32, "rdmsr", tr_exception, kExcpGP, O::none, O::none, O::none, kNT));
  t.add(op2(0x01, "0f01", tr_0f01, 0, O::none, O::none, O::none, kNT).m(kModReg).r(7));
  t.add(op2(0x01, "xgetbv", tr_xgetbv, 0, O::none, O::none, O::none, kNT).m(kModReg).r(2));
  t.add(op2(0xae, "xsave", tr_xsave, 0, O::M, O::none, O::none, kNT).r(4).m(kModMem));
  t.add(op2(0xae, "xrstor", tr_xsave, 1, O::M, O::none, O::none, kNT).r(5).m(kModMem));
  t.add(op2(0xae, "xsaveopt", tr_xsave, 2, O::M, O::none, O::none, kNT).r(6).m(kModMem));
  t.add(op2(0xc7, "xsavec", tr_xsave, 3, O::M, O::none, O::none, kNT).r(4).m(kModMem));
  t.add(op2(0xa2, "cpuid", tr_cpuid, 0, O::none, O::none, O::none, kNT));
  t.add(op2(0x31, "rdtsc", tr_rdtsc, 0, O::none, O::none, O::none, kNT));
  t.add(op2(0xc7, "rdrand", tr_rdrand, 0, O::Ev, O::none, O::none, kNT).r(6).m(kModReg));
  t.add(op2(0xc7, "rdseed", tr_rdrand, 0, O::Ev, O::none, O::none, kNT).r(7).m(kModReg));
  t.add(op2(0x1f, "nop", tr_nop, 0, O::Ev));
  for (uint8_t opc = 0x19; opc <= 0x1e; opc++) t.add(op2(opc, "nop", tr_nop, 0, O::Ev));
  for (int8_t r = 0; r < 8; r++) t.add(op2(0x18, "prefetch", tr_nop, 0, O::Ev).r(r));
  t.add(op2(0x0d, "prefetchw", tr_nop, 0, O::Ev, O::none, O::none, kTestMemOnly).m(kModMem));
  t.add(op2(0xae, "lfence", tr_fence, 0, O::none, O::none, O::none, kNT).r(5).m(kModReg));
  t.add(op2(0xae, "mfence", tr_fence, 0, O::none, O::none, O::none, kNT).r(6).m(kModReg));
  t.add(op2(0xae, "sfence", tr_fence, 0, O::none, O::none, O::none, kNT).r(7).m(kModReg));
  t.add(op2(0xae, "clflush", tr_nop, 0, O::M, O::none, O::none, kNT).r(7).m(kModMem));
  for (uint8_t opc = 0xd8; opc <= 0xdf; opc++) {
    t.add(op1(opc, "x87", tr_x87, 0, O::Ew, O::none, O::none, kNT));
  }
  t.add(op1(0x9b, "fwait", tr_fwait, 0, O::none, O::none, O::none, kNT));
  sse_defs::add(t);
  avx_defs::add(t);
  crypto_defs::add(t);
  return t;
}

constexpr Table kTable = build();

}  // namespace

const Def *all_defs(size_t *count) {
  *count = kTable.n;
  return kTable.d.data();
}

}  // namespace qemu::x86
