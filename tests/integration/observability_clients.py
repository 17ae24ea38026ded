#!/usr/bin/python3
"""Metrics and graceful drain of the examples, seen from real clients.

Usage: observability_clients.py chat-metrics PATH_TO_WEBSOCKET_CHAT
       observability_clients.py chat-drain PATH_TO_WEBSOCKET_CHAT
       observability_clients.py chat-drain-deadline PATH_TO_WEBSOCKET_CHAT
       observability_clients.py echo-metrics PATH_TO_ECHO_SERVER

chat-metrics: websocket-chat on 127.0.0.1 port 0 (two loops); python3-websockets clients join
  a room and talk; /metrics, fetched with http.client, is parsed by Prometheus's own parser
  (python3-prometheus-client) and every counter must have moved exactly as the traffic
  implies; after the clients close, the open-connections gauge falls back, the close codes
  are counted and the server logs one "closed" line per connection. --metrics-path moves the
  endpoint.
chat-drain: websocket-chat with WebSocket clients, an idle keep-alive HTTP connection and an
  HTTP request in flight (its headers answered with 100 Continue, its body sent only after
  the drain has begun) gets SIGTERM: every WebSocket client receives close 1001, the idle
  connection is closed, the request in flight is answered with `Connection: close`, new
  connections are refused, and the server exits 0 long before the drain timeout, printing
  what the drain did.
chat-drain-deadline: a WebSocket client that never answers the close frame is closed at the
  drain's deadline (0.5 s), long before the protocol handler's own 10 s force-close timer.
echo-metrics: echo-server --metrics-port 0, lines echoed over TCP, the metrics listener
  scraped and parsed; with --no-metrics the same traffic records nothing.
Every wait has a deadline; nothing sleeps a fixed time waiting for I/O.
"""
import asyncio
import http.client
import json
import os
import re
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import websockets
from prometheus_client.parser import text_string_to_metric_families

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL:", what)
    return condition


class Server:
    """An example server on port 0; its stdout lines are read with a deadline (a thread puts
    them in a queue), its stderr (the log) goes to a file."""

    def __init__(self, args, want=("listening on",)):
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.ports = {}
        for prefix in want:
            line = self.readline(10)
            match = re.match(re.escape(prefix) + r" \S+:(\d+)$", line.strip())
            if not match:
                raise RuntimeError(f"{args[0]}: expected '{prefix} HOST:PORT', got {line!r}")
            self.ports[prefix] = int(match.group(1))
        self.port = self.ports[want[0]]

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)

    def readline(self, timeout):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return ""

    def read_until(self, prefix, timeout):
        """The next stdout line that starts with `prefix` (others skipped), or ""."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.readline(deadline - time.monotonic())
            if line.startswith(prefix):
                return line.strip()
        return ""

    def log_text(self):
        self.log.seek(0)
        return self.log.read()

    def wait_log(self, predicate, timeout=10):
        deadline = time.monotonic() + timeout
        while True:
            text = self.log_text()
            if predicate(text) or time.monotonic() > deadline:
                return text
            time.sleep(0.05)  # polling a file the server appends to, with a deadline

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        self.log.close()


def fetch(port, path, method="GET"):
    """One request on a connection of its own: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


class Scrape:
    """A /metrics response parsed by prometheus_client: samples by name and labels."""

    def __init__(self, port, path="/metrics"):
        status, headers, body = fetch(port, path)
        self.status = status
        self.content_type = headers.get("Content-Type", "")
        self.text = body
        self.types = {}
        self.samples = {}
        for family in text_string_to_metric_families(body):
            self.types[family.name] = family.type
            for s in family.samples:
                self.samples[(s.name, tuple(sorted(s.labels.items())))] = s.value

    def get(self, name, **labels):
        return self.samples.get((name, tuple(sorted(labels.items()))))

    def series(self, name):
        return {labels: v for (n, labels), v in self.samples.items() if n == name}


def scrape_until(port, predicate, timeout=10, path="/metrics"):
    deadline = time.monotonic() + timeout
    while True:
        scrape = Scrape(port, path)
        if predicate(scrape) or time.monotonic() > deadline:
            return scrape
        time.sleep(0.05)  # polling the server's metrics, with a deadline


# ---- chat-metrics ---------------------------------------------------------------------------

async def chat_traffic(port, clients, messages):
    """Clients join one by one (each waits for its own join), then each sends `messages`
    texts and reads until it has every member's. Returns the open connections."""
    members = []
    for k in range(clients):
        ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws?room=lobby&name=user{k}",
                                      open_timeout=10, close_timeout=10)
        members.append(ws)
        while True:
            event = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if event == {"type": "join", "name": f"user{k}"}:
                break
    for k, ws in enumerate(members):
        for i in range(messages):
            await ws.send(f"message {i} from user{k}")
    for k, ws in enumerate(members):
        got = 0
        while got < clients * messages:
            event = json.loads(await asyncio.wait_for(ws.recv(), 10))
            got += event.get("type") == "message"
    return members


def chat_metrics(chat):
    clients, messages = 4, 3
    server = Server([chat, "--port", "0", "--threads", "2"])
    try:
        loop = asyncio.new_event_loop()
        members = loop.run_until_complete(
            asyncio.wait_for(chat_traffic(server.port, clients, messages), 60))

        m = Scrape(server.port)
        check(m.status == 200, f"/metrics status {m.status}")
        check(m.content_type == "text/plain; version=0.0.4; charset=utf-8",
              f"/metrics Content-Type {m.content_type!r}")
        # The scrape's own connection is open and was accepted too: clients + 1.
        check(m.get("sluice_connections_accepted_total") == clients + 1,
              f"connections accepted {m.get('sluice_connections_accepted_total')}, "
              f"expected {clients + 1}")
        check(m.get("sluice_connections_open") == clients + 1,
              f"connections open {m.get('sluice_connections_open')}, expected {clients + 1}")
        check(m.get("sluice_websocket_handshakes_total", side="server") == clients,
              f"server handshakes {m.get('sluice_websocket_handshakes_total', side='server')}")
        sent = clients * messages
        for name in ("sluice_websocket_frames_received_total",):
            check(m.get(name, opcode="text") == sent,
                  f"{name}{{opcode=text}} {m.get(name, opcode='text')}, expected {sent}")
        check(m.get("sluice_websocket_messages_received_total", type="text") == sent,
              f"messages received {m.get('sluice_websocket_messages_received_total', type='text')}")
        # Client k got the joins of members k..N-1, and every member got every message.
        broadcast = clients * (clients + 1) // 2 + clients * clients * messages
        check(m.get("sluice_websocket_frames_sent_total", opcode="text") == broadcast,
              f"text frames sent {m.get('sluice_websocket_frames_sent_total', opcode='text')},"
              f" expected {broadcast}")
        check(m.get("sluice_websocket_messages_sent_total", type="text") == broadcast,
              f"messages sent {m.get('sluice_websocket_messages_sent_total', type='text')}")
        check(m.get("sluice_http_responses_total", **{"class": "1xx"}) == clients,
              f"1xx responses {m.get('sluice_http_responses_total', **{'class': '1xx'})}")
        gets = m.get("sluice_http_requests_total", method="GET") or 0
        check(clients <= gets <= clients + 1, f"GET requests {gets}")
        check((m.get("sluice_bytes_read_total") or 0) > 0, "no bytes read counted")
        check((m.get("sluice_bytes_written_total") or 0) > 0, "no bytes written counted")
        check(m.get("sluice_write_queue_bytes") is not None, "no sluice_write_queue_bytes")
        for name in ("sluice_allocator_reserved_bytes", "sluice_allocator_used_bytes",
                     "sluice_allocator_live_buffers", "sluice_allocator_cache_hit_ratio"):
            check(m.get(name) is not None, f"no {name}")
        for loop_label in ("0", "1"):
            check(m.get("sluice_event_loop_tasks_pending", loop=loop_label) is not None,
                  f"no sluice_event_loop_tasks_pending{{loop={loop_label}}}")
            check(m.get("sluice_event_loop_lag_seconds_count", loop=loop_label) is not None,
                  f"no sluice_event_loop_lag_seconds{{loop={loop_label}}}")
        check(m.types.get("sluice_event_loop_lag_seconds") == "histogram",
              f"event loop lag is a {m.types.get('sluice_event_loop_lag_seconds')}")
        check(m.types.get("sluice_connections_open") == "gauge", "connections_open type")
        check(m.types.get("sluice_connections_accepted") == "counter",
              f"connections_accepted type {m.types.get('sluice_connections_accepted')}")

        # The clients close (1000): the gauge falls back to the scraper alone.
        async def close_all():
            await asyncio.gather(*(ws.close(1000, "bye") for ws in members))
        loop.run_until_complete(asyncio.wait_for(close_all(), 20))
        loop.close()
        m = scrape_until(server.port, lambda s: s.get("sluice_connections_open") == 1)
        check(m.get("sluice_connections_open") == 1,
              f"connections open after the clients closed: {m.get('sluice_connections_open')}")
        check(m.get("sluice_websocket_close_codes_received_total", code="1000") == clients,
              "close codes received "
              f"{m.series('sluice_websocket_close_codes_received_total')}")
        check(m.get("sluice_websocket_close_codes_sent_total", code="1000") == clients,
              f"close codes sent {m.series('sluice_websocket_close_codes_sent_total')}")
        check((m.get("sluice_connections_closed_total", initiator="peer") or 0) >= clients,
              f"closed by peer {m.series('sluice_connections_closed_total')}")

        # One log line per closed connection; the WebSocket ones carry both close codes.
        pattern = re.compile(r"closed id=\S+ remote=127\.0\.0\.1:\d+ initiator=peer "
                             r".*code_sent=1000 .*code_received=1000 reason_received=bye "
                             r".*duration_ms=\d+ bytes_read=\d+ bytes_written=\d+$", re.M)
        log = server.wait_log(lambda t: len(pattern.findall(t)) >= clients)
        check(len(pattern.findall(log)) == clients,
              f"{len(pattern.findall(log))} 'closed ... initiator=peer code_received=1000' "
              f"log lines, expected {clients}; log:\n{log}")
    finally:
        server.stop()

    # --metrics-path moves the endpoint; the old path is the page's 404.
    server = Server([chat, "--port", "0", "--metrics-path", "/internal/metrics"])
    try:
        m = Scrape(server.port, "/internal/metrics")
        check(m.status == 200 and m.get("sluice_connections_open") == 1,
              f"--metrics-path: status {m.status}, open {m.get('sluice_connections_open')}")
        check(fetch(server.port, "/metrics")[0] == 404, "/metrics with --metrics-path moved")
        status, headers, _ = fetch(server.port, "/internal/metrics", "POST")
        check(status == 405 and headers.get("Allow") == "GET, HEAD",
              f"POST to the metrics path: {status}, Allow {headers.get('Allow')!r}")
    finally:
        server.stop()


# ---- chat-drain -----------------------------------------------------------------------------

def read_response(sock, timeout=10):
    """Reads one HTTP/1.1 response with a Content-Length body: (status line, headers, body)."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError(f"connection closed inside a response head: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return lines[0], headers, body


def closed_by_server(sock, timeout=10):
    """True once the server closes: EOF (or a reset) with no more bytes."""
    sock.settimeout(timeout)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


async def drain_clients(server, clients):
    members = []
    for k in range(clients):
        ws = await websockets.connect(f"ws://127.0.0.1:{server.port}/ws?name=user{k}",
                                      open_timeout=10, close_timeout=10)
        members.append(ws)
        while json.loads(await asyncio.wait_for(ws.recv(), 10)) != {"type": "join",
                                                                    "name": f"user{k}"}:
            pass

    # An idle keep-alive HTTP connection: one request answered, then nothing.
    idle = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    idle.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    status, _, _ = read_response(idle)
    check(status.startswith("HTTP/1.1 200"), f"GET /: {status}")

    # A request in flight: the server has its head (it answered 100 Continue), not its body.
    body = b"hello"
    slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    slow.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n"
                 b"Expect: 100-continue\r\n\r\n")
    status, _, _ = read_response(slow)
    check(status.startswith("HTTP/1.1 100"), f"Expect: 100-continue answered {status}")

    sent_at = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)

    # Every chat client gets close 1001 (Going Away), and answers it.
    codes = []
    for ws in members:
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 10)  # a leave event may come first
        except websockets.exceptions.ConnectionClosed as e:
            codes.append(e.rcvd.code if e.rcvd else None)
    check(codes == [1001] * clients, f"close codes at drain: {codes}")

    # One loop (--threads 1) fires the drain through every connection in one pass, so once
    # the chat clients have their close frames the request in flight has been told too: its
    # body arrives after the drain began, and its response must end the connection.
    refused = False
    try:
        socket.create_connection(("127.0.0.1", server.port), timeout=5).close()
    except ConnectionRefusedError:
        refused = True
    check(refused, "a new connection was accepted while draining")

    check(closed_by_server(idle), "the idle keep-alive connection was not closed")
    slow.sendall(body)
    status, headers, _ = read_response(slow)
    check(status.startswith("HTTP/1.1 405"), f"the request in flight got {status}")
    check(headers.get("connection", "").lower() == "close",
          f"the response in flight has Connection: {headers.get('connection')!r}")
    check(closed_by_server(slow), "the connection of the request in flight stayed open")
    idle.close()
    slow.close()
    return sent_at


def chat_drain(chat):
    clients, timeout = 3, 30
    server = Server([chat, "--port", "0", "--threads", "1", "--drain-timeout", str(timeout)])
    try:
        loop = asyncio.new_event_loop()
        sent_at = loop.run_until_complete(asyncio.wait_for(drain_clients(server, clients), 60))
        loop.close()
        try:
            code = server.proc.wait(timeout=timeout / 2)
        except subprocess.TimeoutExpired:
            code = None
        took = time.monotonic() - sent_at
        check(code == 0, f"exit status after SIGTERM: {code}")
        check(took < timeout / 3, f"the drain took {took:.1f} s of its {timeout} s")
        line = server.read_until("drained", 5)
        total = clients + 2
        check(line == f"drained {total} connections: {total} closed in time, 0 forced",
              f"drain report {line!r}")
        log = server.log_text()
        shutdown = re.findall(r"closed id=\S+ remote=\S+ initiator=shutdown .*code_sent=1001 "
                              r"reason_sent=\S.* code_received=1001", log)
        check(len(shutdown) == clients,
              f"{len(shutdown)} 'initiator=shutdown code_sent=1001' log lines, expected "
              f"{clients}; log:\n{log}")
    finally:
        server.stop()


def chat_drain_deadline(chat):
    # A client that never answers the close frame is closed at the deadline.
    server = Server([chat, "--port", "0", "--drain-timeout", "0.5"])
    try:
        mute = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        mute.sendall(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     b"Sec-WebSocket-Version: 13\r\n\r\n")
        status, _, _ = read_response(mute)
        check(status.startswith("HTTP/1.1 101"), f"raw handshake: {status}")
        sent_at = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        try:
            code = server.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        took = time.monotonic() - sent_at
        check(code == 0, f"exit status after a forced drain: {code}")
        check(0.4 <= took < 5, f"a 0.5 s drain with a mute client took {took:.2f} s")
        line = server.read_until("drained", 5)
        check(line == "drained 1 connections: 0 closed in time, 1 forced",
              f"forced drain report {line!r}")
        # It was sent close 1001 first, then closed.
        mute.settimeout(5)
        wire = b""
        while True:
            try:
                chunk = mute.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            wire += chunk
        check(wire[:1] == b"\x88" and wire[2:4] == (1001).to_bytes(2, "big"),
              f"the mute client's last bytes: {wire[:16]!r}")
        mute.close()
    finally:
        server.stop()


# ---- echo-metrics ---------------------------------------------------------------------------

def echo_lines(port, connections, lines):
    """Each connection sends `lines` lines and reads every echo back. Returns bytes sent."""
    socks = [socket.create_connection(("127.0.0.1", port), timeout=10)
             for _ in range(connections)]
    total = 0
    for k, s in enumerate(socks):
        payload = "".join(f"line {i} of connection {k}\n" for i in range(lines)).encode()
        s.sendall(payload)
        total += len(payload)
        got = b""
        while len(got) < len(payload):
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        check(got == payload, f"connection {k}: echo of {len(payload)} bytes: {len(got)} bytes")
    return socks, total


def echo_metrics(echo):
    connections, lines = 3, 50
    server = Server([echo, "--port", "0", "--metrics-port", "0"],
                    want=("listening on", "metrics on"))
    try:
        socks, sent = echo_lines(server.port, connections, lines)
        mport = server.ports["metrics on"]
        m = Scrape(mport)
        check(m.status == 200, f"echo /metrics status {m.status}")
        # The echo connections and the scrape's own: both listeners count.
        check(m.get("sluice_connections_accepted_total") == connections + 1,
              f"echo: connections accepted {m.get('sluice_connections_accepted_total')}")
        check(m.get("sluice_connections_open") == connections + 1,
              f"echo: connections open {m.get('sluice_connections_open')}")
        check((m.get("sluice_bytes_read_total") or 0) >= sent,
              f"echo: bytes read {m.get('sluice_bytes_read_total')} < {sent} sent")
        check((m.get("sluice_bytes_written_total") or 0) >= sent,
              f"echo: bytes written {m.get('sluice_bytes_written_total')} < {sent} echoed")
        check(m.get("sluice_http_requests_total", method="GET") in (0, 1, None),
              f"echo: GET requests {m.get('sluice_http_requests_total', method='GET')}")
        check(fetch(mport, "/other")[0] == 404, "echo: /other on the metrics port")
        check(fetch(mport, "/metrics", "POST")[0] == 405, "echo: POST /metrics")
        check(fetch(mport, "/metrics", "HEAD")[0] == 200, "echo: HEAD /metrics")
        for s in socks:
            s.close()
        m = scrape_until(mport, lambda s: s.get("sluice_connections_open") == 1)
        check(m.get("sluice_connections_open") == 1,
              f"echo: open after the clients closed: {m.get('sluice_connections_open')}")
        check((m.get("sluice_connections_closed_total", initiator="peer") or 0) >= connections,
              f"echo: closed by peer {m.series('sluice_connections_closed_total')}")
        server.proc.send_signal(signal.SIGTERM)
        check(server.proc.wait(timeout=15) == 0, "echo: exit status after SIGTERM")
        line = server.read_until("drained", 5)
        check(re.fullmatch(r"drained \d+ connections: \d+ closed in time, 0 forced", line),
              f"echo: drain report {line!r}")
    finally:
        server.stop()

    # --no-metrics: the same traffic records nothing; the endpoint still answers.
    server = Server([echo, "--port", "0", "--metrics-port", "0", "--no-metrics"],
                    want=("listening on", "metrics on"))
    try:
        socks, _ = echo_lines(server.port, connections, lines)
        m = Scrape(server.ports["metrics on"])
        check(m.status == 200, f"--no-metrics: /metrics status {m.status}")
        for name in ("sluice_connections_accepted_total", "sluice_bytes_read_total",
                     "sluice_bytes_written_total", "sluice_connections_open"):
            check(m.get(name) in (0, None), f"--no-metrics: {name} = {m.get(name)}")
        for s in socks:
            s.close()
    finally:
        server.stop()


def main():
    mode, binary = sys.argv[1], sys.argv[2]
    modes = {"chat-metrics": chat_metrics, "chat-drain": chat_drain,
             "chat-drain-deadline": chat_drain_deadline, "echo-metrics": echo_metrics}
    modes[mode](binary)
    print(f"{mode}:", "ok" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
