"""The scale-out bench's balancer: each connection to the next backend in turn, a keep-alive connection kept on
its backend, and a request's bytes passed through unchanged both ways."""

import asyncio
import http.client
import http.server
import threading

from bench.balancer import serve
from bench.servers import free_port, listening


class Named(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        answer = self.server.name.encode() + b":" + body
        self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def backend(name: str) -> int:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Named)
    server.name = name
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def test_connections_go_round_robin_and_stay_on_their_backend():
    ports = [backend("a"), backend("b")]
    listen = free_port()
    threading.Thread(target=lambda: asyncio.run(serve(listen, ports)), daemon=True).start()
    listening(listen, "the balancer")  # its first connection, a probe, went to "a"

    def ask(connection, body: bytes) -> bytes:
        connection.request("POST", "/", body=body)
        return connection.getresponse().read()

    connections = [http.client.HTTPConnection("127.0.0.1", listen, timeout=5) for _ in range(3)]
    assert [ask(c, b"1") for c in connections] == [b"b:1", b"a:1", b"b:1"]
    assert [ask(c, "二".encode()) for c in connections] == [b"b:" + "二".encode(), b"a:" + "二".encode(),
                                                            b"b:" + "二".encode()]
    for connection in connections:
        connection.close()
