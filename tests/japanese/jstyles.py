"""How each real mailer writes a Japanese message (header shapes, name
encodings, body layout), for the corpus in jcorpus.py.

Each style function takes plain Unicode (subject, display names, body
text, attachments) and returns the message bytes the way that mailer
sends them; `ov` lets a case replace any header value with a broken form.
"""
import base64
import html
import unicodedata
import urllib.parse

import jcodec as J
import jmime as M

DATE = "Mon, 1 Jun 2026 10:15:30 +0900"
RCPT = "staff@city.example.lg.jp"


class Att:
    """An attachment: what the sender attaches and how its name is written."""

    def __init__(self, name, data, ctype="application/octet-stream", name_form=None, raw_ct=None, raw_cd=None,
                 charset=None):
        self.name, self.data, self.ctype = name, data, ctype
        self.name_form = name_form  # None: the style's own
        self.raw_ct, self.raw_cd = raw_ct, raw_cd  # complete field values, as bytes or str
        self.charset = charset


# ---------------------------------------------------------------- name forms

def jis_words(text, per=10, charset="ISO-2022-JP"):
    return J.ew_split_chars(charset, text, per)


def utf8_words(text, per=12, charset="UTF-8"):
    return J.ew_split_chars(charset, text, per)


def name_2231(name, charset="UTF-8", seg=None):
    """filename*=... (one segment) or filename*0*=...; filename*1*=...
    cut every `seg` bytes, characters or escape sequences notwithstanding."""
    raw = J.enc_jis(name) if charset.lower() == "iso-2022-jp" else name.encode(charset)
    q = lambda bb: urllib.parse.quote_from_bytes(bb, safe="")
    if not seg or len(raw) <= seg:
        return ["filename*=%s''%s" % (charset, q(raw))]
    out = []
    for i in range(0, len(raw), seg):
        out.append("filename*%d*=%s%s" % (i // seg, (charset + "''") if i == 0 else "", q(raw[i:i + seg])))
    return out


def att_fields(att, form):
    """(Content-Type value, Content-Disposition value) for one name form."""
    n, ct = att.name, att.ctype + ("; charset=%s" % att.charset if att.charset else "")
    if form == "jis-quoted":  # Outlook 2010-2019, Becky!: RFC 2047 ISO-2022-JP in quotes
        w = " ".join(jis_words(n, 12))
        return '%s;\n\tname="%s"' % (ct, w), 'attachment;\n\tfilename="%s"' % w
    if form == "utf8-quoted":  # Gmail, Outlook 365
        w = " ".join(utf8_words(n, 12))
        return '%s; name="%s"' % (ct, w), 'attachment; filename="%s"' % w
    if form == "utf8-quoted-split":  # Outlook 365 cutting inside a character
        w = " ".join(J.ew_split_bytes("utf-8", n.encode(), 22))
        return '%s; name="%s"' % (ct, w), 'attachment; filename="%s"; size=%d' % (w, len(att.data))
    if form == "2231":  # Thunderbird
        segs = name_2231(n, "UTF-8", 30)
        return ('%s; name="%s"' % (ct, " ".join(utf8_words(n, 12))),
                "attachment;\n " + ";\n ".join(segs))
    if form == "2231-split":  # RFC 2231 cut inside a character
        segs = name_2231(n, "UTF-8", 13)
        return '%s' % ct, "attachment;\n " + ";\n ".join(segs)
    if form == "2231-jis":  # ISO-2022-JP RFC 2231, cut inside escape sequences
        segs = name_2231(n, "ISO-2022-JP", 7)
        return '%s' % ct, "attachment;\n " + ";\n ".join(segs)
    if form == "apple":  # Apple Mail / iPhone
        segs = name_2231(n, "utf-8", 40)
        return ('%s;\n\tx-unix-mode=0644;\n\tname="%s"' % (ct, " ".join(utf8_words(n, 12, "utf-8"))),
                "attachment;\n\t" + ";\n\t".join(segs))
    if form == "notes-folded":  # Lotus Notes: unquoted RFC 2047, folded after a word
        w = "\n ".join(jis_words(n, 6))
        return "%s; \n\tname=%s" % (ct, w), "attachment; filename=%s" % w
    if form == "raw-sjis":  # PHP / old Japanese software: raw CP932 in quotes
        r = J.enc_sjis(n)
        return (M.b(ct) + b'; name="' + r + b'"'), (b'attachment; filename="' + r + b'"')
    if form == "raw-euc":
        r = J.enc_euc(n)
        return (M.b(ct) + b'; name="' + r + b'"'), (b'attachment; filename="' + r + b'"')
    if form == "raw-utf8":
        r = n.encode()
        return (M.b(ct) + b'; name="' + r + b'"'), (b'attachment; filename="' + r + b'"')
    if form == "sjis-2047":
        w = " ".join(J.ew_split_chars("Shift_JIS", n, 10))
        return '%s; name="%s"' % (ct, w), 'attachment; filename="%s"' % w
    if form == "ascii":
        return '%s; name="%s"' % (ct, n), 'attachment; filename="%s"' % n
    raise ValueError(form)


def att_entity(att, form, cte="base64", extra=()):
    ctv, cdv = att_fields(att, att.name_form or form)
    if att.raw_ct is not None:
        ctv = att.raw_ct
    if att.raw_cd is not None:
        cdv = att.raw_cd
    return M.leaf(ctv, att.data, cte, [("Content-Disposition", cdv)] + list(extra))


# ---------------------------------------------------------------- helpers

def addr(name_value, email):
    return M.b(name_value) + b" <" + M.b(email) + b">" if name_value else M.b(email)


def html_of(text, charset, head=""):
    lines = "".join("%s<br>\n" % html.escape(line) if line else "<br>\n" for line in text.split("\n"))
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=%s">%s</head>\n'
            '<body>\n<div>%s</div>\n</body></html>\n' % (charset, head, lines))


def mid(cid, tag, domain):
    return "<jc.%s.%s@%s>" % (cid, tag, domain)


def with_overrides(pairs, ov):
    """Replace or drop header fields (value None drops) by name."""
    ov = dict(ov or {})
    out = []
    for n, v in pairs:
        if n in ov:
            if ov[n] is not None:
                out.append((n, ov.pop(n)))
            else:
                ov.pop(n)
        else:
            out.append((n, v))
    out += [(n, v) for n, v in ov.items() if v is not None]
    return out


def body_or_mixed(body_entity, atts, form, boundary, cte="base64", mixed_extra=(), pre=b""):
    if not atts:
        return body_entity
    return M.multi("mixed", boundary, [body_entity] + [att_entity(a, form, cte) for a in atts], pre,
                   extra=mixed_extra)


# ---------------------------------------------------------------- styles

def outlook(cid, tag, subject, from_name, body, atts=(), to_name="総務課", html_part=True, ov=None, extra=()):
    """Outlook 2016/2019 (Japanese Windows): CP50220 ISO-2022-JP throughout,
    words of whole characters, names as RFC 2047 in quotes."""
    plain = M.leaf('text/plain;\n\tcharset="iso-2022-jp"', J.enc_jis(body, kana="full"), "7bit")
    parts = [plain]
    if html_part:
        h = html_of(body, "iso-2022-jp")
        parts.append(M.leaf('text/html;\n\tcharset="iso-2022-jp"', J.enc_jis(h, kana="full"), "quoted-printable"))
    ent = M.multi("alternative", "----=_NextPart_001_0019_01DA9A3B.5C1F2E40", parts) if html_part else plain
    ent = body_or_mixed(ent, atts, "jis-quoted", "----=_NextPart_000_0018_01DA9A3B.5C1F2E40",
                        pre=b"This is a multipart message in MIME format.\n")
    pairs = [("From", addr(" ".join(jis_words(from_name, 8)), "takahashi@example.co.jp")),
             ("To", addr(" ".join(jis_words(to_name, 8)), RCPT)),
             ("Subject", J.fold_words(jis_words(subject, 11), 9, "\n\t")),
             ("Date", DATE), ("Message-ID", mid(cid, tag, "example.co.jp")), ("MIME-Version", "1.0"),
             ("X-Mailer", "Microsoft Outlook 16.0"), ("Thread-Index", "AdqaO1wfLkDn8Y2VTXWnVQ0f3SZ0Ag=="),
             ("Content-Language", "ja")] + list(extra)
    return M.message(with_overrides(pairs, ov), ent)


def o365(cid, tag, subject, from_name, body, atts=(), ov=None, extra=(), split=True):
    """Outlook 365 / Exchange Online: UTF-8 base64, encoded words cut at a
    byte count (inside characters), names RFC 2047 in quotes."""
    cut = (lambda t: J.ew_split_bytes("utf-8", t.encode(), 28)) if split else (lambda t: utf8_words(t, 12, "utf-8"))
    alt = M.multi("alternative", "_000_TYCP286MB2345ABCD_", [
        M.leaf('text/plain; charset="utf-8"', body.encode(), "base64"),
        M.leaf('text/html; charset="utf-8"', html_of(body, "utf-8").encode(), "base64")],
        ctype_fmt='multipart/%s; boundary="%s"')
    ent = body_or_mixed(alt, atts, "utf8-quoted-split" if split else "utf8-quoted", "_004_TYCP286MB2345ABCD_")
    if atts:
        ent = ent.replace(b'multipart/mixed;\n\tboundary=', b"multipart/mixed; boundary=", 1)
    pairs = [("From", addr(" ".join(cut(from_name)), "ichiro.takahashi@example.onmicrosoft.com")),
             ("To", addr(" ".join(cut("総務課 市民係")), RCPT)),
             ("Subject", J.fold_words(cut(subject), 9)),
             ("Thread-Topic", J.fold_words(cut(subject), 14)),
             ("Thread-Index", "AQHan2Jm1uR4Z3bYQ0KfT1c0aL5Z2g=="),
             ("Date", "Mon, 1 Jun 2026 01:15:30 +0000"), ("Message-ID", mid(cid, tag, "TYCP286MB2345.JPNP286.PROD.OUTLOOK.COM")),
             ("Accept-Language", "ja-JP, en-US"), ("Content-Language", "ja-JP"),
             ("X-MS-Has-Attach", "yes" if atts else ""), ("X-MS-TNEF-Correlator", ""), ("MIME-Version", "1.0")]
    return M.message(with_overrides(pairs + list(extra), ov), ent)


def thunderbird(cid, tag, subject, from_name, body, atts=(), ov=None, flowed=True, charset="UTF-8", extra=(),
                name_form="2231"):
    """Thunderbird 115: UTF-8 (or ISO-2022-JP) 8bit, format=flowed,
    RFC 2231 names plus an RFC 2047 name= for old readers."""
    if charset.upper() == "UTF-8":
        data, cte = (J.flowed_encode(body, 36, True) if flowed else body).encode(), "8bit"
    else:
        data, cte = J.enc_jis(J.flowed_encode(body, 36, True) if flowed else body), "7bit"
    ctype = "text/plain; charset=%s%s" % (charset, "; format=flowed; delsp=yes" if flowed else "")
    ent = M.leaf(ctype, data, cte)
    ent = body_or_mixed(ent, atts, name_form, "------------0Ab1Cd2Ef3Gh4Ij5Kl6Mn7", pre=b"This is a multi-part message in MIME format.")
    if atts:
        ent = ent.replace(b'multipart/mixed;\n\tboundary=', b"multipart/mixed; boundary=", 1)
    words = utf8_words if charset.upper() == "UTF-8" else (lambda t, n: jis_words(t, n))
    pairs = [("Message-ID", mid(cid, tag, "example.jp")), ("Date", DATE), ("MIME-Version", "1.0"),
             ("User-Agent", "Mozilla Thunderbird"), ("Content-Language", "ja"),
             ("To", addr(" ".join(words("総務課", 12)), RCPT)),
             ("From", addr(" ".join(words(from_name, 12)), "yamada@example.jp")),
             ("Subject", J.fold_words(words(subject, 12), 9))] + list(extra)
    return M.message(with_overrides(pairs, ov), ent)


def iphone(cid, tag, subject, from_name, body, atts=(), ov=None, html_part=True, extra=(), split=True):
    """iPhone Mail: UTF-8 base64, Apple-Mail boundaries, encoded words cut
    at a byte count, RFC 2231 names."""
    cut = (lambda t: J.ew_split_bytes("utf-8", t.encode(), 43)) if split else (lambda t: utf8_words(t, 12, "utf-8"))
    plain = M.leaf("text/plain;\n\tcharset=utf-8", body.encode(), "base64")
    if html_part:
        h = ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
             '<body dir="auto">%s</body></html>' % "<br>".join(html.escape(x) for x in body.split("\n")))
        ent = M.multi("alternative", "Apple-Mail-8D1E2F3A-4B5C-6D7E-8F90-A1B2C3D4E5F6",
                      [plain, M.leaf("text/html;\n\tcharset=utf-8", h.encode(), "base64")],
                      ctype_fmt="multipart/%s; boundary=%s", extra=[("Content-Transfer-Encoding", "7bit")])
    else:
        ent = plain
    if atts:
        ent = M.multi("mixed", "Apple-Mail-1F2E3D4C-5B6A-7980-8A9B-ACBDCEDF0E1F", [ent] + [
            att_entity(a, "apple") for a in atts], ctype_fmt="multipart/%s; boundary=%s")
    pairs = [("From", addr(" ".join(cut(from_name)), "hanako.suzuki@icloud.com")), ("Mime-Version", "1.0 (1.0)"),
             ("Date", DATE), ("Subject", J.fold_words(cut(subject), 9)),
             ("Message-Id", mid(cid, tag, "icloud.com")), ("To", addr(" ".join(cut("総務課")), RCPT)),
             ("X-Mailer", "iPhone Mail (21F90)")] + list(extra)
    return M.message(with_overrides(pairs, ov), ent)


def gmail(cid, tag, subject, from_name, body, atts=(), ov=None, html_body=None, extra=()):
    """Gmail: UTF-8 base64 alternative, correct words, names RFC 2047 in
    quotes."""
    hb = html_body or '<div dir="ltr">%s</div>\n' % "<div>".join(
        (html.escape(x) or "<br>") + "</div>" if i else html.escape(x) for i, x in enumerate(body.split("\n")))
    alt = M.multi("alternative", "000000000000a1b2c3d4e5f60718", [
        M.leaf('text/plain; charset="UTF-8"', body.encode(), "base64"),
        M.leaf('text/html; charset="UTF-8"', hb.encode(), "base64")],
        ctype_fmt='multipart/%s; boundary="%s"')
    ent = alt
    if atts:
        ent = M.multi("mixed", "000000000000b2c3d4e5f6071829", [alt] + [
            att_entity(a, "utf8-quoted", extra=[("Content-ID", "<f_lx1a2b3c%d>" % i), ("X-Attachment-Id", "f_lx1a2b3c%d" % i)])
            for i, a in enumerate(atts)], ctype_fmt='multipart/%s; boundary="%s"')
    pairs = [("MIME-Version", "1.0"), ("From", addr(" ".join(utf8_words(from_name, 12)), "kenji.sato@gmail.com")),
             ("Date", DATE), ("Message-ID", mid(cid, tag, "mail.gmail.com")),
             ("Subject", J.fold_words(utf8_words(subject, 12), 9)), ("To", RCPT)] + list(extra)
    return M.message(with_overrides(pairs, ov), ent)


def becky(cid, tag, subject, from_name, body, atts=(), ov=None, kana="esc", extra=()):
    """Becky! 2: ISO-2022-JP 7bit, names RFC 2047 in quotes."""
    plain = M.leaf('text/plain; charset="ISO-2022-JP"', J.enc_jis(body, kana=kana), "7bit")
    ent = plain
    if atts:
        ent = M.multi("mixed", "------_4A5B6C7D8E9F0_MultiPart", [plain] + [att_entity(a, "jis-quoted") for a in atts],
                      ctype_fmt='multipart/%s; boundary="%s"', extra=[("Content-Transfer-Encoding", "7bit")])
    pairs = [("Date", "Mon, 01 Jun 2026 10:15:30 +0900"),
             ("From", addr(" ".join(jis_words(from_name, 12, "ISO-2022-JP")), "tanaka@example.ne.jp")),
             ("To", addr(" ".join(jis_words("総務課", 12, "ISO-2022-JP")), RCPT)),
             ("Subject", J.fold_words(jis_words(subject, 12, "ISO-2022-JP"), 9)),
             ("Message-Id", mid(cid, tag, "example.ne.jp")), ("MIME-Version", "1.0"),
             ("X-Mailer", "Becky! ver. 2.81.04 [ja]")] + list(extra)
    return M.message(with_overrides(pairs, ov), ent)


def notes(cid, tag, subject, from_name, body, atts=(), ov=None, extra=()):
    """Lotus Notes 8.5/9: ISO-2022-JP, lower-case field names, unquoted
    folded RFC 2047 names."""
    plain = M.leaf("text/plain; charset=ISO-2022-JP", J.enc_jis(body), "7bit", cte_name="Content-transfer-encoding")
    plain = plain.replace(b"Content-Type:", b"Content-type:", 1)
    ent = plain
    if atts:
        ent = M.multi("mixed", "0__=4EBB0A12DFC7A8F08f9e8a93df938690918c4EBB0A12DFC7A8F0",
                      [plain] + [att_entity(a, "notes-folded").replace(b"Content-Type:", b"Content-type:", 1)
                                 for a in atts], ctype_fmt='multipart/%s; \n\tBoundary="%s"',
                      extra=[("Content-Disposition", "inline")]).replace(b"Content-Type:", b"Content-type:", 1)
    pairs = [("Subject", J.fold_words(jis_words(subject, 10), 9)), ("To", RCPT),
             ("From", addr(" ".join(jis_words(from_name, 10)), "kobayashi@example.co.jp")), ("Date", DATE),
             ("Message-ID", mid(cid, tag, "example.co.jp")),
             ("X-Mailer", "Lotus Notes Release 8.5.3FP6 November 21, 2013"),
             ("X-MIMETrack", "Serialize by Router on NOTES01/EXAMPLE(Release 9.0.1FP8|April  1, 2017) at\n 2026/06/01 10:15:30"),
             ("MIME-Version", "1.0")] + list(extra)
    return M.message(with_overrides(pairs, ov), ent)


def php_form(cid, tag, subject_hdr, body_bytes, label="iso-8859-1", ctype=None, atts=(), ov=None, mime=True):
    """PHP mail() from a web form: whatever bytes the page had, under
    whatever label the script author typed."""
    ent = M.leaf(ctype or "text/plain; charset=%s" % label, body_bytes, "8bit") if mime else body_bytes
    if atts:
        ent = M.multi("mixed", "=_php_5f1e2d3c4b5a69788796a5b4c3d2e1f0", [ent] + [att_entity(a, "raw-sjis") for a in atts],
                      ctype_fmt='multipart/%s; boundary="%s"')
    pairs = [("To", RCPT), ("Subject", subject_hdr), ("From", "webform@www.example-hp.jp"),
             ("X-Mailer", "PHP/5.2.17")]
    if mime:
        pairs.append(("MIME-Version", "1.0"))
    pairs += [("Message-Id", mid(cid, tag, "www.example-hp.jp")), ("Date", "Mon,  1 Jun 2026 10:15:30 +0900 (JST)")]
    return M.message(with_overrides(pairs, ov), ent)


def unix_mua(cid, tag, subject_hdr, from_hdr, body_bytes, ctype="Text/Plain; charset=iso-2022-jp", mime=True,
             ov=None, mailer="Mew version 6.8 on Emacs 27.1", atts=(), form="jis-quoted"):
    """Mew, Wanderlust, mutt, cron and nkf-based scripts."""
    pairs = [("Date", "Mon, 01 Jun 2026 10:15:30 +0900 (JST)"), ("Message-Id", mid(cid, tag, "example.ac.jp")),
             ("To", RCPT), ("Subject", subject_hdr), ("From", from_hdr)]
    if mailer:
        pairs.append(("X-Mailer", mailer))
    if mime:
        pairs.append(("Mime-Version", "1.0"))
        ent = M.leaf(ctype, body_bytes, "7bit" if not any(x >= 0x80 for x in body_bytes) else "8bit")
        if atts:
            ent = M.multi("mixed", "Multipart_Mon_Jun__1_10:15:30_2026-1", [ent] + [
                att_entity(a, form) for a in atts], ctype_fmt='Multipart/%s; boundary="%s"')
    else:
        ent = b"\n" + body_bytes
    return M.message(with_overrides(pairs, ov), ent)


def mac_mail(cid, tag, subject, from_name, body, atts=(), ov=None, charset="iso-2022-jp"):
    """Apple Mail on macOS: format=flowed; delsp=yes, NFD file names."""
    data = J.flowed_encode(body, 36, True)
    data = J.enc_jis(data) if charset == "iso-2022-jp" else data.encode()
    plain = M.leaf("text/plain;\n\tcharset=%s;\n\tdelsp=yes;\n\tformat=flowed" % charset, data,
                   "7bit" if charset == "iso-2022-jp" else "quoted-printable")
    ent = plain
    if atts:
        ent = M.multi("mixed", "Apple-Mail=_5C1B2A39-8E7F-4D6C-9B5A-0F1E2D3C4B5A",
                      [plain] + [att_entity(a, "apple") for a in atts], ctype_fmt='multipart/%s;\n\tboundary="%s"')
    pairs = [("From", addr(" ".join(utf8_words(from_name, 12, "utf-8")), "ito@example.jp")),
             ("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))"),
             ("Subject", J.fold_words(utf8_words(subject, 12, "utf-8"), 9)), ("Date", DATE),
             ("Message-Id", mid(cid, tag, "example.jp")), ("To", RCPT),
             ("X-Mailer", "Apple Mail (2.3774.600.62)")]
    return M.message(with_overrides(pairs, ov), ent)


def nfd(s):
    return unicodedata.normalize("NFD", s)


def b64(s):
    return base64.b64encode(s).decode()
