// MxcsrGuard: the guest's MXCSR installed on the host around a helper's floating point work.
#pragma once

#include <xmmintrin.h>

#include "target/x86/cpu.h"

namespace qemu::x86 {

// The guest's MXCSR on the host for the lifetime of the guard (exceptions masked), and the
// exception flags raised merged into the guest's. Fast path: when the host already has the
// guest's control bits and no flag the guest lacks, nothing is loaded (flags raised now can
// only add to the guest's); the host's control bits are put back when they differed.
class MxcsrGuard {
 public:
  explicit MxcsrGuard(CpuX86 &c) : c_(c), host_(_mm_getcsr()) {
    const unsigned want = (c.mxcsr & 0xffc0u) | 0x1f80u;
    if ((host_ & 0xffc0u) != want || (host_ & 0x3fu & ~c.mxcsr)) {
      _mm_setcsr(want | (host_ & c.mxcsr & 0x3fu));
      restore_ = (host_ & 0xffc0u) != want;
    }
  }
  ~MxcsrGuard() {
    const unsigned now = _mm_getcsr();
    c_.mxcsr |= now & 0x3f;
    if (restore_) _mm_setcsr((host_ & 0xffc0u) | (now & 0x3fu));
  }

 private:
  CpuX86 &c_;
  unsigned host_;
  bool restore_ = false;
};

}  // namespace qemu::x86
