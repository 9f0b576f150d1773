#!/usr/bin/env python3
"""Write the issue 4a golden sample messages (samples/attach-*.eml).

Usage: gen_samples.py SAMPLES_DIR

Run by hand when the samples must change; the output is deterministic
(fixed boundaries, dates and ZIP timestamps).  The attachments are inert:
the "macro" is plain text in an OLE2-shaped blob, links point at
example.invalid, the "executable" is a DOS header without code.
"""
import io
import os
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_office  # noqa: E402

from email import encoders  # noqa: E402
from email.mime.base import MIMEBase  # noqa: E402
from email.mime.multipart import MIMEMultipart  # noqa: E402
from email.mime.text import MIMEText  # noqa: E402


def build(path, builder):
    """Run a gen_office builder into memory with fixed ZIP timestamps."""
    tmp = path + ".tmp"
    builder(tmp)
    with open(tmp, "rb") as f:
        data = f.read()
    os.remove(tmp)
    if data[:2] != b"PK":
        return data
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, src.read(info.filename))
    return out.getvalue()


def message(subject, msgid, parts):
    m = MIMEMultipart(boundary="=-sample-boundary-" + msgid)
    m["From"] = "sender@example.com"
    m["To"] = "user@city.example.lg.jp"
    m["Subject"] = subject
    m["Date"] = "Mon, 30 Nov 2026 09:00:00 +0900"
    m["Message-ID"] = "<%s@example.com>" % msgid
    m.attach(MIMEText("Please see the attached files.\n", "plain", "us-ascii"))
    for name, ctype, data in parts:
        p = MIMEBase(*ctype.split("/"))
        p.set_payload(data)
        encoders.encode_base64(p)
        p.add_header("Content-Disposition", "attachment", filename=name)
        m.attach(p)
    return m.as_bytes()


def harmless_csv():
    return (b"name,amount,note\r\n"
            b"alice,-12.5,=1+2\r\n"
            b'"bob","+81","@SUM(1,2)"\r\n'
            b'carol,100,"=HYPERLINK(""http://x.example.invalid/"")"\r\n')


def harmless_rtf():
    return (b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times;}}\n"
            b"{\\*\\template http://templates.example.invalid/t.dotm}\n"
            b"Visible text before.\\par\n"
            b"{\\object\\objemb{\\*\\objclass Package}{\\*\\objdata 0105000002000000}"
            b"{\\result {\\pict\\pngblip 89504e47}}}\n"
            b"Visible text after.\\par\n}\n")


def fake_exe():
    return b"MZ" + b"\0" * 58 + b"\x40\0\0\0" + b"This program cannot be run in DOS mode.\r\n$"


def main():
    out = sys.argv[1]
    tmp = os.path.join(out, "gen")
    samples = {
        "attach-office-macro.eml": message("Office documents", "office", [
            ("report.docm", "application/vnd.ms-word.document.macroEnabled.12", build(tmp, gen_office.macro_docm)),
            ("letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             build(tmp, gen_office.template_docx)),
        ]),
        "attach-disguised.eml": message("Disguised files", "disguised", [
            ("invoice.pdf", "application/pdf", fake_exe()),
            ("report.pdf.exe", "application/octet-stream", b"just text\n"),
            ("photo\u202egpj.exe", "application/octet-stream", b"just text\n"),
            ("readme.js", "text/plain", b"WScript.Echo('hello');\n"),
            ("notes.txt", "text/plain", b"plain notes\n"),
        ]),
        "attach-text-formats.eml": message("Text formats", "text", [
            ("table.csv", "text/csv", harmless_csv()),
            ("letter.rtf", "application/rtf", harmless_rtf()),
        ]),
    }
    for name, data in samples.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
