"""Check one delivered message against its case (issue 13).

What a reader sees is decoded here with jcodec (CP50220-aware, written
independently of mugaika); what a strict client needs is checked field by
field: printable ASCII only, lines <= 998 and folded under 78 where a fold
is possible, encoded words <= 75 characters that decode on their own,
names as RFC 2231 (cut on characters) plus an RFC 2047 name= in quotes.

check(case, delivered_bytes, report_text, mode) -> [(category, message)]
mode: {"charset": "utf-8" | "iso-2022-jp", "lang": "ja" | "en"}
"""
import base64
import email.utils
import quopri
import re
import unicodedata

import jcodec as J

ADDRESS_FIELDS = {"from", "to", "cc", "reply-to", "sender", "resent-from", "resent-to", "resent-cc",
                  "disposition-notification-to", "return-receipt-to"}


class Entity:
    def __init__(self, raw, depth=0, in_message=0):
        head, sep, body = raw.partition(b"\n\n")
        if not sep and raw.startswith(b"\n"):
            head, body = b"", raw[1:]
        self.head_lines = head.split(b"\n") if head else []
        self.body, self.children, self.depth, self.in_message = body, [], depth, in_message
        self.fields = []  # (name, value) unfolded, value as str (latin-1 for stray bytes)
        for line in self.head_lines:
            if line[:1] in (b" ", b"\t") and self.fields:
                n, v = self.fields[-1]
                self.fields[-1] = (n, v + " " + line.decode("latin-1").lstrip(" \t"))
            elif b":" in line:
                n, _, v = line.partition(b":")
                self.fields.append((n.decode("latin-1").strip(), v.decode("latin-1").strip(" \t")))
        ct = self.get("content-type") or "text/plain"
        self.ctype = ct.split(";")[0].strip().lower()
        self.params = J.params_parse(ct)
        if self.ctype.startswith("multipart/") and depth < 20:
            b = self.param("boundary")
            if b:
                parts = re.split(rb"(?m)^--" + re.escape(b.encode()) + rb"(?:--)?[ \t]*$\n?", body)
                for p in parts[1:-1]:
                    self.children.append(Entity(p, depth + 1, in_message))
        elif self.ctype == "message/rfc822" and depth < 20:
            self.children.append(Entity(self.decoded(), depth + 1, in_message + 1))

    def get(self, name):
        for n, v in self.fields:
            if n.lower() == name:
                return v
        return None

    def param(self, name, field=None):
        ps = self.params if field is None else J.params_parse(self.get(field) or "")
        for n, v, _ in ps:
            if n == name:
                return v
        return None

    def decoded(self):
        cte = (self.get("content-transfer-encoding") or "7bit").lower().strip()
        if cte == "base64":
            return base64.b64decode(re.sub(rb"[^A-Za-z0-9+/=]", b"", self.body) + b"===")
        if cte == "quoted-printable":
            return quopri.decodestring(self.body)
        return self.body[:-1] if self.body.endswith(b"\n") else self.body

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def filename_forms(self):
        return (self.get("content-disposition") or "", self.get("content-type") or "")


def norm(s):
    return J.fold_traps(s)


# ---------------------------------------------------------------- header validity

def check_header_block(ent, mode, fails, where):
    for line in ent.head_lines:
        if len(line) > 998:
            fails.append(("header-length", "%s: line of %d bytes" % (where, len(line))))
        bad = [c for c in line if not (0x20 <= c <= 0x7E or c == 0x09)]
        if bad:
            fails.append(("header-8bit", "%s: raw byte(s) %s in %r" % (where, " ".join("%02X" % c for c in bad[:6]),
                                                                        line[:60].decode("latin-1"))))
        if len(line) > 78:
            text = line.decode("latin-1")
            body = text.split(":", 1)[1] if not text[:1].isspace() and ":" in text else text
            if re.search(r"\S\s+\S", body.strip()):
                fails.append(("header-fold", "%s: %d-character line could be folded: %r" % (where, len(line), text[:70])))
    for name, value in ent.fields:
        check_field_words(name, value, mode, fails, where)


def check_field_words(name, value, mode, fails, where):
    words = list(J.EW_RE.finditer(value))
    charsets = set()
    for m in words:
        w = m.group(0)
        if len(w) > 75:
            fails.append(("ew-length", "%s %s: encoded word of %d characters" % (where, name, len(w))))
        cs = m.group(1).split("*")[0].lower()
        charsets.add(cs)
        try:
            text = J.decode_bytes(J.ew_payload(m.group(2), m.group(3)), cs, strict=True, need_ascii_end=True)
            if any(unicodedata.category(ch) == "Cc" for ch in text):
                fails.append(("ew-control", "%s %s: control character inside an encoded word" % (where, name)))
        except J.DecodeError as e:
            fails.append(("ew-standalone", "%s %s: word %s does not decode on its own (%s)" % (where, name, w[:40], e)))
    if not words:
        return
    try:
        text = J.decode_header_text(value, strict=True)
    except J.DecodeError:
        text = ""
    allowed = {"utf-8"} if mode["charset"] == "utf-8" else {"iso-2022-jp"}
    if mode["charset"] != "utf-8" and not J.jis_encodable(text):
        allowed.add("utf-8")
    if charsets - allowed - {"us-ascii"}:
        fails.append(("ew-charset", "%s %s: words in %s, mode %s" % (where, name, ",".join(sorted(charsets)), mode["charset"])))
    if name.lower() in ADDRESS_FIELDS and re.search(r'"[^"]*=\?[^"]*\?="', value):
        fails.append(("ew-quoted", "%s %s: encoded word inside a quoted string" % (where, name)))


# ---------------------------------------------------------------- decoded views

def field_text(ent, name):
    v = ent.get(name)
    if v is None:
        return None
    try:
        return J.decode_header_text(v, strict=False).strip()
    except J.DecodeError as e:
        return "<undecodable: %s>" % e


def display_names(ent, name):
    v = ent.get(name)
    if v is None:
        return []
    out = []
    for n, _ in email.utils.getaddresses([v]):
        try:
            out.append(J.decode_header_text(n, strict=False).strip())
        except J.DecodeError as e:
            out.append("<undecodable: %s>" % e)
    return out


def attachment_name(ent, fails, where):
    """The name a reader sees, after checking every form agrees."""
    cd = ent.get("content-disposition") or ""
    cdp = J.params_parse(cd)
    forms = {}
    try:
        segs = J.rfc2231_segments(cdp, "filename")
        if segs:
            cs, parts = segs
            forms["filename*"] = J.decode_bytes(b"".join(parts), cs, strict=True)
            if cs.lower() not in ("utf-8", "us-ascii"):
                fails.append(("name-charset", "%s: RFC 2231 name in %s" % (where, cs)))
            for p in parts:
                J.decode_bytes(p, cs, strict=True, need_ascii_end=True)
    except J.DecodeError as e:
        fails.append(("name-2231", "%s: RFC 2231 segment does not decode on its own (%s)" % (where, e)))
    for field, key in (("content-disposition", "filename"), ("content-type", "name")):
        for n, v, quoted in J.params_parse(ent.get(field) or ""):
            if n != key:
                continue
            if "=?" in v and not quoted:
                fails.append(("name-unquoted", "%s: %s= holds encoded words without quotes" % (where, key)))
            try:
                forms[key] = J.decode_header_text(v, strict=True)
            except J.DecodeError as e:
                fails.append(("name-2047", "%s: %s= does not decode (%s)" % (where, key, e)))
    if not forms:
        return None
    vals = set(norm(v) for v in forms.values())
    if len(vals) > 1:
        fails.append(("name-disagree", "%s: name forms disagree: %r" % (where, forms)))
    name = forms.get("filename*") or forms.get("filename") or forms.get("name")
    if any(ord(ch) > 0x7E for ch in name):
        if "filename*" not in forms:
            fails.append(("name-forms", "%s: %r has no RFC 2231 filename*" % (where, name)))
        if "name" not in forms or "=?" not in (ent.param("name") or ""):
            fails.append(("name-forms", "%s: %r has no RFC 2047 name= in Content-Type" % (where, name)))
    return name


def is_attachment(ent):
    cd = (ent.get("content-disposition") or "").lower()
    return cd.startswith("attachment") or ent.param("name") is not None or \
        any(n.startswith("filename") for n, _, _ in J.params_parse(ent.get("content-disposition") or ""))


def body_text(ent, mode, fails):
    cs = ent.param("charset") or "us-ascii"
    data = ent.decoded()
    try:
        text = J.decode_bytes(data, cs, strict=True)
    except J.DecodeError as e:
        fails.append(("body-decode", "body in %s does not decode: %s" % (cs, e)))
        text = J.decode_bytes(data, cs, strict=False)
    text = text.replace("\r\n", "\n")
    if (ent.param("format") or "").lower() == "flowed":
        text = J.flowed_decode(text, (ent.param("delsp") or "").lower() == "yes")
    want = "utf-8" if mode["charset"] == "utf-8" else "iso-2022-jp"
    if cs.lower() not in (want, "us-ascii") and not (want == "iso-2022-jp" and cs.lower() == "utf-8" and
                                                      not J.jis_encodable(text)):
        fails.append(("body-charset", "body delivered as %s in %s mode" % (cs, mode["charset"])))
    return text


# ---------------------------------------------------------------- notice

RULES = {"ja": "━", "en": "-"}


def notice_of(text, lang):
    lines = text.split("\n")
    rule = [i for i, line in enumerate(lines) if len(line) >= 20 and set(line) == {RULES[lang]}]
    if len(rule) < 2:
        return None
    return lines[rule[0] + 1:rule[1]]


ALLOWED_ASCII = {"uuencode", "BinHex", "yEnc", "mugaika", "Office", "macOS", "JavaScript", "ActiveX", "Excel", "Word"}


def case_names(case):
    """Every file name the case knows of (they may be shown in any language)."""
    ex = case.expect
    names = set(ex.get("atts", [])) | set(ex.get("removed", [])) | set(ex.get("names", []))
    for z, members in ex.get("zips", {}).items():
        names |= set(members)
    return {n for n in names if n}


def check_notice(case, notice, mode, fails):
    ex = case.expect
    text = "\n".join(notice)
    for n in ex.get("removed", []):
        if n not in text:
            fails.append(("notice-removed", "notice does not name removed %r" % n))
    for s in ex.get("notice_absent", []):
        if s in text:
            fails.append(("notice-absent", "notice mentions %r" % s))
    prev = ""
    for line in notice:
        if line.strip() and line == prev:
            fails.append(("notice-dup", "notice repeats the line %r" % line))
        m = re.match(r"\s*(?:理由|Reason)\s*[:：]\s*(.*)", line)
        v = m.group(1).strip() if m else ""
        if v and (v in ("kept", "rebuilt", "removed", "converted") or v in prev):
            fails.append(("notice-dup", "reason only repeats the line above: %r" % line))
        if line[:1].isspace() and not line.startswith("    ") or line.startswith("     "):
            fails.append(("notice-indent", "notice line indented by %d: %r" % (len(line) - len(line.lstrip()), line)))
        prev = line
    for n in sorted(case_names(case), key=len, reverse=True):
        text = text.replace(n, " ")
    scrub = re.sub(r"「[^」]*」|\"[^\"]*\"|-> *\S+|[\w.+-]+/[\w.+-]+|\d{8}T\d{6}Z-[0-9a-f]+|\d+(\.\d+)? ?(KB|MB|GB|B)\b", " ", text)
    if mode["lang"] == "ja":
        eng = [w for w in re.findall(r"[A-Za-z][A-Za-z_-]{3,}", scrub) if w not in ALLOWED_ASCII and not w.isupper()]
        if eng:
            fails.append(("notice-english", "Japanese notice has English: %s" % " ".join(sorted(set(eng))[:8])))
    else:
        jp = re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]+", scrub)
        if jp:
            fails.append(("notice-japanese", "English notice has Japanese: %s" % " ".join(jp[:5])))


# ---------------------------------------------------------------- the case

def top_attachments(top):
    out, body = [], None

    def walk(e):
        nonlocal body
        if e.ctype.startswith("multipart/"):
            for c in e.children:
                walk(c)
            return
        if e.ctype == "message/rfc822" or is_attachment(e):
            out.append(e)
        elif body is None and e.ctype == "text/plain":
            body = e
        else:
            out.append(e)
    walk(top)
    return body, out


def check(case, data, report_text, mode, rc=0):
    fails = []
    ex = case.expect
    if rc != 0:
        return [("verdict", "mugaika exit status %d" % rc)]
    data = data.replace(b"\r\n", b"\n")
    top = Entity(data)
    if not top.get("x-mugaika-status"):
        fails.append(("verdict", "no X-Mugaika-Status"))
    for i, ent in enumerate(top.walk()):
        check_header_block(ent, mode, fails, "top" if i == 0 else "part %d (%s)" % (i, ent.ctype))
    if "subject" in ex and norm(field_text(top, "subject") or "") != norm(ex["subject"]):
        fails.append(("subject", "Subject reads %r, want %r" % (field_text(top, "subject"), ex["subject"])))
    if "from_name" in ex:
        got = display_names(top, "from")
        if not got or norm(got[0]) != norm(ex["from_name"]):
            fails.append(("from", "From name reads %r, want %r" % (got[:1], ex["from_name"])))
    if "to_names" in ex and [norm(x) for x in display_names(top, "to")] != [norm(x) for x in ex["to_names"]]:
        fails.append(("to", "To names read %r" % display_names(top, "to")))
    inner = [e.children[0] for e in top.walk() if e.ctype == "message/rfc822" and e.children]
    for i, want in enumerate(ex.get("inner", [])):
        if i >= len(inner):
            fails.append(("inner", "attached message %d missing" % (i + 1)))
            continue
        s = field_text(inner[i], "subject")
        if norm(s or "") != norm(want["subject"]):
            fails.append(("inner", "attached message %d Subject reads %r" % (i + 1, s)))
        f = display_names(inner[i], "from")
        if not f or norm(f[0]) != norm(want["from_name"]):
            fails.append(("inner", "attached message %d From reads %r" % (i + 1, f[:1])))
    body, atts = top_attachments(top)
    names = []
    for i, a in enumerate(atts):
        if a.ctype == "message/rfc822":
            continue
        names.append((attachment_name(a, fails, "attachment %d" % (i + 1)), a))
    if "atts" in ex:
        got = [n for n, _ in names]
        if [norm(n or "") for n in got] != [norm(n) for n in ex["atts"]]:
            fails.append(("atts", "attachments read %r, want %r" % (got, ex["atts"])))
    for zname, members in ex.get("zips", {}).items():
        z = [a for n, a in names if n == zname]
        if not z:
            continue
        try:
            zn = [(n, flag) for n, flag, _ in J.zip_names(z[0].decoded()) if not n.endswith("/")]
        except (J.DecodeError, UnicodeDecodeError) as e:
            fails.append(("zip", "%s: %s" % (zname, e)))
            continue
        if [n for n, _ in zn] != members:
            fails.append(("zip", "%s members read %r, want %r" % (zname, [n for n, _ in zn], members)))
        for n, flag in zn:
            if any(ord(ch) > 0x7E for ch in n) and not flag:
                fails.append(("zip", "%s: %r without the UTF-8 flag" % (zname, n)))
    text = body_text(body, mode, fails) if body is not None else ""
    if body is None and (ex.get("body") or ex.get("body_lines")):
        fails.append(("body", "no text body delivered"))
    ntext = norm(text)
    for s in ex.get("body", []):
        if norm(s) not in ntext:
            fails.append(("body", "body lacks %r" % s))
    lines = [norm(x.rstrip()) for x in text.split("\n")]
    for s in ex.get("body_lines", []):
        if norm(s.rstrip()) not in lines:
            fails.append(("body", "body lacks the line %r" % s))
    for s in ex.get("body_absent", []):
        if s in text:
            fails.append(("body", "body has %r" % s))
    if "\ufffd" in text or re.search("[\u0080-\u009f]", text):
        fails.append(("body", "body has U+FFFD or C1 controls (mislabelled charset?)"))
    actions = top.get("x-mugaika-actions") or ""
    if "html_to_text" in ex and ("html-to-text" in actions) != ex["html_to_text"]:
        fails.append(("alternative", "X-Mugaika-Actions %r (html_to_text expected %s)" % (actions, ex["html_to_text"])))
    notice = notice_of(text, mode["lang"])
    if ex.get("notice") is True and notice is None:
        fails.append(("notice", "no notice in the body"))
    if ex.get("notice") is False and notice is not None:
        fails.append(("notice", "unexpected notice"))
    if notice is not None:
        check_notice(case, notice, mode, fails)
    for s in ex.get("report_has", []):
        if report_text is not None and s not in report_text:
            fails.append(("report", "report lacks %r" % s))
    return fails
