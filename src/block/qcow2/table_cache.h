// A write-back cache of cluster-sized metadata tables (L2 tables, refcount blocks), keyed by
// their offset in the image file. A cache can depend on another: before any of its dirty
// tables is written, the other cache is written and the file flushed, which orders metadata
// updates for crash safety (refcounts before the L2 entries that use them). Callers hold the
// driver's lock; a Ref pins its table so eviction cannot reuse it while in use.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "block/node.h"

namespace qemu::block::qcow2 {

class TableCache {
 public:
  TableCache(Node *file, size_t table_size, size_t capacity);

  class Ref {
   public:
    Ref() = default;
    Ref(Ref &&o) noexcept : cache_(o.cache_), slot_(o.slot_) { o.cache_ = nullptr; }
    Ref &operator=(Ref &&o) noexcept;
    ~Ref() { release(); }
    uint8_t *data() const;
    uint64_t offset() const;
    void mark_dirty();
    void release();
    explicit operator bool() const { return cache_ != nullptr; }

   private:
    friend class TableCache;
    Ref(TableCache *c, size_t slot);
    TableCache *cache_ = nullptr;
    size_t slot_ = 0;
  };

  // Loads the table at offset (reading it if not cached). Returns 0 or a negative errno.
  int get(uint64_t offset, Ref *ref);
  // Returns a table for offset without reading it (contents undefined; the caller fills it).
  int get_empty(uint64_t offset, Ref *ref);
  // Writes all dirty tables (after the dependency's) without flushing the file.
  int write_back();
  // Writes all dirty tables and flushes the file.
  int flush();
  // Forgets a table (its cluster was freed); a dirty one is dropped unwritten.
  void discard(uint64_t offset);
  // Forgets everything (after the tables were rewritten elsewhere). Dirty tables are dropped.
  void clear();
  void set_dependency(TableCache *other) { depends_on_ = other; }
  bool is_dirty() const;
  size_t table_size() const { return table_size_; }
  void set_writethrough(bool on) { writethrough_ = on; }

 private:
  struct Slot {
    uint64_t offset = 0;  // 0: empty
    std::vector<uint8_t> data;
    bool dirty = false;
    int pins = 0;
    uint64_t lru = 0;
  };
  int find_victim(size_t *slot);
  int write_slot(Slot &s);

  Node *file_;
  size_t table_size_;
  std::vector<Slot> slots_;
  std::unordered_map<uint64_t, size_t> index_;
  uint64_t clock_ = 0;
  TableCache *depends_on_ = nullptr;
  bool writethrough_ = false;
};

}  // namespace qemu::block::qcow2
