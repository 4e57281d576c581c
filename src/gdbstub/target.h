// What the protocol layer needs from the thing being debugged: threads, registers by gdb number,
// memory, the target description and breakpoints. User mode implements it over its guest
// threads; system mode will implement it over its vCPUs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qemu::gdbstub {

// Z/z packet types.
enum BreakpointType : int {
  kBpSoftware = 0,
  kBpHardware = 1,
  kWatchWrite = 2,
  kWatchRead = 3,
  kWatchAccess = 4,
};

class Target {
 public:
  virtual ~Target() = default;

  // The process id in thread ids (p<pid>.<tid>) and the live threads' ids (> 0), oldest first.
  virtual uint32_t pid() const { return 1; }
  virtual std::vector<int64_t> threads() = 0;
  // qThreadExtraInfo's text, e.g. "CPU#0 [running]"; false when there is no such thread.
  virtual bool thread_info(int64_t tid, std::string *text) = 0;

  // Registers in gdb's numbering (the order of the target description). read_register appends
  // the register's bytes (target byte order) to out and returns its size, 0 when there is no
  // such register. write_register returns the register's size (0: none); the value is in data.
  virtual int num_registers() const = 0;
  virtual int read_register(int64_t tid, int n, std::string *out) = 0;
  virtual int write_register(int64_t tid, int n, std::string_view data) = 0;

  // Guest memory as the program sees it; false when any byte is not accessible so.
  virtual bool read_memory(uint64_t addr, void *buf, size_t len) = 0;
  virtual bool write_memory(uint64_t addr, const void *buf, size_t len) = 0;

  // qXfer:features:read: the named description document, null when there is none.
  virtual const char *target_xml(std::string_view annex) const = 0;
  // qXfer:auxv:read: the auxiliary vector; false when not offered.
  virtual bool auxv(std::string *out) {
    (void)out;
    return false;
  }
  // qOffsets reply text, empty when not offered.
  virtual std::string offsets() { return {}; }

  // Z/z: 0 done, -ENOSYS type not supported (empty reply), other negative: an error (E22).
  virtual int insert_breakpoint(int type, uint64_t addr, uint64_t len) = 0;
  virtual int remove_breakpoint(int type, uint64_t addr, uint64_t len) = 0;
};

// How the debugger asked the stopped threads to go on.
struct Resume {
  struct Action {
    int64_t tid = -1;  // -1: every thread without an action of its own
    char kind = 'c';   // 'c' continue, 's' single-step
    int signal = 0;    // gdb signal number to deliver (C/S), 0 none
  };
  std::vector<Action> actions;
  bool set_pc = false;  // c ADDR / s ADDR
  uint64_t pc = 0;

  // The action for tid (the first matching one, as vCont says).
  Action action_for(int64_t tid) const {
    for (const Action &a : actions) {
      if (a.tid == tid || a.tid == -1) return a;
    }
    return {tid, 'c', 0};
  }
};

}  // namespace qemu::gdbstub
