#!/usr/bin/env python3
"""Look for active content in a file that mugaika delivered or rebuilt,
with readers that share no code with mugaika (zipfile, ElementTree, csv,
a small RTF decoder written here).

Usage: check_hostile.py FILE [EXPECT]
  FILE    the delivered bytes
  EXPECT  text that must still be in the file after decoding (the
          visible content that a rebuild keeps), optional
Prints one line per finding and exits 1 when there is any, 0 otherwise.

As a module: findings(data, expect=None) -> list of strings.
"""
import csv
import io
import posixpath
import re
import sys
import xml.etree.ElementTree as ET
import zipfile

# Field names that fetch, run or build something (any case).
RISKY_FIELDS = re.compile(r"\b(DDE|DDEAUTO|INCLUDEPICTURE|INCLUDETEXT|INCLUDE|IMPORT|LINK|QUOTE|EMBED|"
                          r"MACROBUTTON|DATABASE|PRINT)\b", re.I)
FORMULA_START = "=+-@\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66"
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
PR = "{http://schemas.openxmlformats.org/package/2006/relationships}"
XLINK = "{http://www.w3.org/1999/xlink}href"
ACTIVE_RELS = ("vbaproject", "wordvbadata", "oleobject", "package", "control", "activexcontrol", "attachedtemplate",
               "externallink", "extensibility", "xlmacrosheet", "xlintlmacrosheet", "afchunk", "connections",
               "querytable", "subdocument", "frame")
WEB = ("http://", "https://", "mailto:")


def local(tag):
    return tag.rsplit("}", 1)[-1]


def field_codes(root):
    """Field codes of a WordprocessingML part: fldSimple instr and complex
    fields (instrText between begin and separate, nested ones flattened)."""
    out = []
    for e in root.iter():
        if local(e.tag) == "fldSimple":
            for k, v in e.attrib.items():
                if local(k) == "instr":
                    out.append(v)
    depth, cur = 0, []
    for e in root.iter():
        name = local(e.tag)
        kind = next((v for k, v in e.attrib.items() if local(k) == "fldCharType"), None)
        if name == "fldChar" and kind == "begin":
            depth += 1
            cur.append("")
        elif name == "fldChar" and kind in ("separate", "end") and cur:
            out.append(cur.pop())
        elif name in ("instrText", "delInstrText", "t") and cur:
            cur[-1] += e.text or ""  # text runs inside a field code count as code
    return out + cur


def zip_findings(data):
    f = []
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        return ["unreadable ZIP: %s" % e]
    names = z.namelist()
    for n in names:
        low = n.lower()
        body = z.read(n)
        if body.startswith(OLE_MAGIC):
            f.append("%s: compound file (OLE) inside the package" % n)
        if any(w in low for w in ("vbaproject", "activex", "embeddings", "macrosheets", "basic/", "scripts/",
                                  "objectreplacements")) or re.match(r"(.*/)?object \d+$", low):
            f.append("%s: active part kept" % n)
        if not (low.endswith(".xml") or low.endswith(".rels")):
            continue
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            f.append("%s: not well-formed XML" % n)
            continue
        f += xml_findings(n, root)
    return f


def xml_findings(n, root):
    f = []
    for code in field_codes(root):
        if RISKY_FIELDS.match(code.strip()) or RISKY_FIELDS.search(code.split("\\")[0][:40] if code else ""):
            f.append("%s: field %r" % (n, code.strip()[:60]))
    if n.endswith(".rels"):
        for r in root.iter(PR + "Relationship"):
            typ = (r.get("Type") or "").rsplit("/", 1)[-1].lower()
            tgt = r.get("Target") or ""
            if typ in ACTIVE_RELS:
                f.append("%s: relationship %s" % (n, typ))
            if r.get("TargetMode") == "External" and not tgt.lower().startswith(WEB):
                f.append("%s: external relationship to %s" % (n, tgt))
    if n == "[Content_Types].xml" and re.search(r"macroenabled|vbaproject", ET.tostring(root).decode(), re.I):
        f.append("[Content_Types].xml: macro content type")
    for e in root.iter():
        name = local(e.tag)
        if name in ("event-listeners", "event-listener", "scripts", "script", "object-ole", "applet", "plugin"):
            f.append("%s: <%s>" % (n, name))
        href = e.get(XLINK) or ""
        if href.lower().startswith(("vnd.sun.star.script", "macro:", "file:", "\\\\")):
            f.append("%s: link %s" % (n, href))
        action = e.get("action") or ""
        if action.lower().startswith(("ppaction://macro", "ppaction://program", "ppaction://ole")):
            f.append("%s: action %s" % (n, action))
        if name in ("updateFields", "mailMerge", "attachedTemplate"):
            f.append("%s: <%s>" % (n, name))
        if name == "definedName" and "auto_" in (e.get("name") or "").lower():
            f.append("%s: defined name %s" % (n, e.get("name")))
    return f


def rtf_decode(data):
    """Text of an RTF file with \\'hh, \\uN (and their fallbacks) decoded,
    control words as '\\word' (lower case), groups as { }."""
    s = data.decode("latin-1")
    out, i, uc, skip = [], 0, 1, 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            m = re.match(r"\\([a-zA-Z]+)(-?\d+)? ?", s[i:])
            if m:
                word, num = m.group(1).lower(), m.group(2)
                i += m.end()
                if word == "u" and num is not None:
                    out.append(chr(int(num) % 65536))
                    skip = uc
                elif word == "uc" and num is not None:
                    uc = int(num)
                else:
                    out.append("\\%s " % word)
                continue
            if s[i + 1] == "'" and i + 3 < len(s) + 1:
                ch = chr(int(s[i + 2:i + 4], 16)) if re.match(r"[0-9a-fA-F]{2}", s[i + 2:i + 4]) else ""
                i += 4
                if skip:
                    skip -= 1
                else:
                    out.append(ch)
                continue
            out.append(s[i + 1])
            i += 2
            continue
        if skip and c not in "{}":
            skip -= 1
        else:
            out.append(c)
        i += 1
    return "".join(out)


def rtf_findings(data):
    f = []
    text = rtf_decode(data)
    for w in re.findall(r"\\(obj[a-z]*|template|datastore|mmconnectstr|mmdatasource) ", text):
        f.append("RTF control word \\%s" % w)
    for m in re.finditer(r"\\fldinst (.{0,80})", text, re.S):
        code = re.sub(r"\\[a-z]+ |[{}]", "", m.group(1)).strip()
        if RISKY_FIELDS.match(code) or code.upper().startswith("\\FIELD"):
            f.append("RTF field %r" % code[:40])
    if re.search(r"\\fldinst [^}]*\\field ", text):
        f.append("RTF field code built by a nested field")
    return f


def csv_findings(data):
    f = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ["CSV is not UTF-8"]
    for delim in (",", ";", "\t"):
        rows = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"), newline=""),
                          delimiter=delim)
        for row in rows:
            for cell in row:
                v = cell.lstrip(" \t\u3000\"")
                if v and v[0] in FORMULA_START and not re.fullmatch(r"[-+]?[\d.,]+", v):
                    f.append("CSV cell %r (delimiter %r)" % (cell[:30], delim))
    return sorted(set(f))


def findings(data, expect=None):
    if data.startswith(b"PK\x03\x04"):
        f = zip_findings(data)
        shown = b"".join(zipfile.ZipFile(io.BytesIO(data)).read(n) for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    elif data.lstrip().startswith(b"{\\rtf"):
        f = rtf_findings(data)
        shown = rtf_decode(data).encode("utf-8")
    elif data.startswith(OLE_MAGIC):
        f, shown = ["legacy compound file delivered"], b""
    else:
        f = csv_findings(data)
        shown = data
    if expect and expect.encode("utf-8") not in shown:
        f.append("expected content %r is gone" % expect)
    return f


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 64
    with open(argv[1], "rb") as fh:
        data = fh.read()
    f = findings(data, argv[2] if len(argv) > 2 else None)
    for line in f:
        print("%s: %s" % (posixpath.basename(argv[1]), line))
    return 1 if f else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
