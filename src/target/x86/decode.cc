#include "target/x86/decode.h"

#include <array>
#include <memory>

namespace qemu::x86 {

namespace {

// Lookup index built once from the definitions: (map, opcode, prefix class, ModRM.reg,
// register form) -> definition index + 1.
struct Index {
  static constexpr size_t kSize = size_t{kNumMaps} * 256 * 4 * 8 * 2;
  std::array<uint16_t, kSize> slot{};
  std::array<uint8_t, size_t{kNumMaps} * 256> modrm{};
  const Def *defs = nullptr;

  static size_t key(unsigned map, unsigned opc, unsigned pfx, unsigned reg, unsigned is_reg) {
    return (((map * 256 + opc) * 4 + pfx) * 8 + reg) * 2 + is_reg;
  }

  Index() {
    size_t n = 0;
    defs = all_defs(&n);
    std::array<uint8_t, kSize> score{};
    for (size_t i = 0; i < n; i++) {
      const Def &d = defs[i];
      if (d.has_modrm()) modrm[d.map * 256 + d.opc] = 1;
      uint8_t s = static_cast<uint8_t>(1 + (d.pfx != kPfxAny) + (d.reg >= 0) + (d.mod != kModAny));
      for (unsigned pfx = 0; pfx < 4; pfx++) {
        if (d.pfx != kPfxAny && d.pfx != pfx) continue;
        for (unsigned reg = 0; reg < 8; reg++) {
          if (d.reg >= 0 && static_cast<unsigned>(d.reg) != reg) continue;
          for (unsigned r = 0; r < 2; r++) {
            if ((d.mod == kModMem && r) || (d.mod == kModReg && !r)) continue;
            size_t k = key(d.map, d.opc, pfx, reg, r);
            if (s >= score[k]) {
              score[k] = s;
              slot[k] = static_cast<uint16_t>(i + 1);
            }
          }
        }
      }
    }
  }
};

const Index &index() {
  static const std::unique_ptr<Index> idx = std::make_unique<Index>();
  return *idx;
}

struct Reader {
  const uint8_t *bytes;
  size_t avail;
  size_t pos = 0;
  bool fault = false;

  uint64_t get(unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
      if (pos >= avail) {
        fault = true;
        return 0;
      }
      v |= uint64_t{bytes[pos++]} << (8 * i);
    }
    return v;
  }
  int64_t get_signed(unsigned n) {
    uint64_t v = get(n);
    unsigned sh = 64 - 8 * n;
    return static_cast<int64_t>(v << sh) >> sh;
  }
};

}  // namespace

unsigned operand_size(const Insn &insn, Opnd form) {
  switch (form) {
    case Opnd::none:
    case Opnd::M:
      return 0;
    case Opnd::Eb:
    case Opnd::Gb:
    case Opnd::Ib:
    case Opnd::Ibs:
    case Opnd::Jb:
    case Opnd::Ob:
    case Opnd::AL:
    case Opnd::CL:
    case Opnd::Zb:
    case Opnd::One:
      return 1;
    case Opnd::Ew:
    case Opnd::Gw:
    case Opnd::Iw:
    case Opnd::DX:
      return 2;
    case Opnd::Ed:
    case Opnd::Gd:
      return 4;
    case Opnd::Eq:
    case Opnd::Gq:
    case Opnd::Zq:
      return insn.osize == 2 ? 2 : 8;
    case Opnd::Ey:
    case Opnd::Gy:
    case Opnd::By:
      return insn.rex_w() ? 8 : 4;
    case Opnd::V:
    case Opnd::W:
    case Opnd::U:
    case Opnd::H:
      return insn.vex_l ? 32 : 16;
    case Opnd::P:
    case Opnd::Q:
    case Opnd::N:
      return 8;
    case Opnd::Iz:
    case Opnd::Jz:
      return insn.osize == 2 ? 2 : 4;
    default:
      return insn.osize;
  }
}

DecodeStatus decode(const uint8_t *bytes, size_t avail, uint64_t pc, Insn *out) {
  const Index &idx = index();
  Insn in;
  in.pc = pc;
  Reader rd{bytes, avail};
  auto fetch_fault = [&] {
    in.len = static_cast<unsigned>(rd.pos);
    *out = in;
    return rd.pos > 15 ? DecodeStatus::too_long : DecodeStatus::fetch_fault;
  };
  uint8_t pfx_class = kPfxNone;
  bool legacy_simd_pfx = false;
  uint8_t b;
  for (;;) {
    b = static_cast<uint8_t>(rd.get(1));
    if (rd.fault) return fetch_fault();
    if (rd.pos > 15) return DecodeStatus::too_long;
    bool is_rex = (b & 0xf0) == 0x40;
    if (!is_rex) {
      switch (b) {
        case 0x66:
          in.opsize_prefix = true;
          break;
        case 0x67:
          in.addr32 = true;
          break;
        case 0xf2:
        case 0xf3:
          in.rep = b;
          break;
        case 0xf0:
          in.lock = true;
          break;
        case 0x26:
        case 0x2e:
        case 0x36:
        case 0x3e:
          break;
        case 0x64:
          in.seg = kSegFS;
          break;
        case 0x65:
          in.seg = kSegGS;
          break;
        default:
          goto opcode;
      }
      in.rex = 0;  // a REX prefix must come last
      continue;
    }
    in.rex = b;
  }
opcode:
  legacy_simd_pfx = in.opsize_prefix || in.rep || in.lock;
  if (b == 0xc4 || b == 0xc5) {
    if (legacy_simd_pfx || in.rex) return DecodeStatus::undefined;
    in.vex = true;
    uint8_t map_sel, wvvvv;
    uint8_t b1 = static_cast<uint8_t>(rd.get(1));
    if (b == 0xc5) {
      map_sel = 1;
      wvvvv = b1;
      in.rex = 0x40 | ((~b1 >> 5) & 4);
    } else {
      map_sel = b1 & 0x1f;
      wvvvv = static_cast<uint8_t>(rd.get(1));
      in.rex = 0x40 | ((~b1 >> 5) & 7) | ((wvvvv >> 4) & 8);
      in.vex_w = wvvvv >> 7;
    }
    if (rd.fault) return fetch_fault();
    in.vex_vvvv = (~wvvvv >> 3) & 15;
    in.vex_l = (wvvvv >> 2) & 1;
    pfx_class = wvvvv & 3;  // none, 66, F3, F2 in that order
    if (map_sel == 1) {
      in.map = kMapVex0F;
    } else if (map_sel == 2) {
      in.map = kMapVex0F38;
    } else if (map_sel == 3) {
      in.map = kMapVex0F3A;
    } else {
      return DecodeStatus::undefined;
    }
    in.opc = static_cast<uint8_t>(rd.get(1));
    // The implied prefix, as the legacy handlers read it.
    in.opsize_prefix = pfx_class == kPfx66;
    in.rep = pfx_class == kPfxF3 ? 0xf3 : pfx_class == kPfxF2 ? 0xf2 : 0;
  } else if (b == 0x0f) {
    uint8_t b2 = static_cast<uint8_t>(rd.get(1));
    if (b2 == 0x38 || b2 == 0x3a) {
      in.map = b2 == 0x38 ? kMap0F38 : kMap0F3A;
      in.opc = static_cast<uint8_t>(rd.get(1));
    } else {
      in.map = kMap0F;
      in.opc = b2;
    }
    pfx_class = in.rep == 0xf3     ? kPfxF3
                : in.rep == 0xf2   ? kPfxF2
                : in.opsize_prefix ? kPfx66
                                   : kPfxNone;
  } else {
    in.map = kMap1;
    in.opc = b;
  }
  if (rd.fault) return fetch_fault();

  // ModRM, SIB and displacement.
  const uint8_t rex = in.rex;
  if (idx.modrm[in.map * 256 + in.opc]) {
    uint8_t modrm = static_cast<uint8_t>(rd.get(1));
    if (rd.fault) return fetch_fault();
    in.has_modrm = true;
    in.mod = modrm >> 6;
    in.reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    uint8_t rm = modrm & 7;
    if (in.mod == 3) {
      in.rm = rm | ((rex & 1) << 3);
    } else {
      if (rm == 4) {
        uint8_t sib = static_cast<uint8_t>(rd.get(1));
        in.scale = sib >> 6;
        int index = ((sib >> 3) & 7) | ((rex & 2) << 2);
        in.vsib_index = static_cast<uint8_t>(index);
        in.index = index == 4 ? -1 : index;
        int base = sib & 7;
        if (base == 5 && in.mod == 0) {
          in.base = -1;
          in.disp = rd.get_signed(4);
        } else {
          in.base = base | ((rex & 1) << 3);
        }
      } else if (rm == 5 && in.mod == 0) {
        in.base = Insn::kRipBase;
        in.disp = rd.get_signed(4);
      } else {
        in.base = rm | ((rex & 1) << 3);
      }
      if (in.mod == 1) in.disp = rd.get_signed(1);
      if (in.mod == 2) in.disp = rd.get_signed(4);
    }
    if (rd.fault) return fetch_fault();
  }

  size_t k = Index::key(in.map, in.opc, in.map == kMap1 ? uint8_t{kPfxNone} : pfx_class, in.reg & 7,
                        in.mod == 3);
  uint16_t slot = idx.slot[k];
  if (!slot) return DecodeStatus::undefined;
  const Def &d = idx.defs[slot - 1];
  in.def = &d;
  if (in.lock && (!(d.flags & kLock) || !in.is_mem())) return DecodeStatus::undefined;
  if (d.flags & kAvx) {
    bool uses_vvvv = false;
    for (Opnd o : d.o) uses_vvvv |= o == Opnd::H;
    if ((!uses_vvvv && in.vex_vvvv) || ((d.flags & kVexL0) && in.vex_l) ||
        ((d.flags & kVexL1) && !in.vex_l) || ((d.flags & kVexW0) && in.vex_w)) {
      return DecodeStatus::undefined;
    }
  }

  // Operand size.
  if (d.flags & kF64) {
    in.osize = 8;
  } else if (in.rex_w() && !in.vex) {
    in.osize = 8;
  } else if (in.opsize_prefix && d.pfx != kPfx66 && !in.vex) {
    in.osize = 2;
  } else if (d.flags & kD64) {
    in.osize = 8;
  } else {
    in.osize = in.vex && in.vex_w ? 8 : 4;
  }

  // Immediates.
  bool first = true;
  for (Opnd o : d.o) {
    unsigned n = 0;
    bool sign = false;
    switch (o) {
      case Opnd::Ib:
        n = 1;
        break;
      case Opnd::Ibs:
      case Opnd::Jb:
        n = 1;
        sign = true;
        break;
      case Opnd::Iw:
        n = 2;
        break;
      case Opnd::Iz:
        n = in.osize == 2 ? 2 : 4;
        sign = true;
        break;
      case Opnd::Jz:
        n = 4;
        sign = true;
        break;
      case Opnd::Iv:
        n = in.osize;
        break;
      case Opnd::Ob:
      case Opnd::Ov:
        n = in.addr32 ? 4 : 8;
        break;
      default:
        continue;
    }
    uint64_t v = sign ? static_cast<uint64_t>(rd.get_signed(n)) : rd.get(n);
    if (first) {
      in.imm = v;
      first = false;
    } else {
      in.imm2 = v;
    }
  }
  if (d.flags & kVexImm) in.imm = rd.get(1);
  if (rd.fault) return fetch_fault();
  if (rd.pos > 15) return DecodeStatus::too_long;
  in.len = static_cast<unsigned>(rd.pos);
  in.next_pc = pc + in.len;
  *out = in;
  return DecodeStatus::ok;
}

}  // namespace qemu::x86
