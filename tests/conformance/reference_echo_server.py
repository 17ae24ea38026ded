#!/usr/bin/python3
"""The reference peer for the conformance suite: an echo server built on Debian's
python3-websockets (10.4), a strict and well-tested RFC 6455 implementation.

Usage: reference_echo_server.py [--host 127.0.0.1] [--port 0] [--deflate]
Serves WebSocket at /ws (any other path gets 404), echoes every text and binary message
back unchanged, accepts messages and frames up to 1 MiB (the limits the sluice
websocket-echo example is run with), accepts no extension (permessage-deflate with --deflate,
for sections 12 and 13) and sends no keepalive pings.
Prints "listening on HOST:PORT" once the socket is bound, then serves until killed.
"""
import argparse
import asyncio
import http
import logging
import signal
import sys

import websockets

MAX_MESSAGE = 1 << 20  # 1 MiB, inclusive


async def echo(websocket, path=None):
    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass  # the peer failed the connection: the suite does that on purpose


async def only_ws_path(path, _headers):
    if path != "/ws":
        return http.HTTPStatus.NOT_FOUND, [("Content-Type", "text/plain")], b"not found\n"
    return None


async def serve(host: str, port: int, deflate: bool) -> None:
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with websockets.serve(echo, host, port, process_request=only_ws_path,
                                max_size=MAX_MESSAGE,
                                compression="deflate" if deflate else None,
                                ping_interval=None) as server:
        bound = server.sockets[0].getsockname()
        print(f"listening on {bound[0]}:{bound[1]}", flush=True)
        await stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--deflate", action="store_true",
                        help="accept permessage-deflate (sections 12 and 13)")
    args = parser.parse_args()
    # Protocol errors are the point of the suite; keep the server's log to real trouble.
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    asyncio.run(serve(args.host, args.port, args.deflate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
