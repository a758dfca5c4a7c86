"""Demo: a line-based TCP server on 127.0.0.1 serves several clients at once.

Starts asyncio.start_server on a free port, connects --clients clients with
open_connection, each sends a line and reads the upper-cased reply (with a timeout),
then closes the server. Shows that the connections were handled concurrently. Where
binding a port is not permitted (run_demo's sandbox has no network), the same handler
and clients talk over socket pairs instead.

Run: python streams-and-servers.py [--clients 5]
"""

import argparse
import asyncio
import json
import socket
import time

from _timeline import Timeline

REPLY_DELAY = 0.05  # the server "works" this long per line


async def main(clients: int) -> dict:
    timeline = Timeline()
    state = {"open": 0, "peak": 0, "handled": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        state["open"] += 1
        state["peak"] = max(state["peak"], state["open"])
        try:
            line = await asyncio.wait_for(reader.readline(), 2)
            await asyncio.sleep(REPLY_DELAY)
            writer.write(line.upper())
            await writer.drain()
            state["handled"] += 1
        finally:
            state["open"] -= 1
            writer.close()
            await writer.wait_closed()

    async def talk(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> str:
        with timeline.span(f"client {n}"):
            return await exchange(reader, writer, n)

    async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> str:
        try:
            writer.write(f"hello from client {n}\n".encode())
            await writer.drain()
            return (await asyncio.wait_for(reader.readline(), 2)).decode().strip()
        except asyncio.TimeoutError:
            return "<no reply>"
        finally:
            writer.close()
            await writer.wait_closed()

    async def tcp_client(port: int, n: int) -> str:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
        return await talk(reader, writer, n)

    async def over_tcp() -> list:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        async with server:
            return await asyncio.gather(*(tcp_client(port, n) for n in range(clients)))

    async def over_socketpairs() -> list:
        """The same streams over connected socket pairs, where binding is not allowed."""
        handlers, talks = [], []
        for n in range(clients):
            ours, theirs = socket.socketpair()
            server_side = await asyncio.open_connection(sock=theirs)
            handlers.append(asyncio.ensure_future(handle(*server_side)))
            talks.append(talk(*await asyncio.open_connection(sock=ours), n))
        replies = await asyncio.gather(*talks)
        await asyncio.gather(*handlers)
        return replies

    start = timeline.start
    try:
        replies = await over_tcp()
        transport = "tcp 127.0.0.1"
    except PermissionError:  # run_demo's sandbox has no network, not even loopback
        replies = await over_socketpairs()
        transport = "socketpair (binding a port is not permitted here)"
    elapsed = time.perf_counter() - start
    for reply in replies:
        print(f"reply: {reply}")
    print(f"{transport}: {state['handled']} lines handled, {state['peak']} connections at once, {elapsed:.3f}s")
    expected = [f"HELLO FROM CLIENT {n}" for n in range(clients)]
    return {
        "demo": "streams-and-servers",
        "ok": replies == expected and state["peak"] == clients and elapsed < REPLY_DELAY * clients + 0.5,
        "elapsed_s": round(elapsed, 4),
        "clients": clients,
        "handled": state["handled"],
        "peak_connections": state["peak"],
        "transport": transport,
        **timeline.summary(),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.clients))))
