// The AES-NI, PCLMULQDQ and SHA part of the instruction table (included by defs.cc).
#pragma once

#include "target/x86/crypto.h"
#include "target/x86/decode.h"
#include "target/x86/translator.h"

namespace qemu::x86::crypto_defs {

template <typename Table>
constexpr void add(Table &t) {
  using O = Opnd;
  struct E {
    uint8_t map, opc, pfx;
    uint16_t op;
    const char *name;
    bool imm;
  };
  constexpr E kDefs[] = {
      {kMap0F38, 0xdc, kPfx66, kAesenc, "aesenc", false},
      {kMap0F38, 0xdd, kPfx66, kAesenclast, "aesenclast", false},
      {kMap0F38, 0xde, kPfx66, kAesdec, "aesdec", false},
      {kMap0F38, 0xdf, kPfx66, kAesdeclast, "aesdeclast", false},
      {kMap0F38, 0xdb, kPfx66, kAesimc, "aesimc", false},
      {kMap0F3A, 0xdf, kPfx66, kAeskeygenassist, "aeskeygenassist", true},
      {kMap0F3A, 0x44, kPfx66, kPclmulqdq, "pclmulqdq", true},
      {kMap0F3A, 0xcc, kPfxNone, kSha1rnds4, "sha1rnds4", true},
      {kMap0F38, 0xc8, kPfxNone, kSha1nexte, "sha1nexte", false},
      {kMap0F38, 0xc9, kPfxNone, kSha1msg1, "sha1msg1", false},
      {kMap0F38, 0xca, kPfxNone, kSha1msg2, "sha1msg2", false},
      {kMap0F38, 0xcb, kPfxNone, kSha256rnds2, "sha256rnds2", false},
      {kMap0F38, 0xcc, kPfxNone, kSha256msg1, "sha256msg1", false},
      {kMap0F38, 0xcd, kPfxNone, kSha256msg2, "sha256msg2", false},
  };
  for (const E &e : kDefs) {
    t.add(op(e.map, e.opc, e.name, tr_crypto, e.op, O::V, O::W, e.imm ? O::Ib : O::none, kSse)
              .p(e.pfx));
  }
  // The VEX forms of AES (128 and 256 bits) and PCLMULQDQ (128): V = op(H, W); aesimc and
  // aeskeygenassist have no H (VEX.vvvv must be 1111) and no 256-bit form.
  struct V {
    uint8_t map, opc;
    uint16_t op;
    const char *name;
    bool two;  // no H
    uint32_t flags;
  };
  constexpr V kVex[] = {
      {kMapVex0F38, 0xdc, kAesenc, "vaesenc", false, 0},
      {kMapVex0F38, 0xdd, kAesenclast, "vaesenclast", false, 0},
      {kMapVex0F38, 0xde, kAesdec, "vaesdec", false, 0},
      {kMapVex0F38, 0xdf, kAesdeclast, "vaesdeclast", false, 0},
      {kMapVex0F38, 0xdb, kAesimc, "vaesimc", true, kVexL0},
      {kMapVex0F3A, 0xdf, kAeskeygenassist, "vaeskeygenassist", true, kVexL0},
      {kMapVex0F3A, 0x44, kPclmulqdq, "vpclmulqdq", false, kVexL0 | kVexImm},
  };
  for (const V &e : kVex) {
    const O third = e.two ? (e.op == kAeskeygenassist ? O::Ib : O::none) : O::W;
    t.add(op(e.map, e.opc, e.name, tr_vcrypto, e.op, O::V, e.two ? O::W : O::H, third,
             kAvx | kNoTest | kSse | e.flags)
              .p(kPfx66));
  }
}

}  // namespace qemu::x86::crypto_defs
