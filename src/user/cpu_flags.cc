// -cpu MODEL[,+flag|,-flag|,flag=on|off|,flag]...: the model's CPUID with flags turned on or
// off, as QEMU 7.2 parses them; then cut down to what the front end implements (a flag turned
// on that is not implemented gets QEMU's TCG warning).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "base/error.h"
#include "user/cpu_model_cpuid.h"
#include "user/options.h"

namespace qemu::user {

namespace {

// The feature words a flag can live in, as CpuidModel's fields.
enum Word { kL1Ecx, kL1Edx, kL7Ebx, kE1Ecx, kE1Edx, kD1Eax };

struct Bit {
  const char *name;  // QEMU's spelling ('_' and '.' count as '-' when matching)
  Word word;
  int bit;
};

const Bit kBits[] = {
    {"pni", kL1Ecx, 0},           {"sse3", kL1Ecx, 0},        {"pclmulqdq", kL1Ecx, 1},
    {"dtes64", kL1Ecx, 2},        {"monitor", kL1Ecx, 3},     {"ds-cpl", kL1Ecx, 4},
    {"vmx", kL1Ecx, 5},           {"smx", kL1Ecx, 6},         {"est", kL1Ecx, 7},
    {"tm2", kL1Ecx, 8},           {"ssse3", kL1Ecx, 9},       {"cid", kL1Ecx, 10},
    {"fma", kL1Ecx, 12},          {"cx16", kL1Ecx, 13},       {"xtpr", kL1Ecx, 14},
    {"pdcm", kL1Ecx, 15},         {"pcid", kL1Ecx, 17},       {"dca", kL1Ecx, 18},
    {"sse4.1", kL1Ecx, 19},       {"sse4.2", kL1Ecx, 20},     {"x2apic", kL1Ecx, 21},
    {"movbe", kL1Ecx, 22},        {"popcnt", kL1Ecx, 23},     {"tsc-deadline", kL1Ecx, 24},
    {"aes", kL1Ecx, 25},          {"xsave", kL1Ecx, 26},      {"avx", kL1Ecx, 28},
    {"f16c", kL1Ecx, 29},         {"rdrand", kL1Ecx, 30},     {"hypervisor", kL1Ecx, 31},
    {"fpu", kL1Edx, 0},           {"vme", kL1Edx, 1},         {"de", kL1Edx, 2},
    {"pse", kL1Edx, 3},           {"tsc", kL1Edx, 4},         {"msr", kL1Edx, 5},
    {"pae", kL1Edx, 6},           {"mce", kL1Edx, 7},         {"cx8", kL1Edx, 8},
    {"apic", kL1Edx, 9},          {"sep", kL1Edx, 11},        {"mtrr", kL1Edx, 12},
    {"pge", kL1Edx, 13},          {"mca", kL1Edx, 14},        {"cmov", kL1Edx, 15},
    {"pat", kL1Edx, 16},          {"pse36", kL1Edx, 17},      {"pn", kL1Edx, 18},
    {"clflush", kL1Edx, 19},      {"ds", kL1Edx, 21},         {"acpi", kL1Edx, 22},
    {"mmx", kL1Edx, 23},          {"fxsr", kL1Edx, 24},       {"sse", kL1Edx, 25},
    {"sse2", kL1Edx, 26},         {"ss", kL1Edx, 27},         {"ht", kL1Edx, 28},
    {"tm", kL1Edx, 29},           {"ia64", kL1Edx, 30},       {"pbe", kL1Edx, 31},
    {"fsgsbase", kL7Ebx, 0},      {"tsc-adjust", kL7Ebx, 1},  {"sgx", kL7Ebx, 2},
    {"bmi1", kL7Ebx, 3},          {"hle", kL7Ebx, 4},         {"avx2", kL7Ebx, 5},
    {"smep", kL7Ebx, 7},          {"bmi2", kL7Ebx, 8},        {"erms", kL7Ebx, 9},
    {"invpcid", kL7Ebx, 10},      {"rtm", kL7Ebx, 11},        {"mpx", kL7Ebx, 14},
    {"avx512f", kL7Ebx, 16},      {"avx512dq", kL7Ebx, 17},   {"rdseed", kL7Ebx, 18},
    {"adx", kL7Ebx, 19},          {"smap", kL7Ebx, 20},       {"avx512ifma", kL7Ebx, 21},
    {"pcommit", kL7Ebx, 22},      {"clflushopt", kL7Ebx, 23}, {"clwb", kL7Ebx, 24},
    {"intel-pt", kL7Ebx, 25},     {"avx512pf", kL7Ebx, 26},   {"avx512er", kL7Ebx, 27},
    {"avx512cd", kL7Ebx, 28},     {"sha-ni", kL7Ebx, 29},     {"avx512bw", kL7Ebx, 30},
    {"avx512vl", kL7Ebx, 31},     {"lahf-lm", kE1Ecx, 0},     {"cmp-legacy", kE1Ecx, 1},
    {"svm", kE1Ecx, 2},           {"extapic", kE1Ecx, 3},     {"cr8legacy", kE1Ecx, 4},
    {"abm", kE1Ecx, 5},           {"sse4a", kE1Ecx, 6},       {"misalignsse", kE1Ecx, 7},
    {"3dnowprefetch", kE1Ecx, 8}, {"osvw", kE1Ecx, 9},        {"ibs", kE1Ecx, 10},
    {"xop", kE1Ecx, 11},          {"skinit", kE1Ecx, 12},     {"wdt", kE1Ecx, 13},
    {"lwp", kE1Ecx, 15},          {"fma4", kE1Ecx, 16},       {"tce", kE1Ecx, 17},
    {"nodeid-msr", kE1Ecx, 19},   {"tbm", kE1Ecx, 21},        {"topoext", kE1Ecx, 22},
    {"perfctr-core", kE1Ecx, 23}, {"perfctr-nb", kE1Ecx, 24}, {"syscall", kE1Edx, 11},
    {"nx", kE1Edx, 20},           {"xd", kE1Edx, 20},         {"mmxext", kE1Edx, 22},
    {"fxsr-opt", kE1Edx, 25},     {"ffxsr", kE1Edx, 25},      {"pdpe1gb", kE1Edx, 26},
    {"rdtscp", kE1Edx, 27},       {"lm", kE1Edx, 29},         {"i64", kE1Edx, 29},
    {"3dnowext", kE1Edx, 30},     {"3dnow", kE1Edx, 31},      {"xsaveopt", kD1Eax, 0},
    {"xsavec", kD1Eax, 1},        {"xgetbv1", kD1Eax, 2},     {"xsaves", kD1Eax, 3},
};

std::string canonical(std::string s) {
  std::replace(s.begin(), s.end(), '_', '-');
  std::replace(s.begin(), s.end(), '.', '-');
  return s;
}

const Bit *find_bit(const std::string &name) {
  const std::string c = canonical(name);
  for (const Bit &b : kBits) {
    if (canonical(b.name) == c) return &b;
  }
  return nullptr;
}

uint32_t &word_of(x86::CpuidModel &m, Word w) {
  switch (w) {
    case kL1Ecx:
      return m.leaf1_ecx;
    case kL1Edx:
      return m.leaf1_edx;
    case kL7Ebx:
      return m.leaf7_ebx;
    case kE1Ecx:
      return m.ext1_ecx;
    case kE1Edx:
      return m.ext1_edx;
    default:
      return m.xsave1_eax;
  }
}

// "CPUID.01H:ECX" and friends, for the warning.
const char *word_name(Word w) {
  static const char *const kNames[] = {"CPUID.01H:ECX",       "CPUID.01H:EDX",
                                       "CPUID.07H:EBX",       "CPUID.80000001H:ECX",
                                       "CPUID.80000001H:EDX", "CPUID.0DH:EAX"};
  return kNames[w];
}

}  // namespace

bool apply_cpu_option(const std::string &spec) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t comma = spec.find(',', start);
    parts.push_back(spec.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  const std::string &model = parts[0];
  const x86::CpuidModel *base = model_cpuid(model);
  if (!base && !model_lacks_long_mode(model)) {
    error_report("unable to find CPU model '{}'", model);
    return false;
  }
  x86::CpuidModel m = base ? *base : x86::cpuid_implemented();
  bool long_mode = base != nullptr;
  // "max" and the other models are QOM types named MODEL-x86_64-cpu in QEMU's messages.
  const std::string type = model + "-x86_64-cpu";
  for (size_t i = 1; i < parts.size(); i++) {
    std::string p = parts[i], name = p;
    bool on = true, plus_minus = false;
    if (!p.empty() && (p[0] == '+' || p[0] == '-')) {
      on = p[0] == '+';
      name = p.substr(1);
      plus_minus = true;
    } else if (const size_t eq = p.find('='); eq != std::string::npos) {
      name = p.substr(0, eq);
      const std::string v = p.substr(eq + 1);
      on = v == "on" || v == "true" || v == "yes";
      if (!on && v != "off" && v != "false" && v != "no") {
        error_report("Parameter '{}' expects 'on' or 'off'", name);
        return false;
      }
    }
    if (!is_cpu_flag(name)) {
      if (plus_minus) {
        error_report("Property '{}.{}' not found", type, name);
      } else {
        error_report("can't apply global {}.{}={}: Property '{}.{}' not found", type, name,
                     p.find('=') == std::string::npos ? "on" : p.substr(p.find('=') + 1), type,
                     name);
      }
      return false;
    }
    const Bit *b = find_bit(name);
    if (!b) continue;  // a flag of a leaf CPUID does not model here: nothing to change
    uint32_t &w = word_of(m, b->word);
    w = on ? (w | 1u << b->bit) : (w & ~(1u << b->bit));
    if (b->word == kE1Edx && b->bit == 29) long_mode = on;
  }
  if (!long_mode) {
    fprintf(stderr, "The selected x86 CPU does not support 64 bit mode\n");
    return false;
  }
  // Asked for but not implemented: said once each, as QEMU says it of what TCG lacks.
  x86::CpuidModel want = m;
  x86::CpuidModel have = x86::cpuid_supported();
  for (const Bit &b : kBits) {
    if (b.word == kL1Ecx && b.bit == 27) continue;  // OSXSAVE follows XSAVE
    const uint32_t bit = 1u << b.bit;
    const bool wanted = word_of(want, b.word) & bit;
    const bool implemented = word_of(have, b.word) & bit;
    if (wanted && !implemented) {
      warn_report("TCG doesn't support requested feature: {}.{} [bit {}]", word_name(b.word),
                  b.name, b.bit);
      word_of(want, b.word) &= ~bit;  // once, even where two names share the bit
    }
  }
  x86::set_cpuid_model(m);
  return true;
}

}  // namespace qemu::user
