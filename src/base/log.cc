#include "base/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>

namespace qemu {

uint32_t g_log_mask = 0;

namespace {

struct LogItemInfo {
  uint32_t mask;
  const char *name;
  const char *help;
};

const LogItemInfo kItems[] = {
    {kLogOutAsm, "out_asm", "show generated host assembly code for each compiled TB"},
    {kLogInAsm, "in_asm", "show target assembly code for each compiled TB"},
    {kLogOp, "op", "show micro ops for each compiled TB"},
    {kLogOpOpt, "op_opt", "show micro ops after optimization"},
    {kLogOpInd, "op_ind", "show micro ops before indirect lowering"},
    {kLogInt, "int", "show interrupts/exceptions in short format"},
    {kLogExec, "exec", "show trace before each executed TB (lots of logs)"},
    {kLogCpu, "cpu", "show CPU registers before entering a TB (lots of logs)"},
    {kLogFpu, "fpu", "include FPU registers in the 'cpu' logging"},
    {kLogMmu, "mmu", "log MMU-related activities"},
    {kLogPcall, "pcall", "x86 only: show protected mode far calls/returns/exceptions"},
    {kLogCpuReset, "cpu_reset", "show CPU state before CPU resets"},
    {kLogUnimp, "unimp", "log unimplemented functionality"},
    {kLogGuestErrors, "guest_errors",
     "log when the guest OS does something invalid (eg accessing a\nnon-existent register)"},
    {kLogPage, "page", "dump pages at beginning of user mode emulation"},
    {kLogNochain, "nochain",
     "do not chain compiled TBs so that \"exec\" and \"cpu\" show\ncomplete traces"},
    {kLogPlugin, "plugin", "output from TCG plugins\n"},
    {kLogStrace, "strace", "log every user-mode syscall, its input, and its result"},
    {kLogTid, "tid", "open a separate log file per thread; filename must contain '%d'"},
};

std::mutex g_mutex;
FILE *g_file = nullptr;  // null: stderr
bool g_timestamps = false;

FILE *current() {
  return g_file ? g_file : stderr;
}

}  // namespace

bool parse_log_items(std::string_view items, uint32_t *mask) {
  uint32_t m = 0;
  size_t pos = 0;
  for (;;) {
    size_t comma = items.find(',', pos);
    std::string_view item =
        items.substr(pos, comma == std::string_view::npos ? items.npos : comma - pos);
    if (item == "all") {
      for (const auto &i : kItems) m |= i.mask;
    } else if (item.substr(0, 6) == "trace:") {
      // Trace events: none are defined yet; accepted so scripts using them keep working.
    } else {
      const LogItemInfo *found = nullptr;
      for (const auto &i : kItems)
        if (item == i.name) found = &i;
      if (!found) return false;
      m |= found->mask;
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  *mask = m;
  return true;
}

void print_log_usage(FILE *out) {
  fprintf(out, "Log items (comma separated):\n");
  for (const auto &i : kItems) fprintf(out, "%-15s %s\n", i.name, i.help);
  fprintf(out, "trace:PATTERN   enable trace events\n");
  fprintf(out, "\nUse \"-d trace:help\" to get a list of trace events.\n\n");
}

bool log_configure(uint32_t mask, std::string_view filename, Error *err) {
  std::string name(filename);
  size_t pct = name.find("%d");
  if ((mask & kLogTid) && pct == std::string::npos) {
    *err = Error::make("Filename template with '%d' required for 'tid'");
    return false;
  }
  if (pct != std::string::npos) {
    if (name.find('%', pct + 1) != std::string::npos) {
      *err = Error::make("Bad logfile template: {}", name);
      return false;
    }
    name.replace(pct, 2, std::to_string(getpid()));
  }
  std::lock_guard<std::mutex> lock(g_mutex);
  // The file is opened only when something is logged to it.
  if (!name.empty() && mask) {
    FILE *f = fopen(name.c_str(), "w");
    if (!f) {
      *err = Error::make("Error opening logfile {}: {}", name, strerror(errno));
      return false;
    }
    setvbuf(f, nullptr, _IOLBF, 0);
    if (g_file) fclose(g_file);
    g_file = f;
  }
  g_log_mask = mask;
  return true;
}

void log_set_timestamps(bool on) {
  g_timestamps = on;
}

LogLock::LogLock() : file_(current()) {
  flockfile(file_);
}
LogLock::~LogLock() {
  funlockfile(file_);
}

void log_write(std::string_view text) {
  FILE *f = current();
  flockfile(f);
  if (g_timestamps) {
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char buf[40];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(f, "%s.%06ldZ ", buf, static_cast<long>(tv.tv_usec));
  }
  fwrite(text.data(), 1, text.size(), f);
  funlockfile(f);
}

void log_close() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_file) {
    fclose(g_file);
    g_file = nullptr;
  }
}

}  // namespace qemu
