#!/usr/bin/env python3
"""Check one delivered message against its sender-authentication case.

usage: check.py CASES.tsv NAME MESSAGE [options]
  --serv-id ID      our authserv-id (default mugaika.test)
  --notice FILE     notice template whose [warning] line and [words] texts
                    must appear at the top of the notice (conf/notice.ja.txt)
  --report FILE     `mugaika sanitize --report` JSON: its auth section must agree
  --upstream ID     trust-upstream mode: ID's results must be restated in ours

Checks: exactly one Authentication-Results field with our authserv-id, none
forged left, its spf/dkim/dmarc results those of the case (cases.tsv from
mkauth.py), every expected warning in the notice's [warning] slot (under its
header, above every item) in the order of the case, and no warning when none
is expected.  Prints one line per failed
check and exits 1 if any failed.
"""
import argparse
import email
import email.policy
import json
import re
import sys

METHODS = ("spf", "dkim", "dmarc")
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)


def ar_results(value):
    """authserv-id and {method: [results]} of one A-R value (comments removed)."""
    v = re.sub(r"\([^()]*\)", "", re.sub(r"\([^()]*\)", "", value))  # two levels of comments
    parts = [p.strip() for p in v.split(";")]
    res = {}
    for p in parts[1:]:
        m = re.match(r"([a-z0-9_-]+)\s*=\s*([a-z]+)", p, re.I)
        if m:
            res.setdefault(m.group(1).lower(), []).append(m.group(2).lower())
    return parts[0].split()[0] if parts[0] else "", res


def summary(results):
    """One result for a method that may appear several times (dkim)."""
    for r in ("pass", "temperror", "fail", "permerror", "neutral", "policy", "softfail"):
        if r in results:
            return r
    return results[0] if results else "none"


def notice_texts(path):
    warning_line, words, section = None, {}, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#"):
            continue
        m = re.match(r"^\[(\w+)\]$", line)
        if m:
            section = m.group(1)
        elif section == "warning" and line and warning_line is None:
            warning_line = line
        elif section == "words" and "=" in line:
            k, v = line.split("=", 1)
            words[k.strip()] = v.strip()
    return warning_line, words


def first_text(msg):
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            return part.get_content()
    return ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cases")
    ap.add_argument("name")
    ap.add_argument("message")
    ap.add_argument("--serv-id", default="mugaika.test")
    ap.add_argument("--notice")
    ap.add_argument("--report")
    ap.add_argument("--upstream")
    a = ap.parse_args()
    case = next(line.rstrip("\n").split("\t") for line in open(a.cases) if line.split("\t")[0] == a.name)
    want = dict(zip(METHODS, case[4:7]))
    warnings = [w for w in case[7].split(",") if w != "-"]
    msg = email.message_from_binary_file(open(a.message, "rb"), policy=email.policy.default)

    ours = []
    for value in msg.get_all("Authentication-Results", []):
        sid, res = ar_results(str(value))
        if sid.lower() == a.serv_id.lower():
            ours.append(res)
        check("header.d=example.com; dmarc=pass" not in str(value), "a forged Authentication-Results survived")
    check(len(ours) == 1, "%d Authentication-Results fields with authserv-id %s, want 1" % (len(ours), a.serv_id))
    if ours:
        for m in METHODS:
            got = summary(ours[0].get(m, []))
            check(got == want[m], "%s=%s, want %s" % (m, got, want[m]))

    if a.notice:
        line, words = notice_texts(a.notice)
        text = first_text(msg)
        head = text.split("\n")
        shown = [l for l in head if line and l.startswith(line.split("{")[0])]
        want_lines = [line.replace("{warning}", words[w]) for w in warnings]
        check(shown == want_lines, "notice warnings %r, want %r" % (shown, want_lines))
        if want_lines:  # the [warning] slot: right under the notice's header, above every item
            first = head.index(want_lines[0]) if want_lines[0] in head else -1
            block = head[first:first + len(want_lines)]
            items = [i for i, l in enumerate(head) if l.startswith(("・", "- "))]
            check(block == want_lines, "warning lines not together: %r" % block)
            check(not items or first < items[0], "an item of the notice stands above the warnings")

    if a.report:
        rep = json.load(open(a.report))
        auth = rep.get("auth") or rep.get("extra", {}).get("auth") or {}
        for m in METHODS:
            got = auth.get(m, {}).get("result") if isinstance(auth.get(m), dict) else auth.get(m)
            check(got == want[m], "report %s=%s, want %s" % (m, got, want[m]))
        check(sorted(auth.get("warnings", [])) == sorted(warnings),
              "report warnings %r, want %r" % (auth.get("warnings"), warnings))

    for f in fails:
        print("%s: %s" % (a.name, f))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
