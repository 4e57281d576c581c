// The file protocol driver opened with O_DIRECT (cache=none): requests with unaligned
// buffers, offsets and lengths must work (through bounce buffers) and leave the file as
// buffered I/O would (content and size), checked against an in-memory model.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "block/file.h"

namespace qemu::block {
namespace {

class FileDirectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char t[] = "/tmp/file-direct-test-XXXXXX";
    ASSERT_NE(mkdtemp(t), nullptr);
    dir_ = t;
    path_ = dir_ + "/f.img";
  }
  void TearDown() override {
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }

  std::unique_ptr<FileNode> open_direct(bool create) {
    FileOpenOptions o;
    o.writable = true;
    o.create = create;
    o.direct = true;
    Error err;
    auto node = FileNode::open(path_, o, &err);
    if (!node) ADD_FAILURE() << err.msg;
    return node;
  }

  std::vector<uint8_t> read_back() {
    FILE *f = fopen(path_.c_str(), "rb");
    std::vector<uint8_t> out;
    if (!f) return out;
    uint8_t buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
    fclose(f);
    return out;
  }

  std::string dir_, path_;
};

TEST_F(FileDirectTest, UnalignedRequestsMatchModel) {
  auto node = open_direct(true);
  if (!node) GTEST_SKIP() << "O_DIRECT unsupported here";
  std::vector<uint8_t> model;
  std::mt19937 rng(1);
  for (int i = 0; i < 300; i++) {
    uint64_t off = rng() % (3 << 20);
    size_t len = 1 + rng() % ((i % 7 == 0) ? (2 << 20) : 9000);
    // Buffers deliberately misaligned by a random amount.
    std::vector<uint8_t> storage(len + 64);
    uint8_t *buf = storage.data() + rng() % 64;
    if (rng() % 2) {
      for (size_t j = 0; j < len; j++) buf[j] = static_cast<uint8_t>(rng());
      ASSERT_EQ(node->pwrite(off, buf, len, 0), 0);
      if (model.size() < off + len) model.resize(off + len, 0);
      std::copy(buf, buf + len, model.begin() + static_cast<ptrdiff_t>(off));
      ASSERT_EQ(node->length(), static_cast<int64_t>(model.size()))
          << "write " << off << "+" << len;
    } else {
      ASSERT_EQ(node->pread(off, buf, len), 0);
      for (size_t j = 0; j < len; j++) {
        uint8_t want = off + j < model.size() ? model[off + j] : 0;
        ASSERT_EQ(buf[j], want) << "read " << off << "+" << len << " at " << j;
      }
    }
  }
  node.reset();
  EXPECT_EQ(read_back(), model);
}

TEST_F(FileDirectTest, SmallHeaderWritesKeepFileSize) {
  auto node = open_direct(true);
  if (!node) GTEST_SKIP() << "O_DIRECT unsupported here";
  uint8_t hdr[104];
  for (size_t i = 0; i < sizeof hdr; i++) hdr[i] = static_cast<uint8_t>(i + 1);
  ASSERT_EQ(node->pwrite(0, hdr, sizeof hdr, 0), 0);
  EXPECT_EQ(node->length(), 104);
  uint8_t field[8] = {9, 9, 9, 9, 9, 9, 9, 9};
  ASSERT_EQ(node->pwrite(72, field, sizeof field, 0), 0);
  EXPECT_EQ(node->length(), 104);
  ASSERT_EQ(node->pwrite(5000, field, 3, 0), 0);
  EXPECT_EQ(node->length(), 5003);
  uint8_t back[104];
  ASSERT_EQ(node->pread(0, back, sizeof back), 0);
  for (size_t i = 0; i < sizeof back; i++) EXPECT_EQ(back[i], i >= 72 && i < 80 ? 9 : i + 1) << i;
}

TEST_F(FileDirectTest, ConcurrentAlignedAndUnalignedWrites) {
  auto node = open_direct(true);
  if (!node) GTEST_SKIP() << "O_DIRECT unsupported here";
  constexpr size_t kBlock = 4096, kBlocks = 256;
  std::vector<uint8_t> zero(kBlock * kBlocks, 0);
  void *p = nullptr;
  ASSERT_EQ(posix_memalign(&p, kBlock, zero.size()), 0);
  memset(p, 0, zero.size());
  ASSERT_EQ(node->pwrite(0, p, zero.size(), 0), 0);
  // Even blocks: aligned whole-block writes; odd blocks: byte-wise unaligned writes.
  std::thread aligned([&] {
    void *b = nullptr;
    ASSERT_EQ(posix_memalign(&b, kBlock, kBlock), 0);
    for (size_t i = 0; i < kBlocks; i += 2) {
      memset(b, 0xa0 + static_cast<int>(i % 16), kBlock);
      ASSERT_EQ(node->pwrite(i * kBlock, b, kBlock, 0), 0);
    }
    free(b);
  });
  std::thread unaligned([&] {
    for (size_t i = 1; i < kBlocks; i += 2) {
      uint8_t v[100];
      memset(v, 0x50 + static_cast<int>(i % 16), sizeof v);
      ASSERT_EQ(node->pwrite(i * kBlock + 17, v, sizeof v, 0), 0);
    }
  });
  aligned.join();
  unaligned.join();
  node.reset();
  free(p);
  std::vector<uint8_t> got = read_back();
  ASSERT_EQ(got.size(), kBlock * kBlocks);
  for (size_t i = 0; i < kBlocks; i++) {
    for (size_t j = 0; j < kBlock; j++) {
      uint8_t want = i % 2 == 0 ? 0xa0 + i % 16 : (j >= 17 && j < 117 ? 0x50 + i % 16 : 0);
      ASSERT_EQ(got[i * kBlock + j], want) << "block " << i << " byte " << j;
    }
  }
}

}  // namespace
}  // namespace qemu::block
