#!/usr/bin/env python3
"""check.py - run the hostile cases (issue 12) and check what is delivered.

usage:
  check.py --generate OUTDIR
      run every tests/hostile/gen_*.py into OUTDIR/<generator>/
  check.py --mugaika BIN --conf CONF [--work DIR] [--only REGEX] [--jobs N]
           [--summary FILE] [--verbose] CASEDIR...
      every NAME.expect.json under CASEDIR: `mugaika sanitize --report` on
      NAME.eml with CONF (plus the case's "config" lines), then the case's
      checks and every default check (hostile.check).  One PASS/FAIL line
      per case; exit 0 when every case passes, 1 otherwise.

The checks live in the checks_*.py plugins next to this file; README.md
has the contract.
"""
import argparse
import concurrent.futures
import glob
import importlib
import json
import os
import re
import subprocess
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hostile  # noqa: E402

TIMEOUT = 120


def load_plugins():
    for p in sorted(glob.glob(os.path.join(HERE, "checks_*.py"))):
        importlib.import_module(os.path.basename(p)[:-3])


def generate(outdir):
    ok = True
    for g in sorted(glob.glob(os.path.join(HERE, "gen_*.py"))):
        stem = os.path.basename(g)[:-3]
        r = subprocess.run([sys.executable, g, os.path.join(outdir, stem)])
        if r.returncode != 0:
            print("FAIL: generator %s exited %d" % (stem, r.returncode))
            ok = False
    return ok


def find_cases(dirs, only):
    cases = []
    for d in dirs:
        for p in sorted(glob.glob(os.path.join(d, "**", "*.expect.json"), recursive=True)):
            with open(p) as f:
                exp = json.load(f)
            exp["_eml"] = p[:-len(".expect.json")] + ".eml"
            exp["_id"] = "%s/%s" % (exp.get("generator", "?"), exp["name"])
            if only and not re.search(only, exp["_id"]):
                continue
            cases.append(exp)
    return cases


def case_conf(base, work, config):
    """CONF itself, or a copy with the case's extra lines."""
    if not config:
        return base
    key = "_".join("%s-%s" % kv for kv in sorted(config.items()))
    path = os.path.join(work, "conf-%08x.conf" % (hash(key) & 0xFFFFFFFF))
    if not os.path.exists(path):
        with open(base) as f:
            text = f.read()
        keys = set(config)
        lines = [l for l in text.splitlines() if l.split("=", 1)[0].strip() not in keys]
        lines += ["%s = %s" % kv for kv in sorted(config.items())]
        tmp = path + ".%d" % os.getpid()
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
    return path


def sanitize(mugaika, conf, eml, work, name):
    """Run the CLI; (rc, report dict or None, delivered bytes, stderr)."""
    rpath = os.path.join(work, name + ".report.json")
    if os.path.exists(rpath):
        os.unlink(rpath)
    cmd = [mugaika, "sanitize", "-c", conf] + hostile.ENVELOPE + ["--report", rpath, eml]
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        rc, out, err = r.returncode, r.stdout, r.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        rc, out, err = -9, b"", "timed out after %d s" % TIMEOUT
    report = None
    if os.path.exists(rpath):
        try:
            with open(rpath) as f:
                report = json.load(f)
        except ValueError as e:
            err += "\nreport is not JSON: %s" % e
    with open(os.path.join(work, name + ".out.eml"), "wb") as f:
        f.write(out)
    return rc, report, out, err


def evaluate(ctx):
    """Run the case's checks and the defaults; list of "check: problem"."""
    probs = []
    named = ctx.case.get("checks", [])
    skip = set(ctx.case.get("skip_default", []))
    todo = [(c["check"], {k: v for k, v in c.items() if k != "check"}) for c in named]
    todo += [(n, {}) for n, c in sorted(hostile.CHECKS.items())
             if c["default"] and n not in skip and not any(n == t for t, _ in todo)]
    for name, args in todo:
        c = hostile.CHECKS.get(name)
        if c is None:
            probs.append("%s: unknown check" % name)
            continue
        if ctx.verdict not in c["when"]:
            if not c["default"] and ctx.verdict != "tempfail":
                probs.append("%s: not applicable to verdict %s (%s)" % (name, ctx.verdict, ctx.smtp))
            continue
        try:
            probs += ["%s: %s" % (name, p) for p in c["fn"](ctx, **args)]
        except Exception:
            probs.append("%s: check raised %s" % (name, traceback.format_exc().strip().splitlines()[-1]))
    return probs


def run_case(args, exp):
    work = os.path.join(args.work, exp.get("generator", "x"))
    os.makedirs(work, exist_ok=True)
    conf = case_conf(args.conf, args.work, exp.get("config"))
    rc, report, out, err = sanitize(args.mugaika, conf, exp["_eml"], work, exp["name"])
    with open(exp["_eml"], "rb") as f:
        inp = f.read()
    try:
        ctx = hostile.Ctx(exp["name"], exp, "sanitize", inp, rc, report, out, err)
        return ctx, evaluate(ctx)
    except Exception:
        return None, ["runner: %s" % traceback.format_exc().strip().splitlines()[-1]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--generate")
    ap.add_argument("--mugaika")
    ap.add_argument("--conf")
    ap.add_argument("--work")
    ap.add_argument("--only")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("HOSTILE_JOBS", "2")))
    ap.add_argument("--summary")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("dirs", nargs="*")
    args = ap.parse_args()
    if args.generate:
        return 0 if generate(args.generate) else 1
    if not (args.mugaika and args.conf and args.dirs):
        ap.error("--mugaika, --conf and CASEDIR are required")
    load_plugins()
    args.work = args.work or os.path.join(os.path.dirname(os.path.abspath(args.dirs[0])), "work")
    os.makedirs(args.work, exist_ok=True)
    cases = find_cases(args.dirs, args.only)
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        futs = [(exp, ex.submit(run_case, args, exp)) for exp in cases]
        for exp, fut in futs:
            ctx, probs = fut.result()
            verdict = ctx.verdict if ctx else "?"
            results.append({"id": exp["_id"], "family": exp.get("family"), "title": exp.get("title"),
                            "verdict": verdict, "problems": probs})
            if probs:
                print("FAIL: %s [%s] %s" % (exp["_id"], exp.get("family"), exp.get("title")))
                for p in probs[: None if args.verbose else 6]:
                    print("    " + p)
                if len(probs) > 6 and not args.verbose:
                    print("    ... %d more" % (len(probs) - 6))
            else:
                print("PASS: %s (%s)" % (exp["_id"], verdict))
    nfail = sum(1 for r in results if r["problems"])
    fams = {}
    for r in results:
        t = fams.setdefault(r["family"], [0, 0])
        t[0] += 1
        t[1] += bool(r["problems"])
    print("--- by family (failed/total)")
    for fam in sorted(fams, key=str):
        print("  %-28s %3d/%d" % (fam, fams[fam][1], fams[fam][0]))
    print("%d cases, %d passed, %d failed" % (len(results), len(results) - nfail, nfail))
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(results, f, indent=1, ensure_ascii=False)
    if not results:
        return 77
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
