"""Fake endpoints on 127.0.0.1 that misbehave on purpose, written on raw sockets (http.server would
not send a status line a byte at a time, or garbage): each connection is handled in a thread of its
own by a behaviour, every loop is bounded in count and time, and the server stops when its block ends."""

from __future__ import annotations

import contextlib
import itertools
import socket
import struct
import threading
import time
from collections.abc import Callable

LIMIT = 120.0  # seconds any server or connection lives, whatever the test does


class RawServer:
    def __init__(self, behaviour: Callable[[socket.socket, RawServer], None]):
        self.behaviour = behaviour
        self.stopped = threading.Event()
        self.heads: list[bytes] = []  # the head of every request read (request line and headers)
        self.connections = 0
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._threads = [threading.Thread(target=self._accept, daemon=True)]

    def url(self, path: str = "/sparql", scheme: str = "http", userinfo: str = "") -> str:
        return f"{scheme}://{userinfo}127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        until = time.monotonic() + LIMIT
        while not self.stopped.is_set() and time.monotonic() < until:
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.settimeout(5)
            self.behaviour(conn, self)

    def sleep(self, seconds: float) -> bool:
        """Wait; False once the server is stopping."""
        return not self.stopped.wait(seconds)

    def __enter__(self) -> RawServer:
        self._threads[0].start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        for thread in list(self._threads):
            thread.join(timeout=10)
        self._listener.close()


def read_request(conn: socket.socket, server: RawServer) -> bytes:
    """Read one request (head and a Content-Length body, at most 64 MB) and return its head."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 1 << 20:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    server.heads.append(head)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = min(int(value), 1 << 26)
    left = length - len(body)
    while left > 0:
        chunk = conn.recv(min(left, 1 << 16))
        if not chunk:
            break
        left -= len(chunk)
    return head


JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
ROW = b'{"n": {"type": "literal", "value": "1"}},'


def answer(status: bytes = b"200 OK", content_type: bytes = b"application/sparql-results+json",
           body: bytes = b'{"head": {"vars": ["n"]}, "results": {"bindings": []}}', extra: bytes = b""):
    """A behaviour: read the request, send one whole answer."""

    def behaviour(conn: socket.socket, server: RawServer) -> None:
        read_request(conn, server)
        conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + content_type + b"\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\nConnection: close\r\n" + extra + b"\r\n" + body)

    return behaviour


def drip(prefix: bytes, pattern: bytes, every: float = 0.1, repeat: bool = True):
    """A behaviour: send ``prefix`` at once, then one byte of ``pattern`` (over and over, if
    ``repeat``) every ``every`` seconds."""

    def behaviour(conn: socket.socket, server: RawServer) -> None:
        read_request(conn, server)
        conn.sendall(prefix)
        endless = itertools.cycle(pattern) if repeat else iter(pattern)
        for _, byte in zip(range(int(LIMIT / every)), endless, strict=False):
            if not server.sleep(every):
                return
            conn.sendall(bytes([byte]))

    return behaviour


def endless_body(total: int = 2 << 30):
    """A behaviour: a 200 answer of ``total`` bytes (2 GB) of JSON rows, made as it is sent, with no
    Content-Length; it ends when the client stops reading."""

    def behaviour(conn: socket.socket, server: RawServer) -> None:
        read_request(conn, server)
        conn.sendall(JSON_HEAD + b'Connection: close\r\n\r\n{"head": {"vars": ["n"]}, "results": {"bindings": [')
        block = ROW * (65536 // len(ROW))
        for _ in range(total // len(block)):
            if server.stopped.is_set():
                return
            conn.sendall(block)

    return behaviour


def garbage(conn: socket.socket, server: RawServer) -> None:
    read_request(conn, server)
    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\x00\xff\xfe not HTTP at all\r\n\r\n")


def close_at_once(conn: socket.socket, server: RawServer) -> None:
    pass  # closed by RawServer on return, before the request is read


def reset(conn: socket.socket, server: RawServer) -> None:
    read_request(conn, server)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close sends RST


def truncated(conn: socket.socket, server: RawServer) -> None:
    read_request(conn, server)
    conn.sendall(JSON_HEAD + b"Content-Length: 1000\r\n\r\n{\"head\": ")


def continue_for_ever(conn: socket.socket, server: RawServer) -> None:
    """'100 Continue' after '100 Continue': http.client reads them in a loop of its own."""
    read_request(conn, server)
    for _ in range(1 << 20):
        if server.stopped.is_set():
            return
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n" * 100)


def silent(conn: socket.socket, server: RawServer) -> None:
    """Accepts the connection, reads nothing (a PUT's body fills the buffers), answers nothing."""
    server.sleep(LIMIT)
