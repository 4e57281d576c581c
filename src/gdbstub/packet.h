// The GDB remote serial protocol's framing: `$payload#cs` packets with a modulo-256 checksum,
// `}`-escaping and `*` run-length encoding in received packets, acknowledgements (+/-) and the
// out-of-band interrupt byte 0x03. Independent of the target and of the transport.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace qemu::gdbstub {

// The largest packet we accept and announce (qSupported PacketSize, in hex there).
inline constexpr size_t kMaxPacket = 4096;

uint8_t checksum(std::string_view payload);
// `$payload#cs`: payload sent as is (the caller escapes binary data with escape_binary).
std::string frame(std::string_view payload);
// Binary data in a packet: `#`, `$`, `}` and `*` become `}` and the byte xor 0x20.
std::string escape_binary(std::string_view data);

// Hex helpers (lower case, as gdb and QEMU write them).
std::string to_hex(const void *data, size_t len);
std::string to_hex(std::string_view s);
int hex_digit(char c);  // -1 when c is not a hex digit
// Decodes pairs of hex digits; false on an odd length or a bad digit.
bool from_hex(std::string_view hex, std::string *out);

// Splits the incoming byte stream into events.
class PacketReader {
 public:
  enum class Event {
    none,        // the byte was consumed, nothing complete yet
    packet,      // a packet with a good checksum: payload() (escapes and run lengths undone)
    bad_packet,  // a packet with a bad checksum or too long: answer '-'
    interrupt,   // 0x03 outside a packet
    ack,         // '+' outside a packet
    nak,         // '-' outside a packet: resend the last packet
  };

  Event feed(char c);
  const std::string &payload() const { return payload_; }

 private:
  enum class State { idle, body, escape, rle, csum1, csum2 };
  State state_ = State::idle;
  std::string payload_;
  uint8_t sum_ = 0;       // of the raw bytes between $ and #
  uint8_t received_ = 0;  // the checksum's first digit
  bool overflow_ = false;
};

}  // namespace qemu::gdbstub
