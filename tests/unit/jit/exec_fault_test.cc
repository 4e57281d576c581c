// Precise guest state after a host fault inside a block: a SIGSEGV handler calls
// restore_host_pc and exit_to_loop (as user mode does); and the interpreter's GuestMemory
// faults (mem_fault).
#include <gtest/gtest.h>
#include <signal.h>
#include <ucontext.h>

#include "exec_toy.h"
#include "jit/backend/interp/interp.h"

namespace qemu::jit {
namespace {

using toy::Asm;
using toy::Cpu;

constexpr uint64_t kFaultExit = kExitTargetBase + 77;

Cpu *g_cpu = nullptr;
int g_restored = 0;

void on_segv(int, siginfo_t *, void *uc_void) {
  auto *uc = static_cast<ucontext_t *>(uc_void);
  uintptr_t host_pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  if (toy::g_engine && g_cpu && toy::g_engine->restore_host_pc(g_cpu, host_pc)) {
    g_restored++;
    toy::g_engine->exit_to_loop(g_cpu, kFaultExit);
  }
  signal(SIGSEGV, SIG_DFL);  // not ours: crash
}

class ExecFault : public ::testing::TestWithParam<BackendKind> {
 protected:
  toy::Memory mem;
  toy::Frontend fe{mem};
  std::unique_ptr<Engine> engine;
  struct sigaction old_ {};

  void SetUp() override {
    if (GetParam() == BackendKind::x86_64 && !toy::x64_built_in()) GTEST_SKIP() << "no x64";
    g_restored = 0;
    struct sigaction sa {};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old_);
  }
  void TearDown() override {
    sigaction(SIGSEGV, &old_, nullptr);
    toy::g_engine = nullptr;
    g_cpu = nullptr;
  }
  void make(EngineOptions o = {}) {
    o.backend = GetParam();
    o.guest_base = mem.base();
    engine = std::make_unique<Engine>(fe, o);
    toy::g_engine = engine.get();
  }
};

TEST_P(ExecFault, RestoresTheFaultingInstruction) {
  make();
  // In one block: two adds, a good load, a store, then a load past the end of guest memory.
  Asm a(mem, 0x100);
  a.movi(6, 0xffff);
  a.addi(6, 1);  // r6 = kMemSize: the guard page
  a.movi(7, 0x2000);
  a.addi(0, 5);
  a.emit(toy::ST, 0, 7);
  a.emit(toy::LD, 2, 7);
  a.addi(1, 9);
  uint64_t fault_pc = a.pc();
  a.emit(toy::LD, 3, 6);
  a.addi(0, 50);
  a.trap(1);
  for (int i = 0; i < 3; i++) {  // translated once, faulting each time
    Cpu cpu{};
    cpu.pc = 0x100;
    g_cpu = &cpu;
    EXPECT_EQ(engine->run(&cpu), kFaultExit);
    EXPECT_EQ(cpu.pc, fault_pc);
    EXPECT_EQ(cpu.r[0], 5u);
    EXPECT_EQ(cpu.r[1], 9u);
    EXPECT_EQ(cpu.r[2], 5u);
    EXPECT_EQ(cpu.r[3], 0u);
    EXPECT_EQ(cpu.r[6], toy::kMemSize);
  }
  EXPECT_EQ(g_restored, 3);
  EXPECT_EQ(engine->stats().translations, 1u);
  // The guest "handles" it: skip the load, continue.
  Cpu cpu{};
  cpu.pc = fault_pc + 4;
  g_cpu = &cpu;
  EXPECT_EQ(engine->run(&cpu), kExitTargetBase + 1);
  EXPECT_EQ(cpu.r[0], 50u);
  // Outside run(), nothing to restore.
  EXPECT_FALSE(engine->restore_host_pc(&cpu, 0));
}

TEST_P(ExecFault, FaultInAChainedBlock) {
  make();
  // A loop walking r6 up to the guard page: the fault happens in a chained iteration.
  Asm a(mem, 0x100);
  a.movi(6, 0xff00);
  a.movi(1, 1000);
  uint64_t top = a.pc();
  a.emit(toy::LD, 2, 6);
  a.addi(6, 8);
  a.addi(1, -1);
  a.bnz(1, top);
  a.trap(1);
  Cpu cpu{};
  cpu.pc = 0x100;
  g_cpu = &cpu;
  EXPECT_EQ(engine->run(&cpu), kFaultExit);
  EXPECT_EQ(cpu.pc, top);
  EXPECT_EQ(cpu.r[6], toy::kMemSize);
  EXPECT_EQ(cpu.r[1], 1000u - 32);
}

TEST_P(ExecFault, HelperRaisesFromItsReturnAddress) {
  make();
  // chk passes twice, then fails in the middle of a block; then in a chained iteration.
  Asm a(mem, 0x100);
  a.movi(0, 1);
  a.emit(toy::CHK, 0);
  a.addi(1, 1);
  a.emit(toy::CHK, 1);
  a.addi(1, -1);
  uint64_t fail_pc = a.pc();
  a.emit(toy::CHK, 1);
  a.addi(2, 1);
  a.trap(1);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(engine->run(&cpu), kExitTargetBase + 99);
  EXPECT_EQ(cpu.pc, fail_pc);
  EXPECT_EQ(cpu.r[1], 0u);
  EXPECT_EQ(cpu.r[2], 0u);

  Asm l(mem, 0x400);
  l.movi(1, 5);
  uint64_t top = l.pc();
  l.addi(2, 1);
  l.addi(1, -1);
  uint64_t chk_pc = l.pc();
  l.emit(toy::CHK, 1);
  l.addi(3, 1);
  l.jmp(top);
  cpu = Cpu{};
  cpu.pc = 0x400;
  EXPECT_EQ(engine->run(&cpu), kExitTargetBase + 99);
  EXPECT_EQ(cpu.pc, chk_pc);
  EXPECT_EQ(cpu.r[2], 5u);
  EXPECT_EQ(cpu.r[3], 4u);
}

// Self-modifying code as user mode catches it: code pages are made read-only when they get
// blocks; a write fault invalidates the page and makes it writable again; when the write hits
// the block that is running, the writing instruction is run alone and translation restarts.
uintptr_t g_base = 0;
uint8_t g_protected[toy::kMemSize >> 12];
int g_smc_restarts = 0;

void protect_page(uint64_t page) {
  g_protected[page >> 12] = 1;
  mprotect(reinterpret_cast<void *>(g_base + page), 4096, PROT_READ);
}

void on_write_fault(int, siginfo_t *si, void *uc_void) {
  auto *uc = static_cast<ucontext_t *>(uc_void);
  uintptr_t host_pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  uintptr_t a = reinterpret_cast<uintptr_t>(si->si_addr);
  if (a >= g_base && a - g_base < toy::kMemSize && g_protected[(a - g_base) >> 12]) {
    uint64_t page = (a - g_base) & ~uint64_t{4095};
    g_protected[page >> 12] = 0;
    toy::g_engine->invalidate(page, page + 4096);
    mprotect(reinterpret_cast<void *>(g_base + page), 4096, PROT_READ | PROT_WRITE);
    if (toy::g_engine->running_block_overlaps(host_pc, a - g_base, a - g_base + 8)) {
      g_smc_restarts++;
      if (!toy::g_engine->restore_host_pc(g_cpu, host_pc)) std::abort();
      toy::g_engine->exit_to_loop_single(g_cpu);
    }
    return;  // retry the write
  }
  signal(SIGSEGV, SIG_DFL);
}

TEST_P(ExecFault, PreciseSelfModifyingCode) {
  struct sigaction sa {};
  sa.sa_sigaction = on_write_fault;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, nullptr);
  g_base = mem.base();
  std::memset(g_protected, 0, sizeof g_protected);
  g_smc_restarts = 0;
  EngineOptions o;
  o.protect_code_page = protect_page;
  make(o);
  // r7 = the address of an instruction after the store in the same block; r0 = a new
  // instruction (movi r2, 0) written over it (u64: it and the one after, which becomes trap 0).
  Asm a(mem, 0x100);
  a.movi(7, 0x120);
  a.movi(0, 0x0208);  // bytes 08 02 00 00: movi r2, 0
  a.addi(2, 1);
  a.addi(3, 1);
  a.addi(1, 1);           // 0x110
  a.emit(toy::ST, 0, 7);  // 0x114: [0x120] = r0 (u64: 0x120 and 0x124)
  a.addi(2, 2);           // 0x118
  a.addi(3, 2);           // 0x11c
  a.addi(2, 3);           // 0x120: becomes movi r2, 0
  a.trap(5);              // 0x124: becomes 00 00 00 00 (trap 0)
  Cpu cpu{};
  cpu.pc = 0x100;
  g_cpu = &cpu;
  EXPECT_EQ(engine->run(&cpu), kExitTargetBase + 0);
  EXPECT_EQ(cpu.r[2], 0u);
  EXPECT_EQ(cpu.r[3], 1u + 2);
  EXPECT_EQ(cpu.r[1], 1u);  // once: the restart resumed at the store
  EXPECT_EQ(g_smc_restarts, 1);
  // A store to the code page that misses the running block: the block goes on.
  Asm b(mem, 0x200);
  b.movi(7, 0x400);
  b.addi(4, 1);
  b.emit(toy::ST, 0, 7);
  b.addi(4, 1);
  b.trap(6);
  cpu.pc = 0x200;
  EXPECT_EQ(engine->run(&cpu), kExitTargetBase + 6);
  EXPECT_EQ(cpu.r[4], 2u);
  EXPECT_EQ(g_smc_restarts, 1);
  for (int p = 0; p < 16; p++) mprotect(mem.host(p * 4096), 4096, PROT_READ | PROT_WRITE);
}

INSTANTIATE_TEST_SUITE_P(Backends, ExecFault,
                         ::testing::Values(BackendKind::interp, BackendKind::x86_64),
                         [](const auto &info) {
                           return info.param == BackendKind::interp ? "interp" : "x64";
                         });

// The interpreter with its own GuestMemory: a refused access becomes mem_fault's value.
class BoundedMemory : public GuestMemory {
 public:
  explicit BoundedMemory(uint8_t *base) : base_(base) {}
  bool load(uint64_t addr, unsigned size, uint64_t *value) override {
    if (addr + size > 0x4000) return false;
    *value = 0;
    std::memcpy(value, base_ + addr, size);
    return true;
  }
  bool store(uint64_t addr, unsigned size, uint64_t value) override {
    if (addr + size > 0x4000) return false;
    std::memcpy(base_ + addr, &value, size);
    return true;
  }

 private:
  uint8_t *base_;
};

uint64_t g_fault_addr = 0;
uint64_t on_mem_fault(void *, uint64_t addr) {
  g_fault_addr = addr;
  return kExitTargetBase + 88;
}

TEST(ExecFaultInterp, GuestMemoryFault) {
  toy::Memory mem;
  toy::Frontend fe{mem};
  BoundedMemory bm(mem.host(0));
  EngineOptions o;
  o.backend = BackendKind::interp;
  o.guest_base = mem.base();
  o.mem = &bm;
  o.mem_fault = on_mem_fault;
  Engine engine(fe, o);
  toy::g_engine = &engine;
  Asm a(mem, 0x100);
  a.movi(6, 0x5000);
  a.addi(0, 1);
  a.emit(toy::ST, 0, 6);
  a.trap(1);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(engine.run(&cpu), kExitTargetBase + 88);
  EXPECT_EQ(g_fault_addr, 0x5000u);
  EXPECT_EQ(cpu.pc, 0x108u);
  EXPECT_EQ(cpu.r[0], 1u);
  toy::g_engine = nullptr;
}

}  // namespace
}  // namespace qemu::jit
