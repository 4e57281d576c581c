// Seeded random IR for property tests: both types, every op family, globals/TB/block temps,
// forward branches, exits, env and guest memory accesses with faults, the four helper kinds.
// Used by optimize_property_test (interpreter before/after the passes) and x64_property_test
// (interpreter against the x86-64 backend).
#pragma once

#include <random>
#include <vector>

#include "jit/ir/builder.h"
#include "jit_test_util.h"

namespace qemu::jit::test {

struct GenOptions {
  // Faulting guest addresses stay in [kFaultBase, kFaultBase + 0x10000) instead of anywhere
  // (for a backend whose guest memory is a real mapping with that window unmapped).
  bool bounded_faults = false;
  // When not 0, goto_ptr jumps to this constant and the pointer value chosen is stored at
  // kGotoPtrValue in the CPU state instead (for a backend that really jumps).
  uint64_t goto_ptr_target = 0;
  // An insn_start after every label, so that the last insn_start executed before any op is
  // also the last one before it in the op list (what a backend's fault map can know).
  bool insn_start_after_labels = false;
};

inline constexpr uint64_t kFaultBase = 0x100000;
inline constexpr int64_t kGotoPtrValue = kScratch + 56;  // ld/st use scratch bytes 0..55

class Generator {
 public:
  explicit Generator(uint64_t seed, GenOptions opts = {})
      : rng_(seed), opts_(opts), b_(ir_), g_(ir_) {
    for (TempId t : g_.g64) vars64_.push_back(t);
    for (TempId t : g_.g32) vars32_.push_back(t);
  }

  Ir make(int nops) {
    for (int i = 0; i < 3; i++) {
      tb64_.push_back(b_.tb_temp(Type::i64));
      b_.movi(Type::i64, tb64_.back(), value(Type::i64));
      tb32_.push_back(b_.tb_temp(Type::i32));
      b_.mov(Type::i32, tb32_.back(), g_.g32[i]);
    }
    int nlabels = static_cast<int>(rnd(4));
    for (int i = 0; i < nlabels; i++) labels_.push_back(b_.label());
    uint64_t pc = 0x400000;
    for (int i = 0; i < nops; i++) {
      if (rnd(8) == 0) b_.insn_start(pc += 4, rnd(4));
      if (next_label_ < labels_.size() && rnd(nops / (nlabels + 1) + 1) == 0) {
        b_.set_label(labels_[next_label_++]);
        if (opts_.insn_start_after_labels) b_.insn_start(pc += 4, rnd(4));
        end_bb();
      }
      emit_random();
    }
    while (next_label_ < labels_.size()) {
      b_.set_label(labels_[next_label_++]);
      if (opts_.insn_start_after_labels) b_.insn_start(pc += 4, rnd(4));
      end_bb();
      if (rnd(2)) emit_random();
    }
    if (rnd(6) == 0) {
      TempId p = pick(Type::i64);
      if (opts_.goto_ptr_target) {
        // Real code to jump to: the pointer's value is kept in the CPU state instead.
        b_.st_env(Type::i64, p, kGotoPtrValue, kMo64);
        p = b_.konst(Type::i64, opts_.goto_ptr_target);
      }
      b_.goto_ptr(p);
    } else {
      b_.goto_tb(0);
      b_.exit_tb(rnd(1000));
    }
    return std::move(ir_);
  }

 private:
  uint64_t rnd(uint64_t n) { return n ? rng_() % n : 0; }
  Type type() { return rnd(2) ? Type::i64 : Type::i32; }

  uint64_t value(Type t) {
    static const uint64_t kSpecial[] = {
        0,    1,    2,          31,         32,         63,    64,
        0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, ~0ull, 0x8000000000000000ull};
    uint64_t v = rnd(3) ? kSpecial[rnd(std::size(kSpecial))] : rng_();
    if (rnd(4) == 0) v = ~v;
    return v & type_mask(t);
  }

  std::vector<TempId> &vars(Type t) { return t == Type::i64 ? vars64_ : vars32_; }
  std::vector<TempId> &bbs(Type t) { return t == Type::i64 ? bb64_ : bb32_; }
  std::vector<TempId> &tbs(Type t) { return t == Type::i64 ? tb64_ : tb32_; }

  TempId pick(Type t) {
    switch (rnd(6)) {
      case 0:
        return b_.konst(t, value(t));
      case 1:
      case 2:
        if (!bbs(t).empty()) return bbs(t)[rnd(bbs(t).size())];
        [[fallthrough]];
      case 3:
        return tbs(t)[rnd(tbs(t).size())];
      default:
        return vars(t)[rnd(vars(t).size())];
    }
  }

  TempId dest(Type t) {
    switch (rnd(5)) {
      case 0:
        return vars(t)[rnd(vars(t).size())];
      case 1:
        return tbs(t)[rnd(tbs(t).size())];
      case 2:
        if (!bbs(t).empty()) return bbs(t)[rnd(bbs(t).size())];
        [[fallthrough]];
      default: {
        TempId n = b_.temp(t);
        bbs(t).push_back(n);
        return n;
      }
    }
  }
  // A destination distinct from other.
  TempId dest_not(Type t, TempId other) {
    for (;;) {
      TempId d = dest(t);
      if (d != other) return d;
    }
  }

  void end_bb() {
    bb64_.clear();
    bb32_.clear();
  }

  TempId guest_addr() {
    TempId a = pick(Type::i64);
    if (rnd(16) == 0) {  // most likely a fault
      if (!opts_.bounded_faults) return a;
      TempId f = b_.temp(Type::i64);
      b_.binop(Opcode::and_, Type::i64, f, a, b_.konst(Type::i64, 0xfff8));
      b_.binop(Opcode::add, Type::i64, f, f, b_.konst(Type::i64, kFaultBase));
      return f;
    }
    TempId m = b_.temp(Type::i64);
    b_.binop(Opcode::and_, Type::i64, m, a, b_.konst(Type::i64, 0xf8));
    b_.binop(Opcode::add, Type::i64, m, m, b_.konst(Type::i64, FlatMemory::kBase));
    return m;
  }

  void emit_random() {
    static const Opcode kBin[] = {Opcode::add, Opcode::sub,  Opcode::mul,  Opcode::and_,
                                  Opcode::or_, Opcode::xor_, Opcode::andc, Opcode::shl,
                                  Opcode::shr, Opcode::sar,  Opcode::rotl, Opcode::rotr,
                                  Opcode::clz, Opcode::ctz};
    static const Opcode kUn[] = {Opcode::not_,    Opcode::neg,   Opcode::ctpop, Opcode::bswap16,
                                 Opcode::bswap32, Opcode::ext8s, Opcode::ext8u, Opcode::ext16s,
                                 Opcode::ext16u,  Opcode::mov};
    Type t = type();
    switch (rnd(24)) {
      case 0:
      case 1:
      case 2:
      case 3:
      case 4: {
        TempId a = pick(t), c = rnd(4) == 0 ? a : pick(t);
        b_.binop(kBin[rnd(std::size(kBin))], t, dest(t), a, c);
        break;
      }
      case 5:
      case 6: {
        TempId a = pick(t);
        b_.unop(kUn[rnd(std::size(kUn))], t, dest(t), a);
        break;
      }
      case 7: {
        TempId a = pick(Type::i64);
        static const Opcode k64[] = {Opcode::ext32s, Opcode::ext32u, Opcode::bswap64};
        b_.unop(k64[rnd(3)], Type::i64, dest(Type::i64), a);
        break;
      }
      case 8: {
        TempId a = pick(Type::i32);
        b_.unop(rnd(2) ? Opcode::ext_i32_i64 : Opcode::extu_i32_i64, Type::i64, dest(Type::i64), a);
        break;
      }
      case 9: {
        TempId a = pick(Type::i64);
        b_.unop(rnd(2) ? Opcode::extrl_i64_i32 : Opcode::extrh_i64_i32, Type::i32, dest(Type::i32),
                a);
        break;
      }
      case 10: {
        b_.movi(t, dest(t), value(t));
        break;
      }
      case 11: {
        unsigned w = type_bits(t), pos = static_cast<unsigned>(rnd(w));
        unsigned len = 1 + static_cast<unsigned>(rnd(w - pos));
        TempId a = pick(t), c = pick(t);
        switch (rnd(3)) {
          case 0:
            b_.deposit(t, dest(t), a, c, pos, len);
            break;
          case 1:
            b_.extract(t, dest(t), a, pos, len);
            break;
          default:
            b_.extract(t, dest(t), a, pos, len, true);
            break;
        }
        break;
      }
      case 12: {
        TempId a = pick(t), c = pick(t);
        TempId lo = dest(t), hi = dest_not(t, lo);
        b_.mul2(rnd(2), t, lo, hi, a, c);
        break;
      }
      case 13: {
        TempId al = pick(t), ah = pick(t), bl = pick(t), bh = pick(t);
        TempId lo = dest(t), hi = dest_not(t, lo);
        if (rnd(2)) {
          b_.add2(t, lo, hi, al, ah, bl, bh);
        } else {
          b_.sub2(t, lo, hi, al, ah, bl, bh);
        }
        break;
      }
      case 14: {
        TempId a = pick(t), c = rnd(4) == 0 ? a : pick(t);
        b_.setcond(t, static_cast<Cond>(rnd(kNumConds)), dest(t), a, c);
        break;
      }
      case 15: {
        TempId a = pick(t), c = pick(t), x = pick(t), y = rnd(5) == 0 ? x : pick(t);
        b_.movcond(t, static_cast<Cond>(rnd(kNumConds)), dest(t), a, c, x, y);
        break;
      }
      case 16: {
        if (next_label_ >= labels_.size()) break;
        LabelId l = labels_[next_label_ + rnd(labels_.size() - next_label_)];
        if (rnd(6) == 0) {
          b_.br(l);
        } else {
          TempId a = pick(t), c = pick(t);
          b_.brcond(t, static_cast<Cond>(rnd(kNumConds)), a, c, l);
        }
        end_bb();
        break;
      }
      case 17: {
        uint32_t mo =
            static_cast<uint32_t>(rnd(t == Type::i64 ? 4 : 3)) | (rnd(2) ? uint32_t{kMoSign} : 0u);
        int64_t off = test::kScratch + 8 * static_cast<int64_t>(rnd(7));
        if (rnd(2)) {
          b_.ld_env(t, dest(t), off, mo);
        } else {
          b_.st_env(t, pick(t), off, mo);
        }
        break;
      }
      case 18:
      case 19: {
        uint32_t mo =
            static_cast<uint32_t>(rnd(t == Type::i64 ? 4 : 3)) | (rnd(2) ? uint32_t{kMoSign} : 0u);
        TempId addr = guest_addr();
        if (rnd(2)) {
          b_.qemu_ld(t, dest(t), addr, mo);
        } else {
          b_.qemu_st(t, pick(t), addr, mo);
        }
        break;
      }
      case 20: {
        switch (rnd(4)) {
          case 0:
            b_.call(&test::kHelperPure, dest(Type::i64), {pick(Type::i64), pick(Type::i64)});
            break;
          case 1:
            b_.call(&test::kHelperReads, dest(Type::i64), {Ir::kEnv});
            break;
          case 2:
            b_.call(&test::kHelperWrites, dest(Type::i64), {Ir::kEnv, pick(Type::i64)});
            break;
          default:
            b_.call(&test::kHelperCounter, 0, {Ir::kEnv, pick(Type::i64)});
            break;
        }
        break;
      }
      case 21: {
        if (rnd(8) == 0 && next_label_ < labels_.size()) {
          b_.exit_tb(rnd(100));  // the rest up to the next label is unreachable
          end_bb();
        }
        break;
      }
      default: {
        TempId a = pick(t);
        b_.mov(t, dest(t), a);
        break;
      }
    }
  }

  std::mt19937_64 rng_;
  GenOptions opts_;
  Ir ir_;
  Builder b_;
  test::Globals g_;
  std::vector<TempId> vars64_, vars32_, tb64_, tb32_, bb64_, bb32_;
  std::vector<LabelId> labels_;
  size_t next_label_ = 0;
};

}  // namespace qemu::jit::test
