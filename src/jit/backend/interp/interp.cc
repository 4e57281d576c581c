#include "jit/backend/interp/interp.h"

#include <cstring>

#include "jit/ir/eval.h"

namespace qemu::jit {

struct Interpreter::State {
  const Ir &ir;
  const std::vector<size_t> &label_pos;
  const Slot *slots;
  uint8_t *env;
  GuestMemory &mem;
  uint64_t *vals;
  size_t pc = 0;  // index of the next op
  ExitResult result{ExitKind::fell_off};

  uint64_t get(TempId t) const {
    const Slot &sl = slots[t];
    if (!sl.global) return vals[t];
    if (sl.i32) {
      uint32_t v;
      std::memcpy(&v, env + sl.offset, 4);
      return v;
    }
    uint64_t v;
    std::memcpy(&v, env + sl.offset, 8);
    return v;
  }
  void set(TempId t, uint64_t v) {
    const Slot &sl = slots[t];
    if (!sl.global) {
      vals[t] = v & (sl.i32 ? 0xffffffffull : ~0ull);
    } else if (sl.i32) {
      uint32_t v32 = static_cast<uint32_t>(v);
      std::memcpy(env + sl.offset, &v32, 4);
    } else {
      std::memcpy(env + sl.offset, &v, 8);
    }
  }
};

namespace {

using State = Interpreter::State;

enum Step : bool { kNext = false, kStop = true };

uint64_t extend(uint64_t v, uint32_t memop, Type t) {
  unsigned bits = memop_size(memop) * 8;
  if ((memop & kMoSign) && bits < 64) v = detail::sext(v, bits);
  return v & type_mask(t);
}

// The primary template runs the foldable ops through their evaluation; every other op
// specializes it below.
template <Opcode O>
Step exec(State &s, const Op &op) {
  static_assert(op_has(O, kFoldable), "an op that is not foldable needs its own exec");
  uint64_t in[kMaxArgs], out[2];
  for (unsigned i = 0; i < op.nin; i++) in[i] = s.get(op.in(i));
  detail::eval<O>(op.type, in, &op.args[op.nout + op.nin], out);
  for (unsigned i = 0; i < op.nout; i++) s.set(op.out(i), out[i]);
  return kNext;
}

template <>
Step exec<Opcode::set_label>(State &, const Op &) {
  return kNext;
}

template <>
Step exec<Opcode::br>(State &s, const Op &op) {
  s.pc = s.label_pos[op.cst(0)];
  return kNext;
}

template <>
Step exec<Opcode::brcond>(State &s, const Op &op) {
  if (eval_cond(op.type, static_cast<Cond>(op.cst(0)), s.get(op.in(0)), s.get(op.in(1)))) {
    s.pc = s.label_pos[op.cst(1)];
  }
  return kNext;
}

template <>
Step exec<Opcode::ld>(State &s, const Op &op) {
  auto *p = reinterpret_cast<const uint8_t *>(s.get(op.in(0))) + static_cast<int64_t>(op.cst(1));
  uint64_t v = 0;
  std::memcpy(&v, p, memop_size(op.cst(0)));  // little-endian host
  s.set(op.out(0), extend(v, static_cast<uint32_t>(op.cst(0)), op.type));
  return kNext;
}

template <>
Step exec<Opcode::st>(State &s, const Op &op) {
  auto *p = reinterpret_cast<uint8_t *>(s.get(op.in(1))) + static_cast<int64_t>(op.cst(1));
  uint64_t v = s.get(op.in(0));
  std::memcpy(p, &v, memop_size(op.cst(0)));
  return kNext;
}

template <>
Step exec<Opcode::qemu_ld>(State &s, const Op &op) {
  uint64_t addr = s.get(op.in(0)), v = 0;
  uint32_t mo = static_cast<uint32_t>(op.cst(0));
  if (!s.mem.load(addr, memop_size(mo), &v)) {
    s.result.kind = ExitKind::fault;
    s.result.value = addr;
    return kStop;
  }
  s.set(op.out(0), extend(v, mo, op.type));
  return kNext;
}

template <>
Step exec<Opcode::qemu_st>(State &s, const Op &op) {
  uint64_t addr = s.get(op.in(1));
  unsigned size = memop_size(static_cast<uint32_t>(op.cst(0)));
  uint64_t v = s.get(op.in(0));
  if (size < 8) v &= (1ull << (size * 8)) - 1;
  if (!s.mem.store(addr, size, v)) {
    s.result.kind = ExitKind::fault;
    s.result.value = addr;
    return kStop;
  }
  return kNext;
}

template <>
Step exec<Opcode::call>(State &s, const Op &op) {
  const HelperInfo &h = s.ir.helper(op.cst(0));
  uint64_t a[kMaxCallArgs] = {};
  for (unsigned i = 0; i < op.nin; i++) a[i] = s.get(op.in(i));
  using U = uint64_t;
  U r = 0;
  switch (op.nin) {
    case 0:
      r = reinterpret_cast<U (*)()>(h.fn)();
      break;
    case 1:
      r = reinterpret_cast<U (*)(U)>(h.fn)(a[0]);
      break;
    case 2:
      r = reinterpret_cast<U (*)(U, U)>(h.fn)(a[0], a[1]);
      break;
    case 3:
      r = reinterpret_cast<U (*)(U, U, U)>(h.fn)(a[0], a[1], a[2]);
      break;
    case 4:
      r = reinterpret_cast<U (*)(U, U, U, U)>(h.fn)(a[0], a[1], a[2], a[3]);
      break;
    case 5:
      r = reinterpret_cast<U (*)(U, U, U, U, U)>(h.fn)(a[0], a[1], a[2], a[3], a[4]);
      break;
    default:
      r = reinterpret_cast<U (*)(U, U, U, U, U, U)>(h.fn)(a[0], a[1], a[2], a[3], a[4], a[5]);
      break;
  }
  if (op.nout) s.set(op.out(0), r);
  return kNext;
}

template <>
Step exec<Opcode::mb>(State &, const Op &) {
  return kNext;
}

template <>
Step exec<Opcode::exit_tb>(State &s, const Op &op) {
  s.result.kind = ExitKind::exit_tb;
  s.result.value = op.cst(0);
  return kStop;
}

// Unchained: the exit_tb that follows leaves the block.
template <>
Step exec<Opcode::goto_tb>(State &, const Op &) {
  return kNext;
}

template <>
Step exec<Opcode::goto_ptr>(State &s, const Op &op) {
  s.result.kind = ExitKind::goto_ptr;
  s.result.value = s.get(op.in(0));
  return kStop;
}

template <>
Step exec<Opcode::insn_start>(State &s, const Op &op) {
  s.result.insn_pc = op.cst(0);
  s.result.insn_extra = op.cst(1);
  return kNext;
}

template <>
Step exec<Opcode::nop>(State &, const Op &) {
  return kNext;
}

// The dispatch, generated from the table.
constexpr Step (*kDispatch[])(State &, const Op &) = {
#define JIT_OP(name, nout, nin, ncst, flags) &exec<Opcode::name>,
#include "jit/ir/ops.def"
#undef JIT_OP
};

}  // namespace

Interpreter::Interpreter(const Ir &ir) : ir_(ir), label_pos_(ir.num_labels(), 0) {
  for (size_t i = 0; i < ir.ops.size(); i++) {
    if (ir.ops[i].opc == Opcode::set_label) label_pos_[ir.ops[i].cst(0)] = i;
  }
  init_.assign(ir.num_temps(), 0);
  slots_.resize(ir.num_temps());
  for (TempId t = 0; t < ir.num_temps(); t++) {
    const TempInfo &ti = ir.temp(t);
    if (ti.kind == TempKind::konst) init_[t] = ti.value;
    slots_[t] = {ti.kind == TempKind::global ? ti.offset : -1, ti.kind == TempKind::global,
                 ti.type == Type::i32};
  }
}

namespace {

// Per thread: the values of the temps of each run() in progress (nested runs, from helpers,
// get their own), and the innermost run's result.
struct Scratch {
  std::vector<std::vector<uint64_t>> frames;
  size_t depth = 0;
  const ExitResult *current = nullptr;
};
thread_local Scratch t_scratch;

}  // namespace

const ExitResult *Interpreter::current() {
  return t_scratch.current;
}

void Interpreter::unwind() {
  t_scratch.depth = 0;
  t_scratch.current = nullptr;
}

ExitResult Interpreter::run(void *env, GuestMemory &mem) {
  Scratch &sc = t_scratch;
  if (sc.frames.size() <= sc.depth) sc.frames.resize(sc.depth + 1);
  std::vector<uint64_t> &vals = sc.frames[sc.depth++];
  if (vals.size() < init_.size()) vals.resize(init_.size());
  std::memcpy(vals.data(), init_.data(), init_.size() * sizeof(uint64_t));
  State s{ir_, label_pos_, slots_.data(), static_cast<uint8_t *>(env), mem, vals.data()};
  s.vals[Ir::kEnv] = reinterpret_cast<uintptr_t>(env);
  const ExitResult *outer = sc.current;
  sc.current = &s.result;
  const size_t n = ir_.ops.size();
  const Op *ops = ir_.ops.data();
  while (s.pc < n) {
    const Op &op = ops[s.pc++];
    if (kDispatch[static_cast<size_t>(op.opc)](s, op) == kStop) break;
  }
  sc.current = outer;
  sc.depth--;
  return s.result;
}

}  // namespace qemu::jit
