#include <vector>

#include "jit/opt/passes.h"

namespace qemu::jit {

namespace {

class Copies {
 public:
  explicit Copies(const Ir &ir) : ir_(ir), src_(ir.num_temps(), kNone), dsts_(ir.num_temps()) {}

  TempId resolve(TempId t) const { return t < src_.size() && src_[t] != kNone ? src_[t] : t; }

  // t gets a new value: it is no longer a copy, and its copies are no longer copies of it.
  void redefine(TempId t) {
    unlink(t);
    for (TempId d : dsts_[t]) src_[d] = kNone;
    dsts_[t].clear();
  }

  void record(TempId d, TempId s) {
    if (d == s) return;
    src_[d] = s;
    dsts_[s].push_back(d);
  }

  // Drops every relation for which keep_source(source) is false.
  template <typename F>
  void drop_sources_unless(F keep_source) {
    for (TempId s = 0; s < dsts_.size(); s++) {
      if (dsts_[s].empty() || keep_source(s)) continue;
      for (TempId d : dsts_[s]) src_[d] = kNone;
      dsts_[s].clear();
    }
  }
  void drop_temp(TempId t) { redefine(t); }

 private:
  static constexpr TempId kNone = ~0u;

  void unlink(TempId d) {
    TempId s = src_[d];
    if (s == kNone) return;
    std::erase(dsts_[s], d);
    src_[d] = kNone;
  }

  const Ir &ir_;
  std::vector<TempId> src_;
  std::vector<std::vector<TempId>> dsts_;
};

}  // namespace

void propagate_copies(Ir &ir) {
  Copies copies(ir);
  auto kind = [&](TempId t) { return ir.temp(t).kind; };
  for (Op &op : ir.ops) {
    const Opcode opc = op.opc;
    if (opc == Opcode::set_label) copies.drop_sources_unless([](TempId) { return false; });
    for (unsigned i = 0; i < op.nin; i++) op.set_in(i, copies.resolve(op.in(i)));
    if (opc == Opcode::call && call_writes_globals(ir, op)) {
      for (TempId t = 0; t < ir.num_temps(); t++) {
        if (kind(t) == TempKind::global) copies.drop_temp(t);
      }
    }
    for (unsigned i = 0; i < op.nout; i++) copies.redefine(op.out(i));
    if (opc == Opcode::mov) {
      if (op.out(0) == op.in(0)) {
        op = Op{};
        continue;
      }
      copies.record(op.out(0), op.in(0));
    }
    // Block-local temps die at the end of their basic block.
    if (op_has(opc, kBranch)) {
      copies.drop_sources_unless([&](TempId s) { return kind(s) != TempKind::bb; });
    }
  }
}

}  // namespace qemu::jit
