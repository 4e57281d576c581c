// One debugger connection's protocol state and the packets QEMU 7.2's gdbstub answers: queries
// (qSupported, qXfer features/auxv, threads, qC, qAttached, qOffsets, qThreadExtraInfo), registers
// (g/G, p/P), memory (m/M), breakpoints (Z/z), thread selection (H, T), resumption (c/C/s/S,
// vCont), k/vKill and D. Bytes in through feed(), bytes out through the writer; no sockets here.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gdbstub/packet.h"
#include "gdbstub/target.h"

namespace qemu::gdbstub {

class Session {
 public:
  using Writer = std::function<void(std::string_view bytes)>;
  Session(Target &t, Writer w) : target_(t), write_(std::move(w)) {}

  enum class Outcome {
    none,    // all input consumed, still stopped
    resume,  // c/C/s/S/vCont: resume() says how
    detach,  // D: breakpoints are gone, everything runs freely
    kill,    // k or vKill: the caller reports exit 0 (report_exit) and ends the process
  };
  // Handles received bytes up to the first one that ends the stop; *used says how many were
  // taken (the rest belongs to the running state).
  Outcome feed(std::string_view bytes, size_t *used);
  const Resume &resume() const { return resume_; }
  // 0x03 bytes seen since the last call (an interrupt request).
  bool take_interrupt() {
    const bool i = interrupt_;
    interrupt_ = false;
    return i;
  }

  // The target stopped in thread tid with gdb signal sig: the stop reply.
  void report_stop(int64_t tid, int gdb_sig);
  // Stopped without telling gdb (the first stop, before gdb asked anything).
  void set_stopped(int64_t tid) { cur_tid_ = g_tid_ = c_tid_ = tid; }
  void report_exit(int code);          // W
  void report_signalled(int gdb_sig);  // X
  // Breakpoints gdb inserted (removed on detach).
  const std::vector<std::pair<int, uint64_t>> &breakpoints() const { return bps_; }

 private:
  void handle(std::string_view p);
  void reply(std::string_view payload);
  std::string thread_id(int64_t tid) const;
  // A thread-id field: p<pid>.<tid>, <tid>, -1 (all) or 0 (any); false when malformed.
  bool parse_thread(std::string_view s, int64_t *tid) const;
  // The live thread for a parsed id (0: the first one); -1 when there is none.
  int64_t find_thread(int64_t tid);
  void handle_query(std::string_view p);
  void handle_v(std::string_view p);
  void handle_memory(std::string_view p);
  void handle_breakpoint(std::string_view p);
  void handle_xfer(std::string_view p);
  bool parse_vcont(std::string_view p);

  Target &target_;
  Writer write_;
  PacketReader reader_;
  std::string last_;  // the last packet sent (resent after a '-')
  Outcome outcome_ = Outcome::none;
  Resume resume_;
  bool interrupt_ = false;
  bool multiprocess_ = false;
  bool has_xml_ = false;  // gdb read the target description: p/P are answered
  int64_t cur_tid_ = 0;   // the thread that stopped
  int64_t g_tid_ = 0;     // Hg
  int64_t c_tid_ = 0;     // Hc
  std::vector<int64_t> thread_list_;
  size_t thread_next_ = 0;
  std::vector<std::pair<int, uint64_t>> bps_;
};

}  // namespace qemu::gdbstub
