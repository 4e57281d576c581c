#include "gdbstub/socket.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace qemu::gdbstub {

namespace {

int accept_one(int lfd, bool tcp) {
  for (;;) {
    sockaddr_storage peer;
    socklen_t len = sizeof peer;
    const int fd = accept4(lfd, reinterpret_cast<sockaddr *>(&peer), &len, SOCK_CLOEXEC);
    if (fd >= 0) {
      if (tcp) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      }
      return fd;
    }
    if (errno != EINTR) {
      perror("accept");
      return -1;
    }
  }
}

int open_port(unsigned long port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    perror("socket");
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = 0;
  if (bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) < 0) {
    perror("bind");
    close(fd);
    return -1;
  }
  if (listen(fd, 1) < 0) {
    perror("listen");
    close(fd);
    return -1;
  }
  return fd;
}

int open_path(const std::string &path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    perror("create socket");
    return -1;
  }
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
  if (bind(fd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) < 0) {
    perror("bind socket");
    close(fd);
    return -1;
  }
  if (listen(fd, 1) < 0) {
    perror("listen socket");
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int listen_and_accept(const std::string &port_or_path) {
  const unsigned long port = std::strtoul(port_or_path.c_str(), nullptr, 10);
  if (port > 0) {
    const int lfd = open_port(port);
    if (lfd < 0) return -1;
    const int fd = accept_one(lfd, true);
    close(lfd);
    return fd;
  }
  const int lfd = open_path(port_or_path);
  if (lfd < 0) return -1;
  const int fd = accept_one(lfd, false);
  close(lfd);
  return fd;
}

bool write_all(int fd, const void *data, size_t len) {
  const auto *p = static_cast<const char *>(data);
  while (len) {
    const ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace qemu::gdbstub
