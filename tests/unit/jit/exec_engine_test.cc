// The engine with the toy guest: loops and chaining, indirect jumps through the lookup
// helper, self-modifying code, -singlestep, exit_to_loop from a helper, flags in the key,
// logging, and a full code buffer. Every test runs on each backend built in.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "exec_toy.h"

namespace qemu::jit {
namespace {

using toy::Asm;
using toy::Cpu;

class ExecEngine : public ::testing::TestWithParam<BackendKind> {
 protected:
  toy::Memory mem;
  toy::Frontend fe{mem};
  std::unique_ptr<Engine> engine;

  void make(EngineOptions o = {}) {
    o.backend = GetParam();
    o.guest_base = mem.base();
    engine = std::make_unique<Engine>(fe, o);
    toy::g_engine = engine.get();
  }
  void SetUp() override {
    if (GetParam() == BackendKind::x86_64 && !toy::x64_built_in()) GTEST_SKIP() << "no x64";
  }
  void TearDown() override { toy::g_engine = nullptr; }

  uint64_t run(Cpu &cpu) { return engine->run(&cpu); }
};

// r0 += 3, r1 times; r1 = n.
uint64_t counting_loop(toy::Memory &mem, uint64_t at, uint16_t n) {
  Asm a(mem, at);
  a.movi(1, n);
  uint64_t top = a.pc();
  a.addi(0, 3);
  a.addi(1, -1);
  a.bnz(1, top);
  a.trap(1);
  return at;
}

TEST_P(ExecEngine, LoopChains) {
  make();
  counting_loop(mem, 0x100, 1000);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 1);
  EXPECT_EQ(cpu.r[0], 3000u);
  EXPECT_EQ(cpu.r[1], 0u);
  EXPECT_EQ(cpu.pc, 0x100u + 5 * 4);
  EngineStats s = engine->stats();
  EXPECT_LE(s.translations, 4u);
  EXPECT_GE(s.chained, 1u);
  // Again: everything cached.
  cpu = Cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 1);
  EXPECT_EQ(cpu.r[0], 3000u);
  EXPECT_EQ(engine->stats().translations, s.translations);
}

TEST_P(ExecEngine, NoChain) {
  EngineOptions o;
  o.log = kLogNoChain;
  o.log_file = std::tmpfile();
  make(o);
  counting_loop(mem, 0x100, 500);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 1);
  EXPECT_EQ(cpu.r[0], 1500u);
  EXPECT_EQ(engine->stats().chained, 0u);
  std::fclose(o.log_file);
}

TEST_P(ExecEngine, IndirectJumpsThroughLookup) {
  make();
  // A subroutine called 200 times through registers: r2 = its address, r3 = the return.
  Asm f(mem, 0x800);
  f.addi(0, 7);
  f.emit(toy::JR, 3);
  Asm a(mem, 0x100);
  a.movi(1, 200);
  a.movi(2, 0x800);
  uint64_t top = a.pc();
  a.movi(3, static_cast<uint16_t>(top + 8));
  a.emit(toy::JR, 2);
  a.addi(1, -1);  // top + 8: the return
  a.bnz(1, top);
  a.trap(2);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 2);
  EXPECT_EQ(cpu.r[0], 1400u);
  EXPECT_LE(engine->stats().translations, 6u);
}

// The same with the simple key: hits jump inline (x86-64) or through the helper's direct
// probe; a changed subroutine and a flush must not leave stale entries behind.
TEST_P(ExecEngine, IndirectJumpsWithSimpleKey) {
  fe.simple = true;
  make();
  Asm f(mem, 0x800);
  f.addi(0, 7);
  f.emit(toy::JR, 3);
  Asm a(mem, 0x100);
  a.movi(1, 200);
  a.movi(2, 0x800);
  uint64_t top = a.pc();
  a.movi(3, static_cast<uint16_t>(top + 8));
  a.emit(toy::JR, 2);
  a.addi(1, -1);
  a.bnz(1, top);
  a.trap(2);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 2);
  EXPECT_EQ(cpu.r[0], 1400u);
  EXPECT_LE(engine->stats().translations, 6u);

  mem.host(0x800)[2] = 5;  // addi r0, 5
  engine->invalidate(0x800, 0x804);
  cpu = Cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 2);
  EXPECT_EQ(cpu.r[0], 1000u);

  engine->flush();
  mem.host(0x800)[2] = 2;  // changed without invalidation: only a flush makes it seen
  engine->flush();
  cpu = Cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 2);
  EXPECT_EQ(cpu.r[0], 400u);
  fe.simple = false;
}

TEST_P(ExecEngine, SelfModifyingCode) {
  make();
  // L: addi r0, 1 ; stb r4 -> [r5] (the immediate of L) ; addi r1, -1 ; bnz r1, L ; trap 3
  Asm a(mem, 0x200);
  a.movi(1, 10);
  a.movi(4, 5);
  a.movi(5, 0x200 + 12 + 2);
  uint64_t top = a.pc();
  a.addi(0, 1);
  a.emit(toy::STB, 4, 5);
  a.addi(1, -1);
  a.bnz(1, top);
  a.trap(3);
  Cpu cpu{};
  cpu.pc = 0x200;
  EXPECT_EQ(run(cpu), kExitTargetBase + 3);
  EXPECT_EQ(cpu.r[0], 1u + 9 * 5);
  EXPECT_EQ(cpu.stores, 10u);
  EXPECT_GE(engine->stats().invalidated, 1u);

  // Changed by the test: invalidate, and the new code runs.
  mem.host(top)[2] = 2;              // addi r0, 2
  mem.host(top + 4)[0] = toy::ADDI;  // the store becomes addi r4, 5
  engine->invalidate(top, top + 8);
  cpu = Cpu{};
  cpu.pc = 0x200;
  EXPECT_EQ(run(cpu), kExitTargetBase + 3);
  EXPECT_EQ(cpu.r[0], 20u);
  EXPECT_EQ(cpu.r[4], 5u + 10 * 5);
}

TEST_P(ExecEngine, InvalidateSecondPageOfABlock) {
  make();
  // A block crossing from page 0 into page 1; the instruction in page 1 changes.
  uint64_t start = 0x1000 - 8;
  Asm a(mem, start);
  a.addi(0, 1);
  a.addi(0, 1);
  a.addi(0, 1);  // 0x1000
  a.trap(4);
  Cpu cpu{};
  cpu.pc = start;
  EXPECT_EQ(run(cpu), kExitTargetBase + 4);
  EXPECT_EQ(cpu.r[0], 3u);
  mem.host(0x1000)[2] = 10;
  engine->invalidate(0x1000, 0x1001);
  EXPECT_EQ(engine->stats().invalidated, 1u);
  cpu = Cpu{};
  cpu.pc = start;
  EXPECT_EQ(run(cpu), kExitTargetBase + 4);
  EXPECT_EQ(cpu.r[0], 12u);
}

// A program touching most instructions: sums, loops, calls, flags changes.
void mixed_program(toy::Memory &mem) {
  Asm f(mem, 0x900);
  f.emit(toy::ADD, 6, 6, 0);
  f.emit(toy::JR, 3);
  Asm a(mem, 0x100);
  a.movi(1, 50);
  a.movi(2, 0x900);
  a.movi(7, 0x3000);
  uint64_t top = a.pc();
  a.addi(0, 3);
  a.emit(toy::SETF, 0, 1);  // ADDI doubles now
  a.addi(0, 1);
  a.emit(toy::SETF, 0, 0);
  a.movi(3, static_cast<uint16_t>(top + 24));
  a.emit(toy::JR, 2);
  a.emit(toy::ST, 6, 7);  // top + 24
  a.emit(toy::LD, 5, 7);
  a.emit(toy::ADD, 5, 5, 5);
  a.addi(1, -1);
  a.bnz(1, top);
  a.jmp(a.pc() + 8);
  a.trap(9);  // skipped
  a.trap(5);
}

TEST_P(ExecEngine, SingleStepMatches) {
  make();
  mixed_program(mem);
  Cpu big{};
  big.pc = 0x100;
  EXPECT_EQ(run(big), kExitTargetBase + 5);
  uint64_t big_tbs = engine->stats().translations;

  EngineOptions o;
  o.max_insns = 1;
  make(o);
  Cpu one{};
  one.pc = 0x100;
  EXPECT_EQ(run(one), kExitTargetBase + 5);
  EXPECT_EQ(std::memcmp(&big, &one, sizeof(Cpu)), 0);
  EXPECT_GT(engine->stats().translations, big_tbs);
  EXPECT_EQ(big.r[0], 50u * 5);
  EXPECT_EQ(big.r[6], 50u * 51 / 2 * 5);
}

TEST_P(ExecEngine, FlagsAreInTheKey) {
  make();
  Asm a(mem, 0x100);
  a.addi(0, 1);
  a.trap(6);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 6);
  cpu.pc = 0x100;
  cpu.flags = 1;
  EXPECT_EQ(run(cpu), kExitTargetBase + 6);
  EXPECT_EQ(cpu.r[0], 3u);
  EXPECT_EQ(engine->stats().translations, 2u);
}

TEST_P(ExecEngine, ExitToLoopFromHelper) {
  make();
  Asm a(mem, 0x100);
  a.addi(0, 4);
  a.emit(toy::HCALL, 0, 7);
  a.addi(0, 100);
  a.trap(1);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 107);
  EXPECT_EQ(cpu.r[0], 4u);
  EXPECT_EQ(cpu.pc, 0x108u);
  // run() again continues after the call.
  EXPECT_EQ(run(cpu), kExitTargetBase + 1);
  EXPECT_EQ(cpu.r[0], 104u);
  // Many times (the jump buffer and the interpreter's scratch are reused).
  for (int i = 0; i < 1000; i++) {
    cpu.pc = 0x100;
    EXPECT_EQ(run(cpu), kExitTargetBase + 107);
  }
}

TEST_P(ExecEngine, ExitToLoopResumes) {
  make();
  // A loop whose back edge is a helper that sets the pc and resumes the loop.
  Asm a(mem, 0x100);
  a.movi(1, 100);
  a.movi(2, 0x108);
  a.addi(0, 2);  // 0x108
  a.addi(1, -1);
  a.bnz(1, a.pc() + 8);
  a.trap(3);
  a.emit(toy::HJMP, 2);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 3);
  EXPECT_EQ(cpu.r[0], 200u);
}

TEST_P(ExecEngine, FlushWhenCodeIsFull) {
  EngineOptions o;
  o.max_insns = 1;
  o.code_size = 256 << 10;
  make(o);
  // 6000 one-instruction blocks, three times.
  Asm a(mem, 0x100);
  a.movi(1, 3);
  uint64_t top = a.pc();
  for (int i = 0; i < 6000; i++) a.addi(i % 3 == 1 ? 3 : i % 3, 1);
  a.addi(1, -1);
  a.bnz(1, a.pc() + 8);
  a.trap(7);
  a.jmp(top);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 7);
  EXPECT_EQ(cpu.r[0], 3u * 2000);
  EXPECT_EQ(cpu.r[2], 3u * 2000);
  EXPECT_GE(engine->stats().flushes, 1u);
}

TEST_P(ExecEngine, ExplicitFlush) {
  make();
  counting_loop(mem, 0x100, 10);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 1);
  engine->flush();
  cpu = Cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 1);
  EXPECT_EQ(cpu.r[0], 30u);
  EngineStats s = engine->stats();
  EXPECT_EQ(s.flushes, 1u);
  EXPECT_EQ(s.translations, 6u);
}

std::string slurp(FILE *f) {
  std::string s;
  std::rewind(f);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

TEST_P(ExecEngine, Logging) {
  EngineOptions o;
  o.log = kLogInAsm | kLogOp | kLogOpOpt | kLogOutAsm | kLogExec | kLogCpu;
  o.log_file = std::tmpfile();
  make(o);
  counting_loop(mem, 0x100, 3);
  Cpu cpu{};
  cpu.pc = 0x100;
  EXPECT_EQ(run(cpu), kExitTargetBase + 1);
  std::string log = slurp(o.log_file);
  std::fclose(o.log_file);
  EXPECT_NE(log.find("IN: \n0x00000100:  08 01 03 00"), std::string::npos) << log;
  EXPECT_NE(log.find("OP:\n ---- 0000000000000100"), std::string::npos);
  EXPECT_NE(log.find("OP after optimization and liveness analysis:"), std::string::npos);
  EXPECT_NE(log.find("Trace 0: 0x"), std::string::npos);
  EXPECT_NE(log.find("/0000000000000104/00000000/00000000] \n"), std::string::npos);
  EXPECT_NE(log.find("PC=0000000000000104"), std::string::npos);
  EXPECT_NE(log.find("Linking TBs"), std::string::npos);
  if (GetParam() == BackendKind::x86_64) {
    EXPECT_NE(log.find("OUT: [size="), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ExecEngine,
                         ::testing::Values(BackendKind::interp, BackendKind::x86_64),
                         [](const auto &info) {
                           return info.param == BackendKind::interp ? "interp" : "x64";
                         });

}  // namespace
}  // namespace qemu::jit
