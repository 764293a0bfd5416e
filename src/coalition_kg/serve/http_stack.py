"""`serve`'s HTTP stack: the ASGI app (asgi.py) on Hypercorn, chosen on evidence (README, "serve"):
h11's strict parsing answers every malformed request with a 4xx and closes the connection, and
Hypercorn's idle timer runs from the moment a connection opens until a whole request head has
arrived, so it is also a deadline for the head (a connection that sends nothing, or drips a byte at
a time, is closed). What Hypercorn lacks, a cap on connections, is here: the listening socket counts
what it accepts, and at the cap closes the oldest connection with no request in flight."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import signal
import socket
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import cast

import h11
from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.config import Config, Sockets
from hypercorn.protocol.h11 import H11Protocol
from hypercorn.typing import ASGIFramework

from coalition_kg.serve.app import ASGIApp, stderr_line
from coalition_kg.serve.workers import printable as escaped

BACKLOG = 128
Peer = tuple[str, int]  # a client's host and port


class Connections:
    """The open connections, at most ``cap``; a connection is busy while the app answers it."""

    def __init__(self, cap: int, log: Callable[[str], None] | None = stderr_line):
        self.cap, self.log = cap, log
        self.open: OrderedDict[Peer, socket.socket] = OrderedDict()  # oldest first
        self.busy: dict[Peer, int] = {}
        self.lock = threading.Lock()

    def admit(self, peer: Peer, conn: socket.socket) -> None:
        with self.lock:
            self.open[peer] = conn
            victim = None
            if len(self.open) > self.cap:
                victim = next((p for p in self.open if p not in self.busy and p != peer), peer)
        if victim is not None:
            if self.log is not None:
                self.log(f"serve: {self.cap} connections open, the cap: closed the one from {victim[0]}:{victim[1]}"
                         + (" that sent no request" if victim != peer else " (every other one is busy)"))
            self.drop(victim)

    def forget(self, peer: Peer) -> None:
        with self.lock:
            self.open.pop(peer, None)

    def drop(self, peer: Peer) -> None:
        """Close a connection under Hypercorn's feet: its next read or write fails and it ends cleanly."""
        with self.lock:
            conn = self.open.pop(peer, None)
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    @contextlib.contextmanager
    def answering(self, peer: Peer) -> Iterator[None]:
        with self.lock:
            self.busy[peer] = self.busy.get(peer, 0) + 1
        try:
            yield
        finally:
            with self.lock:
                if (left := self.busy.pop(peer) - 1) > 0:
                    self.busy[peer] = left


class TrackedSocket(socket.socket):
    """An accepted connection that tells the registry when it is closed."""
    registry: Connections | None = None
    peer: Peer = ("", 0)  # set with the registry, when the connection is accepted

    def close(self) -> None:
        if self.registry is not None:
            self.registry.forget(self.peer)
        super().close()


class CappedListener(socket.socket):
    """The listening socket: asyncio calls its ``accept``; each connection is counted and capped."""
    registry: Connections

    def accept(self) -> tuple[socket.socket, tuple[str, int]]:
        fd, peer = self._accept()  # type: ignore[attr-defined]  # socket.accept's own primitive; typeshed omits it
        conn = TrackedSocket(self.family, self.type, self.proto, fileno=fd)
        conn.registry, conn.peer = self.registry, tuple(peer[:2])
        self.registry.admit(conn.peer, conn)
        return conn, peer


def listen(host: str, port: int, registry: Connections) -> CappedListener:
    """Bind before serving, so that port 0 gives a port we can print."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = CappedListener(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)  # now: a client that connects once the address is printed waits, and is not refused
    sock.registry = registry
    sock.setblocking(False)
    return sock


class StackConfig(Config):
    """Hypercorn's settings, serving the socket we bound."""

    def __init__(self, listener: CappedListener, idle_seconds: float, log: Callable[[str], None] | None):
        super().__init__()
        self.listener = listener
        self.backlog = BACKLOG
        self.keep_alive_timeout = idle_seconds  # idle, and so also the deadline for a request head
        self.read_timeout = int(max(1, idle_seconds))  # no read waits longer (bodies: asgi.py's deadline)
        self.h11_max_incomplete_size = 64 * 1024  # a request head (a GET's query is in it)
        self.graceful_timeout = 3
        self.include_server_header = False  # asgi.py names the server
        self.accesslog = None  # asgi.py writes one escaped line per request
        self.errorlog = _one_line_logger(log)

    def create_sockets(self) -> Sockets:
        return Sockets([], [self.listener], [])


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f": {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        return escaped(" ".join(text.split()))[:500]


def _one_line_logger(log: Callable[[str], None] | None) -> logging.Logger:
    """Hypercorn's own messages, one escaped line each and never a traceback."""
    logger = logging.getLogger("coalition_kg.serve")
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    if log is None:
        logger.addHandler(logging.NullHandler())
        return logger
    write = log  # not None from here on, also inside the handler

    class Line(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            write("serve: " + self.format(record))

    handler = Line()
    handler.setFormatter(_OneLine())
    logger.addHandler(handler)
    return logger


MALFORMED = {400: "the request is not well-formed HTTP/1.1", 414: "the request target is too long",
             431: "the request head is over 65536 bytes"}


async def _send_error_response(self: H11Protocol, status_code: int) -> None:
    """Hypercorn's answer to what h11 cannot parse, with a line that says what is wrong (its own is empty)."""
    body = f"{MALFORMED.get(status_code, 'malformed request')}\n".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close"), *self.config.response_headers("h11")]
    await self._send_h11_event(h11.Response(status_code=status_code, headers=headers))
    await self._send_h11_event(h11.Data(data=body))
    await self._send_h11_event(h11.EndOfMessage())
    logger = self.config.log.error_logger
    if logger is not None:
        logger.warning("%s malformed request: %s", self.client[0] if self.client else "-", status_code)


# hypercorn's answer to a malformed request, replaced by ours: one line, our wording
H11Protocol._send_error_response = _send_error_response  # type: ignore[method-assign]  # a patch, on purpose


def raise_file_limit(wanted: int) -> None:
    """Room for the capped connections, the workers' pipes and the site's files."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def run(app: ASGIApp, listener: CappedListener, idle_seconds: float,
        log: Callable[[str], None] | None = stderr_line) -> None:
    """Serve until SIGTERM or SIGINT (Ctrl-C), then return."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        framework = cast("ASGIFramework", app)  # ours reads ASGI's messages as plain dicts, hypercorn's as TypedDicts
        await hypercorn_serve(framework, StackConfig(listener, idle_seconds, log), shutdown_trigger=stop.wait)

    asyncio.run(main())
