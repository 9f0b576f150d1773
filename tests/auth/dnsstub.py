#!/usr/bin/env python3
"""A tiny DNS server on loopback for the sender-authentication tests.

usage: dnsstub.py ZONE PORTFILE [QUERYLOG]

Answers from the recorded zone (format in tests/auth/mkauth.py) on
127.0.0.1, UDP and TCP, on a port the kernel picks; the port is written to
PORTFILE once both sockets listen.  Each question is appended to QUERYLOG as
"TYPE NAME" (the tests count them to see the resolver's cache at work).
Runs until killed, or until no question came for IDLE seconds (default
600; environment DNSSTUB_IDLE), so a test that dies early leaves nothing
running.  Needs python3-dnspython.
"""
import os
import socket
import sys
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

TTL = 300


def load(path):
    records, special = {}, {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        name = parts[0].lower().rstrip(".") + "."
        if parts[1] in ("TIMEOUT", "SERVFAIL"):
            special[name] = parts[1]
            continue
        data = parts[2]
        if parts[1] == "TXT":
            text = data.strip('"').encode()
            data = " ".join('"%s"' % text[i:i + 255].decode("latin-1") for i in range(0, len(text), 255))
        records.setdefault(name, []).append((parts[1], data))
    return records, special


class Server:
    def __init__(self, zone, log):
        self.records, self.special = load(zone)
        self.log = log
        self.lock = threading.Lock()

    def special_of(self, name):
        labels = name.split(".")
        for i in range(len(labels)):
            s = self.special.get(".".join(labels[i:]))
            if s:
                return s
        return None

    def answer(self, wire):
        q = dns.message.from_wire(wire)
        question = q.question[0]
        name = question.name.to_text().lower()
        rtype = dns.rdatatype.to_text(question.rdtype)
        if self.log:
            with self.lock, open(self.log, "a") as f:
                f.write("%s %s\n" % (rtype, name))
        special = self.special_of(name)
        if special == "TIMEOUT":
            return None
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA
        if special == "SERVFAIL":
            r.set_rcode(dns.rcode.SERVFAIL)
        elif name not in self.records:
            r.set_rcode(dns.rcode.NXDOMAIN)
        else:
            datas = [d for t, d in self.records[name] if t == rtype]
            if datas:
                rrs = dns.rrset.from_text_list(question.name, TTL, dns.rdataclass.IN, question.rdtype, datas)
                r.answer.append(rrs)
        return r.to_wire()

    def serve_udp(self, sock):
        sock.settimeout(float(os.environ.get("DNSSTUB_IDLE", "600")))
        while True:
            try:
                wire, peer = sock.recvfrom(65535)
            except socket.timeout:
                return  # idle: the test is over
            try:
                out = self.answer(wire)
            except Exception as e:  # a malformed question: no answer
                print("dnsstub: %s" % e, file=sys.stderr)
                continue
            if out is not None:
                sock.sendto(out, peer)

    def serve_tcp(self, sock):
        while True:
            conn, _ = sock.accept()
            threading.Thread(target=self.tcp_conn, args=(conn,), daemon=True).start()

    def tcp_conn(self, conn):
        with conn:
            try:
                n = int.from_bytes(recv_all(conn, 2), "big")
                out = self.answer(recv_all(conn, n))
                if out is not None:
                    conn.sendall(len(out).to_bytes(2, "big") + out)
            except (OSError, ValueError) as e:
                print("dnsstub: %s" % e, file=sys.stderr)


def recv_all(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ValueError("short read")
        data += chunk
    return data


def main():
    zone, portfile = sys.argv[1], sys.argv[2]
    log = sys.argv[3] if len(sys.argv) > 3 else None
    srv = Server(zone, log)
    for _ in range(50):  # a UDP port the kernel picks whose TCP twin is free too
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", port))
            break
        except OSError:
            tcp.close()
            udp.close()
    else:
        sys.exit("dnsstub: no free port pair on 127.0.0.1")
    tcp.listen(16)
    threading.Thread(target=srv.serve_tcp, args=(tcp,), daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    srv.serve_udp(udp)


if __name__ == "__main__":
    main()
