// qcow2 creation options parsed and validated (QEMU's rules and messages), shared by image
// creation and qemu-img measure.
#pragma once

#include <cstdint>
#include <string>

#include "base/opts.h"
#include "block/node.h"
#include "block/qcow2/format.h"

namespace qemu::block::qcow2 {

struct CreateParams {
  uint64_t size = 0;
  int version = 3;
  int cluster_bits = 16;
  int refcount_order = 4;
  bool lazy_refcounts = false;
  bool extended_l2 = false;
  uint8_t compression = kCompressionZlib;
  Prealloc prealloc = Prealloc::kOff;
  std::string backing_file, backing_fmt, data_file;
  bool data_file_raw = false;
};

bool parse_create_params(const Opts &o, CreateParams *p, Error *err);

}  // namespace qemu::block::qcow2
