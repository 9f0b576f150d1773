#!/usr/bin/env python3
"""Generate the outbound-encryption fixtures (issue 16, F25) at test time.

usage: mkenc.py OUTDIR

Writes OUTDIR/NAME.eml (outbound mail from taro@city.example.lg.jp to
partner@example.com) and OUTDIR/enc-cases.tsv:
  NAME  LABELLED(yes|no)  SCHEME(none|<approved_encryption id>)
The zips are made here (WinZip AES-256, AE-2, and traditional PKWARE
"ZipCrypto") with python3-cryptography; the PDFs with the qpdf command
(AES-256 and RC4); the encrypted Office file is a compound file with an
agile EncryptionInfo stream (tests/cdr/gen_office.py); the S/MIME message
with the openssl command.  Nothing here decrypts: the relay only has to
tell which scheme a sender used.
"""
import base64
import hashlib
import hmac
import os
import shutil
import struct
import subprocess
import sys
import zlib
from email.message import EmailMessage

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cdr"))
import gen_office  # noqa: E402  (cfb writer for the encrypted Office file)

PASSWORD = b"s3cret-pass"
LABEL = "【機密性２】"  # full-width digit: the label rule must normalise (NFKC)


def local_header(name, method, flags, crc, csize, usize, extra=b""):
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 51 if method == 99 else 20, flags, method, 0, 0x21,
                       crc, csize, usize, len(name), len(extra)) + name + extra


def central(name, method, flags, crc, csize, usize, offset, extra=b""):
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 63, 51 if method == 99 else 20, flags, method, 0,
                       0x21, crc, csize, usize, len(name), len(extra), 0, 0, 0, 0, offset) + name + extra


def zip_file(entries):
    """entries: [(name, method, flags, crc, data, usize, extra)] -> zip bytes"""
    out, cd = b"", b""
    for name, method, flags, crc, data, usize, extra in entries:
        cd += central(name, method, flags, crc, len(data), usize, len(out), extra)
        out += local_header(name, method, flags, crc, len(data), usize, extra) + data
    return out + cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(cd), len(out), 0)


def zipcrypto(name, plain):
    """Traditional PKWARE encryption (APPNOTE 6.1), stored."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def update(c):
        keys[0] = zlib.crc32(bytes([c]), keys[0] ^ 0xFFFFFFFF) ^ 0xFFFFFFFF
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = zlib.crc32(bytes([(keys[1] >> 24) & 0xFF]), keys[2] ^ 0xFFFFFFFF) ^ 0xFFFFFFFF

    for c in PASSWORD:
        update(c)
    crc = zlib.crc32(plain)
    header = os.urandom(11) + bytes([crc >> 24])
    out = bytearray()
    for c in header + plain:
        k = keys[2] | 2
        out.append(c ^ (((k * (k ^ 1)) >> 8) & 0xFF))
        update(c)
    return zip_file([(name, 0, 1, crc, bytes(out), len(plain), b"")])


def zip_aes256(name, plain):
    """WinZip AES-256 (AE-2: CRC 0), stored inside."""
    salt = os.urandom(16)
    dk = hashlib.pbkdf2_hmac("sha1", PASSWORD, salt, 1000, 66)
    enc_key, mac_key, verifier = dk[:32], dk[32:64], dk[64:]
    ecb = Cipher(algorithms.AES(enc_key), modes.ECB()).encryptor()
    stream = b"".join(ecb.update(struct.pack("<QQ", i + 1, 0)) for i in range((len(plain) + 15) // 16))
    ct = bytes(p ^ s for p, s in zip(plain, stream))
    mac = hmac.new(mac_key, ct, hashlib.sha1).digest()[:10]
    extra = struct.pack("<HHH2sBH", 0x9901, 7, 2, b"AE", 3, 0)  # AE-2, AES-256, stored
    return zip_file([(name, 99, 1, 0, salt + verifier + ct + mac, len(plain), extra)])


def plain_zip(name, plain):
    return zip_file([(name, 0, 0, zlib.crc32(plain), plain, len(plain), b"")])


def office_agile():
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        b'</encryption>').ljust(4096, b" ")  # >= 4096 bytes: a regular stream, not the mini stream
    package = struct.pack("<Q", 4096) + os.urandom(4096)
    return gen_office.cfb([("EncryptionInfo", info), ("EncryptedPackage", package)])


def pdf(out, bits):
    """qpdf's empty PDF encrypted with `bits` (256 = AES-256, 40 = RC4)."""
    plain, enc = os.path.join(out, "plain.pdf"), os.path.join(out, "enc-%d.pdf" % bits)
    subprocess.run(["qpdf", "--empty", plain], check=True)
    extra = ["--allow-weak-crypto"] if bits < 128 else []
    subprocess.run(["qpdf"] + extra + ["--encrypt", "user", "owner", str(bits), "--", plain, enc], check=True)
    return open(enc, "rb").read()


def message(name, subject, attach=None):
    m = EmailMessage()
    m["From"] = "Taro <taro@city.example.lg.jp>"
    m["To"] = "Partner <partner@example.com>"
    m["Subject"] = subject
    m["Message-ID"] = "<%s@city.example.lg.jp>" % name
    m["Date"] = "Sun, 29 Nov 2026 10:00:00 +0900"
    m.set_content("資料を送付します。\nパスワードは別途お知らせします。\n")
    if attach:
        fname, ctype, data = attach
        maintype, subtype = ctype.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=fname)
    return m


def smime(out):
    key, cert = os.path.join(out, "smime.key"), os.path.join(out, "smime.crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-subj", "/CN=partner@example.com", "-days", "2"], check=True, stderr=subprocess.DEVNULL)
    inner = b"Content-Type: text/plain; charset=utf-8\r\n\r\nconfidential\r\n"
    r = subprocess.run(["openssl", "smime", "-encrypt", "-aes256", "-from", "taro@city.example.lg.jp",
                        "-to", "partner@example.com", "-subject", LABEL + " S/MIME", cert],
                       input=inner, capture_output=True, check=True)
    return b"Message-ID: <enc-smime@city.example.lg.jp>\n" + r.stdout.replace(b"\r\n", b"\n")


def pgp_message():
    armored = "-----BEGIN PGP MESSAGE-----\n\n" + base64.encodebytes(os.urandom(300)).decode() + \
              "=" + base64.b64encode(os.urandom(3)).decode() + "\n-----END PGP MESSAGE-----\n"
    return ("From: Taro <taro@city.example.lg.jp>\nTo: partner@example.com\nSubject: %s PGP\n"
            "Message-ID: <enc-pgp@city.example.lg.jp>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b1"\n\n'
            "--b1\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n"
            "--b1\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\n\n%s\n--b1--\n"
            % (LABEL, armored)).encode()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    doc = "住民名簿（テスト）\n".encode() * 50
    cases = [
        ("enc-nolabel", "no", "none", message("enc-nolabel", "会議資料", ("a.txt", "text/plain", doc))),
        ("enc-none", "yes", "none", message("enc-none", LABEL + " 名簿", ("meibo.txt", "text/plain", doc))),
        ("enc-plainzip", "yes", "none",
         message("enc-plainzip", LABEL + " 名簿", ("meibo.zip", "application/zip", plain_zip(b"meibo.txt", doc)))),
        ("enc-zipcrypto", "yes", "zip-zipcrypto",
         message("enc-zipcrypto", LABEL + " 名簿", ("meibo.zip", "application/zip", zipcrypto(b"meibo.txt", doc)))),
        ("enc-aes256", "yes", "zip-aes256",
         message("enc-aes256", LABEL + " 名簿", ("meibo.zip", "application/zip", zip_aes256(b"meibo.txt", doc)))),
        ("enc-label-name", "yes", "none",
         message("enc-label-name", "名簿", ("機密性2_meibo.txt", "text/plain", doc))),
        ("enc-office", "yes", "office-aes",
         message("enc-office", LABEL + " 名簿", ("meibo.xlsx", "application/octet-stream", office_agile()))),
        ("enc-pdf-aes256", "yes", "pdf-aes256",
         message("enc-pdf-aes256", LABEL + " 名簿", ("meibo.pdf", "application/pdf", pdf(out, 256)))),
        ("enc-pdf-rc4", "yes", "pdf-rc4",
         message("enc-pdf-rc4", LABEL + " 名簿", ("meibo.pdf", "application/pdf", pdf(out, 40)))),
    ]
    with open(os.path.join(out, "enc-cases.tsv"), "w") as f:
        for name, labelled, scheme, msg in cases:
            with open(os.path.join(out, name + ".eml"), "wb") as m:
                m.write(msg.as_bytes().replace(b"\r\n", b"\n"))
            f.write("%s\t%s\t%s\n" % (name, labelled, scheme))
        with open(os.path.join(out, "enc-smime.eml"), "wb") as m:
            m.write(smime(out))
        f.write("enc-smime\tyes\tsmime\n")
        with open(os.path.join(out, "enc-pgp.eml"), "wb") as m:
            m.write(pgp_message())
        f.write("enc-pgp\tyes\tpgp\n")
        if shutil.which("7z"):  # Debian p7zip-full: 7-Zip's own format, AES-256
            src, arc = os.path.join(out, "meibo.txt"), os.path.join(out, "meibo.7z")
            open(src, "wb").write(doc)
            subprocess.run(["7z", "a", "-p" + PASSWORD.decode(), "-mhe=on", arc, src], check=True,
                           stdout=subprocess.DEVNULL)
            msg = message("enc-7z", LABEL + " 名簿", ("meibo.7z", "application/x-7z-compressed", open(arc, "rb").read()))
            with open(os.path.join(out, "enc-7z.eml"), "wb") as m:
                m.write(msg.as_bytes().replace(b"\r\n", b"\n"))
            f.write("enc-7z\tyes\t7z-aes256\n")


if __name__ == "__main__":
    main()
