// Opening and creating images by filename and format, as qemu-img and the emulators do.
#pragma once

#include <memory>
#include <string>

#include "base/opts.h"
#include "block/node.h"

namespace qemu::block {

struct OpenOptions {
  std::string format;  // empty: probe
  bool writable = false;
  bool force_share = false;  // lock nothing against others (-U)
  bool no_io = false;        // metadata only: no "consistent read" lock
  bool no_share = false;     // unshare write and resize whatever the format
};

std::unique_ptr<Node> open_image(const std::string &filename, const OpenOptions &o, Error *err);

// Guesses the format from the first bytes of a file ("raw" when nothing matches).
std::string probe_format(const std::string &filename, Error *err);

// Creates an image of a format from its creation options (see create_opts.h). Returns 0 or a
// negative errno with err set.
int create_image(const std::string &filename, const std::string &format, const Opts &opts,
                 Error *err);

}  // namespace qemu::block
