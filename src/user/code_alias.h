// Translated code reached through another address: the pages of a MAP_SHARED file mapping
// (a file, a memfd) can be mapped at several guest addresses, and JITs write code through a
// writable mapping while running it through an executable one. When a page holds translated
// code, every other guest page showing the same file page becomes an alias of it: a code page
// in GuestMemoryMap's bits, write-protected when writable, so a write through it faults and
// drops the code of the pages it aliases.
#pragma once

#include <cstdint>

namespace qemu::user {

// code_page got translated code (from the engine's protect_code_page hook).
void protect_code_aliases(uint64_t code_page);
// [start, start+len) was just mapped (MAP_SHARED, from a file): its pages that show the file
// pages of existing code pages become their aliases.
void protect_new_aliases(uint64_t start, uint64_t len);
// A write to alias_page (signal handler or system call): invalidates the code pages it aliases
// and forgets them; returns how many, the first max in targets. Lock-free (but the engine's
// invalidate takes the engine's lock, as for any code write).
unsigned drop_alias_targets(uint64_t alias_page, uint64_t *targets, unsigned max);
// [start, start+len) is unmapped or replaced: aliases in it and aliases of code in it go.
void forget_aliases(uint64_t start, uint64_t len);

}  // namespace qemu::user
