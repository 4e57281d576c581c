// The guest's view of its address space: which pages are mapped and with which protections
// (what the guest asked for), and which hold translated code (mprotected read-only by us so a
// write can be caught and the blocks invalidated). All addresses here are guest addresses
// (guest_addr.h turns them into host ones).
//
// Ranges live in an interval map under a mutex; the per-page "holds code" and "guest wants it
// writable" bits live in a lock-free two-level bitmap so the SIGSEGV handler can read them.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace qemu::user {

inline constexpr uint64_t kPageSize = 4096;
inline constexpr uint64_t kPageMask = kPageSize - 1;
// The end of the user address space on x86-64 (47 bits).
inline constexpr uint64_t kUserSpaceEnd = 1ull << 47;

inline uint64_t page_down(uint64_t a) {
  return a & ~kPageMask;
}
inline uint64_t page_up(uint64_t a) {
  return (a + kPageMask) & ~kPageMask;
}

struct GuestMapping {
  uint64_t start, end;        // page aligned, [start, end)
  int prot;                   // PROT_* the guest asked for
  int flags;                  // MAP_PRIVATE / MAP_SHARED / MAP_ANONYMOUS ...
  uint64_t offset;            // file offset of start
  std::string name;           // file path, "[heap]", "[stack]", or empty
  uint64_t dev = 0, ino = 0;  // the file of a MAP_SHARED file mapping (aliases), else 0
};

class GuestMemoryMap {
 public:
  GuestMemoryMap();
  ~GuestMemoryMap();

  // Records [start, start+len) as mapped with prot (replacing what was there).
  void map(uint64_t start, uint64_t len, int prot, int flags = 0, uint64_t offset = 0,
           const std::string &name = {}, uint64_t dev = 0, uint64_t ino = 0);
  void unmap(uint64_t start, uint64_t len);
  // Changes the protection of the mapped parts of the range.
  void protect(uint64_t start, uint64_t len, int prot);
  // Whether every page of [start, start+len) is mapped (with all of prot when prot != 0).
  bool is_mapped(uint64_t start, uint64_t len, int prot = 0) const;
  // The protection of the page at addr, or -1 when unmapped.
  int prot_at(uint64_t addr) const;
  // The mapping holding addr (false when unmapped).
  bool find(uint64_t addr, GuestMapping *out) const;
  std::vector<GuestMapping> mappings() const;
  // The first free gap of len bytes at or above hint below limit (page aligned), or 0.
  // limit 0: the end of the guest address space.
  uint64_t find_free(uint64_t hint, uint64_t len, uint64_t limit = 0) const;

  // Ranges of guest addresses the guest must never map over: where the emulator's binary,
  // JIT buffer, ... lie in the host (at guest address = host address - guest base).
  void reserve_host(uint64_t start, uint64_t end);
  bool overlaps_host(uint64_t start, uint64_t len) const;

  // Per-page bits, safe from signal handlers.
  bool is_code_page(uint64_t addr) const;
  void set_code_page(uint64_t addr, bool on);
  bool wants_write(uint64_t addr) const;
  void set_wants_write(uint64_t addr, bool on);

  // /proc/self/maps lines for the guest's mappings.
  std::string format_maps() const;

 private:
  static constexpr unsigned kLeafBits = 18;  // pages per leaf bitmap
  static constexpr unsigned kTopBits = 35 - kLeafBits;
  struct Leaf {
    std::atomic<uint64_t> code[(1u << kLeafBits) / 64];
    std::atomic<uint64_t> write[(1u << kLeafBits) / 64];
  };
  Leaf *leaf(uint64_t addr, bool create) const;
  void split_at(uint64_t addr);

  mutable std::mutex mu_;
  std::map<uint64_t, GuestMapping> ranges_;  // by start
  std::vector<std::pair<uint64_t, uint64_t>> host_;
  std::atomic<Leaf *> *top_;
};

}  // namespace qemu::user
