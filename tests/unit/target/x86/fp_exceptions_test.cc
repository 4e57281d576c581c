// The SSE exception model (fp_exceptions.h) against the host: random operands (zeros, ones,
// thirds, extremes, denormals, tiny and huge values, infinities, NaNs) for the arithmetic,
// conversions, square roots and horizontal operations in every rounding mode, with DAZ/FTZ
// and random sets of unmasked exceptions. The host's own instruction under that MXCSR either
// completes (then the model must raise nothing, and its flags are the host's) or faults with
// SIGFPE (then the model's #XM flags must be the frame's MXCSR flags).
#include <emmintrin.h>
#include <gtest/gtest.h>
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <random>

#include "target/x86/fp_exceptions.h"
#include "target/x86/sse.h"

namespace qemu::x86 {
namespace {

sigjmp_buf g_jb;
volatile uint32_t g_frame_mxcsr;

void on_fpe(int, siginfo_t *, void *ucv) {
  g_frame_mxcsr = static_cast<ucontext_t *>(ucv)->uc_mcontext.fpregs->mxcsr;
  siglongjmp(g_jb, 1);
}

struct Outcome {
  bool xm;
  uint32_t flags;  // the #XM's (frame) or the ones raised
  bool operator==(const Outcome &) const = default;
};

#define HOST_OP(insn)                                                                \
  asm volatile("ldmxcsr %[m]\n\t" insn " %[s], %[r]\n\tstmxcsr %[o]\n\tldmxcsr %[d]" \
               : [r] "+x"(x), [o] "=m"(out)                                          \
               : [s] "x"(y), [m] "m"(mxcsr), [d] "m"(kDefault))
#define HOST_OP_IMM(insn)                                                                  \
  asm volatile("ldmxcsr %[m]\n\t" insn " %[i], %[s], %[r]\n\tstmxcsr %[o]\n\tldmxcsr %[d]" \
               : [r] "+x"(x), [o] "=m"(out)                                                \
               : [s] "x"(y), [i] "i"(1), [m] "m"(mxcsr), [d] "m"(kDefault))

const uint32_t kDefault = 0x1f80;

// The host's instruction for op (r op= s) under mxcsr.
Outcome host(unsigned op, const XmmReg &r, const XmmReg &s, uint32_t mxcsr) {
  struct sigaction sa {
  }, old;
  sa.sa_sigaction = on_fpe;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGFPE, &sa, &old);
  volatile uint32_t out = 0;
  Outcome o{false, 0};
  if (sigsetjmp(g_jb, 1) == 0) {
    __m128d x, y;
    std::memcpy(&x, &r, 16);
    std::memcpy(&y, &s, 16);
    switch (op) {
#define CASE(o, insn) \
  case o:             \
    HOST_OP(insn);    \
    break;
      CASE(kAddps, "addps")
      CASE(kAddpd, "addpd")
      CASE(kAddss, "addss")
      CASE(kAddsd, "addsd")
      CASE(kSubps, "subps")
      CASE(kSubpd, "subpd")
      CASE(kSubss, "subss")
      CASE(kSubsd, "subsd")
      CASE(kMulps, "mulps")
      CASE(kMulpd, "mulpd")
      CASE(kMulss, "mulss")
      CASE(kMulsd, "mulsd")
      CASE(kDivps, "divps")
      CASE(kDivpd, "divpd")
      CASE(kDivss, "divss")
      CASE(kDivsd, "divsd")
      CASE(kMinpd, "minpd")
      CASE(kMaxps, "maxps")
      CASE(kSqrtps, "sqrtps")
      CASE(kSqrtsd, "sqrtsd")
      CASE(kCvtsd2ss, "cvtsd2ss")
      CASE(kCvtpd2ps, "cvtpd2ps")
      CASE(kCvtss2sd, "cvtss2sd")
      CASE(kCvtps2dq, "cvtps2dq")
      CASE(kAddsubps, "addsubps")
      CASE(kAddsubpd, "addsubpd")
      CASE(kHaddps, "haddps")
      CASE(kHsubpd, "hsubpd")
#undef CASE
      case kCmpps:
        HOST_OP_IMM("cmpps");
        break;
      default:
        HOST_OP_IMM("roundsd");
        break;
    }
    o.flags = out & 0x3f;
  } else {
    o = {true, g_frame_mxcsr & 0x3f};
  }
  sigaction(SIGFPE, &old, nullptr);
  return o;
}

// The model: the operation through the SSE helper with every exception masked (the flags it
// raises), then sse_post_flags and sse_xm_flags as SseExceptionScope uses them.
Outcome model(unsigned op, const XmmReg &r, const XmmReg &s, uint32_t mxcsr) {
  uint32_t scope = mxcsr & ~0x3fu;
  if (!(scope & 0x800)) scope &= ~0x8000u;
  CpuX86 c{};
  c.xmm[0] = r;
  c.xmm[1] = s;
  c.mxcsr = scope | 0x1f80;
  using Fn = uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
  const unsigned imm = op == kCmpps || op == kRoundsd ? 1 : 0;
  reinterpret_cast<Fn>(kHelperSse.fn)(reinterpret_cast<uint64_t>(&c), op, offsetof(CpuX86, xmm),
                                      offsetof(CpuX86, xmm) + 16, imm);
  const uint32_t raised = c.mxcsr & 0x3f;
  const uint32_t post = sse_post_flags(scope, op, r, s, raised);
  const uint32_t xm = sse_xm_flags(mxcsr, raised, post);
  return xm ? Outcome{true, xm} : Outcome{false, raised};
}

TEST(FpExceptions, SseModelMatchesHost) {
  const double kD[] = {0.0,       -0.0,      1.0,      -1.0,          3.0,     0.1,
                       1.5,       1e300,     -1e300,   DBL_MAX,       DBL_MIN, DBL_MIN / 3,
                       0x1p-1074, 0x1p-515,  0x1p-600, 0x1.8p-520,    1e-310,  0x1p1023,
                       HUGE_VAL,  -HUGE_VAL, NAN,      1.0 + 0x1p-52, 1e38,    1e-40};
  const float kF[] = {0.0f,       -0.0f,    1.0f,           -1.0f,      3.0f,    0.1f,
                      1.5f,       1e30f,    -1e30f,         FLT_MAX,    FLT_MIN, FLT_MIN / 3,
                      0x1p-149f,  0x1p-70f, 0x1p-75f,       0x1.8p-70f, 3e9f,    HUGE_VALF,
                      -HUGE_VALF, NAN,      1.0f + 0x1p-23f};
  const unsigned kOps[] = {kAddps,    kAddpd,    kAddss,    kAddsd,    kSubps,    kSubpd,
                           kSubss,    kSubsd,    kMulps,    kMulpd,    kMulss,    kMulsd,
                           kDivps,    kDivpd,    kDivss,    kDivsd,    kMinpd,    kMaxps,
                           kSqrtps,   kSqrtsd,   kCvtsd2ss, kCvtpd2ps, kCvtss2sd, kCvtps2dq,
                           kAddsubps, kAddsubpd, kHaddps,   kHsubpd,   kCmpps,    kRoundsd};
  std::mt19937_64 rng(11);
  auto pick = [&](XmmReg &x, bool dbl) {
    for (int i = 0; i < (dbl ? 2 : 4); i++) {
      if (dbl) {
        x.df[i] = kD[rng() % std::size(kD)];
        if (rng() % 16 == 0) x.q[i] = 0x7ff4000000000000ull;  // signalling NaN
      } else {
        x.f[i] = kF[rng() % std::size(kF)];
        if (rng() % 16 == 0) x.d[i] = 0x7fa00000u;
      }
    }
  };
  int faults = 0;
  for (int n = 0; n < 40000; n++) {
    const unsigned op = kOps[rng() % std::size(kOps)];
    const bool dbl_src = op == kAddpd || op == kAddsd || op == kSubpd || op == kSubsd ||
                         op == kMulpd || op == kMulsd || op == kDivpd || op == kDivsd ||
                         op == kMinpd || op == kSqrtsd || op == kCvtsd2ss || op == kCvtpd2ps ||
                         op == kAddsubpd || op == kHsubpd || op == kRoundsd;
    XmmReg r, s;
    pick(r, dbl_src && op != kCvtsd2ss);
    pick(s, dbl_src);
    uint32_t unmask = static_cast<uint32_t>(rng()) & 0x3f;
    if (rng() % 2) unmask &= static_cast<uint32_t>(rng());  // fewer, often
    uint32_t mxcsr = (0x1f80 & ~(unmask << 7)) | static_cast<uint32_t>(rng() % 4) << 13;
    if (rng() % 4 == 0) mxcsr |= 0x40;    // DAZ
    if (rng() % 4 == 0) mxcsr |= 0x8000;  // FTZ
    const Outcome h = host(op, r, s, mxcsr), m = model(op, r, s, mxcsr);
    faults += h.xm;
    ASSERT_EQ(h, m) << "op " << op << " mxcsr " << std::hex << mxcsr << " r " << r.q[1] << ":"
                    << r.q[0] << " s " << s.q[1] << ":" << s.q[0] << " host xm " << h.xm
                    << " flags " << h.flags << ", model xm " << m.xm << " flags " << m.flags;
  }
  EXPECT_GT(faults, 10000);
}

}  // namespace
}  // namespace qemu::x86
