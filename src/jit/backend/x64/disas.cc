#include <capstone/capstone.h>
#include <cinttypes>

#include "jit/backend/x64/codegen.h"

namespace qemu::jit::x64 {

void disassemble(const uint8_t *code, size_t size, FILE *out) {
  csh h;
  if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
    std::fprintf(out, "(no disassembler)\n");
    return;
  }
  cs_insn *insn = cs_malloc(h);
  const uint8_t *p = code;
  size_t left = size;
  uint64_t addr = reinterpret_cast<uintptr_t>(code);
  while (left > 0) {
    if (cs_disasm_iter(h, &p, &left, &addr, insn)) {
      std::fprintf(out, "0x%016" PRIx64 ":  %s %s\n", insn->address, insn->mnemonic, insn->op_str);
    } else {  // undecodable: show one byte and go on
      std::fprintf(out, "0x%016" PRIx64 ":  .byte 0x%02x\n", addr, *p);
      p++;
      left--;
      addr++;
    }
  }
  cs_free(insn, 1);
  cs_close(&h);
}

}  // namespace qemu::jit::x64
