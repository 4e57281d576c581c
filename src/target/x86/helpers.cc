#include "target/x86/helpers.h"

#include <sys/random.h>
#include <x86intrin.h>

#include <cstring>

#include "target/x86/cpu.h"
#include "target/x86/flags.h"

namespace qemu::x86 {

namespace {

using U = uint64_t;

CpuX86 &cpu_of(U env) {
  return *reinterpret_cast<CpuX86 *>(env);
}

U h_eflags(U op, U dst, U src, U src2) {
  return compute_eflags(static_cast<uint32_t>(op), dst, src, src2);
}

// Division: rdx:rax (or ax for bytes) by the divisor; 1 for #DE (nothing written).
U h_div(U env, U kind, U divisor) {
  CpuX86 &c = cpu_of(env);
  const unsigned size = kind & 0xff;
  const bool sign = kind & 0x100;
  const unsigned bits = size * 8;
  const U mask = size == 8 ? ~0ull : (1ull << bits) - 1;
  divisor &= mask;
  if (divisor == 0) return 1;
  // 64-bit operands whose dividend fits in rax (rdx its zero or sign extension, as after
  // xor edx,edx / cqo): one host division instead of the 128-bit library routine.
  if (size == 8 && !sign && c.regs[RDX] == 0) {
    const U n = c.regs[RAX];
    c.regs[RAX] = n / divisor;
    c.regs[RDX] = n % divisor;
    return 0;
  }
  if (size == 8 && sign && c.regs[RDX] == static_cast<U>(static_cast<int64_t>(c.regs[RAX]) >> 63)) {
    const auto n = static_cast<int64_t>(c.regs[RAX]), d = static_cast<int64_t>(divisor);
    if (n != INT64_MIN || d != -1) {
      c.regs[RAX] = static_cast<U>(n / d);
      c.regs[RDX] = static_cast<U>(n % d);
      return 0;
    }
  }
  unsigned __int128 num;
  if (size == 1) {
    num = c.regs[RAX] & 0xffff;
  } else {
    num = (static_cast<unsigned __int128>(c.regs[RDX] & mask) << bits) | (c.regs[RAX] & mask);
  }
  U q, r;
  if (!sign) {
    unsigned __int128 qq = num / divisor;
    if (qq > mask) return 1;
    q = static_cast<U>(qq);
    r = static_cast<U>(num % divisor);
  } else {
    const unsigned nbits = 2 * bits;
    __int128 n = static_cast<__int128>(num << (128 - nbits)) >> (128 - nbits);
    int64_t d = static_cast<int64_t>(divisor << (64 - bits)) >> (64 - bits);
    // The most negative dividend (all ones shifted: no signed overflow even for 128 bits).
    const __int128 nmin = static_cast<__int128>(~static_cast<unsigned __int128>(0) << (nbits - 1));
    if (d == -1 && n == nmin) return 1;
    __int128 qq = n / d, rr = n % d;
    __int128 lim = static_cast<__int128>(1) << (bits - 1);
    if (qq >= lim || qq < -lim) return 1;
    q = static_cast<U>(qq) & mask;
    r = static_cast<U>(rr) & mask;
  }
  switch (size) {
    case 1:
      c.regs[RAX] = (c.regs[RAX] & ~0xffffull) | q | (r << 8);
      break;
    case 2:
      c.regs[RAX] = (c.regs[RAX] & ~0xffffull) | q;
      c.regs[RDX] = (c.regs[RDX] & ~0xffffull) | r;
      break;
    default:
      c.regs[RAX] = q;
      c.regs[RDX] = r;
      break;
  }
  return 0;
}

// rcl/rcr: flags in (all arithmetic flags), result out; new flags in helper_out[0].
U h_rcx(U env, U value, U count, U flags, U kind) {
  const unsigned size = kind & 0xff;
  const bool right = kind & 0x100;
  const unsigned bits = size * 8;
  const U mask = size == 8 ? ~0ull : (1ull << bits) - 1;
  unsigned n = static_cast<unsigned>(count);
  if (size < 4) n %= bits + 1;
  value &= mask;
  U cf = flags & 1;
  for (unsigned i = 0; i < n; i++) {
    if (!right) {
      U out = (value >> (bits - 1)) & 1;
      value = ((value << 1) | cf) & mask;
      cf = out;
    } else {
      U out = value & 1;
      value = (value >> 1) | (cf << (bits - 1));
      cf = out;
    }
  }
  U f = flags;
  if (n) {
    f = (f & ~(kCF | kOF)) | cf;
    U msb = (value >> (bits - 1)) & 1;
    U of = right ? msb ^ ((value >> (bits - 2)) & 1) : msb ^ cf;
    f |= of << 11;
  }
  cpu_of(env).helper_out[0] = f;
  return value;
}

template <typename T>
U rmw(T *p, uint32_t op, U src, U carry) {
  T old = __atomic_load_n(p, __ATOMIC_RELAXED);
  for (;;) {
    T s = static_cast<T>(src), n;
    switch (op) {
      case kAtomicAdd:
        n = static_cast<T>(old + s);
        break;
      case kAtomicOr:
        n = old | s;
        break;
      case kAtomicAdc:
        n = static_cast<T>(old + s + carry);
        break;
      case kAtomicSbb:
        n = static_cast<T>(old - s - carry);
        break;
      case kAtomicAnd:
        n = old & s;
        break;
      case kAtomicSub:
        n = static_cast<T>(old - s);
        break;
      case kAtomicXor:
        n = old ^ s;
        break;
      case kAtomicXchg:
        n = s;
        break;
      case kAtomicNot:
        n = static_cast<T>(~old);
        break;
      default:
        n = static_cast<T>(-old);
        break;
    }
    if (__atomic_compare_exchange_n(p, &old, n, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
      return old;
    }
  }
}

U h_atomic_rmw(U host, U opsize, U src, U carry) {
  const uint32_t op = opsize & 0xff;
  switch (opsize >> 8) {
    case 1:
      return rmw(reinterpret_cast<uint8_t *>(host), op, src, carry);
    case 2:
      return rmw(reinterpret_cast<uint16_t *>(host), op, src, carry);
    case 4:
      return rmw(reinterpret_cast<uint32_t *>(host), op, src, carry);
    default:
      return rmw(reinterpret_cast<uint64_t *>(host), op, src, carry);
  }
}

template <typename T>
U cas(U host, U expected, U desired) {
  T e = static_cast<T>(expected);
  __atomic_compare_exchange_n(reinterpret_cast<T *>(host), &e, static_cast<T>(desired), false,
                              __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
  return e;
}

U h_atomic_cmpxchg(U host, U expected, U desired, U size) {
  switch (size) {
    case 1:
      return cas<uint8_t>(host, expected, desired);
    case 2:
      return cas<uint16_t>(host, expected, desired);
    case 4:
      return cas<uint32_t>(host, expected, desired);
    default:
      return cas<uint64_t>(host, expected, desired);
  }
}

// cmpxchg8b (edx:eax vs m64, ecx:ebx) and cmpxchg16b (rdx:rax vs m128, rcx:rbx); returns ZF.
U h_cmpxchg16b(U env, U host, U size) {
  CpuX86 &c = cpu_of(env);
  if (size == 8) {
    U expected = (c.regs[RDX] << 32) | (c.regs[RAX] & 0xffffffff);
    U desired = (c.regs[RCX] << 32) | (c.regs[RBX] & 0xffffffff);
    U old = cas<uint64_t>(host, expected, desired);
    if (old == expected) return 1;
    c.regs[RAX] = old & 0xffffffff;
    c.regs[RDX] = old >> 32;
    return 0;
  }
  U lo = c.regs[RAX], hi = c.regs[RDX];
  uint8_t ok;
  asm volatile("lock cmpxchg16b %[m]"
               : [m] "+m"(*reinterpret_cast<unsigned __int128 *>(host)), "+a"(lo), "+d"(hi),
                 "=@ccz"(ok)
               : "b"(c.regs[RBX]), "c"(c.regs[RCX])
               : "memory");
  if (ok) return 1;
  c.regs[RAX] = lo;
  c.regs[RDX] = hi;
  return 0;
}

U h_cpuid(U env) {
  CpuX86 &c = cpu_of(env);
  uint32_t out[4];
  cpuid(static_cast<uint32_t>(c.regs[RAX]), static_cast<uint32_t>(c.regs[RCX]), out);
  c.regs[RAX] = out[0];
  c.regs[RBX] = out[1];
  c.regs[RCX] = out[2];
  c.regs[RDX] = out[3];
  return 0;
}

U h_rdtsc() {
  return __rdtsc();
}

U h_rdrand() {
  U v = 0;
  while (getrandom(&v, sizeof v, 0) != sizeof v) {
  }
  return v;
}

U h_pdep(U src, U mask) {
  U r = 0;
  for (U bit = 1; mask; bit <<= 1) {
    U low = mask & -mask;
    if (src & bit) r |= low;
    mask &= mask - 1;
  }
  return r;
}

U h_pext(U src, U mask) {
  U r = 0, bit = 1;
  while (mask) {
    U low = mask & -mask;
    if (src & low) r |= bit;
    bit <<= 1;
    mask &= mask - 1;
  }
  return r;
}

// CRC-32C (Castagnoli), reflected, as the crc32 instruction.
U h_crc32(U crc, U value, U size) {
  uint32_t c = static_cast<uint32_t>(crc);
  for (unsigned i = 0; i < size * 8; i++) {
    uint32_t bit = (c ^ static_cast<uint32_t>(value >> i)) & 1;
    c = (c >> 1) ^ (bit ? 0x82f63b78u : 0);
  }
  return c;
}

template <typename F>
jit::HelperInfo::GenericFn fn(F *f) {
  return reinterpret_cast<jit::HelperInfo::GenericFn>(f);
}

}  // namespace

const jit::HelperInfo kHelperEflags = {"cc_compute_all", fn(&h_eflags), 4, true,
                                       jit::kHelperNoSideEffects};
const jit::HelperInfo kHelperDiv = {"div", fn(&h_div), 3, true, 0};
const jit::HelperInfo kHelperRcx = {"rcl_rcr", fn(&h_rcx), 5, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperAtomicRmw = {"atomic_rmw", fn(&h_atomic_rmw), 4, true,
                                          jit::kHelperNoGlobals};
const jit::HelperInfo kHelperAtomicCmpxchg = {"atomic_cmpxchg", fn(&h_atomic_cmpxchg), 4, true,
                                              jit::kHelperNoGlobals};
const jit::HelperInfo kHelperCmpxchg16b = {"cmpxchg16b", fn(&h_cmpxchg16b), 3, true, 0};
const jit::HelperInfo kHelperCpuid = {"cpuid", fn(&h_cpuid), 1, false, 0};
const jit::HelperInfo kHelperRdtsc = {"rdtsc", fn(&h_rdtsc), 0, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperRdrand = {"rdrand", fn(&h_rdrand), 0, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperPdep = {"pdep", fn(&h_pdep), 2, true, jit::kHelperNoSideEffects};
const jit::HelperInfo kHelperPext = {"pext", fn(&h_pext), 2, true, jit::kHelperNoSideEffects};
const jit::HelperInfo kHelperCrc32 = {"crc32", fn(&h_crc32), 3, true, jit::kHelperNoSideEffects};

}  // namespace qemu::x86
