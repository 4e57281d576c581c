#include "gdbstub/session.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "gdbstub/signals.h"

namespace qemu::gdbstub {

namespace {

// A whole hex number (at most 16 digits); false when s is empty or holds anything else.
bool parse_hex(std::string_view s, uint64_t *v) {
  if (s.empty() || s.size() > 16) return false;
  uint64_t r = 0;
  for (char c : s) {
    const int d = hex_digit(c);
    if (d < 0) return false;
    r = r << 4 | static_cast<uint64_t>(d);
  }
  *v = r;
  return true;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Splits s at the first sep: head and tail (tail empty and *found false when there is none).
std::string_view split(std::string_view s, char sep, std::string_view *tail, bool *found) {
  const size_t i = s.find(sep);
  *found = i != std::string_view::npos;
  if (!*found) {
    *tail = {};
    return s;
  }
  *tail = s.substr(i + 1);
  return s.substr(0, i);
}

std::string fmt_hex(uint64_t v, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llx", width, static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Session::Outcome Session::feed(std::string_view bytes, size_t *used) {
  outcome_ = Outcome::none;
  size_t i = 0;
  while (i < bytes.size() && outcome_ == Outcome::none) {
    const char c = bytes[i++];
    switch (reader_.feed(c)) {
      case PacketReader::Event::none:
        break;
      case PacketReader::Event::ack:
        last_.clear();  // acknowledged: a later '-' has nothing to resend
        break;
      case PacketReader::Event::nak:
        if (!last_.empty()) write_(last_);
        break;
      case PacketReader::Event::interrupt:
        interrupt_ = true;
        break;
      case PacketReader::Event::bad_packet:
        write_("-");
        break;
      case PacketReader::Event::packet:
        write_("+");
        handle(reader_.payload());
        break;
    }
  }
  *used = i;
  return outcome_;
}

void Session::reply(std::string_view payload) {
  last_ = frame(payload);
  write_(last_);
}

std::string Session::thread_id(int64_t tid) const {
  if (multiprocess_) return "p" + fmt_hex(target_.pid(), 2) + "." + fmt_hex(tid, 1);
  return fmt_hex(tid, 1);
}

bool Session::parse_thread(std::string_view s, int64_t *tid) const {
  if (s.empty()) return false;
  if (s[0] == 'p') {
    std::string_view t;
    bool dot;
    std::string_view pid = split(s.substr(1), '.', &t, &dot);
    uint64_t v;
    if (pid != "-1" && (!parse_hex(pid, &v))) return false;
    if (!dot) {
      *tid = -1;  // p<pid>: all threads of the process
      return true;
    }
    s = t;
  }
  if (s == "-1") {
    *tid = -1;
    return true;
  }
  uint64_t v;
  if (!parse_hex(s, &v)) return false;
  *tid = static_cast<int64_t>(v);
  return true;
}

int64_t Session::find_thread(int64_t tid) {
  std::vector<int64_t> all = target_.threads();
  if (all.empty()) return -1;
  if (tid == 0) return all[0];
  return std::find(all.begin(), all.end(), tid) != all.end() ? tid : -1;
}

void Session::report_stop(int64_t tid, int gdb_sig) {
  cur_tid_ = g_tid_ = c_tid_ = tid;
  reply("T" + fmt_hex(static_cast<uint64_t>(gdb_sig), 2) + "thread:" + thread_id(tid) + ";");
}

void Session::report_exit(int code) {
  reply("W" + fmt_hex(static_cast<uint8_t>(code), 2));
}

void Session::report_signalled(int gdb_sig) {
  reply("X" + fmt_hex(static_cast<uint64_t>(gdb_sig), 2));
}

void Session::handle(std::string_view p) {
  if (p.empty()) {
    reply("");
    return;
  }
  const std::string_view rest = p.substr(1);
  switch (p[0]) {
    case '?':
      reply("T05thread:" + thread_id(cur_tid_) + ";");
      return;
    case 'q':
    case 'Q':
      handle_query(p);
      return;
    case 'v':
      handle_v(p);
      return;
    case 'H': {
      int64_t tid;
      if (rest.empty() || !parse_thread(rest.substr(1), &tid)) {
        reply("E22");
        return;
      }
      if (tid == -1) {
        reply("OK");
        return;
      }
      const int64_t t = find_thread(tid);
      if (t < 0 || (rest[0] != 'g' && rest[0] != 'c')) {
        reply("E22");
        return;
      }
      (rest[0] == 'g' ? g_tid_ : c_tid_) = t;
      reply("OK");
      return;
    }
    case 'T': {
      int64_t tid;
      if (!parse_thread(rest, &tid)) {
        reply("E22");
        return;
      }
      reply(tid > 0 && find_thread(tid) == tid ? "OK" : "E22");
      return;
    }
    case 'g': {
      std::string regs;
      for (int n = 0; n < target_.num_registers(); n++) target_.read_register(g_tid_, n, &regs);
      reply(to_hex(regs));
      return;
    }
    case 'G': {
      std::string data;
      if (!from_hex(rest, &data)) {
        reply("E22");
        return;
      }
      std::string_view d = data;
      for (int n = 0; n < target_.num_registers() && !d.empty(); n++) {
        std::string cur;
        const int size = target_.read_register(g_tid_, n, &cur);
        if (size <= 0 || static_cast<size_t>(size) > d.size()) break;
        target_.write_register(g_tid_, n, d.substr(0, size));
        d.remove_prefix(size);
      }
      reply("OK");
      return;
    }
    case 'p': {
      uint64_t n;
      if (!parse_hex(rest, &n)) {
        reply("");
        return;
      }
      if (!has_xml_) {  // QEMU 7.2 answers p only once gdb has read the description
        reply("");
        return;
      }
      std::string v;
      if (n > 0xffff || target_.read_register(g_tid_, static_cast<int>(n), &v) <= 0) {
        reply("E14");
        return;
      }
      reply(to_hex(v));
      return;
    }
    case 'P': {
      std::string_view val;
      bool eq;
      std::string_view num = split(rest, '=', &val, &eq);
      uint64_t n;
      std::string data;
      if (!eq || !parse_hex(num, &n) || !from_hex(val, &data)) {
        reply("");
        return;
      }
      if (!has_xml_) {
        reply("");
        return;
      }
      if (n <= 0xffff) {
        std::string cur;
        const int size = target_.read_register(g_tid_, static_cast<int>(n), &cur);
        if (size > 0) {
          // A short value changes the low bytes only.
          data.resize(std::min<size_t>(data.size(), size));
          cur.replace(0, data.size(), data);
          target_.write_register(g_tid_, static_cast<int>(n), cur);
        }
      }
      reply("OK");
      return;
    }
    case 'm':
    case 'M':
      handle_memory(p);
      return;
    case 'Z':
    case 'z':
      handle_breakpoint(p);
      return;
    case 'c':
    case 's':
    case 'C':
    case 'S': {
      Resume r;
      Resume::Action a;
      a.kind = static_cast<char>(p[0] | 0x20);
      std::string_view addr = rest;
      if (p[0] == 'C' || p[0] == 'S') {
        std::string_view tail;
        bool semi;
        std::string_view sig = split(rest, ';', &tail, &semi);
        uint64_t s;
        if (!parse_hex(sig, &s)) {
          reply("");
          return;
        }
        a.signal = static_cast<int>(std::min<uint64_t>(s, 0xff));
        addr = tail;
      }
      if (!addr.empty()) {
        if (!parse_hex(addr, &r.pc)) {
          reply("");
          return;
        }
        r.set_pc = true;
      }
      // The action is the current thread's; the others continue.
      a.tid = c_tid_ > 0 ? c_tid_ : cur_tid_;
      r.actions.push_back(a);
      r.actions.push_back({-1, 'c', 0});
      resume_ = r;
      outcome_ = Outcome::resume;
      return;
    }
    case 'k':
      outcome_ = Outcome::kill;
      return;
    case 'D':
      for (const auto &[type, addr] : bps_) target_.remove_breakpoint(type, addr, 1);
      bps_.clear();
      reply("OK");
      outcome_ = Outcome::detach;
      return;
    default:
      reply("");
      return;
  }
}

void Session::handle_query(std::string_view p) {
  if (starts_with(p, "qSupported")) {
    if (p.find("multiprocess+") != std::string_view::npos) multiprocess_ = true;
    std::string r = "PacketSize=" + fmt_hex(kMaxPacket, 1) + ";qXfer:features:read+";
    std::string auxv;
    if (target_.auxv(&auxv)) r += ";qXfer:auxv:read+";
    r += ";vContSupported+";
    if (multiprocess_) r += ";multiprocess+";
    reply(r);
  } else if (p == "qC") {
    reply("QC" + thread_id(cur_tid_));
  } else if (starts_with(p, "qAttached")) {
    reply("0");
  } else if (p == "qOffsets") {
    reply(target_.offsets());
  } else if (p == "qfThreadInfo" || p == "qsThreadInfo") {
    if (p == "qfThreadInfo") {
      thread_list_ = target_.threads();
      thread_next_ = 0;
    }
    if (thread_next_ < thread_list_.size()) {
      reply("m" + thread_id(thread_list_[thread_next_++]));
    } else {
      reply("l");
    }
  } else if (starts_with(p, "qThreadExtraInfo,")) {
    int64_t tid;
    std::string text;
    if (!parse_thread(p.substr(17), &tid) || tid <= 0 || !target_.thread_info(tid, &text)) {
      // (QEMU 7.2 sends nothing for an unknown thread, which leaves gdb waiting.)
      reply("E22");
      return;
    }
    reply(to_hex(text));
  } else if (starts_with(p, "qXfer:")) {
    handle_xfer(p);
  } else {
    reply("");
  }
}

void Session::handle_xfer(std::string_view p) {
  // qXfer:OBJECT:read:ANNEX:OFFSET,LENGTH
  std::string_view object, annex, range;
  std::string_view rest = p.substr(6), tail;
  bool found;
  object = split(rest, ':', &tail, &found);
  if (!found || (object != "features" && object != "auxv")) {
    reply("");
    return;
  }
  std::string_view op = split(tail, ':', &rest, &found);
  if (!found || op != "read") {
    reply("");
    return;
  }
  annex = split(rest, ':', &range, &found);
  std::string_view len_s;
  bool comma;
  std::string_view off_s = split(range, ',', &len_s, &comma);
  uint64_t off, len;
  if (!found || !comma || !parse_hex(off_s, &off) || !parse_hex(len_s, &len)) {
    reply("E22");
    return;
  }
  std::string doc;
  if (object == "features") {
    const char *xml = target_.target_xml(annex);
    if (!xml) {
      reply("E00");
      return;
    }
    has_xml_ = true;
    doc = xml;
  } else if (!annex.empty() || !target_.auxv(&doc)) {
    reply("E00");
    return;
  }
  if (off > doc.size()) {
    reply("E00");
    return;
  }
  len = std::min<uint64_t>(len, (kMaxPacket - 5) / 2);
  const std::string_view chunk = std::string_view(doc).substr(off, len);
  const bool last = off + chunk.size() >= doc.size();
  reply((last ? "l" : "m") + escape_binary(chunk));
}

bool Session::parse_vcont(std::string_view p) {
  Resume r;
  std::string_view rest = p, tail;
  bool more = true;
  while (more) {
    std::string_view item = split(rest, ';', &tail, &more);
    rest = tail;
    if (item.empty()) return false;
    Resume::Action a;
    std::string_view thread;
    bool colon;
    std::string_view act = split(item, ':', &thread, &colon);
    a.kind = act[0];
    if (a.kind == 'C' || a.kind == 'S') {
      uint64_t s;
      if (!parse_hex(act.substr(1), &s)) return false;
      a.signal = static_cast<int>(std::min<uint64_t>(s, 0xff));
      a.kind = static_cast<char>(a.kind | 0x20);
    } else if ((a.kind != 'c' && a.kind != 's') || act.size() != 1) {
      return false;
    }
    a.tid = -1;
    if (colon && !parse_thread(thread, &a.tid)) return false;
    r.actions.push_back(a);
  }
  resume_ = r;
  return true;
}

void Session::handle_v(std::string_view p) {
  if (p == "vCont?") {
    reply("vCont;c;C;s;S");
  } else if (starts_with(p, "vCont;")) {
    if (!parse_vcont(p.substr(6))) {
      reply("E22");
      return;
    }
    outcome_ = Outcome::resume;
  } else if (starts_with(p, "vKill")) {
    reply("OK");
    outcome_ = Outcome::kill;
  } else {
    reply("");
  }
}

void Session::handle_memory(std::string_view p) {
  const bool write = p[0] == 'M';
  std::string_view rest = p.substr(1), len_s, data_s;
  bool comma, colon = false;
  std::string_view addr_s = split(rest, ',', &len_s, &comma);
  if (write) len_s = split(len_s, ':', &data_s, &colon);
  uint64_t addr, len;
  if (!parse_hex(addr_s, &addr) || (comma && !parse_hex(len_s, &len))) {
    reply("");
    return;
  }
  if (!comma || (write && !colon)) {
    reply("E22");
    return;
  }
  if (len > kMaxPacket / 2) {
    reply("E22");
    return;
  }
  if (!write) {
    std::string buf(len, '\0');
    if (len && !target_.read_memory(addr, buf.data(), len)) {
      reply("E14");
      return;
    }
    reply(to_hex(buf));
    return;
  }
  std::string data;
  if (!from_hex(data_s, &data) || data.size() != len) {
    reply("E22");
    return;
  }
  if (len && !target_.write_memory(addr, data.data(), len)) {
    reply("E14");
    return;
  }
  reply("OK");
}

void Session::handle_breakpoint(std::string_view p) {
  const bool insert = p[0] == 'Z';
  std::string_view rest = p.substr(1), a, b;
  bool c1, c2;
  std::string_view type_s = split(rest, ',', &a, &c1);
  std::string_view addr_s = split(a, ',', &b, &c2);
  std::string_view kind_s = split(b, ';', &a, &c1);  // conditions after ';' are ignored
  uint64_t type, addr, kind;
  if (!parse_hex(type_s, &type) ||
      (c2 && (!parse_hex(addr_s, &addr) || !parse_hex(kind_s, &kind)))) {
    reply("");
    return;
  }
  if (!c2) {
    reply("E22");
    return;
  }
  const int t = static_cast<int>(std::min<uint64_t>(type, 0xff));
  const int r =
      insert ? target_.insert_breakpoint(t, addr, kind) : target_.remove_breakpoint(t, addr, kind);
  if (r == -ENOSYS) {
    reply("");
    return;
  }
  if (r < 0) {
    reply("E22");
    return;
  }
  if (insert) {
    bps_.push_back({t, addr});
  } else {
    auto it = std::find(bps_.begin(), bps_.end(), std::pair<int, uint64_t>{t, addr});
    if (it != bps_.end()) bps_.erase(it);
  }
  reply("OK");
}

}  // namespace qemu::gdbstub
