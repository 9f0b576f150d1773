#!/usr/bin/env python3
"""check.py - keep docs/COMPLIANCE.md true (issue 17).

Reads the compliance map and fails (exit 1, one line per problem) when an
entry names a configuration key that is not in the option table, a file
that does not exist, a function or test that does not occur in the file it
names, or when the entries F1..F58 are not all there, once, in order, with
a known status.  The rules are listed in docs/COMPLIANCE.md itself.

    check.py --srcdir DIR --keys FILE     # FILE: output of `mugaika config-dump --defaults`
    check.py --srcdir DIR --mugaika BIN   # runs BIN config-dump --defaults
    check.py --self-test                  # the checker's own cases (it must be able to fail)
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

N_FEATURES = 58
STATUSES = ("done", "partly", "external", "not yet")
FIELDS = ("status", "settings", "code", "tests", "by", "how", "gaps")
HEAD = re.compile(r"^### F(\d+) · (\S.*)$")
FIELD = re.compile(r"^- ([a-z]+): ?(.*)$")
TICK = re.compile(r"`([^`]+)`")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def option_keys(dump):
    """Keys of the option table from `config-dump --defaults` text."""
    keys = set()
    for line in dump.splitlines():
        m = re.match(r"^#?([a-z][a-z0-9_]*) =", line)
        if m:
            keys.add(m.group(1))
    return keys


def parse(text):
    """[(lineno, number, title, {field: (lineno, value)})], problems"""
    entries, problems = [], []
    cur = None
    for no, line in enumerate(text.splitlines(), 1):
        if line.startswith("### F"):
            m = HEAD.match(line)
            if not m:
                problems.append(f"line {no}: malformed heading (want '### F<n> · title'): {line}")
                cur = None
                continue
            cur = (no, int(m.group(1)), m.group(2), {})
            entries.append(cur)
            continue
        if line.startswith("#"):
            cur = None
            continue
        if cur is None or not line.startswith("- "):
            continue
        m = FIELD.match(line)
        if not m or m.group(1) not in FIELDS:
            problems.append(f"line {no}: F{cur[1]}: unknown field (allowed: {', '.join(FIELDS)}): {line}")
            continue
        if m.group(1) in cur[3]:
            problems.append(f"line {no}: F{cur[1]}: field '{m.group(1)}' given twice")
            continue
        cur[3][m.group(1)] = (no, m.group(2).strip())
    return entries, problems


def check_ref(srcdir, ref, under=None):
    """None if `path` or `path::name` exists, else why not."""
    path, _, name = ref.partition("::")
    if path.startswith("/") or ".." in path.split("/"):
        return f"'{ref}' is not a path inside the source tree"
    if under and not any(path == u or path.startswith(u + "/") for u in under):
        return f"'{path}' is not under {' or '.join(under)}"
    full = os.path.join(srcdir, path)
    if not os.path.exists(full):
        return f"'{path}' does not exist"
    if name:
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_.-]*$", name):
            return f"'{name}' is not a function or test name"
        if os.path.isdir(full):
            return f"'{path}' is a directory; '::{name}' needs a file"
        with open(full, encoding="utf-8", errors="replace") as f:
            body = f.read()
        if not re.search(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", body):
            return f"'{name}' does not occur in {path}"
    return None


def check_entry(srcdir, keys, entry):
    no, num, title, fields = entry
    out = []
    where = f"line {no}: F{num}"
    if "status" not in fields:
        return [f"{where}: no status"]
    status = fields["status"][1]
    if status not in STATUSES:
        out.append(f"{where}: status '{status}' (allowed: {', '.join(STATUSES)})")
    refs = {}
    for name in ("settings", "code", "tests"):
        if name in fields:
            lno, value = fields[name]
            items = TICK.findall(value)
            rest = TICK.sub("", value).replace(",", "").strip()
            if not items or rest:
                out.append(f"line {lno}: F{num}: {name}: write each item in backticks, separated by commas")
            refs[name] = items
    for k in refs.get("settings", []):
        if not KEY.match(k) or k not in keys:
            out.append(f"line {fields['settings'][0]}: F{num}: settings: '{k}' is not a key of the option table")
    for r in refs.get("code", []):
        why = check_ref(srcdir, r)
        if why:
            out.append(f"line {fields['code'][0]}: F{num}: code: {why}")
    for r in refs.get("tests", []):
        why = check_ref(srcdir, r, under=("tests", "fuzz", "bench"))
        if why:
            out.append(f"line {fields['tests'][0]}: F{num}: tests: {why}")
    has_code = bool(refs.get("code")) or "by" in fields
    if status in ("done", "partly") and not has_code:
        out.append(f"{where}: status {status} names no code and no component ('by')")
    if status == "done" and not refs.get("tests"):
        out.append(f"{where}: status done names no test")
    if status == "external" and "by" not in fields:
        out.append(f"{where}: status external does not say 'by' what")
    if status in ("partly", "not yet") and "gaps" not in fields and "by" not in fields:
        out.append(f"{where}: status {status} does not say what is missing ('gaps')")
    return out


def check(srcdir, keys, text):
    entries, problems = parse(text)
    want = 1
    seen = set()
    for e in entries:
        if e[1] in seen:
            problems.append(f"line {e[0]}: F{e[1]} appears twice")
        elif e[1] != want:
            problems.append(f"line {e[0]}: F{e[1]} where F{want} was expected (missing, or out of order)")
        seen.add(e[1])
        want = e[1] + 1
        problems.extend(check_entry(srcdir, keys, e))
    for n in range(1, N_FEATURES + 1):
        if n not in seen:
            problems.append(f"F{n} is missing")
    for n in sorted(seen):
        if n > N_FEATURES:
            problems.append(f"F{n} is not a feature of the digest (F1..F{N_FEATURES})")
    return entries, problems


def summary(entries):
    counts = {s: 0 for s in STATUSES}
    for e in entries:
        s = e[3].get("status", (0, ""))[1]
        if s in counts:
            counts[s] += 1
    return ", ".join(f"{counts[s]} {s}" for s in STATUSES)


def self_test():
    """The checker must fail on each kind of bad entry."""
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "src"))
        os.makedirs(os.path.join(d, "tests"))
        with open(os.path.join(d, "src/a.c"), "w") as f:
            f.write("int mg_thing(void) { return 0; }\n")
        with open(os.path.join(d, "tests/t.c"), "w") as f:
            f.write("static void test_thing(void) {}\n")
        keys = {"max_size"}

        def doc(body, first=1, last=N_FEATURES):
            parts = []
            for n in range(first, last + 1):
                parts.append(body if n == 1 else f"### F{n} · f\n- status: not yet\n- gaps: x\n")
            return "\n".join(parts)

        good = ("### F1 · one\n- status: done\n- settings: `max_size`\n- code: `src/a.c::mg_thing`\n"
                "- tests: `tests/t.c::test_thing`\n")
        cases = [
            ("good", doc(good), 0),
            ("unknown key", doc(good.replace("`max_size`", "`max_sise`")), 1),
            ("missing file", doc(good.replace("src/a.c", "src/b.c")), 1),
            ("missing function", doc(good.replace("mg_thing`", "mg_other`")), 1),
            ("missing test", doc(good.replace("test_thing", "test_gone")), 1),
            ("test outside tests/", doc(good.replace("`tests/t.c::test_thing`", "`src/a.c`")), 1),
            ("bad status", doc(good.replace("status: done", "status: finished")), 1),
            ("done without test", doc(good.replace("- tests: `tests/t.c::test_thing`\n", "")), 1),
            ("external without by", doc("### F1 · one\n- status: external\n"), 1),
            ("untick'd item", doc(good.replace("`max_size`", "max_size")), 1),
            ("missing feature", doc(good, last=N_FEATURES - 1), 1),
            ("duplicate", doc(good) + "\n### F3 · again\n- status: not yet\n- gaps: x\n", 1),
            ("unknown field", doc(good + "- owner: me\n"), 1),
            ("path escape", doc(good.replace("src/a.c::", "../etc/passwd::")), 1),
        ]
        bad = 0
        for name, text, want in cases:
            _, problems = check(d, keys, text)
            got = 1 if problems else 0
            if got != want:
                bad += 1
                print(f"self-test FAIL: {name}: {'no problem found' if want else problems}")
            else:
                print(f"self-test ok: {name}")
        return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--srcdir", default=".")
    ap.add_argument("--file", default=None, help="default: SRCDIR/docs/COMPLIANCE.md")
    ap.add_argument("--keys", help="output of mugaika config-dump --defaults")
    ap.add_argument("--mugaika", help="the mugaika binary (config-dump --defaults is run)")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    if a.keys:
        with open(a.keys, encoding="utf-8") as f:
            dump = f.read()
    elif a.mugaika:
        dump = subprocess.run([a.mugaika, "config-dump", "--defaults"], check=True, capture_output=True,
                              text=True).stdout
    else:
        ap.error("--keys or --mugaika is required")
    keys = option_keys(dump)
    if len(keys) < 10:
        print(f"compliance: only {len(keys)} keys found in the option table dump", file=sys.stderr)
        return 1
    path = a.file or os.path.join(a.srcdir, "docs", "COMPLIANCE.md")
    with open(path, encoding="utf-8") as f:
        entries, problems = check(a.srcdir, keys, f.read())
    for p in problems:
        print(f"{path}: {p}")
    print(f"{path}: {len(entries)} features: {summary(entries)}; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
