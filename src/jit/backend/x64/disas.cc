// -d out_asm in QEMU's layout: "0x<address>:  <bytes, 8 per line>  <mnemonic> <operands>" in
// AT&T syntax, an instruction longer than 8 bytes continuing on the next line.
#include <capstone/capstone.h>

#include <algorithm>
#include <cinttypes>

#include "jit/backend/x64/codegen.h"
#include "jit/backend/x64/insn_map.h"

namespace qemu::jit::x64 {

namespace {

constexpr size_t kColumns = 8;

void print_line(FILE *out, uint64_t addr, const uint8_t *bytes, size_t size, const char *mnemonic,
                const char *ops) {
  for (size_t i = 0; i == 0 || i < size; i += kColumns) {
    std::fprintf(out, "0x%08" PRIx64 ":  ", addr + i);
    for (size_t k = 0; k < kColumns; k++) {
      if (i + k < size) {
        std::fprintf(out, "%02x ", bytes[i + k]);
      } else {
        std::fputs("   ", out);
      }
    }
    if (i == 0) std::fprintf(out, " %-8s %s", mnemonic, ops);
    std::fputc('\n', out);
  }
}

}  // namespace

void disassemble(const uint8_t *code, size_t size, FILE *out) {
  csh h;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
    for (size_t i = 0; i < size; i += kColumns) {
      print_line(out, reinterpret_cast<uintptr_t>(code + i), code + i, std::min(kColumns, size - i),
                 ".byte", "");
    }
    return;
  }
  cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
  cs_insn *insn = cs_malloc(h);
  const uint8_t *p = code;
  size_t left = size;
  uint64_t addr = reinterpret_cast<uintptr_t>(code);
  while (left > 0) {
    if (cs_disasm_iter(h, &p, &left, &addr, insn)) {
      print_line(out, insn->address, insn->bytes, insn->size, insn->mnemonic, insn->op_str);
    } else {  // undecodable: one byte, and on
      print_line(out, addr, p, 1, ".byte", "");
      p++;
      left--;
      addr++;
    }
  }
  cs_free(insn, 1);
  cs_close(&h);
}

void disassemble_tb(const CompiledTb &tb, FILE *out) {
  uint32_t start = 0;
  bool first = true;
  auto marker = [&](uint64_t pc) {
    std::fprintf(out, "  -- guest addr 0x%016" PRIx64 "%s\n", pc, first ? " + tb prologue" : "");
    first = false;
  };
  insn_map_walk(tb.insn_map, [&](uint32_t off, uint64_t pc, uint64_t) {
    if (off > start) disassemble(tb.code + start, off - start, out);
    start = off;
    marker(pc);
    return true;
  });
  if (tb.size > start) disassemble(tb.code + start, tb.size - start, out);
}

}  // namespace qemu::jit::x64
