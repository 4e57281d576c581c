#!/usr/bin/env python3
"""Differential test: `qemu-img check` (report only, -r leaks, -r all, human and JSON) on qcow2
images damaged in known ways, by QEMU 7.2 and by ours. Compared: exit status, stdout, stderr,
and after a repair, the repaired files byte for byte."""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from qemu72 import Results, parse_args, require_qemu, run, sparse_hash

CS = 65536


def u64(f, off):
    f.seek(off)
    return struct.unpack(">Q", f.read(8))[0]


def put64(f, off, v):
    f.seek(off)
    f.write(struct.pack(">Q", v))


def put16(f, off, v):
    f.seek(off)
    f.write(struct.pack(">H", v))


def l1_offset(f):
    return u64(f, 40)


def l2_of(f, i):
    return u64(f, l1_offset(f) + 8 * i) & 0x00fffffffffffe00


def refblock(f):
    return u64(f, u64(f, 48)) & ~0x1ff


# Each recipe damages an image made by: create 4M, write 0..256k, write 1M..1M+64k,
# compressed write at 2M; clusters: 0 header, 1 reftable, 2 refblock, 3 L1, 4 L2, 5.. data.
def leak(f):
    # One more cluster at the end of the file, counted but used by nothing.
    f.truncate(12 * CS)
    put16(f, refblock(f) + 2 * 11, 1)


def refcount_too_high(f):
    put16(f, refblock(f) + 2 * 5, 3)


def refcount_zero(f):
    put16(f, refblock(f) + 2 * 6, 0)


def copied_flag_cleared(f):
    l2 = l2_of(f, 0)
    put64(f, l2, u64(f, l2) & ~(1 << 63))


def l1_copied_cleared(f):
    put64(f, l1_offset(f), u64(f, l1_offset(f)) & ~(1 << 63))


def l2_unaligned(f):
    l2 = l2_of(f, 0)
    put64(f, l2 + 8, u64(f, l2 + 8) | 0x200)


def l2_reserved_bits(f):
    l2 = l2_of(f, 0)
    put64(f, l2 + 16, u64(f, l2 + 16) | (1 << 56))


def l1_reserved_bits(f):
    put64(f, l1_offset(f), u64(f, l1_offset(f)) | (1 << 57))


# Not in RECIPES for "-r all": QEMU 7.2's rebuild then trips over its own overlap check and
# fails ("Preventing invalid write on metadata"), leaving the image unrepaired; ours rebuilds
# the refcount structures and repairs it. The report-only and -r leaks modes are compared.
def reftable_unaligned(f):
    rt = u64(f, 48)
    put64(f, rt, u64(f, rt) | 0x100)


def compressed_copied(f):
    l2 = l2_of(f, 0)
    idx = (2 << 20) // CS
    put64(f, l2 + 8 * idx, u64(f, l2 + 8 * idx) | (1 << 63))


def refblock_outside(f):
    rt = u64(f, 48)
    put64(f, rt + 8, 1 << 40)


RECIPES = [leak, refcount_too_high, refcount_zero, copied_flag_cleared, l1_copied_cleared,
           l2_unaligned, l2_reserved_bits, l1_reserved_bits, reftable_unaligned,
           compressed_copied, refblock_outside]


def make_base(qemu_img, path):
    subprocess.run([qemu_img, "create", "-q", "-f", "qcow2", path, "4M"], check=True)
    subprocess.run(["qemu-io", "-c", "write -P 1 0 256k", "-c", "write -P 2 1M 64k",
                    "-c", "write -c -P 3 2M 64k", path], check=True, capture_output=True)


def main():
    args = parse_args()
    qemu = require_qemu("qemu-img")
    require_qemu("qemu-io")
    ours = os.path.join(args.build, "qemu-img")
    res = Results("qcow2_check_vs_qemu72")
    with tempfile.TemporaryDirectory() as d:
        base = os.path.join(d, "base.qcow2")
        make_base(qemu, base)
        for recipe in RECIPES:
            modes = [[], ["--output=json"], ["-r", "leaks"], ["-r", "all"],
                     ["-r", "all", "--output=json"]]
            if recipe is reftable_unaligned:
                modes = modes[:3]
            for mode in modes:
                qd, od = os.path.join(d, "q"), os.path.join(d, "o")
                for sub in (qd, od):
                    shutil.rmtree(sub, ignore_errors=True)
                    os.mkdir(sub)
                    shutil.copy(base, os.path.join(sub, "img.qcow2"))
                    with open(os.path.join(sub, "img.qcow2"), "r+b") as f:
                        recipe(f)
                argv = ["check"] + mode + ["img.qcow2"]
                q = run([qemu] + argv, cwd=qd)
                o = run([ours] + argv, cwd=od)
                qf, of = os.path.join(qd, "img.qcow2"), os.path.join(od, "img.qcow2")
                same_file = (os.path.getsize(qf) == os.path.getsize(of) and
                             sparse_hash(qf) == sparse_hash(of))
                label = f"{recipe.__name__} {' '.join(mode) or '(report)'}"
                res.check(label, q == o and same_file,
                          f"  qemu rc={q[0]}\n{q[1]}{q[2]}\n  ours rc={o[0]}\n{o[1]}{o[2]}\n"
                          f"  repaired files identical: {same_file}")
    res.finish()


if __name__ == "__main__":
    sys.exit(main())
