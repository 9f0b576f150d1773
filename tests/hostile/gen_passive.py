#!/usr/bin/env python3
"""Issue 12, Deliver 6: harmless content that used to be destroyed.

Calendar invitations and contact cards must arrive as readable text (or
kept as text/plain); TNEF (winmail.dat) must be unpacked and its files
sanitized like any other attachment; a base64 or quoted-printable
message/rfc822 must be sanitized recursively like an unencoded one; RAR
archives must be unpacked and their members sanitized one by one.  The
hostile pieces inside them (a script, an executable, EICAR) must still be
caught.
"""
import base64
import sys

import hostile as H

s = H.Suite("gen_passive")
BODY = H.text("KEEP-TOKEN please see the attachment.\n")
HTA = b'<html><script language="VBScript">CreateObject("WScript.Shell").Run "calc"</script></html>\r\n'
EXE = b"MZ\x90\x00" + bytes(60) + b"PE\x00\x00" + bytes(200)
PDF = H.pdf_doc("PDF-TOKEN")


def add(name, family, title, parts, checks, body=BODY):
    s.case(name, family, title, H.message(H.multipart("mixed", [body] + parts), s.msgid(name)),
           [("present", {"pattern": "KEEP-TOKEN"})] + list(checks))


def ics(summary="Budget meeting ICS-TOKEN", extra="", method="REQUEST"):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Cal//EN\r\nMETHOD:%s\r\nBEGIN:VEVENT\r\n"
            "UID:1@example.net\r\nDTSTAMP:20261130T000000Z\r\nDTSTART:20261201T010000Z\r\n"
            "DTEND:20261201T020000Z\r\nSUMMARY:%s\r\nLOCATION:Room 3\r\nORGANIZER:mailto:boss@example.net\r\n%s"
            "END:VEVENT\r\nEND:VCALENDAR\r\n" % (method, summary, extra))


B64HTA = base64.b64encode(HTA).decode()
CAL = "2-calendar-card"
s.case("ics-alternative", CAL, "invitation: text, HTML and text/calendar alternatives",
       H.message(H.multipart("alternative", [
           H.text("KEEP-TOKEN You are invited to the budget meeting on 1 December at 10:00 in Room 3.\n"),
           H.text("<html><body><p>KEEP-TOKEN invited</p></body></html>\n", ctype="text/html; charset=utf-8"),
           H.leaf("text/calendar; method=REQUEST; charset=utf-8", ics(), cte="7bit")]), s.msgid("ics-alternative")),
       [("present", {"pattern": "KEEP-TOKEN"}), ("present", {"pattern": "ICS-TOKEN"})])
add("ics-attachment", CAL, "invite.ics attached as text/calendar",
    [H.leaf("text/calendar; method=REQUEST; charset=utf-8", ics(), filename="invite.ics")],
    [("present", {"pattern": "ICS-TOKEN"})])
add("ics-application", CAL, "invite.ics declared application/ics",
    [H.leaf("application/ics", ics(), filename="invite.ics")], [("present", {"pattern": "ICS-TOKEN"})])
add("ics-octet", CAL, "invite.ics declared application/octet-stream",
    [H.leaf("application/octet-stream", ics(), filename="invite.ics")], [("present", {"pattern": "ICS-TOKEN"})])
add("ics-sjis", CAL, "text/calendar in Shift_JIS with a Japanese summary",
    [H.leaf("text/calendar; method=REQUEST; charset=shift_jis", ics("予算会議 ICS-TOKEN").encode("cp932"),
            filename="kaigi.ics")], [("present", {"pattern": "予算会議"})])
add("ics-attach-binary", CAL, "an invitation carrying a script as ATTACH;VALUE=BINARY",
    [H.leaf("text/calendar; method=REQUEST; charset=utf-8", ics(extra="ATTACH;FMTTYPE=application/hta;ENCODING=BASE64;"
                                                                "VALUE=BINARY;X-FILENAME=run.hta:%s\r\n" % B64HTA),
            filename="invite.ics")],
    [("present", {"pattern": "ICS-TOKEN"}), ("inert", {"pattern": B64HTA[:40]}),
     ("inert", {"pattern": "WScript.Shell"})])
add("ics-procedure-alarm", CAL, "an invitation with a PROCEDURE alarm naming a program",
    [H.leaf("text/calendar; charset=utf-8", ics(extra="BEGIN:VALARM\r\nACTION:PROCEDURE\r\nTRIGGER:-PT5M\r\n"
                                                    "ATTACH:file:///C:/Windows/System32/calc.exe\r\nEND:VALARM\r\n"),
            filename="invite.ics")], [("present", {"pattern": "ICS-TOKEN"}), ("inert", {"pattern": "calc.exe"})])
add("ics-reply", CAL, "a METHOD:REPLY calendar part", [H.leaf("text/calendar; method=REPLY; charset=utf-8",
                                                               ics(method="REPLY"), cte="7bit")],
    [("present", {"pattern": "ICS-TOKEN"})])
VCF = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Taro Yamada VCF-TOKEN\r\nN:Yamada;Taro;;;\r\nORG:City Office\r\n"
       "TEL;TYPE=WORK:+81-3-0000-0000\r\nEMAIL:taro@example.net\r\nEND:VCARD\r\n")
for tag, ct in (("vcard", "text/vcard"), ("x-vcard", "text/x-vcard"), ("directory", "text/directory; profile=vCard"),
                ("octet", "application/octet-stream")):
    add("vcf-" + tag, CAL, "card.vcf declared %s" % ct, [H.leaf(ct, VCF, filename="card.vcf")],
        [("present", {"pattern": "VCF-TOKEN"})])
add("vcf-sjis", CAL, "a vCard in Shift_JIS", [H.leaf("text/x-vcard; charset=shift_jis",
                                                      VCF.replace("Taro Yamada", "山田太郎").encode("cp932"),
                                                      filename="yamada.vcf")], [("present", {"pattern": "山田太郎"})])
add("vcf-photo-script", CAL, "a vCard whose PHOTO is a script",
    [H.leaf("text/vcard", VCF.replace("END:VCARD", "PHOTO;ENCODING=b;TYPE=HTA:%s\r\nEND:VCARD" % B64HTA),
            filename="card.vcf")], [("present", {"pattern": "VCF-TOKEN"}), ("inert", {"pattern": B64HTA[:40]})])

# TNEF
TN = "6-tnef"


def tnef_case(name, title, files, checks, ctype="application/ms-tnef", body=None, fname="winmail.dat", raw=None):
    add(name, TN, title, [H.leaf(ctype, raw if raw is not None else H.tnef(files, body=body), filename=fname)],
        list(checks) + [("not_delivered", {"name": "winmail.dat"})])


tnef_case("tnef-text", "winmail.dat holding a text file", [("report.txt", b"TNEF-TOKEN the report\r\n")],
          [("present", {"pattern": "TNEF-TOKEN"})])
tnef_case("tnef-pdf", "winmail.dat holding a PDF", [("report.pdf", PDF)],
          [("delivered", {"name": "report.pdf", "magic": "application/pdf"})])
tnef_case("tnef-exe", "winmail.dat holding an executable and a text file",
          [("notes.txt", b"TNEF-TOKEN notes\r\n"), ("setup.exe", EXE)],
          [("present", {"pattern": "TNEF-TOKEN"}), ("listed", {"name": "setup.exe"}),
           ("not_delivered", {"name": "setup.exe*"})])
tnef_case("tnef-hta", "winmail.dat holding an HTA", [("run.hta", HTA), ("notes.txt", b"TNEF-TOKEN\r\n")],
          [("inert", {"pattern": "WScript.Shell"}), ("present", {"pattern": "TNEF-TOKEN"})])
tnef_case("tnef-zip-hta", "winmail.dat holding a zip holding an HTA",
          [("bundle.zip", H.zip_bytes([("run.hta", HTA), ("notes.txt", b"TNEF-TOKEN\r\n")]))],
          [("inert", {"pattern": "WScript.Shell"}), ("present", {"pattern": "TNEF-TOKEN"})])
tnef_case("tnef-vnd", "winmail.dat declared application/vnd.ms-tnef", [("report.txt", b"TNEF-TOKEN\r\n")],
          [("present", {"pattern": "TNEF-TOKEN"})], ctype="application/vnd.ms-tnef")
tnef_case("tnef-octet", "winmail.dat declared application/octet-stream", [("report.txt", b"TNEF-TOKEN\r\n")],
          [("present", {"pattern": "TNEF-TOKEN"})], ctype="application/octet-stream")
tnef_case("tnef-body", "winmail.dat with a text body and no attachment", [],
          [("present", {"pattern": "TNEF-BODY-TOKEN"})], body="TNEF-BODY-TOKEN the body\r\n")
tnef_case("tnef-japanese-name", "winmail.dat holding a file with a Japanese (CP932) name",
          [("報告書.txt".encode("cp932"), "TNEF-TOKEN 報告\r\n".encode("cp932"))],
          [("present", {"pattern": "TNEF-TOKEN"})])
_bad = bytearray(H.tnef([("report.txt", b"TNEF-TOKEN a damaged stream\r\n")]))
_bad[_bad.index(b"TNEF-TOKEN") + 3] ^= 0x20  # checksum mismatch: libytnef complains on standard output
tnef_case("tnef-checksum", "winmail.dat whose attribute checksum is wrong (libytnef complains on stdout)", [],
          [("listed", {"name": "winmail.dat"})], raw=bytes(_bad))
_cut = H.tnef([("report.txt", b"TNEF-TOKEN a cut stream\r\n"), ("more.txt", b"MORE\r\n")])
tnef_case("tnef-truncated", "winmail.dat cut in the middle of an attribute", [], [("listed", {"name": "winmail.dat"})],
          raw=_cut[:-20])
s.case("tnef-eicar", TN, "winmail.dat holding EICAR",
       H.message(H.multipart("mixed", [BODY, H.leaf("application/ms-tnef", H.tnef([("e.com", H.eicar())]),
                                                     filename="winmail.dat")]), s.msgid("tnef-eicar")),
       [("verdict", {"is": "reject", "code": "550"})])

# encoded message/rfc822
RF = "6-rfc822-encoded"
INNER = H.inner_message(H.multipart("mixed", [
    H.text("INNER-TOKEN the forwarded text\n"),
    H.text("<html><body><p>INNER-HTML-TOKEN</p><script>document.location='http://x.example.invalid/'</script>"
           "</body></html>\n", ctype="text/html; charset=utf-8", filename="page.html"),
    H.leaf("application/hta", HTA, filename="run.hta"),
    H.leaf("application/pdf", PDF, filename="inner.pdf")], boundary="inner"))
RCHECKS = [("present", {"pattern": "INNER-TOKEN"}), ("absent", {"pattern": "document.location"}),
           ("inert", {"pattern": "WScript.Shell"}), ("delivered", {"name": "inner.pdf", "magic": "application/pdf"})]
for cte in ("base64", "quoted-printable", "7bit", "8bit"):
    add("rfc822-" + cte, RF, "a forwarded message/rfc822 with Content-Transfer-Encoding: %s" % cte,
        [H.rfc822(INNER, cte=cte, filename="forward.eml")], RCHECKS)
add("rfc822-b64-inline", RF, "a base64 message/rfc822 shown inline", [H.rfc822(INNER, cte="base64",
                                                                              disposition="inline")], RCHECKS)
add("rfc822-b64-nested", RF, "a base64 message/rfc822 inside a base64 message/rfc822",
    [H.rfc822(H.inner_message(H.multipart("mixed", [H.text("outer forward\n"), H.rfc822(INNER, cte="base64")],
                                          boundary="mid")), cte="base64")], RCHECKS)
add("rfc822-global-b64", RF, "message/global (RFC 6532) in base64",
    [H.rfc822(INNER, cte="base64", ctype="message/global")], RCHECKS)
add("rfc822-octet-eml", RF, "a forwarded message declared application/octet-stream, named .eml",
    [H.leaf("application/octet-stream", INNER, filename="forward.eml")], RCHECKS)
s.case("rfc822-b64-eicar", RF, "EICAR in a base64 message/rfc822",
       H.message(H.multipart("mixed", [BODY, H.rfc822(H.inner_message(H.multipart("mixed", [
           H.text("x\n"), H.leaf("application/octet-stream", H.eicar(), filename="e.com")], boundary="in")),
           cte="base64")]), s.msgid("rfc822-b64-eicar")), [("verdict", {"is": "reject", "code": "550"})])

# RAR
RA = "6-rar"
for ver, fn in (("rar4", H.rar4), ("rar5", H.rar5)):
    add(ver + "-text", RA, "a %s archive holding a text file" % ver,
        [H.leaf("application/x-rar-compressed", fn([("notes.txt", b"RAR-TOKEN notes\r\n")]), filename="docs.rar")],
        [("present", {"pattern": "RAR-TOKEN"})])
    add(ver + "-mixed", RA, "a %s archive holding text, PDF, HTA and an executable" % ver,
        [H.leaf("application/vnd.rar", fn([("notes.txt", b"RAR-TOKEN\r\n"), ("report.pdf", PDF), ("run.hta", HTA),
                                            ("setup.exe", EXE)]), filename="docs.rar")],
        [("present", {"pattern": "RAR-TOKEN"}), ("inert", {"pattern": "WScript.Shell"}),
         ("listed", {"name": "setup.exe"}), ("delivered", {"name": "*report.pdf", "magic": "application/pdf"})])
    s.case(ver + "-eicar", RA, "EICAR inside a %s archive" % ver,
           H.message(H.multipart("mixed", [BODY, H.leaf("application/x-rar", fn([("e.com", H.eicar())]),
                                                        filename="e.rar")]), s.msgid(ver + "-eicar")),
           [("verdict", {"is": "reject", "code": "550"})])
add("rar4-octet", RA, "a RAR declared application/octet-stream",
    [H.leaf("application/octet-stream", H.rar4([("notes.txt", b"RAR-TOKEN\r\n")]), filename="docs.rar")],
    [("present", {"pattern": "RAR-TOKEN"})])
add("rar4-japanese", RA, "a RAR holding a file with a Japanese name",
    [H.leaf("application/x-rar", H.rar4([("報告書.txt", "RAR-TOKEN 報告\r\n".encode("utf-8"))]), filename="j.rar")],
    [("present", {"pattern": "RAR-TOKEN"})])
add("rar4-in-zip", RA, "a RAR inside a zip",
    [H.leaf("application/zip", H.zip_bytes([("inner.rar", H.rar4([("notes.txt", b"RAR-TOKEN\r\n"),
                                                                  ("run.hta", HTA)]))]), filename="outer.zip")],
    [("present", {"pattern": "RAR-TOKEN"}), ("inert", {"pattern": "WScript.Shell"})])
add("zip-in-rar", RA, "a zip inside a RAR",
    [H.leaf("application/x-rar", H.rar4([("inner.zip", H.zip_bytes([("notes.txt", b"RAR-TOKEN\r\n"),
                                                                    ("run.hta", HTA)]))]), filename="outer.rar")],
    [("present", {"pattern": "RAR-TOKEN"}), ("inert", {"pattern": "WScript.Shell"})])

# plain passive attachments that must survive untouched in meaning
PA = "6-passive"
add("sjis-text-attachment", PA, "a Shift_JIS text attachment",
    [H.leaf("text/plain; charset=shift_jis", "会議の資料です\r\n".encode("cp932"), filename="資料.txt")],
    [("present", {"pattern": "会議の資料です"})])
add("pdf-and-png", PA, "a PDF and a PNG", [H.leaf("application/pdf", PDF, filename="a.pdf"),
                                          H.leaf("image/png", H.PNG, filename="b.png")],
    [("delivered", {"name": "a.pdf", "magic": "application/pdf"}), ("delivered", {"name": "b.png",
                                                                                  "magic": "image/png"})])
add("inline-named-txt", PA, "an inline text part named notes.txt",
    [H.leaf("text/plain; charset=utf-8", "Inline notes PASSIVE-TOKEN\n", filename="notes.txt", disposition="inline",
            cte="8bit")], [("present", {"pattern": "PASSIVE-TOKEN"})])

sys.exit(s.main())
