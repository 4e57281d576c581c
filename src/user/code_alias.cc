#include "user/code_alias.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#include <atomic>
#include <mutex>

#include "jit/exec/engine.h"
#include "user/guest_addr.h"
#include "user/syscall_impl.h"
#include "user/user_state.h"

namespace qemu::user {

namespace {

// alias page -> code page pairs. Added under mu (translation, mmap); read and cleared by the
// SIGSEGV handler without locks (a slot is free when its alias is 0).
constexpr unsigned kSlots = 4096;
struct Slot {
  std::atomic<uint64_t> alias{0}, target{0};
};
Slot g_slots[kSlots];
std::mutex g_mu;

bool shared_file(const GuestMapping &m) {
  return (m.flags & MAP_SHARED) && !(m.flags & MAP_ANONYMOUS) && m.ino != 0;
}

// Records alias -> target and write-protects the alias (mu held).
void add(uint64_t alias, uint64_t target, int alias_prot) {
  for (Slot &s : g_slots) {
    if (s.alias.load(std::memory_order_acquire) == alias &&
        s.target.load(std::memory_order_relaxed) == target)
      return;
  }
  for (Slot &s : g_slots) {
    uint64_t free = 0;
    if (s.alias.load(std::memory_order_relaxed) != 0) continue;
    s.target.store(target, std::memory_order_relaxed);
    if (s.alias.compare_exchange_strong(free, alias, std::memory_order_release)) break;
  }
  GuestMemoryMap &mem = g_proc->mem;
  mem.set_code_page(alias, true);
  if (alias_prot & PROT_WRITE) {
    mem.set_wants_write(alias, true);
    host_syscall(SYS_mprotect, g2h_addr(alias), kPageSize, alias_prot & ~PROT_WRITE);
  }
}

// The file page of guest page p in mapping m.
uint64_t file_page(const GuestMapping &m, uint64_t p) {
  return m.offset + (p - m.start);
}

}  // namespace

void protect_code_aliases(uint64_t code_page) {
  GuestMapping m;
  if (!g_proc->mem.find(code_page, &m) || !shared_file(m)) return;
  const uint64_t fp = file_page(m, code_page);
  std::lock_guard<std::mutex> lock(g_mu);
  for (const GuestMapping &n : g_proc->mem.mappings()) {
    if (!shared_file(n) || n.dev != m.dev || n.ino != m.ino) continue;
    if (fp < n.offset || fp - n.offset >= n.end - n.start) continue;
    const uint64_t alias = n.start + (fp - n.offset);
    if (alias != code_page) add(alias, code_page, n.prot);
  }
}

void protect_new_aliases(uint64_t start, uint64_t len) {
  GuestMapping m;
  if (!g_proc->mem.find(start, &m) || !shared_file(m)) return;
  const uint64_t end = start + len;
  std::lock_guard<std::mutex> lock(g_mu);
  for (const GuestMapping &n : g_proc->mem.mappings()) {
    if (!shared_file(n) || n.dev != m.dev || n.ino != m.ino || n.start == m.start) continue;
    for (uint64_t p = n.start; p < n.end; p += kPageSize) {
      if (!g_proc->mem.is_code_page(p)) continue;
      const uint64_t fp = file_page(n, p);
      if (fp < m.offset || fp - m.offset >= end - start) continue;
      add(start + (fp - m.offset), p, m.prot);
    }
  }
}

unsigned drop_alias_targets(uint64_t alias_page, uint64_t *targets, unsigned max) {
  jit::Engine *engine = g_proc->engine;
  unsigned n = 0;
  for (Slot &s : g_slots) {
    if (s.alias.load(std::memory_order_acquire) != alias_page) continue;
    const uint64_t target = s.target.load(std::memory_order_relaxed);
    s.alias.store(0, std::memory_order_release);
    // The code page keeps its bit (and protection): its next block re-protects the aliases.
    if (engine) engine->invalidate(target, target + kPageSize);
    if (n < max) targets[n++] = target;
  }
  return n;
}

void forget_aliases(uint64_t start, uint64_t len) {
  const uint64_t end = start + len;
  std::lock_guard<std::mutex> lock(g_mu);
  for (Slot &s : g_slots) {
    const uint64_t alias = s.alias.load(std::memory_order_acquire);
    if (!alias) continue;
    const uint64_t target = s.target.load(std::memory_order_relaxed);
    const bool alias_in = alias >= start && alias < end;
    if (!alias_in && !(target >= start && target < end)) continue;
    // The alias keeps its protection (it may hold code of its own): a later write through
    // it faults once and gives it back.
    s.alias.store(0, std::memory_order_release);
  }
}

}  // namespace qemu::user
