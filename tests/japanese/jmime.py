"""Byte-level MIME building blocks for the Japanese corpus (stdlib only).

The corpus needs messages exactly as real mailers write them, broken
parts included (raw 8-bit header bytes, unquoted folded encoded words,
mislabelled charsets), which no e-mail library produces; so messages are
assembled from bytes here.  Line ends are LF; the SMTP sender turns them
into CRLF.
"""
import base64
import quopri


def b(s):
    return s if isinstance(s, bytes) else s.encode("utf-8")


def header(name, value):
    """One header field; value is str (ASCII, may hold folding) or raw bytes."""
    return b(name) + b": " + b(value) + b"\n"


def headers(pairs):
    return b"".join(header(n, v) for n, v in pairs)


def b64_lines(data, width=76):
    s = base64.b64encode(data)
    return b"".join(s[i:i + width] + b"\n" for i in range(0, len(s), width)) or b"\n"


def cte_encode(data, cte):
    cte = (cte or "7bit").lower()
    if cte == "base64":
        return b64_lines(data)
    if cte == "quoted-printable":
        out = quopri.encodestring(data)
        return out if out.endswith(b"\n") else out + b"=\n"
    return data if data.endswith(b"\n") else data + b"\n"


def leaf(ctype, data, cte="7bit", extra=(), cte_name="Content-Transfer-Encoding"):
    """A MIME entity: Content-Type (value may be folded), extra header
    lines (bytes or (name, value)), blank line, encoded body."""
    h = header("Content-Type", ctype)
    if cte:
        h += header(cte_name, cte)
    for e in extra:
        h += e if isinstance(e, bytes) else header(*e)
    return h + b"\n" + cte_encode(b(data), cte)


def multi(subtype, boundary, parts, preamble=b"", ctype_fmt='multipart/%s;\n\tboundary="%s"', extra=()):
    h = header("Content-Type", ctype_fmt % (subtype, boundary))
    for e in extra:
        h += e if isinstance(e, bytes) else header(*e)
    body = b(preamble) + b"\n" if preamble else b""
    for p in parts:
        body += b"--" + b(boundary) + b"\n" + p + (b"" if p.endswith(b"\n") else b"\n")
    body += b"--" + b(boundary) + b"--\n"
    return h + b"\n" + body


def message(top_headers, entity):
    """Top header block (bytes or pairs) followed by an entity."""
    if not isinstance(top_headers, bytes):
        top_headers = headers(top_headers)
    return top_headers + entity


def rfc822(inner, disposition="attachment", extra=()):
    h = header("Content-Type", "message/rfc822")
    if disposition:
        h += header("Content-Disposition", disposition)
    for e in extra:
        h += e if isinstance(e, bytes) else header(*e)
    return h + b"\n" + inner


def pdf(text_lines, javascript=False):
    """A small valid PDF (xref included); with javascript, an OpenAction
    that runs a script, as phishing PDFs carry."""
    content = b"BT /F1 12 Tf 20 180 Td " + b" ".join(
        b"(" + line.encode("ascii") + b") Tj 0 -14 Td" for line in text_lines) + b" ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R" + (b" /OpenAction 6 0 R" if javascript else b"") + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R"
            b" /Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    if javascript:
        objs.append(b"<< /S /JavaScript /JS (app.alert\\('x'\\)) >>")
    out, offs = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)
