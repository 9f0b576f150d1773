"""Message shapes for bench/run.py, generated at run time with the standard
library only (random content from a fixed seed, so every run of a commit
measures the same bytes).

Each shape is a function returning the raw message (bytes, LF line ends).
"""
import base64
import io
import random
import struct
import zipfile
import zlib

RNG = random.Random(20261129)


def rand_bytes(n):
    return RNG.getrandbits(8 * n).to_bytes(n, "little") if n else b""


def b64(data):
    return base64.encodebytes(data).decode()


HEAD = ["From: bench@example.net", "To: staff@city.example.lg.jp", "Subject: bench",
        "Message-ID: <bench@example.net>", "MIME-Version: 1.0"]


def message(parts, text="本文です。" * 50, html=None):
    """parts: list of (content type, filename, bytes)."""
    lines = HEAD + ['Content-Type: multipart/mixed; boundary="bb"', "", "--bb"]
    if html is None:
        lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", "", text]
    else:
        lines += ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", "",
                  b64(html.encode())]
    for ctype, name, data in parts:
        lines += ["--bb", "Content-Type: " + ctype,
                  'Content-Disposition: attachment; filename="%s"' % name,
                  "Content-Transfer-Encoding: base64", "", b64(data)]
    lines.append("--bb--")
    return "\n".join(lines).encode()


# ---- PNG and JPEG, written by hand ----

def png(width, height, noise=True):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = width * 3
    raw = b"".join(b"\0" + (rand_bytes(row) if noise else bytes([y & 0xff]) * row) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def jpeg(width, height):
    """Baseline grey-scale JPEG whose 8x8 blocks carry only a DC value that
    steps up and down (stripes).  Two tiny Huffman tables keep the encoder
    trivial: DC categories 0/1 are the codes 00/01, the AC table holds only
    end-of-block (code 0).  Each block is 4 bits: 01, the sign bit, 0."""
    def seg(marker, data):
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(data) + 2) + data
    dqt = b"\x00" + bytes([1] * 64)
    sof = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    dht_dc = b"\x00" + bytes([0, 2] + [0] * 14) + b"\x00\x01"
    dht_ac = b"\x10" + bytes([1] + [0] * 15) + b"\x00"
    sos = b"\x01\x01\x00\x00\x3f\x00"
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    # two blocks per byte: 01 1 0 (+1) then 01 0 0 (-1) -> 0110 0100
    scan = b"\x64" * (blocks // 2) + (b"\x6f" if blocks % 2 else b"")
    return (b"\xff\xd8" + seg(0xdb, dqt) + seg(0xc0, sof) + seg(0xc4, dht_dc) + seg(0xc4, dht_ac) +
            seg(0xda, sos) + scan + b"\xff\xd9")


# ---- PDF, many pages ----

def pdf(pages):
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", None,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for i in range(pages):
        text = b"".join(b"BT /F1 10 Tf 40 %d Td (page %d line %d lorem ipsum dolor sit amet) Tj ET\n" %
                        (800 - 12 * k, i, k) for k in range(60))
        objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text))
        objs.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                    b"/Resources << /Font << /F1 3 0 R >> >> >>" % (len(objs)))
        kids.append(b"%d 0 R" % len(objs))
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for n, body in enumerate(objs, 1):
        offs.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (n, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offs))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


# ---- Office Open XML and ZIP ----

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def zipped(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def docx(paragraphs, images):
    rel = ['<Relationship Id="rIm%d" Type="%s/image" Target="media/image%d.png"/>' % (i, RT, i)
           for i in range(images)]
    body = "".join("<w:p><w:r><w:t>段落 %d: 無害化のベンチマーク用の本文です。</w:t></w:r></w:p>" % i
                   for i in range(paragraphs))
    entries = [
        ("[Content_Types].xml",
         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="%s">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Default Extension="png" ContentType="image/png"/>'
         '<Override PartName="/word/document.xml" ContentType="%s"/></Types>' % (CT, DOCX_MAIN)),
        ("_rels/.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s">'
         '<Relationship Id="rId1" Type="%s/officeDocument" Target="word/document.xml"/>'
         '</Relationships>' % (PR, RT)),
        ("word/_rels/document.xml.rels",
         '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s">%s</Relationships>' % (PR, "".join(rel))),
        ("word/document.xml", '<?xml version="1.0" encoding="UTF-8"?><w:document %s %s><w:body>%s'
         '</w:body></w:document>' % (W, R, body)),
    ]
    entries += [("word/media/image%d.png" % i, png(64, 64)) for i in range(images)]
    return zipped(entries)


def zip_members(n, size):
    return zipped([("dir%d/file%d.txt" % (i % 10, i), ("member %d " % i).encode() * (size // 10))
                   for i in range(n)])


def html_page(size):
    row = '<tr><td class="c">%d</td><td><a href="https://example.jp/p/%d">リンク %d</a></td><td>本文です。</td></tr>\n'
    rows, n = [], 0
    while n < size:
        rows.append(row % (len(rows), len(rows), len(rows)))
        n += len(rows[-1].encode())
    return "<html><head><style>.c{color:red}</style></head><body><table>%s</table></body></html>" % "".join(rows)


# ---- the shapes: (name, builder); the first one is the baseline ----

CASES = [
    ("baseline: 2 KB text", lambda: message([])),
    ("1 MB attachment", lambda: message([("application/octet-stream", "f0.bin", rand_bytes(1 << 20))])),
    ("40 small parts", lambda: message([("application/octet-stream", "f%d.bin" % i, rand_bytes(2048))
                                         for i in range(40)])),
    ("15 MB message (disk)", lambda: message([("application/octet-stream", "big.bin", rand_bytes(11 << 20))])),
    ("docx 300 parts", lambda: message([(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "big.docx",
        docx(20000, 300))])),
    ("pdf 400 pages", lambda: message([("application/pdf", "big.pdf", pdf(400))])),
    ("png 1500x1500", lambda: message([("image/png", "big.png", png(1500, 1500))])),
    ("jpeg 4096x4096", lambda: message([("image/jpeg", "big.jpg", jpeg(4096, 4096))])),
    ("zip 900 members", lambda: message([("application/zip", "many.zip", zip_members(900, 500))])),
    ("html body 2 MB", lambda: message([], html=html_page(2 << 20))),
]
