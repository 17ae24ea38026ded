#!/usr/bin/env python3
"""Debian's curl against the http-hello example: a real client's view of sluice's HTTP/1.1.

Usage: curl_http_hello.py PATH_TO_HTTP_HELLO
Starts the server on 127.0.0.1 port 0, reads the port it prints, runs curl, checks what
curl saw, and stops the server. Every wait has a deadline.
"""
import re
import subprocess
import sys


def main() -> int:
    server = subprocess.Popen([sys.argv[1], "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()  # "listening on 127.0.0.1:PORT"
        match = re.search(r":(\d+)$", line.strip())
        if not match:
            print(f"unexpected first line from http-hello: {line!r}")
            return 1
        base = f"http://127.0.0.1:{match.group(1)}"

        def curl(*args):
            return subprocess.run(["curl", "--silent", "--show-error", "--max-time", "10", *args],
                                  capture_output=True, text=True, timeout=30)

        failures = []
        r = curl(f"{base}/hello")
        if r.returncode != 0 or r.stdout != "Hello, World!":
            failures.append(f"GET /hello: rc={r.returncode} body={r.stdout!r} err={r.stderr!r}")

        r = curl("--write-out", "%{http_code}", "--output", "/dev/null", f"{base}/missing")
        if r.stdout != "404":
            failures.append(f"GET /missing: status {r.stdout!r}")

        # Two URLs on one command line: curl reuses the kept-alive connection.
        r = curl("--verbose", f"{base}/hello", f"{base}/hello")
        if r.stdout != "Hello, World!" * 2:
            failures.append(f"two GETs: body {r.stdout!r}")
        if "Re-using existing connection" not in r.stderr:
            failures.append("curl did not reuse the connection:\n" + r.stderr)

        r = curl("--http1.0", f"{base}/hello")
        if r.stdout != "Hello, World!":
            failures.append(f"HTTP/1.0 GET: body {r.stdout!r}")

        # HEAD: headers only, Content-Length as for GET.
        r = curl("--head", f"{base}/hello")
        if r.returncode != 0 or "content-length: 13" not in r.stdout.lower():
            failures.append(f"HEAD /hello: rc={r.returncode} out={r.stdout!r} err={r.stderr!r}")

        # A body with Expect: 100-continue (curl sends it for bodies over 1 MiB, or when asked).
        r = curl("--header", "Expect: 100-continue", "--data-binary", "x" * 2000,
                 "--write-out", "%{http_code}", "--output", "/dev/null", f"{base}/hello")
        if r.stdout != "404" or r.returncode != 0:
            failures.append(f"POST with 100-continue: status {r.stdout!r} err={r.stderr!r}")

        for f in failures:
            print("FAIL:", f)
        print(f"{6 - len(failures)} of 6 curl checks passed")
        return 1 if failures else 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main())
