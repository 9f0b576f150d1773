#!/usr/bin/env python3
"""Issue 12, families 4-9 and Deliver 5: the rebuilders work from an
allowlist, and HTML parse time is bounded.

Every hostile file of tests/cdr/gen_hostile.py (OOXML with the main part
moved or a decoy main type, fields in headers and built by QUOTE, ODF OLE
objects of any name and macro links, RTF with escaped or late control
words, CSV with sep=, bare CR and Shift_JIS full-width signs, legacy Word
documents with DDE, remote links and renamed VBA) is sent as an
attachment, inside a zip and inside a forwarded message.  The delivered
bytes are read back by checks_office.py (office_inert: the independent
reader tests/cdr/check_hostile.py on each delivered file) and the visible
text must survive; legacy documents must be removed and named in the
notice.  The HTML cases put 400,000 attributes on one element and 200,000
open elements in the body and in an attachment: a final answer, the text
kept.
"""
import os
import sys

import hostile as H

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cdr"))
import gen_hostile as G  # noqa: E402

s = H.Suite("gen_rebuild")

# sample -> (family, visible text that must survive or None when removed, declared type)
SAMPLES = {
    "moved-main.docx": ("5-ooxml-fields", "visible-text-before", "application/vnd.openxmlformats-officedocument"
                        ".wordprocessingml.document"),
    "moved-root.docx": ("5-ooxml-fields", "visible-text-after", "application/octet-stream"),
    "quote-dde.docx": ("5-ooxml-fields", "quote-text", "application/msword"),
    "unknown-part.docx": ("4-ooxml-allowlist", "unknown-part-text", "application/octet-stream"),
    "actions.pptx": ("4-ooxml-allowlist", "slide-text", "application/octet-stream"),
    "decoy-text.xlsm": ("4-macro-workbook", "decoy-cell", "application/vnd.ms-excel.sheet.macroEnabled.12"),
    "decoy-docx.xlsm": ("4-macro-workbook", "decoy-cell", "application/vnd.ms-excel"),
    "ole100.odt": ("7-odf", "ole100-text", "application/vnd.oasis.opendocument.text"),
    "script-links.odt": ("7-odf", "script-text", "application/octet-stream"),
    "esc-dde.rtf": ("6-rtf", "visible-rtf-text", "application/rtf"),
    "u-dde.rtf": ("6-rtf", "visible-rtf-text", "text/rtf"),
    "obj-late.rtf": ("6-rtf", "visible-rtf-text", "application/msword"),
    "template.rtf": ("6-rtf", "visible-rtf-text", "application/rtf"),
    "sep.csv": ("8-csv", "name;value", "text/csv"),
    "cr.csv": ("8-csv", None, "text/csv"),
    "sjis.csv": ("8-csv", None, "text/csv; charset=shift_jis"),
    "lead.csv": ("8-csv", "-12.5", "text/plain"),
    "tab-dde.doc": ("9-legacy-office", None, "application/msword"),
    "quote-dde.doc": ("9-legacy-office", None, "application/msword"),
    "incpic.doc": ("9-legacy-office", None, "application/msword"),
    "objpool.doc": ("9-legacy-office", None, "application/msword"),
    "embedded-docm.doc": ("9-legacy-office", None, "application/msword"),
    "plain.doc": ("9-legacy-office", None, "application/msword"),
    "noise.doc": ("9-legacy-office", None, "application/msword"),
    "pieces-dde.doc": ("9-legacy-office", None, "application/msword"),
    "binary.xlsb": ("4-ooxml-allowlist", None, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "fixed.xps": ("4-ooxml-allowlist", None, "application/octet-stream"),
}


def case_name(sample, how):
    return "%s-%s" % (how, sample.replace(".", "-").lower())


def checks_for(sample, visible):
    if sample.endswith(".doc"):
        return ["office_inert", ("not_delivered", {"magic": "application/msword"}), ("listed", {"name": sample})]
    if sample.endswith((".xlsb", ".xps")):  # no rebuilder: removed, and named in the notice
        return ["office_inert", ("listed", {"name": sample})]
    return [("office_inert", {"expect": visible})] if visible else ["office_inert"]


for sample, (family, visible, declared) in SAMPLES.items():
    fn, title = G.SAMPLES[sample]
    data = fn()
    body = H.text("rebuild-body-token\n")
    name = case_name(sample, "attach")
    s.case(name, family, "attached: " + title,
           H.message(H.multipart("mixed", [body, H.leaf(declared, data, filename=sample)]), s.msgid(name)),
           checks_for(sample, visible))
    name = case_name(sample, "zip")
    s.case(name, family, "inside a zip: " + title,
           H.message(H.multipart("mixed", [body, H.leaf("application/zip", H.zip_bytes([(sample, data)]),
                                                        filename="files.zip")]), s.msgid(name)),
           ["office_inert"])
    name = case_name(sample, "fwd")
    inner = H.inner_message(H.multipart("mixed", [H.text("inner body\n"), H.leaf(declared, data, filename=sample)]))
    s.case(name, family, "in a forwarded message: " + title,
           H.message(H.multipart("mixed", [body, H.rfc822(inner)]), s.msgid(name)), ["office_inert"])

ATTRS = G.SAMPLES["attrs.html"][0]()
NEST = G.SAMPLES["nest.html"][0]()
for tag, html, token in (("attrs", ATTRS, "attr-text"), ("nest", NEST, "nest-text")):
    name = "html-body-" + tag
    s.case(name, "deliver5-html-bound", "HTML body: " + G.SAMPLES[tag + ".html"][1],
           H.message(H.leaf("text/html; charset=utf-8", html, cte="base64"), s.msgid(name)),
           [("present", {"pattern": token})])
    name = "html-attachment-" + tag
    s.case(name, "deliver5-html-bound", "HTML attachment: " + G.SAMPLES[tag + ".html"][1],
           H.message(H.multipart("mixed", [H.text("html attachment body\n"),
                                           H.leaf("text/html", html, filename="page.html")]), s.msgid(name)),
           [("present", {"pattern": token})])

sys.exit(s.main())
