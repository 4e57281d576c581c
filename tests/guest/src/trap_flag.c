/* guest-test: variants=static,pie
 * EFLAGS.TF single-stepping: a program sets TF with popf and counts the SIGTRAPs over a known
 * instruction sequence (straight-line code, a taken and a not-taken branch, call/ret, an
 * indirect jump, rep movsb iterations, a syscall (whose own trap the kernel skips), popf
 * clearing TF, which still traps after itself).
 * For each trap it prints si_code, si_addr and the saved rip relative to the sequence's start,
 * and whether TF is set in the saved flags; the handler itself runs with TF clear. Also: a
 * signal other than SIGTRAP arriving while TF is set (its handler runs untraced, stepping goes
 * on after sigreturn), and TF cleared by the SIGTRAP handler through the ucontext. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

extern char tf_seq[], tf_seq_end[], tf_sig[], tf_stop[];
void tf_run(void *dst, const void *src);
void tf_run_sig(void);
void tf_run_stop(void);

/* rdi = dst, rsi = src. */
__asm__(
    ".text\n"
    ".globl tf_run\n"
    ".type tf_run, @function\n"
    "tf_run:\n"
    "tf_seq:\n"
    "  pushfq\n"
    "  orq $0x100, (%rsp)\n"
    "  popfq\n"               /* TF on: the trap comes after the next instruction */
    "  nop\n"
    "  mov $1, %eax\n"
    "  add $2, %eax\n"
    "  cmp $3, %eax\n"
    "  je 1f\n"               /* taken */
    "  ud2\n"
    "1:\n"
    "  cmp $4, %eax\n"
    "  je 2f\n"               /* not taken */
    "  call 3f\n"
    "  jmp 4f\n"
    "3:\n"
    "  inc %eax\n"
    "  ret\n"
    "2:\n"
    "  ud2\n"
    "4:\n"
    "  lea 5f(%rip), %rdx\n"
    "  jmp *%rdx\n"
    "  ud2\n"
    "5:\n"
    "  mov $3, %ecx\n"
    "  rep movsb\n"           /* one trap per iteration */
    "  xor %ecx, %ecx\n"
    "  rep movsb\n"           /* zero iterations */
    "  mov $39, %eax\n"       /* getpid */
    "  syscall\n"
    "  xor %eax, %eax\n"
    "  pushfq\n"
    "  andq $~0x100, (%rsp)\n"
    "  popfq\n"               /* TF off: still a trap after this one */
    "  nop\n"
    "  nop\n"
    "  ret\n"
    "tf_seq_end:\n"
    ".size tf_run, .-tf_run\n"

    ".globl tf_run_sig\n"
    ".type tf_run_sig, @function\n"
    "tf_run_sig:\n"
    "tf_sig:\n"
    "  push %rbx\n"
    "  mov $39, %eax\n"
    "  syscall\n"             /* getpid */
    "  mov %eax, %ebx\n"
    "  pushfq\n"
    "  orq $0x100, (%rsp)\n"
    "  popfq\n"
    "  mov $186, %eax\n"      /* gettid */
    "  syscall\n"
    "  mov %eax, %esi\n"
    "  mov %ebx, %edi\n"
    "  mov $10, %edx\n"       /* SIGUSR1 */
    "  mov $234, %eax\n"      /* tgkill(pid, tid, SIGUSR1) */
    "  syscall\n"
    "  nop\n"
    "  pushfq\n"
    "  andq $~0x100, (%rsp)\n"
    "  popfq\n"
    "  pop %rbx\n"
    "  ret\n"
    ".size tf_run_sig, .-tf_run_sig\n"

    ".globl tf_run_stop\n"
    ".type tf_run_stop, @function\n"
    "tf_run_stop:\n"
    "tf_stop:\n"
    "  pushfq\n"
    "  orq $0x100, (%rsp)\n"
    "  popfq\n"
    "  nop\n"
    "  nop\n"               /* the handler clears TF in the ucontext at the first trap */
    "  nop\n"
    "  nop\n"
    "  ret\n"
    ".size tf_run_stop, .-tf_run_stop\n");

static volatile int ntraps, clear_after;
static char *base;
static struct {
  int code;
  long addr, rip;
  int tf_saved, tf_in_handler;
} rec[64];

static void on_trap(int sig, siginfo_t *si, void *uc_) {
  ucontext_t *uc = uc_;
  uint64_t flags;
  __asm__ volatile("pushfq; pop %0" : "=r"(flags));
  (void)sig;
  int i = ntraps++;
  if (i < 64) {
    rec[i].code = si->si_code;
    rec[i].addr = (char *)si->si_addr - base;
    rec[i].rip = (char *)uc->uc_mcontext.gregs[REG_RIP] - base;
    rec[i].tf_saved = !!(uc->uc_mcontext.gregs[REG_EFL] & 0x100);
    rec[i].tf_in_handler = !!(flags & 0x100);
  }
  if (clear_after && ntraps >= clear_after) uc->uc_mcontext.gregs[REG_EFL] &= ~0x100;
}

static volatile int nusr1, usr1_tf;
static void on_usr1(int sig) {
  uint64_t flags;
  __asm__ volatile("pushfq; pop %0" : "=r"(flags));
  (void)sig;
  nusr1++;
  usr1_tf = !!(flags & 0x100);
}

static void report(const char *what) {
  printf("%s: %d traps\n", what, ntraps);
  for (int i = 0; i < ntraps && i < 64; i++) {
    printf("  trap %2d: si_code %d si_addr %+ld rip %+ld tf_saved %d tf_in_handler %d\n", i,
           rec[i].code, rec[i].addr, rec[i].rip, rec[i].tf_saved, rec[i].tf_in_handler);
  }
  ntraps = 0;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_trap;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGTRAP, &sa, 0);
  sa.sa_handler = on_usr1;
  sa.sa_flags = 0;
  sigaction(SIGUSR1, &sa, 0);

  char src[8] = "abc", dst[8] = {0};
  base = tf_seq;
  tf_run(dst, src);
  report("sequence");
  printf("copied \"%s\", sequence length %ld\n", dst, (long)(tf_seq_end - tf_seq));

  base = tf_sig;
  tf_run_sig();
  report("other signal while stepping");
  printf("usr1 handler ran %d time(s), TF in it %d\n", nusr1, usr1_tf);

  base = tf_stop;
  clear_after = 1;
  tf_run_stop();
  report("TF cleared by the handler");

  uint64_t flags;
  __asm__ volatile("pushfq; pop %0" : "=r"(flags));
  printf("TF at the end %d\n", !!(flags & 0x100));
  return 0;
}
