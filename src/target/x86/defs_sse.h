// The SSE/SSE2 part of the instruction table (included by defs.cc).
#pragma once

#include "target/x86/decode.h"
#include "target/x86/sse.h"
#include "target/x86/translator.h"

namespace qemu::x86::sse_defs {

using O = Opnd;

// Move kinds of tr_sse_mov.
enum : uint16_t {
  kLoad128,
  kStore128,
  kLoadScalar,
  kStoreScalar,
  kLoadLow,
  kStoreLow,
  kLoadHigh,
  kStoreHigh,
  kMovdToX,
  kMovdFromX,
  kMovqLoad,
  kMovqStore
};

template <typename Table>
constexpr void add(Table &t) {
  auto x = [&](uint8_t opc, uint8_t pfx, const char *name, Handler fn, uint16_t arg, O a, O b,
               O c = O::none, uint32_t flags = 0) {
    t.add(op(kMap0F, opc, name, fn, arg, a, b, c, flags | kSse).p(pfx));
  };
  // Arithmetic with the four forms ps (none), pd (66), ss (F3), sd (F2).
  auto four = [&](uint8_t opc, const char *name, uint16_t ps, uint16_t pd, uint16_t ss,
                  uint16_t sd) {
    x(opc, kPfxNone, name, tr_sse, ps, O::V, O::W);
    x(opc, kPfx66, name, tr_sse, pd, O::V, O::W);
    x(opc, kPfxF3, name, tr_sse, ss, O::V, O::W);
    x(opc, kPfxF2, name, tr_sse, sd, O::V, O::W);
  };
  constexpr uint32_t kAligned = kTestRegOnly;  // m128 alignment faults natively
  x(0x10, kPfxNone, "movups", tr_sse_mov, kLoad128, O::V, O::W);
  x(0x10, kPfx66, "movupd", tr_sse_mov, kLoad128, O::V, O::W);
  x(0x10, kPfxF3, "movss", tr_sse_mov, kLoadScalar, O::V, O::W);
  x(0x10, kPfxF2, "movsd", tr_sse_mov, kLoadScalar, O::V, O::W);
  x(0x11, kPfxNone, "movups", tr_sse_mov, kStore128, O::W, O::V);
  x(0x11, kPfx66, "movupd", tr_sse_mov, kStore128, O::W, O::V);
  x(0x11, kPfxF3, "movss", tr_sse_mov, kStoreScalar, O::W, O::V);
  x(0x11, kPfxF2, "movsd", tr_sse_mov, kStoreScalar, O::W, O::V);
  x(0x12, kPfxNone, "movlps", tr_sse_mov, kLoadLow, O::V, O::W);
  t.add(op(kMap0F, 0x12, "movlpd", tr_sse_mov, kLoadLow, O::V, O::W, O::none, kSse)
            .p(kPfx66)
            .m(kModMem));
  for (uint8_t pfx : {uint8_t{kPfxNone}, uint8_t{kPfx66}}) {
    t.add(op(kMap0F, 0x13, "movlps", tr_sse_mov, kStoreLow, O::W, O::V, O::none, kSse)
              .p(pfx)
              .m(kModMem));
    t.add(op(kMap0F, 0x17, "movhps", tr_sse_mov, kStoreHigh, O::W, O::V, O::none, kSse)
              .p(pfx)
              .m(kModMem));
    t.add(op(kMap0F, 0x2b, "movntps", tr_sse_mov, kStore128, O::W, O::V, O::none, kSse | kNoTest)
              .p(pfx)
              .m(kModMem));
    x(0x28, pfx, "movaps", tr_sse_mov, kLoad128, O::V, O::W, O::none, kAligned);
    x(0x29, pfx, "movaps", tr_sse_mov, kStore128, O::W, O::V, O::none, kAligned);
    x(0x2e, pfx, "ucomis", tr_sse_comis, 0, O::V, O::W);
    x(0x2f, pfx, "comis", tr_sse_comis, 1, O::V, O::W);
  }
  x(0x16, kPfxNone, "movhps", tr_sse_mov, kLoadHigh, O::V, O::W);
  t.add(op(kMap0F, 0x16, "movhpd", tr_sse_mov, kLoadHigh, O::V, O::W, O::none, kSse)
            .p(kPfx66)
            .m(kModMem));
  x(0x14, kPfxNone, "unpcklps", tr_sse, kUnpcklps, O::V, O::W);
  x(0x14, kPfx66, "unpcklpd", tr_sse, kUnpcklpd, O::V, O::W);
  x(0x15, kPfxNone, "unpckhps", tr_sse, kUnpckhps, O::V, O::W);
  x(0x15, kPfx66, "unpckhpd", tr_sse, kUnpckhpd, O::V, O::W);
  x(0x2a, kPfxF3, "cvtsi2ss", tr_sse_cvtsi2f, 0, O::V, O::Ey);
  x(0x2a, kPfxF2, "cvtsi2sd", tr_sse_cvtsi2f, 0, O::V, O::Ey);
  x(0x2c, kPfxF3, "cvttss2si", tr_sse_cvtf2si, 1, O::Gy, O::W);
  x(0x2c, kPfxF2, "cvttsd2si", tr_sse_cvtf2si, 1, O::Gy, O::W);
  x(0x2d, kPfxF3, "cvtss2si", tr_sse_cvtf2si, 0, O::Gy, O::W);
  x(0x2d, kPfxF2, "cvtsd2si", tr_sse_cvtf2si, 0, O::Gy, O::W);
  t.add(op(kMap0F, 0x50, "movmskps", tr_sse_movmsk, 1, O::Gd, O::U, O::none, kSse)
            .p(kPfxNone)
            .m(kModReg));
  t.add(op(kMap0F, 0x50, "movmskpd", tr_sse_movmsk, 2, O::Gd, O::U, O::none, kSse)
            .p(kPfx66)
            .m(kModReg));
  four(0x51, "sqrt", kSqrtps, kSqrtpd, kSqrtss, kSqrtsd);
  x(0x52, kPfxNone, "rsqrtps", tr_sse, kRsqrtps, O::V, O::W);
  x(0x52, kPfxF3, "rsqrtss", tr_sse, kRsqrtss, O::V, O::W);
  x(0x53, kPfxNone, "rcpps", tr_sse, kRcpps, O::V, O::W);
  x(0x53, kPfxF3, "rcpss", tr_sse, kRcpss, O::V, O::W);
  for (uint8_t pfx : {uint8_t{kPfxNone}, uint8_t{kPfx66}}) {
    x(0x54, pfx, "andp", tr_sse, kAndps, O::V, O::W);
    x(0x55, pfx, "andnp", tr_sse, kAndnps, O::V, O::W);
    x(0x56, pfx, "orp", tr_sse, kOrps, O::V, O::W);
    x(0x57, pfx, "xorp", tr_sse, kXorps, O::V, O::W);
  }
  four(0x58, "add", kAddps, kAddpd, kAddss, kAddsd);
  four(0x59, "mul", kMulps, kMulpd, kMulss, kMulsd);
  four(0x5a, "cvt", kCvtps2pd, kCvtpd2ps, kCvtss2sd, kCvtsd2ss);
  four(0x5c, "sub", kSubps, kSubpd, kSubss, kSubsd);
  four(0x5d, "min", kMinps, kMinpd, kMinss, kMinsd);
  four(0x5e, "div", kDivps, kDivpd, kDivss, kDivsd);
  four(0x5f, "max", kMaxps, kMaxpd, kMaxss, kMaxsd);
  x(0x5b, kPfxNone, "cvtdq2ps", tr_sse, kCvtdq2ps, O::V, O::W);
  x(0x5b, kPfx66, "cvtps2dq", tr_sse, kCvtps2dq, O::V, O::W);
  x(0x5b, kPfxF3, "cvttps2dq", tr_sse, kCvttps2dq, O::V, O::W);
  x(0xe6, kPfx66, "cvttpd2dq", tr_sse, kCvttpd2dq, O::V, O::W);
  x(0xe6, kPfxF3, "cvtdq2pd", tr_sse, kCvtdq2pd, O::V, O::W);
  x(0xe6, kPfxF2, "cvtpd2dq", tr_sse, kCvtpd2dq, O::V, O::W);
  four(0xc2, "cmp", kCmpps, kCmppd, kCmpss, kCmpsd);
  for (uint8_t pfx = 0; pfx < 4; pfx++) t.d[t.n - 1 - pfx].o[2] = O::Ib;
  x(0xc6, kPfxNone, "shufps", tr_sse, kShufps, O::V, O::W, O::Ib);
  x(0xc6, kPfx66, "shufpd", tr_sse, kShufpd, O::V, O::W, O::Ib);

  // Packed integer (66).
  constexpr struct {
    uint8_t opc;
    uint16_t op;
    const char *name;
  } kInt[] = {
      {0x60, kPunpcklbw, "punpcklbw"},   {0x61, kPunpcklwd, "punpcklwd"},
      {0x62, kPunpckldq, "punpckldq"},   {0x63, kPacksswb, "packsswb"},
      {0x64, kPcmpgtb, "pcmpgtb"},       {0x65, kPcmpgtw, "pcmpgtw"},
      {0x66, kPcmpgtd, "pcmpgtd"},       {0x67, kPackuswb, "packuswb"},
      {0x68, kPunpckhbw, "punpckhbw"},   {0x69, kPunpckhwd, "punpckhwd"},
      {0x6a, kPunpckhdq, "punpckhdq"},   {0x6b, kPackssdw, "packssdw"},
      {0x6c, kPunpcklqdq, "punpcklqdq"}, {0x6d, kPunpckhqdq, "punpckhqdq"},
      {0x74, kPcmpeqb, "pcmpeqb"},       {0x75, kPcmpeqw, "pcmpeqw"},
      {0x76, kPcmpeqd, "pcmpeqd"},       {0xd1, kPsrlw, "psrlw"},
      {0xd2, kPsrld, "psrld"},           {0xd3, kPsrlq, "psrlq"},
      {0xd4, kPaddq, "paddq"},           {0xd5, kPmullw, "pmullw"},
      {0xd8, kPsubusb, "psubusb"},       {0xd9, kPsubusw, "psubusw"},
      {0xda, kPminub, "pminub"},         {0xdb, kPand, "pand"},
      {0xdc, kPaddusb, "paddusb"},       {0xdd, kPaddusw, "paddusw"},
      {0xde, kPmaxub, "pmaxub"},         {0xdf, kPandn, "pandn"},
      {0xe0, kPavgb, "pavgb"},           {0xe1, kPsraw, "psraw"},
      {0xe2, kPsrad, "psrad"},           {0xe3, kPavgw, "pavgw"},
      {0xe4, kPmulhuw, "pmulhuw"},       {0xe5, kPmulhw, "pmulhw"},
      {0xe8, kPsubsb, "psubsb"},         {0xe9, kPsubsw, "psubsw"},
      {0xea, kPminsw, "pminsw"},         {0xeb, kPor, "por"},
      {0xec, kPaddsb, "paddsb"},         {0xed, kPaddsw, "paddsw"},
      {0xee, kPmaxsw, "pmaxsw"},         {0xef, kPxor, "pxor"},
      {0xf1, kPsllw, "psllw"},           {0xf2, kPslld, "pslld"},
      {0xf3, kPsllq, "psllq"},           {0xf4, kPmuludq, "pmuludq"},
      {0xf5, kPmaddwd, "pmaddwd"},       {0xf6, kPsadbw, "psadbw"},
      {0xf8, kPsubb, "psubb"},           {0xf9, kPsubw, "psubw"},
      {0xfa, kPsubd, "psubd"},           {0xfb, kPsubq, "psubq"},
      {0xfc, kPaddb, "paddb"},           {0xfd, kPaddw, "paddw"},
      {0xfe, kPaddd, "paddd"},
  };
  for (const auto &e : kInt) {
    x(e.opc, kPfx66, e.name, tr_sse, e.op, O::V, O::W);
    if (e.opc != 0x6c && e.opc != 0x6d) {  // MMX forms (no qdq unpacks)
      t.add(op(kMap0F, e.opc, e.name, tr_mmx, e.op, O::P, O::Q, O::none, kSse).p(kPfxNone));
    }
  }
  t.add(op(kMap0F, 0x70, "pshufw", tr_mmx, kPshufw, O::P, O::Q, O::Ib, kSse).p(kPfxNone));
  t.add(op(kMap0F, 0x6e, "movd", tr_mmx_mov, 0, O::P, O::Ey, O::none, kSse).p(kPfxNone));
  t.add(op(kMap0F, 0x7e, "movd", tr_mmx_mov, 1, O::Ey, O::P, O::none, kSse).p(kPfxNone));
  t.add(op(kMap0F, 0x6f, "movq", tr_mmx_mov, 2, O::P, O::Q, O::none, kSse).p(kPfxNone));
  t.add(op(kMap0F, 0x7f, "movq", tr_mmx_mov, 3, O::Q, O::P, O::none, kSse).p(kPfxNone));
  t.add(
      op(kMap0F, 0xe7, "movntq", tr_mmx_mov, 3, O::Q, O::P, O::none, kSse).p(kPfxNone).m(kModMem));
  t.add(op(kMap0F, 0xd6, "movq2dq", tr_mmx_mov, 4, O::V, O::N, O::none, kSse).p(kPfxF3).m(kModReg));
  t.add(op(kMap0F, 0xd6, "movdq2q", tr_mmx_mov, 5, O::P, O::U, O::none, kSse).p(kPfxF2).m(kModReg));
  t.add(op(kMap0F, 0x77, "emms", tr_emms, 0, O::none, O::none, O::none, kSse).p(kPfxNone));
  t.add(op(kMap0F, 0xd7, "pmovmskb", tr_mmx_movmsk, 0, O::Gd, O::N, O::none, kSse)
            .p(kPfxNone)
            .m(kModReg));
  t.add(op(kMap0F, 0xc5, "pextrw", tr_mmx_pextrw, 0, O::Gd, O::N, O::Ib, kSse)
            .p(kPfxNone)
            .m(kModReg));
  t.add(op(kMap0F, 0xc4, "pinsrw", tr_mmx_pinsrw, 0, O::P, O::Ed, O::Ib, kSse).p(kPfxNone));
  x(0x70, kPfx66, "pshufd", tr_sse, kPshufd, O::V, O::W, O::Ib);
  x(0x70, kPfxF3, "pshufhw", tr_sse, kPshufhw, O::V, O::W, O::Ib);
  x(0x70, kPfxF2, "pshuflw", tr_sse, kPshuflw, O::V, O::W, O::Ib);
  constexpr struct {
    uint8_t opc;
    int8_t reg;
    uint16_t op;
    const char *name;
  } kShiftImm[] = {
      {0x71, 2, kPsrlwI, "psrlw"},  {0x71, 4, kPsrawI, "psraw"},  {0x71, 6, kPsllwI, "psllw"},
      {0x72, 2, kPsrldI, "psrld"},  {0x72, 4, kPsradI, "psrad"},  {0x72, 6, kPslldI, "pslld"},
      {0x73, 2, kPsrlqI, "psrlq"},  {0x73, 3, kPsrldq, "psrldq"}, {0x73, 6, kPsllqI, "psllq"},
      {0x73, 7, kPslldq, "pslldq"},
  };
  for (const auto &e : kShiftImm) {
    if (e.op != kPsrldq && e.op != kPslldq) {
      t.add(op(kMap0F, e.opc, e.name, tr_mmx, e.op, O::N, O::Ib, O::none, kSse)
                .p(kPfxNone)
                .r(e.reg)
                .m(kModReg));
    }
    t.add(op(kMap0F, e.opc, e.name, tr_sse, e.op, O::U, O::Ib, O::none, kSse)
              .p(kPfx66)
              .r(e.reg)
              .m(kModReg));
  }
  x(0x6e, kPfx66, "movd", tr_sse_mov, kMovdToX, O::V, O::Ey);
  x(0x7e, kPfx66, "movd", tr_sse_mov, kMovdFromX, O::Ey, O::V);
  x(0x7e, kPfxF3, "movq", tr_sse_mov, kMovqLoad, O::V, O::W);
  x(0xd6, kPfx66, "movq", tr_sse_mov, kMovqStore, O::W, O::V);
  x(0x6f, kPfx66, "movdqa", tr_sse_mov, kLoad128, O::V, O::W, O::none, kAligned);
  x(0x6f, kPfxF3, "movdqu", tr_sse_mov, kLoad128, O::V, O::W);
  x(0x7f, kPfx66, "movdqa", tr_sse_mov, kStore128, O::W, O::V, O::none, kAligned);
  x(0x7f, kPfxF3, "movdqu", tr_sse_mov, kStore128, O::W, O::V);
  t.add(op(kMap0F, 0xe7, "movntdq", tr_sse_mov, kStore128, O::W, O::V, O::none, kSse | kNoTest)
            .p(kPfx66)
            .m(kModMem));
  t.add(op(kMap0F, 0xf7, "maskmovq", tr_mmx_maskmovq, 0, O::P, O::N, O::none, kSse | kNoTest)
            .p(kPfxNone)
            .m(kModReg));
  t.add(op(kMap0F, 0xf7, "maskmovdqu", tr_sse_maskmov, 0, O::V, O::U, O::none, kSse | kNoTest)
            .p(kPfx66)
            .m(kModReg));
  t.add(op(kMap0F, 0xd7, "pmovmskb", tr_sse_movmsk, 0, O::Gd, O::U, O::none, kSse)
            .p(kPfx66)
            .m(kModReg));
  x(0xc4, kPfx66, "pinsrw", tr_sse_pinsrw, 0, O::V, O::Ed, O::Ib);
  t.add(
      op(kMap0F, 0xc5, "pextrw", tr_sse_pextrw, 0, O::Gd, O::U, O::Ib, kSse).p(kPfx66).m(kModReg));
  t.add(op(kMap0F, 0xc3, "movnti", tr_mov, 0, O::Ey, O::Gy, O::none, kTestMemOnly)
            .p(kPfxNone)
            .m(kModMem));

  // SSE3.
  x(0xd0, kPfxF2, "addsubps", tr_sse, kAddsubps, O::V, O::W);
  x(0xd0, kPfx66, "addsubpd", tr_sse, kAddsubpd, O::V, O::W);
  x(0x7c, kPfxF2, "haddps", tr_sse, kHaddps, O::V, O::W);
  x(0x7c, kPfx66, "haddpd", tr_sse, kHaddpd, O::V, O::W);
  x(0x7d, kPfxF2, "hsubps", tr_sse, kHsubps, O::V, O::W);
  x(0x7d, kPfx66, "hsubpd", tr_sse, kHsubpd, O::V, O::W);
  x(0x12, kPfxF3, "movsldup", tr_sse, kMovsldup, O::V, O::W);
  x(0x16, kPfxF3, "movshdup", tr_sse, kMovshdup, O::V, O::W);
  x(0x12, kPfxF2, "movddup", tr_sse, kMovddup, O::V, O::W);
  t.add(op(kMap0F, 0xf0, "lddqu", tr_sse_mov, kLoad128, O::V, O::W, O::none, kSse)
            .p(kPfxF2)
            .m(kModMem));

  // SSSE3, SSE4.1 (66 0F 38 / 66 0F 3A).
  constexpr struct {
    uint8_t opc;
    uint16_t op;
    const char *name;
  } k38[] = {
      {0x00, kPshufb, "pshufb"},         {0x01, kPhaddw, "phaddw"},
      {0x02, kPhaddd, "phaddd"},         {0x03, kPhaddsw, "phaddsw"},
      {0x04, kPmaddubsw, "pmaddubsw"},   {0x05, kPhsubw, "phsubw"},
      {0x06, kPhsubd, "phsubd"},         {0x07, kPhsubsw, "phsubsw"},
      {0x08, kPsignb, "psignb"},         {0x09, kPsignw, "psignw"},
      {0x0a, kPsignd, "psignd"},         {0x0b, kPmulhrsw, "pmulhrsw"},
      {0x1c, kPabsb, "pabsb"},           {0x1d, kPabsw, "pabsw"},
      {0x1e, kPabsd, "pabsd"},           {0x10, kPblendvb, "pblendvb"},
      {0x14, kBlendvps, "blendvps"},     {0x15, kBlendvpd, "blendvpd"},
      {0x17, kPtest, "ptest"},           {0x20, kPmovsxbw, "pmovsxbw"},
      {0x21, kPmovsxbd, "pmovsxbd"},     {0x22, kPmovsxbq, "pmovsxbq"},
      {0x23, kPmovsxwd, "pmovsxwd"},     {0x24, kPmovsxwq, "pmovsxwq"},
      {0x25, kPmovsxdq, "pmovsxdq"},     {0x28, kPmuldq, "pmuldq"},
      {0x29, kPcmpeqq, "pcmpeqq"},       {0x2b, kPackusdw, "packusdw"},
      {0x30, kPmovzxbw, "pmovzxbw"},     {0x31, kPmovzxbd, "pmovzxbd"},
      {0x32, kPmovzxbq, "pmovzxbq"},     {0x33, kPmovzxwd, "pmovzxwd"},
      {0x34, kPmovzxwq, "pmovzxwq"},     {0x35, kPmovzxdq, "pmovzxdq"},
      {0x37, kPcmpgtq, "pcmpgtq"},       {0x38, kPminsb, "pminsb"},
      {0x39, kPminsd, "pminsd"},         {0x3a, kPminuw, "pminuw"},
      {0x3b, kPminud, "pminud"},         {0x3c, kPmaxsb, "pmaxsb"},
      {0x3d, kPmaxsd, "pmaxsd"},         {0x3e, kPmaxuw, "pmaxuw"},
      {0x3f, kPmaxud, "pmaxud"},         {0x40, kPmulld, "pmulld"},
      {0x41, kPhminposuw, "phminposuw"},
  };
  for (const auto &e : k38) {
    t.add(op(kMap0F38, e.opc, e.name, tr_sse, e.op, O::V, O::W, O::none, kSse).p(kPfx66));
    if (e.opc <= 0x0b || (e.opc >= 0x1c && e.opc <= 0x1e)) {  // SSSE3 on MMX registers
      t.add(op(kMap0F38, e.opc, e.name, tr_mmx, e.op, O::P, O::Q, O::none, kSse).p(kPfxNone));
    }
  }
  t.add(op(kMap0F3A, 0x0f, "palignr", tr_mmx, kPalignr, O::P, O::Q, O::Ib, kSse).p(kPfxNone));
  t.add(op(kMap0F, 0x2a, "cvtpi2ps", tr_mmx_cvt, kCvtpi2ps, O::V, O::Q, O::none, kSse).p(kPfxNone));
  t.add(op(kMap0F, 0x2a, "cvtpi2pd", tr_mmx_cvt, kCvtpi2pd, O::V, O::Q, O::none, kSse).p(kPfx66));
  t.add(op(kMap0F, 0x2d, "cvtps2pi", tr_mmx_cvt, kCvtps2pi, O::P, O::W, O::none, kSse).p(kPfxNone));
  t.add(
      op(kMap0F, 0x2c, "cvttps2pi", tr_mmx_cvt, kCvttps2pi, O::P, O::W, O::none, kSse).p(kPfxNone));
  t.add(op(kMap0F, 0x2d, "cvtpd2pi", tr_mmx_cvt, kCvtpd2pi, O::P, O::W, O::none, kSse).p(kPfx66));
  t.add(op(kMap0F, 0x2c, "cvttpd2pi", tr_mmx_cvt, kCvttpd2pi, O::P, O::W, O::none, kSse).p(kPfx66));
  t.add(op(kMap0F38, 0x2a, "movntdqa", tr_sse_mov, kLoad128, O::V, O::W, O::none, kSse)
            .p(kPfx66)
            .m(kModMem));
  constexpr struct {
    uint8_t opc;
    uint16_t op;
    const char *name;
  } k3a[] = {
      {0x08, kRoundps, "roundps"}, {0x09, kRoundpd, "roundpd"}, {0x0a, kRoundss, "roundss"},
      {0x0b, kRoundsd, "roundsd"}, {0x0c, kBlendps, "blendps"}, {0x0d, kBlendpd, "blendpd"},
      {0x0e, kPblendw, "pblendw"}, {0x0f, kPalignr, "palignr"}, {0x21, kInsertps, "insertps"},
      {0x40, kDpps, "dpps"},       {0x41, kDppd, "dppd"},       {0x42, kMpsadbw, "mpsadbw"},
  };
  for (const auto &e : k3a) {
    t.add(op(kMap0F3A, e.opc, e.name, tr_sse, e.op, O::V, O::W, O::Ib, kSse).p(kPfx66));
  }
  t.add(op(kMap0F3A, 0x14, "pextrb", tr_sse_extract, 0, O::Ey, O::V, O::Ib, kSse).p(kPfx66));
  t.add(op(kMap0F3A, 0x15, "pextrw", tr_sse_extract, 1, O::Ey, O::V, O::Ib, kSse).p(kPfx66));
  t.add(op(kMap0F3A, 0x16, "pextrd", tr_sse_extract, 3, O::Ey, O::V, O::Ib, kSse).p(kPfx66));
  t.add(op(kMap0F3A, 0x17, "extractps", tr_sse_extract, 2, O::Ey, O::V, O::Ib, kSse).p(kPfx66));
  t.add(op(kMap0F3A, 0x20, "pinsrb", tr_sse_insert, 0, O::V, O::Ey, O::Ib, kSse).p(kPfx66));
  t.add(op(kMap0F3A, 0x22, "pinsrd", tr_sse_insert, 3, O::V, O::Ey, O::Ib, kSse).p(kPfx66));

  // SSE4.2.
  for (uint8_t opc = 0x60; opc <= 0x63; opc++) {
    t.add(op(kMap0F3A, opc, "pcmpstr", tr_sse_pcmpstr, 0, O::V, O::W, O::Ib, kSse).p(kPfx66));
  }
  t.add(op(kMap0F38, 0xf0, "crc32", tr_crc32, 0, O::Gy, O::Eb).p(kPfxF2));
  t.add(op(kMap0F38, 0xf1, "crc32", tr_crc32, 0, O::Gy, O::Ev).p(kPfxF2));

  // MXCSR and the FXSAVE area.
  t.add(op(kMap0F, 0xae, "fxsave", tr_fxsave, 0, O::M, O::none, O::none, kNoTest).r(0).m(kModMem));
  t.add(op(kMap0F, 0xae, "fxrstor", tr_fxsave, 1, O::M, O::none, O::none, kNoTest).r(1).m(kModMem));
  t.add(op(kMap0F, 0xae, "ldmxcsr", tr_mxcsr, 0, O::M, O::none, O::none, kNoTest).r(2).m(kModMem));
  t.add(op(kMap0F, 0xae, "stmxcsr", tr_mxcsr, 1, O::M, O::none, O::none, kNoTest).r(3).m(kModMem));
}

}  // namespace qemu::x86::sse_defs
