#!/usr/bin/env python3
"""The Japanese corpus test (issue 13): generate, sanitize, check.

  run.py sanitize --mugaika BIN --conf MODE=CONF... --work DIR [--only ID...] [--jobs N]
      every case through `mugaika sanitize` in each MODE (utf-8, iso-2022-jp,
      en: UTF-8 with the English notice, only for cases marked en); exit 1
      on any failure.
  run.py gen --tag TAG --fullstack DIR
      write the full-stack subset as DIR/ID.eml, print "ID MESSAGE-ID" lines
  run.py check --tag TAG --case ID --mode MODE FILE
      check one delivered message (the full-stack test uses this)

Python standard library only; no message is committed, all are generated.
"""
import argparse
import collections
import concurrent.futures
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jcheck  # noqa: E402
import jcorpus  # noqa: E402

# Checks of what the reader sees (the rest are checks of form: what a strict
# or word-by-word client needs).
READER = {"notice-catalog", "verdict", "subject", "from", "to", "inner", "atts", "zip", "body", "alternative", "notice", "notice-removed",
          "notice-absent", "notice-dup", "notice-indent", "notice-english", "notice-japanese"}
MODES = {"utf-8": {"charset": "utf-8", "lang": "ja"}, "iso-2022-jp": {"charset": "iso-2022-jp", "lang": "ja"},
         "en": {"charset": "utf-8", "lang": "en"}}


def run_one(args, case, mode, conf):
    d = os.path.join(args.work, mode)
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, case.cid + ".eml")
    with open(src, "wb") as f:
        f.write(case.eml)
    rep = os.path.join(d, case.cid + ".json")
    p = subprocess.run([args.mugaika, "sanitize", "-c", conf, "--queue-id", case.cid, "--rcpt", "staff@city.example.lg.jp",
                        "--report", rep, src], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    with open(os.path.join(d, case.cid + ".out"), "wb") as f:
        f.write(p.stdout)
    report = open(rep, encoding="utf-8", errors="replace").read() if os.path.exists(rep) else None
    fails = jcheck.check(case, p.stdout, report, MODES[mode], p.returncode)
    if p.returncode != 0:
        fails.append(("verdict", p.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]))
    for line in p.stderr.decode("utf-8", "replace").splitlines():
        if "no catalog entry" in line:  # the notice said the fallback: complete conf/reasons.*.txt
            fails.append(("notice-catalog", line))
    return case, mode, fails


def cmd_sanitize(args):
    confs = dict(c.split("=", 1) for c in args.conf)
    cases = [c for c in jcorpus.build(args.tag) if not args.only or c.cid in args.only]
    jobs = [(c, m) for c in cases for m in confs if m != "en" or c.en]
    bad, reader, by_cat, by_item = 0, 0, collections.Counter(), collections.defaultdict(set)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(run_one, args, c, m, confs[m]) for c, m in jobs]
        for fut in futs:
            case, mode, fails = fut.result()
            if not fails:
                print("PASS: %s %s (%s)" % (mode, case.cid, case.mailer))
                continue
            bad += 1
            reader += any(cat in READER for cat, _ in fails)
            print("FAIL: %s %s (%s; issue items %s)" % (mode, case.cid, case.mailer, case.items))
            for cat, msg in fails:
                print("    %s: %s" % (cat, msg))
                by_cat[cat] += 1
            for it in case.items:
                by_item[it].add(case.cid)
    print("%d cases, %d runs, %d failed (%d in what the reader sees)" % (len(cases), len(jobs), bad, reader))
    if bad:
        print("failures by check: " + ", ".join("%s=%d" % kv for kv in sorted(by_cat.items())))
        for it in sorted(by_item):
            print("issue item %s: %d case(s) fail" % (it, len(by_item[it])))
    return 1 if bad else 0


def cmd_gen(args):
    os.makedirs(args.dir, exist_ok=True)
    for c in jcorpus.build(args.tag):
        if args.fullstack and not c.fullstack:
            continue
        with open(os.path.join(args.dir, c.cid + ".eml"), "wb") as f:
            f.write(c.eml)
        print(c.cid, c.expect["msgid"])
    return 0


def cmd_check(args):
    case = {c.cid: c for c in jcorpus.build(args.tag)}[args.case]
    with open(args.file, "rb") as f:
        fails = jcheck.check(case, f.read(), None, MODES[args.mode])
    for cat, msg in fails:
        print("    %s: %s" % (cat, msg))
    return 1 if fails else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sanitize")
    s.add_argument("--mugaika", required=True)
    s.add_argument("--conf", action="append", required=True, help="MODE=CONF")
    s.add_argument("--work", required=True)
    s.add_argument("--only", nargs="*")
    s.add_argument("--jobs", type=int, default=2)
    s.add_argument("--tag", default="t")
    g = sub.add_parser("gen")
    g.add_argument("--tag", default="t")
    g.add_argument("--fullstack", action="store_true")
    g.add_argument("dir")
    c = sub.add_parser("check")
    c.add_argument("--tag", default="t")
    c.add_argument("--case", required=True)
    c.add_argument("--mode", default="utf-8")
    c.add_argument("file")
    args = ap.parse_args()
    return {"sanitize": cmd_sanitize, "gen": cmd_gen, "check": cmd_check}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
