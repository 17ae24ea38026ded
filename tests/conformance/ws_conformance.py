#!/usr/bin/env python3
"""sluice's WebSocket conformance suite: an RFC 6455 client that checks a WebSocket echo server.

Usage:
  ws_conformance.py --url ws://127.0.0.1:PORT/ws [--cases 1.*,5.1] [--exclude 9.*]
                    [--report conformance.md] [--json results.json] [--list] [--verbose]

The cases follow the server cases of the Autobahn|Testsuite "fuzzingclient" (sections 1-7, 9
and 10.1; numbering kept so results compare), written from RFC 6455: framing (1), pings and
pongs (2), reserved bits (3), reserved opcodes (4), fragmentation (5), UTF-8 handling (6),
close handling (7), large messages and many frames (9, scaled down, see SCALING) and
fragmented messages of 64 KiB (10.1), and compression with permessage-deflate (RFC 7692):
messages of different kinds (12) and the offers of different parameters (13), scaled down
(see SCALING). Sections 6.24 and 6.25 are additions: UTF-8 text split into two frames at
every byte offset. Cases of sections 12 and 13 offer permessage-deflate in the handshake (the
others offer no extension) and fail unless the server accepts it.

It uses only the standard library (raw sockets), so it can send what a well-behaved client
never would: reserved bits and opcodes, fragmented control frames, invalid UTF-8, bad close
payloads, frames chopped into single octets. Every case runs on a fresh connection; every wait
has a deadline. Where the server must fail the connection, the case's frames are followed by a
ping: a server that failed never answers it, and one that answers is reported at once instead
of after the deadline. Where a case is stricter than RFC 6455 (7.1.1: the echo of a message
sent just before a Close), the RFC-allowed alternative is NON-STRICT rather than FAILED.

Results, as Autobahn classifies them:
  OK             the server did what the RFC asks and what the case expects.
  NON-STRICT     allowed by the RFC but not the best behaviour: a protocol error noticed
                 before the valid frame in front of it was echoed, invalid UTF-8 noticed later
                 than possible, a failed connection closed without a Close frame (7.1.7
                 SHOULD), a Close with another appropriate code, a TCP close left to the client.
  FAILED         a MUST broken, or events that match no expectation.
  INFORMATIONAL  behaviour the RFC leaves open (7.1.6, 7.13.x); never a failure.

Exit status: 1 if any case FAILED, 0 otherwise.
"""
from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import json
import os
import select
import socket
import struct
import sys
import time
import urllib.parse
import random
import zlib
from dataclasses import dataclass, field
from typing import Callable, Optional

OK = "OK"
NON_STRICT = "NON-STRICT"
FAILED = "FAILED"
INFORMATIONAL = "INFORMATIONAL"

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

# RFC 6455 section 1.3: the GUID the server appends to Sec-WebSocket-Key.
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

# Section 9 is scaled to fit CI and the limits the servers run with (1 MiB messages and
# frames, inclusive). Autobahn's sizes in the comments.
KIB = 1 << 10
MIB = 1 << 20
SCALING = """\
Section 9 is scaled down from Autobahn so it fits a CI run and servers limited to 1 MiB
messages and 1 MiB frames (a message of exactly 1 MiB must be accepted):
9.1/9.2 single-frame messages of 4, 16, 64, 256, 512 KiB and 1 MiB (Autobahn: 64 KiB to 16 MiB);
9.3/9.4 a 1 MiB message in frames of 16 B to 1 MiB (Autobahn: a 4 MiB message in frames of
64 B to 4 MiB); 9.5/9.6 a 1 MiB message written in chops of 64 B to 2 KiB (as Autobahn);
9.7/9.8 1000 round trips of 0 B to 4 KiB messages (as Autobahn). Waits are event-driven:
the suite moves on as soon as what it waits for arrives; the windows of the fail-fast cases
(6.4.x) are 0.25 s (valid part accepted) and 1 s (invalid part rejected) instead of 1 s each.
Sections 12 and 13 send min(1000, max(16, 256 KiB / size)) messages per case instead of 1000
(all 1000 up to 256 B), of sizes 16 B to 128 KiB as Autobahn; section 12's payloads are
generated stand-ins of Autobahn's files (JSON, a bitmap, German prose, HTML, a PDF-like
binary), and 13.3/13.5/13.7 offer window bits 9 where old Autobahn versions offered 8 (zlib
cannot compress raw deflate with a 256-byte window; Autobahn moved to 9 as well)."""

# --------------------------------------------------------------------------------------------
# Frames


def mask_payload(data: bytes, key: bytes) -> bytes:
    """XORs data with the 4-byte masking key (RFC 6455 5.3), fast for large payloads."""
    n = len(data)
    if n == 0:
        return b""
    repeated = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^ int.from_bytes(repeated, "little")).to_bytes(
        n, "little")


def frame(opcode: int, payload: bytes = b"", fin: bool = True, rsv: int = 0) -> bytes:
    """One client frame, masked as RFC 6455 5.1 requires of clients. Any opcode, reserved bits
    and control-frame length are allowed on purpose: the cases send malformed frames."""
    head = bytearray()
    head.append((0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0xF))
    n = len(payload)
    if n < 126:
        head.append(0x80 | n)
    elif n < (1 << 16):
        head.append(0x80 | 126)
        head += struct.pack("!H", n)
    else:
        head.append(0x80 | 127)
        head += struct.pack("!Q", n)
    key = os.urandom(4)
    return bytes(head) + key + mask_payload(payload, key)


def close_payload(code: Optional[int] = None, reason: bytes = b"") -> bytes:
    return b"" if code is None else struct.pack("!H", code) + reason


def fragments(opcode: int, payload: bytes, size: int) -> list[bytes]:
    """payload as one message in frames of `size` bytes (the last may be shorter)."""
    parts = [payload[i:i + size] for i in range(0, len(payload), size)] or [b""]
    return [frame(opcode if i == 0 else CONT, p, fin=(i == len(parts) - 1))
            for i, p in enumerate(parts)]


def describe_bytes(data: bytes, limit: int = 24) -> str:
    if len(data) <= limit:
        try:
            text = data.decode("utf-8")
            if text.isprintable():
                return repr(text)
        except UnicodeDecodeError:
            pass
        return "0x" + data.hex()
    return f"{len(data)} B"


def event_text(e: tuple) -> str:
    kind = e[0]
    if kind == "message":
        return f"{'binary' if e[2] else 'text'} message {describe_bytes(e[1])}"
    if kind in ("ping", "pong"):
        return f"{kind} {describe_bytes(e[1])}" if e[1] else kind
    if kind == "timeout":
        return f"still open after wait {e[1]}"
    return str(e)


def events_text(events: list) -> str:
    if not events:
        return "nothing"
    out, i = [], 0
    while i < len(events):  # runs of equal-looking events are counted, not listed
        j = i
        while j + 1 < len(events) and event_text(events[j + 1]) == event_text(events[i]):
            j += 1
        out.append(event_text(events[i]) + (f" x{j - i + 1}" if j > i else ""))
        i = j + 1
    if len(out) > 6:
        out = out[:3] + [f"... ({len(events)} events)"] + out[-2:]
    return ", ".join(out)


# --------------------------------------------------------------------------------------------
# Connection: one per case


class HandshakeError(Exception):
    pass


class PerMessageDeflate:
    """The client's side of permessage-deflate (RFC 7692) as the server's answer agreed it:
    compresses what the cases send and inflates what the server sends."""

    def __init__(self, answer: str, offer: str):
        name, *params = [p.strip() for p in answer.split(";")]
        if name != "permessage-deflate":
            raise HandshakeError(f"server answered {answer!r} to {offer!r}")
        agreed: dict[str, Optional[str]] = {}
        for p in params:
            key, _, value = p.partition("=")
            key, value = key.strip(), value.strip().strip('"')
            if key in agreed:
                raise HandshakeError(f"parameter {key} twice in {answer!r} (RFC 7692 7)")
            agreed[key] = value or None
        known = {"server_no_context_takeover", "client_no_context_takeover",
                 "server_max_window_bits", "client_max_window_bits"}
        for key, value in agreed.items():
            if key not in known:
                raise HandshakeError(f"unknown parameter {key} in {answer!r} (RFC 7692 7)")
            if key.endswith("_window_bits") and (value is None or not value.isdigit() or
                                                 not 8 <= int(value) <= 15 or value[0] == "0"):
                raise HandshakeError(f"invalid {key} in {answer!r} (RFC 7692 7.1.2)")
            if key.endswith("_context_takeover") and value is not None:
                raise HandshakeError(f"{key} with a value in {answer!r} (RFC 7692 7.1.1)")
        server_bits = int(agreed.get("server_max_window_bits") or 15)
        # The answer must fit one of the offered elements (RFC 7692 5: several may be offered).
        problems = []
        for element in offer.replace(" ", "").split(","):
            params = element.split(";")[1:]
            asked = [int(p.split("=")[1]) for p in params if p.startswith("server_max_window_bits=")]
            if "client_max_window_bits" in agreed and not any(
                    p.startswith("client_max_window_bits") for p in params):
                problems.append("client_max_window_bits answered but not offered (RFC 7692 7.1.2.2)")
            elif asked and server_bits > asked[0]:
                problems.append(f"server_max_window_bits {server_bits} > {asked[0]} (RFC 7692 7.1.2.1)")
            elif "server_no_context_takeover" in params and "server_no_context_takeover" not in agreed:
                problems.append("server_no_context_takeover requested, not agreed (RFC 7692 7.1.1.1)")
            else:
                problems = []
                break
        if problems:
            raise HandshakeError(f"answer {answer!r} to {offer!r}: {problems[0]}")
        self.answer = answer
        self.server_bits = server_bits
        self.client_bits = max(9, int(agreed.get("client_max_window_bits") or 15))
        self.server_no_context = "server_no_context_takeover" in agreed
        self.client_no_context = "client_no_context_takeover" in agreed
        self.compressor = zlib.compressobj(6, zlib.DEFLATED, -self.client_bits)
        self.decompressor = zlib.decompressobj(-self.server_bits)

    def compress(self, payload: bytes) -> bytes:
        """RFC 7692 7.2.1: deflate, sync flush, remove the 00 00 ff ff tail."""
        if self.client_no_context:
            self.compressor = zlib.compressobj(6, zlib.DEFLATED, -self.client_bits)
        data = self.compressor.compress(payload) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
        return data[:-4] if data.endswith(b"\x00\x00\xff\xff") else data

    def decompress(self, payload: bytes) -> bytes:
        """RFC 7692 7.2.2: append 00 00 ff ff and inflate; raises zlib.error on bad data."""
        if self.server_no_context:
            self.decompressor = zlib.decompressobj(-self.server_bits)
        out = self.decompressor.decompress(payload + b"\x00\x00\xff\xff")
        if self.decompressor.eof:  # a final block (RFC 7692 7.2.3.4): a new stream follows
            self.decompressor = zlib.decompressobj(-self.server_bits)
        return out


class Connection:
    """A raw client connection: writes whatever bytes a case gives it, reads and checks the
    server's frames, answers pings and Close frames as a conforming client would."""

    def __init__(self, host: str, port: int, path: str, deadline: float,
                 offer: Optional[str] = None):
        self.started = time.monotonic()
        self.offer = offer
        self.pmd: Optional[PerMessageDeflate] = None
        self.frag_compressed = False
        self.sock = socket.create_connection((host, port),
                                             timeout=max(0.1, deadline - time.monotonic()))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rbuf = bytearray()
        self.received: list[tuple] = []       # message, ping, pong and timeout events
        self.log: list[str] = []              # what happened, with times, for the report
        self.violations: list[str] = []       # MUSTs the server broke
        self.eof = False                      # the server closed (or reset) the TCP connection
        self.reset = False
        self.dropped_by_me = False            # we closed TCP because a deadline passed
        self.close_sent = False
        self.close_initiated = False          # our Close went out before the server's
        self.close_received: Optional[tuple] = None  # (code or None, reason bytes)
        self.close_reply_pending = False
        self.pending_pongs: list[bytes] = []
        self.write_failed = False
        self.mid_frame = False                # our last write ended inside a frame
        self.probe_sent = False
        self.probe_answered = False
        self.sending = False
        self.frag_opcode: Optional[int] = None
        self.frag_data = bytearray()
        self._handshake(host, port, path, deadline)
        self.sock.setblocking(False)

    # -- opening handshake (RFC 6455 4.1) --

    def _handshake(self, host: str, port: int, path: str, deadline: float) -> None:
        key = base64.b64encode(os.urandom(16)).decode()
        authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        extensions = f"Sec-WebSocket-Extensions: {self.offer}\r\n" if self.offer else ""
        request = (f"GET {path} HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   f"Sec-WebSocket-Version: 13\r\n{extensions}\r\n")
        self.sock.sendall(request.encode())
        data = bytearray()
        while b"\r\n\r\n" not in data:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                raise HandshakeError("no handshake response before the deadline") from None
            if not chunk:
                raise HandshakeError(f"connection closed during the handshake: {bytes(data)!r}")
            data += chunk
            if len(data) > 65536:
                raise HandshakeError("handshake response too long")
        head, _, rest = bytes(data).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = lines[0].split(" ", 2)
        if len(status) < 2 or status[1] != "101":
            raise HandshakeError(f"expected 101 Switching Protocols, got {lines[0]!r}")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        expected_accept = base64.b64encode(
            hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if headers.get("upgrade", "").lower() != "websocket":
            raise HandshakeError(f"Upgrade header is {headers.get('upgrade')!r}")
        if "upgrade" not in [t.strip().lower() for t in headers.get("connection", "").split(",")]:
            raise HandshakeError(f"Connection header is {headers.get('connection')!r}")
        if headers.get("sec-websocket-accept") != expected_accept:
            raise HandshakeError("wrong Sec-WebSocket-Accept")
        answer = headers.get("sec-websocket-extensions")
        if answer and not self.offer:  # RFC 6455 9.1: none was offered
            raise HandshakeError("server answered with extensions the client did not offer")
        if self.offer:
            if not answer:
                raise HandshakeError(f"permessage-deflate not accepted (offer {self.offer!r})")
            self.pmd = PerMessageDeflate(answer, self.offer)
        self.rbuf += rest

    # -- state --

    def now(self) -> float:
        return time.monotonic() - self.started

    def note(self, what: str) -> None:
        self.log.append(f"{self.now() * 1000:.0f}ms {what}")

    def is_open(self) -> bool:
        """Open as Autobahn means it: no Close frame from the server and no TCP close."""
        return not self.eof and self.close_received is None

    def may_send(self) -> bool:
        return not self.eof and not self.write_failed and self.close_received is None

    # -- writing --

    def send(self, data: bytes, chop: Optional[int], deadline: float, partial: bool) -> bool:
        """Writes data in chops of `chop` bytes (one write if None), reading what arrives in
        between so neither side blocks on a full buffer. Stops when the server closes."""
        if not self.may_send():
            return False
        self.sending = True
        view = memoryview(data)
        size = chop or max(1, len(view))
        complete = True
        for start in range(0, len(view), size):
            if not self._write(view[start:start + size], deadline):
                complete = False
                break
        self.sending = False
        if complete:
            self.mid_frame = partial
        else:
            self.mid_frame = True  # stopped somewhere inside the bytes
        for payload in self.pending_pongs:
            if not self.mid_frame and not self.close_sent:
                self._raw_send_frame(frame(PONG, payload))
        self.pending_pongs = []
        if self.close_reply_pending:
            self.close_reply_pending = False
            self._reply_close()
        return complete

    def _write(self, chunk: memoryview, deadline: float) -> bool:
        off = 0
        while off < len(chunk):
            if self.eof or self.write_failed:
                return False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.note("write deadline passed")
                return False
            r, w, _ = select.select([self.sock], [self.sock], [], remaining)
            if r:
                self._read_once()
            if w and not self.eof:
                try:
                    off += self.sock.send(chunk[off:])
                except (BrokenPipeError, ConnectionResetError) as e:
                    self.write_failed = True
                    self.note(f"write failed: {e.__class__.__name__}")
                    return False
                except BlockingIOError:
                    pass
        return True

    def _raw_send_frame(self, data: bytes) -> None:
        """Writes one whole frame outside a case step (pong and Close replies)."""
        if self.eof or self.write_failed:
            return
        view = memoryview(data)
        off = 0
        deadline = time.monotonic() + 2
        while off < len(view) and time.monotonic() < deadline:
            try:
                off += self.sock.send(view[off:])
            except BlockingIOError:
                select.select([], [self.sock], [], 0.05)
            except (BrokenPipeError, ConnectionResetError) as e:
                self.write_failed = True
                self.note(f"write failed: {e.__class__.__name__}")
                return

    def send_close(self, payload: bytes) -> None:
        """A Close frame from the case: the client starts the closing handshake."""
        if self.eof or self.write_failed:
            return
        if not self.close_sent and self.close_received is None:
            self.close_initiated = True
        self.close_sent = True

    def _reply_close(self) -> None:
        if self.close_sent or self.eof or self.write_failed:
            return
        if self.mid_frame:
            # Our last frame is unfinished, so a Close now would be read as its payload.
            self.note("close not echoed: our frame is incomplete")
            return
        code = self.close_received[0] if self.close_received else None
        self.close_sent = True
        self.note(f"client echoes close {code}")
        self._raw_send_frame(frame(CLOSE, close_payload(code)))

    # -- reading --

    def _read_once(self) -> None:
        try:
            data = self.sock.recv(1 << 18)
        except BlockingIOError:
            return
        except ConnectionResetError:
            data = b""
            self.reset = True
        if not data:
            if not self.eof:
                self.eof = True
                self.note("TCP closed by server" + (" (reset)" if self.reset else ""))
                if self.rbuf:
                    self._violation(f"TCP closed inside a frame ({len(self.rbuf)} bytes of an "
                                    "incomplete frame)")
            return
        self.rbuf += data
        self._parse()

    def pump(self, deadline: float, until: Callable[[], bool]) -> bool:
        """Reads until `until()` holds, the server closes TCP, or the deadline passes."""
        while True:
            if until():
                return True
            if self.eof:
                return until()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            r, _, _ = select.select([self.sock], [], [], remaining)
            if r:
                self._read_once()

    def _violation(self, what: str) -> None:
        self.violations.append(what)
        self.note("violation: " + what)

    def _parse(self) -> None:
        buf = self.rbuf
        while len(buf) >= 2:
            b0, b1 = buf[0], buf[1]
            fin, rsv, opcode = bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 0xF
            masked, length = bool(b1 & 0x80), b1 & 0x7F
            pos = 2
            minimal = True
            if length == 126:
                if len(buf) < 4:
                    return
                length = struct.unpack_from("!H", buf, 2)[0]
                pos = 4
                minimal = length >= 126
            elif length == 127:
                if len(buf) < 10:
                    return
                length = struct.unpack_from("!Q", buf, 2)[0]
                pos = 10
                minimal = (1 << 16) <= length < (1 << 63)
                if not minimal and length >= (1 << 63):
                    self._violation("64-bit length with the top bit set (RFC 6455 5.2)")
                    self.rbuf.clear()
                    return
            key = b""
            if masked:
                if len(buf) < pos + 4:
                    return
                key = bytes(buf[pos:pos + 4])
                pos += 4
            if len(buf) < pos + length:
                return
            payload = bytes(buf[pos:pos + length])
            del buf[:pos + length]
            if not minimal:
                self._violation("payload length not in its minimal form (RFC 6455 5.2)")
            if masked:
                self._violation("server frame is masked (RFC 6455 5.1)")
                payload = mask_payload(payload, key)
            self._frame(fin, rsv, opcode, payload)

    def _frame(self, fin: bool, rsv: int, opcode: int, payload: bytes) -> None:
        if self.close_received is not None:
            self._violation(f"frame (opcode {opcode}) after the server's Close (RFC 6455 5.5.1)")
            return
        if rsv and self.pmd is None:
            self._violation(f"RSV bits {rsv} set without an extension (RFC 6455 5.2)")
        elif rsv and (rsv != 4 or opcode not in (TEXT, BINARY)):
            self._violation(f"RSV bits {rsv} on opcode {opcode} (RFC 7692 6.1: RSV1 on the "
                            "first frame of a data message only)")
        if opcode in (CONT, TEXT, BINARY):
            if opcode != CONT:
                self.frag_compressed = rsv == 4 and self.pmd is not None
            if opcode == CONT:
                if self.frag_opcode is None:
                    self._violation("continuation frame with nothing to continue (RFC 6455 5.4)")
                    return
                self.frag_data += payload
            else:
                if self.frag_opcode is not None:
                    self._violation("new data frame inside a fragmented message (RFC 6455 5.4)")
                self.frag_opcode, self.frag_data = opcode, bytearray(payload)
            if fin:
                data, binary = bytes(self.frag_data), self.frag_opcode == BINARY
                self.frag_opcode, self.frag_data = None, bytearray()
                if self.frag_compressed:
                    self.frag_compressed = False
                    try:
                        data = self.pmd.decompress(data)
                    except zlib.error as e:
                        self._violation(f"compressed message does not inflate: {e} (RFC 7692 7.2.2)")
                        return
                if not binary:
                    try:
                        data.decode("utf-8")
                    except UnicodeDecodeError:
                        self._violation("text message is not valid UTF-8 (RFC 6455 8.1)")
                self.received.append(("message", data, binary))
                self.note(event_text(self.received[-1]))
            return
        if opcode not in (CLOSE, PING, PONG):
            self._violation(f"reserved opcode {opcode} (RFC 6455 5.2)")
            return
        if not fin:
            self._violation("fragmented control frame (RFC 6455 5.5)")
        if len(payload) > 125:
            self._violation("control frame payload over 125 bytes (RFC 6455 5.5)")
        if opcode == PING:
            self.received.append(("ping", payload))
            self.note(event_text(self.received[-1]))
            if not self.close_sent:
                if self.sending:
                    self.pending_pongs.append(payload)  # written once the current step is done
                else:
                    self._raw_send_frame(frame(PONG, payload))
        elif opcode == PONG:
            self.received.append(("pong", payload))
            self.note(event_text(self.received[-1]))
        else:
            self._close_frame(payload)

    def _close_frame(self, payload: bytes) -> None:
        code, reason = None, b""
        if len(payload) == 1:
            self._violation("Close payload of 1 byte (RFC 6455 5.5.1)")
        elif len(payload) >= 2:
            code = struct.unpack("!H", payload[:2])[0]
            reason = payload[2:]
            # RFC 6455 7.4: 0-999 are not used, 1004-1006 and 1015 must not be sent, the rest
            # of 1000-2999 is reserved for the protocol (1012-1014 were registered since).
            # Codes from 5000 up are left undefined, so they are not held against the server.
            if code < 1000 or code in (1004, 1005, 1006, 1015) or 1016 <= code <= 2999:
                self._violation(f"server sent close code {code} (RFC 6455 7.4)")
            try:
                reason.decode("utf-8")
            except UnicodeDecodeError:
                self._violation("close reason is not valid UTF-8 (RFC 6455 5.5.1)")
        self.close_received = (code, reason)
        self.note(f"server close {code}" + (f" {describe_bytes(reason, 60)}" if reason else ""))
        if not self.close_sent:
            if self.sending:
                self.close_reply_pending = True  # echoed once the current write is done
            else:
                self._reply_close()

    def drop(self) -> None:
        if not self.eof:
            self.dropped_by_me = True
            self.note("client drops TCP (deadline)")
            if self.rbuf:
                self._violation(f"the server stopped inside a frame ({len(self.rbuf)} bytes of "
                                "an incomplete frame at the deadline)")
        self.close()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------------------------
# Cases


@dataclass
class CloseExpectation:
    by_me: bool                    # True: the client closes; False: the server fails the connection
    codes: list                    # acceptable close codes from the server
    clean: bool                    # a complete closing handshake is required
    wrong_code_fails: bool = False  # section 7: another code is FAILED, not NON-STRICT


@dataclass
class Case:
    id: str
    description: str
    script: Callable[["CaseRun"], None]
    expected: dict                 # result -> list of events
    close: CloseExpectation
    timeout: float = 1.0           # multiplier of the base deadline
    informational: bool = False
    matcher: Optional[Callable[[list], Optional[str]]] = None
    offer: Optional[str] = None    # a Sec-WebSocket-Extensions offer (sections 12 and 13)

    def expectation(self) -> str:
        ok = self.expected.get(OK, [])
        codes = "/".join(str(c) for c in self.close.codes)
        if self.close.by_me:
            head = events_text(ok) if ok else "no events"
            return f"{head}; clean close {codes}" if self.close.clean else f"{head}; close {codes}"
        if ok and ok[0][0] == "timeout":
            return f"valid part accepted, connection failed ({codes}) on the invalid part"
        if ok:
            return f"{events_text(ok)}, then the connection is failed ({codes})"
        return f"the connection is failed ({codes})"


class CaseRun:
    """What a case script sees: send frames, wait, send a Close, look at events."""

    def __init__(self, conn: Connection, deadline: float):
        self.conn = conn
        self.deadline = deadline

    @property
    def received(self) -> list:
        return self.conn.received

    def send(self, *frames: bytes, chop=None, partial: bool = False) -> bool:
        """chop: None writes all frames at once; "frame" writes frame by frame; an int writes
        chops of that many octets. partial: the bytes end inside a frame."""
        if chop == "frame":
            for i, f in enumerate(frames):
                if not self.conn.send(f, None, self.deadline, partial and i == len(frames) - 1):
                    return False
            return True
        return self.conn.send(b"".join(frames), chop, self.deadline, partial)

    def close(self, payload: bytes = b"", *after: bytes, before: tuple = ()) -> None:
        """Sends the frames `before`, a Close with `payload` and the frames `after` in one
        write, as the cases that test what a server does with frames around a Close need."""
        self.conn.send_close(payload)
        if self.conn.close_sent:
            self.conn.note(f"client close {describe_bytes(payload)}"
                           + (f" with {len(before)} frame(s) before" if before else "")
                           + (f" and {len(after)} frame(s) after" if after else ""))
            self.conn.send(b"".join((*before, frame(CLOSE, payload), *after)), None,
                           self.deadline, False)

    def wait(self, seconds: float, label: Optional[str] = None,
             until: Optional[Callable[[], bool]] = None) -> bool:
        """Waits up to `seconds` (less if `until` holds or the server closes). With a label,
        records a ("timeout", label) event if the connection is still open afterwards, as
        Autobahn does for the fail-fast cases."""
        end = min(self.deadline, time.monotonic() + seconds)
        self.conn.pump(end, lambda: (until is not None and until()) or not self.conn.is_open())
        if label is not None and self.conn.is_open():
            self.conn.received.append(("timeout", label))
        return self.conn.is_open()


CASES: list[Case] = []
SECTION_TITLES = {
    "1": "Framing", "2": "Pings/Pongs", "3": "Reserved bits", "4": "Opcodes",
    "5": "Fragmentation", "6": "UTF-8 handling", "7": "Close handling",
    "9": "Limits/performance (scaled)", "10": "Auto-fragmentation",
    "12": "Compression, payloads (scaled)", "13": "Compression, parameters (scaled)",
}


def add(id: str, description: str, script, expected, close: CloseExpectation, **kw) -> None:
    CASES.append(Case(id, description, script, expected, close, **kw))


def echo_ok(*events):
    return {OK: list(events)}


CLIENT_CLOSES = CloseExpectation(by_me=True, codes=[1000], clean=True)
PROTOCOL_ERROR = CloseExpectation(by_me=False, codes=[1002], clean=False)
INVALID_PAYLOAD = CloseExpectation(by_me=False, codes=[1007], clean=False)


def msg(payload, binary=False):
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return ("message", payload, binary)


def sends(*frames, chop=None):
    return lambda t: t.send(*frames, chop=chop)


# -- 1: framing --------------------------------------------------------------------------------

for sub, (opcode, fill, binary) in ((1, (TEXT, b"*", False)), (2, (BINARY, b"\xfe", True))):
    kind = "binary" if binary else "text"
    for i, n in enumerate((0, 125, 126, 127, 128, 65535, 65536), start=1):
        add(f"1.{sub}.{i}", f"Send a {kind} message of {n} bytes in one frame.",
            sends(frame(opcode, fill * n)), echo_ok(msg(fill * n, binary)), CLIENT_CLOSES)
    add(f"1.{sub}.8",
        f"Send a {kind} message of 65536 bytes in one frame, written in chops of 997 octets.",
        sends(frame(opcode, fill * 65536), chop=997), echo_ok(msg(fill * 65536, binary)),
        CLIENT_CLOSES)

# -- 2: pings and pongs ------------------------------------------------------------------------

add("2.1", "Send a ping without payload.", sends(frame(PING)), echo_ok(("pong", b"")),
    CLIENT_CLOSES)
add("2.2", "Send a ping with the text payload 'Hello, world!'.",
    sends(frame(PING, b"Hello, world!")), echo_ok(("pong", b"Hello, world!")), CLIENT_CLOSES)
_bin8 = b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff"
add("2.3", "Send a ping with an 8-byte binary payload.", sends(frame(PING, _bin8)),
    echo_ok(("pong", _bin8)), CLIENT_CLOSES)
add("2.4", "Send a ping with a payload of 125 bytes (the largest allowed).",
    sends(frame(PING, b"\xfe" * 125)), echo_ok(("pong", b"\xfe" * 125)), CLIENT_CLOSES)
add("2.5", "Send a ping with a payload of 126 bytes (control frames carry at most 125, RFC 5.5).",
    sends(frame(PING, b"\xfe" * 126)), {OK: []}, PROTOCOL_ERROR)
add("2.6", "Send a ping with a payload of 125 bytes, written octet by octet.",
    sends(frame(PING, b"\xfe" * 125), chop=1), echo_ok(("pong", b"\xfe" * 125)), CLIENT_CLOSES)
add("2.7", "Send an unsolicited pong without payload.", sends(frame(PONG)), {OK: []}, CLIENT_CLOSES)
add("2.8", "Send an unsolicited pong with payload 'unsolicited pong payload'.",
    sends(frame(PONG, b"unsolicited pong payload")), {OK: []}, CLIENT_CLOSES)
add("2.9", "Send an unsolicited pong, then a ping with payload 'ping payload'.",
    sends(frame(PONG, b"unsolicited pong payload"), frame(PING, b"ping payload")),
    echo_ok(("pong", b"ping payload")), CLIENT_CLOSES)


def _ten_pings_matcher(received: list) -> Optional[str]:
    """RFC 6455 5.5.3: a peer MAY answer only the most recent of several unanswered pings, so
    fewer pongs in order that end with the last one is NON-STRICT, not FAILED."""
    want = [("pong", f"payload-{i}".encode()) for i in range(10)]
    if received == want:
        return OK
    it = iter(want)
    if received and received[-1] == want[-1] and all(e in it for e in received):
        return NON_STRICT
    return None


for cid, chop in (("2.10", None), ("2.11", 1)):
    add(cid, "Send 10 pings with payloads 'payload-0' .. 'payload-9'"
        + (", written octet by octet." if chop else "."),
        sends(*[frame(PING, f"payload-{i}".encode()) for i in range(10)], chop=chop),
        echo_ok(*[("pong", f"payload-{i}".encode()) for i in range(10)]), CLIENT_CLOSES,
        matcher=_ten_pings_matcher)

# -- 3: reserved bits --------------------------------------------------------------------------

_hello = b"Hello, world!"
add("3.1", "Send a text message with RSV = 1 (no extension negotiated).",
    sends(frame(TEXT, _hello, rsv=1)), {OK: []}, PROTOCOL_ERROR)
for cid, rsv, chop, how in (("3.2", 2, None, "in one write"), ("3.3", 3, "frame", "frame by frame"),
                            ("3.4", 4, 1, "octet by octet")):
    add(cid, f"Send a text message, the same with RSV = {rsv}, then a ping; written {how}.",
        sends(frame(TEXT, _hello), frame(TEXT, _hello, rsv=rsv), frame(PING), chop=chop),
        {OK: [msg(_hello)], NON_STRICT: []}, PROTOCOL_ERROR)
add("3.5", "Send a binary message with RSV = 5.", sends(frame(BINARY, _bin8, rsv=5)), {OK: []},
    PROTOCOL_ERROR)
add("3.6", "Send a ping with RSV = 6.", sends(frame(PING, _hello, rsv=6)), {OK: []}, PROTOCOL_ERROR)
add("3.7", "Send a Close frame with RSV = 7.", sends(frame(CLOSE, close_payload(1000), rsv=7)),
    {OK: []}, PROTOCOL_ERROR)

# -- 4: reserved opcodes -----------------------------------------------------------------------

for sub, ops in ((1, (3, 4, 5, 6, 7)), (2, (11, 12, 13, 14, 15))):
    kind = "non-control" if sub == 1 else "control"
    for i, op in enumerate(ops, start=1):
        payload = b"" if i in (1, 3) else b"reserved opcode payload"
        with_payload = " with payload" if payload else ""
        if i <= 2:
            add(f"4.{sub}.{i}", f"Send a frame with reserved {kind} opcode {op}{with_payload}.",
                sends(frame(op, payload)), {OK: []}, PROTOCOL_ERROR)
        else:
            chop = 1 if i == 5 else None
            add(f"4.{sub}.{i}",
                f"Send a text message, a frame with reserved {kind} opcode {op}{with_payload}, "
                f"then a ping{'; written octet by octet' if chop else ''}.",
                sends(frame(TEXT, _hello), frame(op, payload), frame(PING), chop=chop),
                {OK: [msg(_hello)], NON_STRICT: []}, PROTOCOL_ERROR)

# -- 5: fragmentation --------------------------------------------------------------------------

add("5.1", "Send a ping fragmented into 2 frames (control frames MUST NOT be fragmented, RFC 5.5).",
    sends(frame(PING, b"fragment1", fin=False), frame(CONT, b"fragment2")), {OK: []},
    PROTOCOL_ERROR)
add("5.2", "Send a pong fragmented into 2 frames.",
    sends(frame(PONG, b"fragment1", fin=False), frame(CONT, b"fragment2")), {OK: []},
    PROTOCOL_ERROR)
_two = (frame(TEXT, b"fragment1", fin=False), frame(CONT, b"fragment2"))
for cid, chop, how in (("5.3", None, "in one write"), ("5.4", 1, "octet by octet"),
                       ("5.5", "frame", "frame by frame")):
    add(cid, f"Send a text message in 2 fragments, written {how}.", sends(*_two, chop=chop),
        echo_ok(msg(b"fragment1fragment2")), CLIENT_CLOSES)
for cid, chop, how in (("5.6", None, "in one write"), ("5.7", 1, "octet by octet"),
                       ("5.8", "frame", "frame by frame")):
    add(cid, f"Send a text message in 2 fragments with a ping in between, written {how}.",
        sends(_two[0], frame(PING, b"ping payload"), _two[1], chop=chop),
        echo_ok(("pong", b"ping payload"), msg(b"fragment1fragment2")), CLIENT_CLOSES)
for base, fin in ((9, True), (12, False)):
    for k, (chop, how) in enumerate(((None, "in one write"), ("frame", "frame by frame"),
                                     (1, "octet by octet"))):
        add(f"5.{base + k}",
            f"Send a continuation frame with FIN = {str(fin).lower()} when there is nothing to "
            f"continue, then a text message; written {how}.",
            sends(frame(CONT, b"non-continuation payload", fin=fin), frame(TEXT, _hello),
                  chop=chop), {OK: []}, PROTOCOL_ERROR)
add("5.15", "Send a text message in 2 fragments, then a continuation frame with FIN = false with "
    "nothing to continue, then a text message; in one write.",
    sends(frame(TEXT, b"fragment1", fin=False), frame(CONT, b"fragment2"),
          frame(CONT, b"fragment3", fin=False), frame(TEXT, b"fragment4")),
    {OK: [msg(b"fragment1fragment2")], NON_STRICT: []}, PROTOCOL_ERROR)
for cid, fin in (("5.16", False), ("5.17", True)):
    seq = [frame(CONT, b"fragment1", fin=fin), frame(TEXT, b"fragment2", fin=False),
           frame(CONT, b"fragment3")]
    add(cid, f"Twice: a continuation frame with FIN = {str(fin).lower()} with nothing to "
        "continue, then a text message in 2 fragments.", sends(*(seq * 2)), {OK: []},
        PROTOCOL_ERROR)
add("5.18", "Send a text message in 2 fragments, both with the text opcode.",
    sends(frame(TEXT, b"fragment1", fin=False), frame(TEXT, b"fragment2")), {OK: []},
    PROTOCOL_ERROR)


def _interleaved_pings(chop):
    frags = [f"fragment{i}".encode() for i in range(1, 6)]

    def script(t: CaseRun) -> None:
        t.send(frame(TEXT, frags[0], fin=False), frame(CONT, frags[1], fin=False),
               frame(PING, b"pongme 1!"), chop=chop)
        # The first pong should come before the message is complete.
        t.wait(1.0, until=lambda: ("pong", b"pongme 1!") in t.received)
        t.send(frame(CONT, frags[2], fin=False), frame(CONT, frags[3], fin=False),
               frame(PING, b"pongme 2!"), frame(CONT, frags[4]), chop=chop)

    return script


_five = b"fragment1fragment2fragment3fragment4fragment5"
add("5.19", "Send a text message in 5 fragments: 2 fragments and a ping, wait for the pong, then "
    "2 fragments, a ping and the last fragment.", _interleaved_pings(None),
    echo_ok(("pong", b"pongme 1!"), ("pong", b"pongme 2!"), msg(_five)), CLIENT_CLOSES)
add("5.20", "As 5.19, written frame by frame.", _interleaved_pings("frame"),
    echo_ok(("pong", b"pongme 1!"), ("pong", b"pongme 2!"), msg(_five)), CLIENT_CLOSES)

# -- 6: UTF-8 ----------------------------------------------------------------------------------

add("6.1.1", "Send a text message of length 0.", sends(frame(TEXT)), echo_ok(msg(b"")),
    CLIENT_CLOSES)
add("6.1.2", "Send a text message of length 0 in 3 empty fragments.",
    sends(frame(TEXT, fin=False), frame(CONT, fin=False), frame(CONT)), echo_ok(msg(b"")),
    CLIENT_CLOSES)
add("6.1.3", "Send a text message in 3 fragments: empty, 'middle frame payload', empty.",
    sends(frame(TEXT, fin=False), frame(CONT, b"middle frame payload", fin=False), frame(CONT)),
    echo_ok(msg(b"middle frame payload")), CLIENT_CLOSES)

_hello_utf8 = "Hello-µ@ßöäüàá-UTF-8!!".encode()
_kosme = bytes.fromhex("cebae1bdb9cf83cebcceb5")  # κόσμε
_split = len("Hello-µ@ßöä".encode())  # on a code point boundary
add("6.2.1", "Send valid UTF-8 text 'Hello-µ@ßöäüàá-UTF-8!!' in one frame.",
    sends(frame(TEXT, _hello_utf8)), echo_ok(msg(_hello_utf8)), CLIENT_CLOSES)
add("6.2.2", "Send the same text in 2 fragments split on a code point boundary.",
    sends(frame(TEXT, _hello_utf8[:_split], fin=False), frame(CONT, _hello_utf8[_split:])),
    echo_ok(msg(_hello_utf8)), CLIENT_CLOSES)
add("6.2.3", "Send the same text fragmented into 1-octet frames.",
    sends(*fragments(TEXT, _hello_utf8, 1)), echo_ok(msg(_hello_utf8)), CLIENT_CLOSES)
add("6.2.4", "Send 'κόσμε' (0xcebae1bdb9cf83cebcceb5) fragmented into 1-octet frames.",
    sends(*fragments(TEXT, _kosme, 1)), echo_ok(msg(_kosme)), CLIENT_CLOSES)

_invalid = _kosme + b"\xed\xa0\x80" + b"edited"  # a UTF-16 surrogate: invalid at byte 12
add("6.3.1", "Send invalid UTF-8 text (a surrogate, 0xeda080, after 'κόσμε') in one frame.",
    sends(frame(TEXT, _invalid)), {OK: []}, INVALID_PAYLOAD)
add("6.3.2", "Send the same invalid UTF-8 text fragmented into 1-octet frames.",
    sends(*fragments(TEXT, _invalid, 1)), {OK: []}, INVALID_PAYLOAD)

FAIL_FAST_ACCEPT = 0.25   # wait A: the valid first part must not fail the connection
FAIL_FAST_REJECT = 1.0    # wait B: the invalid part should fail it within this window
_ff = _kosme + b"\xf4\x90\x80\x80" + b"edited"  # 0x110000: invalid at byte 12 (0x90)


def _fail_fast(parts: list, in_frames: bool):
    """Autobahn 6.4.x: the valid start, wait, the part that makes the text invalid, wait,
    the rest. Failing after the second part is OK; failing only after the rest NON-STRICT."""

    def script(t: CaseRun) -> None:
        if in_frames:
            first = frame(TEXT, parts[0], fin=False)
            middle = frame(CONT, parts[1], fin=False)
            last = frame(CONT, parts[2])
            t.send(first)
        else:
            whole = frame(TEXT, b"".join(parts))
            header = len(whole) - len(b"".join(parts))
            cut1, cut2 = header + len(parts[0]), header + len(parts[0]) + len(parts[1])
            first, middle, last = whole[:cut1], whole[cut1:cut2], whole[cut2:]
            t.send(first, partial=True)
        if not t.wait(FAIL_FAST_ACCEPT, "A"):
            return
        t.send(middle, partial=not in_frames)
        if not t.wait(FAIL_FAST_REJECT, "B"):
            return
        t.send(last)

    return script


_ff_expected = {OK: [("timeout", "A")], NON_STRICT: [("timeout", "A"), ("timeout", "B")]}
add("6.4.1", "Send invalid UTF-8 text in 3 frames: 'κόσμε' (valid), wait, 0xf4908080 "
    "(U+110000, invalid), wait, 'edited'.",
    _fail_fast([_kosme, b"\xf4\x90\x80\x80", b"edited"], True),
    _ff_expected, INVALID_PAYLOAD)
add("6.4.2", "As 6.4.1 but the second frame is just the octet that makes the text invalid "
    "(0x90 after 'κόσμε' 0xf4).", _fail_fast([_ff[:12], _ff[12:13], _ff[13:]], True),
    _ff_expected, INVALID_PAYLOAD)
add("6.4.3", "As 6.4.1 but one frame written in 3 chops with waits.",
    _fail_fast([_kosme, b"\xf4\x90\x80\x80", b"edited"], False), _ff_expected, INVALID_PAYLOAD)
add("6.4.4", "As 6.4.2 but one frame written in 3 chops with waits.",
    _fail_fast([_ff[:12], _ff[12:13], _ff[13:]], False), _ff_expected, INVALID_PAYLOAD)


def utf8_test_sequences() -> list:
    """Markus Kuhn's UTF-8 decoder stress test, grouped as Autobahn's 6.5 .. 6.23. Each
    group: (title, [(valid, bytes), ...])."""
    groups = []
    groups.append(("Some valid UTF-8 sequences", [
        (True, b"hello\x24world"), (True, b"hello\xc2\xa2world"),
        (True, b"hello\xe2\x82\xacworld"), (True, b"hello\xf0\xa4\xad\xa2world"),
        (True, _kosme)]))
    groups.append(("All prefixes of a valid UTF-8 string with multi-byte code points",
                   [(None, _kosme[:i]) for i in range(1, len(_kosme) + 1)]))
    groups.append(("First possible sequence of a certain length", [
        (True, b"\x00"), (True, b"\xc2\x80"), (True, b"\xe0\xa0\x80"),
        (True, b"\xf0\x90\x80\x80")]))
    groups.append(("First possible sequence length 5/6 (invalid code points)", [
        (False, b"\xf8\x88\x80\x80\x80"), (False, b"\xfc\x84\x80\x80\x80\x80")]))
    groups.append(("Last possible sequence of a certain length", [
        (True, b"\x7f"), (True, b"\xdf\xbf"), (True, b"\xef\xbf\xbf"),
        (True, b"\xf4\x8f\xbf\xbf")]))
    groups.append(("Last possible sequence length 4/5/6 (invalid code points)", [
        (False, b"\xf7\xbf\xbf\xbf"), (False, b"\xfb\xbf\xbf\xbf\xbf"),
        (False, b"\xfd\xbf\xbf\xbf\xbf\xbf")]))
    groups.append(("Other boundary conditions", [
        (True, b"\xed\x9f\xbf"), (True, b"\xee\x80\x80"), (True, b"\xef\xbf\xbd"),
        (True, b"\xf4\x8f\xbf\xbf"), (False, b"\xf4\x90\x80\x80")]))
    groups.append(("Unexpected continuation bytes", [
        (False, b"\x80"), (False, b"\xbf"), (False, b"\x80\xbf"), (False, b"\x80\xbf\x80"),
        (False, b"\x80\xbf\x80\xbf"), (False, b"\x80\xbf\x80\xbf\x80"),
        (False, b"\x80\xbf\x80\xbf\x80\xbf"), (False, bytes(range(0x80, 0xbf)))]))
    groups.append(("Lonely start characters", [
        (False, b"".join(bytes([c, 0x20]) for c in range(lo, hi)))
        for lo, hi in ((0xc0, 0xdf), (0xe0, 0xef), (0xf0, 0xf7), (0xf8, 0xfb), (0xfc, 0xfd))]))
    missing = [b"\xc0", b"\xe0\x80", b"\xf0\x80\x80", b"\xf8\x80\x80\x80",
               b"\xfc\x80\x80\x80\x80", b"\xdf", b"\xef\xbf", b"\xf7\xbf\xbf",
               b"\xfb\xbf\xbf\xbf", b"\xfd\xbf\xbf\xbf\xbf"]
    groups.append(("Sequences with last continuation byte missing", [(False, m) for m in missing]))
    groups.append(("Concatenation of incomplete sequences", [(False, b"".join(missing))]))
    groups.append(("Impossible bytes", [
        (False, b"\xfe"), (False, b"\xff"), (False, b"\xfe\xfe\xff\xff")]))
    groups.append(("Examples of an overlong ASCII character", [
        (False, b"\xc0\xaf"), (False, b"\xe0\x80\xaf"), (False, b"\xf0\x80\x80\xaf"),
        (False, b"\xf8\x80\x80\x80\xaf"), (False, b"\xfc\x80\x80\x80\x80\xaf")]))
    groups.append(("Maximum overlong sequences", [
        (False, b"\xc1\xbf"), (False, b"\xe0\x9f\xbf"), (False, b"\xf0\x8f\xbf\xbf"),
        (False, b"\xf8\x87\xbf\xbf\xbf"), (False, b"\xfc\x83\xbf\xbf\xbf\xbf")]))
    groups.append(("Overlong representation of the NUL character", [
        (False, b"\xc0\x80"), (False, b"\xe0\x80\x80"), (False, b"\xf0\x80\x80\x80"),
        (False, b"\xf8\x80\x80\x80\x80"), (False, b"\xfc\x80\x80\x80\x80\x80")]))
    surrogates = [b"\xed\xa0\x80", b"\xed\xad\xbf", b"\xed\xae\x80", b"\xed\xaf\xbf",
                  b"\xed\xb0\x80", b"\xed\xbe\x80", b"\xed\xbf\xbf"]
    groups.append(("Single UTF-16 surrogates", [(False, s) for s in surrogates]))
    groups.append(("Paired UTF-16 surrogates", [
        (False, hi + lo) for hi in surrogates[:4] for lo in (b"\xed\xb0\x80", b"\xed\xbf\xbf")]))
    nonchars = [b"\xef\xbf\xbe", b"\xef\xbf\xbf"]
    for z1 in (0xf0, 0xf1, 0xf2, 0xf3, 0xf4):
        for z2 in (0x8f, 0x9f, 0xaf, 0xbf):
            if z1 == 0xf4 and z2 != 0x8f:
                continue  # beyond U+10FFFF
            for z3 in (0xbe, 0xbf):
                seq = bytes([z1, z2, 0xbf, z3])
                if z1 == 0xf0 and z2 == 0x8f:
                    continue  # overlong
                nonchars.append(seq)
    groups.append(("Non-character code points (valid UTF-8)", [(True, s) for s in nonchars]))
    groups.append(("Unicode specials (i.e. replacement char)", [
        (True, bytes([0xef, 0xbf, c])) for c in range(0xb9, 0xc0)]))
    # Validity is what a strict decoder says; the groups above state it and must agree.
    checked = []
    for title, seqs in groups:
        out = []
        for valid, s in seqs:
            try:
                s.decode("utf-8")
                really = True
            except UnicodeDecodeError:
                really = False
            assert valid is None or valid == really, (title, s)
            out.append((really, s))
        checked.append((title, out))
    return checked


for gi, (title, seqs) in enumerate(utf8_test_sequences(), start=5):
    SECTION_TITLES[f"6.{gi}"] = title
    for si, (valid, payload) in enumerate(seqs, start=1):
        shown = payload.hex() if len(payload) <= 40 else payload[:20].hex() + "..."
        if valid:
            add(f"6.{gi}.{si}", f"Send valid UTF-8 text in one frame: 0x{shown}.",
                sends(frame(TEXT, payload)), echo_ok(msg(payload)), CLIENT_CLOSES)
        else:
            add(f"6.{gi}.{si}", f"Send invalid UTF-8 text in one frame: 0x{shown}.",
                sends(frame(TEXT, payload)), {OK: []}, INVALID_PAYLOAD)

# Additions to Autobahn: text split into 2 frames at every byte offset, so every position
# inside a multi-byte sequence is a frame boundary once.
_four = b"hello\xf0\xa4\xad\xa2world"  # U+24B62, 4 bytes
SECTION_TITLES["6.24"] = "Valid UTF-8 split into 2 frames at every offset (not in Autobahn)"
for k in range(1, len(_four)):
    add(f"6.24.{k}",
        f"Send 0x{_four.hex()} (U+24B62 inside ASCII) as 2 frames split after byte {k}.",
        sends(frame(TEXT, _four[:k], fin=False), frame(CONT, _four[k:])), echo_ok(msg(_four)),
        CLIENT_CLOSES)
SECTION_TITLES["6.25"] = "Invalid UTF-8 split into 2 frames at every offset (not in Autobahn)"
for k in range(1, len(_invalid)):
    add(f"6.25.{k}", f"Send 0x{_invalid.hex()} (a surrogate after 'κόσμε') as 2 frames split "
        f"after byte {k}.", sends(frame(TEXT, _invalid[:k], fin=False), frame(CONT, _invalid[k:])),
        {OK: []}, INVALID_PAYLOAD)

# -- 7: close handling -------------------------------------------------------------------------

_hw = b"Hello World!"
CLEAN_1000 = CloseExpectation(by_me=True, codes=[1000], clean=True, wrong_code_fails=True)


def _close_step(payload):
    return lambda t: t.close(payload)


# RFC 6455 5.5.1 lets the server answer the Close at once; once it has, it MUST NOT send the
# echo. Echoing first is the strict behaviour, answering first NON-STRICT.
add("7.1.1", "Send a text message, then a Close with code 1000.",
    lambda t: t.close(close_payload(1000), before=(frame(TEXT, _hw),)),
    {OK: [msg(_hw)], NON_STRICT: []}, CLEAN_1000)
add("7.1.2", "Send two Close frames (1000, then empty).",
    lambda t: t.close(close_payload(1000), frame(CLOSE)), {OK: []}, CLEAN_1000)
add("7.1.3", "Send a Close (1000), then a ping.",
    lambda t: t.close(close_payload(1000), frame(PING, _hw)), {OK: []}, CLEAN_1000)
add("7.1.4", "Send a Close (1000), then a text message.",
    lambda t: t.close(close_payload(1000), frame(TEXT, _hw)), {OK: []}, CLEAN_1000)
add("7.1.5", "Send the first fragment of a text message, a Close (1000), then the last fragment.",
    lambda t: t.close(close_payload(1000), frame(CONT, b"fragment2"),
                      before=(frame(TEXT, b"fragment1", fin=False),)), {OK: []}, CLEAN_1000)
_big = (b"BAsd7&jh23" * (256 * KIB // 10 + 1))[:256 * KIB]
add("7.1.6", "Send a 256 KiB text message, a small text message, a Close (1000) and a ping back to "
    "back. Whether the messages are echoed before the Close is the server's choice.",
    lambda t: t.close(close_payload(1000), frame(PING),
                      before=(frame(TEXT, _big), frame(TEXT, _hw))),
    {OK: [msg(_big), msg(_hw)], NON_STRICT: []}, CLEAN_1000, informational=True, timeout=3.0)

add("7.3.1", "Send a Close with an empty payload.", _close_step(b""), {OK: []}, CLEAN_1000)
add("7.3.2", "Send a Close with a payload of 1 byte (a code takes 2, RFC 5.5.1).",
    _close_step(b"a"), {OK: []},
    CloseExpectation(by_me=True, codes=[1002], clean=False, wrong_code_fails=True))
add("7.3.3", "Send a Close with code 1000 and no reason.", _close_step(close_payload(1000)),
    {OK: []}, CLEAN_1000)
add("7.3.4", "Send a Close with code 1000 and reason 'Hello World!'.",
    _close_step(close_payload(1000, _hw)), {OK: []}, CLEAN_1000)
add("7.3.5", "Send a Close with code 1000 and a reason of 123 bytes (payload 125).",
    _close_step(close_payload(1000, b"*" * 123)), {OK: []}, CLEAN_1000)
add("7.3.6", "Send a Close with code 1000 and a reason of 124 bytes (payload 126, over the "
    "control frame limit).", _close_step(close_payload(1000, b"*" * 124)), {OK: []},
    CloseExpectation(by_me=True, codes=[1002], clean=False, wrong_code_fails=True))
add("7.5.1", "Send a Close with code 1000 and a reason that is not valid UTF-8.",
    _close_step(close_payload(1000, _invalid)), {OK: []},
    CloseExpectation(by_me=True, codes=[1002, 1007], clean=False, wrong_code_fails=True))
for i, code in enumerate((1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000,
                          4999), start=1):
    add(f"7.7.{i}", f"Send a Close with valid code {code}.", _close_step(close_payload(code)),
        {OK: []}, CloseExpectation(by_me=True, codes=[1000, code], clean=True,
                                   wrong_code_fails=True))
for i, code in enumerate((0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999), start=1):
    add(f"7.9.{i}", f"Send a Close with invalid code {code} (RFC 7.4).",
        _close_step(close_payload(code)), {OK: []},
        CloseExpectation(by_me=True, codes=[1002], clean=False, wrong_code_fails=True))
for i, code in enumerate((5000, 65535), start=1):
    add(f"7.13.{i}", f"Send a Close with code {code} (outside the ranges RFC 7.4 defines).",
        _close_step(close_payload(code)), {OK: []},
        CloseExpectation(by_me=True, codes=[1000, code, 1002], clean=False), informational=True)

# -- 9: limits and performance (scaled, see SCALING) -------------------------------------------

_sizes_91 = (4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, 512 * KIB, MIB)
_frag_93 = (16, 64, 256, KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB)
_chop_95 = (64, 128, 256, 512, KIB, 2 * KIB)
_rtt_97 = (0, 16, 64, 256, KIB, 4 * KIB)


def _size(n: int) -> str:
    return f"{n // MIB} MiB" if n >= MIB and n % MIB == 0 else (
        f"{n // KIB} KiB" if n >= KIB and n % KIB == 0 else f"{n} B")


def _round_trips(opcode: int, size: int, count: int):
    payload = (b"*" if opcode == TEXT else b"\xfe") * size

    def script(t: CaseRun) -> None:
        data = frame(opcode, payload)
        for i in range(count):
            if not t.send(data):
                return
            if not t.conn.pump(t.deadline, lambda: len(t.received) > i or not t.conn.is_open()):
                return
            if t.received[i] != msg(payload, opcode == BINARY):
                return

    return script


for sub, opcode in ((0, TEXT), (1, BINARY)):
    kind = "binary" if opcode == BINARY else "text"
    fill = b"\xfe" if opcode == BINARY else b"*"
    binary = opcode == BINARY
    for i, n in enumerate(_sizes_91, start=1):
        add(f"9.{1 + sub}.{i}", f"Send a {kind} message of {_size(n)} in one frame.",
            sends(frame(opcode, fill * n)), echo_ok(msg(fill * n, binary)), CLIENT_CLOSES,
            timeout=10.0)
    for i, f in enumerate(_frag_93, start=1):
        add(f"9.{3 + sub}.{i}", f"Send a {kind} message of 1 MiB in frames of {_size(f)}.",
            sends(*fragments(opcode, fill * MIB, f)), echo_ok(msg(fill * MIB, binary)),
            CLIENT_CLOSES, timeout=10.0)
    for i, c in enumerate(_chop_95, start=1):
        add(f"9.{5 + sub}.{i}", f"Send a {kind} message of 1 MiB in one frame, written in chops "
            f"of {_size(c)}.", sends(frame(opcode, fill * MIB), chop=c),
            echo_ok(msg(fill * MIB, binary)), CLIENT_CLOSES, timeout=10.0)
    for i, n in enumerate(_rtt_97, start=1):
        add(f"9.{7 + sub}.{i}", f"Send 1000 {kind} messages of {_size(n)}, each after the echo of "
            "the one before.", _round_trips(opcode, n, 1000),
            echo_ok(*[msg(fill * n, binary)] * 1000), CLIENT_CLOSES, timeout=10.0)

# -- 10: auto-fragmentation --------------------------------------------------------------------

add("10.1.1", "Send a text message of 64 KiB in frames of 1300 bytes.",
    sends(*fragments(TEXT, b"*" * 65536, 1300)), echo_ok(msg(b"*" * 65536)), CLIENT_CLOSES)

# -- 12 and 13: permessage-deflate (RFC 7692) ---------------------------------------------------

# Autobahn's subcases: sizes 16 B to 128 KiB in one frame (1-10), then 256 B to 128 KiB with the
# compressed payload cut into frames of 256 octets (11-18).
_pmd_subcases = ([(n, 0) for n in (16, 64, 256, 1024, 4096, 8192, 16384, 32768, 65536, 131072)]
                 + [(n, 256) for n in (256, 1024, 4096, 8192, 16384, 32768, 65536, 131072)])


def _pmd_count(size: int) -> int:
    return min(1000, max(16, 256 * KIB // size))


def _corpus(kind: str) -> bytes:
    """Stand-ins for Autobahn's payload files, the same every run."""
    rng = random.Random(kind)
    if kind == "json":
        rows = [{"id": i, "name": f"user{rng.randrange(500)}", "email": f"u{i}@example.com",
                 "tags": [rng.choice(["a", "b", "c", "d"]) for _ in range(3)],
                 "score": rng.random()} for i in range(2500)]
        return json.dumps(rows).encode()
    if kind == "bitmap":
        out = bytearray()
        while len(out) < 300 * KIB:  # runs of black and white, as a 1-bit scan would have
            out += bytes([rng.choice((0, 255))]) * rng.randrange(1, 60)
        return bytes(out)
    if kind == "prose":
        words = ["Faust", "Gretchen", "über", "Mephistopheles", "Geist", "Welt", "nicht", "und",
                 "der", "die", "das", "Nacht", "Wissenschaft", "schön", "Größe", "ich", "dich"]
        return " ".join(rng.choice(words) for _ in range(60000)).encode()
    if kind == "html":
        parts = []
        for i in range(6000):
            parts.append(f'<div class="row r{i % 7}"><a href="/item/{rng.randrange(9999)}">'
                         f'Item {i}</a><span>{rng.randrange(100)} €</span></div>\n')
        return "".join(parts).encode()
    # "pdf": a header, then mostly incompressible streams
    return b"%PDF-1.4\n" + rng.randbytes(1100 * KIB)


def _pmd_messages(corpus: bytes, size: int, count: int, text: bool) -> list:
    """`count` slices of `size` bytes from `corpus`, moving on through it; text slices end on
    a UTF-8 character boundary (so a few are a little shorter)."""
    out, pos = [], 0
    for _ in range(count):
        if pos + size > len(corpus):
            pos = 0
        piece = corpus[pos:pos + size]
        if text:
            piece = piece.decode("utf-8", "ignore").encode("utf-8")
        out.append(piece)
        pos += size
    return out


def _compressed_round_trips(opcode: int, messages: list, fragment: int):
    def script(t: CaseRun) -> None:
        pmd = t.conn.pmd
        for i, payload in enumerate(messages):
            data = pmd.compress(payload)
            if fragment:
                pieces = [data[j:j + fragment] for j in range(0, len(data), fragment)] or [b""]
                frames = [frame(opcode if j == 0 else CONT, p, j == len(pieces) - 1,
                                4 if j == 0 else 0) for j, p in enumerate(pieces)]
            else:
                frames = [frame(opcode, data, True, 4)]
            if not t.send(*frames):
                return
            if not t.conn.pump(t.deadline, lambda: len(t.received) > i or not t.conn.is_open()):
                return
            if t.received[i] != msg(payload, opcode == BINARY):
                return

    return script


def _offer(request_no_context: bool, request_window: int) -> str:
    """Autobahn's client offer: accept no context takeover and window bits from the server,
    request them from it."""
    offer = "permessage-deflate; client_no_context_takeover; client_max_window_bits"
    if request_no_context:
        offer += "; server_no_context_takeover"
    if request_window:
        offer += f"; server_max_window_bits={request_window}"
    return offer


for sub, (kind, what, opcode) in enumerate((
        ("json", "JSON data (text)", TEXT), ("bitmap", "a bitmap (binary)", BINARY),
        ("prose", "German prose (text)", TEXT), ("html", "HTML (text)", TEXT),
        ("pdf", "a mostly incompressible binary", BINARY)), start=1):
    corpus = _corpus(kind)
    for i, (size, frag) in enumerate(_pmd_subcases, start=1):
        count = _pmd_count(size)
        messages = _pmd_messages(corpus, size, count, opcode == TEXT)
        add(f"12.{sub}.{i}", f"Send {count} compressed messages of {_size(size)} of {what}"
            + (f", the compressed payload in frames of {frag} octets" if frag else "")
            + ", each after the echo of the one before. Offer: permessage-deflate.",
            _compressed_round_trips(opcode, messages, frag),
            echo_ok(*[msg(m, opcode == BINARY) for m in messages]), CLIENT_CLOSES,
            timeout=10.0, offer=_offer(False, 0))

_json_corpus = _corpus("json")
for sub, offers in enumerate(((False, 0), (True, 0), (False, 9), (False, 15), (True, 9),
                              (True, 15)), start=1):
    offer = _offer(*offers)
    for i, (size, frag) in enumerate(_pmd_subcases, start=1):
        count = _pmd_count(size)
        messages = _pmd_messages(_json_corpus, size, count, True)
        add(f"13.{sub}.{i}", f"Send {count} compressed text messages of {_size(size)}"
            + (f", the compressed payload in frames of {frag} octets" if frag else "")
            + f", each after the echo of the one before. Offer: {offer}.",
            _compressed_round_trips(TEXT, messages, frag),
            echo_ok(*[msg(m) for m in messages]), CLIENT_CLOSES, timeout=10.0, offer=offer)
# 13.7: several offers, the first acceptable one wins (RFC 7692 5).
_offer_137 = ", ".join(_offer(*o) for o in ((True, 9), (True, 0), (False, 0)))
for i, (size, frag) in enumerate(_pmd_subcases, start=1):
    count = _pmd_count(size)
    messages = _pmd_messages(_json_corpus, size, count, True)
    add(f"13.7.{i}", f"Send {count} compressed text messages of {_size(size)}"
        + (f", the compressed payload in frames of {frag} octets" if frag else "")
        + f", each after the echo of the one before. Offer: {_offer_137}.",
        _compressed_round_trips(TEXT, messages, frag),
        echo_ok(*[msg(m) for m in messages]), CLIENT_CLOSES, timeout=10.0, offer=_offer_137)

CASES.sort(key=lambda c: tuple(int(p) for p in c.id.split(".")))

# --------------------------------------------------------------------------------------------
# Running and classifying


@dataclass
class Result:
    case: Case
    result: str
    behavior: str
    behavior_close: str
    reason: str
    observed: str
    duration_ms: int
    log: list = field(default_factory=list)


def _match(case: Case, received: list) -> str:
    if case.matcher is not None:
        found = case.matcher(received)
        if found:
            return found
    for outcome in (OK, NON_STRICT):
        if outcome in case.expected and case.expected[outcome] == received:
            return outcome
    return FAILED


PROBE = b"conformance-probe"


def _finish(case: Case, conn: Connection, deadline: float) -> None:
    """The close phase: wait for the expected events and close (client-closed cases), or
    wait for the server to fail the connection; drop TCP when a deadline passes."""
    if case.close.by_me and conn.is_open() and not conn.close_sent:
        want = case.expected.get(OK, [])
        conn.pump(deadline, lambda: conn.received == want
                  or conn.received[:len(want)] != want[:len(conn.received)]
                  or len(conn.received) > len(want))
        if conn.is_open() and not conn.close_sent:
            conn.send_close(b"")
            conn.note("client close 1000")
            conn.mid_frame = False
            conn._raw_send_frame(frame(CLOSE, close_payload(1000)))
    elif not case.close.by_me and conn.may_send() and not conn.mid_frame:
        # A ping behind the offending frames: a server that failed the connection never
        # answers it, one that did not answers at once, which ends the case without waiting
        # out the deadline.
        conn.probe_sent = True
        conn._raw_send_frame(frame(PING, PROBE))
        conn.pump(deadline, lambda: ("pong", PROBE) in conn.received)
        if ("pong", PROBE) in conn.received:
            conn.received.remove(("pong", PROBE))
            conn.probe_answered = True
            conn.note("server answered the probe ping: the connection was not failed")
            conn.drop()
            return
    conn.pump(deadline, lambda: False)
    if not conn.eof:
        conn.drop()


def _classify(case: Case, conn: Connection) -> tuple:
    behavior = _match(case, conn.received)
    reasons = []
    if behavior == FAILED:
        reasons.append(f"events {events_text(conn.received)}; expected {case.expectation()}")
    if conn.violations:
        behavior = FAILED
        reasons.extend(conn.violations)

    closed_by_me = conn.close_initiated or (conn.dropped_by_me and conn.close_received is None)
    code = conn.close_received[0] if conn.close_received else None
    clean = conn.close_received is not None and conn.close_sent
    exp = case.close
    if exp.by_me != closed_by_me:
        behavior_close = FAILED
        if conn.probe_answered:
            reasons.append("the server answered a ping sent after the offending frames: it did "
                           "not fail the connection")
        elif conn.dropped_by_me and conn.close_received is None:
            reasons.append("the server did not close the connection before the deadline")
        else:
            reasons.append("the connection was closed by the server, not the client")
    elif exp.clean and not clean:
        behavior_close = FAILED
        reasons.append("no Close frame in reply to the client's (RFC 6455 5.5.1 MUST)")
    elif code is not None and code not in exp.codes:
        behavior_close = "WRONG CODE"
        reasons.append(f"close code {code}, expected {'/'.join(map(str, exp.codes))}")
    elif conn.close_received is None and not exp.by_me:
        behavior_close = "NO CLOSE FRAME"
        reasons.append("the connection was failed without a Close frame (RFC 6455 7.1.7 SHOULD)")
    elif conn.close_received is None and exp.by_me and not exp.clean:
        behavior_close = "NO CLOSE FRAME"
        reasons.append("the connection was failed without a Close frame in reply to the "
                       "client's invalid one (RFC 6455 7.1.7 SHOULD)")
    elif conn.dropped_by_me:
        behavior_close = "FAILED BY CLIENT"
        reasons.append("the server did not close TCP after the closing handshake "
                       "(RFC 6455 5.5.1: immediately)")
    else:
        behavior_close = OK

    if behavior == FAILED or behavior_close == FAILED:
        result = FAILED
    elif behavior_close == "WRONG CODE" and exp.wrong_code_fails:
        result = FAILED
    elif behavior_close == "FAILED BY CLIENT" and exp.clean:
        result = FAILED  # a MUST in 5.5.1 for the ordinary closing handshake
    elif case.informational:
        result = INFORMATIONAL
    elif behavior == NON_STRICT or behavior_close != OK:
        result = NON_STRICT
        if behavior == NON_STRICT:
            reasons.insert(0, f"strict would be: {events_text(case.expected[OK])}")
    else:
        result = OK
    if case.informational:
        reasons = [r for r in reasons if not r.startswith("events")]

    close_text = "no close frame"
    if conn.close_received is not None:
        close_text = f"close {code}" if code is not None else "close (no code)"
    by = "client" if closed_by_me else "server"
    observed = (f"{events_text(conn.received)}; {close_text}, closed by {by}"
                + (", clean" if clean else ""))
    return result, behavior, behavior_close, "; ".join(reasons), observed


def run_case(case: Case, host: str, port: int, path: str, base_timeout: float) -> Result:
    start = time.monotonic()
    deadline = start + base_timeout * case.timeout
    try:
        conn = Connection(host, port, path, start + 5.0, case.offer)
    except (OSError, HandshakeError) as e:
        return Result(case, FAILED, FAILED, FAILED, f"handshake: {e}", "no connection",
                      int((time.monotonic() - start) * 1000))
    try:
        case.script(CaseRun(conn, deadline))
        # The close phase gets its own deadline, so a slow script still ends cleanly.
        _finish(case, conn, max(deadline, time.monotonic() + base_timeout))
        result, behavior, behavior_close, reason, observed = _classify(case, conn)
    finally:
        conn.close()
    return Result(case, result, behavior, behavior_close, reason, observed,
                  int((time.monotonic() - start) * 1000), conn.log)


def case_key(case_id: str) -> tuple:
    return tuple(int(p) for p in case_id.split("."))


def select_cases(include: Optional[str], exclude: Optional[str]) -> list[Case]:
    def matches(case_id: str, patterns: str) -> bool:
        for p in (x.strip() for x in patterns.split(",")):
            if p and (fnmatch.fnmatchcase(case_id, p) or case_id.startswith(p + ".")):
                return True
        return False

    out = [c for c in CASES if include is None or matches(c.id, include)]
    return [c for c in out if exclude is None or not matches(c.id, exclude)]


def parse_url(url: str) -> tuple:
    u = urllib.parse.urlsplit(url)
    if u.scheme != "ws" or not u.hostname or not u.port:
        raise SystemExit(f"--url must look like ws://HOST:PORT/PATH, got {url!r}")
    return u.hostname, u.port, (u.path or "/") + (f"?{u.query}" if u.query else "")


def run_suite(url: str, cases: list[Case], base_timeout: float = 3.0,
              progress: Optional[Callable[[Result], None]] = None) -> list[Result]:
    host, port, path = parse_url(url)
    results = []
    for case in cases:
        r = run_case(case, host, port, path, base_timeout)
        results.append(r)
        if progress:
            progress(r)
    return results


# --------------------------------------------------------------------------------------------
# Reports


def section_of(case_id: str) -> str:
    return case_id.split(".")[0]


def counts(results: list[Result]) -> dict:
    out = {OK: 0, NON_STRICT: 0, FAILED: 0, INFORMATIONAL: 0}
    for r in results:
        out[r.result] += 1
    return out


def summary_line(results: list[Result]) -> str:
    c = counts(results)
    return (f"{len(results)} cases: {c[OK]} OK, {c[NON_STRICT]} NON-STRICT, {c[FAILED]} FAILED, "
            f"{c[INFORMATIONAL]} INFORMATIONAL")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_report(results: list[Result], title: str, server: str, elapsed: float,
                    notes: Optional[dict] = None) -> str:
    notes = notes or {}
    lines = [f"# {title}", "",
             f"Server: {server}. {summary_line(results)}; {elapsed:.1f} s.", "",
             "| Section | Cases | OK | NON-STRICT | FAILED | INFORMATIONAL |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    sections = sorted({section_of(r.case.id) for r in results}, key=int)
    for s in sections:
        rs = [r for r in results if section_of(r.case.id) == s]
        c = counts(rs)
        lines.append(f"| {s} {SECTION_TITLES.get(s, '')} | {len(rs)} | {c[OK]} | "
                     f"{c[NON_STRICT]} | {c[FAILED]} | {c[INFORMATIONAL]} |")
    lines += ["", SCALING, "",
              "| Case | Sent | Expected | Result | Observed |",
              "| --- | --- | --- | --- | --- |"]
    for r in results:
        observed = r.observed + (f" — {r.reason}" if r.reason and r.result != OK else "")
        if r.case.id in notes:
            observed += f" — allowed: {notes[r.case.id]}"
        lines.append(f"| {r.case.id} | {_md(r.case.description)} | {_md(r.case.expectation())} | "
                     f"{r.result} | {_md(observed)} |")
    return "\n".join(lines) + "\n"


def json_report(results: list[Result]) -> list:
    return [{"case": r.case.id, "description": r.case.description,
             "expectation": r.case.expectation(), "result": r.result, "behavior": r.behavior,
             "behaviorClose": r.behavior_close, "reason": r.reason, "observed": r.observed,
             "duration_ms": r.duration_ms, "log": r.log} for r in results]


def print_result(r: Result) -> None:
    line = f"{r.case.id:<9} {r.result:<13} {r.duration_ms:>6} ms  {r.observed}"
    if r.result not in (OK,) and r.reason:
        line += f"\n{'':<9} {r.reason}"
    print(line, flush=True)


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description="RFC 6455 conformance suite for a WebSocket "
                                     "echo server (Autobahn fuzzingclient cases 1-7, 9, 10).")
    parser.add_argument("--url", help="ws://HOST:PORT/PATH of the echo server")
    parser.add_argument("--cases", help="comma-separated ids or globs: 1.*,5.1 (a prefix "
                        "such as 6.4 selects 6.4.x)")
    parser.add_argument("--exclude", help="ids or globs to leave out")
    parser.add_argument("--report", help="write a markdown report to this file")
    parser.add_argument("--json", help="write the results as JSON to this file")
    parser.add_argument("--timeout", type=float, default=3.0,
                        help="seconds a case waits for the server (section 9: x10)")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every case")
    args = parser.parse_args(argv)

    cases = select_cases(args.cases, args.exclude)
    if args.list:
        for c in cases:
            print(f"{c.id:<9} {c.description}\n{'':<9} expected: {c.expectation()}")
        print(f"{len(cases)} cases")
        return 0
    if not args.url:
        parser.error("--url is required")
    if not cases:
        parser.error("no case matches --cases/--exclude")
    started = time.monotonic()
    results = run_suite(args.url, cases, args.timeout,
                        print_result if args.verbose else
                        (lambda r: print_result(r) if r.result == FAILED else None))
    elapsed = time.monotonic() - started
    print(f"{summary_line(results)} in {elapsed:.1f} s")
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            f.write(markdown_report(results, "WebSocket conformance", args.url, elapsed))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(json_report(results), f, indent=1)
    return 1 if any(r.result == FAILED for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
