// The blocks of an engine: a hash table by key and, for invalidation, the blocks of each
// guest page. Not thread-safe: the engine's lock protects it.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "jit/exec/tb.h"

namespace qemu::jit {

class TbCache {
 public:
  Tb *find(const TbKey &key) const;
  // Adds tb (computing tb->pages); appends to new_pages the pages (addresses) that had no
  // block before.
  void insert(Tb *tb, std::vector<uint64_t> &new_pages);
  // Removes tb from the table and its pages.
  void remove(Tb *tb);
  // Appends the blocks whose source overlaps guest bytes [start, end).
  void overlapping(uint64_t start, uint64_t end, std::vector<Tb *> &out) const;
  void clear();
  size_t size() const { return map_.size(); }

 private:
  struct KeyHash {
    size_t operator()(const TbKey &k) const {
      uint64_t h = k.pc * 0x9e3779b97f4a7c15ull ^ (k.flags + 0x632be59bd9b4e019ull);
      return static_cast<size_t>(h ^ (h >> 29));
    }
  };
  std::unordered_map<TbKey, Tb *, KeyHash> map_;
  std::unordered_map<uint64_t, std::vector<Tb *>> pages_;
};

}  // namespace qemu::jit
