"""Japanese codecs for the corpus test (python3 standard library only).

Both directions, written independently of mugaika's C code so that the
test does not share its mistakes:

* CP50220 (Microsoft's ISO-2022-JP, what Outlook and Windows mailers send):
  JIS X 0208 plus NEC row 13 (①, ㈱, Ⅲ) and the NEC-selected IBM
  extensions in rows 89-92 (髙, 﨑); ESC ( J is JIS-Roman (0x5C is ¥,
  0x7E is ‾, as the WHATWG Encoding Standard reads it); ESC ( I and SO/SI
  are half-width katakana.  Python's iso2022_jp codecs lack the NEC rows,
  its cp932 has them, so JIS pairs are turned into Shift_JIS and read by
  cp932.
* The six JIS X 0208 characters that CP932 maps to other code points
  (0x2141 WAVE DASH and friends) are read with their JIS meaning
  (U+301C ...), as browsers do; `fold_traps` makes both spellings compare
  equal where the output charset cannot tell them apart.
* Shift_JIS (CP932), EUC-JP (with the NEC rows, as EUC-JP-MS has them),
  RFC 2047 encoded words (encoder and decoder), RFC 2231 parameters,
  RFC 3676 format=flowed, a small ZIP writer that stores raw name bytes
  (CP932 names without the UTF-8 flag, the way Explorer and Lhaplus write
  them) and a ZIP name reader.
"""
import base64
import binascii
import re
import struct
import unicodedata
import zlib

# JIS meaning <- CP932 code point
TRAPS = {0xFF5E: 0x301C, 0x2225: 0x2016, 0xFF0D: 0x2212, 0xFFE0: 0x00A2, 0xFFE1: 0x00A3, 0xFFE2: 0x00AC}
TRAPS_BACK = {v: k for k, v in TRAPS.items()}


def fold_traps(s):
    """Both spellings of the wave dash family as the JIS one."""
    return s.translate(TRAPS)


def to_cp932_spelling(s):
    return s.translate(TRAPS_BACK)


# ---------------------------------------------------------------- JIS pairs

def sjis_to_jis(b1, b2):
    """Shift_JIS two-byte code to a JIS row/cell pair (0x21..0x7E each for
    rows 1-94; rows past 94 give values past 0x7E)."""
    row = (b1 - 0x81 if b1 < 0xA0 else b1 - 0xC1) * 2 + 0x21
    if b2 >= 0x9F:
        return row + 1, b2 - 0x7E
    return row, b2 - (0x1F if b2 < 0x80 else 0x20)


def jis_to_sjis(j1, j2):
    s1 = ((j1 - 0x21) >> 1) + 0x81
    if s1 > 0x9F:
        s1 += 0x40
    if j1 & 1:
        s2 = j2 + (0x1F if j2 < 0x60 else 0x20)
    else:
        s2 = j2 + 0x7E
    return bytes([s1, s2])


def _nec_selected():
    """char -> CP932 code in NEC row 13 or NEC-selected IBM rows 89-92,
    the only places ISO-2022-JP can carry the Windows extensions."""
    table = {}
    for lead in (0x87, 0xED, 0xEE):
        for trail in range(0x40, 0xFD):
            if trail == 0x7F:
                continue
            try:
                ch = bytes([lead, trail]).decode("cp932")
            except UnicodeDecodeError:
                continue
            table.setdefault(ch, bytes([lead, trail]))
    return table


NEC = _nec_selected()


def char_cp932(ch):
    """The CP932 bytes ISO-2022-JP/EUC-JP can use for ch, or None."""
    c = to_cp932_spelling(ch)
    if c in NEC:
        return NEC[c]
    try:
        b = c.encode("cp932")
    except UnicodeEncodeError:
        return None
    if len(b) == 2 and b[0] >= 0xF0:  # IBM extensions past row 94
        return None
    return b


# ---------------------------------------------------------------- encoders

def enc_sjis(text):
    return to_cp932_spelling(text).encode("cp932")


def enc_jis(text, kana="esc", yen=True, end_ascii=True):
    """CP50220/CP50221-style ISO-2022-JP.  kana: "esc" (ESC ( I), "so"
    (SO/SI), "full" (converted to full width, as CP50220 does).  Raises
    ValueError for a character ISO-2022-JP cannot carry."""
    out, state = bytearray(), "ascii"

    def go(st, esc):
        nonlocal state
        if state != st:
            out.extend(esc)
            state = st
    for ch in text:
        o = ord(ch)
        if 0xFF61 <= o <= 0xFF9F and kana == "full":
            ch = unicodedata.normalize("NFKC", ch)
            o = ord(ch)
        if o < 0x80:
            if ch in "\r\n" and state != "ascii":
                go("ascii", b"\x1b(B")
            if state == "roman" and ch not in "\\~":
                out.append(o)
                continue
            go("ascii", b"\x1b(B")
            out.append(o)
        elif ch == "\u00a5" and yen:
            go("roman", b"\x1b(J")
            out.append(0x5C)
        elif 0xFF61 <= o <= 0xFF9F:
            if kana == "so":
                out.extend(b"\x0e" + bytes([o - 0xFF61 + 0x21]) + b"\x0f")
            else:
                go("kana", b"\x1b(I")
                out.append(o - 0xFF61 + 0x21)
        else:
            b = char_cp932(ch)
            if b is None or len(b) != 2:
                raise ValueError("not in ISO-2022-JP: %r" % ch)
            go("kanji", b"\x1b$B")
            out.extend(bytes(sjis_to_jis(b[0], b[1])))
    if end_ascii:
        go("ascii", b"\x1b(B")
    return bytes(out)


def jis_encodable(text):
    try:
        enc_jis(text)
        return True
    except ValueError:
        return False


def enc_euc(text):
    """EUC-JP with the NEC rows (EUC-JP-MS layout)."""
    out = bytearray()
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            out.append(o)
        elif 0xFF61 <= o <= 0xFF9F:
            out.extend(bytes([0x8E, o - 0xFF61 + 0xA1]))
        else:
            b = char_cp932(ch)
            if b is None or len(b) != 2:
                raise ValueError("not in EUC-JP: %r" % ch)
            j1, j2 = sjis_to_jis(b[0], b[1])
            out.extend(bytes([j1 | 0x80, j2 | 0x80]))
    return bytes(out)


# ---------------------------------------------------------------- decoders

class DecodeError(ValueError):
    pass


def dec_jis(data, strict=True, need_ascii_end=False):
    """CP50220-aware ISO-2022-JP decoder."""
    out, st, saved, i = [], "ascii", "ascii", 0
    esc = {b"(B": "ascii", b"(J": "roman", b"(H": "roman", b"(I": "kana", b"$@": "kanji", b"$B": "kanji",
           b"$(B": "kanji", b"$(@": "kanji"}

    def bad(why):
        if strict:
            raise DecodeError("ISO-2022-JP: %s at byte %d" % (why, i))
        out.append("\ufffd")
    while i < len(data):
        c = data[i]
        if c == 0x1B:
            for seq, s in esc.items():
                if data[i + 1:i + 1 + len(seq)] == seq:
                    st = s
                    i += 1 + len(seq)
                    break
            else:
                bad("unknown escape sequence")
                i += 1
            continue
        if c in (0x0E, 0x0F):
            if c == 0x0E:
                saved, st = st, "kana"
            else:
                st = saved
            i += 1
            continue
        if c >= 0x80:
            bad("8-bit byte")
            i += 1
            continue
        if c in (0x0A, 0x0D):
            if st == "kanji" or st == "kana":
                bad("line ends outside ASCII")
                st = "ascii"
            out.append(chr(c))
            i += 1
            continue
        if st == "kanji":
            if i + 1 >= len(data) or not (0x21 <= c <= 0x7E and 0x21 <= data[i + 1] <= 0x7E):
                bad("incomplete JIS pair")
                i += 1
                continue
            try:
                out.append(jis_to_sjis(c, data[i + 1]).decode("cp932"))
            except UnicodeDecodeError:
                bad("unassigned JIS pair %02X%02X" % (c, data[i + 1]))
            i += 2
            continue
        if st == "kana" and 0x21 <= c <= 0x5F:
            out.append(chr(0xFF61 + c - 0x21))
        elif st == "roman" and c == 0x5C:
            out.append("\u00a5")
        elif st == "roman" and c == 0x7E:
            out.append("\u203e")
        else:
            out.append(chr(c))
        i += 1
    if need_ascii_end and st not in ("ascii", "roman"):
        bad("does not end in ASCII")
    return fold_traps("".join(out))


def decode_bytes(data, charset, strict=True, need_ascii_end=False):
    """Bytes in a charset label mugaika may emit (or any Python knows)."""
    cs = (charset or "us-ascii").strip().lower()
    if cs in ("iso-2022-jp", "csiso2022jp", "iso-2022-jp-ms", "cp50220", "cp50221"):
        return dec_jis(data, strict, need_ascii_end)
    if cs in ("shift_jis", "shift-jis", "sjis", "cp932", "windows-31j", "ms932"):
        cs = "cp932"
    if cs in ("us-ascii", "ascii") and strict and any(b >= 0x80 for b in data):
        raise DecodeError("8-bit byte in us-ascii")
    try:
        return fold_traps(data.decode(cs, "strict" if strict else "replace"))
    except UnicodeDecodeError as e:
        raise DecodeError("%s: %s" % (cs, e)) from None
    except LookupError:
        raise DecodeError("unknown charset %r" % cs) from None


# ---------------------------------------------------------------- RFC 2047

EW_RE = re.compile(r"=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=")


def ew_payload(enc, text):
    if enc in "Bb":
        pad = "=" * (-len(text) % 4)
        try:
            return base64.b64decode(text + pad, validate=True)
        except (binascii.Error, ValueError):
            raise DecodeError("bad base64 in encoded word") from None
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "_":
            out.append(0x20)
        elif c == "=" and re.match(r"[0-9A-Fa-f]{2}", text[i + 1:i + 3]):
            out.append(int(text[i + 1:i + 3], 16))
            i += 2
        else:
            out.append(ord(c))
        i += 1
    return bytes(out)


def ew(charset, data, enc="B"):
    if enc == "B":
        return "=?%s?B?%s?=" % (charset, base64.b64encode(data).decode())
    q = "".join(chr(b) if (0x30 <= b <= 0x39 or 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A) else
                "_" if b == 0x20 else "=%02X" % b for b in data)
    return "=?%s?Q?%s?=" % (charset, q)


def ew_split_bytes(charset, data, chunk, enc="B"):
    """Encoded words cut every `chunk` bytes, character boundaries or not
    (what Outlook 365, Apple Mail and some old MUAs do)."""
    return [ew(charset, data[i:i + chunk], enc) for i in range(0, len(data), chunk)]


def ew_split_chars(charset, text, per_word, enc="B"):
    """Words of whole characters (ISO-2022-JP: each word ends in ASCII)."""
    words = []
    for i in range(0, len(text), per_word):
        part = text[i:i + per_word]
        data = enc_jis(part) if charset.lower() == "iso-2022-jp" else part.encode(
            "cp932" if charset.lower() == "shift_jis" else charset)
        words.append(ew(charset, data, enc))
    return words


def fold_words(words, first_len, sep="\n "):
    """Join encoded words with folding so lines stay short."""
    out, line = "", first_len
    for i, w in enumerate(words):
        if i and line + 1 + len(w) > 76:
            out += sep
            line = len(sep) - 1
        elif i:
            out += " "
            line += 1
        out += w
        line += len(w)
    return out


def decode_header_text(value, strict=False):
    """Unfold and decode RFC 2047 words; whitespace between adjacent words
    dropped, same-charset neighbours joined before decoding (so a lenient
    reader gets the sender's intent)."""
    value = re.sub(r"\r?\n[ \t]", " ", value)
    value = re.sub(r"\r?\n", "", value)
    pos, out, pend_cs, pend = 0, [], None, b""

    def flush():
        nonlocal pend, pend_cs
        if pend_cs is not None:
            out.append(decode_bytes(pend, pend_cs.split("*")[0], strict))
        pend, pend_cs = b"", None
    for m in EW_RE.finditer(value):
        between = value[pos:m.start()]
        if not (pend_cs is not None and between.strip(" \t") == ""):
            flush()
            out.append(between)
        cs = m.group(1)
        data = ew_payload(m.group(2), m.group(3))
        if pend_cs is not None and pend_cs.lower() != cs.lower():
            flush()
        pend_cs = cs if pend_cs is None else pend_cs
        pend += data
        pos = m.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


# ---------------------------------------------------------------- RFC 2231

def params_parse(value):
    """Parameters of a structured MIME field value (after unfolding):
    [(name, value, quoted)]."""
    value = re.sub(r"\r?\n[ \t]", " ", value)
    out, i = [], value.find(";")
    while 0 <= i < len(value):
        i += 1
        m = re.match(r"\s*([^=;\s]+)\s*=\s*", value[i:])
        if not m:
            break
        name = m.group(1).lower()
        i += m.end()
        if i < len(value) and value[i] == '"':
            j, v = i + 1, []
            while j < len(value) and value[j] != '"':
                if value[j] == "\\" and j + 1 < len(value):
                    j += 1
                v.append(value[j])
                j += 1
            out.append((name, "".join(v), True))
            i = value.find(";", j)
        else:
            j = value.find(";", i)
            out.append((name, (value[i:] if j < 0 else value[i:j]).strip(), False))
            i = j
    return out


def rfc2231_segments(params, name):
    """[(charset, bytes of one segment)] of name* / name*N / name*N*,
    or None when the parameter has no RFC 2231 form."""
    d = {n: v for n, v, _ in params}
    if name + "*" in d:
        segs = [(name + "*", d[name + "*"], True)]
    else:
        segs, n = [], 0
        while True:
            if "%s*%d*" % (name, n) in d:
                segs.append((None, d["%s*%d*" % (name, n)], True))
            elif "%s*%d" % (name, n) in d:
                segs.append((None, d["%s*%d" % (name, n)], False))
            else:
                break
            n += 1
    if not segs:
        return None
    charset, out = None, []
    for i, (_, v, ext) in enumerate(segs):
        if ext and i == 0:
            parts = v.split("'", 2)
            if len(parts) != 3:
                raise DecodeError("RFC 2231 value without charset''")
            charset, v = parts[0], parts[2]
        if ext:
            v = re.sub(r"%([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), v)
            if "%" in v:
                raise DecodeError("bad %-escape in RFC 2231 value")
        out.append(v.encode("latin-1"))
    return charset or "us-ascii", out


# ---------------------------------------------------------------- RFC 3676

def flowed_decode(text, delsp=False):
    """What a format=flowed reader shows: space-unstuffed lines, soft line
    breaks (trailing space) joined."""
    out, cur = [], None
    for line in text.split("\n"):
        if line == "-- ":
            flowed = False
        else:
            if line.startswith(" "):
                line = line[1:]
            flowed = line.endswith(" ")
            if flowed and delsp:
                line = line[:-1]
        cur = line if cur is None else cur + line
        if not flowed:
            out.append(cur)
            cur = None
    if cur is not None:
        out.append(cur)
    return "\n".join(out)


def flowed_encode(text, width=40, delsp=False):
    """Soft-break long lines the way Thunderbird and Apple Mail do: with
    DelSp=yes anywhere (the added space is taken away by the reader),
    without it only after a space that is part of the text."""
    out = []
    for line in text.split("\n"):
        while len(line) > width:
            if delsp:
                head, line = line[:width] + " ", line[width:]
            else:
                cut = line.rfind(" ", 1, width)
                if cut < 0:
                    break
                head, line = line[:cut + 1], line[cut + 1:]
            out.append(" " + head if head.startswith((" ", "From ")) else head)
        out.append(" " + line if line.startswith((" ", "From ")) else line)
    return "\n".join(out)


# ---------------------------------------------------------------- ZIP

def dos_time(y=2026, mo=6, d=1, h=10, mi=0, s=0):
    return ((h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d)


def zip_build(entries, made_by=0x0014, deflate=True):
    """entries: [(raw_name_bytes, data_or_None_for_dir, flags, extra)].
    A plain PKZIP 2.0 archive, names stored exactly as given."""
    local, central, off = bytearray(), bytearray(), 0
    t, d = dos_time()
    for name, data, flags, extra in entries:
        data = data or b""
        crc = zlib.crc32(data) & 0xFFFFFFFF
        if deflate and data:
            co = zlib.compressobj(9, zlib.DEFLATED, -15)
            comp, method = co.compress(data) + co.flush(), 8
        else:
            comp, method = data, 0
        hdr = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, t, d, crc, len(comp), len(data),
                          len(name), len(extra)) + name + extra
        is_dir = name.endswith(b"/")
        ext_attr = 0x10 if is_dir else 0x20
        if made_by >> 8 == 3:
            ext_attr |= ((0o40755 if is_dir else 0o100644) << 16)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, made_by, 20, flags, method, t, d, crc, len(comp),
                               len(data), len(name), len(extra), 0, 0, 0, ext_attr, off) + name + extra
        local += hdr + comp
        off += len(hdr) + len(comp)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), off, 0)
    return bytes(local + central + eocd)


def zip_names(data):
    """[(name, utf8_flag)] from the central directory, names decoded as a
    reader would: UTF-8 when flagged, else UTF-8 if valid, else CP932."""
    end = data.rfind(b"PK\x05\x06")
    if end < 0:
        raise DecodeError("not a zip")
    n, size, off = struct.unpack("<HII", data[end + 10:end + 20])
    names, p = [], off
    for _ in range(n):
        if data[p:p + 4] != b"PK\x01\x02":
            raise DecodeError("bad central directory")
        flags = struct.unpack("<H", data[p + 8:p + 10])[0]
        ln, le, lc = struct.unpack("<HHH", data[p + 28:p + 34])
        raw = data[p + 46:p + 46 + ln]
        if flags & 0x800:
            name = raw.decode("utf-8")
        else:
            try:
                name = raw.decode("utf-8") if any(b >= 0x80 for b in raw) else raw.decode("ascii")
            except UnicodeDecodeError:
                name = raw.decode("cp932", "replace")
        names.append((name, bool(flags & 0x800), raw))
        p += 46 + ln + le + lc
    return names
