// Several guest CPUs (threads) on one engine: shared blocks, chaining, indirect jumps and
// self-modifying code on private pages, while another thread invalidates and flushes, and
// with a code buffer small enough to fill.
#include <gtest/gtest.h>

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "exec_toy.h"

namespace qemu::jit {
namespace {

using toy::Asm;
using toy::Cpu;

class ExecThreads : public ::testing::TestWithParam<BackendKind> {
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
};

// The shared program at 0x100: r1 iterations of { call the subroutine at r2 (adds r1 to r0),
// r6 += 1 } then trap 1. Each thread also has a private self-modifying routine at
// 0x4000 + 0x1000 * cpu: it patches its own add's immediate to (iteration & 63) each pass.
void shared_program(toy::Memory &mem) {
  Asm f(mem, 0x800);
  f.emit(toy::ADD, 0, 0, 1);
  f.emit(toy::JR, 3);
  Asm a(mem, 0x100);
  uint64_t top = a.pc();
  a.movi(3, static_cast<uint16_t>(top + 8));
  a.emit(toy::JR, 2);
  a.addi(6, 1);        // top + 8
  a.emit(toy::JR, 5);  // to the private routine, which comes back to top + 16
  a.addi(1, -1);       // top + 16
  a.bnz(1, top);
  a.trap(1);
}

TEST_P(ExecThreads, CpusShareTheEngine) {
  EngineOptions o;
  o.code_size = 512 << 10;
  make(o);
  shared_program(mem);
  constexpr int kCpus = 4;
  constexpr uint16_t kIters = 3000;
  for (int c = 0; c < kCpus; c++) {
    // r4 += imm; r7 = at + 2; stb r1 -> [r7]; r7 = return; jr r7
    uint64_t at = 0x4000 + 0x1000 * c;
    Asm a(mem, at);
    a.emit(toy::ADDI, 4, 0);
    a.movi(7, static_cast<uint16_t>(at + 2));
    a.emit(toy::STB, 1, 7);
    a.movi(7, 0x110);
    a.emit(toy::JR, 7);
  }
  std::atomic<bool> stop{false};
  std::thread meddler([&] {
    // Invalidates the shared code (unchanged) and flushes now and then.
    for (int i = 0; !stop.load(); i++) {
      if (i % 4 == 0) {
        engine->flush();
      } else {
        engine->invalidate(0x100, 0x120);
      }
      std::this_thread::sleep_for(std::chrono::microseconds(300));
    }
  });
  std::vector<Cpu> cpus(kCpus);
  std::vector<std::thread> threads;
  for (int c = 0; c < kCpus; c++) {
    threads.emplace_back([&, c] {
      Cpu &cpu = cpus[c];
      cpu = Cpu{};
      cpu.r[1] = kIters + c;
      cpu.r[2] = 0x800;
      cpu.r[5] = 0x4000 + 0x1000 * c;
      cpu.pc = 0x100;
      EXPECT_EQ(engine->run(&cpu), kExitTargetBase + 1);
    });
  }
  for (auto &t : threads) t.join();
  stop = true;
  meddler.join();
  for (int c = 0; c < kCpus; c++) {
    const Cpu &cpu = cpus[c];
    uint64_t n = kIters + c;
    EXPECT_EQ(cpu.r[0], n * (n + 1) / 2) << c;
    EXPECT_EQ(cpu.r[6], n) << c;
    EXPECT_EQ(cpu.stores, n) << c;
    // The add ran with the immediate of the previous pass: the low byte of r1 then, as int8.
    uint64_t want = 0;
    for (uint64_t i = n; i > 1; i--) want += static_cast<uint64_t>(static_cast<int8_t>(i & 0xff));
    EXPECT_EQ(cpu.r[4], want) << c;
  }
  EngineStats s = engine->stats();
  EXPECT_GE(s.flushes, 1u);
  EXPECT_GE(s.invalidated, 1u);
}

TEST_P(ExecThreads, FlushFromTranslationWhileOthersRun) {
  EngineOptions o;
  o.max_insns = 1;
  o.code_size = 256 << 10;
  make(o);
  Asm a(mem, 0x100);
  uint64_t top = a.pc();
  for (int i = 0; i < 8000; i++) a.addi(0, 1);
  a.addi(1, -1);
  a.bnz(1, a.pc() + 8);
  a.trap(2);
  a.jmp(top);
  constexpr int kCpus = 3;
  std::vector<Cpu> cpus(kCpus);
  std::vector<std::thread> threads;
  for (int c = 0; c < kCpus; c++) {
    threads.emplace_back([&, c] {
      Cpu &cpu = cpus[c];
      cpu = Cpu{};
      cpu.r[1] = 4 + c;
      cpu.pc = 0x100;
      EXPECT_EQ(engine->run(&cpu), kExitTargetBase + 2);
    });
  }
  for (auto &t : threads) t.join();
  for (int c = 0; c < kCpus; c++) EXPECT_EQ(cpus[c].r[0], 8000u * (4 + c)) << c;
  EXPECT_GE(engine->stats().flushes, 1u);
}

TEST_P(ExecThreads, ForkWhileOthersRun) {
#if defined(__SANITIZE_ADDRESS__)
  // GCC 12's ASan allocator takes no lock around fork: when another thread is inside it at the
  // fork, the child blocks forever on its first allocation (seen in make check). Without ASan,
  // glibc's malloc is fork-safe and the test runs.
  GTEST_SKIP() << "ASan's allocator is not fork-safe while other threads allocate";
#endif
  make();
  // Two threads loop until told to stop (r1 stays non-zero until the test clears it).
  Asm a(mem, 0x100);
  uint64_t top = a.pc();
  a.addi(0, 1);
  a.emit(toy::HCALL, 0, 1);  // back to the test's loop each time: enter and leave run()
  a.jmp(top);
  Asm b(mem, 0x200);
  b.movi(1, 2000);
  uint64_t btop = b.pc();
  b.addi(0, 1);
  b.addi(1, -1);
  b.bnz(1, btop);
  b.trap(2);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < 2; c++) {
    threads.emplace_back([&] {
      Cpu cpu{};
      cpu.pc = 0x100;
      while (!stop.load()) EXPECT_EQ(engine->run(&cpu), kExitTargetBase + 101);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (int i = 0; i < 3; i++) {
    engine->fork_prepare();
    pid_t pid = fork();
    if (pid == 0) {
      engine->fork_child();
      Cpu cpu{};
      cpu.pc = 0x200;
      uint64_t v = engine->run(&cpu);
      engine->flush();  // must not wait for the threads left in the parent
      cpu.pc = 0x200;
      v += engine->run(&cpu);
      _exit(v == 2 * (kExitTargetBase + 2) && cpu.r[0] == 4000 ? 0 : 1);
    }
    engine->fork_parent();
    ASSERT_GT(pid, 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  stop = true;
  for (auto &t : threads) t.join();
}

Cpu *g_kick_cpu = nullptr;
void on_kick(int) {
  if (toy::g_engine && g_kick_cpu) toy::g_engine->request_exit(g_kick_cpu);
}

TEST_P(ExecThreads, ExitRequestStopsChainedLoops) {
  EngineOptions o;
  o.exit_request_offset = offsetof(Cpu, exit_request);
  o.exit_request_value = kExitTargetBase + 50;
  make(o);
  // An endless loop: chained blocks and an indirect jump (the lookup helper).
  Asm a(mem, 0x100);
  a.movi(2, 0x110);
  uint64_t top = a.pc();
  a.addi(0, 1);
  a.jmp(a.pc() + 4);
  a.addi(1, 1);        // 0x10c
  a.emit(toy::JR, 2);  // to 0x110
  a.addi(3, 1);        // 0x110
  a.jmp(top);
  Cpu cpu{};
  cpu.pc = 0x100;
  // From another thread.
  std::atomic<int> runs{0};
  std::thread t([&] {
    for (int i = 0; i < 3; i++) {
      uint64_t v = engine->run(&cpu);
      EXPECT_EQ(v, kExitTargetBase + 50);
      // (Or still at 0x100 when the request came before the thread's first block ran:
      // this thread may start late on a loaded machine.)
      EXPECT_TRUE(cpu.pc == top || cpu.pc == 0x10c || cpu.pc == 0x110 ||
                  (cpu.pc == 0x100 && cpu.r[0] == 0))
          << cpu.pc;
      // Exact at block boundaries: the counters moved together.
      EXPECT_LE(cpu.r[0] - cpu.r[3], 1u);
      std::atomic_ref<uint32_t>(cpu.exit_request).store(0);
      runs++;
    }
  });
  for (int i = 0; i < 3; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    engine->request_exit(&cpu);
    while (runs.load() != i + 1) std::this_thread::yield();
  }
  t.join();
  EXPECT_GT(cpu.r[0], 0u);
  // From a signal handler on the running thread.
  struct sigaction sa {
  }, old{};
  sa.sa_handler = on_kick;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, &old);
  g_kick_cpu = &cpu;
  std::atomic<bool> done{false};
  std::thread r([&] {
    EXPECT_EQ(engine->run(&cpu), kExitTargetBase + 50);
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  while (!done.load()) {
    pthread_kill(r.native_handle(), SIGUSR1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  r.join();
  sigaction(SIGUSR1, &old, nullptr);
  g_kick_cpu = nullptr;
}

INSTANTIATE_TEST_SUITE_P(Backends, ExecThreads,
                         ::testing::Values(BackendKind::interp, BackendKind::x86_64),
                         [](const auto &info) {
                           return info.param == BackendKind::interp ? "interp" : "x64";
                         });

}  // namespace
}  // namespace qemu::jit
