#include "base/version.h"

#include <fmt/core.h>

namespace qemu {

std::string version_banner(std::string_view program) {
  std::string who =
      program.substr(0, 12) == "qemu-system-" ? "QEMU emulator" : std::string(program);
  return fmt::format(
      "{} version {} ({})\n"
      "Copyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n",
      who, kQemuCompatVersion, kPackageVersion);
}

}  // namespace qemu
