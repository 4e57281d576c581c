// The interpreter backend: each block keeps its IR and an Interpreter. Chaining is logical:
// a slot's destination is remembered in the Tb and the engine's loop follows it without a
// lookup (the interpreter always returns to the loop between blocks).
#include <cstring>
#include <optional>

#include "jit/backend/interp/interp.h"
#include "jit/exec/backend.h"

namespace qemu::jit {

namespace {

// User mode: guest memory mapped at guest_base. A bad address faults on the host (SIGSEGV),
// which the owner's handler turns into a guest exception with Engine::restore_host_pc.
class DirectMemory final : public GuestMemory {
 public:
  explicit DirectMemory(uintptr_t base) : base_(base) {}
  bool load(uint64_t addr, unsigned size, uint64_t *value) override {
    uint64_t v = 0;
    std::memcpy(&v, reinterpret_cast<const void *>(base_ + addr), size);
    *value = v;
    return true;
  }
  bool store(uint64_t addr, unsigned size, uint64_t value) override {
    std::memcpy(reinterpret_cast<void *>(base_ + addr), &value, size);
    return true;
  }

 private:
  uintptr_t base_;
};

struct InterpTb final : Tb {
  Ir ir;
  std::optional<Interpreter> interp;
};

// A rough size of a block's IR, to bound the memory blocks take between flushes.
size_t ir_bytes(const Ir &ir) {
  return 256 + ir.ops.size() * sizeof(Op) + ir.num_temps() * (sizeof(TempInfo) + 24);
}

class InterpBackend final : public Backend {
 public:
  explicit InterpBackend(const EngineOptions &opts)
      : direct_(opts.guest_base),
        mem_(opts.mem ? opts.mem : &direct_),
        budget_(opts.code_size ? opts.code_size : size_t{256} << 20) {}

  std::unique_ptr<Tb> create() override { return std::make_unique<InterpTb>(); }

  bool compile(Tb &tb, Ir &ir) override {
    size_t bytes = ir_bytes(ir);
    if (used_ + bytes > budget_) return false;
    used_ += bytes;
    auto &t = static_cast<InterpTb &>(tb);
    t.ir = std::move(ir);
    t.interp.emplace(t.ir);
    t.code_size = bytes;
    return true;
  }

  void log_out_asm(const Tb &, FILE *) override {}

  ExecResult exec(void *env, Tb &tb) override {
    ExitResult r = static_cast<InterpTb &>(tb).interp->run(env, *mem_);
    ExecResult e;
    switch (r.kind) {
      case ExitKind::exit_tb:
        if (r.value == kExitRequested) {
          e.kind = ExecResult::requested;
          e.tb = &tb;
        } else if (r.value == kExitChain0 || r.value == kExitChain1) {
          e.kind = ExecResult::chain;
          e.tb = &tb;
          e.slot = static_cast<unsigned>(r.value - kExitChain0);
        } else if (r.value >= kExitTargetBase) {
          e.kind = ExecResult::target;
          e.value = r.value;
        }
        break;
      case ExitKind::goto_ptr:
        e.kind = ExecResult::ptr;
        e.value = r.value;
        break;
      case ExitKind::fault:
        e.kind = ExecResult::fault;
        e.value = r.value;
        e.insn_pc = r.insn_pc;
        e.insn_extra = r.insn_extra;
        break;
      case ExitKind::fell_off:
        std::fprintf(stderr, "jit: block at 0x%llx ended without an exit\n",
                     static_cast<unsigned long long>(tb.key.pc));
        std::abort();
    }
    return e;
  }

  bool can_chain(const Tb &, unsigned) const override { return true; }
  void chain(Tb &, unsigned, Tb &) override {}
  void unchain(Tb &, unsigned) override {}

  bool find_insn(uintptr_t, uint64_t *insn_pc, uint64_t *insn_extra) override {
    // Whatever the host pc (the interpreter, a helper, memcpy of DirectMemory), the fault
    // belongs to the instruction the innermost interpreter run is at.
    const ExitResult *r = Interpreter::current();
    if (!r) return false;
    *insn_pc = r->insn_pc;
    *insn_extra = r->insn_extra;
    return true;
  }

  Tb *block_at(uintptr_t) override { return nullptr; }

  uint64_t lookup_hit(const Tb &tb) const override { return reinterpret_cast<uintptr_t>(&tb); }
  uint64_t lookup_miss() const override { return 0; }

  void flush() override { used_ = 0; }

 private:
  DirectMemory direct_;
  GuestMemory *mem_;
  size_t budget_, used_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_interp_backend(const EngineOptions &opts) {
  return std::make_unique<InterpBackend>(opts);
}

}  // namespace qemu::jit
