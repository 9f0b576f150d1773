#!/usr/bin/env python3
"""Benchmarks of `mugaika sanitize` on generated message shapes (shapes.py).

usage: bench/run.py [BUILDDIR] [--repeat N] [--callgrind] [--only TEXT] [--keep DIR]

Default mode: per shape, the median wall time of N runs and its ratio to
the baseline shape (a small text-only message) measured in the same run,
the median CPU time (user + system) and its ratio, input MB/s, peak RSS in
MiB and its ratio to the baseline's.

--callgrind: per shape, the instructions executed (valgrind callgrind, one
run: repeatable to a fraction of a percent) and their ratio to the
baseline's; the profiles are kept (--keep DIR, default a temporary
directory) for callgrind_annotate.

Every run must end with an exit status the shape expects (0: delivered);
anything else is printed, since a failing run (a missing virus database
answers 75 at once) would otherwise look very fast.  Never a pass/fail test.
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def arg(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def write_conf(d, mugaika):
    subprocess.run(["sh", os.path.join(TOP, "tests", "mkclamdb.sh"), os.path.join(d, "clamdb")], check=True)
    for sub in ("spool", "var"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    conf = os.path.join(d, "bench.conf")
    key = os.path.join(d, "audit.key")  # issue 17: the audit log is keyed
    if not os.path.exists(key):
        with open(os.path.join(d, "key.conf"), "w") as f:
            f.write("audit_log =\nadmin_audit_log =\n")
        subprocess.run([mugaika, "audit", "key", "generate",
                        "--key-file", key, "-c", os.path.join(d, "key.conf")], check=True,
                       stdout=subprocess.DEVNULL)
    with open(conf, "w") as f:
        f.write("spool_dir = %(d)s/spool\nspool_memory_max = 1M\nmax_message_size = 64M\n"
                "max_part_size = 32M\nmax_decoded_total = 64M\nclamav_database = %(d)s/clamdb\n"
                "quarantine_dir = %(d)s/var/quarantine\naudit_log = %(d)s/var/audit.log\n"
                "admin_audit_log = %(d)s/var/admin.log\ninternal_domain = city.example.lg.jp\n"
                "audit_key_file = %(d)s/audit.key\n"
                "auth_mode = off\n"  # sender authentication would ask DNS
                "log_level = warning\n"
                # wall-clock budgets would cut work short under valgrind (50x
                # slower) and make instruction counts depend on the machine
                "max_processing_time = 3600\nattachment_time_budget = 3600\nscan_max_time = 3600\n"
                % {"d": d})
    return conf


def run_once(mugaika, conf, path):
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu0 = ru.ru_maxrss, ru.ru_utime + ru.ru_stime
    t0 = time.perf_counter()
    rc = subprocess.run([mugaika, "sanitize", "-c", conf, path], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL, check=False).returncode
    dt = time.perf_counter() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return dt, max(before, ru.ru_maxrss), rc, ru.ru_utime + ru.ru_stime - cpu0


def measure_wall(mugaika, conf, path, repeat):
    # RSS of children is a high-water mark: measure each shape in a fresh
    # interpreter so that shapes do not see each other's peak.
    out = subprocess.run([sys.executable, __file__, "--one", mugaika, conf, path, str(repeat)],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2]), float(out[3])


def measure_callgrind(mugaika, conf, path, prof):
    res = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + prof, mugaika, "sanitize",
                          "-c", conf, path], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in open(prof):
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1]), res.returncode
    raise RuntimeError("no totals in " + prof)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "."
    repeat = int(arg("--repeat", "5"))
    only = arg("--only")
    mugaika = os.path.abspath(os.path.join(build, "mugaika"))
    cg = "--callgrind" in sys.argv
    with tempfile.TemporaryDirectory() as d:
        keep = arg("--keep", d)
        os.makedirs(keep, exist_ok=True)
        conf = write_conf(d, mugaika)
        base = None
        print("# %s  %s" % (time.strftime("%Y-%m-%d %H:%M"), "callgrind instructions" if cg else
                            "median of %d runs" % repeat))
        for i, (name, build_msg) in enumerate(shapes.CASES):
            if i and only and only not in name:
                continue
            path = os.path.join(keep, "shape%02d.eml" % i)
            data = build_msg()
            with open(path, "wb") as f:
                f.write(data)
            if cg:
                ir, rc = measure_callgrind(mugaika, conf, path, os.path.join(keep, "shape%02d.callgrind" % i))
                base = base or ir
                line = "%-22s %14d  x%7.1f  %6.0f Ir/B" % (name, ir, ir / base, ir / len(data))
            else:
                t, m, rc, cpu = measure_wall(mugaika, conf, path, repeat)
                base = base or (t, m, cpu)
                line = "%-22s %8.4fs  x%6.1f  cpu %7.4fs  x%6.1f  %6.1f MB/s  %6.1f MiB  x%4.1f" % (
                    name, t, t / base[0], cpu, cpu / base[2], len(data) / t / 1e6, m, m / base[1])
            print(line + ("" if rc == 0 else "  EXIT %d (not a clean delivery)" % rc), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        _, _, mg, cf, p, n = sys.argv
        runs = [run_once(mg, cf, p) for _ in range(int(n))]
        print(statistics.median(r[0] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs),
              statistics.median(r[3] for r in runs))
    else:
        main()
