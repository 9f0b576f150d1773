#!/usr/bin/env python3
"""Load and bookkeeping for the fault tests (issue 11).

  load.py send --port P --state FILE --prefix PFX [--count N] [--duration D]
               [--interval I] [--eicar-every K] [--concurrency C] [--deadline S]
               [--retry-delay S] [--big-every B] [--pause-file F]
      A retrying SMTP sender, as a real MTA on the other side would be: up
      to N messages, new ones for D seconds (each worker pausing I seconds
      between messages);
      message i is infected (EICAR in the body, in a zip, in a zip in a
      forwarded mail) when i % K == 0, else clean; every B-th clean message
      is ~200 KB so that it spools to disk.  A 4xx or a broken connection is
      retried after S seconds until the deadline; a 2xx or 5xx is final.
      While F exists, nothing is sent (lets a scenario order events).  The
      state (every attempt of every message) goes to FILE as JSON.

  load.py check --state FILE --out DIR [--queue DIR] [--wait S]
                [--audit FILE] [--allow-pending]
      Waits (up to S seconds) for Postfix's queue to drain, then reads every
      delivered file and checks the three promises of issue 11:
        - no EICAR delivered: no delivered message, no decoded part of it and
          no member of a zip in it contains the EICAR string, and no infected
          message got a 2xx;
        - nothing lost: every message ended accepted and delivered, refused
          with 5xx (infected ones: 550), or - with --allow-pending only -
          still with the sender after 4xx;
        - nothing duplicated: no message delivered twice to a recipient,
          nothing delivered that was never accepted.
      With --expect-tempfail: at least one attempt got a 4xx or a broken
      connection (else the fault never reached the mail and nothing was tested).
      With --audit: each message has exactly as many "accept" audit records as
      deliveries (the store follows the MTA's commit); with
      --audit-crash-window, up to one more per attempt that the sender saw
      fail (a daemon killed between its record and its answer).
      Prints one line per problem and a summary; exit 0 when there are none.

  load.py idle --port P --count N --hold S --result FILE
      Opens N SMTP sessions, says EHLO and stays idle for up to S seconds;
      then sends MAIL FROM on each and writes the replies (or the error) to
      FILE as JSON.  Used to see what a stopping milter does to idle sessions.
"""
import argparse
import email
import email.policy
import io
import json
import os
import re
import smtplib
import socket
import sys
import threading
import time
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import mkscanmsg  # noqa: E402  (tests/mkscanmsg.py: EICAR assembled at run time)

EICAR = mkscanmsg.eicar()
RCPT = "staff@city.example.lg.jp"
SENDER = "sender@example.net"
INFECTED_KINDS = ("eicar-body", "eicar-zip", "eicar-fwd-zip")


def kind_of(i, eicar_every, big_every):
    if eicar_every and i % eicar_every == 0:
        return INFECTED_KINDS[(i // eicar_every) % len(INFECTED_KINDS)]
    if big_every and i % big_every == 1:
        return "big"
    return "clean"


def build(kind, msgid):
    if kind == "big":
        line = "This clean line makes the message large enough to spool to disk.\n"
        text = "".join("%06d %s" % (n, line) for n in range(3000))
        return mkscanmsg.message(msgid, text)
    return mkscanmsg.build(kind, msgid, None)


def smtp_once(port, data, timeout):
    """One SMTP transaction: (code, text); code 0 = connection trouble."""
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=timeout)
        try:
            s.ehlo("sender.example.net")
            code, msg = s.mail(SENDER)
            if code < 400:
                code, msg = s.rcpt(RCPT)
            if code < 400:
                code, msg = s.data(re.sub(rb"\r?\n", b"\r\n", data))
        finally:
            try:
                s.quit()
            except (OSError, smtplib.SMTPException):
                s.close()
        return code, msg.decode("utf-8", "replace")
    except smtplib.SMTPResponseException as e:
        return e.smtp_code, e.smtp_error.decode("utf-8", "replace")
    except (OSError, smtplib.SMTPException) as e:
        return 0, "connection: %s" % e


def cmd_send(a):
    msgs = []
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + a.deadline

    def next_message():
        """A new message while --count and --duration allow, else None."""
        with lock:
            i = len(msgs) + 1
            if i > a.count or (a.duration and time.monotonic() - start > a.duration):
                return None
            kind = kind_of(i, a.eicar_every, a.big_every)
            m = {"id": "%s-%04d@example.net" % (a.prefix, i), "kind": kind, "attempts": [], "final": None}
            msgs.append(m)
            return m

    def worker():
        while True:
            m = next_message()
            if m is None:
                return
            data = build(m["kind"], m["id"])
            while True:
                while a.pause_file and os.path.exists(a.pause_file) and time.monotonic() < deadline:
                    time.sleep(0.05)
                code, text = smtp_once(a.port, data, a.timeout)
                m["attempts"].append([round(time.time(), 3), code, text[:200]])
                if 200 <= code < 300 or code >= 500:
                    m["final"] = code
                    break
                if time.monotonic() + a.retry_delay > deadline:
                    m["final"] = "pending"
                    break
                time.sleep(a.retry_delay)
            time.sleep(a.interval)

    threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(a.state, "w") as f:
        json.dump(msgs, f, indent=1)
    n = {}
    for m in msgs:
        n[str(m["final"])] = n.get(str(m["final"]), 0) + 1
    tries = sum(len(m["attempts"]) for m in msgs)
    print("sent %d messages in %d attempts: %s" % (len(msgs), tries, json.dumps(n, sort_keys=True)))
    return 0


def queue_files(qdir):
    n = 0
    for sub in ("incoming", "active", "deferred", "hold", "maildrop"):
        for _root, _dirs, files in os.walk(os.path.join(qdir, sub)):
            n += len(files)
    return n


def blobs(data, depth=0):
    """Every decoded piece of a delivered message: parts, zip members, attached messages."""
    yield data
    if depth > 4:
        return
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for name in z.namelist():
                    yield from blobs(z.read(name), depth + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            pass
        return
    try:
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
    except Exception:  # noqa: BLE001 - not a message: nothing more inside
        return
    if not msg.keys():
        return
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if payload and payload != data:
            yield from blobs(payload, depth + 1)


def has_eicar(data):
    return any(EICAR in b for b in blobs(data))


def audit_accepts(path):
    """message_id -> number of records saying the message was accepted."""
    n = {}
    with open(path, "rb") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if not isinstance(rec, dict):
                continue
            mid = (rec.get("message_id") or "").strip("<>")
            if mid and rec.get("verdict") == "accept":
                n[mid] = n.get(mid, 0) + 1
    return n


def cmd_check(a):
    msgs = []
    for st in a.state:
        with open(st) as f:
            msgs.extend(json.load(f))
    by_id = {m["id"]: m for m in msgs}
    if a.queue:
        end = time.monotonic() + a.wait
        while queue_files(a.queue) > 0 and time.monotonic() < end:
            time.sleep(0.2)
    queued = queue_files(a.queue) if a.queue else 0
    problems = []
    delivered = {}
    for name in sorted(os.listdir(a.out)):
        if not name.endswith(".eml"):
            continue
        with open(os.path.join(a.out, name), "rb") as f:
            data = f.read()
        mid = re.search(rb"(?im)^Message-ID:\s*<([^>]*)>", data)
        mid = mid.group(1).decode("ascii", "replace") if mid else "(none)"
        if mid not in by_id:
            continue  # another case's mail
        delivered.setdefault(mid, []).append(name)
        if has_eicar(data):
            problems.append("EICAR delivered: %s (%s, %s)" % (mid, by_id[mid]["kind"], name))
    counts = {"accepted": 0, "refused": 0, "pending": 0, "tempfails": 0}
    for m in msgs:
        mid, fin, kind = m["id"], m["final"], m["kind"]
        got = len(delivered.get(mid, []))
        counts["tempfails"] += sum(1 for t in m["attempts"] if not (200 <= t[1] < 300 or t[1] >= 500))
        if fin == "pending":
            counts["pending"] += 1
            if not a.allow_pending:
                problems.append("still with the sender after %d attempts: %s (%s), last %s"
                                % (len(m["attempts"]), mid, kind, m["attempts"][-1][1:]))
            if got:
                problems.append("delivered although never accepted: %s" % mid)
            continue
        if 200 <= fin < 300:
            counts["accepted"] += 1
            if kind in INFECTED_KINDS:
                problems.append("infected message accepted (%s): %s %s" % (kind, mid, m["attempts"][-1][2]))
            if got == 0 and queued == 0:
                problems.append("lost: accepted but never delivered: %s" % mid)
            elif got > 1:
                problems.append("duplicated: %s delivered %d times" % (mid, got))
        else:
            counts["refused"] += 1
            if got:
                problems.append("delivered although refused: %s" % mid)
            if kind in INFECTED_KINDS and fin != 550:
                problems.append("infected message refused with %s, not 550: %s" % (fin, mid))
            if kind not in INFECTED_KINDS:
                problems.append("clean message refused: %s %s" % (mid, m["attempts"][-1][1:]))
    if a.audit:
        acc = audit_accepts(a.audit) if os.path.exists(a.audit) else {}
        for m in msgs:
            got, n = len(delivered.get(m["id"], [])), acc.get(m["id"], 0)
            # --audit-crash-window: a daemon killed after the record and before
            # its answer reached the MTA; only an attempt the sender saw fail
            # can have left such a record
            failed = sum(1 for t in m["attempts"] if t[1] == 0 or 400 <= t[1] < 500)
            if n < got or n > got + (failed if a.audit_crash_window else 0):
                problems.append("audit: %d accept records for %s, delivered %d times" % (n, m["id"], got))
    if a.expect_tempfail and counts["tempfails"] == 0:
        problems.append("no attempt got a temporary failure: the fault never reached the mail")
    for p in problems[:40]:
        print("  " + p)
    if len(problems) > 40:
        print("  ... %d more" % (len(problems) - 40))
    print("%d messages: %d accepted, %d refused, %d still with the sender, %d temporary failures on the way, "
          "%d left in Postfix's queue; %d problems"
          % (len(msgs), counts["accepted"], counts["refused"], counts["pending"], counts["tempfails"], queued,
             len(problems)))
    return 1 if problems else 0


def cmd_idle(a):
    socks = []
    for _ in range(a.count):
        s = smtplib.SMTP("127.0.0.1", a.port, timeout=a.hold + 30)
        s.ehlo("idle.example.net")
        socks.append(s)
    end = time.monotonic() + a.hold
    while time.monotonic() < end and not (a.go_file and os.path.exists(a.go_file)):
        time.sleep(0.05)
    out = []
    for s in socks:
        try:
            code, msg = s.mail(SENDER)
            out.append([code, msg.decode("utf-8", "replace")])
        except (OSError, smtplib.SMTPException) as e:
            out.append([0, str(e)])
        try:
            s.close()
        except OSError:
            pass
    with open(a.result, "w") as f:
        json.dump(out, f)
    return 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--state", required=True)
    s.add_argument("--prefix", required=True)
    s.add_argument("--count", type=int, default=100000)
    s.add_argument("--duration", type=float, default=0)
    s.add_argument("--interval", type=float, default=0)
    s.add_argument("--eicar-every", type=int, default=3)
    s.add_argument("--big-every", type=int, default=0)
    s.add_argument("--concurrency", type=int, default=4)
    s.add_argument("--deadline", type=float, default=60)
    s.add_argument("--retry-delay", type=float, default=0.5)
    s.add_argument("--timeout", type=float, default=60)
    s.add_argument("--pause-file")
    c = sub.add_parser("check")
    c.add_argument("--state", required=True, action="append")
    c.add_argument("--out", required=True)
    c.add_argument("--queue")
    c.add_argument("--wait", type=float, default=30)
    c.add_argument("--audit")
    c.add_argument("--audit-crash-window", action="store_true")
    c.add_argument("--allow-pending", action="store_true")
    c.add_argument("--expect-tempfail", action="store_true")
    i = sub.add_parser("idle")
    i.add_argument("--port", type=int, required=True)
    i.add_argument("--count", type=int, default=3)
    i.add_argument("--hold", type=float, default=30)
    i.add_argument("--go-file")
    i.add_argument("--result", required=True)
    a = p.parse_args()
    return {"send": cmd_send, "check": cmd_check, "idle": cmd_idle}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
