// qemu-x86_64's whole program: options, loading, the first thread's loop.
#pragma once

namespace qemu::user {

int user_main(int argc, char **argv, char **envp);

}  // namespace qemu::user
