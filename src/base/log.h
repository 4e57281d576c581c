// Debug logging as QEMU's -d/-D: a mask of log items checked inline on hot paths, one log file
// (stderr by default, "%d" in its name replaced by the process id), optional timestamps.
#pragma once

#include <fmt/core.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "base/error.h"

namespace qemu {

enum LogItem : uint32_t {
  kLogOutAsm = 1u << 0,
  kLogInAsm = 1u << 1,
  kLogOp = 1u << 2,
  kLogOpOpt = 1u << 3,
  kLogOpInd = 1u << 4,
  kLogInt = 1u << 5,
  kLogExec = 1u << 6,
  kLogCpu = 1u << 7,
  kLogFpu = 1u << 8,
  kLogMmu = 1u << 9,
  kLogPcall = 1u << 10,
  kLogCpuReset = 1u << 11,
  kLogUnimp = 1u << 12,
  kLogGuestErrors = 1u << 13,
  kLogPage = 1u << 14,
  kLogNochain = 1u << 15,
  kLogPlugin = 1u << 16,
  kLogStrace = 1u << 17,
  kLogTid = 1u << 18,
};

extern uint32_t g_log_mask;

inline bool log_enabled(uint32_t items) {
  return (g_log_mask & items) != 0;
}

// Parses "in_asm,op,..." (or "all"). Returns false on an unknown or empty item.
bool parse_log_items(std::string_view items, uint32_t *mask);

// Prints the "-d help" listing.
void print_log_usage(FILE *out);

// Sets the mask and the log file (empty: stderr). Checks QEMU's rules ("tid" needs "%d").
bool log_configure(uint32_t mask, std::string_view filename, Error *err);

void log_set_timestamps(bool on);

// The log stream, locked for the duration of a LogLock so that multi-line output stays whole.
class LogLock {
 public:
  LogLock();
  ~LogLock();
  LogLock(const LogLock &) = delete;
  LogLock &operator=(const LogLock &) = delete;
  FILE *file() const { return file_; }

 private:
  FILE *file_;
};

void log_write(std::string_view text);

template <typename... Args>
void qemu_log(fmt::format_string<Args...> f, Args &&...args) {
  log_write(fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
void qemu_log_mask(uint32_t items, fmt::format_string<Args...> f, Args &&...args) {
  if (log_enabled(items)) log_write(fmt::format(f, std::forward<Args>(args)...));
}

// Closes the log file (flushing it); logging goes back to stderr.
void log_close();

}  // namespace qemu
