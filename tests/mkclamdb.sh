#!/bin/sh
# mkclamdb.sh DIR - write a ClamAV signature database for mugaika's tests.
#
# Every test configuration needs `clamav_database = DIR` pointing at a
# database like this one (mugaika refuses to start without signatures).
# The signatures are public facts, not malware:
#   - the MD5 of the 68-byte EICAR test string (tests build the string
#     from pieces at run time, so it never sits whole in the repository);
#   - the MD5 of clam.exe, ClamAV's harmless 544-byte test program
#     (Debian package clamav-testfiles), which ClamAV also finds inside
#     the archives, documents and mails of that package;
#   - a body signature for EICAR at the start of a file (the EICAR
#     convention allows trailing white space, and a message body that went
#     through SMTP always ends in a line break, which the hash misses); its
#     hex is computed here from the same pieces;
#   - a body signature for the ASCII text CLAMAV-TEST-STRING-NOT-EICAR at
#     any offset: a detection without any malware-like bytes at all.
# Usage: tests/mkclamdb.sh DIR   (DIR is created; existing files replaced)
set -eu
dir=${1:?usage: mkclamdb.sh DIR}
mkdir -p "$dir"
tmp="$dir/.mkclamdb.$$"
printf '%s\n' \
	'44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test-Signature' \
	'aa15bcf478d165efd2065190eb473bcb:544:ClamAV-Test-File' >"$tmp"
mv -f "$tmp" "$dir/mugaika-test.hdb"
hex() { od -An -tx1 | tr -d ' \n'; }
eicar_hex=$(printf '%s%s%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$' 'EICAR-STANDARD-' 'ANTIVIRUS-TEST-' 'FILE!$H+H*' | hex)
[ ${#eicar_hex} -eq 136 ] || { echo "mkclamdb.sh: EICAR pieces are wrong" >&2; exit 1; }
{
	printf 'Eicar-Test-Signature-Body:0:0:%s\n' "$eicar_hex"
	printf 'Mugaika-Test-String:0:*:%s\n' "$(printf 'CLAMAV-TEST-STRING-NOT-EICAR' | hex)"
} >"$tmp"
mv -f "$tmp" "$dir/mugaika-test.ndb"
