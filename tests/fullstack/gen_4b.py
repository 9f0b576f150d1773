#!/usr/bin/env python3
"""Fixtures and checks for the issue 4b full-stack case (python3 stdlib only).

gen_4b.py mail-pdf OUT MSGID   message with a PDF whose OpenAction runs JavaScript
gen_4b.py mail-png OUT MSGID   message with a PNG carrying a tEXt chunk and a zip appended
gen_4b.py check-pdf EML PDF    extract the delivered PDF to PDF; fail if it still has JavaScript
gen_4b.py check-png EML        fail unless the delivered PNG is IHDR/IDAT/IEND only, nothing after
"""
import email
import email.policy
import io
import struct
import sys
import zipfile
import zlib
from email.message import EmailMessage


def hostile_pdf():
    return (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
            b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n"
            b"4 0 obj\n<< /S /JavaScript /JS (app.alert\\(4\\)) >>\nendobj\n"
            b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def polyglot_png():
    w, h = 4, 3
    raw = b"".join(b"\0" + bytes(v for x in range(w) for v in (x * 60, y * 80, 128)) for y in range(h))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
           chunk(b"tEXt", b"Comment\0secret-text") + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("run.bat", "echo hello\r\n")
    return png + z.getvalue()


def mail(out, msgid, data, maintype, subtype, name):
    m = EmailMessage()
    m["From"] = "sender@example.net"
    m["To"] = "staff@city.example.lg.jp"
    m["Subject"] = "issue 4b " + name
    m["Message-ID"] = "<%s>" % msgid
    m.set_content("see the attachment\n")
    m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    with open(out, "wb") as f:
        f.write(m.as_bytes(policy=email.policy.SMTP))


def attachment(path, ctype):
    with open(path, "rb") as f:
        m = email.message_from_binary_file(f, policy=email.policy.default)
    for part in m.walk():
        if part.get_content_type() == ctype:
            return part.get_payload(decode=True)
    sys.exit("no %s part delivered" % ctype)


def check_png(data):
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        sys.exit("not a PNG")
    pos, kinds = 8, []
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        kinds.append(kind)
        pos += 12 + n
        if kind == b"IEND":
            break
    if set(kinds) != {b"IHDR", b"IDAT", b"IEND"} or pos != len(data):
        sys.exit("PNG chunks %r, %d bytes after IEND" % (kinds, len(data) - pos))


def main():
    cmd = sys.argv[1]
    if cmd == "mail-pdf":
        mail(sys.argv[2], sys.argv[3], hostile_pdf(), "application", "pdf", "report.pdf")
    elif cmd == "mail-png":
        mail(sys.argv[2], sys.argv[3], polyglot_png(), "image", "png", "photo.png")
    elif cmd == "check-pdf":
        data = attachment(sys.argv[2], "application/pdf")
        with open(sys.argv[3], "wb") as f:
            f.write(data)
        if b"JavaScript" in data or b"app.alert" in data or b"OpenAction" in data:
            sys.exit("JavaScript still in the delivered PDF")
    elif cmd == "check-png":
        check_png(attachment(sys.argv[2], "image/png"))
    else:
        sys.exit("usage: see the docstring")


if __name__ == "__main__":
    main()
