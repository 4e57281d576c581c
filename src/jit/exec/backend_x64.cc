// The x86-64 backend adapter: one CodeBuffer for all blocks, chaining by patching goto_tb
// jumps, and the encoding of chain exits. A block leaving through an unchained goto_tb slot
// returns kChainTag | Tb pointer | (kExitChain0 + slot) (the exit_tb constants are rewritten
// before compiling), so the loop knows which block of a chain left.
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <map>

#include <unistd.h>

#include "jit/backend/x64/codegen.h"
#include "jit/exec/backend.h"
#include "jit/exec/engine_impl.h"
#include "jit/exec/lookup.h"

namespace qemu::jit {

namespace {

constexpr uint64_t kChainTag = uint64_t{1} << 63;
constexpr uint64_t kSlotMask = 3;
static_assert(alignof(Tb) > kSlotMask);

// The jump cache's inline table is the backend's JumpTableEntry table.
static_assert(sizeof(JumpCache::HostEntry) == sizeof(x64::JumpTableEntry));
static_assert(offsetof(JumpCache::HostEntry, code) == offsetof(x64::JumpTableEntry, code));
static_assert(JumpCache::kBits == x64::kJumpTableBits);
static_assert(JumpCache::index(0x123456789abcull) == x64::jump_table_index(0x123456789abcull));

struct X64Tb final : Tb {
  x64::CompiledTb ct;
};

class X64Backend final : public Backend {
 public:
  explicit X64Backend(const EngineOptions &opts)
      : buf_(opts.code_size ? opts.code_size : x64::CodeBuffer::kDefaultSize, opts.guest_base) {
    copts_.guest_base = opts.guest_base;
    if (std::getenv("QEMU_JIT_PERF_MAP")) {
      char name[64];
      std::snprintf(name, sizeof name, "/tmp/perf-%d.map", static_cast<int>(getpid()));
      perf_map_ = std::fopen(name, "w");
    }
    copts_.lookup_tb = [](void *env) {
      return helper_lookup_tb_ptr(reinterpret_cast<uintptr_t>(env));
    };
  }

  std::unique_ptr<Tb> create() override { return std::make_unique<X64Tb>(); }

  bool compile(Tb &tb, Ir &ir) override {
    const uint64_t self = kChainTag | reinterpret_cast<uintptr_t>(&tb);
    for (Op &op : ir.ops) {
      if (op.opc != Opcode::exit_tb) continue;
      uint64_t &v = op.args[op.nout + op.nin];
      if (v == kExitChain0 || v == kExitChain1 || v == kExitRequested) v |= self;
    }
    auto &t = static_cast<X64Tb &>(tb);
    x64::CodegenError why = x64::CodegenError::none;
    if (!x64::compile(ir, buf_, copts_, &t.ct, &why)) {
      if (why == x64::CodegenError::buffer_full) return false;
      std::fprintf(stderr, "jit: x86-64 code generation failed for pc 0x%llx (error %d)\n",
                   static_cast<unsigned long long>(tb.key.pc), static_cast<int>(why));
      std::abort();
    }
    tb.code = t.ct.code;
    tb.code_size = t.ct.size;
    by_code_[reinterpret_cast<uintptr_t>(t.ct.code)] = &t;
    if (perf_map_) {
      std::fprintf(perf_map_, "%llx %zx guest_0x%llx\n",
                   static_cast<unsigned long long>(reinterpret_cast<uintptr_t>(t.ct.code)),
                   t.ct.size, static_cast<unsigned long long>(tb.key.pc));
      std::fflush(perf_map_);
    }
    return true;
  }

  void log_out_asm(const Tb &tb, FILE *out) override {
    std::fprintf(out, "OUT: [size=%zu]\n", tb.code_size);
    x64::disassemble(static_cast<const uint8_t *>(tb.code), tb.code_size, out);
    std::fputc('\n', out);
    std::fflush(out);
  }

  ExecResult exec(void *env, Tb &tb) override {
    const uint64_t v = buf_.enter(env, tb.code);
    ExecResult e;
    if (v & kChainTag) {
      e.tb = reinterpret_cast<Tb *>(v & ~(kChainTag | kSlotMask));
      if ((v & kSlotMask) == kExitRequested) {
        e.kind = ExecResult::requested;
        return e;
      }
      e.kind = ExecResult::chain;
      e.slot = static_cast<unsigned>((v & kSlotMask) - kExitChain0);
    } else if (v >= kExitTargetBase) {
      e.kind = ExecResult::target;
      e.value = v;
    }
    return e;
  }

  uintptr_t helper_return_address() const override { return x64::helper_return_address(); }

  bool can_chain(const Tb &tb, unsigned slot) const override {
    return static_cast<const X64Tb &>(tb).ct.jmp_offset[slot] != UINT32_MAX;
  }
  void chain(Tb &from, unsigned slot, Tb &to) override {
    x64::patch_jump(static_cast<X64Tb &>(from).ct, slot, to.code);
  }
  void unchain(Tb &from, unsigned slot) override {
    x64::reset_jump(static_cast<X64Tb &>(from).ct, slot);
  }

  bool find_insn(uintptr_t host_pc, uint64_t *insn_pc, uint64_t *insn_extra) override {
    X64Tb *tb = find(host_pc);
    return tb && x64::find_insn(tb->ct, host_pc, insn_pc, insn_extra);
  }
  Tb *block_at(uintptr_t host_pc) override { return find(host_pc); }

  uint64_t lookup_hit(const Tb &tb) const override { return reinterpret_cast<uintptr_t>(tb.code); }
  uint64_t lookup_miss() const override { return reinterpret_cast<uintptr_t>(buf_.exit_next()); }

  void set_inline_lookup(ptrdiff_t pc_offset) override {
    uintptr_t tp;
    asm("mov %%fs:0, %0" : "=r"(tp));
    const auto tls = static_cast<intptr_t>(reinterpret_cast<uintptr_t>(&t_jump_table) - tp);
    if (tls != static_cast<int32_t>(tls) || pc_offset != static_cast<int32_t>(pc_offset)) return;
    copts_.inline_lookup.lookup_fn = kHelperLookupTbPtr.fn;
    copts_.inline_lookup.pc_offset = static_cast<int32_t>(pc_offset);
    copts_.inline_lookup.table_tls = static_cast<int32_t>(tls);
  }

  void set_inline_scalar_double(HelperInfo::GenericFn fn, size_t mxcsr_offset) override {
    if (mxcsr_offset > INT32_MAX) return;
    copts_.inline_scalar_double.fn = fn;
    copts_.inline_scalar_double.mxcsr_offset = static_cast<int32_t>(mxcsr_offset);
  }

  void flush() override {
    by_code_.clear();
    buf_.reset();
  }

 private:
  X64Tb *find(uintptr_t host_pc) const {
    auto it = by_code_.upper_bound(host_pc);
    if (it == by_code_.begin()) return nullptr;
    --it;
    const uintptr_t code = reinterpret_cast<uintptr_t>(it->second->code);
    return host_pc - code < it->second->code_size ? it->second : nullptr;
  }

  x64::CodeBuffer buf_;
  x64::CodegenOptions copts_;
  std::map<uintptr_t, X64Tb *> by_code_;  // every block since the last flush, by code address
  // QEMU_JIT_PERF_MAP set: /tmp/perf-<pid>.map, the blocks' code named by guest pc, which
  // `perf report` reads to attribute samples in generated code.
  FILE *perf_map_ = nullptr;
};

}  // namespace

std::unique_ptr<Backend> make_x64_backend(const EngineOptions &opts) {
  return std::make_unique<X64Backend>(opts);
}

}  // namespace qemu::jit
