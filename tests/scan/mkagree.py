#!/usr/bin/env python3
"""Write the cases of tests/scan/agree.sh (issue 15: when libclamav's own
MIME parser reads the raw message next to GMime).

usage: mkagree.py OUTDIR
Writes OUTDIR/NAME.eml and OUTDIR/cases: one line per case,
"NAME PARSE VERDICT": PARSE is `agree` (GMime's reading leaves libclamav's
parser nothing, the raw message is scanned without it) or `parse` (the
readings could differ: libclamav parses too); VERDICT is `deliver` or
`virus` (refused 550 naming the signature).  The EICAR test string is
assembled at run time (never whole in the repository).
"""
import base64
import binascii
import os
import sys


def eicar():
    parts = ["X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-", "FILE!$H+H*"]
    return "".join(parts).encode("ascii")


def b64(data):
    return base64.encodebytes(data).decode("ascii")


def uuencoded(name, data):
    lines = ["begin 644 %s" % name]
    for i in range(0, len(data), 45):
        lines.append(binascii.b2a_uu(data[i:i + 45]).decode("ascii").rstrip("\n"))
    lines += ["`", "end"]
    return "\n".join(lines) + "\n"


# no case name in the header: a name like "binhex-marker" would itself be a marker
HEAD = ("From: sender@example.net\nTo: staff@city.example.lg.jp\nSubject: agreement case\n"
        "Message-ID: <{name}@example.net>\nMIME-Version: 1.0\n")


def head(name):
    return HEAD.format(name="%08x" % binascii.crc32(name.encode()))


B = "----=_Part_12345_67890.1700000000000"


def multipart(name, parts, preamble="", epilogue="", ctype=None, boundary=B):
    ct = ctype or 'Content-Type: multipart/mixed; boundary="%s"\n' % boundary
    body = preamble
    for p in parts:
        body += "--%s\n%s" % (boundary, p)
    body += "--%s--\n%s" % (boundary, epilogue)
    return head(name) + ct + "\n" + body


def text_part(text, ct="text/plain; charset=us-ascii", cte="7bit"):
    return "Content-Type: %s\nContent-Transfer-Encoding: %s\n\n%s\n" % (ct, cte, text)


def file_part(data, name="data.bin", ct="application/octet-stream"):
    return ('Content-Type: %s; name="%s"\nContent-Disposition: attachment; filename="%s"\n'
            "Content-Transfer-Encoding: base64\n\n%s" % (ct, name, name, b64(data)))


def single(name, text, ct="text/plain; charset=us-ascii", cte="7bit"):
    return head(name) + "Content-Type: %s\nContent-Transfer-Encoding: %s\n\n%s\n" % (ct, cte, text)


def cases():
    e = eicar()
    jis = "\x1b$B$3$s$K$A$O\x1b(B\n"
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    yield "plain-ascii", "agree", "deliver", single("plain-ascii", "Hello.\n-- \nTaro\n-----Original Message-----\n")
    yield "plain-jis", "agree", "deliver", single("plain-jis", jis, "text/plain; charset=ISO-2022-JP")
    yield "plain-b64", "agree", "deliver", single("plain-b64", b64("本日は晴天です。\n".encode()),
                                                  "text/plain; charset=UTF-8", "base64")
    yield "multi-pdf", "agree", "deliver", multipart("multi-pdf", [text_part("See the file."),
                                                                   file_part(pdf, "a.pdf", "application/pdf")],
                                                     preamble="This is a multi-part message in MIME format.\n")
    # a short boundary inside base64 lines (no parser reads a boundary on a
    # line that does not start with '-' or '('), a bare HREF in CSV letters
    yield "short-boundary", "agree", "deliver", multipart(
        "short-boundary", [text_part("hi"), file_part(b"\x6d\xb6\xdb" * 40 + pdf, "a.bin")], boundary="bb")
    yield "csv-caps", "agree", "deliver", single("csv-caps", "1,QHREFXYZ,3\n2,SRCABCD,4\n", "text/csv; charset=us-ascii")
    # what agrees is still scanned: the raw text, and every part decoded
    yield "eicar-7bit", "agree", "virus", single("eicar-7bit", e.decode())
    yield "eicar-b64-text", "agree", "virus", single("eicar-b64-text", b64(e), cte="base64")
    yield "eicar-attached", "agree", "virus", multipart("eicar-attached", [text_part("hi"), file_part(e, "e.com")])
    # the readings could differ: libclamav parses too, and finds what GMime cannot
    yield "uu-preamble", "parse", "virus", multipart("uu-preamble", [text_part("hi")],
                                                     preamble=uuencoded("e.com", e))
    yield "uu-text", "parse", "deliver", single("uu-text", "see below\n" + uuencoded("a.txt", b"harmless\n"))
    yield "binhex-marker", "parse", "deliver", single("binhex-marker",
                                                      "(This file must be converted with BinHex 4.0)\n:xyz:\n")
    yield "yenc-marker", "parse", "deliver", single("yenc-marker", "=ybegin line=128 size=3 name=a\nabc\n=yend\n")
    low = B.lower()
    yield "boundary-case", "parse", "virus", (
        head("boundary-case") + 'Content-Type: multipart/mixed; boundary="%s"\n\n' % B +
        "--%s\n%s--%s\n%s--%s--\n" % (B, text_part("hi"), low, file_part(e, "e.com"), B))
    yield "boundary-rfc2231", "parse", "deliver", multipart(
        "boundary-rfc2231", [text_part("hi")],
        ctype="Content-Type: multipart/mixed;\n boundary*0=\"%s\";\n boundary*1=\"%s\"\n" % (B[:10], B[10:]))
    yield "boundary-twice", "parse", "deliver", multipart(
        "boundary-twice", [text_part("hi")],
        ctype='Content-Type: multipart/mixed; boundary="%s"; boundary="other"\n' % B)
    yield "two-content-types", "parse", "deliver", (
        head("two-content-types") + 'Content-Type: multipart/mixed; boundary="%s"\n' % B +
        "Content-Type: text/plain\n\n--%s\n%s--%s--\n" % (B, text_part("hi"), B))
    yield "part-after-close", "parse", "deliver", multipart("part-after-close", [text_part("hi")],
                                                            epilogue="--%s\n%s" % (B, text_part("late")))
    yield "unterminated", "parse", "deliver", (
        head("unterminated") + 'Content-Type: multipart/mixed; boundary="%s"\n\n' % B +
        "--%s\n%s" % (B, text_part("no end")))
    bounce = ("The message could not be delivered.\n\nReceived: from x by y\nFrom: a@example.net\n"
              "Content-Type: application/octet-stream; name=e.com\nContent-Transfer-Encoding: base64\n\n" + b64(e))
    yield "bounce-b64-text", "parse", "virus", single("bounce-b64-text", b64(bounce.encode()), cte="base64")
    yield "mime-fields-in-text", "parse", "deliver", single(
        "mime-fields-in-text", "A header I pasted:\nContent-Type: text/plain\n")
    yield "html-part", "parse", "deliver", single("html-part", "<p><a href=\"https://example.org/\">x</a></p>",
                                                  "text/html; charset=us-ascii")
    yield "markup-in-plain", "parse", "deliver", single("markup-in-plain", "<a href=\"https://example.org/\">x</a>")
    yield "attr-in-plain", "parse", "deliver", single("attr-in-plain", "see <div Href = \"https://example.org/\">")
    yield "boundary-indented", "parse", "deliver", (
        head("boundary-indented") + 'Content-Type: multipart/mixed; boundary="%s"\n\n' % B +
        "--%s\n%s  --%s\n%s--%s--\n" % (B, text_part("hi"), B, text_part("second"), B))
    inner = "Subject: inner\nContent-Type: text/plain\n\nhello\n"
    yield "encoded-rfc822", "parse", "deliver", multipart("encoded-rfc822", [
        text_part("fwd"), "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n" + b64(inner.encode())])
    yield "long-line", "parse", "deliver", single("long-line", "x" * 70000)
    inner = ['Content-Type: multipart/mixed; boundary="=_in%02d_q"\n\n--=_in%02d_q\n%s--=_in%02d_q--\n'
             % (i, i, text_part("part %d" % i), i) for i in range(35)]
    yield "many-multiparts", "parse", "deliver", multipart("many-multiparts", inner)
    # red-team audit of issue 15: each of these was read as "agree" and
    # delivered while scan_message_mime = always refused it (libclamav's
    # parser found the virus GMime's reading hid)
    yield from evasions(e)


def evasions(e):
    att7 = ('Content-Type: application/octet-stream; name="a.bin"\nContent-Transfer-Encoding: 7bit\n\n'
            "harmless data\n")
    # a part only libclamav sees: no Content-Type, a file name, the file as it is
    disp = 'Content-Disposition: attachment; filename="e.com"\n\n%s\n' % e.decode()

    def hidden(name, line, ctype=None):
        ct = ctype or 'Content-Type: multipart/mixed; boundary="%s"\n' % B
        return head(name) + ct + "\n--%s\n%s%s\n%s--%s--\n" % (B, att7, line, disp, B)
    # transfer encodings libclamav guesses from (GMime decodes nothing)
    yield "cte-guessed", "parse", "virus", single("cte-guessed", b64(e), cte="bas64")
    yield "cte-two-words", "parse", "virus", multipart("cte-two-words", [text_part("hi"), file_part(e, "e.com").replace(
        "Encoding: base64", "Encoding: 7bit base64")])
    # what libclamav reads in the raw lines of a part that is not text
    yield "uu-in-attachment", "parse", "virus", multipart("uu-in-attachment", [
        text_part("hi"), att7 + uuencoded("e.com", e)])
    yield "fields-in-attachment", "parse", "virus", (
        head("fields-in-attachment") + 'Content-Type: multipat/mixed; boundery="%s"\n\n--%s\n%s--%s--\n'
        % (B, B, file_part(e, "e.com"), B))
    # delimiters only libclamav's line reader and boundary test see
    yield "boundary-comment", "parse", "virus", hidden("boundary-comment", "--%s(x)%s" % (B[:8], B[8:]))
    yield "boundary-escape", "parse", "virus", hidden("boundary-escape", "--%s\\%s()" % (B[:8], B[8:]))
    yield "boundary-nul", "parse", "virus", hidden("boundary-nul", "--%s\0%s" % (B[:8], B[8:]))
    yield "boundary-long-line", "parse", "virus", hidden("boundary-long-line", "y" * 999 + "--" + B)
    yield "boundary-colon", "parse", "deliver", multipart(
        "boundary-colon", [text_part("hi")], ctype='Content-Type: multipart/mixed; boundary="%s"; boundary:"x"\n' % B)
    # base64 the two decoders read apart: '=' before the data
    yield "b64-early-pad", "parse", "virus", multipart("b64-early-pad", [
        text_part("hi"), file_part(e, "e.com").replace("base64\n\n", "base64\n\n====\n")])
    yield "b64-short-group", "parse", "deliver", multipart("b64-short-group", [
        text_part("hi"), file_part(b"harmles", "a.bin").replace("==\n", "\n")])
    # what a line of the base64 alphabet can spell still counts (raw_line
    # searches such lines for these two only): "binhex", a link attribute
    # before the final padding
    yield "b64-spells-binhex", "parse", "deliver", multipart("b64-spells-binhex", [
        text_part("hi"), file_part(b"harmless", "a.bin").replace("base64\n\n", "base64\n\nQmlu" + "binhex" + "AA\n")])
    yield "b64-spells-src", "parse", "deliver", multipart("b64-spells-src", [
        text_part("hi"), "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nQUJDsrc=\n"])
    yield "qp-padding", "parse", "deliver", multipart("qp-padding", [
        text_part("hi"), "Content-Type: application/octet-stream\nContent-Transfer-Encoding: quoted-printable\n\nab= \ncd\n"])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "cases"), "w") as idx:
        for name, parse, verdict, msg in cases():
            with open(os.path.join(out, name + ".eml"), "wb") as f:
                f.write(msg.encode("utf-8") if isinstance(msg, str) else msg)
            idx.write("%s %s %s\n" % (name, parse, verdict))


if __name__ == "__main__":
    main()
