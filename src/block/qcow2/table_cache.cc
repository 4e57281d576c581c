#include "block/qcow2/table_cache.h"

#include <cerrno>

namespace qemu::block::qcow2 {

TableCache::TableCache(Node *file, size_t table_size, size_t capacity)
    : file_(file), table_size_(table_size), slots_(std::max<size_t>(capacity, 2)) {}

TableCache::Ref::Ref(TableCache *c, size_t slot) : cache_(c), slot_(slot) {
  cache_->slots_[slot_].pins++;
}

TableCache::Ref &TableCache::Ref::operator=(Ref &&o) noexcept {
  if (this != &o) {
    release();
    cache_ = o.cache_;
    slot_ = o.slot_;
    o.cache_ = nullptr;
  }
  return *this;
}

uint8_t *TableCache::Ref::data() const {
  return cache_->slots_[slot_].data.data();
}
uint64_t TableCache::Ref::offset() const {
  return cache_->slots_[slot_].offset;
}

void TableCache::Ref::mark_dirty() {
  Slot &s = cache_->slots_[slot_];
  s.dirty = true;
  if (cache_->writethrough_) cache_->write_slot(s);
}

void TableCache::Ref::release() {
  if (cache_) {
    cache_->slots_[slot_].pins--;
    cache_ = nullptr;
  }
}

int TableCache::write_slot(Slot &s) {
  if (!s.dirty) return 0;
  if (depends_on_ && depends_on_->is_dirty()) {
    int r = depends_on_->flush();
    if (r < 0) return r;
  }
  int r = file_->pwrite(s.offset, s.data.data(), table_size_, 0);
  if (r < 0) return r;
  s.dirty = false;
  return 0;
}

int TableCache::find_victim(size_t *slot) {
  size_t best = slots_.size();
  for (size_t i = 0; i < slots_.size(); i++) {
    const Slot &s = slots_[i];
    if (s.pins) continue;
    if (s.offset == 0) {
      best = i;
      break;
    }
    if (best == slots_.size() || s.lru < slots_[best].lru) best = i;
  }
  if (best == slots_.size()) return -ENOSPC;  // everything pinned: a bug in the caller
  Slot &v = slots_[best];
  if (v.offset) {
    int r = write_slot(v);
    if (r < 0) return r;
    index_.erase(v.offset);
    v.offset = 0;
  }
  *slot = best;
  return 0;
}

int TableCache::get(uint64_t offset, Ref *ref) {
  auto it = index_.find(offset);
  if (it != index_.end()) {
    slots_[it->second].lru = ++clock_;
    *ref = Ref(this, it->second);
    return 0;
  }
  size_t i;
  int r = find_victim(&i);
  if (r < 0) return r;
  Slot &s = slots_[i];
  s.data.resize(table_size_);
  r = file_->pread(offset, s.data.data(), table_size_);
  if (r < 0) return r;
  s.offset = offset;
  s.dirty = false;
  s.lru = ++clock_;
  index_[offset] = i;
  *ref = Ref(this, i);
  return 0;
}

int TableCache::get_empty(uint64_t offset, Ref *ref) {
  auto it = index_.find(offset);
  size_t i;
  if (it != index_.end()) {
    i = it->second;
  } else {
    int r = find_victim(&i);
    if (r < 0) return r;
    index_[offset] = i;
  }
  Slot &s = slots_[i];
  s.data.assign(table_size_, 0);
  s.offset = offset;
  s.dirty = false;
  s.lru = ++clock_;
  *ref = Ref(this, i);
  return 0;
}

bool TableCache::is_dirty() const {
  for (const Slot &s : slots_)
    if (s.offset && s.dirty) return true;
  return false;
}

int TableCache::write_back() {
  // Write in offset order: sequential for the file, deterministic for tests.
  std::vector<size_t> dirty;
  for (size_t i = 0; i < slots_.size(); i++)
    if (slots_[i].offset && slots_[i].dirty) dirty.push_back(i);
  std::sort(dirty.begin(), dirty.end(),
            [&](size_t a, size_t b) { return slots_[a].offset < slots_[b].offset; });
  for (size_t i : dirty) {
    int r = write_slot(slots_[i]);
    if (r < 0) return r;
  }
  return 0;
}

int TableCache::flush() {
  int r = write_back();
  if (r < 0) return r;
  return file_->flush();
}

void TableCache::discard(uint64_t offset) {
  auto it = index_.find(offset);
  if (it == index_.end()) return;
  Slot &s = slots_[it->second];
  s.dirty = false;
  if (s.pins == 0) {
    s.offset = 0;
    index_.erase(it);
  }
}

void TableCache::clear() {
  for (Slot &s : slots_) {
    s.dirty = false;
    if (s.pins == 0) s.offset = 0;
  }
  index_.clear();
  for (size_t i = 0; i < slots_.size(); i++)
    if (slots_[i].offset) index_[slots_[i].offset] = i;
}

}  // namespace qemu::block::qcow2
