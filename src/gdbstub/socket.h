// Where gdb connects: `-g PORT` (a TCP port on every address) or `-g PATH` (a Unix socket),
// as QEMU 7.2's user mode takes it: a positive number is a port, anything else a path.
#pragma once

#include <string>

namespace qemu::gdbstub {

// Listens and waits for the one connection; returns its fd, or -1 after printing the system
// error as QEMU does (`bind: Address already in use`, `bind socket: ...`). The listening
// socket is closed once gdb is connected; a Unix socket's path stays (as with QEMU, an
// existing path is an error: `bind socket: Address already in use`).
int listen_and_accept(const std::string &port_or_path);

// Writes all of len bytes (retrying on EINTR); false when the peer is gone.
bool write_all(int fd, const void *data, size_t len);

}  // namespace qemu::gdbstub
