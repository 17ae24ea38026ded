#!/usr/bin/python3
"""Our WebSocket client and server against real peers from Debian.

Usage: websocket_client_peers.py PATH_TO_WEBSOCKET_CLIENT PATH_TO_WEBSOCKET_ECHO

1. python3-websockets as the server, the websocket-client example as the client: echoes of
   text (UTF-8 too), a 200 KB message, binary, fragmented messages, the handshake's Origin,
   custom header and subprotocol as the server saw them, server pings answered, client pings
   answered, the server's close (1001) ending the client, and the client's close (1000) at
   the end of its input; with --deflate, permessage-deflate negotiated and used both ways.
   Then the same server over TLS (wss, a CA made with the openssl
   command): the client trusting the CA talks; without it, it refuses the certificate.
2. python3-autobahn's asyncio client against the websocket-echo example: text, binary,
   a 100 KiB message sent in 16 KiB fragments, a ping, and a clean close with 1000.

Every wait has a deadline.
"""
import asyncio
import os
import re
import ssl
import subprocess
import sys
import tempfile

import websockets
from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

from tls_clients import make_pki  # a CA and a localhost certificate, by the openssl command

DEADLINE = 10


class Failures(list):
    def check(self, what, got, expected):
        if got != expected:
            self.append(f"{what}: got {got!r}, expected {expected!r}")


# --- 1. python3-websockets server, websocket-client example -------------------------------

async def python_server_handler(ws, closes):
    try:
        async for msg in ws:
            if msg == "close-me":
                await ws.close(1001, "going away")
                return
            if msg == "ping-me":
                pong = await ws.ping(b"from-server")
                await asyncio.wait_for(pong, DEADLINE)
                await ws.send("pinged ok")
            elif msg == "fragments":
                await ws.send(["frag", "men", "ted"])
            elif msg == "binary":
                await ws.send(b"\x00\x01\x02\x03")
            elif msg == "extensions":
                await ws.send("extensions=" + ",".join(
                    e.name for e in ws.extensions) if ws.extensions else "extensions=none")
            elif msg == "headers":
                h = ws.request_headers
                await ws.send(f"origin={h.get('Origin')} x-test={h.get('X-Test')} "
                              f"subprotocol={ws.subprotocol} path={ws.path}")
            else:
                await ws.send(msg)
    finally:
        closes.append(ws.close_code)


async def start_cli(cli, port, *options):
    return await asyncio.create_subprocess_exec(
        cli, *options, f"ws://127.0.0.1:{port}/chat?room=1",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, limit=1 << 22)


async def exchange(proc, line, failures, expected=None):
    proc.stdin.write((line + "\n").encode())
    await proc.stdin.drain()
    got = await asyncio.wait_for(proc.stdout.readline(), DEADLINE)
    failures.check(f"answer to {line[:40]!r}", got.decode().rstrip("\n"),
                   expected if expected is not None else "< " + line)


async def python_server_with_our_client(cli, failures):
    closes = []
    async with websockets.serve(lambda ws, path=None: python_server_handler(ws, closes),
                                "127.0.0.1", 0, subprotocols=["chat.v1"],
                                max_size=1 << 22) as server:
        port = server.sockets[0].getsockname()[1]

        proc = await start_cli(cli, port, "--subprotocol", "chat.v1", "--origin",
                               "http://example.test", "--header", "X-Test: 42", "--show-pongs")
        await exchange(proc, "hello", failures)
        await exchange(proc, "h\u00e9llo \u2713", failures)
        await exchange(proc, "headers", failures, "< origin=http://example.test x-test=42 "
                       "subprotocol=chat.v1 path=/chat?room=1")
        await exchange(proc, "fragments", failures, "< fragmented")
        await exchange(proc, "binary", failures, "< [binary 4 bytes] 00010203")
        await exchange(proc, "ping-me", failures, "< pinged ok")
        await exchange(proc, "/ping hello", failures, "< [pong] hello")
        await exchange(proc, "y" * 200_000, failures)
        # The server closes: the client answers and exits by itself.
        proc.stdin.write(b"close-me\n")
        await proc.stdin.drain()
        code = await asyncio.wait_for(proc.wait(), DEADLINE)
        failures.check("client exit code after the server's close", code, 0)
        err = (await proc.stderr.read()).decode()
        if "disconnected: close 1001 going away" not in err:
            failures.append(f"the client did not report the server's 1001: {err!r}")

        # permessage-deflate: Debian's websockets server accepts it by default.
        proc = await start_cli(cli, port, "--deflate")
        await exchange(proc, "extensions", failures, "< extensions=permessage-deflate")
        await exchange(proc, "z" * 100_000, failures)
        await exchange(proc, "fragments", failures, "< fragmented")
        proc.stdin.close()
        failures.check("deflate client exit code", await asyncio.wait_for(proc.wait(), DEADLINE),
                       0)

        # End of input: the client closes with 1000.
        proc = await start_cli(cli, port)
        await exchange(proc, "bye", failures)
        proc.stdin.close()
        code = await asyncio.wait_for(proc.wait(), DEADLINE)
        failures.check("client exit code at the end of input", code, 0)

        deadline = asyncio.get_running_loop().time() + DEADLINE
        while len(closes) < 3 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        failures.check("close codes the server saw", closes, [1001, 1000, 1000])


async def python_wss_server_with_our_client(cli, failures):
    with tempfile.TemporaryDirectory() as d:
        make_pki(d)
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(os.path.join(d, "server.pem"), os.path.join(d, "server.key"))
        closes = []
        async with websockets.serve(lambda ws, path=None: python_server_handler(ws, closes),
                                    "127.0.0.1", 0, ssl=tls) as server:
            port = server.sockets[0].getsockname()[1]
            proc = await asyncio.create_subprocess_exec(
                cli, "--ca", os.path.join(d, "ca.pem"), f"wss://127.0.0.1:{port}/ws",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE)
            await exchange(proc, "hello over TLS", failures)
            await exchange(proc, "binary", failures, "< [binary 4 bytes] 00010203")
            proc.stdin.close()
            failures.check("wss client exit code", await asyncio.wait_for(proc.wait(), DEADLINE), 0)

            # Without the CA the certificate is refused, and the client says why.
            proc = await asyncio.create_subprocess_exec(
                cli, f"wss://127.0.0.1:{port}/ws", stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            code = await asyncio.wait_for(proc.wait(), DEADLINE)
            err = (await proc.stderr.read()).decode()
            failures.check("untrusted wss exit code", code, 1)
            if "certificate verify failed" not in err:
                failures.append(f"untrusted wss: {err!r}")


# --- 2. python3-autobahn client, websocket-echo example -------------------------------------

class EchoCheck(WebSocketClientProtocol):
    big = bytes(i % 251 for i in range(100 * 1024))
    messages = [("hello", False), ("h\u00e9llo \u2713", False), (b"\x00\xff", True), (big, True)]

    def onOpen(self):
        self.echoes = []
        self.pongs = []
        for payload, binary in self.messages:
            data = payload if binary else payload.encode()
            self.sendMessage(data, isBinary=binary, fragmentSize=16384)
        self.sendPing(b"autobahn")

    def onMessage(self, payload, isBinary):
        self.echoes.append(payload if isBinary else payload.decode())
        self.maybe_close()

    def onPong(self, payload):
        self.pongs.append(payload)
        self.maybe_close()

    def maybe_close(self):
        if len(self.echoes) == len(self.messages) and self.pongs:
            self.sendClose(1000, "done")

    def onClose(self, wasClean, code, reason):
        self.factory.result.set_result((wasClean, code, self.echoes, self.pongs))


async def autobahn_client_with_our_server(echo, failures):
    server = subprocess.Popen([echo, "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()  # "listening on 127.0.0.1:PORT"
        match = re.search(r":(\d+)$", line.strip())
        if not match:
            failures.append(f"unexpected first line from websocket-echo: {line!r}")
            return
        port = int(match.group(1))
        factory = WebSocketClientFactory(f"ws://127.0.0.1:{port}/ws")
        factory.protocol = EchoCheck
        factory.result = asyncio.get_running_loop().create_future()
        await asyncio.get_running_loop().create_connection(factory, "127.0.0.1", port)
        clean, code, echoes, pongs = await asyncio.wait_for(factory.result, DEADLINE)
        failures.check("autobahn: echoes", echoes,
                       [p for p, _ in EchoCheck.messages])
        failures.check("autobahn: pongs", pongs, [b"autobahn"])
        failures.check("autobahn: clean close", (clean, code), (True, 1000))
    finally:
        server.terminate()
        try:
            server.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            server.kill()


async def main_async(cli, echo):
    failures = Failures()
    await python_server_with_our_client(cli, failures)
    await python_wss_server_with_our_client(cli, failures)
    await autobahn_client_with_our_server(echo, failures)
    return failures


def main() -> int:
    failures = asyncio.run(asyncio.wait_for(main_async(sys.argv[1], sys.argv[2]), 120))
    for f in failures:
        print("FAIL:", f)
    print("websocket client peers:", "ok" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
