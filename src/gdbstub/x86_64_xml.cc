// The x86-64 target description gdb reads with qXfer:features:read, built from tables: the
// registers in gdb's numbering (which the 'g' packet and x86_64.cc follow), their types, and the
// named bits of EFLAGS, the control registers, EFER and MXCSR (as the SDM names them).
#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "gdbstub/x86_64.h"

namespace qemu::gdbstub {

namespace {

struct Field {
  const char *name;  // "" for a reserved bit range
  int lo, hi;
};

// Fields in the order gdb shows the set ones: the highest bit first, as gdb's own x86
// descriptions list them (MXCSR's lowest first, as gdb's SSE feature does).
struct Flags {
  const char *id;
  int size;
  bool high_first;
  std::initializer_list<Field> fields;
};

const Flags kFlags[] = {
    {"x64_eflags", 4, true, {{"CF", 0, 0},     {"", 1, 1},     {"PF", 2, 2},    {"", 3, 3},
                             {"AF", 4, 4},     {"", 5, 5},     {"ZF", 6, 6},    {"SF", 7, 7},
                             {"TF", 8, 8},     {"IF", 9, 9},   {"DF", 10, 10},  {"OF", 11, 11},
                             {"IOPL", 12, 13}, {"NT", 14, 14}, {"", 15, 15},    {"RF", 16, 16},
                             {"VM", 17, 17},   {"AC", 18, 18}, {"VIF", 19, 19}, {"VIP", 20, 20},
                             {"ID", 21, 21},   {"", 22, 31}}},
    {"x64_cr0",
     8,
     true,
     {{"PE", 0, 0},
      {"MP", 1, 1},
      {"EM", 2, 2},
      {"TS", 3, 3},
      {"ET", 4, 4},
      {"NE", 5, 5},
      {"WP", 16, 16},
      {"AM", 18, 18},
      {"NW", 29, 29},
      {"CD", 30, 30},
      {"PG", 31, 31}}},
    {"x64_cr3", 8, true, {{"PCID", 0, 11}, {"PDBR", 12, 63}}},
    {"x64_cr4", 8, true, {{"VME", 0, 0},        {"PVI", 1, 1},          {"TSD", 2, 2},
                          {"DE", 3, 3},         {"PSE", 4, 4},          {"PAE", 5, 5},
                          {"MCE", 6, 6},        {"PGE", 7, 7},          {"PCE", 8, 8},
                          {"OSFXSR", 9, 9},     {"OSXMMEXCPT", 10, 10}, {"UMIP", 11, 11},
                          {"LA57", 12, 12},     {"VMXE", 13, 13},       {"SMXE", 14, 14},
                          {"FSGSBASE", 16, 16}, {"PCIDE", 17, 17},      {"OSXSAVE", 18, 18},
                          {"SMEP", 20, 20},     {"SMAP", 21, 21},       {"PKE", 22, 22}}},
    {"x64_efer",
     8,
     true,
     {{"SCE", 0, 0},
      {"LME", 8, 8},
      {"LMA", 10, 10},
      {"NXE", 11, 11},
      {"SVME", 12, 12},
      {"LMSLE", 13, 13},
      {"FFXSR", 14, 14},
      {"TCE", 15, 15}}},
    {"x64_mxcsr",
     4,
     false,
     {{"IE", 0, 0},
      {"DE", 1, 1},
      {"ZE", 2, 2},
      {"OE", 3, 3},
      {"UE", 4, 4},
      {"PE", 5, 5},
      {"DAZ", 6, 6},
      {"IM", 7, 7},
      {"DM", 8, 8},
      {"ZM", 9, 9},
      {"OM", 10, 10},
      {"UM", 11, 11},
      {"PM", 12, 12},
      {"FZ", 15, 15}}},
};

// The 128-bit vector register type: the same bits as floats, doubles and integers.
struct Lanes {
  const char *id, *type;
  int count;
  const char *field;
};
const Lanes kLanes[] = {
    {"v4f", "ieee_single", 4, "v4_float"}, {"v2d", "ieee_double", 2, "v2_double"},
    {"v16i8", "int8", 16, "v16_int8"},     {"v8i16", "int16", 8, "v8_int16"},
    {"v4i32", "int32", 4, "v4_int32"},     {"v2i64", "int64", 2, "v2_int64"}};

struct Reg {
  std::string name;
  int bits;
  const char *type;
  const char *group = nullptr;
};

std::vector<Reg> registers() {
  std::vector<Reg> r;
  for (const char *n : {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp"}) {
    const std::string s = n;
    r.push_back({s, 64, s == "rbp" || s == "rsp" ? "data_ptr" : "int64"});
  }
  for (int i = 8; i < 16; i++) r.push_back({"r" + std::to_string(i), 64, "int64"});
  r.push_back({"rip", 64, "code_ptr"});
  r.push_back({"eflags", 32, "x64_eflags"});
  for (const char *n : {"cs", "ss", "ds", "es", "fs", "gs"}) r.push_back({n, 32, "int32"});
  for (const char *n : {"fs_base", "gs_base", "k_gs_base"}) r.push_back({n, 64, "int64"});
  r.push_back({"cr0", 64, "x64_cr0"});
  r.push_back({"cr2", 64, "int64"});
  r.push_back({"cr3", 64, "x64_cr3"});
  r.push_back({"cr4", 64, "x64_cr4"});
  r.push_back({"cr8", 64, "int64"});
  r.push_back({"efer", 64, "x64_efer"});
  for (int i = 0; i < 8; i++) r.push_back({"st" + std::to_string(i), 80, "i387_ext"});
  for (const char *n : {"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop"})
    r.push_back({n, 32, "int", "float"});
  for (int i = 0; i < 16; i++) r.push_back({"xmm" + std::to_string(i), 128, "vec128"});
  r.push_back({"mxcsr", 32, "x64_mxcsr", "vector"});
  return r;
}

std::string build_core() {
  std::string x =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
      "<feature name=\"org.gnu.gdb.i386.core\">\n";
  for (const Flags &f : kFlags) {
    x += "  <flags id=\"" + std::string(f.id) + "\" size=\"" + std::to_string(f.size) + "\">\n";
    std::vector<Field> fields(f.fields);
    if (f.high_first) std::reverse(fields.begin(), fields.end());
    for (const Field &b : fields) {
      x += "    <field name=\"" + std::string(b.name) + "\" start=\"" + std::to_string(b.lo) +
           "\" end=\"" + std::to_string(b.hi) + "\"/>\n";
    }
    x += "  </flags>\n";
  }
  for (const Lanes &l : kLanes) {
    x += "  <vector id=\"" + std::string(l.id) + "\" type=\"" + l.type + "\" count=\"" +
         std::to_string(l.count) + "\"/>\n";
  }
  x += "  <union id=\"vec128\">\n";
  for (const Lanes &l : kLanes)
    x += "    <field name=\"" + std::string(l.field) + "\" type=\"" + l.id + "\"/>\n";
  x += "    <field name=\"uint128\" type=\"uint128\"/>\n  </union>\n";
  int n = 0;
  for (const Reg &r : registers()) {
    x += "  <reg name=\"" + r.name + "\" bitsize=\"" + std::to_string(r.bits) + "\" type=\"" +
         r.type + "\"";
    if (r.group) x += " group=\"" + std::string(r.group) + "\"";
    x += " regnum=\"" + std::to_string(n++) + "\"/>\n";
  }
  return x + "</feature>\n";
}

}  // namespace

const char *x86_64_target_xml(std::string_view annex) {
  static const std::string target =
      "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\"><target>"
      "<architecture>i386:x86-64</architecture><xi:include href=\"i386-64bit.xml\"/></target>";
  static const std::string core = build_core();
  if (annex == "target.xml") return target.c_str();
  if (annex == "i386-64bit.xml") return core.c_str();
  return nullptr;
}

}  // namespace qemu::gdbstub
