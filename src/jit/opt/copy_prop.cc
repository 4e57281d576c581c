#include <vector>

#include "jit/opt/passes.h"

namespace qemu::jit {

namespace {

// Which temps are copies of which: src_ per copy, and per source a doubly linked list of its
// copies (head_, next_, prev_) so that redefining either end is O(1) per link; sources_ lists
// the temps that may have copies, so that block boundaries cost what is live, not the number
// of temps.
class Copies {
 public:
  explicit Copies(const Ir &ir)
      : src_(ir.num_temps(), kNone),
        head_(ir.num_temps(), kNone),
        next_(ir.num_temps(), kNone),
        prev_(ir.num_temps(), kNone),
        listed_(ir.num_temps(), 0) {}

  TempId resolve(TempId t) const { return t < src_.size() && src_[t] != kNone ? src_[t] : t; }

  // t gets a new value: it is no longer a copy, and its copies are no longer copies of it.
  void redefine(TempId t) {
    unlink(t);
    drop_copies_of(t);
  }

  void record(TempId d, TempId s) {
    if (d == s) return;
    src_[d] = s;
    prev_[d] = kNone;
    next_[d] = head_[s];
    if (head_[s] != kNone) prev_[head_[s]] = d;
    head_[s] = d;
    if (!listed_[s]) {
      listed_[s] = 1;
      sources_.push_back(s);
    }
  }

  // Drops every relation for which keep_source(source) is false.
  template <typename F>
  void drop_sources_unless(F keep_source) {
    size_t kept = 0;
    for (TempId s : sources_) {
      if (head_[s] != kNone && keep_source(s)) {
        sources_[kept++] = s;
        continue;
      }
      drop_copies_of(s);
      listed_[s] = 0;
    }
    sources_.resize(kept);
  }
  void drop_temp(TempId t) { redefine(t); }

 private:
  static constexpr TempId kNone = ~0u;

  void drop_copies_of(TempId s) {
    for (TempId d = head_[s]; d != kNone;) {
      const TempId n = next_[d];
      src_[d] = next_[d] = prev_[d] = kNone;
      d = n;
    }
    head_[s] = kNone;
  }
  void unlink(TempId d) {
    const TempId s = src_[d];
    if (s == kNone) return;
    if (prev_[d] != kNone) {
      next_[prev_[d]] = next_[d];
    } else {
      head_[s] = next_[d];
    }
    if (next_[d] != kNone) prev_[next_[d]] = prev_[d];
    src_[d] = next_[d] = prev_[d] = kNone;
  }

  std::vector<TempId> src_, head_, next_, prev_;
  std::vector<uint8_t> listed_;
  std::vector<TempId> sources_;
};

}  // namespace

void propagate_copies(Ir &ir) {
  Copies copies(ir);
  auto kind = [&](TempId t) { return ir.temp(t).kind; };
  std::vector<TempId> globals;
  for (TempId t = 0; t < ir.num_temps(); t++) {
    if (kind(t) == TempKind::global) globals.push_back(t);
  }
  for (Op &op : ir.ops) {
    const Opcode opc = op.opc;
    if (opc == Opcode::set_label) copies.drop_sources_unless([](TempId) { return false; });
    for (unsigned i = 0; i < op.nin; i++) op.set_in(i, copies.resolve(op.in(i)));
    if (opc == Opcode::call && call_writes_globals(ir, op)) {
      for (TempId t : globals) copies.drop_temp(t);
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
