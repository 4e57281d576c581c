// The AVX, AVX2, FMA and F16C part of the instruction table (included by defs.cc): the VEX forms
// of the SSE instructions (three-operand, 128 and 256 bits) and the AVX-only ones.
#pragma once

#include "target/x86/avx.h"
#include "target/x86/decode.h"
#include "target/x86/sse.h"
#include "target/x86/translator.h"

namespace qemu::x86::avx_defs {

using O = Opnd;

// tr_avx_mov kinds; kAligned: a memory operand must be aligned to its size (else #GP).
enum : uint16_t {
  kVLoad,
  kVStore,
  kVLoadScalar,   // vmovss/vmovsd m: the rest zero
  kVMovsReg,      // vmovss/vmovsd x, x, x: low element of W, the rest of H
  kVStoreScalar,  // vmovss/vmovsd to memory or a register (the register form as kVMovsReg)
  kVLoadLow,      // vmovlps/vmovlpd m64 (high from H); vmovhlps (register)
  kVLoadHigh,     // vmovhps/vmovhpd m64 (low from H); vmovlhps (register)
  kVStoreLow,
  kVStoreHigh,
  kVMovdToX,
  kVMovdFromX,
  kVMovqLoad,
  kVMovqStore,
  kVAligned = 0x100,
};

constexpr uint32_t kAvxDef = kAvx | kNoTest | kSse;

template <typename Table>
constexpr void add(Table &t) {
  auto v = [&](uint8_t map, uint8_t opc, uint8_t pfx, const char *name, Handler fn, uint16_t arg,
               O a, O b = O::none, O c = O::none, uint32_t flags = 0) {
    t.add(op(map, opc, name, fn, arg, a, b, c, flags | kAvxDef).p(pfx));
  };
  auto v0f = [&](uint8_t opc, uint8_t pfx, const char *name, Handler fn, uint16_t arg, O a,
                 O b = O::none, O c = O::none,
                 uint32_t flags = 0) { v(kMapVex0F, opc, pfx, name, fn, arg, a, b, c, flags); };
  auto v38 = [&](uint8_t opc, const char *name, Handler fn, uint16_t arg, O a, O b = O::none,
                 O c = O::none, uint32_t flags = 0) {
    v(kMapVex0F38, opc, kPfx66, name, fn, arg, a, b, c, flags);
  };
  auto v3a = [&](uint8_t opc, const char *name, Handler fn, uint16_t arg, O a, O b = O::none,
                 O c = O::none, uint32_t flags = 0) {
    v(kMapVex0F3A, opc, kPfx66, name, fn, arg, a, b, c, flags);
  };
  auto last_mod = [&](uint8_t mod) { t.d[t.n - 1].mod = mod; };
  // Arithmetic: ps/pd three-operand, ss/sd three-operand with L ignored.
  auto four = [&](uint8_t opc, const char *name, uint16_t ps, uint16_t pd, uint16_t ss,
                  uint16_t sd) {
    v0f(opc, kPfxNone, name, tr_avx, ps, O::V, O::H, O::W);
    v0f(opc, kPfx66, name, tr_avx, pd, O::V, O::H, O::W);
    v0f(opc, kPfxF3, name, tr_avx, ss, O::V, O::H, O::W, kVexLig);
    v0f(opc, kPfxF2, name, tr_avx, sd, O::V, O::H, O::W, kVexLig);
  };

  // Moves.
  for (uint8_t pfx : {uint8_t{kPfxNone}, uint8_t{kPfx66}}) {
    v0f(0x10, pfx, "vmovup", tr_avx_mov, kVLoad, O::V, O::W);
    v0f(0x11, pfx, "vmovup", tr_avx_mov, kVStore, O::W, O::V);
    v0f(0x28, pfx, "vmovap", tr_avx_mov, kVLoad | kVAligned, O::V, O::W);
    v0f(0x29, pfx, "vmovap", tr_avx_mov, kVStore | kVAligned, O::W, O::V);
    v0f(0x2b, pfx, "vmovntp", tr_avx_mov, kVStore | kVAligned, O::M, O::V);
    last_mod(kModMem);
    v0f(0x13, pfx, "vmovlp", tr_avx_mov, kVStoreLow, O::M, O::V, O::none, kVexL0);
    last_mod(kModMem);
    v0f(0x17, pfx, "vmovhp", tr_avx_mov, kVStoreHigh, O::M, O::V, O::none, kVexL0);
    last_mod(kModMem);
    v0f(0x2e, pfx, "vucomis", tr_sse_comis, 0, O::V, O::W, O::none, kVexLig);
    v0f(0x2f, pfx, "vcomis", tr_sse_comis, 1, O::V, O::W, O::none, kVexLig);
    v0f(0x50, pfx, "vmovmskp", tr_avx_op, pfx ? kVmovmskpd : kVmovmskps, O::Gd, O::U);
    last_mod(kModReg);
    v0f(0x54, pfx, "vandp", tr_avx, kAndps, O::V, O::H, O::W);
    v0f(0x55, pfx, "vandnp", tr_avx, kAndnps, O::V, O::H, O::W);
    v0f(0x56, pfx, "vorp", tr_avx, kOrps, O::V, O::H, O::W);
    v0f(0x57, pfx, "vxorp", tr_avx, kXorps, O::V, O::H, O::W);
  }
  for (uint8_t pfx : {uint8_t{kPfxF3}, uint8_t{kPfxF2}}) {
    v0f(0x10, pfx, "vmovs", tr_avx_mov, kVLoadScalar, O::V, O::W, O::none, kVexLig);
    last_mod(kModMem);
    v0f(0x10, pfx, "vmovs", tr_avx_mov, kVMovsReg, O::V, O::H, O::U, kVexLig);
    last_mod(kModReg);
    v0f(0x11, pfx, "vmovs", tr_avx_mov, kVStoreScalar, O::W, O::V, O::none, kVexLig);
    last_mod(kModMem);
    v0f(0x11, pfx, "vmovs", tr_avx_mov, kVStoreScalar, O::U, O::H, O::V, kVexLig);
    last_mod(kModReg);
    v0f(0x2a, pfx, "vcvtsi2s", tr_avx_cvtsi2f, 0, O::V, O::H, O::Ey, kVexLig);
    v0f(0x2c, pfx, "vcvtts2si", tr_sse_cvtf2si, 1, O::Gy, O::W, O::none, kVexLig);
    v0f(0x2d, pfx, "vcvts2si", tr_sse_cvtf2si, 0, O::Gy, O::W, O::none, kVexLig);
  }
  v0f(0x12, kPfxNone, "vmovlps", tr_avx_mov, kVLoadLow, O::V, O::H, O::W, kVexL0);
  v0f(0x12, kPfx66, "vmovlpd", tr_avx_mov, kVLoadLow, O::V, O::H, O::W, kVexL0);
  last_mod(kModMem);
  v0f(0x16, kPfxNone, "vmovhps", tr_avx_mov, kVLoadHigh, O::V, O::H, O::W, kVexL0);
  v0f(0x16, kPfx66, "vmovhpd", tr_avx_mov, kVLoadHigh, O::V, O::H, O::W, kVexL0);
  last_mod(kModMem);
  v0f(0x12, kPfxF3, "vmovsldup", tr_avx, kMovsldup, O::V, O::W);
  v0f(0x16, kPfxF3, "vmovshdup", tr_avx, kMovshdup, O::V, O::W);
  v0f(0x12, kPfxF2, "vmovddup", tr_avx, kMovddup, O::V, O::W);
  v0f(0x14, kPfxNone, "vunpcklps", tr_avx, kUnpcklps, O::V, O::H, O::W);
  v0f(0x14, kPfx66, "vunpcklpd", tr_avx, kUnpcklpd, O::V, O::H, O::W);
  v0f(0x15, kPfxNone, "vunpckhps", tr_avx, kUnpckhps, O::V, O::H, O::W);
  v0f(0x15, kPfx66, "vunpckhpd", tr_avx, kUnpckhpd, O::V, O::H, O::W);
  v0f(0x51, kPfxNone, "vsqrtps", tr_avx, kSqrtps, O::V, O::W);
  v0f(0x51, kPfx66, "vsqrtpd", tr_avx, kSqrtpd, O::V, O::W);
  v0f(0x51, kPfxF3, "vsqrtss", tr_avx, kSqrtss, O::V, O::H, O::W, kVexLig);
  v0f(0x51, kPfxF2, "vsqrtsd", tr_avx, kSqrtsd, O::V, O::H, O::W, kVexLig);
  v0f(0x52, kPfxNone, "vrsqrtps", tr_avx, kRsqrtps, O::V, O::W);
  v0f(0x52, kPfxF3, "vrsqrtss", tr_avx, kRsqrtss, O::V, O::H, O::W, kVexLig);
  v0f(0x53, kPfxNone, "vrcpps", tr_avx, kRcpps, O::V, O::W);
  v0f(0x53, kPfxF3, "vrcpss", tr_avx, kRcpss, O::V, O::H, O::W, kVexLig);
  four(0x58, "vadd", kAddps, kAddpd, kAddss, kAddsd);
  four(0x59, "vmul", kMulps, kMulpd, kMulss, kMulsd);
  four(0x5c, "vsub", kSubps, kSubpd, kSubss, kSubsd);
  four(0x5d, "vmin", kMinps, kMinpd, kMinss, kMinsd);
  four(0x5e, "vdiv", kDivps, kDivpd, kDivss, kDivsd);
  four(0x5f, "vmax", kMaxps, kMaxpd, kMaxss, kMaxsd);
  v0f(0x5a, kPfxNone, "vcvtps2pd", tr_avx, kCvtps2pd, O::V, O::W);
  v0f(0x5a, kPfx66, "vcvtpd2ps", tr_avx, kCvtpd2ps, O::V, O::W);
  v0f(0x5a, kPfxF3, "vcvtss2sd", tr_avx, kCvtss2sd, O::V, O::H, O::W, kVexLig);
  v0f(0x5a, kPfxF2, "vcvtsd2ss", tr_avx, kCvtsd2ss, O::V, O::H, O::W, kVexLig);
  v0f(0x5b, kPfxNone, "vcvtdq2ps", tr_avx, kCvtdq2ps, O::V, O::W);
  v0f(0x5b, kPfx66, "vcvtps2dq", tr_avx, kCvtps2dq, O::V, O::W);
  v0f(0x5b, kPfxF3, "vcvttps2dq", tr_avx, kCvttps2dq, O::V, O::W);
  v0f(0xe6, kPfx66, "vcvttpd2dq", tr_avx, kCvttpd2dq, O::V, O::W);
  v0f(0xe6, kPfxF3, "vcvtdq2pd", tr_avx, kCvtdq2pd, O::V, O::W);
  v0f(0xe6, kPfxF2, "vcvtpd2dq", tr_avx, kCvtpd2dq, O::V, O::W);
  v0f(0xc2, kPfxNone, "vcmpps", tr_avx_helper, kVcmpps, O::V, O::H, O::W);
  v0f(0xc2, kPfx66, "vcmppd", tr_avx_helper, kVcmppd, O::V, O::H, O::W);
  v0f(0xc2, kPfxF3, "vcmpss", tr_avx_helper, kVcmpss, O::V, O::H, O::W, kVexLig);
  v0f(0xc2, kPfxF2, "vcmpsd", tr_avx_helper, kVcmpsd, O::V, O::H, O::W, kVexLig);
  // The immediate follows the operands (a fourth operand slot the table does not have).
  for (int i = 1; i <= 4; i++) t.d[t.n - i].flags |= kVexImm;
  v0f(0xc6, kPfxNone, "vshufps", tr_avx, kShufps, O::V, O::H, O::W, kVexImm);
  v0f(0xc6, kPfx66, "vshufpd", tr_avx, kShufpd, O::V, O::H, O::W, kVexImm);

  // Packed integer (66): three-operand.
  constexpr struct {
    uint8_t opc;
    uint16_t op;
    const char *name;
  } kInt[] = {
      {0x60, kPunpcklbw, "vpunpcklbw"},   {0x61, kPunpcklwd, "vpunpcklwd"},
      {0x62, kPunpckldq, "vpunpckldq"},   {0x63, kPacksswb, "vpacksswb"},
      {0x64, kPcmpgtb, "vpcmpgtb"},       {0x65, kPcmpgtw, "vpcmpgtw"},
      {0x66, kPcmpgtd, "vpcmpgtd"},       {0x67, kPackuswb, "vpackuswb"},
      {0x68, kPunpckhbw, "vpunpckhbw"},   {0x69, kPunpckhwd, "vpunpckhwd"},
      {0x6a, kPunpckhdq, "vpunpckhdq"},   {0x6b, kPackssdw, "vpackssdw"},
      {0x6c, kPunpcklqdq, "vpunpcklqdq"}, {0x6d, kPunpckhqdq, "vpunpckhqdq"},
      {0x74, kPcmpeqb, "vpcmpeqb"},       {0x75, kPcmpeqw, "vpcmpeqw"},
      {0x76, kPcmpeqd, "vpcmpeqd"},       {0xd1, kPsrlw, "vpsrlw"},
      {0xd2, kPsrld, "vpsrld"},           {0xd3, kPsrlq, "vpsrlq"},
      {0xd4, kPaddq, "vpaddq"},           {0xd5, kPmullw, "vpmullw"},
      {0xd8, kPsubusb, "vpsubusb"},       {0xd9, kPsubusw, "vpsubusw"},
      {0xda, kPminub, "vpminub"},         {0xdb, kPand, "vpand"},
      {0xdc, kPaddusb, "vpaddusb"},       {0xdd, kPaddusw, "vpaddusw"},
      {0xde, kPmaxub, "vpmaxub"},         {0xdf, kPandn, "vpandn"},
      {0xe0, kPavgb, "vpavgb"},           {0xe1, kPsraw, "vpsraw"},
      {0xe2, kPsrad, "vpsrad"},           {0xe3, kPavgw, "vpavgw"},
      {0xe4, kPmulhuw, "vpmulhuw"},       {0xe5, kPmulhw, "vpmulhw"},
      {0xe8, kPsubsb, "vpsubsb"},         {0xe9, kPsubsw, "vpsubsw"},
      {0xea, kPminsw, "vpminsw"},         {0xeb, kPor, "vpor"},
      {0xec, kPaddsb, "vpaddsb"},         {0xed, kPaddsw, "vpaddsw"},
      {0xee, kPmaxsw, "vpmaxsw"},         {0xef, kPxor, "vpxor"},
      {0xf1, kPsllw, "vpsllw"},           {0xf2, kPslld, "vpslld"},
      {0xf3, kPsllq, "vpsllq"},           {0xf4, kPmuludq, "vpmuludq"},
      {0xf5, kPmaddwd, "vpmaddwd"},       {0xf6, kPsadbw, "vpsadbw"},
      {0xf8, kPsubb, "vpsubb"},           {0xf9, kPsubw, "vpsubw"},
      {0xfa, kPsubd, "vpsubd"},           {0xfb, kPsubq, "vpsubq"},
      {0xfc, kPaddb, "vpaddb"},           {0xfd, kPaddw, "vpaddw"},
      {0xfe, kPaddd, "vpaddd"},
  };
  for (const auto &e : kInt) v0f(e.opc, kPfx66, e.name, tr_avx, e.op, O::V, O::H, O::W, kAvx2At256);
  v0f(0x70, kPfx66, "vpshufd", tr_avx, kPshufd, O::V, O::W, O::Ib, kAvx2At256);
  v0f(0x70, kPfxF3, "vpshufhw", tr_avx, kPshufhw, O::V, O::W, O::Ib, kAvx2At256);
  v0f(0x70, kPfxF2, "vpshuflw", tr_avx, kPshuflw, O::V, O::W, O::Ib, kAvx2At256);
  constexpr struct {
    uint8_t opc;
    int8_t reg;
    uint16_t op;
    const char *name;
  } kShiftImm[] = {
      {0x71, 2, kPsrlwI, "vpsrlw"},  {0x71, 4, kPsrawI, "vpsraw"},  {0x71, 6, kPsllwI, "vpsllw"},
      {0x72, 2, kPsrldI, "vpsrld"},  {0x72, 4, kPsradI, "vpsrad"},  {0x72, 6, kPslldI, "vpslld"},
      {0x73, 2, kPsrlqI, "vpsrlq"},  {0x73, 3, kPsrldq, "vpsrldq"}, {0x73, 6, kPsllqI, "vpsllq"},
      {0x73, 7, kPslldq, "vpslldq"},
  };
  for (const auto &e : kShiftImm) {
    t.add(op(kMapVex0F, e.opc, e.name, tr_avx, e.op, O::H, O::U, O::Ib, kAvxDef | kAvx2At256)
              .p(kPfx66)
              .r(e.reg)
              .m(kModReg));
  }
  v0f(0x6e, kPfx66, "vmovd", tr_avx_mov, kVMovdToX, O::V, O::Ey, O::none, kVexL0);
  v0f(0x7e, kPfx66, "vmovd", tr_avx_mov, kVMovdFromX, O::Ey, O::V, O::none, kVexL0);
  v0f(0x7e, kPfxF3, "vmovq", tr_avx_mov, kVMovqLoad, O::V, O::W, O::none, kVexL0);
  v0f(0xd6, kPfx66, "vmovq", tr_avx_mov, kVMovqStore, O::W, O::V, O::none, kVexL0);
  v0f(0x6f, kPfx66, "vmovdqa", tr_avx_mov, kVLoad | kVAligned, O::V, O::W);
  v0f(0x6f, kPfxF3, "vmovdqu", tr_avx_mov, kVLoad, O::V, O::W);
  v0f(0x7f, kPfx66, "vmovdqa", tr_avx_mov, kVStore | kVAligned, O::W, O::V);
  v0f(0x7f, kPfxF3, "vmovdqu", tr_avx_mov, kVStore, O::W, O::V);
  v0f(0xe7, kPfx66, "vmovntdq", tr_avx_mov, kVStore | kVAligned, O::M, O::V);
  last_mod(kModMem);
  v0f(0xf0, kPfxF2, "vlddqu", tr_avx_mov, kVLoad, O::V, O::M);
  last_mod(kModMem);
  v0f(0xf7, kPfx66, "vmaskmovdqu", tr_avx_legacy, 0, O::V, O::U, O::none, kVexL0);
  last_mod(kModReg);
  v0f(0xd7, kPfx66, "vpmovmskb", tr_avx_op, kVpmovmskb, O::Gd, O::U, O::none, kAvx2At256);
  last_mod(kModReg);
  v0f(0xc4, kPfx66, "vpinsrw", tr_avx_insert, 1, O::V, O::H, O::Ed, kVexL0 | kVexImm);
  v0f(0xc5, kPfx66, "vpextrw", tr_sse_pextrw, 0, O::Gd, O::U, O::Ib, kVexL0);
  last_mod(kModReg);
  v0f(0xd0, kPfxF2, "vaddsubps", tr_avx, kAddsubps, O::V, O::H, O::W);
  v0f(0xd0, kPfx66, "vaddsubpd", tr_avx, kAddsubpd, O::V, O::H, O::W);
  v0f(0x7c, kPfxF2, "vhaddps", tr_avx, kHaddps, O::V, O::H, O::W);
  v0f(0x7c, kPfx66, "vhaddpd", tr_avx, kHaddpd, O::V, O::H, O::W);
  v0f(0x7d, kPfxF2, "vhsubps", tr_avx, kHsubps, O::V, O::H, O::W);
  v0f(0x7d, kPfx66, "vhsubpd", tr_avx, kHsubpd, O::V, O::H, O::W);
  v0f(0x77, kPfxNone, "vzeroupper", tr_avx_op, kVzero, O::none);
  t.add(op(kMapVex0F, 0xae, "vldmxcsr", tr_mxcsr, 0, O::M, O::none, O::none, kAvxDef | kVexL0)
            .r(2)
            .m(kModMem));
  t.add(op(kMapVex0F, 0xae, "vstmxcsr", tr_mxcsr, 1, O::M, O::none, O::none, kAvxDef | kVexL0)
            .r(3)
            .m(kModMem));

  // 0F 38.
  constexpr struct {
    uint8_t opc;
    uint16_t op;
    const char *name;
    bool nds;
  } k38[] = {
      {0x00, kPshufb, "vpshufb", true},       {0x01, kPhaddw, "vphaddw", true},
      {0x02, kPhaddd, "vphaddd", true},       {0x03, kPhaddsw, "vphaddsw", true},
      {0x04, kPmaddubsw, "vpmaddubsw", true}, {0x05, kPhsubw, "vphsubw", true},
      {0x06, kPhsubd, "vphsubd", true},       {0x07, kPhsubsw, "vphsubsw", true},
      {0x08, kPsignb, "vpsignb", true},       {0x09, kPsignw, "vpsignw", true},
      {0x0a, kPsignd, "vpsignd", true},       {0x0b, kPmulhrsw, "vpmulhrsw", true},
      {0x1c, kPabsb, "vpabsb", false},        {0x1d, kPabsw, "vpabsw", false},
      {0x1e, kPabsd, "vpabsd", false},        {0x20, kPmovsxbw, "vpmovsxbw", false},
      {0x21, kPmovsxbd, "vpmovsxbd", false},  {0x22, kPmovsxbq, "vpmovsxbq", false},
      {0x23, kPmovsxwd, "vpmovsxwd", false},  {0x24, kPmovsxwq, "vpmovsxwq", false},
      {0x25, kPmovsxdq, "vpmovsxdq", false},  {0x28, kPmuldq, "vpmuldq", true},
      {0x29, kPcmpeqq, "vpcmpeqq", true},     {0x2b, kPackusdw, "vpackusdw", true},
      {0x30, kPmovzxbw, "vpmovzxbw", false},  {0x31, kPmovzxbd, "vpmovzxbd", false},
      {0x32, kPmovzxbq, "vpmovzxbq", false},  {0x33, kPmovzxwd, "vpmovzxwd", false},
      {0x34, kPmovzxwq, "vpmovzxwq", false},  {0x35, kPmovzxdq, "vpmovzxdq", false},
      {0x37, kPcmpgtq, "vpcmpgtq", true},     {0x38, kPminsb, "vpminsb", true},
      {0x39, kPminsd, "vpminsd", true},       {0x3a, kPminuw, "vpminuw", true},
      {0x3b, kPminud, "vpminud", true},       {0x3c, kPmaxsb, "vpmaxsb", true},
      {0x3d, kPmaxsd, "vpmaxsd", true},       {0x3e, kPmaxuw, "vpmaxuw", true},
      {0x3f, kPmaxud, "vpmaxud", true},       {0x40, kPmulld, "vpmulld", true},
  };
  for (const auto &e : k38) {
    if (e.nds) {
      v38(e.opc, e.name, tr_avx, e.op, O::V, O::H, O::W, kAvx2At256);
    } else {
      v38(e.opc, e.name, tr_avx, e.op, O::V, O::W, O::none, kAvx2At256);
    }
  }
  v38(0x41, "vphminposuw", tr_avx, kPhminposuw, O::V, O::W, O::none, kVexL0);
  v38(0x0c, "vpermilps", tr_avx_helper, kVpermilpsV, O::V, O::H, O::W, kVexW0);
  v38(0x0d, "vpermilpd", tr_avx_helper, kVpermilpdV, O::V, O::H, O::W, kVexW0);
  v38(0x0e, "vtestps", tr_avx_op, kVtestps, O::V, O::W, O::none, kVexW0);
  v38(0x0f, "vtestpd", tr_avx_op, kVtestpd, O::V, O::W, O::none, kVexW0);
  v38(0x17, "vptest", tr_avx_op, kVptest, O::V, O::W);
  v38(0x13, "vcvtph2ps", tr_avx_helper, kVcvtph2ps, O::V, O::W, O::none, kVexW0 | kNeedF16c);
  v38(0x16, "vpermps", tr_avx_helper, kVpermd, O::V, O::H, O::W, kVexW0 | kVexL1 | kNeedAvx2);
  v38(0x36, "vpermd", tr_avx_helper, kVpermd, O::V, O::H, O::W, kVexW0 | kVexL1 | kNeedAvx2);
  v38(0x18, "vbroadcastss", tr_avx_op, kVbroadcastss, O::V, O::W, O::none, kVexW0);
  v38(0x19, "vbroadcastsd", tr_avx_op, kVbroadcastsd, O::V, O::W, O::none, kVexW0 | kVexL1);
  v38(0x1a, "vbroadcastf128", tr_avx_op, kVbroadcast128, O::V, O::M, O::none, kVexW0 | kVexL1);
  last_mod(kModMem);
  v38(0x5a, "vbroadcasti128", tr_avx_op, kVbroadcast128, O::V, O::M, O::none,
      kVexW0 | kVexL1 | kNeedAvx2);
  last_mod(kModMem);
  v38(0x58, "vpbroadcastd", tr_avx_op, kVpbroadcastd, O::V, O::W, O::none, kVexW0 | kNeedAvx2);
  v38(0x59, "vpbroadcastq", tr_avx_op, kVpbroadcastq, O::V, O::W, O::none, kVexW0 | kNeedAvx2);
  v38(0x78, "vpbroadcastb", tr_avx_op, kVpbroadcastb, O::V, O::W, O::none, kVexW0 | kNeedAvx2);
  v38(0x79, "vpbroadcastw", tr_avx_op, kVpbroadcastw, O::V, O::W, O::none, kVexW0 | kNeedAvx2);
  v38(0x2a, "vmovntdqa", tr_avx_mov, kVLoad | kVAligned, O::V, O::M, O::none, kAvx2At256);
  last_mod(kModMem);
  v38(0x2c, "vmaskmovps", tr_avx_op, kVmaskmovLoad, O::V, O::H, O::M, kVexW0);
  last_mod(kModMem);
  v38(0x2d, "vmaskmovpd", tr_avx_op, kVmaskmovLoad, O::V, O::H, O::M, kVexW0);
  last_mod(kModMem);
  v38(0x2e, "vmaskmovps", tr_avx_op, kVmaskmovStore, O::M, O::H, O::V, kVexW0);
  last_mod(kModMem);
  v38(0x2f, "vmaskmovpd", tr_avx_op, kVmaskmovStore, O::M, O::H, O::V, kVexW0);
  last_mod(kModMem);
  v38(0x8c, "vpmaskmov", tr_avx_op, kVmaskmovLoad, O::V, O::H, O::M, kNeedAvx2);
  last_mod(kModMem);
  v38(0x8e, "vpmaskmov", tr_avx_op, kVmaskmovStore, O::M, O::H, O::V, kNeedAvx2);
  last_mod(kModMem);
  v38(0x45, "vpsrlv", tr_avx_helper, kVpsrlv, O::V, O::H, O::W, kNeedAvx2);
  v38(0x46, "vpsravd", tr_avx_helper, kVpsrav, O::V, O::H, O::W, kVexW0 | kNeedAvx2);
  v38(0x47, "vpsllv", tr_avx_helper, kVpsllv, O::V, O::H, O::W, kNeedAvx2);
  for (uint8_t opc = 0x90; opc <= 0x93; opc++) {
    v38(opc, "vgather", tr_avx_gather, 0, O::V, O::M, O::H, kNeedAvx2);
    last_mod(kModMem);
  }
  // FMA3: 96-9F (132), A6-AF (213), B6-BF (231); the low nibble is the operation.
  for (uint8_t form = 0; form < 3; form++) {
    for (uint8_t lo = 6; lo <= 15; lo++) {
      const uint8_t opc = static_cast<uint8_t>(0x90 + 0x10 * form + lo);
      const bool scalar = lo >= 8 && (lo & 1);
      v38(opc, "vfma", tr_avx_fma, static_cast<uint16_t>(form << 4 | lo), O::V, O::H, O::W,
          kNeedFma | (scalar ? uint32_t{kVexLig} : 0u));
    }
  }

  // 0F 3A.
  // W1 in the manuals; the hardware runs W0 the same.
  v3a(0x00, "vpermq", tr_avx_op, kVpermq, O::V, O::W, O::Ib, kVexL1 | kNeedAvx2);
  v3a(0x01, "vpermpd", tr_avx_op, kVpermq, O::V, O::W, O::Ib, kVexL1 | kNeedAvx2);
  v3a(0x02, "vpblendd", tr_avx_op, kVpblendd, O::V, O::H, O::W, kVexW0 | kVexImm | kNeedAvx2);
  v3a(0x04, "vpermilps", tr_avx, kPshufd, O::V, O::W, O::Ib, kVexW0);
  v3a(0x05, "vpermilpd", tr_avx_op, kVpermilpdI, O::V, O::W, O::Ib, kVexW0);
  v3a(0x06, "vperm2f128", tr_avx_op, kVperm2x128, O::V, O::H, O::W, kVexW0 | kVexL1 | kVexImm);
  v3a(0x46, "vperm2i128", tr_avx_op, kVperm2x128, O::V, O::H, O::W,
      kVexW0 | kVexL1 | kVexImm | kNeedAvx2);
  v3a(0x18, "vinsertf128", tr_avx_op, kVinsert128, O::V, O::H, O::W, kVexW0 | kVexL1 | kVexImm);
  v3a(0x38, "vinserti128", tr_avx_op, kVinsert128, O::V, O::H, O::W,
      kVexW0 | kVexL1 | kVexImm | kNeedAvx2);
  v3a(0x19, "vextractf128", tr_avx_op, kVextract128, O::W, O::V, O::Ib, kVexW0 | kVexL1);
  v3a(0x39, "vextracti128", tr_avx_op, kVextract128, O::W, O::V, O::Ib,
      kVexW0 | kVexL1 | kNeedAvx2);
  v3a(0x1d, "vcvtps2ph", tr_avx_helper, kVcvtps2ph, O::W, O::V, O::Ib, kVexW0 | kNeedF16c);
  v3a(0x08, "vroundps", tr_avx, kRoundps, O::V, O::W, O::Ib);
  v3a(0x09, "vroundpd", tr_avx, kRoundpd, O::V, O::W, O::Ib);
  v3a(0x0a, "vroundss", tr_avx, kRoundss, O::V, O::H, O::W, kVexLig | kVexImm);
  v3a(0x0b, "vroundsd", tr_avx, kRoundsd, O::V, O::H, O::W, kVexLig | kVexImm);
  v3a(0x0c, "vblendps", tr_avx, kBlendps, O::V, O::H, O::W, kVexImm);
  v3a(0x0d, "vblendpd", tr_avx, kBlendpd, O::V, O::H, O::W, kVexImm);
  v3a(0x0e, "vpblendw", tr_avx, kPblendw, O::V, O::H, O::W, kVexImm | kAvx2At256);
  v3a(0x0f, "vpalignr", tr_avx, kPalignr, O::V, O::H, O::W, kVexImm | kAvx2At256);
  v3a(0x21, "vinsertps", tr_avx, kInsertps, O::V, O::H, O::W, kVexL0 | kVexImm);
  v3a(0x40, "vdpps", tr_avx, kDpps, O::V, O::H, O::W, kVexImm);
  v3a(0x41, "vdppd", tr_avx, kDppd, O::V, O::H, O::W, kVexL0 | kVexImm);
  v3a(0x42, "vmpsadbw", tr_avx, kMpsadbw, O::V, O::H, O::W, kVexImm | kAvx2At256);
  v3a(0x4a, "vblendvps", tr_avx_op, kVblendvps, O::V, O::H, O::W, kVexW0 | kVexImm);
  v3a(0x4b, "vblendvpd", tr_avx_op, kVblendvpd, O::V, O::H, O::W, kVexW0 | kVexImm);
  v3a(0x4c, "vpblendvb", tr_avx_op, kVpblendvb, O::V, O::H, O::W, kVexW0 | kVexImm | kAvx2At256);
  v3a(0x14, "vpextrb", tr_sse_extract, 0, O::Ey, O::V, O::Ib, kVexL0);
  v3a(0x15, "vpextrw", tr_sse_extract, 1, O::Ey, O::V, O::Ib, kVexL0);
  v3a(0x16, "vpextrd", tr_sse_extract, 3, O::Ey, O::V, O::Ib, kVexL0);
  v3a(0x17, "vextractps", tr_sse_extract, 2, O::Ey, O::V, O::Ib, kVexL0);
  v3a(0x20, "vpinsrb", tr_avx_insert, 0, O::V, O::H, O::Ey, kVexL0 | kVexImm);
  v3a(0x22, "vpinsrd", tr_avx_insert, 3, O::V, O::H, O::Ey, kVexL0 | kVexImm);
  for (uint8_t opc = 0x60; opc <= 0x63; opc++) {
    v3a(opc, "vpcmpstr", tr_avx_legacy, 1, O::V, O::W, O::Ib, kVexL0);
  }
}

}  // namespace qemu::x86::avx_defs
