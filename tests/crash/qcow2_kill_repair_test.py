#!/usr/bin/env python3
"""Crash safety: kill a qcow2 writer with SIGKILL at random moments; QEMU 7.2's
`qemu-img check -r all` (and ours, on a copy) must repair the image so that no flushed data is
lost and a second check finds it clean."""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

IMAGES = [
    ("default", ["-f", "qcow2"], "32M"),
    ("lazy_refcounts", ["-f", "qcow2", "-o", "lazy_refcounts=on"], "32M"),
    ("small_clusters", ["-f", "qcow2", "-o", "cluster_size=4096"], "16M"),
    ("tiny_refblocks", ["-f", "qcow2", "-o", "cluster_size=512,refcount_bits=64"], "4M"),
    ("extended_l2", ["-f", "qcow2", "-o", "extended_l2=on"], "32M"),
    ("v2", ["-f", "qcow2", "-o", "compat=0.10"], "32M"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True, type=os.path.abspath)
    ap.add_argument("--rounds", type=int, default=8, help="kills per image kind")
    a = ap.parse_args()
    qemu_img = shutil.which("qemu-img")
    if not qemu_img:
        print("FAIL: qemu-img (QEMU 7.2) is not installed; run scripts/setup")
        return 1
    writer = os.path.join(a.build, "tests", "qcow2-crash-writer")
    ours_img = os.path.join(a.build, "qemu-img")
    repairers = [qemu_img]
    probe = subprocess.run([ours_img, "check", "--help"], capture_output=True) \
        if os.path.exists(ours_img) else None
    if probe is not None and probe.returncode == 0:
        repairers.append(ours_img)
    else:
        print(f"FAIL: {ours_img} check is not available")
        return 1
    rng = random.Random(1234)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as d:
        for name, create, size in IMAGES:
            for rnd in range(a.rounds):
                img = os.path.join(d, "img.qcow2")
                log = os.path.join(d, "ops.log")
                subprocess.run([qemu_img, "create", "-q"] + create + [img, size], check=True)
                p = subprocess.Popen([writer, "write", img, log, str(rng.randrange(1 << 30))],
                                     stderr=subprocess.PIPE)
                time.sleep(rng.uniform(0.02, 0.4))
                p.send_signal(signal.SIGKILL)
                p.wait()
                err = p.stderr.read().decode()
                if p.returncode != -signal.SIGKILL:
                    print(f"{name}#{rnd}: writer ended by itself ({p.returncode}): {err}")
                    failed += 1
                    continue
                ours = img + ".ours"
                shutil.copyfile(img, ours)
                ok = True
                for prog, target in zip(repairers, (img, ours)):
                    r = subprocess.run([prog, "check", "-r", "all", target], capture_output=True)
                    if r.returncode not in (0, 3):
                        # 3: leaks only remain; repair is best effort for those
                        print(f"{name}#{rnd}: {os.path.basename(prog)} check -r all failed "
                              f"({r.returncode}): {r.stdout.decode()}{r.stderr.decode()}")
                        ok = False
                    v = subprocess.run([writer, "verify", target, log], capture_output=True)
                    if v.returncode != 0:
                        print(f"{name}#{rnd}: after {os.path.basename(prog)} repair: "
                              f"{v.stdout.decode()}{v.stderr.decode()}")
                        ok = False
                    c = subprocess.run([qemu_img, "check", target], capture_output=True)
                    if c.returncode != 0:
                        print(f"{name}#{rnd}: not clean after repair by "
                              f"{os.path.basename(prog)}: {c.stdout.decode()}{c.stderr.decode()}")
                        ok = False
                if ok:
                    passed += 1
                else:
                    failed += 1
    print(f"qcow2_kill_repair: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
