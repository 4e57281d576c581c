#include "base/cmdline.h"

#include <cstring>

namespace qemu {

CmdlineScanner::Kind CmdlineScanner::next() {
  id_ = -1;
  arg_ = nullptr;
  name_.clear();
  if (index_ >= argc_) return Kind::kEnd;
  option_index_ = index_;
  const char *a = argv_[index_++];
  if (double_dash_ || a[0] != '-' || a[1] == '\0') {
    arg_ = a;
    return Kind::kPositional;
  }
  if (strcmp(a, "--") == 0) {
    double_dash_ = true;
    return next();
  }
  name_ = a;
  std::string_view bare(a + 1);
  if (!bare.empty() && bare[0] == '-') bare.remove_prefix(1);
  for (const CmdlineOption &o : options_) {
    if (bare == o.name) {
      id_ = o.id;
      if (o.has_arg) {
        if (index_ >= argc_) return Kind::kMissingArg;
        arg_ = argv_[index_++];
      }
      return Kind::kOption;
    }
  }
  return Kind::kUnknown;
}

}  // namespace qemu
