#!/usr/bin/env python3
"""Write a test message for the virus-scanning tests (issue 5).

usage: mkscanmsg.py KIND MESSAGE-ID OUT [FILE]
KIND: clean | eicar-body | eicar-zip | eicar-fwd-zip | attach (FILE attached)
The EICAR test string is assembled from pieces here at run time, so it never
sits whole in the repository; archives are built with the standard library.
"""
import io
import sys
import zipfile
from email.message import EmailMessage


def eicar():
    parts = ["X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-", "FILE!$H+H*"]
    s = "".join(parts).encode("ascii")
    assert len(s) == 68
    return s


def zipped(name, data):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buf.getvalue()


def message(msgid, text, attachment=None, name=None, ctype="application/octet-stream"):
    m = EmailMessage()
    m["From"] = "sender@example.net"
    m["To"] = "staff@city.example.lg.jp"
    m["Subject"] = "scan test " + msgid
    m["Message-ID"] = "<%s>" % msgid
    m.set_content(text)
    if attachment is not None:
        main, sub = ctype.split("/")
        m.add_attachment(attachment, maintype=main, subtype=sub, filename=name)
    return m.as_bytes()


def build(kind, msgid, path):
    if kind == "clean":
        return message(msgid, "Hello, this message is clean.\n")
    if kind == "eicar-body":
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "sender@example.net", "staff@city.example.lg.jp", "eicar body"
        m["Message-ID"] = "<%s>" % msgid
        m.set_payload(eicar().decode("ascii"))
        return m.as_bytes()
    if kind == "eicar-zip":
        return message(msgid, "see attachment\n", zipped("eicar.com", eicar()), "eicar.zip", "application/zip")
    if kind == "eicar-fwd-zip":
        inner = message("inner-" + msgid, "forwarded\n", eicar(), "e.com")
        return message(msgid, "forwarded mail in a zip\n", zipped("forward.eml", inner), "fwd.zip", "application/zip")
    if kind == "attach":
        with open(path, "rb") as f:
            data = f.read()
        return message(msgid, "test file attached\n", data, path.rsplit("/", 1)[-1])
    raise SystemExit("unknown kind " + kind)


def main():
    kind, msgid, out = sys.argv[1:4]
    data = build(kind, msgid, sys.argv[4] if len(sys.argv) > 4 else None)
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
