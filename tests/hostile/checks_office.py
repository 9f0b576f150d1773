"""Checks for rebuilt documents (issue 12, families 4-9): the delivered
bytes read by tests/cdr/check_hostile.py, which shares no code with
mugaika (zipfile, ElementTree, csv, its own RTF decoder)."""
import os
import sys

from hostile import check

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cdr"))
import check_hostile  # noqa: E402

OLE = bytes.fromhex("d0cf11e0a1b11ae1")


def _document(f):
    """A delivered file that check_hostile.py reads: a package, RTF, a
    compound file, or a CSV by name or type."""
    d = f.data or b""
    if d.startswith(b"PK\x03\x04") and not f.opened:
        return True  # an OOXML or ODF package (zip archives are opened into members instead)
    if d.startswith(b"PK\x03\x04"):
        return (f.filename or "").lower().endswith((".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"))
    if d.lstrip().startswith(b"{\\rtf") or d.startswith(OLE):
        return True
    return (f.filename or "").lower().endswith(".csv") or (f.ctype or "").startswith("text/csv")


@check("office_inert")
def office_inert(ctx, expect=None, **args):
    """No field, macro part, OLE object, script link, formula cell or legacy
    compound document in any delivered document, at any depth; with
    `expect`, some delivered document still shows that text (decoded:
    package members inflated, RTF escapes read)."""
    problems, seen = [], False
    for f in ctx.files():
        if f.body or not _document(f):
            continue
        for finding in check_hostile.findings(f.data):
            problems.append("%s: %s" % (f.describe(), finding))
        seen = seen or (expect is not None and not check_hostile.findings(f.data, expect))
    if expect is not None and not seen:
        problems.append("no delivered document shows %r" % expect)
    return problems


@check("office_no_legacy", default=True)
def office_no_legacy(ctx, **args):
    """A legacy Word/Excel/PowerPoint compound file is never delivered (it
    cannot be rebuilt or shown passive)."""
    return ["legacy Office document delivered: %s" % f.describe() for f in ctx.files()
            if (f.data or b"").startswith(OLE) and (f.magic or "").startswith(("application/msword",
                                                                             "application/vnd.ms-excel",
                                                                             "application/vnd.ms-powerpoint"))]


@check("office_no_vba", default=True)
def office_no_vba(ctx, **args):
    """No VBA project in a delivered package, whatever its part name."""
    problems = []
    for f in ctx.files():
        d = f.data or b""
        if d.startswith(b"PK\x03\x04"):
            for finding in check_hostile.zip_findings(d):
                if "vbaproject" in finding.lower() or "macro content type" in finding:
                    problems.append("%s: %s" % (f.describe(), finding))
    return problems
