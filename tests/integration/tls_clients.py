#!/usr/bin/python3
"""Real TLS clients against the websocket-echo and websocket-chat examples run with --tls.

Usage: tls_clients.py PATH_TO_WEBSOCKET_ECHO PATH_TO_WEBSOCKET_CHAT
Makes a CA and a certificate for localhost/127.0.0.1 with the openssl command, starts each
server with --cert/--key on 127.0.0.1 port 0, then:
  - python3's ssl and websockets (Debian's) trusting the CA: wss echo (text, 100 KiB binary),
    https (a 404 for another path), the chat page over https and two members chatting over
    wss (broadcasts through SslHandler);
  - the same clients refuse the server without the CA, and under another host name;
  - openssl s_client trusting the CA: verification ok, an HTTP request answered, and the
    session resumed on reconnect (-sess_out / -sess_in);
  - TLS 1.0 and 1.1 from `openssl s_client -tls1[_1] -cipher DEFAULT:@SECLEVEL=0` are refused
    with a protocol_version alert, while a permissive `openssl s_server` (the positive control)
    accepts the very same client command.
Every wait has a deadline.
"""
import asyncio
import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time

import websockets

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)


def run(args, cwd, input_bytes=b"", timeout=20):
    return subprocess.run(args, cwd=cwd, input=input_bytes, capture_output=True, timeout=timeout)


def make_pki(d):
    ext = os.path.join(d, "san.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    steps = [
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=tls test CA"],
        ["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"],
        ["openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
         "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", ext],
    ]
    for step in steps:
        r = run(step, d)
        if r.returncode != 0:
            raise RuntimeError(f"{step}: {r.stderr.decode()}")


def start(binary, d):
    server = subprocess.Popen([binary, "--port", "0", "--cert", os.path.join(d, "server.pem"),
                               "--key", os.path.join(d, "server.key")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    match = re.search(r":(\d+)$", line.strip())
    if not match:
        server.kill()
        raise RuntimeError(f"unexpected first line from {binary}: {line!r}")
    return server, int(match.group(1))


def stop(server):
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


async def wss_checks(port, ca):
    trusted = ssl.create_default_context(cafile=ca)
    async with websockets.connect(f"wss://localhost:{port}/ws", ssl=trusted, open_timeout=10,
                                  close_timeout=10, max_size=1 << 20) as ws:
        await ws.send("hello over wss")
        check(await asyncio.wait_for(ws.recv(), 10) == "hello over wss", "wss text echo")
        big = bytes(i % 251 for i in range(100 * 1024))
        await ws.send([big[i:i + 16384] for i in range(0, len(big), 16384)])
        check(await asyncio.wait_for(ws.recv(), 10) == big, "wss 100 KiB binary echo")
        await ws.close(code=1000)
        check(ws.close_code == 1000, f"wss close code {ws.close_code}")
    # Without the CA, the generated certificate is refused.
    try:
        async with websockets.connect(f"wss://localhost:{port}/ws",
                                      ssl=ssl.create_default_context(), open_timeout=10):
            check(False, "wss without the CA was accepted")
    except ssl.SSLCertVerificationError as e:
        check("unable to get local issuer certificate" in str(e), f"untrusted: {e}")
    # Under a name the certificate does not carry, it is refused too.
    try:
        async with websockets.connect(f"wss://127.0.0.1:{port}/ws", ssl=trusted,
                                      server_hostname="wrong.example", open_timeout=10):
            check(False, "wss under a wrong host name was accepted")
    except ssl.SSLCertVerificationError as e:
        check("Hostname mismatch" in str(e) or "hostname" in str(e).lower(), f"wrong host: {e}")


async def chat_over_wss(port, ca):
    """Two members of one room over wss: the room's broadcasts (shared encoded frames) go
    through each member's SslHandler."""
    trusted = ssl.create_default_context(cafile=ca)
    url = f"wss://localhost:{port}/ws?room=tls"
    async with websockets.connect(url + "&name=Ada", ssl=trusted, open_timeout=10) as ada:
        joined = json.loads(await asyncio.wait_for(ada.recv(), 10))
        check(joined == {"type": "join", "name": "Ada"}, f"chat over wss, own join: {joined}")
        async with websockets.connect(url + "&name=Bob", ssl=trusted, open_timeout=10) as bob:
            seen = json.loads(await asyncio.wait_for(ada.recv(), 10))
            check(seen == {"type": "join", "name": "Bob"}, f"chat over wss, Bob's join: {seen}")
            await bob.send("hi Ada")
            for ws, who in ((ada, "Ada"), (bob, "Bob")):
                msg = None
                while msg is None or msg.get("type") == "join":
                    msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
                check(msg == {"type": "message", "name": "Bob", "text": "hi Ada"},
                      f"chat over wss, {who} got {msg}")


def https_get(port, ca, path):
    conn = http.client.HTTPSConnection("localhost", port, timeout=10,
                                       context=ssl.create_default_context(cafile=ca))
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def s_client(port, d, extra, request=b""):
    return run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername",
                "localhost", "-ign_eof"] + extra, d, request)


def old_protocol_checks(port, d):
    for flag in ["-tls1", "-tls1_1"]:
        client = ["-" + flag.lstrip("-"), "-cipher", "DEFAULT:@SECLEVEL=0"]
        refused = s_client(port, d, client)
        out = (refused.stdout + refused.stderr).decode(errors="replace")
        check(refused.returncode != 0 and "alert protocol version" in out,
              f"{flag} against sluice: rc={refused.returncode} {out[-300:]!r}")
        # The positive control: the same client command against a permissive openssl server.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            control_port = s.getsockname()[1]
        control = subprocess.Popen(
            ["openssl", "s_server", "-accept", f"127.0.0.1:{control_port}", "-cert",
             "server.pem", "-key", "server.key", flag, "-cipher", "DEFAULT:@SECLEVEL=0",
             "-quiet"],
            cwd=d, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            for _ in range(100):  # wait for it to listen, with a deadline
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", control_port)) == 0:
                        break
                    probe.close()
                    time.sleep(0.05)
            accepted = run(["openssl", "s_client", "-connect", f"127.0.0.1:{control_port}"] +
                           client, d, b"")
            out = accepted.stdout.decode(errors="replace")
            expected = "TLSv1" if flag == "-tls1" else "TLSv1.1"
            check(re.search(r"Protocol\s*:\s*" + re.escape(expected) + r"\n", out) is not None
                  and "Cipher is (NONE)" not in out,
                  f"positive control {flag}: the permissive server did not accept: {out[-400:]!r}")
        finally:
            control.kill()
            control.wait(timeout=10)


def main():
    echo_binary, chat_binary = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as d:
        make_pki(d)
        ca = os.path.join(d, "ca.pem")
        server, port = start(echo_binary, d)
        try:
            asyncio.run(asyncio.wait_for(wss_checks(port, ca), 60))
            status, _ = https_get(port, ca, "/other")
            check(status == 404, f"https /other: {status}")
            r = s_client(port, d, ["-CAfile", "ca.pem", "-verify_return_error",
                                   "-sess_out", "sess.pem"],
                         b"GET /other HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            out = r.stdout.decode(errors="replace")
            check("Verify return code: 0 (ok)" in out, "s_client verification")
            check("HTTP/1.1 404" in out, f"s_client HTTP answer: {out[-300:]!r}")
            check("TLSv1.3" in out, "s_client protocol TLSv1.3")
            r = s_client(port, d, ["-CAfile", "ca.pem", "-sess_in", "sess.pem"],
                         b"GET /other HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            out = r.stdout.decode(errors="replace")
            check("Reused, TLSv1.3" in out, f"s_client session resumption: {out[:400]!r}")
            old_protocol_checks(port, d)
        finally:
            stop(server)
        server, port = start(chat_binary, d)
        try:
            status, body = https_get(port, ca, "/")
            check(status == 200 and b"<html" in body.lower(), f"chat page over https: {status}")
            asyncio.run(asyncio.wait_for(chat_over_wss(port, ca), 30))
        finally:
            stop(server)
    print("tls clients:", "ok" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
