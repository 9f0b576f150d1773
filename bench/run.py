#!/usr/bin/env python3
"""Benchmarks of `mugaika sanitize`: time and peak memory per message shape,
reported as ratios against a baseline measured in the same run (a small
text-only message), so that results compare across machines.

usage: bench/run.py [BUILDDIR] [--repeat N]
Prints one line per case: median seconds, ratio to the baseline, MB/s of
input, peak RSS in MiB and its ratio to the baseline's.  Never used as a
pass/fail test.
"""
import base64
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def message(parts, attachment_size):
    lines = ["From: bench@example.net", "To: staff@city.example.lg.jp", "Subject: bench",
             "MIME-Version: 1.0", 'Content-Type: multipart/mixed; boundary="bb"', "",
             "--bb", "Content-Type: text/plain; charset=utf-8", "", "本文です。" * 50]
    for i in range(parts):
        lines += ["--bb", "Content-Type: application/octet-stream",
                  'Content-Disposition: attachment; filename="f%d.bin"' % i,
                  "Content-Transfer-Encoding: base64", ""]
        data = os.urandom(attachment_size)
        lines.append(base64.encodebytes(data).decode())
    lines.append("--bb--")
    return "\n".join(lines).encode()


CASES = [
    ("baseline: 2 KB text", 0, 0),
    ("1 MB attachment", 1, 1 << 20),
    ("10 MB attachment", 1, 10 << 20),
    ("200 small parts", 200, 2048),
]


def run_once(mugaika, conf, path):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run([mugaika, "sanitize", "-c", conf, path], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    dt = time.perf_counter() - t0
    return dt, max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "."
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 5
    mugaika = os.path.join(build, "mugaika")
    with tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "bench.conf")
        with open(conf, "w") as f:
            f.write("spool_dir = %s\nmax_message_size = 64M\nmax_part_size = 32M\n" % d)
        base_t = base_m = None
        for name, parts, size in CASES:
            path = os.path.join(d, "m.eml")
            data = message(parts, size)
            with open(path, "wb") as f:
                f.write(data)
            # RSS of children is a high-water mark: measure each case in a
            # fresh interpreter so cases do not see each other's peak.
            res = subprocess.run([sys.executable, __file__, "--one", mugaika, conf, path, str(repeat)],
                                 capture_output=True, text=True, check=True).stdout.split()
            t, m = float(res[0]), int(res[1]) / 1024
            if base_t is None:
                base_t, base_m = t, m
            print("%-22s %8.4fs  x%7.1f  %7.1f MB/s  %7.1f MiB  x%5.1f" %
                  (name, t, t / base_t, len(data) / t / 1e6, m, m / base_m))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        _, _, mg, cf, p, n = sys.argv
        runs = [run_once(mg, cf, p) for _ in range(int(n))]
        print(statistics.median(r[0] for r in runs), max(r[1] for r in runs))
    else:
        main()
