#!/usr/bin/env python3
# tests/tools/corpus-sweep.py - developer tool, NOT part of `make check`.
#
# Runs a third-party test corpus (e.g. /work/shared/corpus, laid out as
# described in its MANIFEST.md / manifest.json) through `mugaika sanitize
# --report`, one process per input, with a per-run timeout, and summarises
# what went wrong: crashes (signals), ASan/UBSan/LSan reports, timeouts,
# exit 75 (temporary failure = internal error or a deliberate fail-closed
# case), and parts of a type that should have been rebuilt/removed but
# were reported "kept".
#
# Message-like files (*.eml, *.msg, *.mbox, or anything from the MIME
# parser sets whose first line looks like a header) are fed as they are
# (and, with --nested, also forwarded inside a message/rfc822 part);
# every other file is attached (base64) to a generated message.  ClamAV's
# XOR-obfuscated test files are decoded in memory first (key from the
# corpus MANIFEST.md), never written out decoded except into the per-run
# temporary directory, which is removed at the end.
#
# Build with `../configure --enable-sanitizers` first.  Usage:
#   tests/tools/corpus-sweep.py --mugaika BUILD/mugaika [--corpus DIR]
#       [--timeout 30] [--jobs 2] [--only SUBSTR] [--nested] [--always] [--rebuild]
#       [--out results.json]
# --always: every message also with `scan_message_mime = always`, verdicts
# compared; --rebuild: every non-message file also through `mugaika rebuild`.
# Also flagged: structural MIME defects in the output, body text that did
# not arrive (a heuristic: words of the input's text parts), and parts or
# objects removed that the (English) notice does not name.
# Exit status 1 when anything was recorded as a failure.
import argparse
import base64
import concurrent.futures
import json
import mimetypes
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
import email
import email.policy
import io

MSG_SOURCES = ("mime-tools", "mimekit", "mime4j", "gmime", "stalwart-mail-parser")
MSG_EXT = (".eml", ".msg", ".mbox")
SKIP = ("MANIFEST.md", "SHA256SUMS", "manifest.json")
XOR_KEY = (
    b"bhcftqarohcdiayfohalohkgmoefxrrgfnczssgybajvkzjaahpfrlqsratkhhfvpxytculmwgmtyzujlbjlgr"
    b"htwxhzpjazlibbwepffyjyfkjwzyofgpopoueurinpdujkphxwhnaxfkaiwrpzdqsnwughtejr"
)
# Declared/detected types that must never leave as "kept" (active content
# carriers the CDR stage is expected to rebuild, convert or remove).
ACTIVE = re.compile(
    r"officedocument|ms-word|ms-excel|ms-powerpoint|msword|opendocument|"
    r"application/pdf|^image/|zip|rar|7z|x-tar|gzip|lzh|cab|ms-tnef|rtf|"
    r"x-msdownload|x-dosexec|octet-stream|ole|x-ole-storage"
)
# Declared types that are a message or a piece of one: never fine as a
# kept leaf (a fragment, or an encoded message a client opens whole).
WHOLE_MESSAGES = ("message/rfc822", "message/global", "message/partial", "message/external-body")
SAN = re.compile(r"ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|SUMMARY: UndefinedBehavior")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


XOR_MESSAGE = re.compile(r"\.(eml|mail|mbox\.[a-z0-9]+)\.xor$")


def looks_like_message(path, src):
    if path.endswith(MSG_EXT):
        return True
    if src not in MSG_SOURCES:
        return False
    with open(path, "rb") as f:
        head = f.read(512)
    return bool(re.match(rb"(From |[A-Za-z][A-Za-z0-9-]*:[ \t])", head))


def xor_decode(data):
    return bytes(b ^ XOR_KEY[i % len(XOR_KEY)] for i, b in enumerate(data))


def wrap(name, data):
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    b64 = base64.encodebytes(data).decode()
    return (
        "From: sweep@example.org\r\nTo: user@example.jp\r\nSubject: corpus " + name + "\r\n"
        "Message-ID: <sweep@example.org>\r\nDate: Sun, 29 Nov 2026 00:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"sweepB\"\r\n\r\n"
        "--sweepB\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nsee attachment\r\n"
        "--sweepB\r\nContent-Type: " + ctype + "; name=\"" + name + "\"\r\n"
        "Content-Disposition: attachment; filename=\"" + name + "\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + b64.replace("\n", "\r\n") + "--sweepB--\r\n"
    ).encode()


# Package entries that must not survive a rebuild (ObjectReplacements/ are
# the static preview pictures of removed ODF objects: they stay).
OOXML_ACTIVE = re.compile(r"vbaProject|vbaData|activeX|oleObject|/embeddings/|externalLink|customUI|macrosheets|"
                          r"attachedToolbars|^/Basic/|^/Scripts/|^/Object \d+$", re.I)
# Names that act in a PDF (a bare /RichMedia key is inert; the annotation
# subtype and the action are what a reader runs).
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|OpenAction|AA|Launch|EmbeddedFiles?|SubmitForm|ImportData|"
                        rb"RichMediaExecute|Subtype\s*/RichMedia)\b")


# A file encoded inside delivered text (clients show it as an attachment).
INLINE_FILE = re.compile(rb"^(begin(-base64)? [0-7]{3,4} \S|=ybegin |\(This file must be converted with BinHex)", re.M)


def pdf_tokens(data, run):
    """Active-content names left in a delivered PDF (object streams expanded by qpdf when present)."""
    src, qdf = os.path.join(run, "o.pdf"), os.path.join(run, "q.pdf")
    with open(src, "wb") as f:
        f.write(data)
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--qdf", "--object-streams=disable", src, qdf],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        if os.path.exists(qdf):
            with open(qdf, "rb") as f:
                data = f.read()
    return sorted(set(m.group(1).decode() for m in PDF_ACTIVE.finditer(data)))


def check_file(name, data, run, text=False):
    """What is left in one delivered file that the tag legend says must go."""
    bad = []
    if data[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, ValueError):
            names = []
        left = [n for n in names if OOXML_ACTIVE.search("/" + n)]
        if left:
            bad.append("%s: %s" % (name, ", ".join(left[:5])))
    elif text and INLINE_FILE.search(data):
        bad.append("%s: encoded file inside the text" % name)
    elif data[:5] == b"%PDF-":
        left = pdf_tokens(data, run)
        if left:
            bad.append("%s: %s" % (name, ", ".join(left)))
    return bad


def check_output(path, run):
    """What is left in the delivered attachments that the tag legend says must go."""
    bad = []
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.compat32)
    for part in msg.walk():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        name = part.get_filename() or part.get_content_type()
        bad += check_file(name, data, run, part.get_content_maintype() == "text")
    return bad


# Structural defects in delivered MIME (header-value defects copied from
# the sender's own headers are not counted).
STRUCT_DEFECTS = ("StartBoundaryNotFound", "CloseBoundaryNotFound", "MultipartInvariantViolation",
                  "MissingHeaderBodySeparator", "NoBoundaryInMultipart", "FirstHeaderLineIsContinuation",
                  "MisplacedEnvelopeHeader", "InvalidBase64", "MultipartConversion",
                  "InvalidMultipartContentTransferEncoding", "MalformedHeader")


def mime_defects(path):
    with open(path, "rb") as f:
        raw = f.read()
    out = []
    if not raw.strip():
        return ["empty output"]
    lines = raw.split(b"\n")
    if any(len(l) > 998 for l in lines):
        out.append("line longer than 998 octets")
    if b"\0" in raw:
        out.append("NUL in output")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for part in msg.walk():
        for d in part.defects:
            n = type(d).__name__.replace("Defect", "")
            if n in STRUCT_DEFECTS:
                out.append("%s: %s" % (part.get_content_type(), n))
        if not part.is_multipart():
            cte = (part.get("Content-Transfer-Encoding") or "7bit").strip().lower()
            body = part.get_payload(decode=False)
            if cte in ("7bit", "quoted-printable", "base64") and isinstance(body, str) and \
                    any(ord(c) > 127 for c in body):
                out.append("%s: 8-bit data under %s" % (part.get_content_type(), cte))
    return sorted(set(out))


WORD = re.compile(r"[A-Za-z]{6,}")
HTML_DROP = re.compile(r"(?is)<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>")


def text_words(msg):
    words = set()
    for part in msg.walk():
        if part.get_content_maintype() != "text" or part.get_filename():
            continue
        data = part.get_payload(decode=True) or b""
        cs = part.get_content_charset() or "utf-8"
        try:
            t = data.decode(cs, "replace")
        except LookupError:
            t = data.decode("utf-8", "replace")
        if part.get_content_subtype() == "html":
            t = HTML_DROP.sub(" ", t)
        words |= set(w.lower() for w in WORD.findall(t))
    return words


def text_lost(src, out):
    """Readable words of the input's text body that the delivered text lost."""
    if not src:
        return []
    with open(src, "rb") as f:
        want = text_words(email.message_from_binary_file(f, policy=email.policy.compat32))
    with open(out, "rb") as f:
        have_msg = email.message_from_binary_file(f, policy=email.policy.compat32)
    have = text_words(have_msg)
    for part in have_msg.walk():  # forwarded messages are delivered as attachments
        if part.get_content_type() in ("message/rfc822", "message/global"):
            have |= text_words(part)
    missing = sorted(want - have)
    if len(want) >= 5 and len(missing) > 0.3 * len(want):
        return ["%d of %d words missing, e.g. %s" % (len(missing), len(want), " ".join(missing[:8]))]
    return []


def notice_text(out):
    with open(out, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.compat32)
    t = ""
    for part in msg.walk():
        if part.get_content_maintype() == "text" and not part.get_filename():
            t += (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
    return t


def notice_gaps(report, out):
    """Parts removed or changed that the notice does not name."""
    t = notice_text(out)
    bad = []
    for q in report.get("parts", []):
        gone = [x.split(": ", 1)[-1] for x in q.get("removed") or []]
        missing = [x for x in gone if x not in t]
        if missing:
            bad.append("%s %s: inner %s" % (q.get("path"), q.get("action"), ", ".join(missing[:3])))
        if q.get("action") in ("kept",):
            continue
        if q.get("action") == "rebuilt" and not q.get("removed"):
            continue
        name = q.get("filename") or ""
        if name and os.path.basename(name.replace("\\", "/")) not in t and name not in t:
            bad.append("%s %s %s" % (q.get("path"), q.get("action"), name))
        elif not name and not any(x and x in t for x in (q.get("declared_type"), q.get("detected_type"),
                                                            q.get("new_type"), q.get("path"))) and \
                not (q.get("action") == "converted" and "HTML" in t):
            bad.append("%s %s (no name, %s)" % (q.get("path"), q.get("action"), q.get("declared_type")))
    return bad


def wrap_message(name, data):
    """The message as a forwarded message/rfc822 attachment (7bit/8bit: GMime parses it)."""
    if not data.endswith(b"\n"):
        data += b"\r\n"
    return (
        b"From: sweep@example.org\r\nTo: user@example.jp\r\nSubject: fwd " + name.encode() + b"\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"sweepFwd\"\r\n\r\n"
        b"--sweepFwd\r\nContent-Type: text/plain\r\n\r\nforwarded\r\n"
        b"--sweepFwd\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n"
        b"Content-Disposition: attachment; filename=\"" + name.encode() + b"\"\r\n\r\n"
        + data + b"\r\n--sweepFwd--\r\n"
    )


def make_conf(d):
    env = dict(os.environ, top_srcdir=REPO, top_builddir=d)
    out = subprocess.run(
        ["sh", "-c", '. "$top_srcdir/tests/lib.sh"; mg_test_conf "$1"', "sh", d],
        env=env, check=True, capture_output=True, text=True,
    )
    conf = out.stdout.strip().splitlines()[-1]
    with open(conf, "a") as f:
        # English notice: the objects removed inside a file are checked
        # against it by their report wording
        f.write("quarantine_keep = none\nnotice_language = en\n")
    return conf


def kept_active(report):
    bad = []
    for p in report.get("parts", []):
        if p.get("action") != "kept":
            continue
        t = p.get("detected_type") or p.get("declared_type") or ""
        declared = (p.get("declared_type") or "").lower()
        if ACTIVE.search(t) or declared in WHOLE_MESSAGES:
            bad.append("%s %s (%s)" % (p.get("path"), t, p.get("reason")))
    return bad


def run_rebuild(args, conf, tmp, rel):
    """`mugaika rebuild` on the file under its real name (XOR samples decoded)."""
    run = tempfile.mkdtemp(dir=tmp)
    with open(os.path.join(args.corpus, rel), "rb") as f:
        data = f.read()
    name = os.path.basename(rel)
    if name.endswith(".xor"):
        data, name = xor_decode(data), name[:-4]
    src, out = os.path.join(run, name), os.path.join(run, "rebuilt.out")
    with open(src, "wb") as f:
        f.write(data)
    res = {"file": rel, "kind": "rebuild", "mode": "auto", "problems": []}
    started = time.monotonic()
    try:
        p = subprocess.run([args.mugaika, "rebuild", "-c", conf, "-o", out, src], env=san_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        res["rc"] = "timeout"
        res["problems"].append("timeout")
        shutil.rmtree(run, ignore_errors=True)
        return res
    res["seconds"] = round(time.monotonic() - started, 2)
    res["rc"] = p.returncode
    res["stdout"] = p.stdout.decode("utf-8", "replace").splitlines()[:12]
    check_exit(res, p.returncode, p.stderr.decode("utf-8", "replace"))
    kv = dict(l.split(": ", 1) for l in res["stdout"] if ": " in l)
    res["verdict"] = kv.get("result")
    res["reason"] = kv.get("reason")
    if p.returncode == 0 and os.path.exists(out):
        with open(out, "rb") as f:
            built = f.read()
        left = check_file(name, built, run)
        if left:
            res["problems"].append("active-left")
            res["left"] = left
    shutil.rmtree(run, ignore_errors=True)
    return res


def san_env():
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
    env["LSAN_OPTIONS"] = "suppressions=%s/tests/lsan.supp:print_suppressions=0" % REPO
    env["UBSAN_OPTIONS"] = "print_stacktrace=1"
    return env


def check_exit(res, rc, err):
    if rc < 0:
        res["problems"].append("signal %d" % -rc)
    if SAN.search(err):
        res["problems"].append("sanitizer")
        res["sanitizer"] = "\n".join(err.splitlines()[:40])
    if rc == 75:
        res["problems"].append("tempfail")
        res["reply"] = [l for l in err.splitlines() if "error" in l or "mugaika" in l][-3:]
    if rc not in (0, 75, 77) and rc >= 0 and "sanitizer" not in res["problems"]:
        res["problems"].append("exit %d" % rc)


def run_one(args, confs, tmp, entry):
    rel, kind, mode = entry
    if kind == "rebuild":
        return run_rebuild(args, confs["auto"], tmp, rel)
    conf = confs[mode]
    path = os.path.join(args.corpus, rel)
    run = tempfile.mkdtemp(dir=tmp)
    msg = os.path.join(run, "in.eml")
    rep = os.path.join(run, "report.json")
    if kind == "message" and rel.endswith(".xor"):
        with open(path, "rb") as f, open(msg, "wb") as g:
            g.write(xor_decode(f.read()))
    elif kind == "message":
        shutil.copyfile(path, msg)
    elif kind == "nested":
        with open(path, "rb") as f:
            data = f.read()
        with open(msg, "wb") as f:
            f.write(wrap_message(os.path.basename(rel), data))
    else:
        with open(path, "rb") as f:
            data = f.read()
        name = os.path.basename(rel)
        if name.endswith(".xor"):
            data, name = xor_decode(data), name[:-4]
        with open(msg, "wb") as f:
            f.write(wrap(name, data))
    env = san_env()
    res = {"file": rel, "kind": kind, "mode": mode, "problems": []}
    out = os.path.join(run, "out.eml")
    outf = open(out, "wb")
    started = time.monotonic()
    try:
        p = subprocess.run(
            [args.mugaika, "sanitize", "-c", conf, "--report", rep, msg],
            env=env, stdout=outf, stderr=subprocess.PIPE, timeout=args.timeout,
        )
    except subprocess.TimeoutExpired:
        res["rc"] = "timeout"
        res["problems"].append("timeout")
        return res
    finally:
        outf.close()
        if os.path.exists(msg):
            os.unlink(msg)
    res["seconds"] = round(time.monotonic() - started, 2)
    err = p.stderr.decode("utf-8", "replace")
    res["rc"] = p.returncode
    check_exit(res, p.returncode, err)
    if p.returncode != 0:
        res["reply_line"] = [l for l in err.splitlines() if l.startswith("mugaika sanitize: ")][:1]
    if p.returncode == 0:
        left = check_output(out, run)
        if left:
            res["problems"].append("active-left")
            res["left"] = left
        res["mime"] = mime_defects(out)
        if res["mime"]:
            res["problems"].append("mime-defects")
        lost = text_lost(path if kind == "message" and not rel.endswith(".xor") else None, out)
        if lost:
            res["problems"].append("text-lost")
            res["lost"] = lost
    if os.path.exists(rep):
        try:
            with open(rep) as f:
                report = json.load(f)
            res["verdict"] = report.get("verdict")
            res["reason"] = report.get("reason")
            res["parts"] = ["%s %s %s: %s%s" % (q.get("path"), q.get("detected_type") or q.get("declared_type"),
                                                q.get("action"), q.get("reason"),
                                                " [" + "; ".join(q["removed"]) + "]" if q.get("removed") else "")
                            for q in report.get("parts", [])]
            res["events"] = report.get("events", [])
            kept = kept_active(report)
            if kept and report.get("verdict") == "accept":
                res["problems"].append("kept-active")
                res["kept"] = kept
            if p.returncode == 0:
                unnamed = notice_gaps(report, out)
                if unnamed:
                    res["problems"].append("notice-gap")
                    res["unnamed"] = unnamed
        except ValueError:
            res["problems"].append("bad report json")
    shutil.rmtree(run, ignore_errors=True)
    return res


def corpus_entries(corpus, only, nested, always, rebuild):
    try:
        with open(os.path.join(corpus, "manifest.json")) as f:
            files = [e["file"] for e in json.load(f)]
    except OSError:
        files = []
        for root, _, names in os.walk(corpus):
            files += [os.path.relpath(os.path.join(root, n), corpus) for n in names]
    modes = ("auto", "always") if always else ("auto",)
    out = []
    for rel in sorted(files):
        if os.path.basename(rel) in SKIP or (only and only not in rel):
            continue
        src = rel.split("/", 1)[0]
        if looks_like_message(os.path.join(corpus, rel), src):
            out += [(rel, "message", m) for m in modes]
            if nested:
                out += [(rel, "nested", m) for m in modes]
        else:
            out += [(rel, "attachment", m) for m in modes]
            if XOR_MESSAGE.search(rel):  # ClamAV's test mails: also as the message they are
                out += [(rel, "message", m) for m in modes]
            if rebuild:
                out.append((rel, "rebuild", "auto"))
    return out


def refused(r):
    return r.get("rc") == 77 or r.get("verdict") not in (None, "accept")


def mode_differences(results):
    """Messages whose verdict under scan_message_mime = always differs from auto."""
    by = {}
    for r in results:
        if r["kind"] in ("message", "nested", "attachment"):
            by.setdefault((r["file"], r["kind"]), {})[r["mode"]] = r
    for (f, k), m in by.items():
        a, b = m.get("auto"), m.get("always")
        if not a or not b:
            continue
        if refused(a) != refused(b) or (a.get("rc") == 75) != (b.get("rc") == 75):
            b["problems"].append("mode-differs")
            b["differs"] = "auto: rc=%s %s / always: rc=%s %s" % (a.get("rc"), a.get("reason"),
                                                                  b.get("rc"), b.get("reason"))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--mugaika", required=True)
    ap.add_argument("--corpus", default="/work/shared/corpus")
    ap.add_argument("--timeout", type=int, default=30)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="")
    ap.add_argument("--out", default="")
    ap.add_argument("--nested", action="store_true", help="also run every message forwarded as message/rfc822")
    ap.add_argument("--always", action="store_true",
                    help="also run every message with scan_message_mime = always and compare the verdicts")
    ap.add_argument("--rebuild", action="store_true", help="also run every non-message file through `mugaika rebuild`")
    args = ap.parse_args()
    entries = corpus_entries(args.corpus, args.only, args.nested, args.always, args.rebuild)
    tmp = tempfile.mkdtemp(prefix="mg-sweep.")
    results = []
    try:
        conf = make_conf(tmp)
        always = os.path.join(tmp, "always.conf")
        with open(conf) as f, open(always, "w") as g:
            g.write(f.read() + "scan_message_mime = always\n")
        confs = {"auto": conf, "always": always}
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
            futs = [ex.submit(run_one, args, confs, tmp, e) for e in entries]
            for fut in concurrent.futures.as_completed(futs):
                r = fut.result()
                results.append(r)
                if r["problems"]:
                    print("%-60s %s/%s rc=%s %s" % (r["file"], r["kind"], r.get("mode"), r["rc"],
                                                   ",".join(r["problems"])), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    mode_differences(results)
    results.sort(key=lambda r: (r["file"], r["kind"], r.get("mode") or ""))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1, ensure_ascii=False)
    counts = {}
    for r in results:
        for pr in r["problems"]:
            key = pr.split(" ")[0]
            counts[key] = counts.get(key, 0) + 1
    kinds = {}
    for r in results:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    verdicts = {}
    for r in results:
        key = "%s/%s %s" % (r["kind"], r.get("mode"), r.get("verdict"))
        verdicts[key] = verdicts.get(key, 0) + 1
    print("swept %d runs %s; verdicts %s" % (len(results), kinds, verdicts))
    print("problems: %s" % (counts or "none"))
    slow = sorted((r for r in results if isinstance(r.get("seconds"), float)), key=lambda r: -r["seconds"])[:3]
    print("slowest: %s" % ", ".join("%s %.1fs" % (r["file"], r["seconds"]) for r in slow))
    return 1 if any(r["problems"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
