// Error values and error reporting in QEMU's format:
//   "[timestamp ]program: [location: ][warning: |info: ]message"
#pragma once

#include <fmt/core.h>

#include <string>
#include <string_view>
#include <vector>

namespace qemu {

// An error carried back to a caller that decides how to report it (QEMU's Error **).
struct Error {
  std::string msg;
  std::string hint;  // extra lines printed after the message, each ending in '\n'

  template <typename... Args>
  static Error make(fmt::format_string<Args...> f, Args &&...args) {
    return Error{fmt::format(f, std::forward<Args>(args)...), {}};
  }
  Error &with_hint(std::string h) {
    hint += std::move(h);
    return *this;
  }
};

// The name printed before each message: the basename of argv[0].
void set_progname(std::string_view argv0);
const std::string &progname();

// Prefix every message with an ISO-8601 timestamp (QEMU's -msg timestamp=on).
void set_message_timestamps(bool on);

// Where the message is about: a command-line option and its argument, or a file and a line.
// Locations nest; the innermost one is printed. Use through LocationScope.
struct Location {
  enum class Kind { kNone, kCmdline, kFile };
  Kind kind = Kind::kNone;
  std::vector<std::string> args;  // kCmdline: the option and its argument as typed
  std::string file;               // kFile
  int line = 0;
};

class LocationScope {
 public:
  explicit LocationScope(Location loc);
  ~LocationScope();
  LocationScope(const LocationScope &) = delete;
  LocationScope &operator=(const LocationScope &) = delete;

  static LocationScope cmdline(std::string opt, std::string arg);
  static LocationScope cmdline(std::string opt);
};

// Formats the prefix (timestamp, program, location) of a message.
std::string message_prefix();

void error_report_str(std::string_view msg);
void warn_report_str(std::string_view msg);
void info_report_str(std::string_view msg);

template <typename... Args>
void error_report(fmt::format_string<Args...> f, Args &&...args) {
  error_report_str(fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn_report(fmt::format_string<Args...> f, Args &&...args) {
  warn_report_str(fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info_report(fmt::format_string<Args...> f, Args &&...args) {
  info_report_str(fmt::format(f, std::forward<Args>(args)...));
}

// Reports an Error: its message, then its hint.
void error_report_err(const Error &err);
void warn_report_err(const Error &err);

// Where reports go (stderr by default); tests capture them.
void set_report_sink(void (*sink)(std::string_view text));

}  // namespace qemu
