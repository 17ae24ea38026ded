#!/usr/bin/python3
"""python3-websockets (Debian's) with permessage-deflate against websocket-echo --deflate.

Usage: websocket_deflate_client.py PATH_TO_WEBSOCKET_ECHO
For each memory tier (websocket-echo --deflate TIER) and each of several client offers (the
RFC 7692 parameters in their combinations), connects, checks the negotiated
Sec-WebSocket-Extensions, and echoes JSON-like text, binary, an empty message and a 200 KiB
message sent fragmented; then sends a compressed inflate bomb and expects close 1009. Counts
the compressed bytes received, so a server that answered uncompressed would fail. Every wait
has a deadline.
"""
import asyncio
import json
import re
import subprocess
import sys

import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory


OFFERS = [
    {},
    {"server_no_context_takeover": True},
    {"client_no_context_takeover": True},
    {"server_max_window_bits": 10},
    {"client_max_window_bits": 9},
    {"server_no_context_takeover": True, "client_no_context_takeover": True,
     "server_max_window_bits": 9, "client_max_window_bits": 9},
]


def messages():
    rows = [{"id": i, "user": f"user{i % 37}", "text": f"message number {i}", "ok": i % 2 == 0}
            for i in range(120)]
    text = json.dumps(rows)
    return [text, text, "héllo ✓ " * 50, "", b"\x00\x01\x02\xff" * 300, b""]


async def check(port: int, tier: str, offer: dict) -> list:
    failures = []
    where = f"tier {tier}, offer {offer}"
    factory = ClientPerMessageDeflateFactory(**offer)
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", extensions=[factory],
                                  max_size=4 * 1024 * 1024, open_timeout=10,
                                  close_timeout=10) as ws:
        agreed = ws.response_headers.get("Sec-WebSocket-Extensions", "")
        if not agreed.startswith("permessage-deflate"):
            return [f"{where}: not negotiated ({agreed!r})"]
        # Count the compressed frames the server sends (RSV1 set), as python's decoder sees them.
        compressed = [0]
        extension = ws.extensions[0]
        decode = extension.decode

        def counting_decode(frame, *args, **kwargs):
            compressed[0] += 1 if frame.rsv1 else 0
            return decode(frame, *args, **kwargs)

        extension.decode = counting_decode
        for m in messages():
            await ws.send(m)
            echo = await asyncio.wait_for(ws.recv(), 10)
            if echo != m:
                failures.append(f"{where}: echo of {len(m)} bytes differs")
        big = ("0123456789abcdef" * 16 * 800)  # 200 KiB of text, fragmented below the limit
        await ws.send([big[i:i + 40000] for i in range(0, len(big), 40000)])
        echo = await asyncio.wait_for(ws.recv(), 10)
        if echo != big:
            failures.append(f"{where}: 200 KiB fragmented echo differs")
        if compressed[0] < len(messages()) + 1:
            failures.append(f"{where}: {compressed[0]} compressed messages received")
        await ws.close(code=1000)
        if ws.close_code != 1000:
            failures.append(f"{where}: close code {ws.close_code}")
    return failures


async def bomb(port: int) -> list:
    # 32 MiB of zeros compress to about 32 KiB: one frame, far over the 1 MiB message limit
    # once inflated. (One frame, so that the client is not still sending when the server
    # closes: unread bytes would make the kernel reset the connection.)
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws",
                                  extensions=[ClientPerMessageDeflateFactory()],
                                  open_timeout=10, close_timeout=10) as ws:
        await ws.send(b"\0" * (32 << 20))
        try:
            await asyncio.wait_for(ws.recv(), 20)
            return ["the inflate bomb was echoed"]
        except websockets.exceptions.ConnectionClosed as e:
            if e.rcvd is None or e.rcvd.code != 1009:
                return [f"inflate bomb: closed with {e.rcvd}"]
    return []


def start(echo: str, tier: str):
    server = subprocess.Popen([echo, "--port", "0", "--deflate", tier], stdout=subprocess.PIPE,
                              text=True)
    line = server.stdout.readline()  # "listening on 127.0.0.1:PORT"
    match = re.search(r":(\d+)$", line.strip())
    if not match:
        server.kill()
        raise RuntimeError(f"unexpected first line from websocket-echo: {line!r}")
    return server, int(match.group(1))


def main() -> int:
    failures = []
    for tier in ["dedicated", "shared", "small", "tiny"]:
        server, port = start(sys.argv[1], tier)
        try:
            for offer in OFFERS:
                failures += asyncio.run(asyncio.wait_for(check(port, tier, offer), 60))
            if tier == "dedicated":
                failures += asyncio.run(asyncio.wait_for(bomb(port), 60))
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    for f in failures:
        print("FAIL:", f)
    print("websocket-echo --deflate:", "ok" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
