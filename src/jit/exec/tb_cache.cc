#include "jit/exec/tb_cache.h"

#include <algorithm>

namespace qemu::jit {

Tb *TbCache::find(const TbKey &key) const {
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : it->second;
}

void TbCache::insert(Tb *tb, std::vector<uint64_t> &new_pages) {
  map_[tb->key] = tb;
  tb->pages.clear();
  auto add_range = [&](uint64_t start, uint64_t len) {
    for (uint64_t p = start >> kPageBits; p <= (start + len - 1) >> kPageBits; p++) {
      if (std::find(tb->pages.begin(), tb->pages.end(), p) == tb->pages.end()) {
        tb->pages.push_back(p);
      }
    }
  };
  for (int i = 0; i < 2; i++) {
    if (tb->src.len[i]) add_range(tb->src.start[i], tb->src.len[i]);
  }
  if (tb->pages.empty()) add_range(tb->key.pc, 1);
  for (uint64_t p : tb->pages) {
    std::vector<Tb *> &list = pages_[p];
    if (list.empty()) new_pages.push_back(p << kPageBits);
    list.push_back(tb);
  }
}

void TbCache::remove(Tb *tb) {
  auto it = map_.find(tb->key);
  if (it != map_.end() && it->second == tb) map_.erase(it);
  for (uint64_t p : tb->pages) {
    auto pit = pages_.find(p);
    if (pit == pages_.end()) continue;
    std::erase(pit->second, tb);
    if (pit->second.empty()) pages_.erase(pit);
  }
}

void TbCache::overlapping(uint64_t start, uint64_t end, std::vector<Tb *> &out) const {
  if (end <= start) return;
  const size_t first = out.size();
  auto scan = [&](const std::vector<Tb *> &list) {
    for (Tb *tb : list) {
      if (tb->overlaps(start, end)) out.push_back(tb);
    }
  };
  const uint64_t p0 = start >> kPageBits, p1 = (end - 1) >> kPageBits;
  if (p1 - p0 >= pages_.size()) {
    // A big range (an unmapping): walk the pages that have blocks instead.
    for (const auto &[p, list] : pages_) {
      if (p >= p0 && p <= p1) scan(list);
    }
  } else {
    for (uint64_t p = p0;; p++) {
      auto it = pages_.find(p);
      if (it != pages_.end()) scan(it->second);
      if (p == p1) break;
    }
  }
  // A block on two pages is found twice.
  std::sort(out.begin() + static_cast<ptrdiff_t>(first), out.end());
  out.erase(std::unique(out.begin() + static_cast<ptrdiff_t>(first), out.end()), out.end());
}

void TbCache::clear() {
  map_.clear();
  pages_.clear();
}

}  // namespace qemu::jit
