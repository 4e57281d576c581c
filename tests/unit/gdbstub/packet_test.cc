// The remote protocol's framing: checksums, escapes, run lengths, acks and bad input.
#include "gdbstub/packet.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qemu::gdbstub {
namespace {

using Event = PacketReader::Event;

// Feeds s; returns the events other than none, and the payloads of good packets.
std::vector<Event> feed(PacketReader &r, std::string_view s, std::vector<std::string> *payloads) {
  std::vector<Event> ev;
  for (char c : s) {
    const Event e = r.feed(c);
    if (e == Event::none) continue;
    ev.push_back(e);
    if (e == Event::packet) payloads->push_back(r.payload());
  }
  return ev;
}

TEST(GdbPacket, ChecksumAndFrame) {
  EXPECT_EQ(checksum(""), 0);
  EXPECT_EQ(checksum("g"), 0x67);
  EXPECT_EQ(frame("qSupported"), "$qSupported#37");
  EXPECT_EQ(frame("OK"), "$OK#9a");
  EXPECT_EQ(frame(""), "$#00");
}

TEST(GdbPacket, Hex) {
  EXPECT_EQ(to_hex(std::string_view("\x00\x7f\xff", 3)), "007fff");
  std::string out;
  EXPECT_TRUE(from_hex("48656C6c6f", &out));
  EXPECT_EQ(out, "Hello");
  EXPECT_FALSE(from_hex("123", &out));
  EXPECT_FALSE(from_hex("zz", &out));
  EXPECT_EQ(hex_digit('g'), -1);
}

TEST(GdbPacket, EscapeBinary) {
  EXPECT_EQ(escape_binary("a#b$c}d*e"),
            "a}\x03"
            "b}\x04"
            "c}]d}\x0a"
            "e");
}

TEST(GdbPacket, ReaderGoodPacketsAndAcks) {
  PacketReader r;
  std::vector<std::string> p;
  auto ev = feed(r, "+$g#67-$m0,4#fd", &p);
  EXPECT_EQ(ev, (std::vector<Event>{Event::ack, Event::packet, Event::nak, Event::packet}));
  EXPECT_EQ(p, (std::vector<std::string>{"g", "m0,4"}));
}

TEST(GdbPacket, ReaderBadChecksumAndNoise) {
  PacketReader r;
  std::vector<std::string> p;
  auto ev = feed(r, "garbage\xff$zz#00$?#0g$?#3F", &p);
  EXPECT_EQ(ev, (std::vector<Event>{Event::bad_packet, Event::bad_packet, Event::packet}));
  EXPECT_EQ(p, (std::vector<std::string>{"?"}));
}

TEST(GdbPacket, ReaderEscapesAndRunLength) {
  PacketReader r;
  std::vector<std::string> p;
  // "X}\x03" is "X#"; "0* " is '0' and 3 more copies (' ' = 32 = 29 + 3).
  std::string body =
      "X}\x03"
      "0* ";
  feed(r, frame(body), &p);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0], "X#0000");
}

TEST(GdbPacket, ReaderInterruptOutsidePacket) {
  PacketReader r;
  std::vector<std::string> p;
  auto ev = feed(r, "\x03$c#63", &p);
  EXPECT_EQ(ev, (std::vector<Event>{Event::interrupt, Event::packet}));
}

TEST(GdbPacket, ReaderTooLong) {
  PacketReader r;
  std::vector<std::string> p;
  std::string big(kMaxPacket + 10, 'a');
  auto ev = feed(r, frame(big), &p);
  EXPECT_EQ(ev, (std::vector<Event>{Event::bad_packet}));
  // A run length past the limit too.
  std::string runs = "a";
  for (int i = 0; i < 50; i++) runs += "*~";  // 97 more copies each
  ev = feed(r, frame(runs), &p);
  EXPECT_EQ(ev, (std::vector<Event>{Event::bad_packet}));
  // The reader recovers.
  ev = feed(r, "$g#67", &p);
  EXPECT_EQ(ev, (std::vector<Event>{Event::packet}));
}

}  // namespace
}  // namespace qemu::gdbstub
