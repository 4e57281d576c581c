// FXSAVE/FXRSTOR, and XSAVE, XSAVEOPT, XSAVEC and XRSTOR on the x87, SSE and AVX components.
// The CPU keeps no init tracking for x87 and SSE: both always count as in use (the SDM allows
// XINUSE to stay 1), so the savers write them whenever requested. AVX counts as in use while an
// upper half is not zero (as after vzeroupper natively, XSTATE_BV's bit 2 is then clear).
#include "target/x86/xsave.h"

#include <cstring>

#include "target/x86/cpu.h"
#include "target/x86/fp_exceptions.h"
#include "target/x86/sse.h"

namespace qemu::x86 {

namespace {

using U = uint64_t;

constexpr uint64_t kCompacted = 1ull << 63;
constexpr size_t kHeader = 512;

CpuX86 &cpu_of(U env) {
  return *reinterpret_cast<CpuX86 *>(env);
}

// The x87 part of the legacy region: control, status, tags (abridged), the last instruction
// and operand pointers (kept as zero), the registers in stack order.
void save_x87(const CpuX86 &c, uint8_t *p) {
  const uint16_t fsw = static_cast<uint16_t>((c.fpus & ~0x3800u) | (c.fpstt & 7) << 11);
  uint8_t ftw = 0;
  for (int i = 0; i < 8; i++) {
    if (!c.fptags[i]) ftw |= static_cast<uint8_t>(1u << i);
  }
  std::memset(p, 0, 24);
  std::memcpy(p, &c.fpuc, 2);
  std::memcpy(p + 2, &fsw, 2);
  p[4] = ftw;
  for (int i = 0; i < 8; i++) {
    const auto &r = c.fpregs[(c.fpstt + i) & 7];
    std::memset(p + 32 + 16 * i, 0, 16);
    std::memcpy(p + 32 + 16 * i, &r.mant, 8);
    std::memcpy(p + 40 + 16 * i, &r.exp, 2);
  }
}

void load_x87(CpuX86 &c, const uint8_t *p) {
  uint16_t fsw;
  std::memcpy(&c.fpuc, p, 2);
  std::memcpy(&fsw, p + 2, 2);
  c.fpstt = (fsw >> 11) & 7;
  c.fpus = fsw & ~0x3800;
  x87_update_es(c);  // a pending exception as the words say
  for (int i = 0; i < 8; i++) c.fptags[i] = !((p[4] >> i) & 1);
  for (int i = 0; i < 8; i++) {
    auto &r = c.fpregs[(c.fpstt + i) & 7];
    std::memcpy(&r.mant, p + 32 + 16 * i, 8);
    std::memcpy(&r.exp, p + 40 + 16 * i, 2);
  }
}

void init_x87(CpuX86 &c) {
  c.fpuc = 0x37f;
  c.fpus = 0;
  c.fpstt = 0;
  for (auto &t : c.fptags) t = 1;
  for (auto &r : c.fpregs) r = CpuX86::FpReg{};
}

void save_mxcsr(const CpuX86 &c, uint8_t *p) {
  const uint32_t mask = 0xffff;
  std::memcpy(p + 24, &c.mxcsr, 4);
  std::memcpy(p + 28, &mask, 4);
}

// False when the saved value sets a reserved bit (#GP).
bool mxcsr_valid(const uint8_t *p) {
  uint32_t mx;
  std::memcpy(&mx, p + 24, 4);
  return !(mx & ~0xffffu);
}

uint64_t rd64(const uint8_t *p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

bool all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i]) return false;
  }
  return true;
}

// The components in use (XINUSE).
uint64_t in_use(const CpuX86 &c) {
  return all_zero(reinterpret_cast<const uint8_t *>(c.ymmh), sizeof c.ymmh) ? 3 : 7;
}

// The components of rfbm (MXCSR goes with SSE); AVX only when in use (xsave writes the init
// value, zeros, otherwise; xsavec and xsaveopt leave the memory alone).
void save_components(const CpuX86 &c, uint8_t *p, uint64_t rfbm, bool write_init) {
  if (rfbm & 1) save_x87(c, p);
  if (rfbm & 2) {
    save_mxcsr(c, p);
    std::memcpy(p + 160, c.xmm, 256);
  }
  if (rfbm & 4) {
    if (in_use(c) & 4) {
      std::memcpy(p + kXsaveYmmOffset, c.ymmh, 256);
    } else if (write_init) {
      std::memset(p + kXsaveYmmOffset, 0, 256);
    }
  }
}

U h_xsave(U env, U host, U mask) {
  const CpuX86 &c = cpu_of(env);
  auto *p = reinterpret_cast<uint8_t *>(host);
  const uint64_t rfbm = mask & xcr0();
  save_components(c, p, rfbm, true);
  // Only XSTATE_BV of the header: its requested bits say which are in use, the others stay.
  const uint64_t bv = (rd64(p + kHeader) & ~rfbm) | (rfbm & in_use(c));
  std::memcpy(p + kHeader, &bv, 8);
  return 0;
}

U h_xsavec(U env, U host, U mask) {
  const CpuX86 &c = cpu_of(env);
  auto *p = reinterpret_cast<uint8_t *>(host);
  const uint64_t rfbm = mask & xcr0();
  save_components(c, p, rfbm, false);
  // With components 0-2 only, the compacted offsets are the standard ones.
  const uint64_t bv = rfbm & in_use(c), comp = kCompacted | rfbm;
  std::memcpy(p + kHeader, &bv, 8);
  std::memcpy(p + kHeader + 8, &comp, 8);
  return 0;
}

U h_xrstor(U env, U host, U mask) {
  CpuX86 &c = cpu_of(env);
  const auto *p = reinterpret_cast<const uint8_t *>(host);
  const uint64_t rfbm = mask & xcr0();
  const uint64_t bv = rd64(p + kHeader), comp = rd64(p + kHeader + 8);
  const bool compacted = comp & kCompacted;
  if (compacted) {
    if ((comp & ~kCompacted & ~xcr0()) || (bv & ~comp) || !all_zero(p + kHeader + 16, 48)) {
      return 1;
    }
  } else if ((bv & ~xcr0()) || !all_zero(p + kHeader + 8, 16)) {
    return 1;
  }
  // The standard form loads MXCSR whenever SSE is requested, whatever XSTATE_BV says; the
  // compacted form only with the component's data (else its init value).
  const bool mxcsr_from_memory = (rfbm & 2) && (!compacted || (bv & 2));
  if (mxcsr_from_memory && !mxcsr_valid(p)) return 1;
  if (rfbm & 1) {
    if (bv & 1) {
      load_x87(c, p);
    } else {
      init_x87(c);
    }
  }
  if (rfbm & 2) {
    if (mxcsr_from_memory) {
      std::memcpy(&c.mxcsr, p + 24, 4);
    } else {
      c.mxcsr = 0x1f80;
    }
    if (bv & 2) {
      std::memcpy(c.xmm, p + 160, 256);
    } else {
      std::memset(c.xmm, 0, 256);
    }
  }
  if (rfbm & 4) {
    if (bv & 4) {
      std::memcpy(c.ymmh, p + kXsaveYmmOffset, 256);
    } else {
      std::memset(c.ymmh, 0, 256);
    }
  }
  return 0;
}

// FXSAVE/FXRSTOR: the legacy region alone, both components.
U h_fxsave(U env, U host) {
  save_components(cpu_of(env), reinterpret_cast<uint8_t *>(host), 3, false);
  return 0;
}

U h_fxrstor(U env, U host) {
  CpuX86 &c = cpu_of(env);
  const auto *p = reinterpret_cast<const uint8_t *>(host);
  if (!mxcsr_valid(p)) return 1;
  load_x87(c, p);
  std::memcpy(&c.mxcsr, p + 24, 4);
  std::memcpy(c.xmm, p + 160, 256);
  return 0;
}

U h_xinuse(U env) {
  return in_use(cpu_of(env)) & xcr0();
}

template <typename Fn>
jit::HelperInfo::GenericFn fn(Fn *f) {
  return reinterpret_cast<jit::HelperInfo::GenericFn>(f);
}

}  // namespace

const jit::HelperInfo kHelperXsave = {"xsave", fn(&h_xsave), 3, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperXsavec = {"xsavec", fn(&h_xsavec), 3, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperFxsave = {"fxsave", fn(&h_fxsave), 2, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperFxrstor = {"fxrstor", fn(&h_fxrstor), 2, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperXrstor = {"xrstor", fn(&h_xrstor), 3, true, jit::kHelperNoGlobals};
const jit::HelperInfo kHelperXinuse = {"xinuse", fn(&h_xinuse), 1, true, jit::kHelperNoGlobals};

}  // namespace qemu::x86
