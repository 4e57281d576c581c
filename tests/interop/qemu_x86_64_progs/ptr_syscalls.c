/* System calls whose arguments point to guest memory, or to structures that hold more
 * pointers (iovecs, msghdrs, futex's second word, pselect6's sigset pair, iocbs, ...): each
 * prints what it did, so a run under a guest base (-B) can be compared with a native one. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/futex.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void vectors(void) {
  int p[2];
  pipe(p);
  char a[] = "ab", b[] = "cde", c[] = "f";
  struct iovec w[3] = {{a, 2}, {b, 3}, {c, 1}};
  long n = writev(p[1], w, 3);
  char x[3] = {0}, y[4] = {0};
  struct iovec r[2] = {{x, 2}, {y, 4}};
  long m = readv(p[0], r, 2);
  printf("writev %ld readv %ld %s %s\n", n, m, x, y);
  int avail = -1;
  write(p[1], "12345", 5);
  ioctl(p[0], FIONREAD, &avail);
  printf("FIONREAD %d\n", avail);
  close(p[0]);
  close(p[1]);

  int fd = memfd_create("v", 0);
  char d1[] = "hello ", d2[] = "world";
  struct iovec pw[2] = {{d1, 6}, {d2, 5}};
  n = pwritev(fd, pw, 2, 10);
  char e1[5] = {0}, e2[7] = {0};
  struct iovec pr[2] = {{e1, 4}, {e2, 6}};
  m = preadv2(fd, pr, 2, 11, 0);
  printf("pwritev %ld preadv2 %ld %s|%s\n", n, m, e1, e2);
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
  int r2 = fcntl(fd, F_GETLK, &fl);
  printf("F_GETLK %d type %d\n", r2, fl.l_type == F_UNLCK);
  close(fd);
}

static void messages(void) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  int tosend = open("/dev/null", O_RDONLY);
  char h1[] = "head-", h2[] = "tail";
  struct iovec iov[2] = {{h1, 5}, {h2, 4}};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  memset(&ctl, 0, sizeof ctl);
  struct msghdr mh = {
      .msg_iov = iov, .msg_iovlen = 2, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
  struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &tosend, sizeof(int));
  long n = sendmsg(sv[0], &mh, 0);
  char r1[4] = {0}, r2[8] = {0};
  struct iovec riov[2] = {{r1, 3}, {r2, 7}};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } rctl;
  struct msghdr rh = {
      .msg_iov = riov, .msg_iovlen = 2, .msg_control = rctl.buf, .msg_controllen = sizeof rctl.buf};
  long m = recvmsg(sv[1], &rh, 0);
  struct cmsghdr *rc = CMSG_FIRSTHDR(&rh);
  int got = -1;
  if (rc && rc->cmsg_type == SCM_RIGHTS) memcpy(&got, CMSG_DATA(rc), sizeof got);
  printf("sendmsg %ld recvmsg %ld %s %s controllen %d fd passed %d\n", n, m, r1, r2,
         (int)rh.msg_controllen, got > 2);
  int type = 0;
  socklen_t len = sizeof type;
  getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len);
  printf("SO_TYPE %d len %d\n", type, (int)len);
  close(sv[0]);
  close(sv[1]);

  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  char m1[] = "one", m2[] = "three";
  struct iovec mi[2] = {{m1, 3}, {m2, 5}};
  struct mmsghdr out[2] = {{.msg_hdr = {.msg_iov = &mi[0], .msg_iovlen = 1}},
                           {.msg_hdr = {.msg_iov = &mi[1], .msg_iovlen = 1}}};
  int sent = sendmmsg(sv[0], out, 2, 0);
  char b1[8] = {0}, b2[8] = {0};
  struct iovec bi[2] = {{b1, 8}, {b2, 8}};
  struct sockaddr_un_like {
    unsigned short family;
    char path[108];
  } from[2];
  struct mmsghdr in[2] = {{.msg_hdr = {.msg_name = &from[0],
                                       .msg_namelen = sizeof from[0],
                                       .msg_iov = &bi[0],
                                       .msg_iovlen = 1}},
                          {.msg_hdr = {.msg_name = &from[1],
                                       .msg_namelen = sizeof from[1],
                                       .msg_iov = &bi[1],
                                       .msg_iovlen = 1}}};
  struct timespec t = {1, 0};
  int recvd = recvmmsg(sv[1], in, 2, 0, &t);
  printf("sendmmsg %d (%u %u) recvmmsg %d %s/%u %s/%u\n", sent, out[0].msg_len, out[1].msg_len,
         recvd, b1, in[0].msg_len, b2, in[1].msg_len);
  write(sv[0], "dgram", 5);
  char rb[8] = {0};
  struct sockaddr_un_like sa;
  socklen_t salen = sizeof sa;
  long rf = recvfrom(sv[1], rb, sizeof rb, 0, (struct sockaddr *)&sa, &salen);
  printf("recvfrom %ld %s family %d\n", rf, rb, sa.family);
  close(sv[0]);
  close(sv[1]);
}

static uint32_t f1, f2;
static void *waiter(void *arg) {
  (void)arg;
  long r = syscall(SYS_futex, &f1, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
  return (void *)r;
}

static void futexes(void) {
  struct timespec t = {0, 1000000};
  long r = syscall(SYS_futex, &f1, FUTEX_WAIT_PRIVATE, 0, &t, NULL, 0);
  printf("futex wait timeout %ld %d\n", r, errno == ETIMEDOUT);
  r = syscall(SYS_futex, &f1, FUTEX_WAIT_PRIVATE, 1, &t, NULL, 0);
  printf("futex wait wrong value %ld %d\n", r, errno == EAGAIN);
  f2 = 10;
  r = syscall(SYS_futex, &f1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &f2,
              FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0));
  printf("futex wake_op %ld second word %u\n", r, f2);
  f2 = 0;
  pthread_t th;
  pthread_create(&th, NULL, waiter, NULL);
  long moved = 0;
  for (int i = 0; i < 2000 && moved == 0; i++) {
    moved = syscall(SYS_futex, &f1, FUTEX_CMP_REQUEUE_PRIVATE, 0, 1, &f2, 0);
    if (moved == 0) usleep(1000);
  }
  long woke = 0;
  for (int i = 0; i < 2000 && woke == 0; i++) woke = syscall(SYS_futex, &f2, FUTEX_WAKE_PRIVATE, 1);
  void *res;
  pthread_join(th, &res);
  printf("futex requeue %ld wake %ld waiter %ld\n", moved, woke, (long)res);
}

static void misc(void) {
  sigset_t ss;
  sigemptyset(&ss);
  struct {
    const sigset_t *ss;
    size_t len;
  } sigarg = {&ss, 8};
  struct timespec zero = {0, 0};
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(0, &rd);
  int p[2];
  pipe(p);
  FD_ZERO(&rd);
  FD_SET(p[0], &rd);
  long r = syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &zero, &sigarg);
  printf("pselect6 %ld\n", r);
  write(p[1], "x", 1);
  FD_SET(p[0], &rd);
  r = syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &zero, &sigarg);
  printf("pselect6 ready %ld %d\n", r, FD_ISSET(p[0], &rd) != 0);
  close(p[0]);
  close(p[1]);

  char src[] = "process_vm", dst[16] = {0};
  struct iovec l = {dst, 10}, rem = {src, 10};
  r = process_vm_readv(getpid(), &l, 1, &rem, 1, 0);
  printf("process_vm_readv %ld %s\n", r, dst);

  int id = semget(IPC_PRIVATE, 3, 0600);
  unsigned short set[3] = {4, 5, 6}, get[3] = {0};
  semctl(id, 0, SETALL, set);
  semctl(id, 0, GETALL, get);
  struct sembuf op = {1, -2, 0};
  semop(id, &op, 1);
  printf("semctl GETALL %u %u %u GETVAL %d\n", get[0], get[1], get[2], semctl(id, 1, GETVAL));
  semctl(id, 0, IPC_RMID);

  int shm = shmget(IPC_PRIVATE, 8192, 0600);
  char *sp = shmat(shm, NULL, 0);
  strcpy(sp + 4096, "shared");
  char *sp2 = shmat(shm, NULL, SHM_RDONLY);
  printf("shmat %s\n", sp2 + 4096);
  shmdt(sp);
  shmdt(sp2);
  shmctl(shm, IPC_RMID, NULL);

  prctl(PR_SET_NAME, "ptr-name");
  char name[17] = {0};
  prctl(PR_GET_NAME, name);
  printf("prctl name %s\n", name);

  char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  strcpy(m, "moved");
  unsigned char vec = 0;
  mincore(m, 4096, &vec);
  char *m2 = mremap(m, 4096, 64 << 20, MREMAP_MAYMOVE);
  printf("mincore %d mremap %s\n", vec & 1, m2 == MAP_FAILED ? "failed" : m2);
  munmap(m2, 64 << 20);

  int ep = epoll_create1(0), kp[2];
  pipe(kp);
  struct epoll_event ee = {.events = EPOLLIN};
  epoll_ctl(ep, EPOLL_CTL_ADD, kp[0], &ee);
  struct kcmp_epoll_slot slot = {ep, kp[0], 0};
  r = syscall(SYS_kcmp, getpid(), getpid(), KCMP_EPOLL_TFD, kp[0], &slot);
  printf("kcmp epoll %ld %d\n", r, r < 0 ? errno : 0);
  close(ep);
  close(kp[0]);
  close(kp[1]);

  pid_t pid = fork();
  if (pid == 0) _exit(7);
  int st = 0;
  struct rusage ru;
  pid_t w = wait4(pid, &st, 0, &ru);
  printf("wait4 %d status %d\n", w == pid, WEXITSTATUS(st));
  struct timespec req = {0, 1000}, rem2;
  printf("nanosleep %d getcpu %ld\n", nanosleep(&req, &rem2),
         syscall(SYS_getcpu, &(unsigned){0}, &(unsigned){0}, NULL));
}

static void aio(void) {
  aio_context_t ctx = 0;
  if (syscall(SYS_io_setup, 4, &ctx) != 0) {
    printf("aio unavailable\n");
    return;
  }
  int fd = memfd_create("aio", 0);
  char wbuf[] = "asynchronous", rbuf[16] = {0}, vb1[6] = {0}, vb2[8] = {0};
  struct iocb w = {.aio_data = 11,
                   .aio_lio_opcode = IOCB_CMD_PWRITE,
                   .aio_fildes = fd,
                   .aio_buf = (uint64_t)(uintptr_t)wbuf,
                   .aio_nbytes = 12};
  struct iocb *list[1] = {&w};
  long s = syscall(SYS_io_submit, ctx, 1, list);
  struct io_event ev[2];
  long g = syscall(SYS_io_getevents, ctx, 1, 1, ev, NULL);
  printf("io_submit %ld getevents %ld data %llu obj %d res %lld buf kept %d\n", s, g,
         (unsigned long long)ev[0].data, ev[0].obj == (uint64_t)(uintptr_t)&w, (long long)ev[0].res,
         w.aio_buf == (uint64_t)(uintptr_t)wbuf);
  struct iovec v[2] = {{vb1, 5}, {vb2, 7}};
  struct iocb r = {.aio_data = 22,
                   .aio_lio_opcode = IOCB_CMD_PREADV,
                   .aio_fildes = fd,
                   .aio_buf = (uint64_t)(uintptr_t)v,
                   .aio_nbytes = 2};
  struct iocb r2 = {.aio_data = 33,
                    .aio_lio_opcode = IOCB_CMD_PREAD,
                    .aio_fildes = fd,
                    .aio_buf = (uint64_t)(uintptr_t)rbuf,
                    .aio_nbytes = 12};
  struct iocb *list2[2] = {&r, &r2};
  s = syscall(SYS_io_submit, ctx, 2, list2);
  g = syscall(SYS_io_getevents, ctx, 2, 2, ev, NULL);
  int objs = 0;
  for (int i = 0; i < g; i++)
    objs += ev[i].obj == (uint64_t)(uintptr_t)(ev[i].data == 22 ? &r : &r2);
  printf("io_submit %ld getevents %ld objs %d %s|%s %s\n", s, g, objs, vb1, vb2, rbuf);
  syscall(SYS_io_destroy, ctx);
  close(fd);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  vectors();
  messages();
  futexes();
  misc();
  aio();
  return 0;
}
