#!/usr/bin/env python3
"""Real clients from Debian against the http-file-server example: curl and python3's urllib.

Usage: http_file_server_clients.py PATH_TO_HTTP_FILE_SERVER

Makes a site in a temporary folder (with a secret file beside it, outside the root), starts
the server on 127.0.0.1 port 0 and checks what the clients see: content compression
negotiated with curl --compressed and with urllib (gzip and deflate), conditional requests,
path traversal attempts sent verbatim (curl --path-as-is and a raw socket), and a file far
larger than the server may hold in memory, downloaded by a slow reader while the server's
peak resident memory is watched. Every wait has a deadline.
"""
import gzip
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import zlib

BIG_FILE_MIB = 128
# The server streams the big file through ChunkedWriteHandler: what it holds at any time is
# the channel's write buffer and a chunk, not the file. The bound leaves room for the
# allocator's chunks and, in sanitizer builds, their bookkeeping.
MAX_PEAK_GROWTH_MIB = 48

failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
    return ok


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def curl(*args):
    return subprocess.run(["curl", "--silent", "--show-error", "--max-time", "60", *args],
                          capture_output=True, timeout=120)


def headers_of(raw):
    """The last header section curl printed with --dump-header, as a lower-cased dict."""
    sections = [s for s in raw.decode("latin-1").split("\r\n\r\n") if s.strip()]
    lines = sections[-1].split("\r\n")
    fields = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    return lines[0], fields


def raw_request(port, target):
    """Sends a request line exactly as given (no client normalises it) and returns the status."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                  .encode("latin-1"))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    status_line = data.split(b"\r\n", 1)[0].decode("latin-1")
    return status_line, data


def make_site(base):
    root = os.path.join(base, "www")
    os.makedirs(os.path.join(root, "docs"))
    with open(os.path.join(base, "secret.txt"), "w") as f:
        f.write("the secret outside the root\n")
    page = "<!doctype html><title>t</title>" + "<p>sluice serves static files</p>\n" * 400
    with open(os.path.join(root, "index.html"), "w") as f:
        f.write(page)
    with open(os.path.join(root, "docs", "notes.txt"), "w") as f:
        f.write("notes\n" * 500)
    with open(os.path.join(root, "tiny.txt"), "w") as f:
        f.write("tiny")
    # Compressible and large: served compressed, chunk by chunk.
    with open(os.path.join(root, "log.txt"), "w") as f:
        line = "2026-11-25T18:00:00Z INFO request served in 12 us\n"
        f.write(line * (8 * 1024 * 1024 // len(line)))
    # Far larger than the server may hold: a sparse file costs no disk.
    with open(os.path.join(root, "big.bin"), "wb") as f:
        f.truncate(BIG_FILE_MIB * 1024 * 1024)
    os.symlink(os.path.join(base, "secret.txt"), os.path.join(root, "escape.txt"))
    return root, page


def main() -> int:
    with tempfile.TemporaryDirectory() as base:
        root, page = make_site(base)
        server = subprocess.Popen([sys.argv[1], "--port", "0", "--root", root],
                                  stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()  # "listening on 127.0.0.1:PORT"
            match = re.search(r":(\d+)$", line.strip())
            if not match:
                print(f"unexpected first line from http-file-server: {line!r}")
                return 1
            port = int(match.group(1))
            url = f"http://127.0.0.1:{port}"
            run_checks(url, port, page, root, server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    for f in failures:
        print("FAIL:", f)
    print("all checks passed" if not failures else f"{len(failures)} checks failed")
    return 1 if failures else 0


def run_checks(url, port, page, root, pid):
    hdr = os.path.join(root, "..", "headers")

    # curl --compressed: gzip on the wire, the page after curl inflates it.
    r = curl("--compressed", "--dump-header", hdr, f"{url}/")
    status, fields = headers_of(open(hdr, "rb").read())
    check(r.returncode == 0 and r.stdout.decode() == page,
          f"curl --compressed /: rc={r.returncode} {len(r.stdout)} bytes err={r.stderr!r}")
    check(fields.get("content-encoding") == "gzip", f"curl --compressed /: headers {fields}")
    check("accept-encoding" in fields.get("vary", "").lower(), f"no Vary: {fields}")
    check(fields.get("content-type", "").startswith("text/html"), f"content-type {fields}")

    # Without --compressed: identity, with the file's own length.
    r = curl("--dump-header", hdr, f"{url}/index.html")
    status, fields = headers_of(open(hdr, "rb").read())
    check(r.stdout.decode() == page and "content-encoding" not in fields
          and fields.get("content-length") == str(len(page.encode())),
          f"identity GET /index.html: {status} {fields}")
    etag = fields.get("etag")
    last_modified = fields.get("last-modified")
    check(etag is not None and last_modified is not None, f"no validators: {fields}")

    # Conditional requests: 304 with no body.
    r = curl("--write-out", "%{http_code}", "--header", f"If-None-Match: {etag}",
             f"{url}/index.html")
    check(r.stdout.decode() == "304", f"If-None-Match: {r.stdout!r}")
    r = curl("--write-out", "%{http_code}", "--header", f"If-Modified-Since: {last_modified}",
             f"{url}/index.html")
    check(r.stdout.decode() == "304", f"If-Modified-Since: {r.stdout!r}")

    # A small body is not worth compressing.
    r = curl("--compressed", "--dump-header", hdr, f"{url}/tiny.txt")
    status, fields = headers_of(open(hdr, "rb").read())
    check(r.stdout == b"tiny" and "content-encoding" not in fields, f"tiny.txt: {fields}")

    # A large compressible file streams compressed; curl inflates it back to the original.
    r = curl("--compressed", "--dump-header", hdr, f"{url}/log.txt")
    status, fields = headers_of(open(hdr, "rb").read())
    original = open(os.path.join(root, "log.txt"), "rb").read()
    check(r.stdout == original and fields.get("content-encoding") == "gzip",
          f"log.txt compressed: {len(r.stdout)} of {len(original)} bytes, {fields}")

    # python3's urllib asks for gzip, then deflate, and decodes by hand.
    for coding, decode in (("gzip", gzip.decompress), ("deflate", zlib.decompress)):
        req = urllib.request.Request(f"{url}/docs/notes.txt",
                                     headers={"Accept-Encoding": coding})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
            enc = resp.headers.get("Content-Encoding")
        check(enc == coding and decode(body) == b"notes\n" * 500,
              f"urllib Accept-Encoding {coding}: Content-Encoding {enc}")
    with urllib.request.urlopen(f"{url}/docs/notes.txt", timeout=10) as resp:
        check(resp.read() == b"notes\n" * 500 and resp.headers.get("Content-Encoding") is None,
              "urllib identity")

    # A query string and a cookie: curl keeps its cookie jar between the two calls.
    jar = os.path.join(root, "..", "cookies")
    first = curl("--cookie-jar", jar, "--cookie", jar, f"{url}/api/greet?name=Ada%20Lovelace")
    second = curl("--cookie-jar", jar, "--cookie", jar, f"{url}/api/greet?name=Ada+Lovelace")
    try:
        check(json.loads(first.stdout) == {"greeting": "Hello, Ada Lovelace", "visits": 1}
              and json.loads(second.stdout) == {"greeting": "Hello, Ada Lovelace", "visits": 2},
              f"greet with cookies: {first.stdout!r} then {second.stdout!r}")
    except ValueError:
        check(False, f"greet: not JSON: {first.stdout!r} {second.stdout!r}")
    name = "Zoë & \"friends\""
    with urllib.request.urlopen(f"{url}/api/greet?" + urllib.parse.urlencode({"name": name}),
                                timeout=10) as resp:
        body = json.loads(resp.read())
        set_cookie = resp.headers.get("Set-Cookie", "")
    check(body == {"greeting": f"Hello, {name}", "visits": 1}, f"urllib greet: {body}")
    check("visits=1" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie,
          f"urllib greet: Set-Cookie {set_cookie!r}")

    # Path traversal, sent verbatim: nothing outside the root is ever served.
    for target in ("/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt",
                   "/..%2fsecret.txt", "/docs/../../secret.txt", "/docs/%2e%2e/%2e%2e/secret.txt",
                   "/..%5csecret.txt", "/%00", "//etc/passwd", "/escape.txt",
                   f"http://127.0.0.1:{port}/../secret.txt"):
        status_line, data = raw_request(port, target)
        check(b"the secret" not in data and b"root:x:" not in data and " 200 " not in status_line + " ",
              f"traversal {target!r}: {status_line}")
    r = curl("--path-as-is", "--write-out", "%{http_code}", "--output", "/dev/null",
             f"{url}/../secret.txt")
    check(r.stdout.decode() in ("400", "403", "404"), f"curl --path-as-is: {r.stdout!r}")

    # A file far larger than memory allowed, read slowly: the server's peak RSS barely moves.
    before = peak_rss_kib(pid)
    r = curl("--limit-rate", "64M", "--write-out", "%{size_download}", "--output", "/dev/null",
             f"{url}/big.bin")
    after = peak_rss_kib(pid)
    check(r.stdout.decode() == str(BIG_FILE_MIB * 1024 * 1024),
          f"big.bin: downloaded {r.stdout!r} err={r.stderr!r}")
    growth_mib = (after - before) / 1024
    print(f"big.bin ({BIG_FILE_MIB} MiB): server peak RSS {before // 1024} -> {after // 1024} MiB")
    check(growth_mib < MAX_PEAK_GROWTH_MIB,
          f"serving {BIG_FILE_MIB} MiB grew the server's peak RSS by {growth_mib:.0f} MiB")


if __name__ == "__main__":
    sys.exit(main())
