// qemu-x86_64: runs an x86-64 Linux program (user-mode emulation).
#include "user/user_main.h"

int main(int argc, char **argv, char **envp) {
  return qemu::user::user_main(argc, argv, envp);
}
