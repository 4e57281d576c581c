#!/usr/bin/env python3
"""Runs a libFuzzer target for a bounded time on a seed corpus of valid images made by QEMU 7.2
(varied options, with data, zero clusters, compressed clusters and snapshots). Fails if the
fuzzer finds a crash, a leak, a timeout or an out-of-memory."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

SEEDS = [
    ([], []),
    (["-o", "compat=0.10"], ["write -P 1 0 64k"]),
    (["-o", "cluster_size=512"], ["write -P 2 1000 3000", "write -z 8k 4k"]),
    (["-o", "refcount_bits=1,cluster_size=1024"], ["write -P 3 0 8k"]),
    (["-o", "extended_l2=on,cluster_size=16k"], ["write -P 4 100 5000", "write -z 32k 16k"]),
    (["-o", "compression_type=zstd,cluster_size=4096"], ["write -c -P 5 0 4k"]),
    (["-o", "cluster_size=4096"], ["write -c -P 6 0 4k", "write -P 7 4k 4k", "discard 4k 4k"]),
    (["-o", "lazy_refcounts=on,cluster_size=2048"], ["write -P 8 0 6k"]),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fuzzer", required=True, type=os.path.abspath)
    ap.add_argument("--seconds", type=int, default=60)
    a = ap.parse_args()
    qemu_img, qemu_io = shutil.which("qemu-img"), shutil.which("qemu-io")
    if not qemu_img or not qemu_io:
        print("FAIL: QEMU 7.2 (qemu-img, qemu-io) is not installed; run scripts/setup")
        return 1
    with tempfile.TemporaryDirectory() as d:
        corpus = os.path.join(d, "corpus")
        os.mkdir(corpus)
        for i, (opts, ops) in enumerate(SEEDS):
            img = os.path.join(corpus, f"seed{i}.qcow2")
            subprocess.run([qemu_img, "create", "-q", "-f", "qcow2"] + opts + [img, "64k"],
                           check=True)
            for op in ops:
                subprocess.run([qemu_io, "-c", op, img], check=True, capture_output=True)
            if i == 1 or i == 6:
                subprocess.run([qemu_img, "snapshot", "-c", "s", img], check=True)
        r = subprocess.run([a.fuzzer, corpus, f"-max_total_time={a.seconds}", "-timeout=10",
                            "-rss_limit_mb=2048", "-handle_xfsz=0", "-max_len=65536", "-print_final_stats=1", "-close_fd_mask=2",
                            f"-artifact_prefix={d}/"], cwd=d, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        out = r.stdout.decode(errors="replace")
        tail = "\n".join(l for l in out.splitlines()
                         if l.startswith(("stat::", "Done", "==", "SUMMARY")) or "ERROR" in l)
        print(tail[-4000:])
        if r.returncode != 0:
            print(out[-6000:])
            for f in os.listdir(d):
                if f.startswith(("crash-", "leak-", "timeout-", "oom-")):
                    dst = os.path.join(os.getcwd(), f)
                    shutil.copy(os.path.join(d, f), dst)
                    print(f"artifact saved: {dst}")
            print("fuzz: 0 passed, 1 failed")
            return 1
    print("fuzz: 1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
