// The x86 CPU model names -cpu accepts (QEMU 7.2's list). Every model runs the same guest CPU
// (what the front end's cpuid reports); the names exist so command lines that name one work.
#include <algorithm>
#include <cstring>

#include "user/options.h"

namespace qemu::user {

namespace {

const char *const kModels[] = {
    "486",
    "486-v1",
    "Broadwell",
    "Broadwell-IBRS",
    "Broadwell-noTSX",
    "Broadwell-noTSX-IBRS",
    "Broadwell-v1",
    "Broadwell-v2",
    "Broadwell-v3",
    "Broadwell-v4",
    "Cascadelake-Server",
    "Cascadelake-Server-noTSX",
    "Cascadelake-Server-v1",
    "Cascadelake-Server-v2",
    "Cascadelake-Server-v3",
    "Cascadelake-Server-v4",
    "Cascadelake-Server-v5",
    "Conroe",
    "Conroe-v1",
    "Cooperlake",
    "Cooperlake-v1",
    "Cooperlake-v2",
    "Denverton",
    "Denverton-v1",
    "Denverton-v2",
    "Denverton-v3",
    "Dhyana",
    "Dhyana-v1",
    "Dhyana-v2",
    "EPYC",
    "EPYC-IBPB",
    "EPYC-Milan",
    "EPYC-Milan-v1",
    "EPYC-Rome",
    "EPYC-Rome-v1",
    "EPYC-Rome-v2",
    "EPYC-v1",
    "EPYC-v2",
    "EPYC-v3",
    "Haswell",
    "Haswell-IBRS",
    "Haswell-noTSX",
    "Haswell-noTSX-IBRS",
    "Haswell-v1",
    "Haswell-v2",
    "Haswell-v3",
    "Haswell-v4",
    "Icelake-Server",
    "Icelake-Server-noTSX",
    "Icelake-Server-v1",
    "Icelake-Server-v2",
    "Icelake-Server-v3",
    "Icelake-Server-v4",
    "Icelake-Server-v5",
    "Icelake-Server-v6",
    "IvyBridge",
    "IvyBridge-IBRS",
    "IvyBridge-v1",
    "IvyBridge-v2",
    "KnightsMill",
    "KnightsMill-v1",
    "Nehalem",
    "Nehalem-IBRS",
    "Nehalem-v1",
    "Nehalem-v2",
    "Opteron_G1",
    "Opteron_G1-v1",
    "Opteron_G2",
    "Opteron_G2-v1",
    "Opteron_G3",
    "Opteron_G3-v1",
    "Opteron_G4",
    "Opteron_G4-v1",
    "Opteron_G5",
    "Opteron_G5-v1",
    "Penryn",
    "Penryn-v1",
    "SandyBridge",
    "SandyBridge-IBRS",
    "SandyBridge-v1",
    "SandyBridge-v2",
    "Skylake-Client",
    "Skylake-Client-IBRS",
    "Skylake-Client-noTSX-IBRS",
    "Skylake-Client-v1",
    "Skylake-Client-v2",
    "Skylake-Client-v3",
    "Skylake-Client-v4",
    "Skylake-Server",
    "Skylake-Server-IBRS",
    "Skylake-Server-noTSX-IBRS",
    "Skylake-Server-v1",
    "Skylake-Server-v2",
    "Skylake-Server-v3",
    "Skylake-Server-v4",
    "Skylake-Server-v5",
    "Snowridge",
    "Snowridge-v1",
    "Snowridge-v2",
    "Snowridge-v3",
    "Snowridge-v4",
    "Westmere",
    "Westmere-IBRS",
    "Westmere-v1",
    "Westmere-v2",
    "athlon",
    "athlon-v1",
    "core2duo",
    "core2duo-v1",
    "coreduo",
    "coreduo-v1",
    "kvm32",
    "kvm32-v1",
    "kvm64",
    "kvm64-v1",
    "n270",
    "n270-v1",
    "pentium",
    "pentium-v1",
    "pentium2",
    "pentium2-v1",
    "pentium3",
    "pentium3-v1",
    "phenom",
    "phenom-v1",
    "qemu32",
    "qemu32-v1",
    "qemu64",
    "qemu64-v1",
    "base",
    "max",
};

bool is_versioned(const char *name) {
  const char *v = strrchr(name, '-');
  return v && v[1] == 'v' && v[2] >= '0' && v[2] <= '9';
}

}  // namespace

void print_cpu_models(FILE *out) {
  fprintf(out, "Available CPUs:\n");
  for (const char *m : kModels) {
    const char *desc = "";
    if (strcmp(m, "base") == 0)
      desc = "base CPU model type with no features enabled";
    else if (strcmp(m, "max") == 0)
      desc = "Enables all features supported by the accelerator in the current host";
    else if (!is_versioned(m))
      desc = "(alias configured by machine type)";
    fprintf(out, "x86 %-20s  %s\n", m, desc);
  }
  fprintf(out, "\n");
}

bool is_cpu_model(const std::string &name) {
  return std::any_of(std::begin(kModels), std::end(kModels),
                     [&](const char *m) { return name == m; });
}

}  // namespace qemu::user
