#!/usr/bin/python3
"""python3-websockets (Debian's) against the websocket-echo example.

Usage: websocket_echo_client.py PATH_TO_WEBSOCKET_ECHO
Starts the server on 127.0.0.1 port 0, reads the port it prints, then as a real client:
sends text and binary messages (one of 100 KiB, sent fragmented), pings, closes with 1000,
and checks the echoes, the pong and the close code. Every wait has a deadline.
"""
import asyncio
import re
import subprocess
import sys

import websockets


async def client(port: int) -> list:
    failures = []
    uri = f"ws://127.0.0.1:{port}/ws"
    async with websockets.connect(uri, max_size=4 * 1024 * 1024, open_timeout=10,
                                  close_timeout=10) as ws:
        for message in ["hello", "héllo ✓", "", b"\x00\x01\x02\xff", b""]:
            await ws.send(message)
            echo = await asyncio.wait_for(ws.recv(), 10)
            if echo != message:
                failures.append(f"echo of {message!r}: {echo!r}")
        big = bytes(i % 251 for i in range(100 * 1024))
        # Fragmented: the server's frame limit (64 KiB) applies per frame.
        await ws.send([big[i:i + 16384] for i in range(0, len(big), 16384)])
        echo = await asyncio.wait_for(ws.recv(), 10)
        if echo != big:
            failures.append(f"100 KiB binary echo: {len(echo)} bytes, equal={echo == big}")
        big_text = "x" * (100 * 1024)
        await ws.send([big_text[i:i + 30000] for i in range(0, len(big_text), 30000)])
        echo = await asyncio.wait_for(ws.recv(), 10)
        if echo != big_text:
            failures.append(f"100 KiB text echo: {len(echo)} characters")
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 10)
        await ws.close(code=1000, reason="done")
        if ws.close_code != 1000:
            failures.append(f"close code {ws.close_code} (reason {ws.close_reason!r})")
    # A frame over the limit is refused with 1009.
    async with websockets.connect(uri, open_timeout=10, close_timeout=10) as ws:
        await ws.send(b"y" * (70 * 1024))
        try:
            await asyncio.wait_for(ws.recv(), 10)
            failures.append("a 70 KiB frame was echoed")
        except websockets.exceptions.ConnectionClosed as e:
            if e.rcvd is None or e.rcvd.code != 1009:
                failures.append(f"70 KiB frame: closed with {e.rcvd}")
    # A request for another path is answered by HTTP, not upgraded.
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/other", open_timeout=10):
            failures.append("/other was upgraded")
    except websockets.exceptions.InvalidStatusCode as e:
        if e.status_code != 404:
            failures.append(f"/other: status {e.status_code}")
    return failures


def main() -> int:
    server = subprocess.Popen([sys.argv[1], "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()  # "listening on 127.0.0.1:PORT"
        match = re.search(r":(\d+)$", line.strip())
        if not match:
            print(f"unexpected first line from websocket-echo: {line!r}")
            return 1
        failures = asyncio.run(asyncio.wait_for(client(int(match.group(1))), 60))
        for f in failures:
            print("FAIL:", f)
        print("websocket-echo:", "ok" if not failures else f"{len(failures)} failures")
        return 1 if failures else 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
