#!/usr/bin/env python3
"""Write conf/mugaika.conf: every key of the option table, documented, with
its default commented out, and the example municipality's values (from
conf/site-example.in) set.  Run after adding options:

    ./mugaika config-dump --defaults | scripts/gen-conf.py conf/site-example.in > conf/mugaika.conf
"""
import sys

HEADER = """\
# mugaika.conf - configuration of mugaika-milter and the mugaika command.
#
# Every key is listed with its meaning, its allowed values and its default
# (the commented line); uncommented lines are this site's choices, those of
# an example municipality.
#
# REQUIRED before the daemon starts: internal_domain, your organisation's
# mail domain (search for "REQUIRED" below).  Until it is set,
# mugaika-milter refuses to start (exit 78) and `mugaika check-config`
# names the key; mail waits in Postfix's queue meanwhile.
#
# SET FOR YOUR SITE: internal_network, the client networks of your internal
# (LGWAN-side) zone.  Until it is set every client is external: all mail is
# sanitized as inbound and (zone_mode = lgwan) nobody may send to the Internet.
#
# Check a change before reloading:  mugaika check-config -c /etc/mugaika/mugaika.conf
# Apply it without dropping mail:   kill -HUP $(cat /run/mugaika/mugaika-milter.pid)
# An invalid file is refused with file:line: key: problem; the daemon then
# keeps running on the configuration it had.
"""

REQUIRED = """\
# REQUIRED: uncomment and put your own value here (repeat the line for more);
# mugaika-milter does not start without %s.  Example:"""

# "!key = example": only the site knows it, and a guessed value would be
# unsafe (a client network taken for internal gets its mail scanned, not
# sanitized), so it ships commented out under this note
SITE = """\
# SET FOR YOUR SITE: uncomment and put your own values here (repeat the line
# for more).  Without %s mugaika takes the safe reading described
# at the top of this file.  Example:"""


def main():
    site = {}
    multi = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            # "?key = example": a value only the site can know; shipped
            # commented out, under a REQUIRED note
            k, v = (x.strip() for x in line.split("=", 1))
            multi.setdefault(k, []).append(v)
    site = multi
    out = [HEADER]
    lines = sys.stdin.read().splitlines()
    # skip the dump's own 3-line preamble
    while lines and lines[0].startswith("#") and not lines[0].startswith("# ") is False:
        break
    i = 0
    while i < len(lines) and lines[i].startswith("# mugaika.conf") or (i < 3 and lines[i].startswith("#")):
        i += 1
    block = []
    for line in lines[i:] + [""]:
        if line == "":
            if block:
                out.append("\n".join(block))
                key = None
                for b in block:
                    if b.startswith("#") and " = " in b and not b.startswith("# "):
                        key = b[1:].split(" = ", 1)[0].strip()
                    elif b.startswith("#") and b.endswith(" =") and not b.startswith("# "):
                        key = b[1:-2].strip()
                for v in site.pop(key, []) if key else []:
                    out.append("%s = %s" % (key, v))
                required = site.pop("?" + key, []) if key else []
                if required:
                    out.append(REQUIRED % key)
                for v in required:
                    out.append("#%s = %s" % (key, v))
                site_only = site.pop("!" + key, []) if key else []
                if site_only:
                    out.append(SITE % key)
                for v in site_only:
                    out.append("#%s = %s" % (key, v))
                out.append("")
            block = []
        else:
            block.append(line)
    if site:
        sys.exit("gen-conf.py: unknown keys in %s: %s" % (sys.argv[1], ", ".join(site)))
    sys.stdout.write("\n".join(out).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
