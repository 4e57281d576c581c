// x87 operations, executed by one helper on the CPU state with the host's x87 unit (80-bit
// long double and the x87 instructions themselves), so results match the hardware bit for bit.
#pragma once

#include <cstdint>

#include "jit/ir/ir.h"

namespace qemu::x86 {

enum X87Op : uint16_t {
  // ST0 = ST0 op value; the value: a = bits of an m32fp/m64fp/m16int/m32int (b: its kind).
  kFaddM,
  kFmulM,
  kFcomM,
  kFcompM,
  kFsubM,
  kFsubrM,
  kFdivM,
  kFdivrM,
  // Register forms: a = i. ST0 = ST0 op ST(i) (kFaddSt..) / ST(i) = ST(i) op ST0 (kFaddTo..,
  // b = 1: pop after).
  kFaddSt,
  kFmulSt,
  kFcomSt,
  kFcompSt,
  kFsubSt,
  kFsubrSt,
  kFdivSt,
  kFdivrSt,
  kFaddTo,
  kFmulTo,
  kFcomTo_unused,
  kFcompTo_unused,
  kFsubTo,
  kFsubrTo,
  kFdivTo,
  kFdivrTo,
  kFld,     // push a converted from kind b (0 m32fp, 1 m64fp, 2 m16int, 3 m32int, 4 m64int,
            // 5 m80fp, 10 m80bcd: the top 2 bytes in helper_out[0])
  kFldSt,   // push ST(a)
  kFst,     // return ST0 converted to kind b (2..4 integers rounded, 6.. truncated); a: the
            // destination's host address (an unmasked exception returns what is there)
  kFstSt,   // ST(a) = ST0; b = 1 pop
  kFxch,    // a = i
  kFconst,  // push constant a (0 1, 1 l2t, 2 l2e, 3 pi, 4 lg2, 5 ln2, 6 zero)
  kFunary,  // a: 0 fchs 1 fabs 2 ftst 3 fxam 4 f2xm1 5 fyl2x 6 fptan 7 fpatan 8 fxtract
            // 9 fprem1 10 fdecstp 11 fincstp 12 fprem 13 fyl2xp1 14 fsqrt 15 fsincos
            // 16 frndint 17 fscale 18 fsin 19 fcos
  kFucom,   // a = i, b = number of pops (0, 1, 2)
  kFcomi,   // a = i, b: bit 0 pop, bit 1 quiet (fucomi); returns EFLAGS (ZF PF CF)
  kFcmov,   // a = i, b = condition true
  kFfree,   // a = i
  kFninit,
  kFnclex,
  kFldcw,    // a = control word
  kFnstsw,   // returns the status word
  kFnstenv,  // a = host address (28 bytes); b = 1 fnsave (108 bytes, then fninit)
  kFldenv,   // a = host address; b = 1 frstor
  kFpop,     // pop (after a store that did not fault; none after one an unmasked exception
             // suppressed)
  kFwait,    // fwait, fnop: nothing but a pending #MF
};

// (env, op, a, b) -> result.
extern const jit::HelperInfo kHelperX87;

}  // namespace qemu::x86
