#!/usr/bin/env python3
"""fullstack.py - the hostile suite through a real Postfix (issue 12).

usage: fullstack.py --mugaika BIN --conf CONF --fs-conf LIVE --milter-pid PID
                    --milter-log LOG --port SMTP_PORT --out DELIVERY_DIR
                    --work DIR [--only REGEX] CASEDIR...

Run by tests/fullstack/case_issue12_hostile.sh inside the private Postfix
instance of tests/fullstack/lib.sh.  For every group of cases with the same
configuration: install it as the milter's configuration (SIGHUP), send each
message over SMTP, fetch the delivered copy by its queue id, run the same
message through `mugaika sanitize` with the same configuration, and assert
the same result: the same class of reply (and the same code for refusals),
byte-identical delivered messages, and every check of the case (check.py)
passing on the copy Postfix delivered.

The message is sent as its bytes are: LF becomes CRLF, a bare CR stays a
bare CR (smtplib's data() would turn it into a line break and hide the
case), lines starting with a dot are doubled.  Postfix replaces a bare CR
by a space (and rewrites header fields holding one) before the milter sees
the message, so for those messages the bytes and the answers are not
compared, and only the default checks run on Postfix's copy.
"""
import argparse
import json
import os
import re
import shutil
import signal
import smtplib
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check  # noqa: E402
import hostile  # noqa: E402

# Checks that follow the input's parts (see run_case: bare CR).
INPUT_BOUND = {"accounted", "present", "listed", "delivered", "report_action"}


def smtp_send(port, data, sender, rcpt):
    """(code, reply text); code 0 when the connection failed."""
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=180)
        s.ehlo("sender.example.net")
        code, msg = s.mail(sender)
        if code < 400:
            code, msg = s.rcpt(rcpt)
        if code < 400:
            code, msg = s.docmd("DATA")
            if code == 354:
                body = re.sub(rb"\r?\n", b"\r\n", data)
                body = re.sub(rb"(?m)^\.", b"..", body)
                if not body.endswith(b"\r\n"):
                    body += b"\r\n"
                s.sock.sendall(body + b".\r\n")
                code, msg = s.getreply()
        try:
            s.quit()
        except smtplib.SMTPException:
            pass
        return code, msg.decode("utf-8", "replace").replace("\n", " ")
    except (OSError, smtplib.SMTPException) as e:
        return 0, "connection error: %s" % e


def reload_milter(pid, log, conf, live):
    def count():
        with open(log, errors="replace") as f:
            return len(re.findall(r"configuration reloaded|reload refused", f.read()))
    n = count()
    shutil.copyfile(conf, live)
    os.chmod(live, 0o644)
    os.kill(pid, signal.SIGHUP)
    for _ in range(200):
        if count() > n:
            return True
        time.sleep(0.05)
    return False


def fetch(out, reply, wait=30.0):
    """The delivered copy: the pipe(8) agent of tests/fullstack/lib.sh names
    it QUEUEID.RCPT.eml, and the 250 reply says "queued as QUEUEID"."""
    m = re.search(r"queued as ([0-9A-Za-z]+)", reply)
    if not m:
        return None
    prefix = m.group(1) + "."
    end = time.time() + wait
    while time.time() < end:
        for n in os.listdir(out):
            if n.startswith(prefix) and n.endswith(".eml"):
                with open(os.path.join(out, n), "rb") as f:
                    return f.read()
        time.sleep(0.05)
    return None


def strip_trace(data):
    """The delivered copy without the Received fields Postfix put in front."""
    lines = data.split(b"\n")
    i = 0
    while i < len(lines) and lines[i].startswith(b"Received:"):
        i += 1
        while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
            i += 1
    return b"\n".join(lines[i:])


def reply_class(code):
    return {2: "accept", 4: "tempfail", 5: "reject"}.get(code // 100, "error")


def first_difference(a, b):
    la, lb = a.split(b"\n"), b.split(b"\n")
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return "line %d: milter %r / cli %r" % (i + 1, x[:80], y[:80])
    return "lengths %d / %d lines" % (len(la), len(lb))


def run_case(args, exp, conf):
    with open(exp["_eml"], "rb") as f:
        data = f.read()
    code, reply = smtp_send(args.port, data, hostile.SENDER, hostile.RCPT)
    work = os.path.join(args.work, exp.get("generator", "x"))
    os.makedirs(work, exist_ok=True)
    rc, report, cli_out, err = check.sanitize(args.mugaika, conf, exp["_eml"], work, exp["name"])
    cli = {0: "accept", 77: "reject", 75: "tempfail"}.get(rc, "error")
    probs = []
    got = reply_class(code)
    delivered = b""
    if got == "accept":
        d = fetch(args.out, reply)
        if d is None:
            probs.append("fullstack: accepted (%s) but not delivered" % reply)
            got = "error"
        else:
            delivered = strip_trace(d)
            with open(os.path.join(work, exp["name"] + ".postfix.eml"), "wb") as f:
                f.write(delivered)
    bare_cr = re.search(rb"\r(?!\n)", data) is not None
    if bare_cr:
        pass  # see below: Postfix and the CLI do not see the same message
    elif got != cli:
        probs.append("fullstack: Postfix answered %s (%d %s), mugaika sanitize %s" % (got, code, reply, cli))
    elif got == "accept" and delivered != cli_out:
        probs.append("fullstack: delivered copy differs from mugaika sanitize: " +
                     first_difference(delivered, cli_out))
    elif got in ("reject", "tempfail") and report:
        want = "%s %s" % (report.get("smtp_code"), report.get("enhanced_code"))
        if not ("%d %s" % (code, reply)).startswith(want):
            probs.append("fullstack: Postfix replied %d %s, mugaika sanitize %s" % (code, reply, want))
    rcs = {"accept": 0, "reject": 77, "tempfail": 75}.get(got, 1)
    case = exp
    if bare_cr:
        # Postfix rewrote the message before the milter saw it (a bare CR
        # becomes a space, header fields holding one are rewritten): the CLI's
        # report describes another message, and checks that follow the
        # input's parts do not apply; the default checks still do.
        report = None
        case = dict(exp, checks=[c for c in exp.get("checks", []) if c["check"] not in INPUT_BOUND])
    ctx = hostile.Ctx(exp["name"], case, "fullstack", data, rcs, report, delivered, err,
                      smtp="%d %s" % (code, reply))
    return probs + check.evaluate(ctx)


def main():
    ap = argparse.ArgumentParser()
    for a in ("--mugaika", "--conf", "--fs-conf", "--milter-log", "--out", "--work"):
        ap.add_argument(a, required=True)
    ap.add_argument("--milter-pid", type=int, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--only")
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    check.load_plugins()
    os.makedirs(args.work, exist_ok=True)
    cases = check.find_cases(args.dirs, args.only)
    groups = {}
    for exp in cases:
        groups.setdefault(json.dumps(exp.get("config") or {}, sort_keys=True), []).append(exp)
    nfail = 0
    for key in sorted(groups):
        conf = check.case_conf(args.conf, args.work, json.loads(key))
        if not reload_milter(args.milter_pid, args.milter_log, conf, args.fs_conf):
            print("FAIL: could not reload the milter with %s" % key)
            nfail += len(groups[key])
            continue
        for exp in groups[key]:
            probs = run_case(args, exp, conf)
            if probs:
                nfail += 1
                print("FAIL: %s [%s] %s" % (exp["_id"], exp.get("family"), exp.get("title")))
                for p in probs[:6]:
                    print("    " + p)
            else:
                print("PASS: %s" % exp["_id"])
    print("%d cases through Postfix, %d failed" % (len(cases), nfail))
    if not cases:
        return 77
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
