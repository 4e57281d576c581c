#!/usr/bin/env python3
"""Differential test of real Debian programs: each case runs some of this machine's programs
(coreutils, bash, grep, sed, compressors, tar, perl, python3, sqlite3, git, gcc's compiler
proper and assembler) natively and under the Linux user-mode emulator, in the same scratch
directory path (made afresh, identically, for each run), and compares every step's stdout and
exit status, and for some cases the files the steps leave behind.

The emulator runs the named program only: what that program executes (bash's external
commands, gcc's cc1/as/ld, git's helpers) runs natively, as with QEMU's qemu-x86_64 without
binfmt_misc. Cases that want a compiler or assembler emulated run it directly.

Usage: run_program_tests.py --emulator PATH [--backend interp|x86_64] [--only NAME...]
                            [--list] [-v] [--timeout S]
"""
import argparse
import difflib
import hashlib
import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile

SEARCH_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"


# ---------------------------------------------------------------------------------------------
# inputs, generated deterministically


def text_lines(n, seed, words=None):
    rng = random.Random(seed)
    words = words or ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
                      "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho",
                      "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Zebra", "apple",
                      "Äpfel", "naïve", "42", "-7", "3.14", "1e3"]
    out = []
    for i in range(n):
        k = rng.randrange(1, 9)
        fields = [rng.choice(words) for _ in range(k)]
        fields.insert(rng.randrange(k + 1), str(rng.randrange(-1000, 100000)))
        out.append((" " if i % 3 else "\t").join(fields))
    return "\n".join(out) + "\n"


def write(path, data, mode=None):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    if mode is not None:
        os.chmod(path, mode)


def setup_tree(work):
    """A small directory tree with fixed contents, modes and times."""
    root = os.path.join(work, "tree")
    rng = random.Random(7)
    files = {
        "README": "A fixed tree for the program tests.\n" * 3,
        "src/main.c": "int main(void) { return 0; }\n",
        "src/util.h": "#define X 1\n",
        "data/numbers.txt": "".join(f"{i}\n" for i in range(500)),
        "data/random.bin": bytes(rng.getrandbits(8) for _ in range(20000)),
        "data/empty": "",
        "docs/a b c.txt": "spaces in the name\n",
        "docs/notes.md": "# Notes\n\n- one\n- two\n",
        "bin/run.sh": "#!/bin/sh\necho run\n",
    }
    for rel, data in files.items():
        write(os.path.join(root, rel), data)
    os.chmod(os.path.join(root, "bin/run.sh"), 0o755)
    os.chmod(os.path.join(root, "docs/notes.md"), 0o600)
    os.symlink("data/numbers.txt", os.path.join(root, "link-to-numbers"))
    t = 1700000000
    for dirpath, dirnames, filenames in sorted(os.walk(root, topdown=False)):
        for n in sorted(filenames):
            p = os.path.join(dirpath, n)
            if not os.path.islink(p):
                os.utime(p, (t, t))
                t += 3600
        os.utime(dirpath, (t, t))
        t += 60
    os.utime(os.path.join(root, "link-to-numbers"), (t, t), follow_symlinks=False)
    os.utime(root, (t + 5, t + 5))


def setup_text(work):
    write(os.path.join(work, "words.txt"), text_lines(20000, 1))
    write(os.path.join(work, "small.txt"), text_lines(300, 2))


def setup_sort(work):
    rng = random.Random(3)
    with open(os.path.join(work, "big.txt"), "w") as f:
        for i in range(300000):
            f.write(f"{rng.randrange(10**9):09d} {rng.choice(['x', 'yy', 'zzz', 'A', 'b'])} "
                    f"{rng.random():.6f}\n")


def setup_blob(work):
    rng = random.Random(4)
    words = [bytes(rng.choice(b"abcdefghij klmnop\n") for _ in range(rng.randrange(3, 12)))
             for _ in range(300)]
    out = bytearray()
    while len(out) < 3 << 20:
        out += rng.choice(words) if rng.random() < 0.9 else rng.randbytes(64)
    write(os.path.join(work, "blob.bin"), bytes(out[:3 << 20]))


BASH_SCRIPT = r'''
set -u
fib() { local n=$1; if (( n < 2 )); then echo $n; else echo $(( $(fib $((n-1))) + $(fib $((n-2))) )); fi; }
echo "fib 15 = $(fib 15)"
sum=0
for ((i = 0; i < 20000; i++)); do (( sum += i * i % 7 )); done
echo "sum $sum"
declare -A assoc
for w in red green blue green red red; do assoc[$w]=$(( ${assoc[$w]:-0} + 1 )); done
for k in $(printf '%s\n' "${!assoc[@]}" | sort); do echo "$k=${assoc[$k]}"; done
arr=(one "two words" three)
echo "${#arr[@]} ${arr[1]} ${arr[@]:1:2}"
s="Hello, World"
echo "${s,,} ${s^^} ${s/World/There} ${#s} ${s:7:3}"
( cd /; echo "subshell pwd $PWD"; exit 3 ); echo "subshell status $?"
echo "pipe: $(printf '%s\n' c a b | { read -r x; read -r y; echo "$y$x"; })"
while IFS=: read -r a b; do echo "[$a|$b]"; done <<'EOF'
k1:v1
k2:v2 with spaces
EOF
case "abc.tar.gz" in *.tar.gz) echo "tarball";; *) echo other;; esac
trap 'echo trapped EXIT' EXIT
f() { return 7; }; f || echo "f returned $?"
printf '%5.2f|%-6s|%04d|%x|%o|%e\n' 3.14159 ab 42 255 8 12345.678
x=$(( (1 << 40) / 3 % 1000003 )); echo "arith $x $(( -17 / 5 )) $(( -17 % 5 )) $(( 2 ** 20 ))"
coproc { read -r line; echo "coproc got $line"; }
echo hi >&"${COPROC[1]}"; read -r reply <&"${COPROC[0]}"; echo "$reply"; wait
mapfile -t lines < <(seq 1 5); echo "mapfile ${#lines[@]} ${lines[4]}"
for job in 1 2 3; do ( sleep 0.0$job; echo "bg $job" > "bg$job.out" ) & done; wait; cat bg*.out
echo "done"
'''

PERL_SCRIPT = r'''
use strict; use warnings;
my %count;
while (my $line = <STDIN>) {
    chomp $line;
    for my $w (split /\s+/, $line) { $count{lc $w}++ if $w =~ /^\p{L}+$/; }
}
for my $w (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count) {
    printf "%-10s %5d\n", $w, $count{$w};
}
my @n = map { $_ * $_ } grep { $_ % 3 } 1 .. 50;
print "sum ", eval { my $s = 0; $s += $_ for @n; $s }, "\n";
printf "%.10f %.3e %s\n", atan2(1, 1) * 4, 6.02214076e23, join(",", unpack("N n C", pack("N n C", 305419896, 4660, 255)));
my $s = "The quick brown fox"; (my $t = $s) =~ tr/a-z/A-Z/; print "$t\n";
print join("|", reverse sort map { sprintf "%03d", $_ } (5, 17, 3, 250)), "\n";
local $, = " "; local $\ = "\n"; print "lists", scalar(@n), $n[-1];
'''

PYTHON_SCRIPT = r'''
import hashlib, json, re, threading, zlib, struct, math, collections, itertools, decimal, fractions
data = {"name": "test", "values": [1, 2.5, None, True, "ünïcode"], "nested": {"a": [1, {"b": 2}]}}
s = json.dumps(data, sort_keys=True, indent=1)
print(s)
print(json.loads(s) == data)
text = open("small.txt").read()
print(len(re.findall(r"\b[a-z]+a\b", text)), re.sub(r"(\d+)", lambda m: str(int(m.group(1)) * 2), "a1 b22 c333"))
for algo in ("md5", "sha1", "sha256", "sha512", "blake2b", "sha3_256"):
    print(algo, hashlib.new(algo, text.encode()).hexdigest())
print("crc32", zlib.crc32(text.encode()), "adler", zlib.adler32(text.encode()))
print("zlib", len(zlib.compress(text.encode() * 10, 9)))
results = [0] * 8
lock = threading.Lock()
total = [0]
def work(i):
    h = hashlib.sha256()
    for k in range(2000):
        h.update(f"{i}:{k}".encode())
    results[i] = h.hexdigest()[:16]
    with lock:
        total[0] += sum(range(i * 1000))
threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(results, total[0])
print(struct.pack("<dQh", math.pi, 2**63 - 1, -2).hex())
print(collections.Counter(text.split()).most_common(5))
print(sum(itertools.islice(itertools.count(7, 3), 1000)), math.factorial(30), 2 ** 200 % 10**9 + 7)
print(decimal.Decimal(1) / decimal.Decimal(7), fractions.Fraction(355, 113) - fractions.Fraction(22, 7))
print(sorted({(i * 7919) % 101 for i in range(1000)})[:10], "%.17g" % math.fsum([0.1] * 10), repr(1 / 3))
d = {}
for i in range(100000): d[str(i)] = i
print(len(d), sum(d.values()))
'''

SQL_CREATE = '''
PRAGMA journal_mode = DELETE;
CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, price REAL, tags TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO items SELECT i, printf('item-%05d', i), i % 17, (i * 7919 % 1000) / 10.0,
       json_array(i % 3, 'x' || (i % 5)) FROM n;
CREATE INDEX items_grp ON items(grp, price);
BEGIN; UPDATE items SET price = price * 1.1 WHERE grp = 3; DELETE FROM items WHERE id % 97 = 0; COMMIT;
'''
SQL_QUERY = '''
.mode list
SELECT count(*), sum(price), round(avg(price), 6), min(name), max(name) FROM items;
SELECT grp, count(*), printf('%.3f', sum(price)) FROM items GROUP BY grp ORDER BY grp;
SELECT name, json_extract(tags, '$[1]') FROM items WHERE grp = 5 AND price > 99 ORDER BY price DESC, id LIMIT 5;
SELECT group_concat(id, ',') FROM (SELECT id FROM items WHERE name LIKE '%777%' ORDER BY id);
EXPLAIN QUERY PLAN SELECT * FROM items WHERE grp = 2 AND price < 10;
SELECT upper('abc'), length('ünï'), hex(zeroblob(4)), 7 / 2, 7 / 2.0, 1e308 * 10, cast('12abc' AS INTEGER);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x * 3 FROM c WHERE x < 1e15) SELECT sum(x) FROM c;
PRAGMA integrity_check;
'''

C_PROGRAM = r'''
#include <stdio.h>
#include <math.h>
struct point { double x, y; };
static double dist(struct point a, struct point b) { return sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)); }
int main(void) {
    struct point p[5] = {{0, 0}, {3, 4}, {6, 8}, {-1, 2.5}, {1e3, -7}};
    double total = 0;
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++) total += dist(p[i], p[j]);
    unsigned long long h = 1469598103934665603ull;
    for (int i = 0; i < 100000; i++) h = (h ^ (unsigned)i) * 1099511628211ull;
    printf("total %.9f hash %016llx\n", total, h);
    return 0;
}
'''


class Case:
    """steps: list of (argv, options); argv[0] is a program name found in SEARCH_PATH.
    options: native=True (always run natively: checking the result of emulated steps),
    stdin=FILE, binary=True (stdout compared as bytes, summarized on mismatch)."""

    def __init__(self, name, steps, setup=None, files=False, timeout=None):
        self.name, self.steps, self.setup, self.files, self.timeout = (name, steps, setup,
                                                                       files, timeout)


def S(*argv, **opts):
    return (list(argv), opts)


CC1 = "/usr/lib/gcc/x86_64-linux-gnu/12/cc1"

CASES = [
    Case("ls", [S("ls", "-la", "--time-style=long-iso", "tree"),
                S("ls", "-laR", "--time-style=+%s", "tree"),
                S("ls", "-1sSr", "tree/data"), S("ls", "-la", "tree/missing")],
         setup_tree),
    # The script forks about 2,000 subshells (12 s natively; each child translates the code
    # it runs afresh, as under QEMU), so it gets more than the default step time.
    Case("bash", [S("bash", "--norc", "--noprofile", "script.sh"),
                  S("bash", "-c", "echo $((6*7)); exit 9")],
         lambda w: write(os.path.join(w, "script.sh"), BASH_SCRIPT), timeout=300),
    Case("sort", [S("sort", "--parallel=2", "-S", "4M", "big.txt", binary=True),
                  S("sort", "-t", " ", "-k2,2", "-k1,1nr", "-s", "big.txt", binary=True),
                  S("sort", "-u", "-k3,3g", "big.txt", binary=True),
                  S("sort", "-c", "big.txt")], setup_sort),
    Case("sort-words", [S("sort", "-f", "words.txt", binary=True),
                        S("sort", "-k2", "-n", "small.txt")], setup_text),
    Case("checksums", [S("sha256sum", "blob.bin", "tree/data/random.bin"),
                       S("sha1sum", "blob.bin"), S("md5sum", "blob.bin", "tree/README"),
                       S("sha512sum", "blob.bin"), S("b2sum", "blob.bin"),
                       S("cksum", "blob.bin"), S("sum", "blob.bin"),
                       S("md5sum", "-c", "sums.md5")],
         lambda w: (setup_blob(w), setup_tree(w),
                    write(os.path.join(w, "sums.md5"),
                          hashlib.md5(open(os.path.join(w, "blob.bin"), "rb").read()).hexdigest()
                          + "  blob.bin\n"))),
    Case("text-tools", [S("wc", "words.txt", "small.txt"), S("wc", "-m", "words.txt"),
                        S("cut", "-d", " ", "-f", "2-3", "small.txt"),
                        S("cut", "-c", "3-10", "small.txt"),
                        S("tr", "a-z", "A-Z", stdin="small.txt"),
                        S("tr", "-s", "a-z ", stdin="small.txt"),
                        S("tr", "-d", "0-9\n", stdin="small.txt"),
                        S("uniq", "-c", "sorted.txt"), S("uniq", "-d", "sorted.txt"),
                        S("head", "-n", "7", "words.txt"), S("head", "-c", "100", "words.txt"),
                        S("tail", "-n", "5", "words.txt"), S("tail", "-c", "+100000", "words.txt"),
                        S("nl", "small.txt"), S("rev", "small.txt"), S("tac", "small.txt"),
                        S("fold", "-w", "17", "small.txt"), S("paste", "-d,", "small.txt", "small.txt"),
                        S("comm", "-3", "sorted.txt", "sorted2.txt"), S("join", "sorted.txt", "sorted2.txt"),
                        S("expand", "small.txt"), S("fmt", "-w", "40", "small.txt"),
                        S("split", "-l", "5000", "-d", "words.txt", "part-"),
                        S("csplit", "-s", "small.txt", "/omega/", "{3}")],
         lambda w: (setup_text(w),
                    write(os.path.join(w, "sorted.txt"),
                          "".join(sorted(x + "\n" for x in text_lines(3000, 5, ["a", "b", "c"]).split("\n") if x))),
                    write(os.path.join(w, "sorted2.txt"),
                          "".join(sorted(x + "\n" for x in text_lines(3000, 6, ["a", "b", "c"]).split("\n") if x)))),
         files=True),
    Case("date-seq-factor-od", [
        S("date", "-d", "2024-02-29 13:45:07 UTC", "+%Y-%m-%d %H:%M:%S %j %a %b %s %U %V %Z"),
        S("date", "-u", "-d", "@1234567890", "-R"), S("date", "-d", "2000-01-01 + 400 days", "+%F %A"),
        S("date", "-d", "not a date"),
        S("seq", "1", "3", "100"), S("seq", "-w", "-5", "2.5", "10"), S("seq", "-f", "%.3e", "1", "0.7", "5"),
        S("seq", "1000000", binary=True),
        S("factor", "1", "2", "97", "600851475143", "18446744073709551557", "340282366920938463463374607431768211455"),
        S("od", "-A", "x", "-t", "x1z", "-N", "256", "tree/data/random.bin"),
        S("od", "-t", "d4", "-t", "f8", "-N", "64", "tree/data/random.bin"),
        S("od", "-c", "tree/README"), S("xxd", "-l", "64", "tree/data/random.bin"),
        S("numfmt", "--to=iec", "123456789", "1048576"), S("expr", "7", "*", "6"),
        S("printf", "%s %5.2f %#x %q\\n", "a b", "2.71828", "255", "it's"),
        S("basename", "/a/b/c.txt", ".txt"), S("stat", "-c", "%n %s %a %F %Y", "tree/README", "tree/bin"),
        S("du", "-s", "--apparent-size", "tree"), S("test", "-d", "tree"), S("false")],
        setup_tree),
    Case("grep-sed", [S("grep", "-P", r"(?<=\s)(\w)\w*\1\b", "words.txt"),
                      S("grep", "-P", "-o", r"\b\d{3,5}(?=\s|$)", "small.txt"),
                      S("grep", "-Pc", r"^(?:(?!alpha).)*omega", "words.txt"),
                      S("grep", "-E", "-n", "-i", "zebra|APPLE", "small.txt"),
                      S("grep", "-rl", "--include=*.c", "main", "tree"),
                      S("grep", "-v", "-c", "a", "words.txt"), S("grep", "-q", "nonexistent", "words.txt"),
                      S("grep", "-F", "-w", "-f", "pats.txt", "small.txt"),
                      S("sed", "-n", "s/\\([a-z]*\\)a \\([0-9]*\\)/\\2:\\1/p", "small.txt"),
                      S("sed", "-E", "s/(alpha|beta)+/<&>/g; /omega/d; 10q", "small.txt"),
                      S("sed", "-n", "$=;/^pi/{=;p}", "words.txt"),
                      S("sed", "y/abc/xyz/;1~50!d", "words.txt"),
                      S("sed", "-i.bak", "s/gamma/GAMMA/2", "copy.txt"),
                      S("awk", "{n[$2]++} END {for (k in n) print k, n[k] | \"sort\"}", "small.txt")],
         lambda w: (setup_text(w), setup_tree(w),
                    write(os.path.join(w, "pats.txt"), "alpha\nomega\n42\n"),
                    write(os.path.join(w, "copy.txt"), text_lines(200, 9))), files=True),
    Case("xz", [S("xz", "-9", "-c", "-T1", "blob.bin", binary=True),
                S("xz", "-6e", "-c", "-T2", "--block-size=500000", "blob.bin", binary=True),
                S("xz", "-dc", "ref.xz", binary=True), S("xz", "-l", "ref.xz"),
                S("xz", "-t", "corrupt.xz")],
         lambda w: (setup_blob(w), subprocess.run(["xz", "-3", "-k", "-T1", "blob.bin"], cwd=w, check=True),
                    os.rename(os.path.join(w, "blob.bin.xz"), os.path.join(w, "ref.xz")),
                    write(os.path.join(w, "corrupt.xz"), open(os.path.join(w, "ref.xz"), "rb").read()[:5000]))),
    Case("gzip", [S("gzip", "-9", "-c", "-n", "blob.bin", binary=True),
                  S("gzip", "-1", "-c", "-n", "tree/data/random.bin", binary=True),
                  S("gzip", "-dc", "ref.gz", binary=True), S("gzip", "-l", "ref.gz"),
                  S("gzip", "-t", "corrupt.gz")],
         lambda w: (setup_blob(w), setup_tree(w),
                    subprocess.run("gzip -6 -n -c blob.bin > ref.gz", shell=True, cwd=w, check=True),
                    write(os.path.join(w, "corrupt.gz"), open(os.path.join(w, "ref.gz"), "rb").read()[:3000]))),
    Case("bzip2", [S("bzip2", "-9", "-c", "blob.bin", binary=True),
                   S("bzip2", "-dc", "ref.bz2", binary=True), S("bzip2", "-t", "corrupt.bz2")],
         lambda w: (setup_blob(w),
                    subprocess.run("bzip2 -5 -c blob.bin > ref.bz2", shell=True, cwd=w, check=True),
                    write(os.path.join(w, "corrupt.bz2"), open(os.path.join(w, "ref.bz2"), "rb").read()[:3000]))),
    Case("tar", [S("tar", "--sort=name", "--mtime=@1600000000", "--owner=0", "--group=0",
                   "--numeric-owner", "-cf", "out.tar", "tree"),
                 S("tar", "-tvf", "out.tar", "--numeric-owner"),
                 S("tar", "-xf", "out.tar", "-C", "extract"),
                 S("tar", "--sort=name", "--mtime=@1600000000", "--owner=0", "--group=0",
                   "--numeric-owner", "-czf", "-", "tree", binary=True),
                 S("tar", "-xzf", "ref.tgz", "-C", "extract2"), S("tar", "-tzf", "ref.tgz")],
         lambda w: (setup_tree(w), os.mkdir(os.path.join(w, "extract")), os.mkdir(os.path.join(w, "extract2")),
                    subprocess.run("tar --sort=name --mtime=@1 -cf - tree | gzip -n > ref.tgz", shell=True,
                                   cwd=w, check=True)),
         files=True),
    Case("perl", [S("perl", "-ne", "print if /a.*a/ && $. % 7 == 0", "small.txt"),
                  S("perl", "-pe", "s/(\\d+)/$1*2/ge; $_ = lc", "small.txt"),
                  S("perl", "-le", "print for map { $_ ** 3 } 1..10; print join ',', sort { $a <=> $b } (10, 9, 100, 1)"),
                  S("perl", "-MList::Util=sum,max", "-e", "print sum(1..1000), ' ', max(3, 9, 2), \"\\n\""),
                  S("perl", "-e", "my $s = 0; for my $i (1..300000) { $s += $i % 7 * ($i & 3) } print \"$s\\n\""),
                  S("perl", "script.pl", stdin="words.txt")],
         lambda w: (setup_text(w), write(os.path.join(w, "script.pl"), PERL_SCRIPT))),
    Case("python3", [S("python3", "-S", "-c", "print(sum(i * i for i in range(10**5)), 'é'.encode())"),
                     S("python3", "script.py")],
         lambda w: (setup_text(w), write(os.path.join(w, "script.py"), PYTHON_SCRIPT))),
    Case("sqlite3", [S("sqlite3", "db.sqlite", stdin="create.sql"),
                     S("sqlite3", "db.sqlite", stdin="query.sql"),
                     S("sqlite3", "-csv", "-header", "db.sqlite", "SELECT * FROM items WHERE id < 20"),
                     S("sqlite3", "db.sqlite", "SELECT * FROM nosuchtable")],
         lambda w: (write(os.path.join(w, "create.sql"), SQL_CREATE),
                    write(os.path.join(w, "query.sql"), SQL_QUERY))),
    Case("git", [S("git", "init", "-q", "-b", "main", "repo"),
                 S("git", "-C", "repo", "add", "."),
                 S("git", "-C", "repo", "commit", "-q", "-m", "first commit"),
                 S("sed", "-i", "s/two/TWO/; $a appended", "repo/docs/notes.md", native=True),
                 S("git", "-C", "repo", "rm", "-q", "data/empty"),
                 S("git", "-C", "repo", "commit", "-q", "-a", "-m", "second commit\n\nwith a body"),
                 S("git", "-C", "repo", "log", "--stat", "--format=fuller"),
                 S("git", "-C", "repo", "diff", "HEAD~1", "HEAD"),
                 S("git", "-C", "repo", "show", "--format=%H %T %s", "HEAD~1", "--", "src"),
                 S("git", "-C", "repo", "ls-files", "-s"), S("git", "-C", "repo", "rev-parse", "HEAD^{tree}"),
                 S("git", "-C", "repo", "cat-file", "-p", "HEAD"),
                 S("git", "-C", "repo", "status", "--porcelain"),
                 S("git", "-C", "repo", "log", "--oneline", "--graph", "--all"),
                 S("git", "-C", "repo", "fsck", "--strict")],
         lambda w: (setup_tree(w), shutil.copytree(os.path.join(w, "tree"), os.path.join(w, "repo"), symlinks=True))),
    Case("gcc", [S(CC1, "-quiet", "-imultiarch", "x86_64-linux-gnu", "-O2", "-march=x86-64",
                   "-fasynchronous-unwind-tables", "prog.c", "-o", "prog.s"),
                 S("as", "--64", "prog.s", "-o", "prog.o"),
                 S("gcc", "prog.o", "-o", "prog", "-lm"),
                 S("./prog", native=True),
                 S("gcc", "-O1", "-c", "prog.c", "-o", "prog2.o"),
                 S("objdump", "-d", "--no-show-raw-insn", "prog.o"),
                 S("nm", "prog.o"), S(CC1, "-quiet", "-imultiarch", "x86_64-linux-gnu", "bad.c", "-o", "bad.s"),
                 S("gcc", "-v", "-O2", "-o", "prog3", "prog.c", "-lm")],
         lambda w: (write(os.path.join(w, "prog.c"), C_PROGRAM),
                    write(os.path.join(w, "bad.c"), "int main(void) { return undeclared; }\n")),
         files=True),
]


# ---------------------------------------------------------------------------------------------


def resolve(prog):
    if "/" in prog:
        return prog
    found = shutil.which(prog, path=SEARCH_PATH)
    return found


def snapshot(work):
    """Every file and directory under work: type, mode, size and content hash."""
    out = []
    for dirpath, dirnames, filenames in os.walk(work):
        dirnames.sort()
        for n in sorted(dirnames) + sorted(filenames):
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, work)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out.append(f"{rel} -> {os.readlink(p)}")
            elif stat.S_ISDIR(st.st_mode):
                out.append(f"{rel}/ {stat.S_IMODE(st.st_mode):o}")
            else:
                with open(p, "rb") as f:
                    h = hashlib.sha256(f.read()).hexdigest()[:16]
                out.append(f"{rel} {stat.S_IMODE(st.st_mode):o} {st.st_size} {h}")
    return out


def run_case(case, emulator, backend, timeout, base):
    """Runs every step natively, then under the emulator; returns a list of mismatch texts."""
    work = os.path.join(base, "work")
    results = {}
    for who in ("native", "emulated"):
        if os.path.exists(work):
            shutil.rmtree(work)
        os.mkdir(work)
        if case.setup:
            case.setup(work)
        os.utime(work, (1600000000, 1600000000))  # `ls -la` shows it as ..
        env = {"PATH": SEARCH_PATH, "LC_ALL": "C", "LANG": "C", "TZ": "UTC", "HOME": work,
               "TERM": "dumb", "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "A U Thor",
               "GIT_AUTHOR_EMAIL": "author@example.com", "GIT_AUTHOR_DATE": "1600000000 +0000",
               "GIT_COMMITTER_NAME": "C O Mitter", "GIT_COMMITTER_EMAIL": "committer@example.com",
               "GIT_COMMITTER_DATE": "1600000100 +0000", "PYTHONHASHSEED": "0",
               "PYTHONDONTWRITEBYTECODE": "1", "SOURCE_DATE_EPOCH": "1600000000"}
        if who == "emulated" and backend:
            env["QEMU_JIT_BACKEND"] = backend
        steps = []
        for argv, opts in case.steps:
            prog = resolve(argv[0])
            if prog is None:
                return [f"{argv[0]} is not installed (scripts/setup installs it)"]
            full = [prog] + argv[1:]
            if who == "emulated" and not opts.get("native"):
                full = [emulator] + full
            stdin = open(os.path.join(work, opts["stdin"]), "rb") if "stdin" in opts else subprocess.DEVNULL
            try:
                p = subprocess.run(full, cwd=work, env=env, stdin=stdin, capture_output=True,
                                   timeout=case.timeout or timeout)
                steps.append((argv, p.returncode, p.stdout, p.stderr, opts))
            except subprocess.TimeoutExpired:
                steps.append((argv, "timeout", b"", b"", opts))
            except OSError as e:
                steps.append((argv, f"cannot run: {e}", b"", b"", opts))
            finally:
                if "stdin" in opts:
                    stdin.close()
        files = snapshot(work) if case.files else None
        results[who] = (steps, files)
    problems = []
    (nsteps, nfiles), (esteps, efiles) = results["native"], results["emulated"]
    for (argv, nrc, nout, nerr, opts), (_, erc, eout, eerr, _) in zip(nsteps, esteps):
        label = " ".join(argv)[:100]
        if nrc == "timeout":
            problems.append(f"step `{label}`: the native run timed out")
            continue
        if nrc != erc:
            problems.append(f"step `{label}`: exit status native {nrc}, emulated {erc}"
                            + (f"\n    emulated stderr: {eerr.decode(errors='replace').strip()[-800:]}"
                               if eerr.strip() else ""))
        if nout != eout:
            if opts.get("binary"):
                first = next((i for i in range(min(len(nout), len(eout))) if nout[i] != eout[i]),
                             min(len(nout), len(eout)))
                problems.append(f"step `{label}`: stdout differs (binary): native {len(nout)} bytes "
                                f"sha256 {hashlib.sha256(nout).hexdigest()[:16]}, emulated {len(eout)} "
                                f"bytes sha256 {hashlib.sha256(eout).hexdigest()[:16]}, first "
                                f"difference at byte {first}")
            else:
                diff = list(difflib.unified_diff(nout.decode(errors="replace").splitlines(),
                                                 eout.decode(errors="replace").splitlines(),
                                                 "native", "emulated", lineterm="", n=2))
                text = "\n".join("    " + d for d in diff[:60])
                if len(diff) > 60:
                    text += f"\n    ... ({len(diff) - 60} more diff lines)"
                problems.append(f"step `{label}`: stdout differs\n{text}"
                                + (f"\n    emulated stderr: {eerr.decode(errors='replace').strip()[-800:]}"
                                   if eerr.strip() and nerr != eerr else ""))
    if nfiles != efiles:
        diff = list(difflib.unified_diff(nfiles, efiles, "native files", "emulated files",
                                         lineterm="", n=1))
        problems.append("files left behind differ:\n" + "\n".join("    " + d for d in diff[:40]))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--emulator", required=True)
    ap.add_argument("--backend", choices=["interp", "x86_64"])
    ap.add_argument("--only", nargs="+", default=[])
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--timeout", type=int, default=120, help="seconds per step")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    if a.list:
        for c in CASES:
            print(f"{c.name}: {len(c.steps)} steps")
        return 0
    only = set()
    for n in a.only:
        only.update(n.replace(",", " ").split())
    unknown = only - {c.name for c in CASES}
    if unknown:
        print(f"unknown case(s): {' '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    emulator = os.path.abspath(a.emulator)
    if not (os.path.isfile(emulator) and os.access(emulator, os.X_OK)):
        print(f"FAIL: the emulator {emulator} does not exist or is not executable")
        return 1
    failed, passed = [], 0
    for case in CASES:
        if only and case.name not in only:
            continue
        base = tempfile.mkdtemp(prefix=f"progtest-{case.name}-")
        try:
            problems = run_case(case, emulator, a.backend, a.timeout, base)
        finally:
            shutil.rmtree(base, ignore_errors=True)
        if problems:
            print(f"FAIL {case.name}")
            for pr in problems:
                print("  " + pr)
            failed.append(case.name)
        else:
            passed += 1
            if a.verbose:
                print(f"ok   {case.name} ({len(case.steps)} steps)")
    print(f"{passed} passed, {len(failed)} failed")
    if failed:
        print("failed: " + " ".join(failed))
        return 1
    if passed == 0:
        print("FAIL: nothing ran")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
