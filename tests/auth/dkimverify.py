#!/usr/bin/env python3
"""Verify the DKIM signatures of a delivered message against the recorded zone.

usage: dkimverify.py ZONE MESSAGE
Exit 0 when every DKIM-Signature verifies (dkimpy, keys from ZONE, the
format of tests/auth/mkauth.py), 1 otherwise.  Used to show that outbound
mail delivered unchanged keeps a valid signature.
"""
import sys

import dkim


def main():
    zone = {}
    for line in open(sys.argv[1], encoding="utf-8"):
        parts = line.strip().split(None, 2)
        if len(parts) == 3 and parts[1] == "TXT":
            zone[parts[0].lower() + "."] = parts[2].strip('"').encode()
    data = open(sys.argv[2], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            name = name.decode()
        return zone.get(name.lower() if name.endswith(".") else name.lower() + ".")

    d = dkim.DKIM(data)
    n = data.count(b"\r\nDKIM-Signature:") + data.startswith(b"DKIM-Signature:")
    try:
        ok = n > 0 and all(d.verify(idx=i, dnsfunc=dnsfunc) for i in range(n))
    except dkim.ValidationError as e:
        print("dkim: %s" % e)
        ok = False
    print("dkim %s (%d signature%s)" % ("valid" if ok else "INVALID", n, "" if n == 1 else "s"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
