#!/usr/bin/env python3
"""Issue 12, "Also found": parts that disappear without a word.

Broken or unusual MIME structure: a multipart without a boundary, bare-CR
line ends, multipart/signed with the signature first or with extra parts,
attachments inside the HTML branch of an alternative, two boundary or
Content-Type declarations, truncated messages, fragments and external
bodies, delivery reports and digests.  Each input part carries a token
(or a name); the `accounted` check wants every one delivered, or named in
the notice and listed in the report, or the message refused.
"""
import sys

import hostile as H

s = H.Suite("gen_structure")
PDF = H.pdf_doc("Quarterly report")


HTA = b'<html><script language="VBScript">CreateObject("WScript.Shell").Run "calc"</script></html>\r\n'


def parts3(tag):
    """A body text, a text attachment, a PDF and a script, with tokens and
    names (the script checks that no branch escapes sanitizing)."""
    return ([H.text("BODY-TOKEN-%s the body text\n" % tag),
             H.leaf("text/plain; charset=utf-8", "NOTE-TOKEN-%s a text attachment\n" % tag, filename="note-%s.txt" % tag),
             H.leaf("application/pdf", PDF, filename="report-%s.pdf" % tag),
             H.leaf("application/hta", HTA, filename="run-%s.hta" % tag)],
            [{"token": "BODY-TOKEN-" + tag}, {"token": "NOTE-TOKEN-" + tag, "name": "note-%s.txt" % tag},
             {"name": "report-%s.pdf" % tag}, {"name": "run-%s.hta" % tag}])


def add(name, title, msg, accounted, extra=()):
    s.case(name, "silent-loss", title, msg,
           [("accounted", {"parts": accounted}), ("inert", {"pattern": "WScript.Shell"})] + list(extra))


# multipart without a boundary parameter
for sub in ("mixed", "alternative", "related", "x-unknown"):
    ps, acc = parts3("nb" + sub)
    ent = H.multipart(sub, ps, boundary="nb-hidden", ctype="multipart/%s" % sub)
    add("noboundary-" + sub, "multipart/%s without a boundary parameter" % sub, H.message(ent, s.msgid(
        "noboundary-" + sub)), acc)
ps, acc = parts3("nbempty")
add("noboundary-empty", "multipart/mixed with boundary=\"\"",
    H.message(H.multipart("mixed", ps, boundary="nbe", ctype='multipart/mixed; boundary=""'),
              s.msgid("noboundary-empty")), acc)

# bare CR line ends: everywhere, only in the body, only in part headers
ps, acc = parts3("cr")
m = H.message(H.multipart("mixed", ps, boundary="cr-b"), s.msgid("barecr-all"))
add("barecr-all", "every line ends in a bare CR", m.replace(b"\n", b"\r"), acc)
ps, acc = parts3("crbody")
m = H.message(H.multipart("mixed", ps, boundary="crb-b"), s.msgid("barecr-body"))
head, body = m.split(b"\n\n", 1)
add("barecr-body", "the body's lines end in a bare CR", head + b"\n\n" + body.replace(b"\n", b"\r"), acc)
ps, acc = parts3("crpart")
ps = [p.replace(b"\n", b"\r", p.index(b"\n\n") + 1) if i else p for i, p in enumerate(ps)]
ps = [p.split(b"\n\n", 1)[0].replace(b"\n", b"\r") + b"\r\r" + p.split(b"\n\n", 1)[1] if b"\n\n" in p else p
      for p in ps]
add("barecr-partheaders", "part headers end in bare CRs",
    H.message(H.multipart("mixed", ps, boundary="crp-b"), s.msgid("barecr-partheaders")), acc)

# a nested multipart whose every part is removed (corpus sweep: stalwart
# rfc/000.eml went out with an empty multipart/mixed inside)
GONE = [H.leaf("application/octet-stream", b"\x00", filename="gone-%d.bin" % i) for i in (1, 2)]
add("nested-all-removed", "a nested multipart/mixed whose parts are all removed",
    H.message(H.multipart("mixed", [H.text("BODY-TOKEN-gone the body text\n"), H.multipart("mixed", GONE, boundary="in"),
                                    H.text("TAIL-TOKEN-gone after\n")], boundary="out"),
              s.msgid("nested-all-removed")),
    [{"token": "BODY-TOKEN-gone"}, {"token": "TAIL-TOKEN-gone"}, {"name": "gone-1.bin"}, {"name": "gone-2.bin"}])
ALTGONE = [H.leaf("application/octet-stream", b"\x00", filename="alt-%d.bin" % i) for i in (1, 2)]
add("nested-all-removed-alternative", "multipart/alternative of two removed parts inside a mixed",
    H.message(H.multipart("mixed", [H.text("BODY-TOKEN-altgone the body\n"),
                                    H.multipart("alternative", ALTGONE, boundary="alt")], boundary="out"),
              s.msgid("nested-all-removed-alternative")),
    [{"token": "BODY-TOKEN-altgone"}, {"name": "alt-1.bin"}, {"name": "alt-2.bin"}])

# multipart/signed in the wrong order or with extra parts
SIG = H.leaf("application/pkcs7-signature", b"\x30\x82\x01\x00" + bytes(64), filename="smime.p7s")
PGPSIG = H.leaf("application/pgp-signature", b"-----BEGIN PGP SIGNATURE-----\n\niQE\n-----END PGP SIGNATURE-----\n",
                cte="7bit")
SIGNED = 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sg"'
PSIGNED = 'multipart/signed; protocol="application/pgp-signature"; micalg=pgp-sha256; boundary="sg"'
ps, acc = parts3("sigfirst")
add("signed-sig-first", "multipart/signed with the signature first, then body and attachments",
    H.message(H.multipart("signed", [SIG] + ps, boundary="sg", ctype=SIGNED), s.msgid("signed-sig-first")), acc)
ps, acc = parts3("sigmid")
add("signed-three", "multipart/signed with body, attachments, signature (more than two parts)",
    H.message(H.multipart("signed", ps + [SIG], boundary="sg", ctype=SIGNED), s.msgid("signed-three")), acc)
ps, acc = parts3("pgpfirst")
add("signed-pgp-sig-first", "PGP multipart/signed with the signature first",
    H.message(H.multipart("signed", [PGPSIG, H.multipart("mixed", ps, boundary="in")], boundary="sg",
                          ctype=PSIGNED), s.msgid("signed-pgp-sig-first")), acc)
ps, acc = parts3("sigonly")
add("signed-nested-second", "multipart/signed: signature, then a multipart/mixed with the content",
    H.message(H.multipart("signed", [SIG, H.multipart("mixed", ps, boundary="in")], boundary="sg", ctype=SIGNED),
              s.msgid("signed-nested-second")), acc)
ps, acc = parts3("signosig")
add("signed-no-signature", "multipart/signed whose parts are all content",
    H.message(H.multipart("signed", ps, boundary="sg", ctype=SIGNED), s.msgid("signed-no-signature")), acc)

# attachments hidden in the branch of an alternative that is not shown
LONG = "PLAIN-TOKEN-alt This is the plain text version of the message, long enough to be the body.\n"
rel = H.multipart("related", [H.text("<html><body><p>HTML-TOKEN-alt</p><img src=\"cid:logo\"></body></html>\n",
                                     ctype="text/html; charset=utf-8"),
                              H.leaf("image/png", H.PNG, filename="logo.png", disposition="inline",
                                     headers=["Content-ID: <logo>"]),
                              H.leaf("application/pdf", PDF, filename="report-alt.pdf")], boundary="rel")
add("alternative-related-attachment", "a PDF inside the multipart/related of the HTML alternative",
    H.message(H.multipart("alternative", [H.text(LONG), rel], boundary="alt"), s.msgid("alternative-related-attachment")),
    [{"token": "PLAIN-TOKEN-alt"}, {"name": "report-alt.pdf"}])
add("alternative-mixed-branch", "alternatives: plain, and a multipart/mixed carrying an attachment",
    H.message(H.multipart("alternative", [H.text(LONG), H.multipart("mixed", [
        H.text("MIXED-TOKEN second version\n"), H.leaf("application/pdf", PDF, filename="report-mix.pdf")],
        boundary="mx")], boundary="alt"), s.msgid("alternative-mixed-branch")),
    [{"token": "PLAIN-TOKEN-alt"}, {"name": "report-mix.pdf"}])
add("alternative-two-plains", "two text/plain alternatives: the last is what a client shows",
    H.message(H.multipart("alternative", [H.text(LONG), H.text("SECOND-PLAIN-TOKEN the other text, long enough to "
                                                              "be the body of the message.\n")],
                          boundary="alt"), s.msgid("alternative-two-plains")),
    [{"token": "SECOND-PLAIN-TOKEN"}])
add("alternative-no-text", "an alternative of a PDF and an image only",
    H.message(H.multipart("alternative", [H.leaf("application/pdf", PDF, filename="only.pdf"),
                                          H.leaf("image/png", H.PNG, filename="only.png")], boundary="alt"),
              s.msgid("alternative-no-text")), [{"name": "only.pdf"}, {"name": "only.png"}])

# two boundary parameters, two Content-Type fields: parsers disagree
ps, acc = parts3("twob")
ent = H.multipart("mixed", ps, boundary="second", ctype='multipart/mixed; boundary="first"; boundary="second"')
add("two-boundaries", "boundary given twice; the parts use the second one", H.message(ent, s.msgid("two-boundaries")),
    acc)
# two boundary parameters with parts under both: the second boundary's
# parts sit in the first one's epilogue (or prologue), where a client that
# reads the other boundary finds them (ClamAV's test mail
# clam.mail-multiple-boundaries.eml: an executable there went neither
# delivered nor announced, and no scan saw it)
ps, acc = parts3("twobepi")
second = H.multipart("mixed", ps[1:], boundary="second", ctype="x")
second = second.split(b"\n\n", 1)[1]
ent = H.multipart("mixed", ps[:1], boundary="first", ctype='multipart/mixed; boundary="first"; boundary="second"',
                  epilogue=second)
add("two-boundaries-epilogue", "boundary given twice; parts under both, the second set after the first's end",
    H.message(ent, s.msgid("two-boundaries-epilogue")), acc)
ps, acc = parts3("twobpro")
second = H.multipart("mixed", ps[1:], boundary="second", ctype="x", close=True).split(b"\n\n", 1)[1]
ent = H.multipart("mixed", ps[:1], boundary="first", ctype='multipart/mixed; boundary="second"; boundary="first"',
                  preamble=b"This is a multi-part message in MIME format.\n" + second)
add("two-boundaries-prologue", "boundary given twice; the second set of parts before the first boundary",
    H.message(ent, s.msgid("two-boundaries-prologue")), acc)
s.case("two-boundaries-eicar", "silent-loss", "EICAR under the second of two boundary parameters, after the first's end",
       H.message(H.multipart("mixed", [H.text("BODY-TOKEN-twobv the body\n")], boundary="first",
                             ctype='multipart/mixed; boundary="first"; boundary="second"',
                             epilogue=H.multipart("mixed", [H.leaf("application/octet-stream", H.eicar(),
                                                                   filename="tool.com")],
                                                  boundary="second", ctype="x").split(b"\n\n", 1)[1]),
                 s.msgid("two-boundaries-eicar")),
       [("verdict", {"is": "reject", "code": "550"})])
ps, acc = parts3("twoct")
ent = H.multipart("mixed", ps, boundary="tc")
ent = b"Content-Type: text/plain; charset=us-ascii\n" + ent
add("two-content-types", "a text/plain Content-Type before the multipart one",
    H.message(ent, s.msgid("two-content-types")), acc)
ps, acc = parts3("comment")
add("ct-comment", "Content-Type with an RFC 822 comment before the boundary",
    H.message(H.multipart("mixed", ps, boundary="cm", ctype='multipart/mixed (mixed parts); boundary="cm"'),
              s.msgid("ct-comment")), acc)

# a forwarded message whose first field name starts with a UTF-8 BOM
# (mime-tools utf8-bom-at-start.msg, forwarded): the field is not copied
# as it is (the attached message's header block then began with a line
# that is no field, and readers showed the whole message as text)
inner = H.inner_message(H.text("INNER-TOKEN-bom the forwarded text\n"), subject="bom inner")
add("forward-bom-field", "forwarded message whose first field name starts with a UTF-8 BOM",
    H.message(H.multipart("mixed", [H.text("BODY-TOKEN-bom the body\n"), H.rfc822(b"\xef\xbb\xbf" + inner)],
                          boundary="fb"), s.msgid("forward-bom-field")),
    [{"token": "BODY-TOKEN-bom"}, {"token": "INNER-TOKEN-bom"}])

# truncation and encoding mistakes
ps, acc = parts3("trunc")
m = H.message(H.multipart("mixed", ps, boundary="tr", close=False), s.msgid("truncated"))
add("truncated", "no closing boundary, the last attachment cut off", m[:len(m) - 60], acc[:3])
ps, acc = parts3("b64mp")
import base64  # noqa: E402
inner = H.multipart("mixed", ps, boundary="enc")
head, body = inner.split(b"\n\n", 1)
ent = head + b"\nContent-Transfer-Encoding: base64\n\n" + base64.encodebytes(body)
add("encoded-multipart", "a multipart with Content-Transfer-Encoding: base64",
    H.message(ent, s.msgid("encoded-multipart")), acc)
ps, acc = parts3("innernoclose")
inner = H.multipart("mixed", ps[1:], boundary="inner", close=False)
add("inner-unclosed", "a nested multipart whose closing boundary is missing",
    H.message(H.multipart("mixed", [ps[0], inner, H.text("AFTER-TOKEN after the nested part\n")], boundary="outer"),
              s.msgid("inner-unclosed")), acc + [{"token": "AFTER-TOKEN"}])
ps, acc = parts3("prefix")
inner = H.multipart("mixed", ps[1:], boundary="b-inner")
add("boundary-prefix", "the inner boundary starts with the outer one",
    H.message(H.multipart("mixed", [ps[0], inner], boundary="b"), s.msgid("boundary-prefix")), acc)

# fragments, external bodies, reports, digests
PARTIAL = H.leaf('message/partial; id="frag@x"; number=1; total=1',
                 H.inner_message(H.text("PARTIAL-TOKEN inside the fragment\n")), cte="7bit")
add("partial-complete", "message/partial holding a whole message in one fragment",
    H.message(H.multipart("mixed", [H.text("BODY-TOKEN-partial\n"), PARTIAL], boundary="pa"),
              s.msgid("partial-complete")), [{"token": "BODY-TOKEN-partial"},
                                             {"token": "PARTIAL-TOKEN", "declared": "message/partial"}])
EXT = H.leaf('message/external-body; access-type=URL; URL="http://x.example.invalid/evil.hta"',
             b"Content-Type: application/hta\n\n", cte="7bit")
add("external-body", "message/external-body pointing at a URL",
    H.message(H.multipart("mixed", [H.text("BODY-TOKEN-ext\n"), EXT], boundary="ex"), s.msgid("external-body")),
    [{"token": "BODY-TOKEN-ext"}, {"declared": "message/external-body", "token": "x.example.invalid/evil.hta"}],
    [("absent", {"pattern": "evil.hta"})])
DSN = H.multipart("report", [
    H.text("DSN-TOKEN Your message could not be delivered.\n"),
    H.leaf("message/delivery-status", b"Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; "
           b"STATUS-TOKEN@example.net\nAction: failed\nStatus: 5.1.1\n", cte="7bit"),
    H.leaf("text/rfc822-headers", b"From: a@example.net\nSubject: HEADERS-TOKEN\n", cte="7bit")],
    boundary="dsn", ctype='multipart/report; report-type=delivery-status; boundary="dsn"')
add("report-dsn", "a delivery status notification (multipart/report)", H.message(DSN, s.msgid("report-dsn")),
    [{"token": "DSN-TOKEN"}, {"token": "STATUS-TOKEN"}, {"token": "HEADERS-TOKEN", "declared": "text/rfc822-headers"}])
# a digest's parts default to message/rfc822: an empty part header, then the message
DIG = H.multipart("digest", [b"\n" + H.inner_message(H.text("DIGEST-ONE-TOKEN first\n"), msgid="d1@x"),
                             b"\n" + H.inner_message(H.text("DIGEST-TWO-TOKEN second\n"), msgid="d2@x")], boundary="dg")
add("digest", "multipart/digest whose parts default to message/rfc822", H.message(DIG, s.msgid("digest")),
    [{"token": "DIGEST-ONE-TOKEN"}, {"token": "DIGEST-TWO-TOKEN"}])
add("empty-mixed", "multipart/mixed with a preamble and no parts",
    H.message(b'Content-Type: multipart/mixed; boundary="none"\n\nPREAMBLE-TOKEN only a preamble\n', s.msgid(
        "empty-mixed")), [{"token": "PREAMBLE-TOKEN"}])
add("text-no-body", "a text part with headers and no body, then an attachment",
    H.message(H.multipart("mixed", [b"Content-Type: text/plain\n\n", H.leaf("application/pdf", PDF,
                                                                             filename="after-empty.pdf")],
                          boundary="nb"), s.msgid("text-no-body")), [{"name": "after-empty.pdf"}])

sys.exit(s.main())
