#!/usr/bin/env python3
"""Carriers the other generators do not try: a file encoded inside text
(uuencode, yEnc, BinHex in a plain or HTML body or in a kept text file),
archive formats other than zip/tar/gz (tar.bz2, tar.xz, lone bz2 and xz,
cpio, 7z when the 7z tool is there), Java archives, and HTML under a
document's name.

Each case checks the delivered bytes: the encoded block or the active
marker must be absent, what is harmless must arrive.
"""
import binascii
import bz2
import io
import lzma
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

import hostile as H

s = H.Suite("gen_carriers")
BODY = H.text("Please see the attachment.\n")
HTA = b'<html><head><HTA:APPLICATION id=x><script language="VBScript">CreateObject("WScript.Shell").Run "calc"' \
      b'</script></head></html>\r\n'
TXT = b"CARRIER-TOKEN meeting notes\r\n"


def uuencode(name, data):
    lines = [b"begin 644 " + name.encode()]
    lines += [binascii.b2a_uu(data[i:i + 45]).rstrip(b"\n") for i in range(0, len(data), 45)]
    return b"\r\n".join(lines + [b"`", b"end"]) + b"\r\n"


def yenc(name, data):
    out = bytearray()
    for c in data:
        c = (c + 42) % 256
        if c in (0, 10, 13, 61):
            out += b"=" + bytes([(c + 64) % 256])
        else:
            out.append(c)
    return (b"=ybegin line=128 size=%d name=%s\r\n" % (len(data), name.encode()) + bytes(out) +
            b"\r\n=yend size=%d\r\n" % len(data))


UU = uuencode("invoice.hta", HTA)
UU_LINE = UU.split(b"\r\n")[1].decode()  # the first encoded line: what must not arrive
BINHEX = (b"(This file must be converted with BinHex 4.0)\r\n:" +
          b"$f*TEQKPH#jdCA0d,R0TG!\"6594%8dP8)3#3\"!&m!*!%!!!!!!!!!!!!!!!!" * 3 + b":\r\n")


def add(name, family, title, entity, checks):
    s.case(name, family, title, H.message(entity, s.msgid(name)), checks)


# ---- files encoded inside text: clients (Outlook among them) show a
# uuencoded block at the start of a line as an attachment
add("body-uuencode-hta", "encoded-in-text", "a plain body carrying a uuencoded HTA",
    H.text("See the file.\n\n" + UU.decode()),
    [("absent", {"pattern": "begin 644 invoice"}), ("absent", {"pattern": UU_LINE}),
     ("present", {"pattern": "See the file."})])
add("html-pre-uuencode-hta", "encoded-in-text", "an HTML body carrying a uuencoded HTA in <pre>",
    H.text("<html><body><p>See the file.</p><pre>\n" + UU.decode() + "</pre></body></html>\n",
           ctype="text/html; charset=us-ascii"),
    [("absent", {"pattern": "begin 644 invoice"}), ("absent", {"pattern": UU_LINE})])
add("html-br-uuencode-hta", "encoded-in-text", "an HTML body carrying a uuencoded HTA in <br> lines",
    H.text("<html><body><p>See the file.</p>\n" + UU.decode().replace("\r\n", "<br>\r\n") + "</body></html>\n",
           ctype="text/html; charset=us-ascii"),
    [("absent", {"pattern": "begin 644 invoice"}), ("absent", {"pattern": UU_LINE})])
add("body-yenc-hta", "encoded-in-text", "a plain body carrying a yEnc-encoded HTA",
    H.leaf("text/plain; charset=iso-8859-1", b"See the file.\r\n" + yenc("invoice.hta", HTA), cte="8bit"),
    [("absent", {"pattern": "=ybegin"}), ("present", {"pattern": "See the file."})])
add("body-binhex", "encoded-in-text", "a plain body carrying a BinHex 4.0 block",
    H.leaf("text/plain; charset=us-ascii", b"See the file.\r\n" + BINHEX, cte="7bit"),
    [("absent", {"pattern": "$f*TEQKPH#jdCA0d"}), ("present", {"pattern": "See the file."})])
add("txt-uuencode-hta", "encoded-in-text", "a kept notes.txt carrying a uuencoded HTA",
    H.multipart("mixed", [BODY, H.leaf("text/plain; charset=us-ascii", TXT + UU, filename="notes.txt")]),
    [("absent", {"pattern": "begin 644 invoice"}), ("absent", {"pattern": UU_LINE}),
     ("present", {"pattern": "CARRIER-TOKEN"})])
add("att-binhex", "encoded-in-text", "an application/mac-binhex40 attachment",
    H.multipart("mixed", [BODY, H.leaf("application/mac-binhex40", BINHEX, filename="invoice.hqx")]),
    [("absent", {"pattern": "$f*TEQKPH#jdCA0d"}), ("listed", {"name": "invoice.hqx"})])


# ---- archive formats: every one is read in the format its content has,
# and what is delivered is a new zip of the passive members (or nothing)
def tar_of(members, mode):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.GNU_FORMAT) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime = len(data), 1796000000
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def cpio_newc(members):
    out = bytearray()
    for i, (name, data) in enumerate(members + [("TRAILER!!!", b"")]):
        n = name.encode() + b"\0"
        mode = 0o100644 if data or name != "TRAILER!!!" else 0
        out += b"070701" + b"".join(b"%08X" % v for v in (i + 1, mode, 0, 0, 1, 1796000000, len(data), 0, 0, 0, 0,
                                                           len(n), 0))
        out += n + b"\0" * ((4 - (110 + len(n)) % 4) % 4)
        out += data + b"\0" * ((4 - len(data) % 4) % 4)
    return bytes(out)


def sevenzip(members):
    """A 7z archive written by the 7z tool, or None without it."""
    tool = shutil.which("7z") or shutil.which("7za")
    if not tool:
        return None
    with tempfile.TemporaryDirectory() as d:
        for name, data in members:
            p = os.path.join(d, name)
            with open(p, "wb") as f:
                f.write(data)
            os.utime(p, (1796000000, 1796000000))
        arc = os.path.join(d, "out.7z")
        subprocess.run([tool, "a", "-bso0", "-bsp0", "-mtm=off", arc] + [n for n, _ in members], cwd=d, check=True)
        with open(arc, "rb") as f:
            return f.read()


MEMBERS = [("notes.txt", TXT), ("invoice.hta", HTA)]
ARCH_CHECKS = [("inert", {"pattern": "WScript.Shell"}), ("listed", {"name": "invoice.hta"})]
archives = [
    ("tbz", "a tar.bz2 holding an HTA", "application/x-bzip2", "docs.tar.bz2", tar_of(MEMBERS, "w:bz2"), True),
    ("txz", "a tar.xz holding an HTA", "application/x-xz", "docs.tar.xz", tar_of(MEMBERS, "w:xz"), True),
    ("bz2", "a lone bzip2 of an HTA", "application/x-bzip2", "invoice.hta.bz2", bz2.compress(HTA), False),
    ("xz", "a lone xz of an HTA", "application/x-xz", "invoice.hta.xz", lzma.compress(HTA), False),
    ("cpio", "a cpio archive holding an HTA", "application/octet-stream", "docs.cpio", cpio_newc(MEMBERS), False),
]
sz = sevenzip(MEMBERS)
if sz:
    archives.append(("7z", "a 7z archive holding an HTA", "application/x-7z-compressed", "docs.7z", sz, True))
for tag, title, ctype, fname, data, keeps_text in archives:
    # the members of a lone bzip2/xz or of a cpio (no default rule unpacks it) may go with the archive
    checks = list(ARCH_CHECKS) if tag not in ("bz2", "xz", "cpio") else [("inert", {"pattern": "WScript.Shell"}),
                                                                         ("listed", {"name": fname})]
    if keeps_text:
        checks.append(("present", {"pattern": "CARRIER-TOKEN"}))
    add("arc-" + tag, "archive-formats", title,
        H.multipart("mixed", [BODY, H.leaf(ctype, data, filename=fname)]), checks)

# ---- Java archives: a zip whose members run
CLASS = b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 64
JAR = H.zip_bytes([("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\nMain-Class: A\r\n\r\n"), ("A.class", CLASS),
                   ("readme.txt", TXT)])
add("jar", "archive-formats", "a Java archive tool.jar",
    H.multipart("mixed", [BODY, H.leaf("application/java-archive", JAR, filename="tool.jar")]),
    [("not_delivered", {"name": "*.jar"}), ("not_delivered", {"magic": "application/x-java*"}),
     ("listed", {"name": "tool.jar"})])
add("jar-as-zip", "archive-formats", "a Java archive renamed tool.zip",
    H.multipart("mixed", [BODY, H.leaf("application/zip", JAR, filename="tool.zip")]),
    [("not_delivered", {"name": "*.class"}), ("not_delivered", {"magic": "application/x-java*"})])

# ---- HTML under a document's name
add("html-named-pdf", "2-declared-type", "an HTA declared application/pdf and named invoice.pdf",
    H.multipart("mixed", [BODY, H.leaf("application/pdf", HTA, filename="invoice.pdf")]),
    [("inert", {"pattern": "WScript.Shell"}), ("listed", {"name": "invoice.pdf"})])
add("html-named-docx", "2-declared-type", "an HTA declared as a Word document and named invoice.docx",
    H.multipart("mixed", [BODY, H.leaf("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                       HTA, filename="invoice.docx")]),
    [("inert", {"pattern": "WScript.Shell"}), ("listed", {"name": "invoice.docx"})])

sys.exit(s.main())
