#include "jit/exec/log.h"

#include <capstone/capstone.h>
#include <inttypes.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "jit/backend/interp/interp.h"
#include "jit/ir/printer.h"

namespace qemu::jit {

namespace {

// Copies guest bytes [addr, addr + len) into out; false when they cannot be read.
bool read_guest(const EngineOptions &opts, uint64_t addr, uint32_t len, std::vector<uint8_t> &out) {
  size_t base = out.size();
  out.resize(base + len);
  if (!opts.mem) {
    std::memcpy(&out[base], reinterpret_cast<const void *>(opts.guest_base + addr), len);
    return true;
  }
  for (uint32_t i = 0; i < len; i++) {
    uint64_t v;
    if (!opts.mem->load(addr + i, 1, &v)) {
      out.resize(base + i);
      return false;
    }
    out[base + i] = static_cast<uint8_t>(v);
  }
  return true;
}

// One instruction as QEMU prints it: address, its first `split` bytes (padded so that the
// mnemonics line up), mnemonic and operands; longer instructions go on with their other bytes
// on lines of their own.
void print_insn(FILE *out, uint64_t addr, const uint8_t *bytes, size_t size, const char *mnemonic,
                const char *ops, size_t split) {
  std::fprintf(out, "0x%08" PRIx64 ": ", addr);
  const size_t first = std::min(size, split);
  for (size_t i = 0; i < first; i++) std::fprintf(out, " %02x", bytes[i]);
  std::fprintf(out, "%*s  %-8s %s\n", static_cast<int>((split - first) * 3), "", mnemonic, ops);
  for (size_t i = split; i < size; i += split) {
    std::fprintf(out, "0x%08" PRIx64 ": ", addr + i);
    for (size_t k = i; k < std::min(size, i + split); k++) std::fprintf(out, " %02x", bytes[k]);
    std::fputc('\n', out);
  }
}

void disas_range(FILE *out, int arch, int mode, uint64_t addr, const std::vector<uint8_t> &code) {
  csh h;
  if (arch < 0 ||
      cs_open(static_cast<cs_arch>(arch), static_cast<cs_mode>(mode), &h) != CS_ERR_OK) {
    for (size_t i = 0; i < code.size(); i += 8) {
      size_t n = std::min<size_t>(8, code.size() - i);
      print_insn(out, addr + i, &code[i], n, ".byte", "", 8);
    }
    return;
  }
  if (arch == CS_ARCH_X86) cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
  cs_option(h, CS_OPT_SKIPDATA, CS_OPT_ON);
  const size_t split = arch == CS_ARCH_X86 ? 8 : 4;
  const uint8_t *p = code.data();
  size_t left = code.size();
  uint64_t a = addr;
  cs_insn *insn = cs_malloc(h);
  while (left && cs_disasm_iter(h, &p, &left, &a, insn)) {
    print_insn(out, insn->address, insn->bytes, insn->size, insn->mnemonic, insn->op_str, split);
  }
  cs_free(insn, 1);
  cs_close(&h);
}

}  // namespace

void log_in_asm(FILE *out, const Frontend &fe, const EngineOptions &opts, const TbKey &key,
                const TbSource &src) {
  int arch = -1, mode = 0;
  fe.capstone_mode(key.flags, &arch, &mode);
  std::fputs("----------------\nIN: \n", out);
  for (int i = 0; i < 2; i++) {
    if (!src.len[i]) continue;
    std::vector<uint8_t> code;
    read_guest(opts, src.start[i], src.len[i], code);
    disas_range(out, arch, mode, src.start[i], code);
  }
  std::fputc('\n', out);
  std::fflush(out);
}

void log_ir(FILE *out, const char *title, const Ir &ir, bool life) {
  std::string s = print(ir, life);
  std::fprintf(out, "%s\n%s\n", title, s.c_str());
  std::fflush(out);
}

void log_trace(FILE *out, unsigned cpu, const Tb &tb) {
  const void *code = tb.code ? tb.code : static_cast<const void *>(&tb);
  std::fprintf(out, "Trace %u: %p [%016" PRIx64 "/%016" PRIx64 "/%08" PRIx32 "/%08x] \n", cpu, code,
               uint64_t{0}, tb.key.pc, static_cast<uint32_t>(tb.key.flags), 0u);
}

void log_link(FILE *out, const Tb &from, unsigned slot, const Tb &to) {
  auto host = [](const Tb &t) { return t.code ? t.code : static_cast<const void *>(&t); };
  std::fprintf(out, "Linking TBs %p index %u -> %p [%016" PRIx64 "]\n", host(from), slot, host(to),
               to.key.pc);
}

}  // namespace qemu::jit
