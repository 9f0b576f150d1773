#!/usr/bin/env python3
"""Send one message over SMTP and print every reply, one line each:
    MAIL 250 2.1.0 Ok
    RCPT a@b 550 5.7.1 ...
    DATA 250 2.0.0 Ok: queued as X
usage: smtp_trace.py HOST PORT FILE FROM RCPT [RCPT...]
Exit 0 when DATA was accepted, 1 when refused (5xx), 2 (4xx), 3 trouble."""
import re
import smtplib
import sys


def line(*parts):
    print(" ".join(str(p) for p in parts), flush=True)


def main():
    host, port, path, sender = sys.argv[1:5]
    rcpts = sys.argv[5:]
    with open(path, "rb") as f:
        data = re.sub(rb"\r?\n", b"\r\n", f.read())
    try:
        s = smtplib.SMTP(host, int(port), timeout=60)
        s.ehlo("client.city.example.lg.jp")
        code, msg = s.mail(sender)
        line("MAIL", code, msg.decode("ascii", "replace"))
        if code >= 400:
            return 1 if code >= 500 else 2
        ok = 0
        worst = 0
        for r in rcpts:
            code, msg = s.rcpt(r)
            line("RCPT", r, code, msg.decode("ascii", "replace"))
            ok += code < 400
            worst = max(worst, code)
        if ok == 0:
            return 1 if worst >= 500 else 2
        code, msg = s.data(data)
        line("DATA", code, msg.decode("ascii", "replace"))
        s.quit()
        return 0 if code < 400 else 1 if code >= 500 else 2
    except smtplib.SMTPResponseException as e:
        line("ERROR", e.smtp_code, e.smtp_error.decode("ascii", "replace"))
        return 1 if e.smtp_code >= 500 else 2
    except (OSError, smtplib.SMTPException) as e:
        line("TROUBLE", e)
        return 3


if __name__ == "__main__":
    sys.exit(main())
