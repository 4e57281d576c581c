// Internal snapshots: the snapshot table, and create/apply/delete. Every snapshot owns a copy
// of an L1 table; taking or dropping one adjusts the refcounts of everything that L1 reaches,
// and the COPIED flags of the active tables follow (set exactly where a refcount is 1).
#include <sys/time.h>

#include <cerrno>
#include <cstring>

#include "block/qcow2/qcow2_node.h"

namespace qemu::block::qcow2 {
namespace {

constexpr uint32_t kExtraSize = 24;  // vm_state_size_large, disk_size, icount

size_t raw_entry_size(const Snapshot &s) {
  return 40 + kExtraSize + s.extra_unknown.size() + s.id.size() + s.name.size();
}

}  // namespace

bool Qcow2Node::load_snapshots(Error *err) {
  snapshots_.clear();
  snapshots_disk_bytes_ = 0;
  if (snapshot_table_errno_) return true;  // unusable table, kept as it is for check to report
  uint64_t pos = header_.snapshots_offset;
  uint64_t total = 0;
  for (uint32_t i = 0; i < header_.nb_snapshots; i++) {
    uint8_t h[40];
    if (file_->pread(pos, h, sizeof h) < 0) {
      *err = Error::make("Failed to read snapshot table");
      return false;
    }
    Snapshot s;
    s.l1_table_offset = be64(h);
    s.l1_size = be32(h + 8);
    uint16_t id_len = be16(h + 12), name_len = be16(h + 14);
    s.date_sec = be32(h + 16);
    s.date_nsec = be32(h + 20);
    s.vm_clock_nsec = be64(h + 24);
    s.vm_state_size = be32(h + 32);
    uint32_t extra = be32(h + 36);
    if (extra > kMaxSnapshotExtraData) {
      *err = Error::make("Too much extra metadata in snapshot table entry {}", i);
      err->with_hint("You can force-remove this extra metadata with qemu-img check -r all\n");
      return false;
    }
    std::vector<uint8_t> rest(extra + id_len + name_len);
    if (!rest.empty() && file_->pread(pos + 40, rest.data(), rest.size()) < 0) {
      *err = Error::make("Failed to read snapshot table");
      return false;
    }
    if (extra >= 8) s.vm_state_size_large = be64(rest.data());
    if (extra >= 16) {
      s.disk_size = be64(rest.data() + 8);
      s.has_disk_size = true;
    } else {
      s.disk_size = size_;
    }
    if (extra >= 24) {
      s.icount = be64(rest.data() + 16);
      s.has_icount = s.icount != UINT64_MAX;
    }
    if (extra > kExtraSize)
      s.extra_unknown.assign(reinterpret_cast<const char *>(rest.data()) + kExtraSize,
                             extra - kExtraSize);
    s.id.assign(reinterpret_cast<const char *>(rest.data()) + extra, id_len);
    s.name.assign(reinterpret_cast<const char *>(rest.data()) + extra + id_len, name_len);
    // As QEMU, entries lacking the v3 extra data and entries with bad L1 tables load: check
    // reports them, and using one (goto, delete) validates it first.
    s.incomplete = header_.version >= 3 && extra < 16;
    uint64_t unpadded = 40 + uint64_t{extra} + id_len + name_len;
    uint64_t sz = (unpadded + 7) & ~uint64_t{7};
    snapshots_disk_bytes_ = pos + unpadded - header_.snapshots_offset;
    pos += sz;
    total += sz;
    if (total > kMaxSnapshotTableBytes) {
      *err = Error::make("Snapshot table too large");
      return false;
    }
    snapshots_.push_back(std::move(s));
  }
  return true;
}

bool Qcow2Node::validate_snapshot_l1(const Snapshot &s, Error *err) const {
  if (s.l1_size > kMaxL1Bytes / 8) {
    *err = Error::make("Snapshot L1 table too large");
    return false;
  }
  if ((s.l1_table_offset & (cluster_size_ - 1)) ||
      s.l1_table_offset > static_cast<uint64_t>(INT64_MAX) - uint64_t{s.l1_size} * 8) {
    *err = Error::make("Snapshot L1 table offset invalid");
    return false;
  }
  return true;
}

int Qcow2Node::write_snapshot_table(const std::vector<Snapshot> &list) {
  // Entries start 8-aligned; the table ends right after the last one (QEMU does not pad it).
  std::vector<uint8_t> buf;
  for (const Snapshot &s : list) {
    size_t start = (buf.size() + 7) & ~size_t{7};
    buf.resize(start + raw_entry_size(s), 0);
    uint8_t *p = buf.data() + start;
    put64(p, s.l1_table_offset);
    put32(p + 8, s.l1_size);
    put16(p + 12, static_cast<uint16_t>(s.id.size()));
    put16(p + 14, static_cast<uint16_t>(s.name.size()));
    put32(p + 16, s.date_sec);
    put32(p + 20, s.date_nsec);
    put64(p + 24, s.vm_clock_nsec);
    put32(p + 32, s.vm_state_size);
    put32(p + 36, static_cast<uint32_t>(kExtraSize + s.extra_unknown.size()));
    put64(p + 40, s.vm_state_size_large);
    put64(p + 48, s.disk_size);
    put64(p + 56, s.has_icount ? s.icount : UINT64_MAX);
    size_t q = 40 + kExtraSize;
    memcpy(p + q, s.extra_unknown.data(), s.extra_unknown.size());
    q += s.extra_unknown.size();
    memcpy(p + q, s.id.data(), s.id.size());
    memcpy(p + q + s.id.size(), s.name.data(), s.name.size());
  }
  int r;
  uint64_t new_offset = 0;
  if (!buf.empty()) {
    int64_t a = refcounts_->alloc_clusters(buf.size());
    if (a < 0) return static_cast<int>(a);
    new_offset = static_cast<uint64_t>(a);
    r = refcounts_->cache().flush();
    if (r < 0) return r;
    r = file_->pwrite(new_offset, buf.data(), buf.size(), 0);
    if (r < 0) return r;
    r = file_->flush();
    if (r < 0) return r;
  }
  // Switch the header to the new table in one write.
  uint8_t h[12];
  put32(h, static_cast<uint32_t>(list.size()));
  put64(h + 4, new_offset);
  r = file_->pwrite(60, h, sizeof h, 0);
  if (r < 0) return r;
  r = file_->flush();
  if (r < 0) return r;
  uint64_t old_offset = header_.snapshots_offset;
  uint64_t old_bytes = snapshots_disk_bytes_;
  snapshots_disk_bytes_ = buf.size();
  header_.snapshots_offset = new_offset;
  header_.nb_snapshots = static_cast<uint32_t>(list.size());
  snapshots_ = list;
  if (old_bytes) {
    r = refcounts_->free_clusters(old_offset, old_bytes, DiscardType::kSnapshot);
    if (r < 0) return r;
  }
  return 0;
}

int Qcow2Node::update_refcounts_for_l1(uint64_t l1_offset, uint32_t l1_size, int64_t addend,
                                       std::vector<uint64_t> *l1_in_memory) {
  std::vector<uint64_t> table;
  if (l1_in_memory) {
    table = *l1_in_memory;
  } else {
    std::vector<uint8_t> raw(uint64_t{l1_size} * 8);
    if (!raw.empty()) {
      int r = file_->pread(l1_offset, raw.data(), raw.size());
      if (r < 0) return r;
    }
    table.resize(l1_size);
    for (uint32_t i = 0; i < l1_size; i++) table[i] = be64(&raw[i * 8]);
  }
  bool l1_changed = false;
  for (uint64_t &l1e : table) {
    uint64_t l2_offset = l1e & kOffsetMask;
    if (!l2_offset) continue;
    if (l2_offset & (cluster_size_ - 1)) return -EIO;
    TableCache::Ref l2;
    int r = l2_cache_->get(l2_offset, &l2);
    if (r < 0) return r;
    bool l2_changed = false;
    for (uint64_t i = 0; i < geo_.l2_entries(); i++) {
      L2Entry e = load_l2(l2.data(), i, geo_);
      uint64_t refcount = 0;
      if (is_compressed(e.entry)) {
        if (addend) {
          uint64_t off = compressed_offset(e.entry, geo_);
          uint64_t sectors = ((e.entry >> geo_.csize_shift) & geo_.csize_mask) + 1;
          l2.release();
          r = refcounts_->update(off & ~uint64_t{511}, sectors * 512, addend,
                                 DiscardType::kSnapshot);
          if (r < 0) return r;
          r = l2_cache_->get(l2_offset, &l2);
          if (r < 0) return r;
        }
        continue;  // compressed clusters never have COPIED
      }
      uint64_t host = host_offset(e.entry);
      if (!host || data_file_) continue;
      l2.release();
      if (addend) {
        r = refcounts_->update(host, cluster_size_, addend, DiscardType::kSnapshot);
        if (r < 0) return r;
      }
      r = refcounts_->get(host >> cluster_bits_, &refcount);
      if (r < 0) return r;
      r = l2_cache_->get(l2_offset, &l2);
      if (r < 0) return r;
      uint64_t ne = refcount == 1 ? (e.entry | kOflagCopied) : (e.entry & ~kOflagCopied);
      if (ne != e.entry) {
        e.entry = ne;
        store_l2(l2.data(), i, geo_, e);
        l2_changed = true;
      }
    }
    if (l2_changed) l2.mark_dirty();
    l2.release();
    if (addend) {
      int r2 = refcounts_->update(l2_offset, cluster_size_, addend, DiscardType::kSnapshot);
      if (r2 < 0) return r2;
    }
    uint64_t refcount = 0;
    r = refcounts_->get(l2_offset >> cluster_bits_, &refcount);
    if (r < 0) return r;
    uint64_t ne = refcount == 1 ? (l1e | kOflagCopied) : (l1e & ~kOflagCopied);
    if (ne != l1e) {
      l1e = ne;
      l1_changed = true;
    }
  }
  int r = flush_metadata();
  if (r < 0) return r;
  r = process_discards();
  if (r < 0) return r;
  if (l1_changed) {
    if (l1_in_memory) {
      *l1_in_memory = table;
    }
    std::vector<uint8_t> raw(table.size() * 8);
    for (size_t i = 0; i < table.size(); i++) put64(&raw[i * 8], table[i]);
    if (!raw.empty()) {
      r = file_->pwrite(l1_offset, raw.data(), raw.size(), 0);
      if (r < 0) return r;
    }
  }
  return 0;
}

int Qcow2Node::find_snapshot(const std::string &id, const std::string &name) const {
  for (size_t i = 0; i < snapshots_.size(); i++) {
    if ((id.empty() || snapshots_[i].id == id) && (name.empty() || snapshots_[i].name == name))
      return static_cast<int>(i);
  }
  return -1;
}

int Qcow2Node::snapshot_list(std::vector<SnapshotInfo> *out) {
  std::lock_guard<std::mutex> g(lock_);
  out->clear();
  for (const Snapshot &s : snapshots_) {
    SnapshotInfo i;
    i.id = s.id;
    i.name = s.name;
    i.vm_state_size = s.vm_state_size_large ? s.vm_state_size_large : s.vm_state_size;
    i.date_sec = s.date_sec;
    i.date_nsec = s.date_nsec;
    i.vm_clock_nsec = s.vm_clock_nsec;
    i.has_icount = s.has_icount;
    i.icount = s.icount;
    out->push_back(std::move(i));
  }
  return 0;
}

int Qcow2Node::snapshot_create(const SnapshotInfo &info, Error *err) {
  std::lock_guard<std::mutex> g(lock_);
  if (!writable_) {
    *err = Error::make("Image is read-only");
    return -EACCES;
  }
  if (data_file_) {
    *err = Error::make("Internal snapshots are not supported with an external data file");
    return -ENOTSUP;
  }
  Snapshot s;
  s.id = info.id;
  if (s.id.empty()) {
    uint64_t max_id = 0;
    for (const Snapshot &o : snapshots_)
      max_id = std::max<uint64_t>(max_id, strtoull(o.id.c_str(), nullptr, 10));
    s.id = std::to_string(max_id + 1);
  } else if (find_snapshot(s.id, "") >= 0) {
    *err = Error::make("Snapshot with ID '{}' already exists", s.id);
    return -EEXIST;
  }
  if (snapshots_.size() >= kMaxSnapshots) {
    *err = Error::make("Too many snapshots");
    return -EFBIG;
  }
  s.name = info.name;
  s.date_sec = info.date_sec;
  s.date_nsec = info.date_nsec;
  s.vm_clock_nsec = info.vm_clock_nsec;
  s.vm_state_size = static_cast<uint32_t>(info.vm_state_size);
  s.vm_state_size_large = info.vm_state_size;
  s.disk_size = size_;
  s.has_disk_size = true;
  s.has_icount = info.has_icount;
  s.icount = info.icount;
  s.l1_size = static_cast<uint32_t>(l1_.size());

  int r = flush_metadata();
  if (r < 0) return r;
  uint64_t l1_bytes = l1_.size() * 8;
  if (l1_bytes) {
    int64_t a = refcounts_->alloc_clusters(l1_bytes);
    if (a < 0) return static_cast<int>(a);
    s.l1_table_offset = static_cast<uint64_t>(a);
    std::vector<uint8_t> raw(l1_bytes);
    for (size_t i = 0; i < l1_.size(); i++) put64(&raw[i * 8], l1_[i]);
    r = refcounts_->cache().flush();
    if (r < 0) return r;
    r = file_->pwrite(s.l1_table_offset, raw.data(), raw.size(), 0);
    if (r < 0) return r;
  }
  r = update_refcounts_for_l1(header_.l1_table_offset, static_cast<uint32_t>(l1_.size()), 1, &l1_);
  if (r < 0) {
    *err = Error::make("Could not update refcounts: {}", strerror(-r));
    return r;
  }
  std::vector<Snapshot> list = snapshots_;
  list.push_back(s);
  r = write_snapshot_table(list);
  if (r < 0) {
    *err = Error::make("Could not write the snapshot table: {}", strerror(-r));
    return r;
  }
  return flush_metadata();
}

int Qcow2Node::snapshot_goto(const std::string &id_or_name, Error *err) {
  std::lock_guard<std::mutex> g(lock_);
  int idx = find_snapshot(id_or_name, "");
  if (idx < 0) idx = find_snapshot("", id_or_name);
  if (idx < 0) {
    *err = Error::make("Failed to load snapshot: {}", strerror(ENOENT));
    return -ENOENT;
  }
  if (!writable_) {
    *err = Error::make("Image is read-only");
    return -EACCES;
  }
  Snapshot s = snapshots_[static_cast<size_t>(idx)];
  if (!validate_snapshot_l1(s, err)) return -EFBIG;
  int r = flush_metadata();
  if (r < 0) return r;
  if (s.l1_size > l1_.size()) {
    r = grow_l1(s.l1_size);
    if (r < 0) {
      *err = Error::make("Failed to load snapshot: {}", strerror(-r));
      return r;
    }
  }
  std::vector<uint64_t> sn_l1(s.l1_size);
  {
    std::vector<uint8_t> raw(uint64_t{s.l1_size} * 8);
    if (!raw.empty()) {
      r = file_->pread(s.l1_table_offset, raw.data(), raw.size());
      if (r < 0) return r;
    }
    for (uint32_t i = 0; i < s.l1_size; i++) sn_l1[i] = be64(&raw[i * 8]);
  }
  // Take references for the snapshot's tables first, so nothing it shares is freed below.
  r = update_refcounts_for_l1(s.l1_table_offset, s.l1_size, 1, nullptr);
  if (r < 0) return r;
  std::vector<uint64_t> old_active = l1_;
  std::vector<uint64_t> next(l1_.size(), 0);
  for (size_t i = 0; i < sn_l1.size() && i < next.size(); i++) next[i] = sn_l1[i];
  std::vector<uint8_t> raw(next.size() * 8);
  for (size_t i = 0; i < next.size(); i++) put64(&raw[i * 8], next[i]);
  r = file_->pwrite(header_.l1_table_offset, raw.data(), raw.size(), 0);
  if (r < 0) return r;
  r = file_->flush();
  if (r < 0) return r;
  l2_cache_->flush();
  r = update_refcounts_for_l1(header_.l1_table_offset, static_cast<uint32_t>(old_active.size()), -1,
                              &old_active);
  if (r < 0) return r;
  l1_ = next;
  r = update_refcounts_for_l1(header_.l1_table_offset, static_cast<uint32_t>(l1_.size()), 0, &l1_);
  if (r < 0) return r;
  if (s.has_disk_size && s.disk_size != size_) {
    size_ = s.disk_size;
    header_.size = size_;
    r = write_header();
    if (r < 0) return r;
  }
  return flush_metadata();
}

int Qcow2Node::snapshot_delete(const std::string &id, const std::string &name, Error *err) {
  std::lock_guard<std::mutex> g(lock_);
  int idx = find_snapshot(id, name);
  if (idx < 0) {
    *err = Error::make("snapshot not found");
    return -ENOENT;
  }
  if (!writable_) {
    *err = Error::make("Image is read-only");
    return -EACCES;
  }
  Snapshot s = snapshots_[static_cast<size_t>(idx)];
  if (!validate_snapshot_l1(s, err)) return -EFBIG;
  std::vector<Snapshot> list = snapshots_;
  list.erase(list.begin() + idx);
  int r = flush_metadata();
  if (r < 0) return r;
  r = write_snapshot_table(list);
  if (r < 0) {
    *err = Error::make("Failed to remove snapshot from snapshot list: {}", strerror(-r));
    return r;
  }
  r = update_refcounts_for_l1(s.l1_table_offset, s.l1_size, -1, nullptr);
  if (r < 0) {
    *err = Error::make("Failed to free the cluster and L1 table: {}", strerror(-r));
    return r;
  }
  if (s.l1_size) {
    r = refcounts_->free_clusters(s.l1_table_offset, uint64_t{s.l1_size} * 8,
                                  DiscardType::kSnapshot);
    if (r < 0) return r;
  }
  r = update_refcounts_for_l1(header_.l1_table_offset, static_cast<uint32_t>(l1_.size()), 0, &l1_);
  if (r < 0) {
    *err = Error::make("Failed to update snapshot status in disk: {}", strerror(-r));
    return r;
  }
  return flush_metadata();
}

}  // namespace qemu::block::qcow2
