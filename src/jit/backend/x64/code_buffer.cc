#include <sys/mman.h>
#include <unistd.h>

#include <xbyak/xbyak.h>
#include <cstdlib>

#include "jit/backend/x64/codegen.h"
#include "jit/backend/x64/frame.h"

namespace qemu::jit::x64 {

namespace {

// The frame generated code runs in, per thread: rsp inside blocks (static TLS, so that the
// prologue reaches it at a fixed offset from the thread pointer fs:0).
thread_local uintptr_t t_block_rsp = 0;

intptr_t block_rsp_tls_offset() {
  uintptr_t tp;
  asm("mov %%fs:0, %0" : "=r"(tp));
  return static_cast<intptr_t>(reinterpret_cast<uintptr_t>(&t_block_rsp) - tp);
}

// The buffer is placed near this program's code when there is room, so that blocks reach the
// helpers with a direct call (rel32); elsewhere calls go through a register.
void *map_code(size_t size) {
  const int prot = PROT_READ | PROT_WRITE | PROT_EXEC;
  const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
  const uintptr_t text = reinterpret_cast<uintptr_t>(&map_code);
  const uintptr_t align = uintptr_t{2} << 20, gap = uintptr_t{64} << 20;
  if (size <= (uintptr_t{1} << 30) && text > size + gap) {
    const uintptr_t hints[] = {(text - size - gap) & ~(align - 1),
                               (text + (uintptr_t{512} << 20)) & ~(align - 1)};
    for (uintptr_t hint : hints) {
      void *p =
          mmap(reinterpret_cast<void *>(hint), size, prot, flags | MAP_FIXED_NOREPLACE, -1, 0);
      if (p != MAP_FAILED) {
        if (p == reinterpret_cast<void *>(hint)) return p;
        munmap(p, size);  // a kernel that took the flag for a hint
      }
    }
  }
  return mmap(nullptr, size, prot, flags, -1, 0);
}

}  // namespace

CodeBuffer::CodeBuffer(size_t size, uintptr_t guest_base) : guest_base_(guest_base) {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size = std::min(size, size_t{2} << 30);
  size = std::max((size + page - 1) & ~(page - 1), page * 16);
  void *p = map_code(size);
  if (p == MAP_FAILED) std::abort();  // no code buffer, no translator
  base_ = static_cast<uint8_t *>(p);
  size_ = size;
  emit_prologue();
}

CodeBuffer::~CodeBuffer() {
  munmap(base_, size_);
}

void CodeBuffer::reset() {
  used_ = 0;
  emit_prologue();
}

// enter(env = rdi, code = rsi): the frame of frame.h, then a jump into the block. The epilogue
// undoes it and returns rax; exit_next returns 0.
void CodeBuffer::emit_prologue() {
  using namespace Xbyak::util;
  Xbyak::CodeGenerator g(size_, base_);
  for (const Xbyak::Reg64 &r : {rbp, rbx, r12, r13, r14, r15}) g.push(r);
  g.sub(rsp, kFrameSize);
  // fs:[offset] = rsp, for helper_return_address().
  const intptr_t off = block_rsp_tls_offset();
  if (off == static_cast<int32_t>(off)) {
    g.db(0x64);  // fs:
    g.mov(g.qword[Xbyak::RegExp(static_cast<size_t>(off))], rsp);
  }
  g.mov(r14, rdi);
  if (guest_base_) {
    g.mov(r15, guest_base_);
  }
  g.jmp(rsi);
  g.align(16);
  epilogue_ = g.getCurr();
  g.add(rsp, kFrameSize);
  for (const Xbyak::Reg64 &r : {r15, r14, r13, r12, rbx, rbp}) g.pop(r);
  g.ret();
  g.align(16);
  exit_next_ = g.getCurr();
  g.xor_(eax, eax);
  g.jmp(epilogue_);
  g.align(16);
  enter_ = reinterpret_cast<EnterFn>(base_);
  used_ = g.getSize();
}

uintptr_t helper_return_address() {
  if (!t_block_rsp) return 0;
  return *reinterpret_cast<const uintptr_t *>(t_block_rsp - 8);
}

}  // namespace qemu::jit::x64
