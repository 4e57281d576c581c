#include "jit/ir/printer.h"

#include <fmt/format.h>

namespace qemu::jit {

namespace {

bool typed(Opcode o) {
  switch (o) {
    case Opcode::ext_i32_i64:
    case Opcode::extu_i32_i64:
    case Opcode::extrl_i64_i32:
    case Opcode::extrh_i64_i32:
    case Opcode::mb:
    case Opcode::nop:
      return false;
    case Opcode::brcond:
      return true;
    default:
      return !op_has(o, kBranch | kLabel | kCall | kMarker);
  }
}

std::string memop_name(uint64_t mo) {
  static const char *const kSizes[] = {"8", "16", "32", "64"};
  return fmt::format("{}{}", (mo & kMoSign) ? 's' : 'u', kSizes[mo & kMoSizeMask]);
}

}  // namespace

std::string temp_name(const Ir &ir, TempId t) {
  const TempInfo &ti = ir.temp(t);
  switch (ti.kind) {
    case TempKind::env:
      return "env";
    case TempKind::global:
      return ti.name;
    case TempKind::tb:
      return fmt::format("loc{}", t);
    case TempKind::bb:
      return fmt::format("tmp{}", t);
    case TempKind::konst:
      return fmt::format("$0x{:x}", ti.value);
  }
  return "?";
}

std::string print_op(const Ir &ir, const Op &op, bool with_life) {
  if (op.opc == Opcode::insn_start) {
    return fmt::format(" ---- {:016x} {:016x}", op.cst(0), op.cst(1));
  }
  if (op.opc == Opcode::set_label) return fmt::format("L{}:", op.cst(0));
  std::string s = fmt::format(" {}", op_info(op.opc).name.s);
  if (typed(op.opc)) s += op.type == Type::i32 ? "_i32" : "_i64";
  std::string args;
  auto add = [&](const std::string &a) {
    if (!args.empty()) args += ',';
    args += a;
  };
  for (unsigned i = 0; i < op.nout + op.nin; i++)
    add(temp_name(ir, static_cast<TempId>(op.args[i])));
  for (unsigned i = 0; i < op.ncst; i++) {
    uint64_t c = op.cst(i);
    switch (op.opc) {
      case Opcode::setcond:
      case Opcode::movcond:
      case Opcode::brcond:
        if (i == 0) {
          add(cond_name(static_cast<Cond>(c)));
        } else {
          add(fmt::format("L{}", c));
        }
        break;
      case Opcode::br:
        add(fmt::format("L{}", c));
        break;
      case Opcode::ld:
      case Opcode::st:
        add(i == 0 ? memop_name(c) : fmt::format("{:#x}", static_cast<int64_t>(c)));
        break;
      case Opcode::qemu_ld:
      case Opcode::qemu_st:
        add(memop_name(c));
        break;
      case Opcode::call:
        add(ir.helper(c).name);
        break;
      default:
        add(fmt::format("$0x{:x}", c));
        break;
    }
  }
  if (!args.empty()) s += ' ' + args;
  if (with_life && op.life) {
    std::string dead, sync;
    for (unsigned i = 0; i < op.nout + op.nin; i++) {
      if (op.dead_arg(i)) dead += fmt::format(" {}", i);
      if (i < op.nout && op.sync_out(i)) sync += fmt::format(" {}", i);
    }
    s = fmt::format("{:<40}", s);
    if (!sync.empty()) s += "  sync:" + sync;
    if (!dead.empty()) s += "  dead:" + dead;
  }
  return s;
}

std::string print(const Ir &ir, bool with_life) {
  std::string s;
  for (const Op &op : ir.ops) {
    s += print_op(ir, op, with_life);
    s += '\n';
  }
  return s;
}

}  // namespace qemu::jit
