#include "gdbstub/packet.h"

namespace qemu::gdbstub {

uint8_t checksum(std::string_view payload) {
  uint8_t s = 0;
  for (char c : payload) s = static_cast<uint8_t>(s + static_cast<uint8_t>(c));
  return s;
}

static const char kHex[] = "0123456789abcdef";

std::string frame(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + 4);
  out += '$';
  out += payload;
  out += '#';
  const uint8_t s = checksum(payload);
  out += kHex[s >> 4];
  out += kHex[s & 15];
  return out;
}

std::string escape_binary(std::string_view data) {
  std::string out;
  out.reserve(data.size());
  for (char c : data) {
    if (c == '#' || c == '$' || c == '}' || c == '*') {
      out += '}';
      out += static_cast<char>(c ^ 0x20);
    } else {
      out += c;
    }
  }
  return out;
}

std::string to_hex(const void *data, size_t len) {
  const auto *p = static_cast<const uint8_t *>(data);
  std::string out(len * 2, '0');
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = kHex[p[i] >> 4];
    out[2 * i + 1] = kHex[p[i] & 15];
  }
  return out;
}

std::string to_hex(std::string_view s) {
  return to_hex(s.data(), s.size());
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool from_hex(std::string_view hex, std::string *out) {
  if (hex.size() % 2) return false;
  out->clear();
  out->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    *out += static_cast<char>(hi << 4 | lo);
  }
  return true;
}

PacketReader::Event PacketReader::feed(char c) {
  switch (state_) {
    case State::idle:
      if (c == '$') {
        state_ = State::body;
        payload_.clear();
        sum_ = 0;
        overflow_ = false;
        return Event::none;
      }
      if (c == 0x03) return Event::interrupt;
      if (c == '+') return Event::ack;
      if (c == '-') return Event::nak;
      return Event::none;  // noise between packets
    case State::body:
      if (c == '#') {
        state_ = State::csum1;
        return Event::none;
      }
      sum_ = static_cast<uint8_t>(sum_ + static_cast<uint8_t>(c));
      if (c == '}') {
        state_ = State::escape;
      } else if (c == '*' && !payload_.empty()) {
        state_ = State::rle;
      } else {
        payload_ += c;
      }
      break;
    case State::escape:
      sum_ = static_cast<uint8_t>(sum_ + static_cast<uint8_t>(c));
      payload_ += static_cast<char>(c ^ 0x20);
      state_ = State::body;
      break;
    case State::rle: {
      sum_ = static_cast<uint8_t>(sum_ + static_cast<uint8_t>(c));
      // The count is the byte minus 29: that many more copies of the previous character.
      const int n = static_cast<uint8_t>(c) - 29;
      if (n > 0 && payload_.size() + n <= kMaxPacket) payload_.append(n, payload_.back());
      if (n <= 0 || payload_.size() + n > kMaxPacket) overflow_ = true;
      state_ = State::body;
      break;
    }
    case State::csum1: {
      const int d = hex_digit(c);
      received_ = static_cast<uint8_t>(d < 0 ? 0 : d);
      if (d < 0) overflow_ = true;  // a bad digit fails the check
      state_ = State::csum2;
      return Event::none;
    }
    case State::csum2: {
      state_ = State::idle;
      const int d = hex_digit(c);
      const bool good = d >= 0 && static_cast<uint8_t>(received_ << 4 | d) == sum_;
      return good && !overflow_ ? Event::packet : Event::bad_packet;
    }
  }
  if (payload_.size() > kMaxPacket) {
    overflow_ = true;
    payload_.clear();
  }
  return Event::none;
}

}  // namespace qemu::gdbstub
