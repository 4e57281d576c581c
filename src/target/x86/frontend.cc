#include "target/x86/frontend.h"

#include <cinttypes>
#include <cstddef>
#include <cstring>

#include "jit/exec/exits.h"
#include "target/x86/flags.h"
#include "target/x86/insn_features.h"
#include "target/x86/sse.h"

namespace qemu::x86 {

namespace {

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kPageMask = ~(kPageSize - 1);

// capstone.h values, so this file does not need the header.
constexpr int kCsArchX86 = 3;
constexpr int kCsMode64 = 1 << 3;

}  // namespace

jit::TbKey X86Frontend::key(const void *env) const {
  const auto *c = static_cast<const CpuX86 *>(env);
  return {c->rip, (c->eflags & kTF) >> 8 | (c->debug_step ? uint64_t{kTbDebugStep} : 0)};
}

// The key is {rip, 0} in every block that looks up an indirect jump's target: single-step
// blocks (the only ones with other flags) leave to the loop instead, and a popf that sets TF
// leaves its block at once (see tr_popf).
bool X86Frontend::simple_key(size_t *pc_offset, uint64_t *flags) const {
  *pc_offset = offsetof(CpuX86, rip);
  *flags = 0;
  return true;
}

// addsd/subsd/mulsd/divsd (kHelperSseSd) inline on the x86-64 backend.
bool X86Frontend::inline_scalar_double(jit::HelperInfo::GenericFn *fn, size_t *mxcsr_offset) const {
  *fn = kHelperSseSd.fn;
  *mxcsr_offset = offsetof(CpuX86, mxcsr);
  return true;
}

size_t X86Frontend::readable(uint64_t pc) {
  if (!opts_.code_readable) return 15;
  if (!opts_.code_readable(pc & kPageMask, 1)) return 0;
  uint64_t to_end = kPageSize - (pc & (kPageSize - 1));
  if (to_end >= 15) return 15;
  if (opts_.code_readable((pc & kPageMask) + kPageSize, 1)) return 15;
  return to_end;
}

void X86Frontend::translate(const jit::TbKey &key, jit::Builder &b, jit::TbSource &src,
                            unsigned max_insns) {
  Translator t(b, opts_);
  t.tb_flags = key.flags;
  if (t.single_step()) max_insns = 1;
  uint64_t pc = key.pc;
  const uint64_t page = pc & kPageMask;
  src = {};
  src.start[0] = pc;
  uint64_t end = pc;
  if (max_insns == 0) max_insns = 1;
  for (unsigned n = 0;; n++) {
    if (opts_.breakpoint_at && opts_.breakpoint_at(pc)) {
      if (n > 0) {
        t.jump(pc, 0);  // the breakpoint starts the next block
        break;
      }
      // The block is the breakpoint alone; its source covers pc so that removing the
      // breakpoint (which invalidates pc) drops it.
      b.insn_start(pc, t.cc_op);
      src.num_insns++;
      t.exit_with(kExitBreakpoint, pc);
      end = pc + 1;
      break;
    }
    Insn in;
    const size_t avail = readable(pc);
    auto *bytes = reinterpret_cast<const uint8_t *>(opts_.guest_base + pc);
    DecodeStatus st = avail ? decode(bytes, avail, pc, &in) : DecodeStatus::fetch_fault;
    if (st == DecodeStatus::fetch_fault && n > 0) {
      t.jump(pc, 0);  // the next block starts with the fault
      break;
    }
    b.insn_start(pc, t.cc_op);
    src.num_insns++;
    if (st == DecodeStatus::fetch_fault) {
      b.st_env(jit::Type::i64, t.cst(pc + avail), offsetof(CpuX86, fault_addr), jit::kMo64);
      t.gen_exception(kExcpPF, pc, 0x14);
      end = pc + avail;
      break;
    }
    if (st != DecodeStatus::ok) {
      t.gen_exception(st == DecodeStatus::too_long ? kExcpGP : kExcpUD, pc);
      end = pc + (in.len ? in.len : 1);
      break;
    }
    if (const Def *d = model_def(in); d != in.def) {
      if (!d) {
        t.gen_exception(kExcpUD, pc);
        end = in.next_pc;
        break;
      }
      in.def = d;
    }
    t.begin_insn(in);
    in.def->fn(t, in);
    end = in.next_pc;
    if (t.ended) break;
    pc = in.next_pc;
    if (n + 1 >= max_insns || (pc & kPageMask) != page) {
      t.jump(pc, 0);
      break;
    }
  }
  // Source ranges: this page, and the next one when the last instruction crossed into it.
  const uint64_t page_end = page + kPageSize;
  if (end > page_end) {
    src.len[0] = static_cast<uint32_t>(page_end - src.start[0]);
    src.start[1] = page_end;
    src.len[1] = static_cast<uint32_t>(end - page_end);
  } else {
    src.len[0] = static_cast<uint32_t>(end - src.start[0]);
  }
}

void X86Frontend::restore(void *env, uint64_t insn_pc, uint64_t extra) {
  auto *cpu = static_cast<CpuX86 *>(env);
  cpu->rip = insn_pc;
  if (extra != kCcDynamic) cpu->cc_op = static_cast<uint32_t>(extra);
}

void X86Frontend::capstone_mode(uint64_t, int *arch, int *mode) const {
  *arch = kCsArchX86;
  *mode = kCsMode64;
}

namespace {

// -d fpu: x87 (physical registers; FTW has a bit set per register in use), MXCSR and the
// 16 vector registers as YMM, high quadword first, as QEMU 7.2 prints them.
void dump_fpu(const CpuX86 &c, FILE *out) {
  uint64_t tags;  // byte i: 1 when register i is empty
  std::memcpy(&tags, c.fptags, 8);
  unsigned ftw = 0;
  for (unsigned i = 0; i < 8; i++, tags >>= 8) ftw |= ((tags & 1) ^ 1) << i;
  const unsigned fsw = (c.fpus & ~0x3800u) | (c.fpstt & 7) << 11;
  std::fprintf(out, "FCW=%04x FSW=%04x [ST=%u] FTW=%02x MXCSR=%08x\n", c.fpuc, fsw, c.fpstt & 7,
               ftw, c.mxcsr);
  for (unsigned i = 0; i < 8; i++) {
    std::fprintf(out, "FPR%u=%016" PRIx64 " %04x%c", i, c.fpregs[i].mant, c.fpregs[i].exp,
                 i % 2 ? '\n' : ' ');
  }
  for (unsigned i = 0; i < 16; i++) {
    std::fprintf(out, "YMM%02u=%016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n", i,
                 c.ymmh[i].q[1], c.ymmh[i].q[0], c.xmm[i].q[1], c.xmm[i].q[0]);
  }
}

}  // namespace

void X86Frontend::dump_state(const void *env, FILE *out, bool fpu) const {
  const auto &c = *static_cast<const CpuX86 *>(env);
  static const char *const kNames[16] = {"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
                                         "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15"};
  static const int kOrder[16] = {RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP,
                                 R8,  R9,  R10, R11, R12, R13, R14, R15};
  for (int i = 0; i < 16; i++) {
    std::fprintf(out, "%s=%016" PRIx64 "%c", kNames[i], c.regs[kOrder[i]], i % 4 == 3 ? '\n' : ' ');
  }
  const uint64_t f = get_eflags(c);
  std::fprintf(
      out, "RIP=%016" PRIx64 " RFL=%08" PRIx64 " [%c%c%c%c%c%c%c] CPL=3 II=0 A20=1 SMM=0 HLT=0\n",
      c.rip, f, f & kOF ? 'O' : '-', f & kDF ? 'D' : '-', f & kSF ? 'S' : '-', f & kZF ? 'Z' : '-',
      f & kAF ? 'A' : '-', f & kPF ? 'P' : '-', f & kCF ? 'C' : '-');
  // Segments as a 64-bit user process sees them.
  std::fprintf(out, "ES =0000 0000000000000000 00000000 00000000\n");
  std::fprintf(out, "CS =0033 0000000000000000 ffffffff 00effb00 DPL=3 CS64 [-RA]\n");
  std::fprintf(out, "SS =002b 0000000000000000 ffffffff 00cff300 DPL=3 DS   [-WA]\n");
  std::fprintf(out, "DS =0000 0000000000000000 00000000 00000000\n");
  std::fprintf(out, "FS =0000 %016" PRIx64 " 00000000 00000000\n", c.fs_base);
  std::fprintf(out, "GS =0000 %016" PRIx64 " 00000000 00000000\n", c.gs_base);
  std::fprintf(out, "LDT=0000 0000000000000000 00000000 00008200 DPL=0 LDT\n");
  std::fprintf(out, "TR =0000 0000000000000000 0000ffff 00008b00 DPL=0 TSS64-busy\n");
  std::fprintf(out, "GDT=     0000000000000000 0000007f\n");
  std::fprintf(out, "IDT=     0000000000000000 000001ff\n");
  std::fprintf(out, "CR0=80010001 CR2=0000000000000000 CR3=0000000000000000 CR4=00050220\n");
  std::fprintf(out,
               "DR0=0000000000000000 DR1=0000000000000000 DR2=0000000000000000 "
               "DR3=0000000000000000 \n");
  std::fprintf(out, "DR6=00000000ffff0ff0 DR7=0000000000000400\n");
  static const char *const kKinds[] = {"EFLAGS", "ADD", "ADC", "SUB", "SBB", "LOGIC",
                                       "INC",    "DEC", "SHL", "SAR", "MUL"};
  static const char kSizes[] = "BWLQ";
  char name[16];
  const uint32_t k = cc_kind(c.cc_op & ~kCcRotMask) / 4;
  if (k == 0) {
    std::snprintf(name, sizeof name, "EFLAGS");
  } else if (k < sizeof kKinds / sizeof kKinds[0]) {
    std::snprintf(name, sizeof name, "%s%c", kKinds[k], kSizes[cc_size_log2(c.cc_op)]);
  } else {
    std::snprintf(name, sizeof name, "[%u]", c.cc_op);
  }
  std::fprintf(out, "CCS=%016" PRIx64 " CCD=%016" PRIx64 " CCO=%s\n", c.cc_src, c.cc_dst, name);
  std::fprintf(out, "EFER=0000000000000500\n");
  if (fpu) dump_fpu(c, out);
}

}  // namespace qemu::x86
