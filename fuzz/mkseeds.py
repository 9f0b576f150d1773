#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets (fuzz/README.md).

Usage: mkseeds.py SRCDIR OUTDIR

OUTDIR/<target>/ gets one file per seed, all derived at run time from the
project's own material: samples/*.eml (whole messages, their HTML and text
parts, header values, attachments), the office generator of the CDR tests
(tests/cdr/gen_office.py), the scan test generator (tests/mkscanmsg.py),
conf/*.conf, and a few tiny files built here.
Nothing is copied from outside the tree.  Every target reads its first
input byte as a selector (chunk size, charset label, file name); seeds are
written with a selector chosen to match the content.
"""
import email
import email.policy
import glob
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import zipfile

LABELS = [None, "us-ascii", "utf-8", "iso-2022-jp", "iso-2022-jp-2", "iso-2022-jp-3", "shift_jis",
          "cp932", "euc-jp", "eucjp-ms", "utf-16", "utf-16le", "iso-8859-1", "windows-1252"]
NAMES = [None, "a.docx", "a.xlsm", "a.pptx", "a.odt", "a.rtf", "a.csv", "a.pdf", "a.png", "a.jpg",
         "a.gif", "a.tif", "a.webp", "a.bmp", "a.zip", "a.7z", "a.tar.gz", "a.lzh", "a.doc", "a.xls",
         "a.html", "a.txt", "a.exe"]

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c"
                    "00000000010001000002024401003b")
BMP = (b"BM" + (58).to_bytes(4, "little") + bytes(4) + (54).to_bytes(4, "little")
       + (40).to_bytes(4, "little") + (1).to_bytes(4, "little") + (1).to_bytes(4, "little")
       + (1).to_bytes(2, "little") + (24).to_bytes(2, "little") + bytes(24) + b"\x00\x00\xff\x00")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
RTF = b"{\\rtf1\\ansi{\\object\\objemb{\\*\\objdata 0102}}Hello \\u12354? world}"
CSV = "名前,値\n=cmd|'/c calc'!A1,2\n@SUM(1),+3\n".encode("cp932")


def put(outdir, target, selector, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    blob = bytes([selector]) + data if selector is not None else data
    name = hashlib.sha1(blob).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def label_index(charset):
    cs = (charset or "").lower()
    return LABELS.index(cs) if cs in LABELS else 0


def name_index(filename):
    ext = os.path.splitext(filename or "")[1].lower()
    for i, n in enumerate(NAMES):
        if n and n.endswith(ext) and ext:
            return i
    return 0


def from_message(out, raw):
    put(out, "message", 0, raw)
    put(out, "message", 7, raw)  # 7-byte chunks: split lines and CR LF
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    for k, v in msg.items():
        put(out, "charset", 0, str(v).encode("utf-8", "surrogateescape"))
    for part in msg.walk():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        ctype = part.get_content_type()
        if ctype == "text/html":
            put(out, "html2text", 0, data)
            put(out, "html2text", 3, data)
        if ctype.startswith("text/"):
            put(out, "charset", label_index(part.get_content_charset()), data)
        if part.get_filename() or not ctype.startswith("text/"):
            put(out, "cdr", name_index(part.get_filename()), data)


def office(src, out):
    gen = os.path.join(src, "tests", "cdr", "gen_office.py")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, gen, tmp], check=True, stdout=subprocess.DEVNULL)
        for p in sorted(glob.glob(os.path.join(tmp, "*"))):
            with open(p, "rb") as f:
                put(out, "cdr", name_index(p), f.read())


def scan_messages(src, out):
    gen = os.path.join(src, "tests", "mkscanmsg.py")
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, "probe.txt")
        with open(probe, "wb") as f:
            f.write(b"text with CLAMAV-TEST-STRING-NOT-EICAR inside\n")
        for kind in ("clean", "eicar-zip", "eicar-fwd-zip", "attach"):
            path = os.path.join(tmp, kind + ".eml")
            subprocess.run([sys.executable, gen, kind, kind + "@fuzz", path, probe], check=True)
            with open(path, "rb") as f:
                from_message(out, f.read())


def small_files(out):
    for name, data in (("a.png", PNG), ("a.gif", GIF), ("a.bmp", BMP), ("a.pdf", PDF),
                       ("a.rtf", RTF), ("a.csv", CSV)):
        put(out, "cdr", NAMES.index(name), data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("inner/doc.pdf", PDF)
        z.writestr("img.png", PNG)
        z.writestr("../evil.txt", b"path")
    put(out, "cdr", NAMES.index("a.zip"), buf.getvalue())
    for html in (b"<html><head><meta charset=shift_jis><style>x{}</style></head><body><p>a<br>b"
                 b"<table><tr><td>1<td>2</table><ul><li>x<ol><li>y</ol></ul><a href='javascript:x'>j</a>"
                 b"<img src=x alt=pic><div style='display:none'>h</div><pre> p </pre></body>",
                 b"<blockquote><blockquote><h1>t</h1>&amp;&#x3042;&nbsp;<a href=http://e.example>l</a>"):
        put(out, "html2text", 0, html)
    put(out, "charset", 0, b"=?ISO-2022-JP?B?GyRCJEYkOSRIGyhC?= =?utf-8?q?=E3=81=82?= raw \xb1")


def configs(src, out):
    for p in sorted(glob.glob(os.path.join(src, "conf", "*.conf")) +
                    glob.glob(os.path.join(src, "conf", "*.in"))):
        with open(p, "rb") as f:
            put(out, "config", None, f.read())
    put(out, "config", None, b"internal_network = 10.0.0.0/8, 192.0.2.0/24\nmax_message_size = 10M\n"
                               b"on_error = tempfail\n[zone lgwan]\ndomains = example.lg.jp\n")


def auth(out):
    """issue 16: Authentication-Results values, domains and display names."""
    for v in (b"mx.example.org; dkim=pass (2048-bit key) header.d=example.com header.s=s1 header.b=abcdEFGH",
              b"mx.example.org 1; spf=fail smtp.mailfrom=a@example.com;\n\tdmarc=fail (p=reject dis=none) "
              b"header.from=example.com",
              b"\"quoted\" (c (n)); dkim/1=pass reason=\"x\\\"y\" header.i=@a.example; none",
              b"xn--ity-3ed.example.lg.jp", b"city.example.lg.jp.example.net",
              "市長 山田 <soumu@city.example.lg.jp>".encode()):
        put(out, "auth", 40, v)


def main():
    src, out = sys.argv[1], sys.argv[2]
    for p in sorted(glob.glob(os.path.join(src, "samples", "*.eml"))):
        with open(p, "rb") as f:
            from_message(out, f.read())
    office(src, out)
    scan_messages(src, out)
    small_files(out)
    configs(src, out)
    auth(out)


main()
