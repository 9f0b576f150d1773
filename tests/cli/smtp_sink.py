#!/usr/bin/env python3
"""A tiny SMTP sink for the `mugaika selftest --smtp` tests (standard
library asyncio; no MTA, no milter).

usage: smtp_sink.py PORT MODE LOG
MODE accept: every command and message accepted (250), as an MTA that does
not pass mail through mugaika would; tempfail: the message refused with a
multi-line 451 4.7.1 at the end of DATA, as Postfix with
milter_default_action = tempfail and a dead milter; silent: connections
accepted, nothing ever said (the client's timeout).
Every message received is appended to LOG as it came on the wire, between
lines "--- message" and "--- end", every command line to LOG.cmds; the
sink exits after 120 s.
"""
import asyncio
import sys

PORT, MODE, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]


async def session(reader, writer):
    try:
        await converse(reader, writer)
    except ConnectionError:
        pass


async def converse(reader, writer):
    if MODE == "silent":
        await asyncio.sleep(60)
        writer.close()
        return
    writer.write(b"220 sink.invalid ESMTP\r\n")
    while True:
        line = await reader.readline()
        if not line:
            break
        with open(LOG + ".cmds", "ab") as f:
            f.write(line)
        cmd = line.strip().upper()
        if cmd.startswith(b"EHLO"):
            writer.write(b"250-sink.invalid\r\n250-PIPELINING\r\n250-SIZE 0\r\n250 8BITMIME\r\n")
        elif cmd == b"DATA":
            writer.write(b"354 go ahead\r\n")
            await writer.drain()
            data = b""
            while not data.endswith(b"\r\n.\r\n") and data != b".\r\n":
                chunk = await reader.readline()
                if not chunk:
                    return
                data += chunk
            with open(LOG, "ab") as f:
                f.write(b"--- message\n" + data + b"--- end\n")
            if MODE == "tempfail":
                writer.write(b"451-4.7.1 Service unavailable\r\n451 4.7.1 try again later\r\n")
            else:
                writer.write(b"250 2.0.0 Ok: queued as SINK\r\n")
        elif cmd == b"QUIT":
            writer.write(b"221 2.0.0 Bye\r\n")
            await writer.drain()
            break
        else:
            writer.write(b"250 2.0.0 Ok\r\n")
        await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", PORT)
    async with server:
        await asyncio.sleep(120)


asyncio.run(main())
