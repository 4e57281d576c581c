#include "user/guest_memory.h"

#include <fmt/core.h>
#include <sys/mman.h>

#include <algorithm>

#include "user/guest_addr.h"

namespace qemu::user {

GuestMemoryMap::GuestMemoryMap() : top_(new std::atomic<Leaf *>[1u << kTopBits]()) {}

GuestMemoryMap::~GuestMemoryMap() {
  for (unsigned i = 0; i < (1u << kTopBits); ++i) {
    Leaf *l = top_[i].load();
    if (l) munmap(l, sizeof(Leaf));
  }
  delete[] top_;
}

GuestMemoryMap::Leaf *GuestMemoryMap::leaf(uint64_t addr, bool create) const {
  uint64_t page = addr >> 12;
  if (page >> (kTopBits + kLeafBits)) return nullptr;
  std::atomic<Leaf *> &slot = top_[page >> kLeafBits];
  Leaf *l = slot.load(std::memory_order_acquire);
  if (l || !create) return l;
  // mmap, not new: zeroed, and never from the guest-visible malloc arena.
  void *p = mmap(nullptr, sizeof(Leaf), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  Leaf *fresh = static_cast<Leaf *>(p);
  if (!slot.compare_exchange_strong(l, fresh)) {
    munmap(p, sizeof(Leaf));
    return l;
  }
  return fresh;
}

namespace {
bool get_bit(const std::atomic<uint64_t> *bits, uint64_t idx) {
  return (bits[idx / 64].load(std::memory_order_relaxed) >> (idx % 64)) & 1;
}
void put_bit(std::atomic<uint64_t> *bits, uint64_t idx, bool on) {
  uint64_t m = 1ull << (idx % 64);
  if (on)
    bits[idx / 64].fetch_or(m);
  else
    bits[idx / 64].fetch_and(~m);
}
}  // namespace

bool GuestMemoryMap::is_code_page(uint64_t addr) const {
  Leaf *l = leaf(addr, false);
  return l && get_bit(l->code, (addr >> 12) & ((1u << kLeafBits) - 1));
}
void GuestMemoryMap::set_code_page(uint64_t addr, bool on) {
  Leaf *l = leaf(addr, on);
  if (l) put_bit(l->code, (addr >> 12) & ((1u << kLeafBits) - 1), on);
}
bool GuestMemoryMap::wants_write(uint64_t addr) const {
  Leaf *l = leaf(addr, false);
  return l && get_bit(l->write, (addr >> 12) & ((1u << kLeafBits) - 1));
}
void GuestMemoryMap::set_wants_write(uint64_t addr, bool on) {
  Leaf *l = leaf(addr, on);
  if (l) put_bit(l->write, (addr >> 12) & ((1u << kLeafBits) - 1), on);
}

// Makes addr a boundary between ranges (splits the range containing it).
void GuestMemoryMap::split_at(uint64_t addr) {
  auto it = ranges_.upper_bound(addr);
  if (it == ranges_.begin()) return;
  --it;
  GuestMapping &m = it->second;
  if (m.start >= addr || m.end <= addr) return;
  GuestMapping tail = m;
  tail.start = addr;
  tail.offset = m.offset + (addr - m.start);
  m.end = addr;
  ranges_.emplace(addr, tail);
}

void GuestMemoryMap::map(uint64_t start, uint64_t len, int prot, int flags, uint64_t offset,
                         const std::string &name, uint64_t dev, uint64_t ino) {
  if (!len) return;
  uint64_t end = page_up(start + len);
  start = page_down(start);
  std::lock_guard<std::mutex> lock(mu_);
  split_at(start);
  split_at(end);
  ranges_.erase(ranges_.lower_bound(start), ranges_.lower_bound(end));
  ranges_.emplace(start, GuestMapping{start, end, prot, flags, offset, name, dev, ino});
}

void GuestMemoryMap::unmap(uint64_t start, uint64_t len) {
  if (!len) return;
  uint64_t end = page_up(start + len);
  start = page_down(start);
  std::lock_guard<std::mutex> lock(mu_);
  split_at(start);
  split_at(end);
  ranges_.erase(ranges_.lower_bound(start), ranges_.lower_bound(end));
}

void GuestMemoryMap::protect(uint64_t start, uint64_t len, int prot) {
  if (!len) return;
  uint64_t end = page_up(start + len);
  start = page_down(start);
  std::lock_guard<std::mutex> lock(mu_);
  split_at(start);
  split_at(end);
  for (auto it = ranges_.lower_bound(start); it != ranges_.end() && it->first < end; ++it)
    it->second.prot = prot;
}

bool GuestMemoryMap::is_mapped(uint64_t start, uint64_t len, int prot) const {
  uint64_t end = page_up(start + len);
  uint64_t a = page_down(start);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = ranges_.upper_bound(a);
  if (it == ranges_.begin()) return false;
  --it;
  while (a < end) {
    if (it == ranges_.end() || it->second.start > a || it->second.end <= a) return false;
    if ((it->second.prot & prot) != prot) return false;
    a = it->second.end;
    ++it;
  }
  return true;
}

int GuestMemoryMap::prot_at(uint64_t addr) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = ranges_.upper_bound(addr);
  if (it == ranges_.begin()) return -1;
  --it;
  return addr < it->second.end ? it->second.prot : -1;
}

bool GuestMemoryMap::find(uint64_t addr, GuestMapping *out) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = ranges_.upper_bound(addr);
  if (it == ranges_.begin()) return false;
  --it;
  if (addr >= it->second.end) return false;
  *out = it->second;
  return true;
}

std::vector<GuestMapping> GuestMemoryMap::mappings() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<GuestMapping> v;
  for (auto &[k, m] : ranges_) v.push_back(m);
  return v;
}

uint64_t GuestMemoryMap::find_free(uint64_t hint, uint64_t len, uint64_t limit) const {
  len = page_up(len);
  if (!limit) limit = g_guest_limit;
  uint64_t a = page_up(hint);
  std::lock_guard<std::mutex> lock(mu_);
  for (;;) {
    if (a + len > limit || a + len < a) return 0;
    bool moved = false;
    auto it = ranges_.upper_bound(a + len - 1);
    if (it != ranges_.begin()) {
      --it;
      if (it->second.end > a) {
        a = it->second.end;
        moved = true;
      }
    }
    for (auto &[s, e] : host_)
      if (s < a + len && a < e) {
        a = page_up(e);
        moved = true;
      }
    if (!moved) return a;
  }
}

void GuestMemoryMap::reserve_host(uint64_t start, uint64_t end) {
  std::lock_guard<std::mutex> lock(mu_);
  host_.emplace_back(page_down(start), page_up(end));
}

bool GuestMemoryMap::overlaps_host(uint64_t start, uint64_t len) const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t end = start + len;
  return std::any_of(host_.begin(), host_.end(),
                     [&](auto &r) { return r.first < end && start < r.second; });
}

std::string GuestMemoryMap::format_maps() const {
  std::string out;
  for (const GuestMapping &m : mappings()) {
    std::string line =
        fmt::format("{:08x}-{:08x} {}{}{}{} {:08x} 00:00 0", m.start, m.end,
                    m.prot & PROT_READ ? 'r' : '-', m.prot & PROT_WRITE ? 'w' : '-',
                    m.prot & PROT_EXEC ? 'x' : '-', m.flags & MAP_SHARED ? 's' : 'p', m.offset);
    if (!m.name.empty()) {
      line.resize(std::max<size_t>(line.size(), 73), ' ');
      line += m.name;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace qemu::user
