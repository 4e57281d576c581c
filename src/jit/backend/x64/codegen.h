// The x86-64 host backend: compiles optimized IR (after liveness) into host code in a CodeBuffer.
//
// Generated code runs inside the frame the CodeBuffer's prologue sets up:
//   r14  the env pointer (the CPU state) for the whole block
//   r15  guest_base (host address = guest_base + guest address), when it is not zero
//   rsp  16-byte aligned, with kSpillSlots 8-byte spill slots at [rsp]
// A block leaves through exit_tb (rax = value, jump to the epilogue, which returns rax from
// CodeBuffer::enter), goto_tb (a patchable jmp rel32 to the next block, initially to the next
// instruction) or goto_ptr (jmp to another block's code, or to CodeBuffer::exit_next()).
// Helpers are called with the SysV ABI; they may longjmp out of generated code (the frame is
// abandoned) but must not throw C++ exceptions (generated code has no unwind information).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "jit/ir/ir.h"

namespace qemu::jit::x64 {

inline constexpr unsigned kSpillSlots = 128;

// One big RWX region with bump allocation. The prologue and epilogue are generated once at its
// start (and again after reset()). Thread safety is the caller's business.
class CodeBuffer {
 public:
  static constexpr size_t kDefaultSize = size_t{256} << 20;
  // size is rounded up to pages; at most 2 GiB (rel32 jumps reach everything inside).
  explicit CodeBuffer(size_t size = kDefaultSize, uintptr_t guest_base = 0);
  ~CodeBuffer();
  CodeBuffer(const CodeBuffer &) = delete;
  CodeBuffer &operator=(const CodeBuffer &) = delete;

  // Runs generated code: saves the callee-saved registers, sets r14 = env and r15 = guest_base,
  // jumps to code; returns the value of the exit_tb that leaves (rax).
  using EnterFn = uint64_t (*)(void *env, const void *code);
  EnterFn enter_fn() const { return enter_; }
  uint64_t enter(void *env, const void *code) const { return enter_(env, code); }

  // The epilogue (returns rax to enter's caller) and a stub that returns 0 (kExitNext): the
  // target for goto_ptr when a lookup finds nothing.
  const uint8_t *epilogue() const { return epilogue_; }
  const uint8_t *exit_next() const { return exit_next_; }

  // The guest_base the prologue loads into r15 (blocks compiled with guest_base != 0 use it).
  uintptr_t guest_base() const { return guest_base_; }

  // True when less than a block's worth (kLowWater) is left.
  static constexpr size_t kLowWater = 64 << 10;
  bool full() const { return size_ - used_ < kLowWater; }
  // Drops all code (the prologue is regenerated in place).
  void reset();

  bool contains(uintptr_t p) const {
    return p >= reinterpret_cast<uintptr_t>(base_) &&
           p < reinterpret_cast<uintptr_t>(base_) + used_;
  }
  uint8_t *base() const { return base_; }
  size_t size() const { return size_; }
  size_t used() const { return used_; }

  // For the code generator: the free space, and committing n bytes of it.
  uint8_t *cursor() const { return base_ + used_; }
  size_t avail() const { return size_ - used_; }
  void commit(size_t n) { used_ += n; }

 private:
  void emit_prologue();

  uint8_t *base_ = nullptr;
  size_t size_ = 0, used_ = 0;
  uintptr_t guest_base_ = 0;
  EnterFn enter_ = nullptr;
  const uint8_t *epilogue_ = nullptr;
  const uint8_t *exit_next_ = nullptr;
};

// One compiled block.
struct CompiledTb {
  const uint8_t *code = nullptr;
  size_t size = 0;
  // goto_tb slot n: the offset from code of its jmp rel32 (the 0xe9 byte; the displacement at
  // +1 is 4-byte aligned) or UINT32_MAX when the block has no such slot, and where the
  // unpatched jump goes (the instruction after the jmp).
  uint32_t jmp_offset[2] = {UINT32_MAX, UINT32_MAX};
  uint32_t jmp_reset_offset[2] = {UINT32_MAX, UINT32_MAX};
  // The insn_start in effect at each host instruction that can fault, delta-encoded (see
  // insn_map.h); read by find_insn.
  std::vector<uint8_t> insn_map;
};

// Host CPU features the generator may use (detected with cpuid).
enum HostFeature : uint32_t {
  kFeatLzcnt = 1u << 0,
  kFeatBmi1 = 1u << 1,  // tzcnt, andn
  kFeatPopcnt = 1u << 2,
  kFeatBmi2 = 1u << 3,  // shlx/shrx/sarx, rorx
  kFeatMovbe = 1u << 4,
};
uint32_t host_features();

struct CodegenOptions {
  // Guest memory accesses: [guest_base + addr]; 0 = plain [addr]. Must equal the CodeBuffer's.
  uintptr_t guest_base = 0;
  // The lookup helper goto_ptr blocks usually call (the front end emits that call; unused here).
  uint64_t (*lookup_tb)(void *env) = nullptr;
  // HostFeature bits not to use even when the host has them (tests of the fallbacks).
  uint32_t disable_features = 0;
  // Indirect jumps looked up inline: `call lookup_fn(env) -> t; goto_ptr t` (lookup_fn non-null)
  // becomes a probe of the running thread's JumpTableEntry table, whose address is at
  // fs:[table_tls]: the guest pc (the i64 global at pc_offset) at jump_table_index(pc) jumps
  // straight to the entry's code; anything else calls lookup_fn as before.
  struct InlineLookup {
    HelperInfo::GenericFn lookup_fn = nullptr;
    int32_t pc_offset = 0;
    int32_t table_tls = 0;
  } inline_lookup;
  // Calls of fn(env, kind, doff, soff) with constant kind (0 add, 1 sub, 2 mul, 3 div), doff
  // and soff: the scalar double operation on the low 8 bytes at env + doff and env + soff into
  // env + doff, inline when the host's MXCSR has the control bits of the x86 MXCSR image at
  // env + mxcsr_offset and no exception flag that image lacks (the flags raised are merged into
  // it), else through the call (see jit::Frontend::inline_scalar_double).
  struct InlineScalarDouble {
    HelperInfo::GenericFn fn = nullptr;
    int32_t mxcsr_offset = 0;
  } inline_scalar_double;
};

// The table of InlineLookup: 4096 pairs {guest pc, host code}, indexed by the pc's low 12 bits
// xor the next 12. A pc that cannot be a guest's (~0) marks an empty pair.
struct JumpTableEntry {
  uint64_t pc;
  const void *code;
};
inline constexpr unsigned kJumpTableBits = 12;
constexpr size_t jump_table_index(uint64_t pc) {
  return (pc ^ (pc >> kJumpTableBits)) & ((size_t{1} << kJumpTableBits) - 1);
}

// mb's constant: the orderings it must enforce between earlier and later accesses (0 = all).
// x86 (TSO) only reorders a store before a later load, so mfence is emitted for kMbStLd (or 0).
enum MbKind : uint32_t {
  kMbLdLd = 1u << 0,
  kMbStLd = 1u << 1,
  kMbLdSt = 1u << 2,
  kMbStSt = 1u << 3,
  kMbAll = 0xf,
};

enum class CodegenError : uint8_t {
  none,
  buffer_full,     // the CodeBuffer has no room: flush it and compile again
  too_many_temps,  // more TB temps and spills than kSpillSlots
  bad_options,     // guest_base differs from the buffer's
  unsupported,     // an op the backend cannot compile (a bug)
};

// Compiles ir (optimized, with liveness annotations) at buf's cursor. On success fills out and
// advances the buffer; on failure leaves the buffer as it was and says why in *why.
bool compile(const Ir &ir, CodeBuffer &buf, const CodegenOptions &opt, CompiledTb *out,
             CodegenError *why = nullptr);

// Chaining: points goto_tb slot `slot` of tb at target (another block's code), or back at its
// unchained path. One atomic 32-bit store each, safe while other threads run the code.
void patch_jump(const CompiledTb &tb, unsigned slot, const void *target);
void reset_jump(const CompiledTb &tb, unsigned slot);

// The guest instruction (insn_start's pc and extra) of a host pc inside tb's code: the last
// insn_start at or before it. False when host_pc is outside the block or precedes every
// insn_start. For a faulting access pass the faulting pc (ucontext RIP); for a helper's return
// address pass retaddr - 1 (the call instruction itself, as a call can end an instruction).
bool find_insn(const CompiledTb &tb, uintptr_t host_pc, uint64_t *insn_pc, uint64_t *insn_extra);

// Inside a helper called by a block (or a signal handler interrupting one): the return address
// of that call in generated code, exactly (blocks run at a fixed rsp per thread, recorded by the
// prologue); find_insn(tb, helper_return_address() - 1, ...) is the calling guest instruction.
// Meaningless outside a helper call; 0 on a thread that never entered generated code.
uintptr_t helper_return_address();

// -d out_asm in QEMU's layout: "0x<address>:  <bytes>  <mnemonic> <operands>", AT&T syntax.
void disassemble(const uint8_t *code, size_t size, FILE *out);
// A whole block as QEMU's out_asm shows it: the code of each guest instruction after a line
// "  -- guest addr 0x<pc>" (the first one " + tb prologue").
void disassemble_tb(const CompiledTb &tb, FILE *out);

// The insn map's entries in code order: host offset from tb.code, pc and extra of each
// insn_start. Returns how many there are.
size_t insn_starts(const CompiledTb &tb, uint32_t *offsets, uint64_t *pcs, uint64_t *extras,
                   size_t max);

}  // namespace qemu::jit::x64
