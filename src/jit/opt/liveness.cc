#include "jit/opt/liveness.h"

#include <vector>

#include "jit/opt/passes.h"

namespace qemu::jit {

namespace {

struct Live {
  const Ir &ir;
  std::vector<uint8_t> reg;  // the value is read later
  std::vector<uint8_t> mem;  // global: the CPU state must hold it later
  // The globals and TB temps (few, fixed), and the temps whose reg bit was set since the last
  // basic block boundary (possibly listed twice): block boundaries, faults and calls cost
  // what they touch, not the number of temps.
  std::vector<TempId> globals, tbs, touched;

  explicit Live(const Ir &i) : ir(i), reg(i.num_temps(), 0), mem(i.num_temps(), 0) {
    for (TempId t = 0; t < reg.size(); t++) {
      if (kind(t) == TempKind::global) globals.push_back(t);
      if (kind(t) == TempKind::tb) tbs.push_back(t);
    }
  }

  TempKind kind(TempId t) const { return ir.temp(t).kind; }

  void read(TempId t) {
    if (!reg[t]) touched.push_back(t);
    reg[t] = 1;
  }

  // Leaving the block: only the globals, in memory.
  void at_exit() {
    for (TempId t : touched) reg[t] = 0;
    touched.clear();
    globals_to_memory();
  }
  // End of a basic block that continues in the block: globals in memory, TB temps kept, the
  // block-local temps dead.
  void at_bb_end() {
    size_t keep = 0;
    for (TempId t : touched) {
      if (kind(t) == TempKind::bb) {
        reg[t] = 0;
      } else if (reg[t]) {
        touched[keep++] = t;
      }
    }
    touched.resize(keep);
    globals_to_memory();
    for (TempId t : tbs) read(t);
  }
  void globals_to_memory() {
    for (TempId t : globals) mem[t] = 1;
  }
  // A call that writes globals: their values before it are not read through registers.
  void globals_clobbered() {
    for (TempId t : globals) reg[t] = 0;
  }
};

}  // namespace

void backward_liveness(Ir &ir, bool remove_dead, bool annotate) {
  Live live(ir);
  live.at_exit();
  for (size_t n = ir.ops.size(); n-- > 0;) {
    Op &op = ir.ops[n];
    const Opcode opc = op.opc;
    if (opc == Opcode::nop) continue;
    // The state after the op, from the op's kind.
    if (op_has(opc, kNoReturn)) {
      if (opc == Opcode::br) {
        live.at_exit();
        live.at_bb_end();
      } else {
        live.at_exit();
      }
    } else if (op_has(opc, kBranch)) {
      live.at_bb_end();
    } else if (opc == Opcode::set_label) {
      live.at_bb_end();
    }
    // Outputs.
    bool pure = !op_has(opc, kSideEffects) || (opc == Opcode::call && call_is_pure(ir, op));
    bool used = false;
    for (unsigned i = 0; i < op.nout; i++) {
      TempId t = op.out(i);
      used |= live.reg[t] || live.mem[t];
    }
    if (remove_dead && pure && !used && op.nout > 0) {
      op = Op{};
      continue;
    }
    uint16_t life = 0;
    for (unsigned i = 0; i < op.nout; i++) {
      TempId t = op.out(i);
      if (!live.reg[t]) life |= 1u << i;
      if (live.mem[t]) life |= 1u << (8 + i);
      live.reg[t] = 0;
      live.mem[t] = 0;
    }
    // What the op needs before it.
    if (opc == Opcode::call) {
      if (call_writes_globals(ir, op)) live.globals_clobbered();
      if (call_reads_globals(ir, op)) live.globals_to_memory();
    } else if (op_has(opc, kCanFault)) {
      live.globals_to_memory();
    }
    for (unsigned i = 0; i < op.nin; i++) {
      TempId t = op.in(i);
      if (!live.reg[t]) {
        // The last use (an input listed twice is dead at its first listing only once).
        bool again = false;
        for (unsigned j = i + 1; j < op.nin; j++) again |= op.in(j) == t;
        if (!again) life |= 1u << (op.nout + i);
      }
    }
    for (unsigned i = 0; i < op.nin; i++) live.read(op.in(i));
    if (annotate) op.life = life;
  }
}

void compute_liveness(Ir &ir) {
  backward_liveness(ir, false, true);
}

}  // namespace qemu::jit
