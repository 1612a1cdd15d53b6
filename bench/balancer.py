"""A loopback TCP balancer for the scale-out bench: each client connection goes to the next backend in turn
(round robin) and is piped both ways until either side closes. Plain TCP, so keep-alive HTTP stays on one
backend, as behind nginx's or HAProxy's round robin per connection.

    python -m bench.balancer LISTEN_PORT BACKEND_PORT [BACKEND_PORT ...]
"""

import asyncio
import itertools
import sys


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def serve(listen: int, backends: list[int], ready: asyncio.Event | None = None):
    turn = itertools.cycle(backends)

    async def relay(client_reader, client_writer):
        try:
            backend_reader, backend_writer = await asyncio.open_connection("127.0.0.1", next(turn))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(_pipe(client_reader, backend_writer), _pipe(backend_reader, client_writer))

    server = await asyncio.start_server(relay, "127.0.0.1", listen)
    if ready:
        ready.set()
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), [int(port) for port in sys.argv[2:]]))
