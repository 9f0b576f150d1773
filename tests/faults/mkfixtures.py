#!/usr/bin/env python3
"""Messages for the library-fault tests of issue 11.

usage: mkfixtures.py OUTDIR PREFIX
Writes OUTDIR/NAME.eml for each NAME below: a small, valid, harmless file of
one kind attached to a plain message (or, for the body kinds, the body
itself), so that with no fault injected mugaika delivers it and with the
named library call failing it must answer 4xx.  Message-IDs are
<PREFIX-NAME@example.net>.  Prints one line per message: NAME FILE.
"""
import io
import os
import struct
import sys
import tarfile
import zipfile
import zlib
from email.message import EmailMessage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cdr"))
import gen_office  # noqa: E402


def pdf():
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def png():
    w, h = 4, 4
    raw = b"".join(b"\x00" + bytes([40, 120, 200]) * w for _ in range(h))

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def gif():
    # the classic 1x1 GIF89a: two-colour table, one LZW-coded pixel
    return bytes.fromhex("47494638396101000100800000ffffff00000021f90401000000002c"
                         "00000000010001000002024401003b")


def docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", gen_office.content_types(
            "word/document.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"))
        z.writestr("_rels/.rels", gen_office.PKG_RELS)
        z.writestr("word/document.xml", gen_office.document(gen_office.para("fault test document")))
    return buf.getvalue()


def zipped():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("readme.txt", "a plain text member\n")
    return buf.getvalue()


def tarred():
    buf = io.BytesIO()
    data = b"a plain text member\n"
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("readme.txt")
        info.size = len(data)
        info.mtime = 1767225600
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


ATTACHMENTS = {
    "pdf": (pdf, "report.pdf", "application/pdf"),
    "png": (png, "picture.png", "image/png"),
    "gif": (gif, "picture.gif", "image/gif"),
    "docx": (docx, "letter.docx",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "zip": (zipped, "files.zip", "application/zip"),
    "tar": (tarred, "files.tar", "application/x-tar"),
}


def base(prefix, name, subject):
    m = EmailMessage()
    m["From"] = "sender@example.net"
    m["To"] = "staff@city.example.lg.jp"
    m["Subject"] = subject
    m["Message-ID"] = "<%s-%s@example.net>" % (prefix, name)
    return m


def build(prefix, name):
    if name in ATTACHMENTS:
        gen, fname, ctype = ATTACHMENTS[name]
        m = base(prefix, name, "fault test " + name)
        m.set_content("see the attachment\n")
        main, sub = ctype.split("/")
        m.add_attachment(gen(), maintype=main, subtype=sub, filename=fname)
        return m.as_bytes()
    if name == "html":
        m = base(prefix, name, "fault test html")
        m.set_content("<html><body><p>Hello <b>world</b></p></body></html>\n", subtype="html")
        return m.as_bytes()
    if name == "sjis":
        text = "\u3053\u3093\u306b\u3061\u306f\u3001\u4e16\u754c\u3002\n"  # greeting in Japanese
        m = base(prefix, name, "fault test sjis")
        m.set_content(text.encode("shift_jis"), maintype="text", subtype="plain",
                      cte="base64", params={"charset": "Shift_JIS"})
        return m.as_bytes()
    raise SystemExit("unknown fixture " + name)


NAMES = list(ATTACHMENTS) + ["html", "sjis"]


def main():
    out, prefix = sys.argv[1:3]
    os.makedirs(out, exist_ok=True)
    for name in NAMES:
        path = os.path.join(out, name + ".eml")
        with open(path, "wb") as f:
            f.write(build(prefix, name))
        print(name, path)


if __name__ == "__main__":
    main()
