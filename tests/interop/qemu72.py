"""Helpers shared by the differential tests: where QEMU 7.2 and our programs are, and how to
run them and compare what they print."""
import argparse
import os
import shutil
import subprocess
import sys


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True, type=os.path.abspath,
                   help="our build directory")
    p.add_argument("-v", "--verbose", action="store_true")
    return p.parse_args()


def require_qemu(program):
    """The path of a QEMU 7.2 program; scripts/setup installs them, so absence is a failure."""
    path = shutil.which(program)
    if not path:
        print(f"FAIL: {program} (QEMU 7.2) is not installed; run scripts/setup", file=sys.stderr)
        sys.exit(1)
    return path


def run(argv, stdin=None, timeout=60, cwd=None, env=None):
    p = subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout, cwd=cwd,
                       env=env)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def sparse_hash(path):
    """A hash of a file's contents that reads only its data extents (images may be huge and
    sparse); holes and zero runs hash alike, as the zeroes they read as."""
    import hashlib
    h = hashlib.sha256()
    zeroes = 0

    def flush_zeroes():
        nonlocal zeroes
        if zeroes:
            h.update(b"zeroes %d;" % zeroes)
            zeroes = 0

    size = os.path.getsize(path)
    with open(path, "rb") as f:
        fd = f.fileno()
        pos = 0
        while pos < size:
            try:
                data = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                data = size
            if data > pos:
                zeroes += data - pos
                pos = data
                continue
            end = os.lseek(fd, pos, os.SEEK_HOLE)
            f.seek(pos)
            remaining = end - pos
            while remaining:
                chunk = f.read(min(remaining, 1 << 20))
                if chunk.count(0) == len(chunk):
                    zeroes += len(chunk)
                else:
                    flush_zeroes()
                    h.update(chunk)
                remaining -= len(chunk)
            pos = end
    flush_zeroes()
    return h.hexdigest()[:16]


class Results:
    """Counts cases and prints a closing line ctest shows with --output-on-failure."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = []

    def check(self, case, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed.append(case)
            print(f"MISMATCH {case}\n{detail}")

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {len(self.failed)} failed")
        sys.exit(1 if self.failed else 0)
