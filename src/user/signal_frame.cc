// Delivery of a guest signal: the x86-64 rt_sigframe the Linux kernel builds (return address,
// ucontext with the registers and an fxsave image, siginfo), and rt_sigreturn undoing it.
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "target/x86/fp_exceptions.h"
#include "target/x86/xsave.h"
#include "user/gdb.h"
#include "user/guest_addr.h"
#include "user/signal.h"
#include "user/syscall_impl.h"
#include "user/syscall_table.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

// The kernel's layouts (arch/x86/include/uapi/asm/sigcontext.h, ucontext.h).
struct KSigcontext {
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
  uint64_t fpstate;
  uint64_t reserved1[8];
};
struct KStack {
  uint64_t ss_sp;
  int32_t ss_flags;
  int32_t pad;
  uint64_t ss_size;
};
struct KUcontext {
  uint64_t uc_flags;
  uint64_t uc_link;
  KStack uc_stack;
  KSigcontext uc_mcontext;
  uint64_t uc_sigmask;
};
struct KRtSigframe {
  uint64_t pretcode;
  KUcontext uc;
  siginfo_t info;
};
struct FxSave {
  uint16_t fcw, fsw;
  uint8_t ftw, pad0;
  uint16_t fop;
  uint64_t rip, rdp;
  uint32_t mxcsr, mxcsr_mask;
  uint8_t st[8][16];
  uint8_t xmm[16][16];
  uint8_t reserved[96];
};
static_assert(sizeof(KSigcontext) == 256);
static_assert(sizeof(KUcontext) == 304);
static_assert(sizeof(FxSave) == 512);

constexpr uint64_t kSaOnstack = 0x08000000, kSaRestart = 0x10000000, kSaNodefer = 0x40000000,
                   kSaResethand = 0x80000000, kSaSiginfo = 4;
constexpr int kSsOnstack = 1, kSsDisable = 2;

bool on_altstack(const ThreadState *ts, uint64_t sp) {
  return ts->altstack_size && sp > ts->altstack_sp && sp <= ts->altstack_sp + ts->altstack_size;
}

void save_fpu(const x86::CpuX86 &c, FxSave *fx) {
  memset(fx, 0, sizeof *fx);
  fx->fcw = c.fpuc;
  fx->fsw = static_cast<uint16_t>((c.fpus & ~0x3800) | ((c.fpstt & 7) << 11));
  uint8_t ftw = 0;
  for (int i = 0; i < 8; ++i)
    if (!c.fptags[i]) ftw |= 1 << i;
  fx->ftw = ftw;
  fx->mxcsr = c.mxcsr;
  fx->mxcsr_mask = 0xffff;
  for (int i = 0; i < 8; ++i) {
    const auto &r = c.fpregs[(c.fpstt + i) & 7];
    memcpy(fx->st[i], &r.mant, 8);
    memcpy(fx->st[i] + 8, &r.exp, 2);
  }
  for (int i = 0; i < 16; ++i) memcpy(fx->xmm[i], c.xmm[i].b, 16);
}

void restore_fpu(x86::CpuX86 &c, const FxSave *fx) {
  c.fpuc = fx->fcw;
  c.fpstt = (fx->fsw >> 11) & 7;
  c.fpus = fx->fsw & ~0x3800;
  x86::x87_update_es(c);  // pending as the words say (as xrstor does)
  for (int i = 0; i < 8; ++i) c.fptags[i] = (fx->ftw >> i) & 1 ? 0 : 1;
  c.mxcsr = fx->mxcsr;
  for (int i = 0; i < 8; ++i) {
    auto &r = c.fpregs[(c.fpstt + i) & 7];
    memcpy(&r.mant, fx->st[i], 8);
    memcpy(&r.exp, fx->st[i] + 8, 2);
  }
  for (int i = 0; i < 16; ++i) memcpy(c.xmm[i].b, fx->xmm[i], 16);
}

// The handler starts with the initial FPU state, as the kernel's fpu__clear_user_states gives
// it: x87 as after fninit with zero registers, MXCSR 0x1f80 (every exception masked), the
// vector registers zero.
void reset_fpu(x86::CpuX86 &c) {
  c.fpuc = 0x37f;
  c.fpus = 0;
  c.fpstt = 0;
  for (auto &t : c.fptags) t = 1;
  memset(c.fpregs, 0, sizeof c.fpregs);
  c.mxcsr = 0x1f80;
  memset(c.xmm, 0, sizeof c.xmm);
  memset(c.ymmh, 0, sizeof c.ymmh);
}

// With AVX the fpstate is the kernel's XSAVE frame: the FXSAVE image whose software-reserved
// bytes (464..511) describe the extended area (FP_XSTATE_MAGIC1, the size with the trailing
// magic, the features, the XSAVE size), the XSAVE header, the ymm upper halves, and
// FP_XSTATE_MAGIC2 right after the area.
constexpr uint32_t kFpXstateMagic1 = 0x46505853, kFpXstateMagic2 = 0x46505845;
// uc_flags: the fpstate has the extended area; the frame's ss is valid and sigreturn restores
// it as it is (the kernel's flags for a 64-bit task).
constexpr uint64_t kUcFpXstate = 1, kUcSigcontextSs = 2, kUcStrictRestoreSs = 4;
struct XstateSw {
  uint32_t magic1, extended_size;
  uint64_t xfeatures;
  uint32_t xstate_size;
  uint32_t padding[7];
};
static_assert(sizeof(XstateSw) == 48);

// The size of the fpstate the frame reserves (64-byte aligned below it).
size_t fpstate_size() {
  return (x86::xcr0() & 4) ? x86::xsave_area_size(x86::xcr0()) + 4 : sizeof(FxSave);
}

// Writes the extended part of an XSAVE frame at host address p (the FXSAVE image is there).
void save_xstate(const x86::CpuX86 &c, uint8_t *p) {
  const uint32_t size = x86::xsave_area_size(x86::xcr0());
  XstateSw sw{};
  sw.magic1 = kFpXstateMagic1;
  sw.extended_size = size + 4;
  sw.xfeatures = x86::xcr0();
  sw.xstate_size = size;
  memcpy(p + 464, &sw, sizeof sw);
  bool ymm_used = false;
  for (const auto &h : c.ymmh) ymm_used |= (h.q[0] | h.q[1]) != 0;
  const uint64_t header[8] = {ymm_used ? 7u : 3u};
  memcpy(p + 512, header, sizeof header);
  memcpy(p + x86::kXsaveYmmOffset, c.ymmh, 256);
  memcpy(p + size, &kFpXstateMagic2, 4);
}

// The ymm upper halves from a frame's fpstate at host address p (readable for `avail` bytes):
// from the XSAVE area when the frame says it has one with AVX in use, else zero.
void restore_xstate(x86::CpuX86 &c, const uint8_t *p, size_t avail) {
  XstateSw sw;
  memcpy(&sw, p + 464, sizeof sw);
  const uint32_t size = x86::xsave_area_size(7);
  uint32_t magic2 = 0;
  uint64_t bv = 0;
  if (sw.magic1 == kFpXstateMagic1 && sw.xstate_size >= size && sw.xstate_size + 4 <= avail &&
      sw.extended_size == sw.xstate_size + 4) {
    memcpy(&magic2, p + sw.xstate_size, 4);
    memcpy(&bv, p + 512, 8);
  }
  if (magic2 == kFpXstateMagic2 && (bv & sw.xfeatures & 4)) {
    memcpy(c.ymmh, p + x86::kXsaveYmmOffset, 256);
  } else {
    memset(c.ymmh, 0, sizeof c.ymmh);
  }
}

// Builds the frame and points the CPU at the handler. False: the stack is unusable.
bool setup_frame(ThreadState *ts, int sig, const siginfo_t &info, const GuestSigaction &act) {
  x86::CpuX86 &c = ts->cpu;
  uint64_t sp = c.regs[x86::RSP];
  bool was_on_alt = on_altstack(ts, sp);
  if ((act.flags & kSaOnstack) && ts->altstack_size && !(ts->altstack_flags & kSsDisable) &&
      !was_on_alt) {
    sp = ts->altstack_sp + ts->altstack_size;
  } else {
    sp -= 128;  // the red zone
  }
  const size_t fp_size = fpstate_size();
  sp = (sp - fp_size) & ~uint64_t(63);
  uint64_t fp_addr = sp;
  sp = ((sp - sizeof(KRtSigframe)) & ~uint64_t(15)) - 8;
  uint64_t frame_addr = sp;
  if (!g_proc->mem.is_mapped(frame_addr, fp_addr + fp_size - frame_addr, PROT_WRITE)) return false;

  FxSave fx;
  save_fpu(c, &fx);
  KRtSigframe f;
  memset(&f, 0, sizeof f);
  f.pretcode = act.restorer;
  f.uc.uc_flags =
      (fp_size > sizeof(FxSave) ? kUcFpXstate : 0) | kUcSigcontextSs | kUcStrictRestoreSs;
  f.uc.uc_stack.ss_sp = ts->altstack_sp;
  f.uc.uc_stack.ss_size = ts->altstack_size;
  f.uc.uc_stack.ss_flags = (ts->altstack_flags & kSsDisable) ? kSsDisable
                           : was_on_alt                      ? kSsOnstack
                                                             : 0;
  KSigcontext &m = f.uc.uc_mcontext;
  const uint64_t *r = c.regs;
  m.r8 = r[x86::R8], m.r9 = r[x86::R9], m.r10 = r[x86::R10], m.r11 = r[x86::R11];
  m.r12 = r[x86::R12], m.r13 = r[x86::R13], m.r14 = r[x86::R14], m.r15 = r[x86::R15];
  m.rdi = r[x86::RDI], m.rsi = r[x86::RSI], m.rbp = r[x86::RBP], m.rbx = r[x86::RBX];
  m.rdx = r[x86::RDX], m.rax = r[x86::RAX], m.rcx = r[x86::RCX], m.rsp = r[x86::RSP];
  m.rip = c.rip;
  m.eflags = x86::get_eflags(c);
  m.cs = 0x33;
  m.ss = 0x2b;
  if (info.si_code > 0 &&
      (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP)) {
    m.trapno = c.exception_index;
    m.err = c.error_code & 0x7fff;
    m.cr2 = c.fault_addr;
  }
  m.oldmask = ts->have_saved_mask ? ts->saved_mask : ts->sigmask;
  m.fpstate = fp_addr;
  f.uc.uc_sigmask = m.oldmask;
  f.info = info;
  f.info.si_signo = sig;
  memcpy(g2h(fp_addr), &fx, sizeof fx);
  if (fp_size > sizeof(FxSave)) save_xstate(c, static_cast<uint8_t *>(g2h(fp_addr)));
  memcpy(g2h(frame_addr), &f, sizeof f);

  c.regs[x86::RDI] = sig;
  c.regs[x86::RSI] = frame_addr + offsetof(KRtSigframe, info);
  c.regs[x86::RDX] = frame_addr + offsetof(KRtSigframe, uc);
  c.regs[x86::RAX] = 0;
  c.regs[x86::RSP] = frame_addr;
  c.rip = act.handler;
  c.df = 1;
  x86::set_eflags(c, 0, 0x100 | 0x400);  // TF and DF clear
  reset_fpu(c);
  return true;
}

bool is_default_ignored(int sig) {
  return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}
bool is_stop(int sig) {
  return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

// Picks the next deliverable signal as the kernel does: synchronous faults first, then the
// lowest number, the oldest instance of it. False: none.
bool take_signal(ThreadState *ts, PendingSignal *out) {
  std::lock_guard<std::mutex> lock(ts->sig_mu);
  int best = -1;
  for (size_t i = 0; i < ts->queue.size(); ++i) {
    const PendingSignal &p = ts->queue[i];
    bool sync = p.info.si_code > 0 && (p.sig == SIGSEGV || p.sig == SIGBUS || p.sig == SIGFPE ||
                                       p.sig == SIGILL || p.sig == SIGTRAP);
    // Synchronous faults can't be blocked: a blocked one kills, as in the kernel.
    if (!sync && (ts->sigmask & sigbit(p.sig))) continue;
    int rank = (sync ? 0 : 100) + p.sig;
    if (best < 0) {
      best = static_cast<int>(i);
      continue;
    }
    const PendingSignal &b = ts->queue[best];
    bool bsync = b.info.si_code > 0 && (b.sig == SIGSEGV || b.sig == SIGBUS || b.sig == SIGFPE ||
                                        b.sig == SIGILL || b.sig == SIGTRAP);
    if (rank < (bsync ? 0 : 100) + b.sig) best = static_cast<int>(i);
  }
  if (best < 0) return false;
  *out = ts->queue[best];
  ts->queue.erase(ts->queue.begin() + best);
  return true;
}

void update_pending(ThreadState *ts) {
  std::lock_guard<std::mutex> lock(ts->sig_mu);
  bool any = false;
  for (const PendingSignal &p : ts->queue)
    if (!(ts->sigmask & sigbit(p.sig))) any = true;
  ts->signal_pending.store(any || ts->ring_head.load() != ts->ring_tail.load());
}

}  // namespace

void process_pending_signals(ThreadState *ts, int64_t interrupted_nr) {
  drain_ring(ts);
  x86::CpuX86 &c = ts->cpu;
  bool restart_decided = interrupted_nr < 0;
  PendingSignal p;
  while (take_signal(ts, &p)) {
    int sig = p.sig;
    if (gdb_attached()) {
      // The debugger sees the signal first and says what is delivered (0: nothing).
      const int s = gdb_stop(ts, sig);
      if (s == 0) continue;
      if (s != sig) p.info.si_signo = sig = s;
    }
    GuestSigaction act;
    {
      std::lock_guard<std::mutex> lock(g_proc->sigact_mu);
      act = g_proc->sigact[sig];
    }
    bool sync = p.info.si_code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
                                       sig == SIGILL || sig == SIGTRAP);
    if (sync && (ts->sigmask & sigbit(sig) || act.handler == 1)) act.handler = 0;
    if (act.handler == 1 || (act.handler == 0 && is_default_ignored(sig))) continue;
    if (act.handler == 0) {
      if (is_stop(sig)) {
        kill(getpid(), SIGSTOP);
        continue;
      }
      die_with_signal(sig);
    }
    if (!restart_decided) {
      restart_decided = true;
      if (act.flags & kSaRestart) {
        c.rip -= 2;
        c.regs[x86::RAX] = static_cast<uint64_t>(interrupted_nr);
      } else {
        c.regs[x86::RAX] = static_cast<uint64_t>(-int64_t(EINTR));
      }
    }
    if (!setup_frame(ts, sig, p.info, act)) die_with_signal(SIGSEGV);
    if (log_enabled(kLogStrace)) log_write(strace_signal(sig, p.info));
    ts->have_saved_mask = false;
    if (!(act.flags & kSaNodefer)) ts->sigmask |= sigbit(sig);
    ts->sigmask |= act.mask;
    if (act.flags & kSaResethand) {
      std::lock_guard<std::mutex> lock(g_proc->sigact_mu);
      g_proc->sigact[sig].handler = 0;
    }
    (void)kSaSiginfo;
    break;  // one frame at a time: the next after this handler's first block
  }
  if (!restart_decided) {
    // Nothing handled the interruption: restart the call transparently.
    c.rip -= 2;
    c.regs[x86::RAX] = static_cast<uint64_t>(interrupted_nr);
  }
  if (ts->have_saved_mask) {
    ts->sigmask = ts->saved_mask;
    ts->have_saved_mask = false;
  }
  sync_host_mask(ts);
  update_pending(ts);
}

SYSCALL_HANDLER(rt_sigreturn) {
  (void)a;
  x86::CpuX86 &c = ts->cpu;
  uint64_t frame_addr = c.regs[x86::RSP] - 8;
  if (!g_proc->mem.is_mapped(frame_addr, sizeof(KRtSigframe), PROT_READ)) die_with_signal(SIGSEGV);
  KRtSigframe f;
  memcpy(&f, g2h(frame_addr), sizeof f);
  const KSigcontext &m = f.uc.uc_mcontext;
  uint64_t *r = c.regs;
  r[x86::R8] = m.r8, r[x86::R9] = m.r9, r[x86::R10] = m.r10, r[x86::R11] = m.r11;
  r[x86::R12] = m.r12, r[x86::R13] = m.r13, r[x86::R14] = m.r14, r[x86::R15] = m.r15;
  r[x86::RDI] = m.rdi, r[x86::RSI] = m.rsi, r[x86::RBP] = m.rbp, r[x86::RBX] = m.rbx;
  r[x86::RDX] = m.rdx, r[x86::RAX] = m.rax, r[x86::RCX] = m.rcx, r[x86::RSP] = m.rsp;
  c.rip = m.rip;
  // The flags a user program may change (CF PF AF ZF SF TF DF OF AC ID and friends).
  x86::set_eflags(c, m.eflags, 0x40dd5 | 0x200000);
  if (m.fpstate && g_proc->mem.is_mapped(m.fpstate, sizeof(FxSave), PROT_READ)) {
    FxSave fx;
    memcpy(&fx, g2h(m.fpstate), sizeof fx);
    restore_fpu(c, &fx);
    if (x86::xcr0() & 4) {
      const size_t need = x86::xsave_area_size(7) + 4;
      const bool whole = g_proc->mem.is_mapped(m.fpstate, need, PROT_READ);
      restore_xstate(c, static_cast<const uint8_t *>(g2h(m.fpstate)), whole ? need : sizeof fx);
    }
  }
  ts->sigmask = f.uc.uc_sigmask & ~(sigbit(SIGKILL) | sigbit(SIGSTOP));
  sync_host_mask(ts);
  // uc_stack: as sigaltstack would take it (errors ignored, as the kernel does).
  if (!on_altstack(ts, c.regs[x86::RSP]) && !(f.uc.uc_stack.ss_flags & kSsOnstack)) {
    if (f.uc.uc_stack.ss_flags & kSsDisable) {
      ts->altstack_flags = kSsDisable;
      ts->altstack_sp = 0;
      ts->altstack_size = 0;
    } else if (f.uc.uc_stack.ss_size >= 2048) {
      ts->altstack_sp = f.uc.uc_stack.ss_sp;
      ts->altstack_size = f.uc.uc_stack.ss_size;
      ts->altstack_flags = 0;
    }
  }
  update_pending(ts);
  return kNoResult;
}

}  // namespace qemu::user
