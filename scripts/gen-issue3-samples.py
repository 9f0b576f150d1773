#!/usr/bin/env python3
"""Write the issue-3 golden samples (body, charsets, HTML, notice) to samples/.

Only the python3 standard library.  The samples are committed; this script
documents how each was made and regenerates them:  python3 scripts/gen-issue3-samples.py
"""
import base64
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(TOP, "samples")


def jis(s):
    return s.encode("iso2022_jp")


def nec_jis(s):
    """ISO-2022-JP with NEC row 13 / IBM extensions (CP50220 style): JIS
    rows computed from CP932 codes, which Python's strict codec refuses."""
    out = bytearray()
    kanji = False
    for ch in s:
        b = ch.encode("cp932")
        if len(b) == 1 and b[0] < 0x80:
            if kanji:
                out += b"\x1b(B"
                kanji = False
            out += b
            continue
        s1, s2 = b[0], b[1]
        s1 -= 0xB0 if s1 >= 0xE0 else 0x70
        if s2 >= 0x9F:
            j1, j2 = s1 * 2, s2 - 0x7E
        else:
            j1, j2 = s1 * 2 - 1, s2 - (0x20 if s2 >= 0x80 else 0x1F)
        if not kanji:
            out += b"\x1b$B"
            kanji = True
        out += bytes([j1, j2])
    if kanji:
        out += b"\x1b(B"
    return bytes(out)


def hdr(subject=b"test", mid="x", extra=b""):
    return (b"From: Sender <sender@example.jp>\nTo: staff@city.example.lg.jp\nSubject: " + subject +
            b"\nDate: Mon, 01 Jun 2026 10:00:00 +0900\nMessage-ID: <" + mid.encode() + b"@example.jp>\n" + extra)


def single(ctype, body, cte=None, **kw):
    h = hdr(**kw) + b"MIME-Version: 1.0\nContent-Type: " + ctype.encode() + b"\n"
    if cte:
        h += b"Content-Transfer-Encoding: " + cte.encode() + b"\n"
    return h + b"\n" + body + (b"" if body.endswith(b"\n") else b"\n")


def part(ctype, body, extra=b"", cte=None):
    p = b"Content-Type: " + ctype.encode() + b"\n" + extra
    if cte:
        p += b"Content-Transfer-Encoding: " + cte.encode() + b"\n"
    return p + b"\n" + body + (b"" if body.endswith(b"\n") else b"\n")


def multi(sub, parts, boundary="b1", params="", **kw):
    out = hdr(**kw) + ('MIME-Version: 1.0\nContent-Type: multipart/%s; boundary="%s"%s\n\n' %
                       (sub, boundary, params)).encode()
    for p in parts:
        out += b"--" + boundary.encode() + b"\n" + p
    return out + b"--" + boundary.encode() + b"--\n"


def inner_multi(sub, parts, boundary):
    out = ('Content-Type: multipart/%s; boundary="%s"\n\n' % (sub, boundary)).encode()
    for p in parts:
        out += b"--" + boundary.encode() + b"\n" + p
    return out + b"--" + boundary.encode() + b"--\n"


JA = "こんにちは。市役所の山田です。\n会議は６月１日（月）10時～12時です。\n"
NEC = "①②③ ㈱ Ⅲ 髙橋 﨑山 №１ ㎡\n"
LAYOUT = """<html><head><title>t</title><style>p {color:red}</style></head><body>
<h1>お知らせ</h1><p>いつもお世話になっております。<br>下記の通りご案内します。</p>
<ul><li>日時: 6月1日</li><li>場所: 本庁舎<ol><li>3階</li><li>会議室A</li></ol></li></ul>
<table border=1><tr><th>項目</th><th>内容</th></tr><tr><td>費用</td><td>無料</td></tr></table>
<blockquote><p>前回のメール:<br>よろしくお願いします。</p></blockquote>
<pre>  整形済み
    テキスト</pre><hr><p>以上</p></body></html>
"""

SAMPLES = {}


def add(name, data):
    SAMPLES[name] = data


add("body-plain-utf8", single("text/plain; charset=utf-8", JA.encode("utf-8"), "8bit"))
add("body-plain-iso2022jp", single("text/plain; charset=iso-2022-jp", jis(JA.replace("～", "〜")), "7bit",
                                   subject=b"=?ISO-2022-JP?B?" + base64.b64encode(jis("会議のご案内")) + b"?="))
add("body-plain-iso2022jp-nec", single("text/plain; charset=iso-2022-jp", nec_jis(NEC), "7bit",
                                       subject=b"=?iso-2022-jp?b?GyRCLSEbKEI=?="))
add("body-plain-sjis", single("text/plain; charset=Shift_JIS", JA.replace("～", "〜").encode("shift_jis"), "8bit"))
add("body-plain-cp932-wavedash", single("text/plain; charset=windows-31j",
                                        ("10時～12時 " + NEC).encode("cp932"), "8bit"))
add("body-plain-eucjp", single("text/plain; charset=euc-jp", JA.replace("～", "〜").encode("euc_jp"), "8bit"))
add("body-plain-eucjp-ms", single("text/plain; charset=euc-jp",
                                  b"\xad\xa1\xad\xa2 \xad\xea " + "です\n".encode("euc_jp"), "8bit"))
add("body-plain-utf16", single("text/plain; charset=utf-16", base64.encodebytes(JA.encode("utf-16")), "base64"))
add("body-plain-iso2022jp2", single("text/plain; charset=iso-2022-jp-2",
                                    "日本語 café 中文\n".encode("iso2022_jp_2"), "7bit"))
add("body-plain-iso2022jp3", single("text/plain; charset=iso-2022-jp-3",
                                    "㐂 﨑 丂 日本語\n".encode("iso2022_jp_3"), "7bit"))
add("body-mislabel-sjis-as-iso2022jp", single("text/plain; charset=iso-2022-jp", JA.encode("cp932"), "8bit"))
add("body-mislabel-utf8-as-iso2022jp", single("text/plain; charset=ISO-2022-JP", JA.encode("utf-8"), "8bit"))
add("body-mislabel-8bit-as-usascii", single("text/plain; charset=us-ascii", JA.encode("cp932"), "8bit"))
add("body-nocharset-eucjp", single("text/plain", JA.replace("～", "〜").encode("euc_jp"), "8bit"))
add("body-halfwidth-kana", single("text/plain; charset=iso-2022-jp",
                                  jis("全角") + b" \x1b(I6\x1dB\x1b(B " + b"\x0e\x31\x32\x0f\n", "7bit"))
add("body-html-only-iso2022jp", single("text/html; charset=iso-2022-jp",
                                       b"<html><body><p>" + nec_jis("市民の皆様へ ①") + b"</p><p>" +
                                       jis("詳しくは") + b' <a href="https://www.city.example.lg.jp/info">' +
                                       jis("こちら") + b"</a></p></body></html>\n", "7bit"))
add("body-html-only-sjis-meta", single("text/html", b'<html><head><meta http-equiv="Content-Type" '
                                       b'content="text/html; charset=Shift_JIS"></head><body><p>' +
                                       JA.encode("cp932") + b"</p></body></html>\n", "8bit"))
add("body-html-only-utf8-layout", single("text/html; charset=utf-8",
                                         base64.encodebytes(LAYOUT.encode("utf-8")), "base64"))
add("body-html-only-eucjp", single("text/html; charset=EUC-JP",
                                   b"<html><body><h2>" + "お知らせ".encode("euc_jp") + b"</h2><p>" +
                                   "市役所の山田です。".encode("euc_jp") + b" \xad\xa1 \xad\xea</p>"
                                   b"<ul><li>" + "項目".encode("euc_jp") + b"</li></ul></body></html>\n", "8bit"))
add("body-html-links", single("text/html; charset=utf-8", b"""<p>Portal: <a href="https://portal.example.lg.jp/">
Portal</a>, <a href="http://example.com/">http://example.com/</a>, <a href="javascript:alert(1)">click me</a>,
<a href="mailto:info@example.jp">contact</a>, <a href="data:text/html,x">data</a>, <a href="/relative">rel</a></p>
""", "8bit"))
add("body-html-hidden-script", single("text/html; charset=utf-8", b"""<html><head><script>alert(1)</script>
<style>.x{}</style></head><body onload="evil()"><!-- secret comment --><p>visible</p>
<div style="display:none">hidden div</div><span style="visibility: hidden">hidden span</span>
<p hidden>hidden p</p><span style="font-size:0">tiny</span><form action="http://x/">
<input type="text" value="v"><textarea>ta</textarea><button>send</button></form>
<iframe src="http://x/">frame</iframe><object data="x.swf">obj</object><noscript>no script</noscript>
<p>end</p></body></html>
""", "8bit"))
PLAIN_FULL = ("本文のテキスト版です。内容はHTML版と同じで、十分な長さがあります。" * 3 + "\n").encode("utf-8")
add("body-alternative-plain", multi("alternative", [
    part("text/plain; charset=utf-8", PLAIN_FULL, cte="8bit"),
    part("text/html; charset=utf-8", "<p>HTML版の本文</p>\n".encode(), cte="8bit")]))
add("body-alternative-stub", multi("alternative", [
    part("text/plain; charset=iso-2022-jp", jis("HTMLメールです。") + b"\n", cte="7bit"),
    part("text/html; charset=iso-2022-jp", b"<p>" + jis("本当の本文はこちらです。") + b"</p>\n", cte="7bit")]))
add("body-alternative-empty-plain", multi("alternative", [
    part("text/plain; charset=us-ascii", b"\n"),
    part("text/html; charset=utf-8", "<p>空のテキスト版</p>\n".encode(), cte="8bit")]))
add("body-alternative-related-cid", multi("alternative", [
    part("text/plain", b" \n"),
    inner_multi("related", [
        part("text/html; charset=utf-8", '<p>地図: <img src="cid:map@x" alt="庁舎の地図"></p>\n'.encode(), cte="8bit"),
        part("image/gif", base64.encodebytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
             b"Content-ID: <map@x>\nContent-Disposition: inline; filename=map.gif\n", cte="base64")], "b2")]))
add("body-alternative-calendar", multi("alternative", [
    part("text/plain; charset=utf-8", "会議のご案内\n".encode(), cte="8bit"),
    part("text/html; charset=utf-8", "<p>会議のご案内</p>\n".encode(), cte="8bit"),
    part("text/calendar; charset=utf-8; method=REQUEST",
         b"BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:REQUEST\nBEGIN:VEVENT\nSUMMARY:meeting\n"
         b"DTSTART:20260601T010000Z\nEND:VEVENT\nEND:VCALENDAR\n")]))
add("body-signed-smime", multi("signed", [
    part("text/plain; charset=utf-8", "署名付きの本文です。\n".encode(), cte="8bit"),
    part("application/pkcs7-signature; name=smime.p7s", base64.encodebytes(b"\x30\x80" + b"\x00" * 40),
         b"Content-Disposition: attachment; filename=smime.p7s\n", cte="base64")],
    params='; protocol="application/pkcs7-signature"; micalg=sha-256'))
add("body-signed-pgp", multi("signed", [
    part("text/plain; charset=us-ascii", b"PGP signed body.\n"),
    part("application/pgp-signature; name=signature.asc",
         b"-----BEGIN PGP SIGNATURE-----\n\niQEzBAEBCAAdFiEE\n-----END PGP SIGNATURE-----\n")],
    params='; protocol="application/pgp-signature"; micalg=pgp-sha256'))
add("body-encrypted-pgp", multi("encrypted", [
    part("application/pgp-encrypted", b"Version: 1\n"),
    part("application/octet-stream; name=encrypted.asc",
         b"-----BEGIN PGP MESSAGE-----\n\nhQEMA8Nk\n-----END PGP MESSAGE-----\n")],
    params='; protocol="application/pgp-encrypted"'))
add("body-encrypted-smime", single("application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m",
                                   base64.encodebytes(b"\x30\x80\x06\x09" + b"\x00" * 40), "base64"))
def tlv(tag, content):
    n = len(content)
    length = bytes([n]) if n < 0x80 else (bytes([0x81, n]) if n < 0x100 else bytes([0x82, n >> 8, n & 255]))
    return bytes([tag]) + length + content


def indef(tag, content):
    return bytes([tag, 0x80]) + content + b"\0\0"


def opaque_signed(entity):
    """CMS SignedData (BER, indefinite lengths, chunked content, no signer)."""
    oid_sd, oid_data = bytes.fromhex("2a864886f70d010702"), bytes.fromhex("2a864886f70d010701")
    chunks = b"".join(tlv(0x04, entity[i:i + 32]) for i in range(0, len(entity), 32))
    encap = indef(0x30, tlv(0x06, oid_data) + indef(0xA0, indef(0x24, chunks)))
    sd = indef(0x30, tlv(0x02, b"\x01") + tlv(0x31, b"") + encap + tlv(0x31, b""))
    return indef(0x30, tlv(0x06, oid_sd) + indef(0xA0, sd))


add("body-signed-smime-opaque", single(
    "application/pkcs7-mime; smime-type=signed-data; name=smime.p7m",
    base64.encodebytes(opaque_signed(b"Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n" +
                                     nec_jis("署名付き ①") + b"\r\n")), "base64"))
FWD_INNER = (b"From: Original <orig@example.com>\nTo: sender@example.jp\nSubject: =?ISO-2022-JP?B?" +
             base64.b64encode(nec_jis("転送元 ①")) + b"?=\nDate: Sun, 31 May 2026 09:00:00 +0900\n"
             b"Message-ID: <inner@example.com>\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n"
             b"Content-Transfer-Encoding: 8bit\n\n" + "<p>転送された<b>HTML</b>本文</p>\n".encode())
add("body-forward-rfc822", multi("mixed", [
    part("text/plain; charset=utf-8", "転送します。\n".encode(), cte="8bit"),
    part("message/rfc822", FWD_INNER, b"Content-Disposition: attachment\n")]))
add("body-forward-nested", multi("mixed", [
    part("text/plain", b"Level 0\n"),
    part("message/rfc822", b"From: a@example.com\nSubject: level 1\nMIME-Version: 1.0\n" +
         b'Content-Type: multipart/mixed; boundary="n1"\n\n--n1\n' + part("text/plain", b"Level 1\n") +
         b"--n1\n" + part("message/rfc822", b"From: b@example.com\nSubject: level 2\n"
                          b"Content-Type: text/html\n\n<p>Level <i>2</i></p>\n") + b"--n1--\n")]))
add("body-html-malformed", single("text/html; charset=utf-8",
                                  b"<html><body><p>unclosed <b>bold <i>both</p><div>div<table><tr><td>cell"
                                  b"<td>cell2</tr><p>after table <a href='https://x.example/'>link\n"
                                  b"<p>bad bytes: \xff\xfe ok</p></body>\n", "8bit"))
ENT = (b'<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
       b"<p>&b;&b; &amp; &lt;tag&gt; &#x2460; &#12354; &hearts; &nosuch; &#0; &#xD800;</p>\n")
add("body-html-entities", single("text/html; charset=utf-8", ENT, "8bit"))
add("body-html-invalid-sjis", single("text/html; charset=shift_jis",
                                     b"<p>" + "正常".encode("cp932") + b"\x81\x20\xa0\xfd\xff" +
                                     "続き".encode("cp932") + b"</p>\n", "8bit"))
add("body-header-rfc2047-split", single("text/plain; charset=utf-8", "本文\n".encode(), "8bit",
                                        subject=b"=?UTF-8?B?44E=?= =?UTF-8?B?gg==?= " + "生".encode("cp932")))
add("body-forged-status-headers", single("text/plain; charset=us-ascii", b"hello\n",
                                         extra=b"X-Mugaika-Status: clean\nX-Mugaika-Actions: none\n"))
add("body-empty", hdr() + b"\n")
add("body-mixed-two-texts", multi("mixed", [
    part("text/plain; charset=utf-8", "最初の本文\n".encode(), cte="8bit"),
    part("text/html; charset=utf-8", "<p>二つ目の本文</p>\n".encode(), b"Content-Disposition: inline\n", cte="8bit")]))
add("body-format-flowed", single("text/plain; charset=utf-8; format=flowed; delsp=yes",
                                 "長い行は \n折り返されて \nいます。\n".encode(), "8bit"))
add("body-attachment-rfc2231-iso2022jp", multi("mixed", [
    part("text/plain", b"see attachment\n"),
    part("text/csv", b"a,b\n1,2\n",
         b"Content-Disposition: attachment;\n filename*0*=iso-2022-jp''%1B%24%42%2D%21;\n"
         b" filename*1*=%24%22%1B%28%42.csv\n")]))


def main():
    for name, data in sorted(SAMPLES.items()):
        with open(os.path.join(OUT, name + ".eml"), "wb") as f:
            f.write(data)
    print("%d samples" % len(SAMPLES), file=sys.stderr)


if __name__ == "__main__":
    main()
