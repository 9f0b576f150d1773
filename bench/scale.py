#!/usr/bin/env python3
"""Time and memory of one large message as its size grows (issue 15).

usage: bench/scale.py [BUILDDIR] [--sizes 1,10,50] [--repeat N] [--keep DIR]

Per size (MB of the raw message): a message with a ZIP of CSV files (about
60 % of the bytes) and a CSV text attachment (the rest), both base64, like a
municipality's data export.  `mugaika sanitize` runs on it N times (3); the
table gives the median wall and CPU time, the peak RSS, the peak RSS above
the idle footprint (the RSS of the same command on a 2 KB text message) as a
multiple of the message size, and the CPU time per MB as a ratio to the
smallest size's (1.0 = linear; CPU, not wall time, because on a shared
machine the wall time mostly measures the other processes).  Every run must deliver (exit 0); anything
else is printed.  Never a pass/fail test: targets are read, not asserted.
"""
import base64
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402  (write_conf: the bench's configuration and signature database)

MB = 1 << 20


def arg(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def csv_text(n, rng):
    """About n bytes of CSV rows (compresses about 3:1, like real exports)."""
    rows, size, i = [], 0, 0
    while size < n:
        row = "%d,%s,%d,%d.%02d,東京都千代田区%d丁目\n" % (
            i, "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(8)), rng.randrange(10**6),
            rng.randrange(1000), rng.randrange(100), rng.randrange(50))
        rows.append(row)
        size += len(row.encode())
        i += 1
    return "".join(rows).encode()


def b64(data):
    return base64.encodebytes(data).decode()


def big_message(size_mb):
    """A message of about size_mb MB (raw, base64 parts)."""
    rng = random.Random(1500 + size_mb)
    decoded = size_mb * MB * 3 // 4  # base64 grows by 4/3
    zbuf = io.BytesIO()
    with zipfile.ZipFile(zbuf, "w", zipfile.ZIP_DEFLATED) as z:
        want, i = decoded * 6 // 10, 0
        while zbuf.tell() < want:
            z.writestr("data/part%03d.csv" % i, csv_text(MB, rng))
            i += 1
    text = csv_text(decoded * 4 // 10, rng)
    lines = ["From: bench@example.net", "To: staff@city.example.lg.jp", "Subject: scale %d MB" % size_mb,
             "Message-ID: <scale%d@example.net>" % size_mb, "MIME-Version: 1.0",
             'Content-Type: multipart/mixed; boundary="bb"', "", "--bb",
             "Content-Type: text/plain; charset=utf-8", "", "データを送ります。", "--bb",
             "Content-Type: application/zip", 'Content-Disposition: attachment; filename="export.zip"',
             "Content-Transfer-Encoding: base64", "", b64(zbuf.getvalue()), "--bb",
             "Content-Type: text/csv; charset=utf-8", 'Content-Disposition: attachment; filename="list.csv"',
             "Content-Transfer-Encoding: base64", "", b64(text), "--bb--", ""]
    return "\n".join(lines).encode()


LIMITS = {"max_message_size": "128M", "inbound_max_message_size": "128M", "outbound_max_message_size": "128M",
          "inbound_max_attachment_size": "96M", "outbound_max_attachment_size": "96M", "max_part_size": "96M",
          "max_decoded_total": "256M", "archive_max_total_size": "512M", "archive_max_entries": "10000",
          "scan_max_file_size": "256M", "scan_max_scan_size": "1024M"}


def scale_conf(d, mugaika):
    """bench/run.py's configuration with limits that let a 50 MB message through."""
    conf = run.write_conf(d, mugaika)
    with open(conf) as f:
        lines = [ln for ln in f if ln.split("=")[0].strip() not in LIMITS]
    with open(conf, "w") as f:
        f.writelines(lines + ["%s = %s\n" % kv for kv in LIMITS.items()])
    return conf


def measure(mugaika, conf, path, repeat):
    out = subprocess.run([sys.executable, run.__file__, "--one", mugaika, conf, path, str(repeat)],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2]), float(out[3])


def main():
    build = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "."
    sizes = [int(s) for s in arg("--sizes", "1,10,50").split(",")]
    repeat = int(arg("--repeat", "3"))
    mugaika = os.path.abspath(os.path.join(build, "mugaika"))
    with tempfile.TemporaryDirectory() as d:
        keep = arg("--keep", d)
        os.makedirs(keep, exist_ok=True)
        conf = scale_conf(d, mugaika)
        idle_path = os.path.join(keep, "idle.eml")
        with open(idle_path, "wb") as f:
            f.write(b"From: a@example.net\nTo: b@city.example.lg.jp\nSubject: idle\n\n" + b"text\n" * 400)
        _, idle, rc, _ = measure(mugaika, conf, idle_path, repeat)
        print("# %s  mugaika sanitize, median of %d; idle footprint %.1f MiB%s" % (
            time.strftime("%Y-%m-%d %H:%M"), repeat, idle, "" if rc == 0 else " (EXIT %d)" % rc))
        print("%8s %9s %9s %9s %9s %9s %12s" % ("size MB", "wall s", "cpu s", "RSS MiB", "above", "x size",
                                                  "cpu/MB ratio"))
        first = None
        for mb in sizes:
            path = os.path.join(keep, "scale%03d.eml" % mb)
            data = big_message(mb)
            with open(path, "wb") as f:
                f.write(data)
            real_mb = len(data) / MB
            t, rss, rc, cpu = measure(mugaika, conf, path, repeat)
            first = first or cpu / real_mb
            print("%8.1f %9.3f %9.3f %9.1f %9.1f %9.2f %12.2f%s" % (
                real_mb, t, cpu, rss, rss - idle, (rss - idle) / real_mb, cpu / real_mb / first,
                "" if rc == 0 else "  EXIT %d (not a clean delivery)" % rc), flush=True)


if __name__ == "__main__":
    main()
