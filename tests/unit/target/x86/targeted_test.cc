// Targeted differential tests (native vs front end + interpreter): conditions after every
// kind of flag-setting operation (in one block and across blocks), loops, string instructions
// with rep prefixes and both directions, division, cmpxchg8b/16b, addressing forms, high-byte
// registers, the stack; and emulation-only checks: exceptions and their restored state,
// fetch faults, segment bases, cpuid.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "target/x86/cpuid.h"
#include "x86_test_util.h"

namespace qemu::x86::test {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes r;
  for (const Bytes &p : parts) r.insert(r.end(), p.begin(), p.end());
  return r;
}

std::string hex(const Bytes &v) {
  std::string s;
  char b[4];
  for (uint8_t x : v) {
    std::snprintf(b, sizeof b, "%02x ", x);
    s += b;
  }
  return s;
}

uint64_t special(std::mt19937_64 &rng) {
  static const uint64_t k[] = {0,
                               1,
                               2,
                               0x7f,
                               0x80,
                               0xff,
                               0x7fff,
                               0x8000,
                               0xffff,
                               0x7fffffff,
                               0x80000000,
                               0xffffffff,
                               0x7fffffffffffffff,
                               0x8000000000000000,
                               ~0ull,
                               ~1ull};
  return rng() % 3 ? k[rng() % 16] : rng();
}

// Flags each condition reads.
uint64_t cond_flags(unsigned cc) {
  switch (cc >> 1) {
    case 0:
      return kOF;
    case 1:
      return kCF;
    case 2:
      return kZF;
    case 3:
      return kCF | kZF;
    case 4:
      return kSF;
    case 5:
      return kPF;
    case 6:
      return kSF | kOF;
    default:
      return kSF | kOF | kZF;
  }
}

struct FlagOp {
  const char *name;
  Bytes code;
  uint64_t undef;
};

const std::vector<FlagOp> &flag_ops() {
  static const std::vector<FlagOp> ops = {
      {"add rax,rbx", {0x48, 0x01, 0xd8}, 0},
      {"add eax,ebx", {0x01, 0xd8}, 0},
      {"add al,bl", {0x00, 0xd8}, 0},
      {"add ax,bx", {0x66, 0x01, 0xd8}, 0},
      {"adc rax,rbx", {0x48, 0x11, 0xd8}, 0},
      {"adc al,bl", {0x10, 0xd8}, 0},
      {"sub rax,rbx", {0x48, 0x29, 0xd8}, 0},
      {"sub ax,bx", {0x66, 0x29, 0xd8}, 0},
      {"sbb eax,ebx", {0x19, 0xd8}, 0},
      {"cmp rax,rbx", {0x48, 0x39, 0xd8}, 0},
      {"cmp eax,ebx", {0x39, 0xd8}, 0},
      {"cmp al,bl", {0x38, 0xd8}, 0},
      {"cmp ax,bx", {0x66, 0x39, 0xd8}, 0},
      {"and rax,rbx", {0x48, 0x21, 0xd8}, kAF},
      {"or eax,ebx", {0x09, 0xd8}, kAF},
      {"xor al,bl", {0x30, 0xd8}, kAF},
      {"test rax,rbx", {0x48, 0x85, 0xd8}, kAF},
      {"test ax,bx", {0x66, 0x85, 0xd8}, kAF},
      {"inc rax", {0x48, 0xff, 0xc0}, 0},
      {"dec eax", {0xff, 0xc8}, 0},
      {"inc al", {0xfe, 0xc0}, 0},
      {"neg rax", {0x48, 0xf7, 0xd8}, 0},
      {"neg bl", {0xf6, 0xdb}, 0},
      {"shl rax,cl", {0x48, 0xd3, 0xe0}, kOF | kAF},
      {"shl eax,1", {0xd1, 0xe0}, kAF},
      {"shr eax,1", {0xd1, 0xe8}, kAF},
      {"shr rax,cl", {0x48, 0xd3, 0xe8}, kOF | kAF},
      {"sar rax,5", {0x48, 0xc1, 0xf8, 0x05}, kOF | kAF},
      {"sar al,1", {0xd0, 0xf8}, kAF},
      {"rol rax,1", {0x48, 0xd1, 0xc0}, 0},
      {"ror eax,cl", {0xd3, 0xc8}, kOF},
      {"rcl rax,1", {0x48, 0xd1, 0xd0}, 0},
      {"rcr bl,cl", {0xd2, 0xdb}, kOF},
      {"shld rax,rbx,cl", {0x48, 0x0f, 0xa5, 0xd8}, kOF | kAF},
      {"shrd eax,ebx,3", {0x0f, 0xac, 0xd8, 0x03}, kOF | kAF},
      {"imul rax,rbx", {0x48, 0x0f, 0xaf, 0xc3}, kSF | kZF | kAF | kPF},
      {"mul rbx", {0x48, 0xf7, 0xe3}, kSF | kZF | kAF | kPF},
      {"imul bl", {0xf6, 0xeb}, kSF | kZF | kAF | kPF},
      {"bt rax,rbx", {0x48, 0x0f, 0xa3, 0xd8}, kOF | kSF | kAF | kPF},
      {"bts eax,5", {0x0f, 0xba, 0xe8, 0x05}, kOF | kSF | kAF | kPF},
      {"bsf rax,rbx", {0x48, 0x0f, 0xbc, 0xc3}, kOF | kSF | kAF | kPF | kCF},
      {"popcnt rax,rbx", {0xf3, 0x48, 0x0f, 0xb8, 0xc3}, 0},
      {"tzcnt eax,ebx", {0xf3, 0x0f, 0xbc, 0xc3}, kOF | kSF | kAF | kPF},
      {"sahf", {0x9e}, 0},
      {"cmc", {0xf5}, 0},
      {"stc", {0xf9}, 0},
      {"clc", {0xf8}, 0},
      {"xadd rax,rbx", {0x48, 0x0f, 0xc1, 0xd8}, 0},
      {"cmpxchg ebx,ecx", {0x0f, 0xb1, 0xcb}, 0},
      {"ucomisd xmm0,xmm1", {0x66, 0x0f, 0x2e, 0xc1}, 0},
      {"comiss xmm1,xmm0", {0x0f, 0x2f, 0xc8}, 0},
  };
  return ops;
}

TEST(X86Targeted, ConditionsAfterEveryFlagOp) {
  Harness h;
  std::mt19937_64 rng(7);
  int checked = 0;
  for (const FlagOp &op : flag_ops()) {
    for (unsigned cc = 0; cc < 16; cc++) {
      if (cond_flags(cc) & op.undef) continue;
      for (int across = 0; across < 2; across++) {
        // op; [jmp +0: a new block, the flags state unknown at translation]; setcc dl;
        // cmovcc rsi,rdi; jcc +5; mov eax,1
        Bytes code = op.code;
        if (across) code = cat({code, {0xeb, 0x00}});
        code = cat({code,
                    {0x0f, static_cast<uint8_t>(0x90 + cc), 0xc2},
                    {0x48, 0x0f, static_cast<uint8_t>(0x40 + cc), 0xf7},
                    {0x0f, static_cast<uint8_t>(0x80 + cc), 0x05, 0, 0, 0},
                    {0xb8, 1, 0, 0, 0}});
        for (int i = 0; i < 6; i++) {
          State s = h.state();
          s.regs[RAX] = special(rng);
          s.regs[RBX] = special(rng);
          s.regs[RCX] = rng() % 3 == 0 ? rng() : rng() % 70;
          s.regs[RSI] = 0x1111;
          s.regs[RDI] = 0x2222;
          s.flags = (rng() & kArithFlags) | 0x202;
          double d[2] = {static_cast<double>(static_cast<int>(rng() % 5)) - 2, 1.0};
          if (rng() % 5 == 0) d[0] = __builtin_nan("");
          std::memcpy(s.xmm[0], d, 16);
          std::memcpy(s.xmm[1], &d[1], 8);
          std::string err = h.diff(code, s, kArithFlags & ~op.undef);
          ASSERT_EQ(err, "") << op.name << " cc " << cc << " across " << across << ": "
                             << hex(code);
          checked++;
        }
      }
    }
  }
  EXPECT_GT(checked, 4000);
}

TEST(X86Targeted, Loops) {
  Harness h;
  std::mt19937_64 rng(8);
  for (uint8_t opc : {0xe0, 0xe1, 0xe2, 0xe3}) {
    for (int pre = 0; pre < 2; pre++) {
      for (int i = 0; i < 40; i++) {
        // [cmp eax,ebx]; loop +5; mov eax,1
        Bytes code = cat({pre ? Bytes{0x39, 0xd8} : Bytes{}, {opc, 0x05}, {0xb8, 1, 0, 0, 0}});
        State s = h.state();
        s.regs[RCX] = rng() % 4 == 0 ? 0x100000000ull * (rng() % 3) + rng() % 3 : rng() % 3;
        s.regs[RAX] = rng() % 3;
        s.regs[RBX] = rng() % 3;
        s.flags = (rng() & kArithFlags) | 0x202;
        ASSERT_EQ(h.diff(code, s), "") << hex(code);
      }
    }
  }
}

TEST(X86Targeted, StringInstructions) {
  Harness h;
  std::mt19937_64 rng(9);
  struct Str {
    uint8_t opc;
    bool cmp;
  } ops[] = {{0xa4, false}, {0xa6, true}, {0xaa, false}, {0xac, false}, {0xae, true}};
  int n = 0;
  for (const Str &op : ops) {
    for (unsigned size : {1u, 2u, 4u, 8u}) {
      for (uint8_t rep : {uint8_t{0}, uint8_t{0xf3}, uint8_t{0xf2}}) {
        if (rep == 0xf2 && !op.cmp) continue;
        for (int df = 0; df < 2; df++) {
          for (int i = 0; i < 8; i++) {
            Bytes code;
            if (size == 2) code.push_back(0x66);
            if (rep) code.push_back(rep);
            if (size == 8) code.push_back(0x48);
            code.push_back(static_cast<uint8_t>(op.opc + (size > 1 ? 1 : 0)));
            for (size_t k = 0; k < Harness::kBufSize; k++) h.buf[k] = static_cast<uint8_t>(k % 7);
            for (int k = 0; k < 3; k++) h.buf[3072 + rng() % 600] ^= static_cast<uint8_t>(rng());
            State s = h.state();
            s.regs[RSI] = h.addr(df ? 1024 + 600 : 1024);
            s.regs[RDI] = h.addr(df ? 3072 + 600 : 3072);
            s.regs[RCX] = rng() % 4 == 0 ? 0 : rng() % 60;
            s.regs[RAX] = rng() % 2 ? rng() : 0x0303030303030303ull;
            s.flags = (rng() & kArithFlags) | 0x202 | (df ? kDF : 0);
            ASSERT_EQ(h.diff(code, s), "") << hex(code) << " df " << df;
            n++;
          }
        }
      }
    }
  }
  EXPECT_GT(n, 400);
}

TEST(X86Targeted, Division) {
  Harness h;
  std::mt19937_64 rng(10);
  const struct {
    Bytes code;
    unsigned size;
    bool sign;
  } divs[] = {
      {{0x48, 0xf7, 0xf3}, 8, false}, {{0xf7, 0xf3}, 4, false},      {{0x66, 0xf7, 0xf3}, 2, false},
      {{0xf6, 0xf3}, 1, false},       {{0x48, 0xf7, 0xfb}, 8, true}, {{0xf7, 0xfb}, 4, true},
      {{0x66, 0xf7, 0xfb}, 2, true},  {{0xf6, 0xfb}, 1, true},
  };
  for (const auto &d : divs) {
    const uint64_t mask = d.size == 8 ? ~0ull : (1ull << (8 * d.size)) - 1;
    for (int i = 0; i < 200; i++) {
      State s = h.state();
      uint64_t divisor = special(rng) & mask;
      if (divisor == 0) divisor = 3;
      if (d.sign && (divisor == mask)) divisor = 7;  // -1 overflows with the minimum
      s.regs[RBX] = (rng() & ~mask) | divisor;
      s.regs[RAX] = rng();
      if (!d.sign) {
        // High part below the divisor: the quotient fits.
        uint64_t hi = divisor > 1 ? rng() % divisor : 0;
        if (d.size == 1) {
          s.regs[RAX] = (s.regs[RAX] & ~0xff00ull) | (hi << 8);
        } else {
          s.regs[RDX] = (rng() & ~mask) | hi;
        }
      } else {
        // High part = the sign of the low part: fits unless minimum / -1.
        const uint64_t sbit = 1ull << (8 * d.size - 1);
        uint64_t lo = s.regs[RAX] & mask;
        if (lo == sbit) lo = 5;
        s.regs[RAX] = (s.regs[RAX] & ~mask) | lo;
        uint64_t hi = (lo & sbit) ? mask : 0;
        if (d.size == 1) {
          s.regs[RAX] = (s.regs[RAX] & ~0xff00ull) | ((hi & 0xff) << 8);
        } else {
          s.regs[RDX] = (rng() & ~mask) | hi;
        }
      }
      ASSERT_EQ(h.diff(d.code, s, 0), "") << hex(d.code);
    }
  }
  // #DE: by zero, quotient too large, minimum / -1. Nothing changes, rip is the insn's.
  const struct {
    Bytes code;
    uint64_t rax, rdx, rbx;
  } faults[] = {
      {{0x90, 0x48, 0xf7, 0xf3}, 5, 0, 0},
      {{0x90, 0x48, 0xf7, 0xf3}, 5, 7, 7},
      {{0x90, 0xf7, 0xf3}, 5, 0x10, 0x10},
      {{0x90, 0x48, 0xf7, 0xfb}, 0x8000000000000000ull, ~0ull, ~0ull},
      {{0x90, 0xf6, 0xfb}, 0x8000, 0, 0xff},
      {{0x90, 0x66, 0xf7, 0xfb}, 0x8000, 0xffff, 0xffff},
  };
  for (const auto &f : faults) {
    for (bool opt : {false, true}) {
      CpuX86 cpu;
      State s = h.state();
      s.regs[RAX] = f.rax;
      s.regs[RDX] = f.rdx;
      s.regs[RBX] = f.rbx;
      state_to_cpu(s, cpu);
      EmuResult r = h.emulate(f.code, cpu, opt);
      ASSERT_EQ(r.error, "");
      EXPECT_EQ(r.exit.value, kExitException) << hex(f.code);
      EXPECT_EQ(cpu.exception_index, kExcpDE);
      EXPECT_EQ(cpu.rip, h.native.code_addr() + 1);
      EXPECT_EQ(cpu.regs[RAX], f.rax);
      EXPECT_EQ(cpu.regs[RDX], f.rdx);
    }
  }
}

TEST(X86Targeted, Cmpxchg8b16b) {
  Harness h;
  std::mt19937_64 rng(11);
  const Bytes k16 = {0xf0, 0x49, 0x0f, 0xc7, 0x4f, 0x10};  // lock cmpxchg16b [r15+16]
  const Bytes k8 = {0xf0, 0x41, 0x0f, 0xc7, 0x4f, 0x08};   // lock cmpxchg8b [r15+8]
  for (int i = 0; i < 100; i++) {
    State s = h.state();
    for (int r : {RAX, RBX, RCX, RDX}) s.regs[r] = rng();
    uint64_t m[2] = {rng(), rng()};
    if (i % 2) {
      m[0] = s.regs[RAX];
      m[1] = s.regs[RDX];
    }
    std::memcpy(h.buf + 2048 + 16, m, 16);
    s.flags = (rng() & kArithFlags) | 0x202;
    ASSERT_EQ(h.diff(k16, s), "");
    uint64_t m8 = i % 2 ? (s.regs[RDX] << 32 | (s.regs[RAX] & 0xffffffff)) : rng();
    std::memcpy(h.buf + 2048 + 8, &m8, 8);
    ASSERT_EQ(h.diff(k8, s), "");
  }
}

TEST(X86Targeted, AddressingForms) {
  Harness h;
  std::mt19937_64 rng(12);
  const Bytes forms[] = {
      {0x48, 0x8d, 0x84, 0x8b, 0x78, 0x56, 0x34, 0x12},  // lea rax,[rbx+rcx*4+0x12345678]
      {0x48, 0x8d, 0x05, 0x00, 0x01, 0x00, 0x00},        // lea rax,[rip+0x100]
      {0x67, 0x8d, 0x04, 0xcb},                          // lea eax,[ebx+ecx*8]
      {0x48, 0x8d, 0x04, 0x5d, 0x00, 0x01, 0x00, 0x00},  // lea rax,[rbx*2+0x100]
      {0x49, 0x8b, 0x44, 0xcf, 0x10},                    // mov rax,[r15+rcx*8+0x10]
      {0x49, 0x8b, 0x04, 0x24},                          // mov rax,[r12]
      {0x49, 0x8b, 0x45, 0x00},                          // mov rax,[r13+0]
      {0x4b, 0x8b, 0x44, 0x65, 0xf0},                    // mov rax,[r13+r12*2-16]... (see regs)
      {0x48, 0x8b, 0x04, 0x24},                          // mov rax,[rsp]
      {0x48, 0x89, 0x44, 0x24, 0xf8},                    // mov [rsp-8],rax
      {0x8a, 0x64, 0x8f, 0x02},                          // mov ah,[rdi+rcx*4+2]
      {0x88, 0xfc},                                      // mov ah,bh
      {0x00, 0xf5},                                      // add ch,dh
      {0x86, 0xe0},                                      // xchg ah,al
      {0x0f, 0xb6, 0xc7},                                // movzx eax,bh
      {0x48, 0x0f, 0xbe, 0xdc},                          // movsx rbx,spl (REX: spl)
      {0x4c, 0x89, 0xfb, 0xd7},                          // mov rbx,r15; xlat
  };
  for (const Bytes &f : forms) {
    for (int i = 0; i < 30; i++) {
      State s = h.state();
      s.regs[RAX] = rng();
      s.regs[RBX] = rng();
      s.regs[RCX] = rng() % 16;
      s.regs[RDX] = rng();
      s.regs[RDI] = h.addr(1000 + rng() % 64);
      s.regs[R12] = h.addr(2000 + (rng() % 64));
      s.regs[R13] = h.addr(3000 + rng() % 64);
      if (f[0] == 0x4b) s.regs[R12] = rng() % 64;
      ASSERT_EQ(h.diff(f, s), "") << hex(f);
    }
  }
}

TEST(X86Targeted, StackAndCalls) {
  Harness h;
  std::mt19937_64 rng(13);
  const uint64_t code = h.native.code_addr();
  uint64_t target = code + 12;  // after "call [r15+8]" (4) and the padding
  const Bytes progs[] = {
      {0xe8, 0, 0, 0, 0, 0x58},                       // call +0; pop rax
      {0x48, 0x8d, 0x05, 0x02, 0, 0, 0, 0x50, 0xc3},  // lea rax,[rip+2]; push rax; ret
      {0x41, 0xff, 0x57, 0x08, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90},  // call [r15+8]
      {0xc8, 0x20, 0x00, 0x00, 0xc9},                    // enter 0x20,0; leave
      {0xc8, 0x10, 0x00, 0x03, 0x48, 0x89, 0xe0, 0xc9},  // enter 16,3; mov rax,rsp; leave
      {0x9c, 0x58},                                      // pushf; pop rax
      {0x53, 0x9d, 0x9c, 0x59},                          // push rbx; popf; pushf; pop rcx
      {0x6a, 0x80, 0x68, 0x44, 0x33, 0x22, 0x91, 0x66, 0x58, 0x5b, 0x41, 0xff, 0x77, 0x10},
      {0x41, 0x8f, 0x47, 0x20, 0x8f, 0x04, 0x24},  // pop [r15+32]; pop [rsp]
      {0x48, 0x8d, 0x05, 0x04, 0, 0, 0, 0xff, 0xe0, 0x90, 0x90, 0x90, 0x90},  // jmp rax
      {0xc2, 0x08, 0x00},  // ret 8 (to the end, see below)
  };
  for (const Bytes &p : progs) {
    for (int i = 0; i < 20; i++) {
      State s = h.state();
      s.regs[RAX] = rng();
      s.regs[RBX] = (rng() & (kArithFlags | kDF)) | 0x202;
      s.regs[RBP] = h.addr(6000);
      for (int k = 0; k < 64; k++) h.buf[5900 + k] = static_cast<uint8_t>(rng());
      std::memcpy(h.buf + 2048 + 8, &target, 8);
      if (p[0] == 0xc2) {
        uint64_t end = code + p.size();
        std::memcpy(h.buf + 7168, &end, 8);
      }
      s.flags = (rng() & kArithFlags) | 0x202;
      ASSERT_EQ(h.diff(p, s), "") << hex(p);
    }
  }
}

TEST(X86Targeted, ExceptionsAndExits) {
  Harness h;
  const struct {
    Bytes code;
    uint64_t exit;
    uint32_t index;
    unsigned rip_off;
  } cases[] = {
      {{0x90, 0x0f, 0x0b}, kExitException, kExcpUD, 1},  // ud2
      {{0x90, 0xcc}, kExitInterrupt, kExcpBP, 2},        // int3
      {{0xcd, 0x80}, kExitInterrupt, 0x80, 2},           // int 0x80
      {{0x90, 0x0f, 0x05}, kExitSyscall, 0, 3},          // syscall
      {{0xf4}, kExitException, kExcpGP, 0},              // hlt
      {{0xfa}, kExitException, kExcpGP, 0},              // cli
      {{0x0f, 0x20, 0xc0}, kExitException, kExcpUD, 0},  // mov rax,cr0 (not decoded)
      {{0x90, 0x0f, 0xff}, kExitException, kExcpUD, 1},  // ud0
      {{0x90, 0xc4, 0xe1, 0x71, 0x10, 0xc0}, kExitException, kExcpUD, 1},  // VEX.vvvv not 1111
      {{0xf0, 0x01, 0xd8}, kExitException, kExcpUD, 0},  // lock on a register form
  };
  for (const auto &c : cases) {
    CpuX86 cpu;
    state_to_cpu(h.state(), cpu);
    EmuResult r = h.emulate(c.code, cpu);
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.exit.value, c.exit) << hex(c.code);
    if (c.exit != kExitSyscall) {
      EXPECT_EQ(cpu.exception_index, c.index) << hex(c.code);
    }
    EXPECT_EQ(cpu.rip, h.native.code_addr() + c.rip_off) << hex(c.code);
  }
}

TEST(X86Targeted, FaultRestoresInstructionStart) {
  // add rax,rbx; mov rcx,[r14] (r14 outside guest memory): rip and the lazy flags of the add.
  Harness h;
  const Bytes code = {0x48, 0x01, 0xd8, 0x49, 0x8b, 0x0e};
  for (bool opt : {false, true}) {
    CpuX86 cpu;
    State s = h.state();
    s.regs[RAX] = 0x7fffffffffffffffull;
    s.regs[RBX] = 1;
    s.regs[R14] = 0x10;
    state_to_cpu(s, cpu);
    EmuResult r = h.emulate(code, cpu, opt);
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.exit.kind, jit::ExitKind::fault);
    EXPECT_EQ(r.exit.value, 0x10u);
    EXPECT_EQ(cpu.rip, h.native.code_addr() + 3);
    EXPECT_EQ(cpu.regs[RAX], 0x8000000000000000ull);
    EXPECT_EQ(get_eflags(cpu) & kArithFlags, kOF | kSF | kAF | kPF);
  }
}

const uint64_t *g_deny_page;
bool deny_readable(uint64_t addr, size_t) {
  return addr != *g_deny_page;
}

TEST(X86Targeted, FetchFault) {
  Harness h;
  const Bytes code = {0x90, 0x90};
  uint64_t page = h.native.code_addr() & ~0xfffull;
  g_deny_page = &page;
  FrontendOptions fo;
  fo.code_readable = deny_readable;
  CpuX86 cpu;
  state_to_cpu(h.state(), cpu);
  EmuResult r = h.emulate(code, cpu, false, fo);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.exit.value, kExitException);
  EXPECT_EQ(cpu.exception_index, kExcpPF);
  EXPECT_EQ(cpu.fault_addr, h.native.code_addr());
  EXPECT_EQ(cpu.rip, h.native.code_addr());

  // A block stops before an unreadable page; the next one faults at its start.
  X86Frontend fe(fo);
  jit::Ir ir;
  jit::Builder b(ir);
  jit::TbSource src;
  page = (h.native.code_addr() & ~0xfffull) + 0x1000;
  fe.translate({page - 2, 0}, b, src, 512);  // bytes before the page end: two nops
  EXPECT_LE(src.num_insns, 2u);
  EXPECT_LE(src.start[0] + src.len[0], page);
}

TEST(X86Targeted, SegmentBase) {
  Harness h;
  uint64_t v = 0x1122334455667788ull;
  std::memcpy(h.buf + 4096 + 16, &v, 8);
  CpuX86 cpu;
  state_to_cpu(h.state(), cpu);
  cpu.fs_base = h.addr(4096);
  cpu.gs_base = h.addr(4096 + 8);
  // mov rax,fs:[0x10]; mov rbx,gs:[0x8]; lea rcx,fs:[0x10] (no base)
  const Bytes code = {0x64, 0x48, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0,
                      0x65, 0x48, 0x8b, 0x1c, 0x25, 0x08, 0, 0, 0,
                      0x64, 0x48, 0x8d, 0x0c, 0x25, 0x10, 0, 0, 0};
  EmuResult r = h.emulate(code, cpu);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(cpu.regs[RAX], v);
  EXPECT_EQ(cpu.regs[RBX], v);
  EXPECT_EQ(cpu.regs[RCX], 0x10u);
}

TEST(X86Targeted, Cpuid) {
  Harness h;
  CpuX86 cpu;
  state_to_cpu(h.state(), cpu);
  cpu.regs[RAX] = 0;
  EmuResult r = h.emulate({0x0f, 0xa2}, cpu);
  ASSERT_EQ(r.error, "");
  char vendor[13] = {};
  std::memcpy(vendor, &cpu.regs[RBX], 4);
  std::memcpy(vendor + 4, &cpu.regs[RDX], 4);
  std::memcpy(vendor + 8, &cpu.regs[RCX], 4);
  EXPECT_STREQ(vendor, "GenuineIntel");
  state_to_cpu(h.state(), cpu);
  cpu.regs[RAX] = 7;
  cpu.regs[RCX] = 0;
  r = h.emulate({0x0f, 0xa2}, cpu);
  EXPECT_EQ(cpu.regs[RBX] & ((1u << 3) | (1u << 8)), (1u << 3) | (1u << 8));  // BMI1, BMI2
}

// An AVX instruction is #UD when the CPU model lacks its extension, and runs when it has it.
TEST(X86Targeted, AvxNeedsTheModel) {
  Harness h;
  const struct {
    uint32_t CpuidModel::*word;
    unsigned bit;
    Bytes code;
  } cases[] = {
      {&CpuidModel::leaf1_ecx, 28, {0xc5, 0xfc, 0x58, 0xc0}},          // vaddps ymm0, ymm0, ymm0
      {&CpuidModel::leaf1_ecx, 28, {0xc5, 0xf9, 0x6e, 0xc0}},          // vmovd xmm0, eax
      {&CpuidModel::leaf7_ebx, 5, {0xc5, 0xfd, 0xfe, 0xc0}},           // vpaddd ymm0 (AVX2)
      {&CpuidModel::leaf7_ebx, 5, {0xc4, 0xe3, 0x7d, 0x46, 0xc0, 1}},  // vperm2i128 ymm0
      {&CpuidModel::leaf7_ebx, 5, {0xc4, 0xe2, 0x79, 0x58, 0xc0}},     // vpbroadcastd xmm0, xmm0
      {&CpuidModel::leaf1_ecx, 12, {0xc4, 0xe2, 0x79, 0xb8, 0xc0}},    // vfmadd231ps xmm0
      {&CpuidModel::leaf1_ecx, 29, {0xc4, 0xe2, 0x79, 0x13, 0xc0}},    // vcvtph2ps xmm0, xmm0
  };
  for (const auto &c : cases) {
    for (bool have : {false, true}) {
      CpuidModel m = cpuid_implemented();
      if (!have) m.*c.word &= ~(1u << c.bit);
      set_cpuid_model(m);
      CpuX86 cpu;
      state_to_cpu(h.state(), cpu);
      EmuResult r = h.emulate(c.code, cpu);
      set_cpuid_model(cpuid_implemented());
      ASSERT_EQ(r.error, "");
      const bool ud = r.exit.value == kExitException && cpu.exception_index == kExcpUD;
      EXPECT_EQ(ud, !have) << hex(c.code) << (have ? " with" : " without") << " the feature";
    }
  }
  // Without AVX2, the 128-bit form of an AVX2-at-256 instruction needs AVX only; so does
  // vbroadcastss from a register under QEMU 7.2 (the processors: AVX2).
  {
    CpuidModel m = cpuid_implemented();
    m.leaf7_ebx &= ~(1u << 5);
    set_cpuid_model(m);
    CpuX86 cpu;
    state_to_cpu(h.state(), cpu);
    EmuResult r = h.emulate({0xc4, 0xe2, 0x7d, 0x18, 0xc0}, cpu);  // vbroadcastss ymm0, xmm0
    set_cpuid_model(cpuid_implemented());
    EXPECT_NE(r.exit.value, kExitException);
  }
  CpuidModel m = cpuid_implemented();
  m.leaf7_ebx &= ~(1u << 5);
  set_cpuid_model(m);
  CpuX86 cpu;
  state_to_cpu(h.state(), cpu);
  EmuResult r = h.emulate({0xc5, 0xf9, 0xfe, 0xc0}, cpu);  // vpaddd xmm0
  set_cpuid_model(cpuid_implemented());
  EXPECT_NE(r.exit.value, kExitException);
}

TEST(X86Targeted, DumpState) {
  X86Frontend fe;
  CpuX86 cpu{};
  cpu.rip = 0x401000;
  cpu.eflags = 0x202;
  cpu.df = 1;
  cpu.regs[RAX] = 0x1234;
  set_eflags(cpu, kZF | kCF, kArithFlags);
  char *buf = nullptr;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  fe.dump_state(&cpu, f, false);
  std::fclose(f);
  std::string s(buf, len);
  std::free(buf);
  EXPECT_NE(s.find("RAX=0000000000001234 RBX=0000000000000000"), std::string::npos) << s;
  EXPECT_NE(s.find("RIP=0000000000401000 RFL=00000243 [---Z--C]"), std::string::npos) << s;
}

}  // namespace
}  // namespace qemu::x86::test

namespace qemu::x86::test {
namespace {

TEST(X86Targeted, PcmpStr) {
  Harness h;
  std::mt19937_64 rng(14);
  int n = 0;
  for (uint8_t opc = 0x60; opc <= 0x63; opc++) {
    for (unsigned imm = 0; imm < 0x80; imm++) {
      for (int i = 0; i < 6; i++) {
        // pcmpXstrX xmm1, xmm2, imm
        const Bytes code = {0x66, 0x0f, 0x3a, opc, 0xca, static_cast<uint8_t>(imm)};
        State s = h.state();
        for (int x : {1, 2}) {
          for (int k = 0; k < 16; k++) {
            s.xmm[x][k] = static_cast<uint8_t>(rng() % 5 == 0 ? 0 : 'a' + rng() % 4);
          }
        }
        s.regs[RAX] =
            rng() % 3 == 0 ? static_cast<uint64_t>(-static_cast<int64_t>(rng() % 20)) : rng() % 20;
        s.regs[RDX] = rng() % 20;
        s.regs[RCX] = rng();
        ASSERT_EQ(h.diff(code, s), "") << hex(code);
        n++;
      }
    }
  }
  EXPECT_EQ(n, 4 * 128 * 6);
}

// The SSE integer operations done as IR on 64-bit lanes (pcmpeq*, punpck*, pshufd,
// pslldq/psrldq, pmovmskb) against native, on registers whose bytes are mostly equal or near
// the element boundaries (0x00, 0x7f, 0x80, 0xff), every immediate of the shuffles and shifts.
TEST(X86Targeted, SseLanes) {
  Harness h;
  std::mt19937_64 rng(15);
  static const uint8_t kBytes[] = {0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x61};
  auto fill = [&](State &s) {
    for (int x : {1, 2}) {
      for (int k = 0; k < 16; k++) s.xmm[x][k] = kBytes[rng() % 8];
    }
    if (rng() % 2) std::memcpy(s.xmm[2], s.xmm[1], 16);
    if (rng() % 2) s.xmm[2][rng() % 16] ^= static_cast<uint8_t>(1u << (rng() % 8));
  };
  std::vector<Bytes> codes;
  // pcmpeq*, punpck*, pminub/pmaxub, and the zeroing idioms pxor/pandn/psub*/xorpd/andnpd x, x.
  for (uint8_t opc : {0x74, 0x75, 0x76, 0x60, 0x61, 0x62, 0x6c, 0x68, 0x69, 0x6a, 0x6d,
                      0xef, 0xdf, 0xf8, 0xf9, 0xfa, 0xfb, 0x57, 0x55, 0xda, 0xde}) {
    codes.push_back({0x66, 0x0f, opc, 0xca});  // op xmm1, xmm2
    codes.push_back({0x66, 0x0f, opc, 0xc9});  // op xmm1, xmm1
  }
  codes.push_back({0x66, 0x0f, 0xd7, 0xc1});  // pmovmskb eax, xmm1
  for (unsigned imm = 0; imm < 256; imm += 7) {
    codes.push_back({0x66, 0x0f, 0x70, 0xca, static_cast<uint8_t>(imm)});  // pshufd
  }
  for (uint8_t imm = 0; imm < 20; imm++) {
    codes.push_back({0x66, 0x0f, 0x73, 0xf9, imm});  // pslldq xmm1, imm
    codes.push_back({0x66, 0x0f, 0x73, 0xd9, imm});  // psrldq xmm1, imm
  }
  codes.push_back({0x66, 0x0f, 0x73, 0xf9, 0xff});
  for (const Bytes &code : codes) {
    for (int i = 0; i < 8; i++) {
      State s = h.state();
      fill(s);
      ASSERT_EQ(h.diff(code, s), "") << hex(code);
    }
  }
}

}  // namespace
}  // namespace qemu::x86::test
