// Write-through nodes (cache=writethrough, directsync): every write is durable when it
// returns, so the file below sees a flush after each one; write-back nodes leave flushing to
// the caller.
#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "base/opts.h"
#include "block/driver.h"
#include "block/file.h"
#include "block/node.h"

namespace qemu::block {
namespace {

// Forwards to a file node and counts the flushes and writes that reach it.
class CountingNode : public Node {
 public:
  explicit CountingNode(std::unique_ptr<Node> file) : file_(std::move(file)) {
    filename_ = file_->filename();
    read_only_ = file_->read_only();
  }
  const char *driver_name() const override { return "file"; }
  int64_t length() override { return file_->length(); }
  int pread(uint64_t offset, void *buf, size_t bytes) override {
    return file_->pread(offset, buf, bytes);
  }
  int pwrite(uint64_t offset, const void *buf, size_t bytes, unsigned flags) override {
    writes++;
    if (flags & kWriteFua) fua_writes++;
    int r = file_->pwrite(offset, buf, bytes, flags & ~kWriteFua);
    return r < 0 ? r : maybe_flush(flags);
  }
  int pwrite_zeroes(uint64_t offset, uint64_t bytes, unsigned flags) override {
    writes++;
    if (flags & kWriteFua) fua_writes++;
    int r = file_->pwrite_zeroes(offset, bytes, flags & ~kWriteFua);
    return r < 0 ? r : maybe_flush(flags);
  }
  int discard(uint64_t offset, uint64_t bytes) override { return file_->discard(offset, bytes); }
  int flush() override {
    flushes++;
    return file_->flush();
  }
  int truncate(uint64_t size, bool exact, Prealloc prealloc, Error *err) override {
    return file_->truncate(size, exact, prealloc, err);
  }
  int block_status(uint64_t offset, uint64_t bytes, BlockStatus *st) override {
    return file_->block_status(offset, bytes, st);
  }

  int writes = 0, fua_writes = 0, flushes = 0;

 private:
  int maybe_flush(unsigned flags) { return (flags & kWriteFua) ? flush() : 0; }
  std::unique_ptr<Node> file_;
};

class WriteThrough : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/write-through-XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override { unlink(path_.c_str()); }

  // Opens `format` over a counting file node (qcow2 is created first).
  std::unique_ptr<Node> open(const std::string &format, CountingNode **counter) {
    const FormatDriver *drv = find_format(format);
    EXPECT_NE(drv, nullptr);
    Error err;
    if (format == "qcow2") {
      OptsGroup g(*drv->create_opts());
      Opts *o = g.create("", false, &err);
      o->set("size", "4194304", &err);
      EXPECT_EQ(drv->create(path_, *o, &err), 0) << err.msg;
    } else {
      EXPECT_EQ(::truncate(path_.c_str(), 4 << 20), 0);
    }
    FileOpenOptions fo;
    fo.writable = true;
    auto file = FileNode::open(path_, fo, &err);
    EXPECT_TRUE(file) << err.msg;
    auto counting = std::make_unique<CountingNode>(std::move(file));
    *counter = counting.get();
    OpenFlags flags;
    flags.writable = true;
    auto node = drv->open(std::move(counting), {}, flags, &err);
    EXPECT_TRUE(node) << err.msg;
    return node;
  }

  std::string path_;
};

TEST_F(WriteThrough, EveryWriteReachesStorageDurably) {
  for (const char *format : {"qcow2", "raw"}) {
    for (bool through : {false, true}) {
      CountingNode *c = nullptr;
      auto node = open(format, &c);
      ASSERT_TRUE(node);
      node->set_write_through(through);
      std::vector<uint8_t> data(65536, 0x5a);
      int before = c->flushes;
      for (int i = 0; i < 4; i++) {
        int flushes = c->flushes;
        ASSERT_EQ(node->pwrite(uint64_t(i) * 65536 * 3, data.data(), data.size(), 0), 0);
        if (through) {
          EXPECT_GT(c->flushes, flushes) << format << " write " << i;
        }
        flushes = c->flushes;
        ASSERT_EQ(node->pwrite_zeroes(uint64_t(i) * 65536 * 3 + 65536, 65536, 0), 0);
        if (through) {
          EXPECT_GT(c->flushes, flushes) << format << " zero write " << i;
        }
      }
      if (!through && std::string(format) == "raw") {
        EXPECT_EQ(c->flushes, before) << "raw write-back flushed on its own";
      }
      // The data is there either way.
      std::vector<uint8_t> back(65536);
      ASSERT_EQ(node->pread(65536 * 3, back.data(), back.size()), 0);
      EXPECT_EQ(back, data);
    }
  }
}

}  // namespace
}  // namespace qemu::block
