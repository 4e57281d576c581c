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
