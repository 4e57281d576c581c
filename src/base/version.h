// The version banner every program prints for -version/--version, in QEMU's form, so that
// tools which parse "version X.Y.Z" keep working.
#pragma once

#include <string>
#include <string_view>

namespace qemu {

// The QEMU release whose interfaces we implement.
inline constexpr std::string_view kQemuCompatVersion = "7.2.0";
// Our own package version, printed where QEMU prints its package version.
inline constexpr std::string_view kPackageVersion = "qemu-cpp 0.1";

// "qemu-img version 7.2.0 (qemu-cpp 0.1)\nCopyright (c) ...\n". For the system emulators QEMU
// says "QEMU emulator version ..." instead of the program name.
std::string version_banner(std::string_view program);

}  // namespace qemu
