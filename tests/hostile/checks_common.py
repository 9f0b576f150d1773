"""checks_common.py - the suite's invariants and the general named checks
(issue 12, helper `allow`).

Default checks (run on every case, see hostile.check):
  no_crash             exit status is one of accept/reject/tempfail, in time
  final_answer         never a temporary failure: every case is a property of
                       the message, which must get a final answer (Deliver 4)
  output_parses        the delivered message has MIME-Version and a top type
  types_allowlisted    every delivered part has a type mugaika can build
  magic_agrees         libmagic's type of the delivered bytes fits that type
  text_charset         text goes out as utf-8 (or iso-2022-jp) and decodes
  names_allowlisted    every name (parts and archive members) has an
                       extension from the allowlist of its type
  headers_allowlisted  parts carry only the fields and parameters mugaika writes
  no_eicar             no delivered file holds the EICAR string
  notice_lists_changes every part not delivered as it came is named in the
                       notice, with the objects removed inside it

Named checks (a case asks for them in its expect.json):
  verdict, absent, inert, present, delivered, not_delivered, listed,
  accounted, report_action
"""
import fnmatch
import re
import unicodedata

from hostile import EICAR_TAIL, check

# Output type -> file name extensions allowed for it.  The same allowlist
# mugaika applies (issue 12, Deliver 1): a delivered name keeps its stem,
# its last extension is one of these.
OOXML = "application/vnd.openxmlformats-officedocument."
OUTPUT_EXT = {
    "text/plain": {"txt"},
    "text/csv": {"csv"},
    "text/rtf": {"rtf"},
    "application/rtf": {"rtf"},
    "application/pdf": {"pdf"},
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg", "jpe"},
    "image/gif": {"gif"},
    "image/bmp": {"bmp"},
    "image/tiff": {"tif", "tiff"},
    "image/webp": {"webp"},
    "application/zip": {"zip"},
    OOXML + "wordprocessingml.document": {"docx"},
    OOXML + "wordprocessingml.template": {"dotx"},
    OOXML + "spreadsheetml.sheet": {"xlsx"},
    OOXML + "spreadsheetml.template": {"xltx"},
    OOXML + "presentationml.presentation": {"pptx"},
    OOXML + "presentationml.slideshow": {"ppsx"},
    OOXML + "presentationml.template": {"potx"},
    "application/vnd.oasis.opendocument.text": {"odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {"ods"},
    "application/vnd.oasis.opendocument.presentation": {"odp"},
    "application/vnd.oasis.opendocument.graphics": {"odg"},
    "application/msword": {"doc"},
    "application/vnd.ms-excel": {"xls"},
    "application/vnd.ms-powerpoint": {"ppt"},
}
CONTAINER_TYPES = {"multipart/mixed", "message/rfc822"}

# Delivered type -> what libmagic may call those bytes.
ZIPPISH = {"application/zip", "application/octet-stream"}
OLE = {"application/x-ole-storage", "application/cdfv2", "application/octet-stream"}
MAGIC_OK = {
    "text/csv": {"text/csv", "text/plain", "application/csv", "inode/x-empty", "application/x-empty"},
    "text/rtf": {"text/rtf"},
    "application/rtf": {"text/rtf"},
    "application/pdf": {"application/pdf"},
    "application/zip": {"application/zip"},
    "application/msword": OLE | {"application/msword"},
    "application/vnd.ms-excel": OLE | {"application/vnd.ms-excel"},
    "application/vnd.ms-powerpoint": OLE | {"application/vnd.ms-powerpoint"},
}
# Never delivered, whatever the type says: content that renders or runs.
MAGIC_NEVER = {"image/svg+xml", "application/xhtml+xml", "text/x-msdos-batch", "application/x-dosexec",
               "application/x-executable", "application/javascript", "text/javascript", "application/hta"}


def magic_fits(ctype, magic, named=True):
    """Body text (no name) may look like anything textual; a file may not
    look like something that renders or runs."""
    if magic in MAGIC_NEVER and named:
        return False
    if ctype == "text/plain":
        return magic.startswith("text/") or magic in ("inode/x-empty", "application/x-empty")
    if ctype in MAGIC_OK:
        return magic in MAGIC_OK[ctype]
    if ctype.startswith("image/"):
        return magic == ctype or (ctype == "image/bmp" and magic == "image/x-ms-bmp")
    if ctype.startswith(OOXML) or ctype.startswith("application/vnd.oasis.opendocument."):
        return magic == ctype or magic in ZIPPISH
    return False


def member_allowed_ext(f):
    """Extensions an archive member with these bytes may carry."""
    m = f.magic
    if m in MAGIC_NEVER:
        return set()
    if m == "text/rtf":
        return {"rtf"}
    if m.startswith("text/") or m in ("application/csv", "inode/x-empty", "application/x-empty"):
        return {"txt", "csv"}  # csv: rebuilt by the CSV rebuilder, checked by its own cases
    if m in OUTPUT_EXT:
        return OUTPUT_EXT[m]
    if m == "image/x-ms-bmp":
        return {"bmp"}
    if m in ("application/x-ole-storage", "application/cdfv2"):
        return {"doc", "xls", "ppt"}
    if m in ZIPPISH and f.data[:4] == b"PK\x03\x04":  # a package libmagic cannot name
        return {e for t, es in OUTPUT_EXT.items() if t.startswith((OOXML, "application/vnd.oasis")) for e in es}
    return set()


def name_problem(name):
    for c in name:
        cat = unicodedata.category(c)
        if cat in ("Cc", "Cf"):  # control and format characters (bidi overrides, ZWJ...)
            return "control or format character U+%04X in name %r" % (ord(c), name)
    if name != name.strip() or name.endswith("."):
        return "name %r ends in a dot or white space (Windows drops them)" % name
    return None


@check("no_crash", default=True, when=("accept", "reject", "tempfail", "error", "timeout"))
def no_crash(ctx):
    """mugaika answered with accept, reject or tempfail, in time."""
    if ctx.verdict in ("error", "timeout"):
        return ["mugaika exited %s: %s" % (ctx.rc, ctx.stderr.strip()[-300:])]
    return []


@check("final_answer", default=True, when=("tempfail",))
def final_answer(ctx):
    """A property of the message gets a final answer, never 4xx."""
    return ["temporary failure for a property of the message: %s" % ctx.smtp]


# What Python's email parser says about broken structure (a header field
# the sender wrote badly is not counted: it is copied, not built).
MIME_STRUCTURE_DEFECTS = ("StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect",
                          "MultipartInvariantViolationDefect", "NoBoundaryInMultipartDefect",
                          "InvalidMultipartContentTransferEncodingDefect")


def _inner_fields(inner):
    """An attached message's header fields are written by mugaika: each
    must read as a field (corpus sweep: a UTF-8 BOM before the first field
    name was copied, and the forwarded message lost all its fields)."""
    probs = []
    if any(type(x).__name__ == "MissingHeaderBodySeparatorDefect" for x in inner.defects):
        probs.append("attached message: a line in its header block is not a field")
    for k in inner.keys():
        if not k or any(ord(c) < 33 or ord(c) > 126 or c == ":" for c in k):
            probs.append("attached message: field name %r" % k)
    return probs


@check("output_parses", default=True)
def output_parses(ctx):
    d, probs = ctx.delivered, []
    if d.msg.get("MIME-Version") is None:
        probs.append("no MIME-Version in the delivered message")
    if d.msg.get("Content-Type") is None:
        probs.append("no Content-Type in the delivered message")
    if not d.leaves:
        probs.append("delivered message has no leaf part")
    # corpus sweep (stalwart rfc/000.eml): a multipart whose parts were all
    # removed went out as a multipart with no body part at all, which
    # RFC 2046 does not allow and parsers read as a broken boundary
    for part in d.msg.walk():
        for defect in getattr(part, "defects", []):
            if type(defect).__name__ in MIME_STRUCTURE_DEFECTS:
                probs.append("delivered %s: %s" % (part.get_content_type(), type(defect).__name__))
        if part.get_content_type() == "message/rfc822" and part.is_multipart():
            probs += _inner_fields(part.get_payload(0))
    first_in = ctx.input.split(b"\n", 1)[0].rstrip(b"\r")
    first_out = ctx.out.split(b"\n", 1)[0].rstrip(b"\r")
    # (a bare CR in it: the MTA may rewrite the field before mugaika sees it)
    if first_in.lower().startswith(b"from:") and b"\r" not in first_in and first_out != first_in:
        probs.append("delivered message starts with %r, not with the sender's first field" % first_out[:60])
    return probs


@check("types_allowlisted", default=True)
def types_allowlisted(ctx):
    """Every delivered part has a type from mugaika's output list."""
    probs = []
    for path, ct in ctx.delivered.containers:
        if ct not in CONTAINER_TYPES:
            probs.append("container %s delivered as %s" % (path, ct))
    for f in ctx.delivered.leaves:
        if f.ctype not in OUTPUT_EXT:
            probs.append("part %s (%s) delivered as %s" % (f.path, f.filename or "no name", f.ctype))
    return probs


@check("magic_agrees", default=True)
def magic_agrees(ctx):
    """libmagic's type of each delivered part fits the type it is sent as."""
    return ["part %s (%s) sent as %s but libmagic says %s" % (f.path, f.filename or "no name", f.ctype, f.magic)
            for f in ctx.delivered.leaves
            if f.ctype in OUTPUT_EXT and not magic_fits(f.ctype, f.magic, named=f.filename is not None)]


@check("text_charset", default=True)
def text_charset(ctx):
    """Text parts carry a charset mugaika chose (utf-8 / iso-2022-jp) and decode in it."""
    probs = []
    for f in ctx.delivered.leaves:
        if not f.ctype.startswith("text/"):
            continue
        cs = (f.params.get("charset") or "").lower()
        if cs not in ("utf-8", "iso-2022-jp", "us-ascii"):
            probs.append("text part %s (%s) has charset %r" % (f.path, f.filename or "no name", cs or None))
            continue
        try:
            f.data.decode(cs)
        except (UnicodeDecodeError, LookupError) as e:
            probs.append("text part %s does not decode as %s: %s" % (f.path, cs, e))
    return probs


@check("names_allowlisted", default=True)
def names_allowlisted(ctx):
    """Every delivered name carries an extension allowed for its type."""
    probs, seen = [], set()
    for f in ctx.files():
        if f.kind == "member":
            key = (f.parent.path, f.filename.casefold())
            if key in seen:
                probs.append("two members of %s are named %r (Windows folds case)" % (f.parent.path, f.filename))
            seen.add(key)
        if f.filename is None:
            if f.kind == "leaf" and not f.body and f.ctype != "text/plain":
                probs.append("part %s (%s) has no file name" % (f.path, f.ctype))
            continue
        p = name_problem(f.filename)
        if p:
            probs.append("%s: %s" % (f.path, p))
            continue
        if f.kind == "leaf":
            allowed = OUTPUT_EXT.get(f.ctype, set())
        else:
            allowed = member_allowed_ext(f)
            n = f.filename
            if n.startswith("/") or "\\" in n or ".." in n.split("/") or re.match(r"^[A-Za-z]:", n):
                probs.append("member path %r escapes the archive" % n)
            if not f.utf8_flag and not n.isascii():
                probs.append("member name %r is not marked UTF-8" % n)
        if f.ext() not in allowed:
            probs.append("%s delivered with name %r (extension %r; allowed for %s: %s)" %
                         (f.path, f.filename, f.ext(), f.ctype if f.kind == "leaf" else f.magic,
                          ", ".join(sorted(allowed)) or "none"))
    return probs


# Header fields and parameters mugaika writes on a part it built.
PART_FIELDS = {"content-type", "content-disposition", "content-transfer-encoding", "content-description", "mime-version"}
CT_PARAMS = {"charset", "name", "format", "delsp"}
DISP_PARAMS = {"filename", "size"}


@check("headers_allowlisted", default=True)
def headers_allowlisted(ctx):
    """A delivered part carries only the fields and parameters mugaika writes."""
    probs = []
    for f in ctx.delivered.leaves:
        path = f.path
        for k, _ in f.headers:
            if f.msg_root and not k.lower().startswith("content-"):
                continue  # the leaf is a whole message's body: these are the message's fields
            if k.lower() not in PART_FIELDS:
                probs.append("part %s carries the sender's %s field" % (path, k))
        extra = set(f.params) - CT_PARAMS
        if extra:
            probs.append("part %s Content-Type has parameters %s" % (path, ", ".join(sorted(extra))))
        extra = {k.split("*")[0] for k in f.disp_params} - DISP_PARAMS
        if extra:
            probs.append("part %s Content-Disposition has parameters %s" % (path, ", ".join(sorted(extra))))
    return probs


@check("no_eicar", default=True)
def no_eicar(ctx):
    return ["EICAR test string delivered in %s" % f.describe() for f in ctx.files() if EICAR_TAIL in f.data]


def _changed_parts(ctx):
    for p in ctx.report_parts():
        if p.get("action") in ("removed", "rebuilt", "converted") and p.get("filename"):
            yield p


@check("notice_lists_changes", default=True)
def notice_lists_changes(ctx):
    """Every part not delivered as it came is named in the notice, with the
    objects removed inside it; X-Mugaika-Actions is not 'none' then."""
    probs, notice = [], ctx.body_text()
    changed = False
    for p in ctx.report_parts():
        if p.get("action") != "kept":
            changed = True
    for p in _changed_parts(ctx):
        if p["filename"] not in notice:
            probs.append("%s %r (%s) is not named in the notice" % (p["action"], p["filename"], p["path"]))
        for obj in p.get("removed") or []:
            if obj not in notice:
                probs.append("object removed from %r not in the notice: %s" % (p["filename"], obj))
    actions = ctx.delivered.header("X-Mugaika-Actions")
    if changed and (actions is None or actions.strip() == "none"):
        probs.append("parts were changed but X-Mugaika-Actions is %r" % actions)
    return probs


# ---------------------------------------------------------------------------
# Named checks
# ---------------------------------------------------------------------------


@check("verdict", when=("accept", "reject", "tempfail", "error", "timeout"))
def verdict(ctx, **a):
    """is: accept|reject (or a list); code: the SMTP reply starts with it."""
    want = a.get("is")
    want = [want] if isinstance(want, str) else want
    probs = []
    if want and ctx.verdict not in want:
        probs.append("verdict %s (%s), wanted %s" % (ctx.verdict, ctx.smtp, "/".join(want)))
    if a.get("code") and ctx.verdict != "accept" and not (ctx.smtp or "").startswith(a["code"]):
        probs.append("reply %r does not start with %s" % (ctx.smtp, a["code"]))
    return probs


def _pattern(a):
    p = a["pattern"]
    flags = re.I if a.get("nocase", True) else 0
    return re.compile(p.encode("utf-8") if a.get("regex") else re.escape(p.encode("utf-8")), flags)


def _hits(ctx, a):
    """Delivered files holding the pattern (an archive that could be opened
    is searched through its members, not its raw bytes)."""
    rx = _pattern(a)
    return [f for f in ctx.files() if not f.opened and (rx.search(f.data) or (
        f.ctype and f.ctype.startswith("text/") and rx.search(f.text().encode("utf-8"))))]


@check("absent", when=("accept", "reject"))
def absent(ctx, **a):
    """pattern (text; regex=true for a regular expression) is in no delivered file."""
    return ["%r delivered in %s" % (a["pattern"], f.describe()) for f in _hits(ctx, a)]


def _inert_text(f):
    if f.kind == "leaf":
        return f.ctype == "text/plain" and (f.filename is None or f.ext() == "txt")
    return f.ext() == "txt" and f.magic.startswith("text/")


@check("inert", when=("accept", "reject"))
def inert(ctx, **a):
    """pattern may only be delivered as plain text (text/plain, .txt or no name)."""
    return ["%r delivered in %s, not as plain text" % (a["pattern"], f.describe())
            for f in _hits(ctx, a) if not _inert_text(f)]


@check("present")
def present(ctx, **a):
    """pattern is in some delivered file (content that must survive)."""
    return [] if _hits(ctx, a) else ["%r not delivered" % a["pattern"]]


def _match_file(f, a):
    if "name" in a and not (f.filename and fnmatch.fnmatch(f.filename.lower(), a["name"].lower())):
        return False
    if "ctype" in a and f.ctype != a["ctype"]:
        return False
    if "magic" in a and not fnmatch.fnmatch(f.magic or "", a["magic"]):
        return False
    if "kind" in a and f.kind != a["kind"]:
        return False
    return True


@check("delivered")
def delivered(ctx, **a):
    """some delivered file matches name (glob), ctype, magic (glob), kind."""
    return [] if any(_match_file(f, a) for f in ctx.files()) else ["no delivered file matches %s" % a]


@check("not_delivered", when=("accept", "reject"))
def not_delivered(ctx, **a):
    """no delivered file matches name (glob), ctype, magic (glob), kind."""
    return ["%s delivered (matches %s)" % (f.describe(), a) for f in ctx.files() if _match_file(f, a)]


@check("listed")
def listed(ctx, **a):
    """name appears in the notice and in the report (a part or a removed object)."""
    name, probs = a["name"], []
    if name not in ctx.body_text():
        probs.append("%r not named in the notice" % name)
    rep = any(name in (p.get("filename") or "") or any(name in o for o in p.get("removed") or [])
              for p in ctx.report_parts())
    if not rep:
        probs.append("%r not in the report" % name)
    return probs


@check("accounted", when=("accept", "reject"))
def accounted(ctx, **a):
    """parts: [{token, name?, declared?}]: each input part is delivered (its
    token is in a delivered file, or its name is a delivered name), or
    named in the notice (by name, or by its declared type when it has no
    name) and listed as removed in the report; a refusal accounts for all."""
    if ctx.verdict == "reject":
        return []
    probs, notice = [], ctx.body_text()
    names = [f.filename for f in ctx.files() if f.filename]
    for p in a["parts"]:
        if p.get("token") and _hits(ctx, {"pattern": p["token"]}):
            continue
        if p.get("name") and (any(p["name"] in n for n in names) or p["name"] in notice):
            continue
        if p.get("declared") and any(
                r.get("declared_type") == p["declared"] and r.get("action") == "removed" and
                (r.get("declared_type") in notice or (r.get("detected_type") or "-") in notice)
                for r in ctx.report_parts()):
            continue
        probs.append("part %s lost without notice" % (p.get("name") or p.get("declared") or p.get("token")))
    return probs


@check("report_action", when=("accept", "reject"))
def report_action(ctx, **a):
    """the report part named `name` has an action in `actions`."""
    ps = [p for p in ctx.report_parts() if p.get("filename") == a["name"]]
    if not ps:
        return ["no report part named %r" % a["name"]]
    return ["report part %r: action %s, wanted %s" % (a["name"], p.get("action"), a["actions"]) for p in ps
            if p.get("action") not in a["actions"]]
