#!/usr/bin/env python3
"""Send one message file over SMTP and report how the server answered.

usage: send.py HOST PORT FILE FROM RCPT [RCPT...]
With FS_XCLIENT="ADDR=192.0.2.1 HELO=mx.example.net" in the environment the
session first sends XCLIENT (Postfix: smtpd_authorized_xclient_hosts), so
Postfix and the milter see that client instead of 127.0.0.1.
Prints the final reply ("250 2.0.0 Ok: queued as X" or the refusal) on
stdout.  Exit 0 accepted, 1 permanently refused (5xx), 2 temporarily
refused (4xx), 3 connection trouble.
"""
import os
import re
import smtplib
import sys


def main():
    host, port, path, sender = sys.argv[1:5]
    rcpts = sys.argv[5:]
    with open(path, "rb") as f:
        # SMTP wants CRLF; smtplib only adds a final CRLF to bytes, which on
        # a file with bare LF endings would add an empty line.
        data = re.sub(rb"\r?\n", b"\r\n", f.read())
    try:
        s = smtplib.SMTP(host, int(port), timeout=60)
        s.ehlo("sender.example.net")
        if os.environ.get("FS_XCLIENT"):
            code, msg = s.docmd("XCLIENT", os.environ["FS_XCLIENT"])
            if code != 220:
                return report(code, msg)
            s.ehlo_resp = None
            s.ehlo(re.search(r"HELO=(\S+)", os.environ["FS_XCLIENT"] + " HELO=sender.example.net").group(1))
        code, msg = s.mail(sender)
        if code >= 400:
            return report(code, msg)
        ok = 0
        last = (0, b"")
        for r in rcpts:
            code, msg = s.rcpt(r)
            last = (code, msg)
            if code < 400:
                ok += 1
        if ok == 0:
            return report(*last)
        code, msg = s.data(data)
        s.quit()
        return report(code, msg)
    except smtplib.SMTPResponseException as e:
        return report(e.smtp_code, e.smtp_error)
    except (OSError, smtplib.SMTPException) as e:
        print("connection error: %s" % e)
        return 3


def report(code, msg):
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
    print("%d %s" % (code, text.replace("\n", " ")))
    return 0 if code < 400 else (2 if code < 500 else 1)


if __name__ == "__main__":
    sys.exit(main())
