#!/usr/bin/env python3
"""Issue 12, Deliver 4: a property of the message gets a final answer.

Encrypted, oversized, nested or broken content will be exactly the same
when the sender tries again, so a temporary failure (4xx) only makes the
sender retry for days.  Each message here must be delivered (the part
removed with a notice) or refused with 5xx; the default check final_answer
fails any 4xx.  Where mugaika can deliver the harmless rest, the case says
so (present / listed).
"""
import base64
import binascii
import sys

import hostile as H

s = H.Suite("gen_final")
EZ = H.encrypted_zip_bytes("secret.txt", b"the password is in the next mail")
B64 = base64.encodebytes(EZ).decode()


def uu(data, name):
    lines = ["begin 644 %s" % name]
    for i in range(0, len(data), 45):
        lines.append(binascii.b2a_uu(data[i:i + 45]).decode().rstrip("\n"))
    lines += ["`", "end"]
    return "\n".join(lines) + "\n"


def add(name, title, ent, checks=(), config=None):
    s.case(name, "retry-loop", title, H.message(ent, s.msgid(name)), list(checks), config=config)


KEEP = ("present", {"pattern": "KEEP-TOKEN"})
add("body-mime-encrypted-zip", "text body quoting a MIME part that carries an encrypted zip (a bounce)",
    H.text("KEEP-TOKEN Your message bounced, the original follows.\n\n--orig\nContent-Type: application/zip; "
           "name=\"secret.zip\"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; "
           "filename=\"secret.zip\"\n\n" + B64 + "\n--orig--\n"), [KEEP])
add("body-uuencoded-encrypted-zip", "text body with a uuencoded encrypted zip",
    H.text("KEEP-TOKEN see below\n\n" + uu(EZ, "secret.zip")), [KEEP])
add("body-bare-base64-encrypted-zip", "text body with the base64 of an encrypted zip",
    H.text("KEEP-TOKEN the file, base64:\n\n" + B64), [KEEP])
add("body-qp-encrypted-zip", "quoted-printable text body quoting an encrypted-zip MIME part",
    H.text("KEEP-TOKEN forwarded:\n\nContent-Type: application/zip\nContent-Transfer-Encoding: base64\n\n" + B64,
           cte="quoted-printable"), [KEEP])
add("html-data-uri-encrypted-zip", "HTML body linking a data: URI holding an encrypted zip",
    H.text("<html><body><p>KEEP-TOKEN</p><a href=\"data:application/zip;base64,%s\">file</a></body></html>\n" %
           B64.replace("\n", ""), ctype="text/html; charset=utf-8"), [KEEP])
add("note-txt-encrypted-zip", "a kept text attachment quoting an encrypted-zip MIME part",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf(
        "text/plain; charset=utf-8", "Content-Type: application/zip\nContent-Transfer-Encoding: base64\n\n" + B64,
        filename="bounce.txt")]), [KEEP])
add("encrypted-zip", "an encrypted zip attachment (PPAP)",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("application/zip", EZ, filename="secret.zip")]),
    [KEEP, ("listed", {"name": "secret.zip"})])
add("encrypted-zip-in-zip", "an encrypted zip inside a zip",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("application/zip", H.zip_bytes([
        ("readme.txt", b"README-TOKEN\r\n"), ("secret.zip", EZ)]), filename="outer.zip")]),
    [KEEP, ("listed", {"name": "secret.zip"})])
add("encrypted-zip-forwarded", "an encrypted zip in a forwarded message",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.rfc822(H.inner_message(H.multipart("mixed", [
        H.text("inner body\n"), H.leaf("application/zip", EZ, filename="secret.zip")], boundary="in")))]),
    [KEEP, ("listed", {"name": "secret.zip"})])
add("encrypted-zip-b64-forwarded", "an encrypted zip in a base64-encoded forwarded message",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.rfc822(H.inner_message(H.multipart("mixed", [
        H.text("inner body\n"), H.leaf("application/zip", EZ, filename="secret.zip")], boundary="in")),
        cte="base64")]), [KEEP])
add("encrypted-zip-octet", "an encrypted zip declared application/octet-stream, named .dat",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("application/octet-stream", EZ,
                                                               filename="data.dat")]), [KEEP])
PDFENC = H.pdf_doc("x").replace(b"trailer\n<< /Size 6 /Root 1 0 R >>",
                                b"trailer\n<< /Size 6 /Root 1 0 R /Encrypt << /Filter /Standard /V 2 /R 3 /Length 128 "
                                b"/P -4 /O <00> /U <00> >> /ID [<00><00>] >>")
add("encrypted-pdf", "a PDF with an /Encrypt dictionary it cannot open",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("application/pdf", PDFENC, filename="locked.pdf")]),
    [KEEP, ("listed", {"name": "locked.pdf"})])
bomb = H.zip_bytes([("zeros.txt", b"\0" * (12 * 1024 * 1024))])
add("zip-ratio-bomb", "a zip whose member expands 1000 times",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("application/zip", bomb, filename="bomb.zip")]),
    [KEEP, ("listed", {"name": "bomb.zip"})])
z = H.zip_bytes([("deep.txt", b"DEEP-TOKEN\r\n")])
for i in range(12):
    z = H.zip_bytes([("level%d.zip" % i, z)])
add("zip-deep", "a zip nested twelve levels deep",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("application/zip", z, filename="deep.zip")]), [KEEP])
add("png-pixel-bomb", "a PNG header claiming 100000 x 100000 pixels",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("image/png", H.png_image(claim=(100000, 100000)),
                                                             filename="huge.png")]), [KEEP])
add("corrupt-pdf", "a PDF cut in half",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("application/pdf", H.pdf_doc("x")[:200],
                                                               filename="cut.pdf")]), [KEEP])
add("corrupt-zip", "a zip with a broken central directory",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("application/zip", H.zip_bytes(
        [("a.txt", b"x" * 100)])[:-10], filename="broken.zip")]), [KEEP])
add("bad-base64", "an attachment whose base64 is damaged",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("application/pdf", None, filename="bad.pdf",
                                                               raw=b"JVBERi0xLjQK!!!!@@@@####\n****\n")]), [KEEP])
add("unknown-cte", "an attachment with Content-Transfer-Encoding: x-gzip64",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("application/pdf", None, filename="gz.pdf",
                                                               cte="x-gzip64", raw=b"H4sIAAAAAAAAA8tIzcnJBwCGphA2BQAAAA==\n")]),
    [KEEP])
add("uuencode-cte", "an attachment with Content-Transfer-Encoding: x-uuencode",
    H.multipart("mixed", [H.text("KEEP-TOKEN body\n"), H.leaf("application/octet-stream", None, filename="run.hta",
                                                               cte="x-uuencode", raw=uu(
            b"<script>new ActiveXObject('WScript.Shell')</script>", "run.hta").encode())]),
    [KEEP, ("absent", {"pattern": "ActiveXObject"})])
add("html-too-large", "an HTML body that converts to more than html_max_output",
    H.text("<html><body>" + "<p>KEEP-TOKEN word word word word</p>\n" * 2000 + "</body></html>\n",
           ctype="text/html; charset=utf-8"), [], config={"html_max_output": "8K"})
add("eicar-in-encrypted-context", "EICAR in the body next to an encrypted zip attachment",
    H.multipart("mixed", [H.text("body\n"), H.leaf("application/octet-stream", H.eicar(), filename="e.com"),
                          H.leaf("application/zip", EZ, filename="secret.zip")]), [("verdict", {"is": "reject"})])

sys.exit(s.main())
