// x87 (D8-DF): decoded here by opcode, ModRM.reg and register/memory form; executed by the x87
// helper. Memory operands are loaded and stored in IR (precise faults).
#include "target/x86/translator.h"
#include "target/x86/x87.h"

namespace qemu::x86 {

using jit::Opcode;
using jit::Type;

namespace {

TempId x87v(Translator &t, uint64_t op, TempId a, TempId b) {
  return t.call(kHelperX87, {t.env_ptr(), t.cst(op), a, b});
}
TempId x87(Translator &t, uint64_t op, uint64_t a = 0, uint64_t b = 0) {
  return x87v(t, op, t.cst(a), t.cst(b));
}

// Memory forms.
void x87_mem(Translator &t, const Insn &in, unsigned opc, unsigned r) {
  TempId addr = t.ea(in);
  auto load_op = [&](unsigned size, unsigned kind, uint64_t op) {
    x87v(t, op, t.load(addr, size), t.cst(kind));
  };
  // 80-bit operands (extended real or packed BCD): 8 + 2 bytes.
  auto load80 = [&](unsigned kind) {
    TempId mant = t.load(addr, 8);
    TempId exp = t.load(t.binop(Opcode::add, addr, t.cst(8)), 2);
    t.b.st_env(Type::i64, exp, offsetof(CpuX86, helper_out), jit::kMo64);
    x87v(t, kFld, mant, t.cst(kind));
  };
  auto store80 = [&](unsigned kind) {
    // Probe the last bytes first: nothing may change when the store faults.
    TempId hi = t.binop(Opcode::add, addr, t.cst(8));
    t.load(hi, 2);
    TempId mant = x87v(t, kFst, t.host_addr(addr), t.cst(kind));
    TempId exp = t.tmp();
    t.b.ld_env(Type::i64, exp, offsetof(CpuX86, helper_out), jit::kMo64);
    t.store(hi, 2, exp);  // the high part first: running into an unwritable page changes nothing
    t.store(addr, 8, mant);
    x87(t, kFpop);  // only once the stores are done: a faulting store restarts cleanly
  };
  auto store = [&](unsigned size, unsigned kind, bool pop) {
    TempId v = x87v(t, kFst, t.host_addr(addr), t.cst(kind));
    t.store(addr, size, v);
    if (pop) x87(t, kFpop);
  };
  switch (opc) {
    case 0:  // D8: m32fp arithmetic
    case 2:  // DA: m32int
    case 4:  // DC: m64fp
    case 6:  // DE: m16int
    {
      static constexpr unsigned kSize[] = {4, 0, 4, 0, 8, 0, 2};
      static constexpr unsigned kKind[] = {0, 0, 3, 0, 1, 0, 2};
      load_op(kSize[opc], kKind[opc], kFaddM + r);
      return;
    }
    case 1:  // D9
      switch (r) {
        case 0:
          load_op(4, 0, kFld);
          return;
        case 2:
        case 3:
          store(4, 0, r == 3);
          return;
        case 4:
        case 6:
          t.load(addr, 4);
          t.load(t.binop(Opcode::add, addr, t.cst(27)), 1);
          x87v(t, r == 4 ? kFldenv : kFnstenv, t.host_addr(addr), t.cst(0));
          return;
        case 5:
          x87v(t, kFldcw, t.load(addr, 2), t.cst(0));
          return;
        case 7: {
          TempId cw = t.tmp();
          t.b.ld_env(Type::i64, cw, offsetof(CpuX86, fpuc), jit::kMo16);
          t.store(addr, 2, cw);
          return;
        }
        default:
          break;
      }
      break;
    case 3:  // DB
      switch (r) {
        case 0:
          load_op(4, 3, kFld);
          return;
        case 1:
          store(4, 7, true);
          return;
        case 2:
        case 3:
          store(4, 3, r == 3);
          return;
        case 5:
          load80(5);
          return;
        case 7:
          store80(9);
          return;
        default:
          break;
      }
      break;
    case 5:  // DD
      switch (r) {
        case 0:
          load_op(8, 1, kFld);
          return;
        case 1:
          store(8, 8, true);
          return;
        case 2:
        case 3:
          store(8, 1, r == 3);
          return;
        case 4:
        case 6:
          t.load(addr, 4);
          t.load(t.binop(Opcode::add, addr, t.cst(107)), 1);
          x87v(t, r == 4 ? kFldenv : kFnstenv, t.host_addr(addr), t.cst(1));
          return;
        case 7:
          t.store(addr, 2, x87(t, kFnstsw));
          return;
        default:
          break;
      }
      break;
    default:  // DF
      switch (r) {
        case 0:
          load_op(2, 2, kFld);
          return;
        case 1:
          store(2, 6, true);
          return;
        case 2:
        case 3:
          store(2, 2, r == 3);
          return;
        case 4:
          load80(10);  // fbld
          return;
        case 5:
          load_op(8, 4, kFld);
          return;
        case 6:
          store80(11);  // fbstp
          return;
        case 7:
          store(8, 4, true);
          return;
        default:
          break;
      }
      break;
  }
  t.gen_exception(kExcpUD, in.pc);
}

void x87_reg(Translator &t, const Insn &in, unsigned opc, unsigned r) {
  const unsigned i = in.rm & 7;
  switch (opc) {
    case 0:  // D8: st0 = st0 op st(i)
      x87(t, kFaddSt + r, i);
      return;
    case 1:  // D9
      switch (r) {
        case 0:
          x87(t, kFldSt, i);
          return;
        case 1:
          x87(t, kFxch, i);
          return;
        case 2:
          if (i == 0) {  // fnop
            x87(t, kFwait);
            return;
          }
          break;
        case 4: {
          static constexpr int kOps[8] = {0, 1, -1, -1, 2, 3, -1, -1};
          if (kOps[i] < 0) break;
          x87(t, kFunary, static_cast<uint64_t>(kOps[i]));
          return;
        }
        case 5:
          if (i == 7) break;
          x87(t, kFconst, i);
          return;
        case 6:
          x87(t, kFunary, 4 + i);
          return;
        case 7:
          x87(t, kFunary, 12 + i);
          return;
        default:
          break;
      }
      break;
    case 2:  // DA: fcmovb/e/be/u, fucompp
    case 3:  // DB: fcmovnb/ne/nbe/nu, fnclex, fninit, fucomi, fcomi
      if (r < 4) {
        static constexpr unsigned kCc[4] = {2, 4, 6, 10};
        x87v(t, kFcmov, t.cst(i), t.setcc(kCc[r] | (opc == 3 ? 1 : 0)));
        return;
      }
      if (opc == 2 && r == 5 && i == 1) {
        x87(t, kFucom, 1, 2);
        return;
      }
      if (opc == 3 && r == 4 && (i == 2 || i == 3)) {
        x87(t, i == 2 ? kFnclex : kFninit);
        return;
      }
      if (opc == 3 && (r == 5 || r == 6)) {
        t.set_flags(x87(t, kFcomi, i, r == 5 ? 2 : 0));
        return;
      }
      break;
    case 4: {  // DC: st(i) = st(i) op st0
      static constexpr unsigned kK[8] = {0, 1, 2, 3, 5, 4, 7, 6};
      if (r == 2 || r == 3) {
        x87(t, kFaddSt + r, i);
        return;
      }
      x87(t, kFaddTo + kK[r], i, 0);
      return;
    }
    case 5:  // DD
      switch (r) {
        case 0:
          x87(t, kFfree, i);
          return;
        case 2:
        case 3:
          x87(t, kFstSt, i, r == 3);
          return;
        case 4:
        case 5:
          x87(t, kFucom, i, r == 5);
          return;
        default:
          break;
      }
      break;
    case 6: {  // DE: ...p forms
      static constexpr unsigned kK[8] = {0, 1, 2, 3, 5, 4, 7, 6};
      if (r == 3 && i == 1) {
        x87(t, kFcompSt, 1, 1);  // fcompp
        return;
      }
      if (r == 2 || r == 3) break;
      x87(t, kFaddTo + kK[r], i, 1);
      return;
    }
    default:  // DF
      if (r == 4 && i == 0) {
        t.set_reg(in, RAX, 2, x87(t, kFnstsw));
        return;
      }
      if (r == 5 || r == 6) {
        t.set_flags(x87(t, kFcomi, i, r == 5 ? 3 : 1));
        return;
      }
      break;
  }
  t.gen_exception(kExcpUD, in.pc);
}

}  // namespace

void tr_fwait(Translator &t, const Insn &) {
  x87(t, kFwait);
}

void tr_x87(Translator &t, const Insn &in) {
  const unsigned opc = in.opc - 0xd8, r = in.reg & 7;
  if (in.is_mem()) {
    x87_mem(t, in, opc, r);
  } else {
    x87_reg(t, in, opc, r);
  }
}

}  // namespace qemu::x86
