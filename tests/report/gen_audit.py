#!/usr/bin/env python3
"""gen_audit.py - a known audit log for the monthly report test (issue 17).

Writes, into OUTDIR, an audit log and an admin log of random but seeded
records (keyed chain, docs/audit-format.md), the key file, a permit file,
and expected.json: every count `mugaika report --json` must give for the
period, computed from what was generated (the plan), never by reading the
written log back.

    gen_audit.py OUTDIR [--seed N] [--messages N]
    gen_audit.py --compare EXPECTED.json ACTUAL.json

Period: 2026-11-01 .. 2026-11-30 in +09:00 (log_timezone).  Records sit on
both sides of each boundary, some written with another offset, so a report
that counts by the host's time zone, or excludes the last millisecond of
the last day, gets a count wrong.

The contract of each count (what the report reads) is in docs/audit-format.md
section "What the monthly report counts"; the generator follows it:
  detections: per message, each distinct signature found in report.scan.found[]
    (result infected) or report.parts[].virus counts once;
  blocks_by_reason: verdict reject, by rule; tempfail_by_reason likewise;
  size_refusals: rejects whose rule is one of SIZE_RULES;
  permit_use: each id in report.policy.auto_forward_permits[];
  exception_use: each id in report.exceptions[] (strings or {"id":..});
  outbound: direction outbound: messages, by verdict, by rule, detections;
  alerts_by_event: records of type alert; selftests: records of type selftest.
"""
import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import random
import sys

TZ = dt.timezone(dt.timedelta(hours=9))
FROM = dt.datetime(2026, 11, 1, tzinfo=TZ)
TO = dt.datetime(2026, 12, 1, tzinfo=TZ)  # exclusive: --to 2026-11-30 is the whole last day
PERIOD = ("2026-11-01", "2026-11-30")
KEY_ID = "k20261101-0a1b2c3d"
KEY_HEX = "5c" * 32
HOST = "relay1.city.example.lg.jp"
SIZE_RULES = ("size-declared", "size-message", "attachment-size", "decoded-total")
SIGS = ("Eicar-Test-Signature", "Win.Trojan.Emotet-123", "Doc.Downloader.Agent-9", "Html.Phishing.Bank-1")
TYPES = ("application/pdf", "image/png", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "application/zip", "application/x-dosexec", "text/html")
EXT_DOMAINS = ("example.com", "example.net", "partner.example.jp", "mail.example.org", "news.example.com")
INT_DOMAIN = "city.example.lg.jp"
PERMITS = [  # id, source, destination, approver, expires
    ("FWD-2026-001", "tanaka@city.example.lg.jp", "tanaka@example.net", "kacho@city.example.lg.jp", "2026-10-31"),
    ("FWD-2026-002", "suzuki@city.example.lg.jp", "suzuki@example.com", "kacho@city.example.lg.jp", "2026-11-15"),
    ("FWD-2026-003", "@kouhou.city.example.lg.jp", "@partner.example.jp", "joho@city.example.lg.jp", "2026-11-30"),
    ("FWD-2026-004", "sato@city.example.lg.jp", "sato@example.org", "joho@city.example.lg.jp", "2027-03-31"),
]
EXCEPTIONS = ("EXC-2026-010", "EXC-2026-011")
ALERTS = ("virus", "signatures-stale", "relay-attempt-burst", "audit-failure", "clock-unsynchronized")


def iso(t, offset_hours=9):
    t = t.astimezone(dt.timezone(dt.timedelta(hours=offset_hours)))
    s = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}"
    off = t.strftime("%z")
    return s + off[:3] + ":" + off[3:]


class Chain:
    """The keyed chain writer of docs/audit-format.md, independent of the C one."""

    def __init__(self, path):
        self.f = open(path, "w", encoding="utf-8", newline="\n")
        self.seq = 0
        self.mac = "0" * 64

    def write(self, rec):
        self.seq += 1
        body = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
        canon = body[:-1] + f',"seq":{self.seq},"key":"{KEY_ID}","prev_mac":"{self.mac}"}}'
        mac = hmac.new(bytes.fromhex(KEY_HEX), canon.encode("utf-8"), hashlib.sha256).hexdigest()
        self.f.write(canon[:-1] + f',"mac":"{mac}"}}\n')
        self.mac = mac

    def close(self):
        self.f.close()


class Truth:
    """What the report must count, accumulated from the plan."""

    def __init__(self):
        self.c = {k: {} for k in ("removed_by_type", "rebuilt_by_type", "converted_by_type",
                                  "detections_by_signature", "unscannable_by_reason", "blocks_by_reason",
                                  "tempfail_by_reason", "size_refusals", "permit_use", "exception_use",
                                  "alerts_by_event", "domains")}
        self.by_dir, self.det_dir = {}, {}
        self.messages = 0
        self.out = {"messages": 0, "by_verdict": {}, "by_rule": {}, "detections": {}}
        self.selftests = {"runs": 0, "failed": 0, "last": None, "last_result": None}
        self.releases = []

    @staticmethod
    def inc(d, k, n=1):
        d[k] = d.get(k, 0) + n


def time_in(rng):
    """A time inside the period (boundaries included), with its offset."""
    pick = rng.random()
    if pick < 0.05:
        return FROM, 9
    if pick < 0.10:
        return TO - dt.timedelta(milliseconds=1), 9
    if pick < 0.15:  # written by a host in UTC: 2026-10-31T15:xx+00:00 is inside
        return FROM + dt.timedelta(minutes=rng.randrange(0, 600)), 0
    span = (TO - FROM).total_seconds()
    return FROM + dt.timedelta(seconds=rng.uniform(0, span - 1)), 9


def time_out(rng):
    pick = rng.random()
    if pick < 0.25:
        return FROM - dt.timedelta(milliseconds=1), 9
    if pick < 0.5:
        return TO, 9
    if pick < 0.75:  # 2026-11-30T15:00:00Z is 2026-12-01T00:00+09:00: outside
        return TO + dt.timedelta(minutes=rng.randrange(0, 300)), 0
    return FROM - dt.timedelta(days=rng.randrange(1, 40)), 9


def part(rng, action, ptype, reason=None, virus=None, i=1):
    p = {"path": f"1.{i}", "filename": f"file{i}", "declared_type": "application/octet-stream",
         "detected_type": ptype, "size": rng.randrange(100, 100000),
         "sha256": hashlib.sha256(os.urandom(8)).hexdigest(), "action": action, "reason": reason}
    if virus:
        p["virus"] = virus
    return p


def new_message(rng, kind):
    """One message record of a kind; returns (record, facts) where facts is the ground truth."""
    internal = kind in ("outbound-virus", "forward-deny", "forward-permit", "outbound-clean", "outbound-bcc")
    sender_dom = INT_DOMAIN if internal else rng.choice(EXT_DOMAINS)
    direction = "outbound" if internal else "inbound"
    f = {"direction": direction, "verdict": "accept", "rule": None, "sigs": set(), "parts": [], "unscannable": [],
         "permits": [], "exceptions": [], "domain": sender_dom}
    report = {"verdict": "accept", "rule": None, "events": [], "parts": [],
              "policy": {"direction": direction, "origin": "LGWAN" if internal else "Internet"},
              "scan": {"engine": "1.4.6", "found": [], "objects": 1, "message": "clean"}}

    def reject(rule, code="550 5.7.1"):
        f["verdict"], f["rule"] = "reject", rule
        report["verdict"], report["rule"] = "reject", rule
        return code

    reply = None
    if kind == "clean":
        for i in range(rng.randrange(0, 4)):
            action = rng.choice(("kept", "rebuilt", "converted", "removed"))
            ptype = rng.choice(TYPES)
            report["parts"].append(part(rng, action, ptype, i=i + 1))
            f["parts"].append((action, ptype))
        if rng.random() < 0.3:
            ex = rng.choice(EXCEPTIONS)
            report["exceptions"] = [{"id": ex, "type": "sanitization-bypass"}] if rng.random() < 0.5 else [ex]
            f["exceptions"].append(ex)
    elif kind in ("virus-reject", "outbound-virus"):
        sig = rng.choice(SIGS)
        report["scan"]["found"].append({"where": "message", "result": "infected", "virus": sig})
        if rng.random() < 0.5:  # the same signature found again in a part: still one detection
            report["scan"]["found"].append({"where": "part 1.2", "result": "infected", "virus": sig})
        report["scan"]["message"] = "infected"
        f["sigs"].add(sig)
        reply = reject("virus-found") + f" Message contains a virus ({sig})"
    elif kind == "virus-remove":
        sig, sig2 = rng.sample(SIGS, 2)
        report["scan"]["found"] += [{"where": "message", "result": "infected", "virus": sig},
                                    {"where": "part 1.2", "result": "infected", "virus": sig},
                                    {"where": "part 1.3", "result": "infected", "virus": sig2}]
        report["scan"]["message"] = "infected"
        report["parts"] += [part(rng, "removed", "application/zip", f"virus found: {sig}", sig, 2),
                            part(rng, "removed", "application/pdf", f"virus found: {sig2}", sig2, 3)]
        f["parts"] += [("removed", "application/zip"), ("removed", "application/pdf")]
        f["sigs"] |= {sig, sig2}
    elif kind == "unscannable":
        why = rng.choice(("could not be scanned for viruses: encrypted", "unscannable: password protected"))
        report["parts"].append(part(rng, "removed", "application/zip", why))
        report["scan"]["found"].append({"where": "part 1.2", "result": "unscannable", "reason": "encrypted"})
        f["parts"].append(("removed", "application/zip"))
        f["unscannable"].append(why)
    elif kind == "relay":
        reply = reject("relay-denied") + " Relaying denied"
    elif kind == "size":
        rule = rng.choice(SIZE_RULES)
        reply = reject(rule, "552 5.3.4") + " Message exceeds the size limit"
    elif kind == "forward-deny":
        report["policy"]["auto_forward"] = "Auto-Submitted"
        reply = reject("auto-forward-deny") + " Automatic forwarding is not permitted"
    elif kind == "forward-permit":
        ids = rng.sample([p[0] for p in PERMITS[1:]], rng.randrange(1, 3))
        report["policy"]["auto_forward"] = "Auto-Submitted"
        report["policy"]["auto_forward_permits"] = ids
        f["permits"] += ids
    elif kind == "outbound-bcc":
        reply = reject("bcc-visible") + " Too many visible external recipients"
    elif kind == "tempfail":
        f["verdict"], f["rule"] = "tempfail", "scan-db-too-old"
        report["verdict"], report["rule"] = "tempfail", "scan-db-too-old"
        reply = "451 4.3.0 Virus signature database is out of date, try again later"
    elif kind == "aborted":
        f["verdict"] = "aborted"
    rec = {"type": "message", "time": None, "decided": None, "host": HOST,
           "queue_id": "%010X" % rng.randrange(16 ** 10),
           "client": {"addr": "10.1.2.3" if internal else "192.0.2.%d" % rng.randrange(1, 255), "name": "",
                      "helo": "mx.example"},
           "mail_from": f"user{rng.randrange(100)}@{sender_dom}",
           "rcpts": [] if kind == "relay" else [f"staff@{INT_DOMAIN}"],
           "header_from": f"user@{sender_dom}", "message_id": f"<{rng.randrange(10 ** 9)}@{sender_dom}>",
           "subject": rng.choice(("請求書", "report", "会議のご案内", "")), "direction": direction,
           "size_in": rng.randrange(0, 10 ** 6), "size_out": 0, "verdict": f["verdict"],
           "smtp_reply": reply, "rule": f["rule"], "quarantine_id": None, "processing_ms": rng.randrange(500),
           "report": report}
    return rec, f


KINDS = (("clean", 30), ("virus-reject", 6), ("virus-remove", 4), ("unscannable", 4), ("relay", 5), ("size", 6),
         ("forward-deny", 3), ("forward-permit", 4), ("outbound-clean", 6), ("outbound-virus", 2),
         ("outbound-bcc", 2), ("tempfail", 3), ("aborted", 2))


def count_message(t, f):
    t.messages += 1
    Truth.inc(t.by_dir.setdefault(f["direction"], {}), f["verdict"])
    names = {"removed": "removed_by_type", "rebuilt": "rebuilt_by_type", "converted": "converted_by_type"}
    for action, ptype in f["parts"]:
        if action in names:
            Truth.inc(t.c[names[action]], ptype)
    for sig in f["sigs"]:
        Truth.inc(t.c["detections_by_signature"], sig)
        Truth.inc(t.det_dir.setdefault(f["direction"], {}), sig)
    for why in f["unscannable"]:
        Truth.inc(t.c["unscannable_by_reason"], why)
    if f["verdict"] == "reject":
        Truth.inc(t.c["blocks_by_reason"], f["rule"])
        if f["rule"] in SIZE_RULES:
            Truth.inc(t.c["size_refusals"], f["rule"])
    if f["verdict"] == "tempfail":
        Truth.inc(t.c["tempfail_by_reason"], f["rule"])
    for p in f["permits"]:
        Truth.inc(t.c["permit_use"], p)
    for e in f["exceptions"]:
        Truth.inc(t.c["exception_use"], e)
    Truth.inc(t.c["domains"], f["domain"])
    if f["direction"] == "outbound":
        t.out["messages"] += 1
        Truth.inc(t.out["by_verdict"], f["verdict"])
        if f["rule"]:
            Truth.inc(t.out["by_rule"], f["rule"])
        for sig in f["sigs"]:
            Truth.inc(t.out["detections"], sig)


def other_record(rng, t, when, off, inside, kind):
    rec = {"type": kind, "time": iso(when, off), "host": HOST}
    if kind == "alert":
        ev = rng.choice(ALERTS)
        rec.update({"event": ev, "severity": "warning", "text": f"{ev} happened", "targets": ["syslog"],
                    "suppressed": 0})
        if inside:
            Truth.inc(t.c["alerts_by_event"], ev)
    elif kind == "selftest":
        ok = rng.random() < 0.7
        rec.update({"via": "milter:unix:/run/mugaika/mugaika.sock", "passed": 7 if ok else 6,
                    "failed": 0 if ok else 1, "cases": []})
        if inside:
            t.selftests["runs"] += 1
            t.selftests["failed"] += 0 if ok else 1
            if t.selftests["last"] is None or when > t.selftests["_when"]:
                t.selftests.update({"last": rec["time"], "_when": when, "last_result": "pass" if ok else "fail"})
    elif kind == "start":
        rec.update({"pid": rng.randrange(100, 60000), "version": "0.17", "previous": "sealed"})
    return rec


def generate(outdir, seed, n):
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    t = Truth()
    items = []  # (when, record)
    kinds = [k for k, w in KINDS for _ in range(w)]
    for _ in range(n):
        inside = rng.random() < 0.8
        when, off = time_in(rng) if inside else time_out(rng)
        rec, facts = new_message(rng, rng.choice(kinds))
        rec["time"] = iso(when, off)
        rec["decided"] = iso(when + dt.timedelta(milliseconds=rec["processing_ms"]), off)
        items.append((when, rec))
        if inside:
            count_message(t, facts)
    for _ in range(max(4, n // 10)):
        inside = rng.random() < 0.75
        when, off = time_in(rng) if inside else time_out(rng)
        items.append((when, other_record(rng, t, when, off, inside, rng.choice(("alert", "selftest", "start")))))
    items.sort(key=lambda x: x[0])
    chain = Chain(os.path.join(outdir, "audit.log"))
    for _, rec in items:
        chain.write(rec)
    chain.close()
    write_admin(rng, t, outdir)
    write_permits(outdir)
    with open(os.path.join(outdir, "audit.key"), "w") as f:
        f.write(f"# test key of tests/report\n{KEY_ID} 2026-11-01T00:00:00.000+09:00 {KEY_HEX}\n")
    os.chmod(os.path.join(outdir, "audit.key"), 0o600)
    with open(os.path.join(outdir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected(t), f, ensure_ascii=False, indent=1, sort_keys=True)
    return t


def write_admin(rng, t, outdir):
    chain = Chain(os.path.join(outdir, "admin.log"))
    rows = []
    for i in range(8):
        inside = i % 4 != 3
        when, off = time_in(rng) if inside else time_out(rng)
        ok = rng.random() < 0.8
        rec = {"type": "admin", "time": iso(when, off), "host": HOST, "user": rng.choice(("yamada", "sato")),
               "uid": 0, "command": "release", "id": "20261110T010203Z-%016x" % rng.randrange(16 ** 16),
               "to": f"staff@{INT_DOMAIN}", "reason": "確認済み", "result": "ok" if ok else "failed"}
        rows.append((when, rec, inside and ok))
    rows.append((FROM + dt.timedelta(days=3), {"type": "admin", "time": iso(FROM + dt.timedelta(days=3)),
                                               "host": HOST, "user": "yamada", "uid": 0, "command": "report"},
                 False))
    rows.sort(key=lambda x: x[0])
    for _, rec, counted in rows:
        chain.write(rec)
        if counted:
            t.releases.append({k: rec[k] for k in ("time", "id", "to", "user", "reason")})
    chain.close()


def write_permits(outdir):
    with open(os.path.join(outdir, "permits.list"), "w", encoding="utf-8") as f:
        f.write("# permits of the report test\n")
        for p in PERMITS:
            f.write(" ".join(p) + " テスト用\n")


def expected(t):
    """The counts of `mugaika report --json` (the members this test checks)."""
    ends = PERIOD[1]
    top = sorted(t.c["domains"].items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    st = {k: v for k, v in t.selftests.items() if not k.startswith("_")}
    return {
        "messages": t.messages,
        "by_direction": t.by_dir,
        "removed_by_type": t.c["removed_by_type"],
        "rebuilt_by_type": t.c["rebuilt_by_type"],
        "converted_by_type": t.c["converted_by_type"],
        "detections_by_signature": t.c["detections_by_signature"],
        "detections_by_direction": t.det_dir,
        "unscannable_by_reason": t.c["unscannable_by_reason"],
        "blocks_by_reason": t.c["blocks_by_reason"],
        "tempfail_by_reason": t.c["tempfail_by_reason"],
        "size_refusals": t.c["size_refusals"],
        "permit_use": t.c["permit_use"],
        "exception_use": t.c["exception_use"],
        "auto_forward_permits_in_force": [p[0] for p in PERMITS if p[4] >= ends],
        "auto_forward_permits_expired_in_period": [p[0] for p in PERMITS if PERIOD[0] <= p[4] < ends],
        "outbound": t.out,
        "alerts_by_event": t.c["alerts_by_event"],
        "selftests": st,
        "top_sender_domains": [{"domain": d, "messages": n} for d, n in top],
        "releases_count": len(t.releases),
        "releases": t.releases,  # in the order of the admin log (chronological)
    }


def normalise(key, value):
    """Lists of permits may come as objects; compare their ids."""
    if key.startswith("auto_forward_permits") and isinstance(value, list):
        return [v["id"] if isinstance(v, dict) else v for v in value]
    return value


def compare(exp_path, act_path):
    with open(exp_path, encoding="utf-8") as f:
        exp = json.load(f)
    try:
        with open(act_path, encoding="utf-8") as f:
            act = json.load(f)
    except (OSError, ValueError) as e:
        print(f"FAIL - the report is not JSON: {e}")
        return 1
    bad = 0
    for key, want in sorted(exp.items()):
        got = normalise(key, act.get(key, "<missing>"))
        if got == want:
            print(f"ok - {key}")
        else:
            bad += 1
            print(f"FAIL - {key}:\n  want {json.dumps(want, ensure_ascii=False, sort_keys=True)}\n"
                  f"  got  {json.dumps(got, ensure_ascii=False, sort_keys=True)}")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--compare", nargs=2, metavar=("EXPECTED", "ACTUAL"))
    a = ap.parse_args()
    if a.compare:
        return compare(*a.compare)
    if not a.outdir:
        ap.error("OUTDIR is required")
    seed = a.seed if a.seed is not None else random.SystemRandom().randrange(2 ** 31)
    t = generate(a.outdir, seed, a.messages)
    print(f"gen_audit: seed {seed}: {t.messages} messages in the period, written to {a.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
