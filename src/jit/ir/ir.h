// The IR of one translation block: temps, labels, helpers and the op list.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "jit/ir/opcode.h"

namespace qemu::jit {

using TempId = uint32_t;
using LabelId = uint32_t;

enum class TempKind : uint8_t {
  env,     // the pointer to the CPU state (temp 0), fixed for the whole block
  global,  // a field of the CPU state (a guest register), in memory at exits and faults
  tb,      // lives across branches within the block
  bb,      // dead at the end of its basic block
  konst,   // a constant
};

struct TempInfo {
  Type type;
  TempKind kind;
  int64_t offset = 0;  // global: the field's offset in the CPU state
  uint64_t value = 0;  // konst: the value (zero-extended when i32)
  std::string name;    // global: the name printed
};

// Helper flags.
enum HelperFlag : uint32_t {
  kHelperNoSideEffects = 1u << 0,  // pure: removable when its result is unused; no globals
  kHelperReadsGlobals = 1u << 1,   // reads the globals in memory but writes none
  kHelperNoGlobals = 1u << 2,      // neither reads nor writes globals (but may have effects)
};

inline constexpr unsigned kMaxCallArgs = 6;

// A function callable from generated code. Its arguments and result are uint64_t (pointers
// too); fn is a uint64_t(*)(uint64_t x nargs) cast to GenericFn.
struct HelperInfo {
  using GenericFn = void (*)();
  const char *name;
  GenericFn fn;
  uint8_t nargs;
  bool has_result;
  uint32_t flags;
};

inline constexpr unsigned kMaxArgs = 8;

struct Op {
  Opcode opc = Opcode::nop;
  Type type = Type::i64;
  uint8_t nout = 0, nin = 0, ncst = 0;
  // Set by the liveness pass: bit i for arg i (an output or input) whose temp is dead after
  // this op; bit 8+i for an output that is a global and must be stored to memory.
  uint16_t life = 0;
  // Set by narrow_by_demand on an i64 op whose result is read only in its low 32 bits: a
  // backend may compute just those (and zero the rest).
  bool low32 = false;
  std::array<uint64_t, kMaxArgs> args{};  // outputs, then inputs (TempId), then constants

  TempId out(unsigned i) const { return static_cast<TempId>(args[i]); }
  TempId in(unsigned i) const { return static_cast<TempId>(args[nout + i]); }
  uint64_t cst(unsigned i) const { return args[nout + nin + i]; }
  void set_in(unsigned i, TempId t) { args[nout + i] = t; }
  unsigned nargs() const { return nout + nin + ncst; }
  bool dead_arg(unsigned i) const { return (life >> i) & 1; }
  bool sync_out(unsigned i) const { return (life >> (8 + i)) & 1; }
};

class Ir {
 public:
  Ir();

  static constexpr TempId kEnv = 0;

  TempId new_global(Type t, int64_t offset, std::string name);
  TempId new_temp(Type t, TempKind kind = TempKind::bb);
  TempId const_temp(Type t, uint64_t value);  // shared per (type, value)
  LabelId new_label() { return num_labels_++; }
  uint32_t add_helper(const HelperInfo *h);

  const TempInfo &temp(TempId t) const { return temps_[t]; }
  size_t num_temps() const { return temps_.size(); }
  uint32_t num_labels() const { return num_labels_; }
  const HelperInfo &helper(uint64_t i) const { return *helpers_[i]; }

  // Appends an op; outputs, inputs and constants in ops.def order.
  Op &emit(Opcode opc, Type type, std::initializer_list<uint64_t> args);
  Op &emit_call(uint32_t helper, TempId result, std::initializer_list<TempId> args);

  // Drops the nop ops.
  void compact();

  std::vector<Op> ops;

 private:
  std::vector<TempInfo> temps_;
  std::vector<const HelperInfo *> helpers_;
  // The constant temps by (type, value): open addressing over a power-of-two table of temp
  // ids, 0 (the env temp) for an empty slot; at most half full.
  std::vector<TempId> const_slots_;
  size_t num_consts_ = 0;
  void grow_consts();
  uint32_t num_labels_ = 0;
};

// Checks operand counts, temp types and label uses; returns an empty string when valid.
std::string verify(const Ir &ir);

}  // namespace qemu::jit
