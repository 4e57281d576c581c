// Persistent dirty bitmaps in qcow2 (src/block/qcow2/qcow2_bitmap*.cc): the in-memory bitmap
// against a model, the directory encoding and its validation, and the node interface (add,
// remove, clear, enable, merge, dirty tracking of writes, storing on close, in-use flag while
// open, resize) through images we create ourselves.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "base/opts.h"
#include "block/driver.h"
#include "block/file.h"
#include "block/qcow2/format.h"
#include "block/qcow2/qcow2_bitmap.h"

namespace qemu::block::qcow2 {
namespace {

using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;

// ---- DirtyBitmap ----

// The model: one bool per granule.
struct Model {
  uint64_t size;
  int gbits;
  std::vector<bool> bits;
  Model(uint64_t s, int g) : size(s), gbits(g), bits(s ? ((s - 1) >> g) + 1 : 0) {}
  void set_bytes(uint64_t off, uint64_t len) {
    if (!len || off >= size) return;
    uint64_t last = std::min(off + len, size) - 1;
    for (uint64_t i = off >> gbits; i <= last >> gbits; i++) bits[i] = true;
  }
  void resize(uint64_t s) {
    size = s;
    bits.resize(s ? ((s - 1) >> gbits) + 1 : 0, false);
  }
  Ranges ranges() const {
    Ranges out;
    for (uint64_t i = 0; i < bits.size();) {
      if (!bits[i]) {
        i++;
        continue;
      }
      uint64_t j = i;
      while (j < bits.size() && bits[j]) j++;
      uint64_t a = i << gbits, b = std::min(size, j << gbits);
      out.emplace_back(a, b - a);
      i = j;
    }
    return out;
  }
};

TEST(DirtyBitmap, Basics) {
  DirtyBitmap b(10 << 20, 16);  // 160 granules of 64 KiB
  EXPECT_EQ(b.nbits(), 160u);
  EXPECT_EQ(b.next_set(0), 160u);
  EXPECT_EQ(b.next_clear(0), 0u);
  b.set_bytes(65535, 2);  // touches granules 0 and 1
  EXPECT_TRUE(b.get(0));
  EXPECT_TRUE(b.get(1));
  EXPECT_FALSE(b.get(2));
  EXPECT_EQ(b.count(), 2u);
  b.set_bytes(100 << 16, 0);  // nothing
  EXPECT_EQ(b.count(), 2u);
  b.set_bytes((159 << 16) + 5, 1 << 30);  // clipped at the end
  EXPECT_EQ(b.count(), 3u);
  EXPECT_EQ(b.ranges(), (Ranges{{0, 2 << 16}, {159u << 16, 1u << 16}}));
  EXPECT_EQ(b.next_set(2), 159u);
  EXPECT_EQ(b.next_clear(159), 160u);
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.count(), 0u);
}

TEST(DirtyBitmap, PartialLastGranule) {
  DirtyBitmap b(1000, 9);  // 2 granules, the last covering 488 bytes
  b.set_bytes(999, 1);
  EXPECT_EQ(b.ranges(), (Ranges{{512, 488}}));
}

TEST(DirtyBitmap, FullChunksAndLargeRanges) {
  const uint64_t chunk = uint64_t{1} << DirtyBitmap::kChunkBits;
  DirtyBitmap b((3 * chunk + 100) << 9, 9);
  b.set_bits(0, 3 * chunk + 100);
  EXPECT_EQ(b.count(), 3 * chunk + 100);
  EXPECT_EQ(b.memory_bytes(), 0u);  // all full chunks
  EXPECT_EQ(b.next_clear(0), b.nbits());
  b.resize((3 * chunk + 50) << 9);  // shrink inside the (full) last chunk
  EXPECT_EQ(b.count(), 3 * chunk + 50);
  b.resize((4 * chunk) << 9);  // grow: the new bits are clear
  EXPECT_EQ(b.count(), 3 * chunk + 50);
  EXPECT_EQ(b.next_clear(0), 3 * chunk + 50);
  EXPECT_EQ(b.next_set(3 * chunk + 50), b.nbits());
}

TEST(DirtyBitmap, SerializationIsLittleEndianBitOrder) {
  DirtyBitmap b(1 << 20, 9);  // 2048 bits
  b.set_bits(0, 1);
  b.set_bits(9, 1);
  b.set_bits(63, 2);
  std::vector<uint8_t> out(256);
  b.serialize(0, 2048, out.data());
  EXPECT_EQ(out[0], 0x01);
  EXPECT_EQ(out[1], 0x02);
  EXPECT_EQ(out[7], 0x80);
  EXPECT_EQ(out[8], 0x01);
  DirtyBitmap c(1 << 20, 9);
  c.deserialize(0, 2048, out.data());
  EXPECT_EQ(c.ranges(), b.ranges());
}

// Random operations against the model, including a serialize/deserialize round trip in
// cluster-sized pieces as the store does.
TEST(DirtyBitmap, PropertyRandomOpsMatchModel) {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 60; round++) {
    int gbits = 9 + static_cast<int>(rng() % 8);
    uint64_t size = (rng() % (uint64_t{1} << (gbits + 20))) + 1;
    DirtyBitmap b(size, gbits);
    Model m(size, gbits);
    for (int op = 0; op < 200; op++) {
      uint64_t kind = rng() % 20;
      uint64_t off = rng() % (size + 1000);
      uint64_t len = kind < 10 ? rng() % (uint64_t{1} << (gbits + 2)) : rng() % (size + 1);
      if (kind == 19) {
        uint64_t ns = (rng() % (size * 2)) + 1;
        b.resize(ns);
        m.resize(ns);
        size = ns;
      } else if (kind == 18 && rng() % 4 == 0) {
        b.clear();
        std::fill(m.bits.begin(), m.bits.end(), false);
      } else {
        b.set_bytes(off, len);
        m.set_bytes(off, len);
      }
    }
    ASSERT_EQ(b.ranges(), m.ranges()) << "round " << round;
    uint64_t cnt = 0;
    for (bool x : m.bits) cnt += x;
    ASSERT_EQ(b.count(), cnt);
    // Round trip.
    const uint64_t per = 512 * 8;
    DirtyBitmap c(size, gbits);
    std::vector<uint8_t> buf(512);
    for (uint64_t first = 0; first < b.nbits(); first += per) {
      b.serialize(first, std::min(per, b.nbits() - first), buf.data());
      c.deserialize(first, std::min(per, b.nbits() - first), buf.data());
    }
    ASSERT_EQ(c.ranges(), m.ranges());
    // next_set / next_clear at random points.
    for (int k = 0; k < 50 && !m.bits.empty(); k++) {
      uint64_t p = rng() % m.bits.size();
      uint64_t ns = p, nc = p;
      while (ns < m.bits.size() && !m.bits[ns]) ns++;
      while (nc < m.bits.size() && m.bits[nc]) nc++;
      ASSERT_EQ(b.next_set(p), ns);
      ASSERT_EQ(b.next_clear(p), nc);
    }
  }
}

// ---- the directory ----

TEST(BitmapDirectory, RoundTripAndSizes) {
  std::vector<BitmapDirEntry> list(2);
  list[0].table_offset = 0x40000;
  list[0].table_size = 1;
  list[0].flags = kBitmapFlagAuto;
  list[0].name = "b1";
  list[1].table_offset = 0x50000;
  list[1].table_size = 1;
  list[1].granularity_bits = 9;
  list[1].name = std::string(9, 'x');  // 24 + 9 -> 40
  auto raw = serialize_bitmap_directory(list);
  ASSERT_EQ(raw.size(), 32u + 40u);
  EXPECT_EQ(raw[16], 1);   // type
  EXPECT_EQ(raw[17], 16);  // granularity bits
  std::vector<BitmapDirEntry> back;
  Error err;
  ASSERT_TRUE(parse_bitmap_directory(raw.data(), raw.size(), 2, 1 << 20, 65536, &back, &err))
      << err.msg;
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].name, list[1].name);
  EXPECT_EQ(back[1].granularity_bits, 9);
  EXPECT_EQ(back[0].flags, kBitmapFlagAuto);
}

TEST(BitmapDirectory, QemuMessagesForBadDirectories) {
  BitmapDirEntry e;
  e.table_offset = 0x40000;
  e.table_size = 1;
  e.name = "b";
  auto good = serialize_bitmap_directory({e});
  auto parse = [&](std::vector<uint8_t> raw, uint32_t nb, uint64_t size = 1 << 20) {
    std::vector<BitmapDirEntry> out;
    Error err;
    bool ok = parse_bitmap_directory(raw.data(), raw.size(), nb, size, 65536, &out, &err);
    return ok ? std::string("ok") : err.msg;
  };
  EXPECT_EQ(parse(good, 1), "ok");
  EXPECT_EQ(parse(good, 2), "Less bitmaps found than specified in header extension");
  EXPECT_EQ(parse({}, 1), "Requested bitmap directory size is zero");
  auto two = good;
  two.insert(two.end(), good.begin(), good.end());
  EXPECT_EQ(parse(two, 1), "More bitmaps found than specified in header extension");
  auto cut = good;
  cut.resize(20);
  EXPECT_EQ(parse(cut, 1), "Broken bitmap directory");
  auto bad = good;
  bad[17] = 8;  // granularity below 512
  EXPECT_EQ(parse(bad, 1), "Bitmap 'b' doesn't satisfy the constraints");
  bad = good;
  bad[17] = 32;
  EXPECT_EQ(parse(bad, 1), "Bitmap 'b' doesn't satisfy the constraints");
  bad = good;
  bad[15] = 4;  // unknown flag
  EXPECT_EQ(parse(bad, 1), "Bitmap 'b' doesn't satisfy the constraints");
  bad = good;
  bad[16] = 2;  // type
  EXPECT_EQ(parse(bad, 1), "Bitmap 'b' doesn't satisfy the constraints");
  bad = good;
  bad[23] = 1;  // extra data
  bad.resize(40);
  EXPECT_EQ(parse(bad, 1), "Bitmap extra data is not supported");
  bad = good;
  bad[18] = 0x04;  // name size 1025: past the directory
  EXPECT_EQ(parse(bad, 1), "Broken bitmap directory");
  // A table too small for the image, unless the bitmap is in use.
  EXPECT_EQ(parse(good, 1, uint64_t{1} << 40), "Bitmap 'b' doesn't satisfy the constraints");
  bad = good;
  bad[15] = 1;
  EXPECT_EQ(parse(bad, 1, uint64_t{1} << 40), "ok");
  EXPECT_FALSE(bitmap_table_entry_valid(0x40001, 65536));  // offset with the all-ones flag
  EXPECT_FALSE(bitmap_table_entry_valid(0x40200, 65536));  // unaligned
  EXPECT_FALSE(bitmap_table_entry_valid(2, 65536));        // reserved bit
  EXPECT_TRUE(bitmap_table_entry_valid(1, 65536));
  EXPECT_TRUE(bitmap_table_entry_valid(0x40000, 65536));
}

// ---- nodes ----

std::string tmpdir() {
  static std::string d = [] {
    char t[] = "/tmp/qcow2-bitmap-XXXXXX";
    return std::string(mkdtemp(t));
  }();
  return d;
}

std::vector<uint8_t> slurp(const std::string &p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

void create(const std::string &path, uint64_t size, const std::string &extra = "") {
  const FormatDriver *drv = find_format("qcow2");
  OptsGroup g(*drv->create_opts());
  Error err;
  Opts *o = g.create("", false, &err);
  for (const OptPair &pr : split_opts(extra, {}))
    ASSERT_TRUE(o->set(pr.name, pr.value, &err)) << err.msg;
  o->set("size", std::to_string(size), &err);
  unlink(path.c_str());
  ASSERT_EQ(drv->create(path, *o, &err), 0) << err.msg;
}

std::unique_ptr<Node> open_node(const std::string &path, bool writable, Error *err) {
  FileOpenOptions fo;
  fo.writable = writable;
  auto file = FileNode::open(path, fo, err);
  if (!file) return nullptr;
  OpenFlags flags;
  flags.writable = writable;
  auto n = find_format("qcow2")->open(std::move(file), {}, flags, err);
  if (n) n->set_node_name("#block123");
  return n;
}

std::unique_ptr<Node> open_ok(const std::string &path, bool writable = true) {
  Error err;
  auto n = open_node(path, writable, &err);
  EXPECT_TRUE(n) << err.msg;
  return n;
}

Header read_header(const std::string &path) {
  auto raw = slurp(path);
  Header h;
  Error err;
  EXPECT_TRUE(parse_header(raw.data(), std::min<size_t>(raw.size(), 65536), raw.size(), &h, &err))
      << err.msg;
  return h;
}

Ranges ranges_of(Node *n, const std::string &name) {
  Ranges r;
  Error err;
  EXPECT_EQ(n->bitmap_dirty_ranges(name, &r, &err), 0) << err.msg;
  return r;
}

TEST(Qcow2Bitmaps, AddWriteCloseReopen) {
  std::string p = tmpdir() + "/a.qcow2";
  create(p, 64 << 20);
  {
    auto n = open_ok(p);
    ASSERT_TRUE(n);
    EXPECT_TRUE(n->supports_persistent_bitmaps());
    Error err;
    ASSERT_EQ(n->bitmap_add("b1", {}, &err), 0) << err.msg;
    BitmapAddOptions o;
    o.granularity = 4096;
    o.disabled = true;
    ASSERT_EQ(n->bitmap_add("b2", o, &err), 0) << err.msg;
    std::vector<uint8_t> buf(1000, 0x5a);
    ASSERT_EQ(n->pwrite(70000, buf.data(), buf.size(), 0), 0);
    ASSERT_EQ(n->pwrite_zeroes(10 << 20, 1 << 20, 0), 0);
    ASSERT_EQ(n->discard(20 << 20, 4096), 0);
    std::vector<BitmapInfo> list;
    ASSERT_EQ(n->bitmap_list(&list), 0);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].name, "b2");  // newest first, as QEMU walks them
    EXPECT_EQ(list[0].granularity, 4096u);
    EXPECT_FALSE(list[0].enabled);
    EXPECT_EQ(list[1].granularity, 65536u);
    EXPECT_TRUE(list[1].enabled);
    EXPECT_EQ(ranges_of(n.get(), "b2"), Ranges{});
    // Not on disk before close.
    EXPECT_FALSE(read_header(p).has_bitmaps_ext);
  }
  Header h = read_header(p);
  ASSERT_TRUE(h.has_bitmaps_ext);
  EXPECT_EQ(h.autoclear_features & kAutoclearBitmaps, kAutoclearBitmaps);
  EXPECT_EQ(h.bitmaps.nb_bitmaps, 2u);
  Ranges want{{65536, 65536}, {10 << 20, 1 << 20}, {20 << 20, 65536}};
  {
    auto n = open_ok(p, false);
    ASSERT_TRUE(n);
    EXPECT_EQ(ranges_of(n.get(), "b1"), want);
    EXPECT_EQ(ranges_of(n.get(), "b2"), Ranges{});
    ImageInfo info;
    ASSERT_EQ(n->get_info(&info), 0);
    const Json &bm = info.format_specific["data"]["bitmaps"];
    ASSERT_EQ(bm.size(), 2u);
    // Directory order: b2 was walked first at close, so it is stored first.
    EXPECT_EQ(bm[0]["name"], "b2");
    EXPECT_EQ(bm[0]["flags"], Json::array());
    EXPECT_EQ(bm[1]["name"], "b1");
    EXPECT_EQ(bm[1]["flags"], Json::array({"auto"}));
    std::vector<BitmapInfo> list;
    ASSERT_EQ(n->bitmap_list(&list), 0);
    EXPECT_TRUE(list[0].readonly);
    Error err;
    EXPECT_EQ(n->bitmap_clear("b1", &err), -EINVAL);
    EXPECT_EQ(err.msg, "Bitmap 'b1' is readonly and cannot be modified");
  }
  // While open for writing, the stored bitmaps are flagged in use.
  {
    auto n = open_ok(p);
    auto raw = slurp(p);
    Header oh = read_header(p);
    std::vector<BitmapDirEntry> dir;
    Error err;
    ASSERT_TRUE(parse_bitmap_directory(raw.data() + oh.bitmaps.directory_offset,
                                       oh.bitmaps.directory_size, oh.bitmaps.nb_bitmaps, 64 << 20,
                                       65536, &dir, &err))
        << err.msg;
    for (const auto &e : dir) EXPECT_TRUE(e.flags & kBitmapFlagInUse) << e.name;
    CheckResult res;
    ASSERT_EQ(n->check(&res, 0), 0);
    EXPECT_EQ(res.corruptions + res.leaks, 0);
  }
  // Closed cleanly: no longer in use, contents kept, old clusters freed.
  {
    auto n = open_ok(p, false);
    EXPECT_EQ(ranges_of(n.get(), "b1"), want);
    CheckResult res;
    ASSERT_EQ(n->check(&res, 0), 0);
    EXPECT_EQ(res.corruptions, 0);
    EXPECT_EQ(res.leaks, 0);
  }
}

TEST(Qcow2Bitmaps, OperationsAndMessages) {
  std::string p = tmpdir() + "/ops.qcow2";
  std::string p2 = tmpdir() + "/ops2.qcow2";
  std::string pv2 = tmpdir() + "/v2.qcow2";
  create(p, 1 << 20);
  create(p2, 2 << 20);
  create(pv2, 1 << 20, "compat=0.10");
  auto n = open_ok(p);
  auto n2 = open_ok(p2);
  auto v2 = open_ok(pv2);
  ASSERT_TRUE(n && n2 && v2);
  Error err;
  auto add = [&](Node *node, const std::string &name, std::optional<uint32_t> g = {}) {
    BitmapAddOptions o;
    o.granularity = g;
    err = Error{};
    int r = node->bitmap_add(name, o, &err);
    return r == 0 ? std::string("ok") : err.msg;
  };
  EXPECT_EQ(add(n.get(), "b"), "ok");
  EXPECT_EQ(add(n.get(), "b"), "Bitmap already exists: b");
  EXPECT_EQ(add(n.get(), "x", 1000), "Granularity must be power of 2 and at least 512");
  EXPECT_EQ(add(n.get(), "x", 256), "Granularity must be power of 2 and at least 512");
  EXPECT_EQ(add(n.get(), "x", 0), "Granularity must be power of 2 and at least 512");
  EXPECT_EQ(add(n.get(), ""), "Bitmap name cannot be empty");
  EXPECT_EQ(add(n.get(), std::string(1024, 'n')),
            "Can't make bitmap '" + std::string(1024, 'n') +
                "' persistent in '#block123': Name length exceeds maximum (1023 characters)");
  EXPECT_EQ(add(n.get(), std::string(1023, 'n')), "ok");
  EXPECT_EQ(add(n.get(), "big", 1u << 31), "ok");
  EXPECT_EQ(add(v2.get(), "b"),
            "Can't make bitmap 'b' persistent in '#block123': Cannot store dirty bitmaps in "
            "qcow2 v2 files");
  EXPECT_FALSE(v2->supports_persistent_bitmaps());
  EXPECT_EQ(n->bitmap_remove("nope", &err), -ENOENT);
  EXPECT_EQ(err.msg, "Dirty bitmap 'nope' not found");
  EXPECT_EQ(add(n2.get(), "c"), "ok");
  EXPECT_EQ(n->bitmap_merge("b", n2.get(), "zz", &err), -ENOENT);
  EXPECT_EQ(err.msg, "Dirty bitmap 'zz' not found");
  EXPECT_EQ(n->bitmap_merge("zz", n2.get(), "c", &err), -ENOENT);
  EXPECT_EQ(err.msg, "Dirty bitmap 'zz' not found");
  EXPECT_EQ(n->bitmap_merge("b", n2.get(), "c", &err), -EINVAL);
  EXPECT_EQ(err.msg,
            "Bitmaps are of different sizes (destination size is 1048576, source size is "
            "2097152) and can't be merged");
  // Merge within the node across granularities.
  BitmapAddOptions o;
  o.granularity = 512;
  o.disabled = true;
  ASSERT_EQ(n->bitmap_add("fine", o, &err), 0);
  ASSERT_EQ(n->bitmap_set_dirty("fine", 1000, 10, &err), 0);
  ASSERT_EQ(n->bitmap_set_dirty("fine", 700000, 1, &err), 0);
  ASSERT_EQ(n->bitmap_merge("b", n.get(), "fine", &err), 0) << err.msg;
  EXPECT_EQ(ranges_of(n.get(), "b"), (Ranges{{0, 65536}, {655360, 65536}}));
  ASSERT_EQ(n->bitmap_clear("b", &err), 0);
  EXPECT_EQ(ranges_of(n.get(), "b"), Ranges{});
  // Disabled bitmaps do not record writes; enabling them again does.
  ASSERT_EQ(n->bitmap_enable("b", false, &err), 0);
  std::vector<uint8_t> buf(512, 1);
  ASSERT_EQ(n->pwrite(0, buf.data(), buf.size(), 0), 0);
  EXPECT_EQ(ranges_of(n.get(), "b"), Ranges{});
  ASSERT_EQ(n->bitmap_enable("b", true, &err), 0);
  ASSERT_EQ(n->pwrite(131072, buf.data(), buf.size(), 0), 0);
  EXPECT_EQ(ranges_of(n.get(), "b"), (Ranges{{131072, 65536}}));
  EXPECT_EQ(ranges_of(n.get(), "fine"), (Ranges{{512, 512}, {699904, 512}}));
  ASSERT_EQ(n->bitmap_remove("big", &err), 0);
  std::vector<BitmapInfo> list;
  ASSERT_EQ(n->bitmap_list(&list), 0);
  EXPECT_EQ(list.size(), 3u);
}

TEST(Qcow2Bitmaps, RemoveStoredBitmapAndDropExtension) {
  std::string p = tmpdir() + "/rm.qcow2";
  create(p, 8 << 20);
  {
    auto n = open_ok(p);
    Error err;
    ASSERT_EQ(n->bitmap_add("a", {}, &err), 0);
    ASSERT_EQ(n->bitmap_add("b", {}, &err), 0);
    std::vector<uint8_t> buf(4096, 1);
    ASSERT_EQ(n->pwrite(0, buf.data(), buf.size(), 0), 0);
  }
  {
    auto n = open_ok(p);
    Error err;
    ASSERT_EQ(n->bitmap_remove("a", &err), 0) << err.msg;
    // Removed from the image at once.
    EXPECT_EQ(read_header(p).bitmaps.nb_bitmaps, 1u);
    ASSERT_EQ(n->bitmap_remove("b", &err), 0) << err.msg;
    Header h = read_header(p);
    EXPECT_FALSE(h.has_bitmaps_ext);
    EXPECT_EQ(h.autoclear_features & kAutoclearBitmaps, 0u);
  }
  auto n = open_ok(p, false);
  CheckResult res;
  ASSERT_EQ(n->check(&res, 0), 0);
  EXPECT_EQ(res.corruptions + res.leaks, 0);
  ImageInfo info;
  ASSERT_EQ(n->get_info(&info), 0);
  EXPECT_FALSE(info.format_specific["data"].contains("bitmaps"));
}

TEST(Qcow2Bitmaps, InUseBitmapsAreInconsistent) {
  std::string p = tmpdir() + "/inuse.qcow2";
  create(p, 8 << 20);
  {
    auto n = open_ok(p);
    Error err;
    ASSERT_EQ(n->bitmap_add("a", {}, &err), 0);
  }
  // Simulate a crash while open: set the in-use flag.
  Header h = read_header(p);
  {
    int fd = ::open(p.c_str(), O_RDWR);
    uint8_t flags[4];
    ASSERT_EQ(pread(fd, flags, 4, static_cast<off_t>(h.bitmaps.directory_offset + 12)), 4);
    flags[3] |= 1;
    ASSERT_EQ(pwrite(fd, flags, 4, static_cast<off_t>(h.bitmaps.directory_offset + 12)), 4);
    close(fd);
  }
  auto n = open_ok(p);
  std::vector<BitmapInfo> list;
  ASSERT_EQ(n->bitmap_list(&list), 0);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_TRUE(list[0].in_use);
  Error err;
  EXPECT_EQ(n->bitmap_clear("a", &err), -EINVAL);
  EXPECT_EQ(err.msg, "Bitmap 'a' is inconsistent and cannot be used");
  EXPECT_EQ(err.hint, "Try block-dirty-bitmap-remove to delete this bitmap from disk\n");
  Ranges r;
  EXPECT_LT(n->bitmap_dirty_ranges("a", &r, &err), 0);
  EXPECT_EQ(n->truncate(16 << 20, false, Prealloc::kOff, &err), -ENOTSUP);
  EXPECT_EQ(err.msg, "Bitmap 'a' is inconsistent and cannot be used");
  ASSERT_EQ(n->bitmap_remove("a", &err), 0) << err.msg;
  EXPECT_FALSE(read_header(p).has_bitmaps_ext);
}

TEST(Qcow2Bitmaps, ResizeKeepsBits) {
  std::string p = tmpdir() + "/resize.qcow2";
  create(p, 1 << 20);
  {
    auto n = open_ok(p);
    Error err;
    ASSERT_EQ(n->bitmap_add("b", {}, &err), 0);
    std::vector<uint8_t> buf(1024, 1);
    ASSERT_EQ(n->pwrite(0, buf.data(), buf.size(), 0), 0);
    ASSERT_EQ(n->pwrite(960 << 10, buf.data(), buf.size(), 0), 0);
    ASSERT_EQ(n->truncate(3 << 20, false, Prealloc::kOff, &err), 0) << err.msg;
    ASSERT_EQ(n->pwrite(2 << 20, buf.data(), buf.size(), 0), 0);
    EXPECT_EQ(ranges_of(n.get(), "b"), (Ranges{{0, 65536}, {983040, 65536}, {2 << 20, 65536}}));
    ASSERT_EQ(n->truncate(512 << 10, false, Prealloc::kOff, &err), 0) << err.msg;
    ASSERT_EQ(n->truncate(3 << 20, false, Prealloc::kOff, &err), 0) << err.msg;
    EXPECT_EQ(ranges_of(n.get(), "b"), (Ranges{{0, 65536}}));
  }
  auto n = open_ok(p, false);
  ASSERT_TRUE(n);
  EXPECT_EQ(ranges_of(n.get(), "b"), (Ranges{{0, 65536}}));
}

// Shrinking frees clusters and discards them at once (as QEMU): a queued discard would later
// punch holes in the same clusters once reused (by bitmaps stored on close, or guest data).
TEST(Qcow2Bitmaps, ShrinkThenReuseKeepsData) {
  std::string p = tmpdir() + "/reuse.qcow2";
  create(p, 4 << 20);
  auto n = open_ok(p);
  Error err;
  std::vector<uint8_t> a(65536, 0xaa), b(65536, 0xbb), back(65536);
  ASSERT_EQ(n->pwrite(0, a.data(), a.size(), 0), 0);
  ASSERT_EQ(n->pwrite(3 << 20, a.data(), a.size(), 0), 0);
  ASSERT_EQ(n->truncate(1 << 20, false, Prealloc::kOff, &err), 0) << err.msg;
  ASSERT_EQ(n->truncate(4 << 20, false, Prealloc::kOff, &err), 0) << err.msg;
  ASSERT_EQ(n->pwrite(2 << 20, b.data(), b.size(), 0), 0);  // reuses the freed cluster
  ASSERT_EQ(n->discard(0, 65536), 0);                       // processes pending discards
  ASSERT_EQ(n->pread(2 << 20, back.data(), back.size()), 0);
  EXPECT_EQ(back, b);
  CheckResult res;
  ASSERT_EQ(n->check(&res, 0), 0);
  EXPECT_EQ(res.corruptions + res.leaks, 0);
}

// Random writes, zero writes and discards against a model of what each bitmap must record,
// across close and reopen (several sessions, several bitmaps, granularities, cluster sizes).
TEST(Qcow2Bitmaps, PropertyTrackingMatchesModel) {
  std::mt19937_64 rng(777);
  for (int round = 0; round < 6; round++) {
    std::string p = tmpdir() + "/prop" + std::to_string(round) + ".qcow2";
    uint64_t cs = uint64_t{512} << (rng() % 8);
    uint64_t size = ((rng() % 64) + 1) << 20;
    create(p, size, "cluster_size=" + std::to_string(cs));
    std::map<std::string, std::pair<Model, bool>> models;  // name -> (model, enabled)
    for (int session = 0; session < 4; session++) {
      auto n = open_ok(p);
      ASSERT_TRUE(n);
      Error err;
      // Check what was stored.
      for (auto &[name, mm] : models) ASSERT_EQ(ranges_of(n.get(), name), mm.first.ranges());
      std::string name = "bm" + std::to_string(session);
      int gbits = 9 + static_cast<int>(rng() % 10);
      BitmapAddOptions o;
      o.granularity = 1u << gbits;
      ASSERT_EQ(n->bitmap_add(name, o, &err), 0) << err.msg;
      models.emplace(name, std::make_pair(Model(size, gbits), true));
      for (int op = 0; op < 40; op++) {
        uint64_t off = rng() % size;
        uint64_t len = std::min<uint64_t>(size - off, (rng() % (256 << 10)) + 1);
        int kind = static_cast<int>(rng() % 10);
        if (kind < 5) {
          std::vector<uint8_t> buf(len, static_cast<uint8_t>(op));
          ASSERT_EQ(n->pwrite(off, buf.data(), len, 0), 0);
        } else if (kind < 7) {
          ASSERT_EQ(n->pwrite_zeroes(off, len, kWriteMayUnmap), 0);
        } else if (kind < 8) {
          ASSERT_EQ(n->discard(off, len), 0);
        } else if (kind < 9 && !models.empty()) {
          auto it = std::next(models.begin(), static_cast<long>(rng() % models.size()));
          it->second.second = !it->second.second;
          ASSERT_EQ(n->bitmap_enable(it->first, it->second.second, &err), 0);
          continue;
        } else {
          continue;
        }
        for (auto &[nm, mm] : models)
          if (mm.second) mm.first.set_bytes(off, len);
      }
      for (auto &[nm, mm] : models) ASSERT_EQ(ranges_of(n.get(), nm), mm.first.ranges()) << nm;
    }
    auto n = open_ok(p, false);
    for (auto &[nm, mm] : models) ASSERT_EQ(ranges_of(n.get(), nm), mm.first.ranges()) << nm;
    std::vector<BitmapInfo> list;
    ASSERT_EQ(n->bitmap_list(&list), 0);
    for (const auto &b : list) EXPECT_EQ(b.enabled, models.at(b.name).second) << b.name;
    CheckResult res;
    ASSERT_EQ(n->check(&res, 0), 0);
    EXPECT_EQ(res.corruptions + res.leaks, 0) << p;
  }
}

// Images that lie about their bitmaps must fail to open with QEMU's message, never crash.
TEST(Qcow2Bitmaps, HostileHeaderExtension) {
  std::string p = tmpdir() + "/hostile.qcow2";
  create(p, 1 << 20);
  {
    auto n = open_ok(p);
    Error err;
    ASSERT_EQ(n->bitmap_add("b", {}, &err), 0);
  }
  auto raw = slurp(p);
  // Find the extension.
  size_t pos = 112;
  while (pos + 8 <= raw.size() && be32(&raw[pos]) != kExtBitmaps)
    pos += 8 + ((be32(&raw[pos + 4]) + 7) & ~7u);
  ASSERT_LT(pos + 32, raw.size());
  auto try_open = [&](auto patch) {
    auto copy = raw;
    patch(copy.data() + pos + 8);
    std::string q = tmpdir() + "/hostile2.qcow2";
    std::ofstream(q, std::ios::binary)
        .write(reinterpret_cast<const char *>(copy.data()),
               static_cast<std::streamsize>(copy.size()));
    Error err;
    auto n = open_node(q, false, &err);
    return n ? std::string("ok") : err.msg;
  };
  EXPECT_EQ(try_open([](uint8_t *d) { put32(d, 0); }), "found bitmaps extension with zero bitmaps");
  EXPECT_EQ(try_open([](uint8_t *d) { put32(d, 70000); }),
            "bitmaps_ext: Image has 70000 bitmaps, exceeding the QEMU supported maximum of 65535");
  EXPECT_EQ(try_open([](uint8_t *d) { put32(d + 4, 1); }),
            "bitmaps_ext: Reserved field is not zero");
  EXPECT_EQ(try_open([](uint8_t *d) { put64(d + 16, 0x10200); }),
            "bitmaps_ext: invalid bitmap directory offset");
  EXPECT_EQ(try_open([](uint8_t *d) { put64(d + 8, uint64_t{1} << 40); }),
            "bitmaps_ext: bitmap directory size (1099511627776) exceeds the maximum supported "
            "size (67107840)");
  EXPECT_EQ(try_open([](uint8_t *d) { put64(d + 8, 0); }),
            "Requested bitmap directory size is zero");
  EXPECT_EQ(try_open([](uint8_t *d) { put64(d + 16, uint64_t{1} << 50); }),
            "Bitmap '' doesn't satisfy the constraints");
  EXPECT_EQ(try_open([](uint8_t *d) { put32(d, 2); }),
            "Less bitmaps found than specified in header extension");
}

}  // namespace
}  // namespace qemu::block::qcow2
