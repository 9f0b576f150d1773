#!/usr/bin/env python3
"""Families 1 and 3 of issue 12: text that runs or opens something.

For every entry of hostile.ACTIVE_TEXT (scripts, and the formats that must
never be kept as text: SVG, XHTML, .iqy, .slk, .scf, .msc, .library-ms,
.appinstaller, .jnlp, .desktop, .rdp, ...), four messages:

  att-EXT     an attachment with its natural name and declared type
  plain-EXT   the same attachment declared text/plain
  inline-EXT  an inline text/plain part with the file name (family 1: it
              used to take the body path and keep name and script)
  zip-EXT     a member of a zip (members of rebuilt archives)

The marker of the active element must be absent from what is delivered
(strict formats), or delivered only as plain text under a .txt name
(classic scripts: x.hta may arrive as x.hta.txt); the name is listed in
the notice either way.
"""
import sys

import hostile as H

s = H.Suite("gen_activetext")
BODY = H.text("Please find the document attached.\n")


def expect(e, name, member=False):
    c = [("absent" if e["strict"] else "inert", {"pattern": e["marker"]})]
    c.append(("listed", {"name": name}))
    return c


for e in H.ACTIVE_TEXT:
    ext, name = e["ext"], "invoice." + e["ext"]
    n = "att-" + ext
    part = H.leaf(e["ctype"], e["data"], filename=name)
    s.case(n, "3-active-text", "%s attached as %s" % (name, e["ctype"]),
           H.message(H.multipart("mixed", [BODY, part]), s.msgid(n)), expect(e, name))

    n = "plain-" + ext
    part = H.leaf("text/plain; charset=utf-8", e["data"], filename=name)
    s.case(n, "2-declared-type", "%s attached, declared text/plain" % name,
           H.message(H.multipart("mixed", [BODY, part]), s.msgid(n)), expect(e, name))

    n = "inline-" + ext
    part = H.leaf("text/plain; charset=utf-8", e["data"], filename=name, disposition="inline", cte="8bit")
    s.case(n, "1-inline-name", "inline text/plain part named %s" % name,
           H.message(H.multipart("mixed", [BODY, part]), s.msgid(n)), expect(e, name))

    n = "zip-" + ext
    z = H.zip_bytes([("readme.txt", b"Documents for the meeting.\r\n"), (name, e["data"])])
    part = H.leaf("application/zip", z, filename="documents.zip")
    s.case(n, "3-active-text", "%s inside a zip" % name,
           H.message(H.multipart("mixed", [BODY, part]), s.msgid(n)),
           [("absent" if e["strict"] else "inert", {"pattern": e["marker"]}), ("listed", {"name": name}),
            ("present", {"pattern": "Documents for the meeting."})])

# The same formats written so that libmagic calls them text/plain (blank
# lines and a comment before the root element, no XML declaration): the
# extension or the content's own structure has to decide, not libmagic.
for e in H.ACTIVE_TEXT:
    if not e["strict"] or not e["data"].lstrip().startswith(b"<"):
        continue
    ext, name = e["ext"], "invoice." + e["ext"]
    body = e["data"]
    if body.startswith(b"<?xml"):
        body = body.split(b"?>", 1)[1].lstrip()
    data = b"\r\n\r\n<!-- invoice 2026-11 -->\r\n" + body
    n = "evade-" + ext
    part = H.leaf(e["ctype"], data, filename=name)
    s.case(n, "3-active-text", "%s attached as %s, written so libmagic says text/plain" % (name, e["ctype"]),
           H.message(H.multipart("mixed", [BODY, part]), s.msgid(n)), expect(e, name))
    n = "zipevade-" + ext
    z = H.zip_bytes([("readme.txt", b"Documents for the meeting.\r\n"), (name, data)])
    part = H.leaf("application/zip", z, filename="documents.zip")
    s.case(n, "3-active-text", "%s inside a zip, written so libmagic says text/plain" % name,
           H.message(H.multipart("mixed", [BODY, part]), s.msgid(n)),
           [("absent", {"pattern": e["marker"]}), ("listed", {"name": name}),
            ("present", {"pattern": "Documents for the meeting."})])

sys.exit(s.main())
