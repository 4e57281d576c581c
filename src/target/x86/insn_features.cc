// Which CPUID feature each instruction needs (by the definitions' names), checked at translation
// against the model cpuid reports, as QEMU 7.2 checks them: not SSE3's instructions, nor SSE,
// SSE2, CMOV, FXSR (every x86-64 processor has them); bzhi and shlx/sarx/shrx need BMI1 (the
// processors: BMI2) and rdseed needs RDRAND (the processors: RDSEED).
#include "target/x86/insn_features.h"

#include <array>
#include <cstring>
#include <vector>

#include "target/x86/avx.h"
#include "target/x86/cpuid.h"

namespace qemu::x86 {

namespace {

struct Need {
  const char *names;  // space separated
  CpuidFeature f;
};

constexpr Need kNeeds[] = {
    {"pshufb phaddw phaddd phaddsw pmaddubsw phsubw phsubd phsubsw psignb psignw psignd pmulhrsw "
     "pabsb pabsw pabsd palignr",
     {kL1Ecx, 9}},
    {"pblendvb blendvps blendvpd ptest pmovsxbw pmovsxbd pmovsxbq pmovsxwd pmovsxwq pmovsxdq "
     "pmovzxbw pmovzxbd pmovzxbq pmovzxwd pmovzxwq pmovzxdq pmuldq pcmpeqq movntdqa packusdw "
     "pminsb pminsd pminuw pminud pmaxsb pmaxsd pmaxuw pmaxud pmulld phminposuw roundps roundpd "
     "roundss roundsd blendps blendpd pblendw insertps dpps dppd mpsadbw pextrb pextrd extractps "
     "pinsrb pinsrd",
     {kL1Ecx, 19}},
    {"pcmpstr crc32 pcmpgtq", {kL1Ecx, 20}},
    {"popcnt", {kL1Ecx, 23}},
    {"movbe", {kL1Ecx, 22}},
    {"aesenc aesenclast aesdec aesdeclast aesimc aeskeygenassist", {kL1Ecx, 25}},
    {"pclmulqdq", {kL1Ecx, 1}},
    {"rdrand rdseed", {kL1Ecx, 30}},
    {"xsave xrstor xgetbv", {kL1Ecx, 26}},
    {"xsaveopt", {kXsave1Eax, 0}},
    {"xsavec", {kXsave1Eax, 1}},
    {"andn bextr blsi blsmsk blsr tzcnt bzhi sarx shlx shrx", {kL7Ebx, 3}},
    {"pdep pext mulx rorx", {kL7Ebx, 8}},
    {"adcx adox", {kL7Ebx, 19}},
    {"sha1rnds4 sha1nexte sha1msg1 sha1msg2 sha256rnds2 sha256msg1 sha256msg2", {kL7Ebx, 29}},
    {"lahf sahf", {kE1Ecx, 0}},
    {"lzcnt", {kE1Ecx, 5}},
    // VEX forms (the definitions flagged kAvx; avx_usable checks AVX, AVX2, FMA and F16C):
    {"vaesenc vaesenclast vaesdec vaesdeclast vaesimc vaeskeygenassist", {kL1Ecx, 25}},
    {"vpclmulqdq", {kL1Ecx, 1}},
};

constexpr CpuidFeature kCx16 = {kL1Ecx, 13}, kRdtscp = {kE1Edx, 27}, kXsave = {kL1Ecx, 26};
constexpr uint8_t kNone = 0xff;

bool has_word(const char *list, const char *name) {
  const size_t n = std::strlen(name);
  for (const char *p = list; (p = std::strstr(p, name)) != nullptr; p += n) {
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return true;
  }
  return false;
}

enum Special : uint8_t { kPlain, kTzcnt, kLzcnt, kCmpxchg8b, k0f01, kVex };

struct Entry {
  uint8_t need = kNone;  // an index into kNeeds
  uint8_t special = kPlain;
};

struct Index {
  const Def *defs = nullptr;
  std::vector<Entry> e;  // per definition
  const Def *bsf = nullptr, *bsr = nullptr;
};

Index build() {
  Index x;
  size_t n = 0;
  x.defs = all_defs(&n);
  x.e.resize(n);
  for (size_t i = 0; i < n; i++) {
    const Def &d = x.defs[i];
    Entry &e = x.e[i];
    for (size_t k = 0; k < std::size(kNeeds); k++) {
      if (has_word(kNeeds[k].names, d.name)) e.need = static_cast<uint8_t>(k);
    }
    if (d.flags & kAvx) e.special = kVex;
    const bool m0f = d.map == kMap0F;
    if (m0f && std::strcmp(d.name, "bsf") == 0) x.bsf = &d;
    if (m0f && std::strcmp(d.name, "bsr") == 0) x.bsr = &d;
    if (m0f && std::strcmp(d.name, "tzcnt") == 0) x.e[i].special = kTzcnt;
    if (m0f && std::strcmp(d.name, "lzcnt") == 0) x.e[i].special = kLzcnt;
    if (m0f && std::strcmp(d.name, "cmpxchg8b") == 0) x.e[i].special = kCmpxchg8b;
    if (m0f && std::strcmp(d.name, "0f01") == 0) x.e[i].special = k0f01;
  }
  return x;
}

const Index &index() {
  static const Index x = build();
  return x;
}

}  // namespace

const Def *model_def(const Insn &in) {
  const Index &x = index();
  const size_t i = static_cast<size_t>(in.def - x.defs);
  if (i >= x.e.size()) return in.def;
  const Entry e = x.e[i];
  if (e.need != kNone && !cpuid_has(kNeeds[e.need].f)) {
    return e.special == kTzcnt ? x.bsf : e.special == kLzcnt ? x.bsr : nullptr;
  }
  // VEX vector instructions: AVX and what else avx_usable says, and the AVX state enabled in
  // XCR0, which takes XSAVE.
  if (e.special == kVex && (!avx_usable(in) || !cpuid_has(kXsave))) return nullptr;
  if (e.special == kCmpxchg8b && in.rex_w() && !cpuid_has(kCx16)) return nullptr;
  // 0F 01 F9: rdtscp.
  if (e.special == k0f01 && in.mod == 3 && (in.reg & 7) == 7 && (in.rm & 7) == 1 &&
      !cpuid_has(kRdtscp)) {
    return nullptr;
  }
  return in.def;
}

}  // namespace qemu::x86
