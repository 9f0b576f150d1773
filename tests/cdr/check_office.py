#!/usr/bin/env python3
"""Check a rebuilt OOXML file with independent readers (zipfile, ElementTree).

Usage: check_office.py FILE SAMPLE
SAMPLE is the generator name (macro.docm, template.docx ...) or "generic"
(structure only).  Prints one
line per failed check and exits 1 if any failed, 0 otherwise.
"""
import posixpath
import sys
import xml.etree.ElementTree as ET
import zipfile

PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def structural(z):
    check(z.testzip() is None, "CRC error in the rebuilt ZIP")
    names = set(z.namelist())
    parts = {}
    for n in names:
        if n.endswith(".xml") or n.endswith(".rels"):
            try:
                parts[n] = ET.fromstring(z.read(n))
            except ET.ParseError as e:
                failures.append("%s does not parse: %s" % (n, e))
    if "mimetype" in names:  # OpenDocument: every manifest entry exists
        man = parts.get("META-INF/manifest.xml")
        check(man is not None, "no META-INF/manifest.xml")
        for e in man.iter("{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}file-entry") if man is not None else []:
            p = e.get("{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}full-path")
            check(p == "/" or p.endswith("/") or p in names, "manifest entry for missing %s" % p)
        return names, parts
    ct = parts.get("[Content_Types].xml")
    check(ct is not None, "no [Content_Types].xml")
    if ct is not None:
        for o in ct.findall(CT + "Override"):
            check(o.get("PartName").lstrip("/") in names, "Override for missing part %s" % o.get("PartName"))
    for n, root in parts.items():
        if not n.endswith(".rels"):
            continue
        base = posixpath.dirname(posixpath.dirname(n))
        for r in root.findall(PR + "Relationship"):
            if r.get("TargetMode") == "External":
                continue
            t = r.get("Target")
            path = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join(base, t))
            check(path in names, "%s: relationship %s -> missing %s" % (n, r.get("Id"), path))
    return names, parts


def text_of(z, name):
    return z.read(name).decode("utf-8")


def all_text(z):
    return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def want_absent(names, needle):
    check(not any(needle.lower() in n.lower() for n in names), "part name containing %r still present" % needle)


def sample_checks(z, names, sample):
    everything = all_text(z)
    if sample == "macro.docm":
        for needle in ("vbaProject", "vbaData", "customUI"):
            want_absent(names, needle)
            check(needle not in everything, "%r still referenced" % needle)
        check("macroEnabled" not in text_of(z, "[Content_Types].xml"), "content type still macro-enabled")
        check("wordprocessingml.document.main+xml" in text_of(z, "[Content_Types].xml"), "main type not docx")
        doc = text_of(z, "word/document.xml")
        check("Hello macro document" in doc and "無害化" in doc, "text lost")
        check("cell-A1" in doc, "table lost")
        check("word/media/image1.png" in names, "image lost")
        check("https://www.example.org/" in everything, "hyperlink should stay")
    elif sample == "template.docx":
        check("attacker.example" not in everything, "remote template target still present")
        check("attachedTemplate" not in text_of(z, "word/settings.xml"), "attachedTemplate element still present")
        check("defaultTabStop" in text_of(z, "word/settings.xml"), "settings lost")
        doc = text_of(z, "word/document.xml")
        check("Remote template document" in doc, "text lost")
        check("calc.exe" not in everything, "file: hyperlink target kept")
        check("click-here" in doc, "text of the removed hyperlink lost")
        check(doc.count("hyperlink") == 2 and "https://www.example.org/page" in everything, "web hyperlink lost")
    elif sample == "dde.docx":
        doc = text_of(z, "word/document.xml")
        check("DDE" not in doc.upper().replace("ADDED", ""), "DDE field code still present")
        check("cmd.exe" not in doc, "DDE command still present")
        for s in ("simple-result", "complex-result", "PAGE", "Before the fields", "After the fields"):
            check(s in doc, "%r lost" % s)
    elif sample == "ole.docx":
        want_absent(names, "embeddings/")
        want_absent(names, "activeX")
        doc = text_of(z, "word/document.xml")
        check("OLEObject" not in doc and "control" not in doc, "object/control element still present")
        check("Text after the object" in doc, "text lost")
    elif sample == "macro.xlsm":
        for needle in ("vbaProject", "macrosheets", "externalLinks"):
            want_absent(names, needle)
        wb = text_of(z, "xl/workbook.xml")
        check("Macro1" not in wb and "externalReference" not in wb, "macro sheet / external reference kept")
        check('name="Data"' in wb, "data sheet lost")
        check("cell-data" in text_of(z, "xl/worksheets/sheet1.xml"), "cell lost")
        check("macroEnabled" not in text_of(z, "[Content_Types].xml"), "content type still macro-enabled")
        check("EXEC(" not in everything and "evil.xlsx" not in everything, "XLM or external link kept")
        check("query.example.invalid" not in everything and "connections.xml" not in everything,
              "external data connection kept")
    elif sample == "ole.pptx":
        want_absent(names, "embeddings/")
        slide = text_of(z, "ppt/slides/slide1.xml")
        check("oleObj" not in slide and "graphicFrame" not in slide, "OLE frame still present")
        check("calc.exe" not in everything and "hlinkClick" not in slide, "program action kept")
        check("slide-text" in slide, "slide text lost")
    elif sample == "macro.odt":
        infos = z.infolist()
        check(infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED,
              "mimetype is not the first, stored entry")
        for needle in ("Basic/", "Configurations2/", "Object 1", "ObjectReplacements/"):
            check(not any(n.startswith(needle) for n in names), "%r still present" % needle)
        content = text_of(z, "content.xml")
        for gone in ("vnd.sun.star.script", "event-listener", "object-ole", "section-source", "dde-connection",
                     "/etc/passwd"):
            check(gone not in content, "%r still in content.xml" % gone)
        for kept in ("odf-body-text", "macro-link-text", "web-link-text", "https://www.example.org/",
                     "section-text"):
            check(kept in content, "%r lost" % kept)
        man = text_of(z, "META-INF/manifest.xml")
        check("Basic/" not in man and '"Object 1"' not in man and "ObjectReplacements" not in man,
              "manifest lists removed files")
    elif sample != "generic":
        failures.append("unknown sample %s" % sample)


def main():
    path, sample = sys.argv[1], sys.argv[2]
    try:
        with zipfile.ZipFile(path) as z:
            names, _ = structural(z)
            sample_checks(z, names, sample)
    except zipfile.BadZipFile as e:
        failures.append("not a ZIP: %s" % e)
    for f in failures:
        print("%s: %s" % (sample, f))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
