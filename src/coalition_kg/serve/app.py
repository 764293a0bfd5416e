"""The ASGI app of `serve`, made by a factory so that tests can drive it in process. It reads a request
(the body capped in size and bounded in time), hands it to `Service.answer` in a thread (a query
waits on a worker process: the event loop must not), and sends the reply in chunks, each awaiting
the transport, so a slow reader holds back nobody but itself. One log line per request, with every
control character escaped."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from contextlib import AbstractContextManager
from typing import Any, Protocol

from coalition_kg import __version__
from coalition_kg.serve.gzip_encoding import gzipped
from coalition_kg.serve.service import MAX_BODY, Request, Service
from coalition_kg.serve.workers import Reply, problem
from coalition_kg.serve.workers import printable as escaped

QUERY_PATHS = ("/sparql", "/queries/")  # the requests a worker answers: the ones whose answers can be large
CHUNK = 1 << 16  # bytes sent at a time: the most a slow reader makes us buffer beyond the answer itself
SERVER = f"coalition-kg/{__version__}".encode()
DRAIN_LIMIT = 16 * MAX_BODY  # a body past the cap is read away up to this, so its sender hears the 413

Message = dict[str, Any]  # an ASGI scope or event: which keys it has, of which types, depends on its "type"
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Message, Receive, Send], Awaitable[None]]


class Registry(Protocol):
    """What the app tells the server's connections (http_stack.Connections)."""

    def answering(self, peer: tuple[str, int]) -> AbstractContextManager[None]: ...

    def drop(self, peer: tuple[str, int]) -> None: ...


def stderr_line(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


class BodyProblem(Exception):
    def __init__(self, reply: Reply):
        self.reply = reply


def make_app(service: Service, *, body_seconds: float = 10.0, stall_seconds: float = 30.0,
             executor: Executor | None = None, log: Callable[[str], None] | None = stderr_line,
             connections: Registry | None = None, answer_slots: int | None = None,
             slot_seconds: float = 30.0) -> ASGIApp:
    """The app. ``body_seconds``: the deadline for a request body; ``stall_seconds``: how long one
    chunk of an answer may wait for the client to read before its connection is dropped. ``connections``
    (http_stack.Connections) is told which connections are busy and drops stalled ones; without it
    (in process) a send just waits. ``log=None``: no access log. ``answer_slots``: how many query
    answers may be held at once, from the worker's start to the last byte sent, so that the memory
    answers take is at most that many times the byte cap however many clients read slowly; a request
    that finds none free within ``slot_seconds`` gets a 503."""
    slots = asyncio.Semaphore(answer_slots) if answer_slots else None

    async def app(scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":  # a WebSocket: not served here; returning refuses it
            return
        started = time.monotonic()
        peer = tuple(scope.get("client") or ())
        with connections.answering(peer) if connections is not None else contextlib.nullcontext():
            status, size = await respond(scope, receive, send)
        if log is not None:
            client = scope.get("client") or ("-", 0)
            target = scope.get("raw_path", b"").decode("latin-1") + (
                "?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else "")
            log(escaped(f'{client[0]} "{scope["method"]} {target} HTTP/{scope.get("http_version", "1.1")}" '
                        f"{status} {size} {1000 * (time.monotonic() - started):.0f}ms"))

    async def respond(scope: Message, receive: Receive, send: Send) -> tuple[int | str, int]:
        """Answer one request; (status, bytes sent), or ("-", 0) when the client left first."""
        sent = {"started": False}
        try:
            try:
                if {b"content-length", b"transfer-encoding"} <= {name for name, _ in scope["headers"]}:
                    # two framings: a proxy in front may have read the other (RFC 9112, 6.3: close after it)
                    raise BodyProblem(problem(400, "a request with Content-Length and Transfer-Encoding is refused"))
                body = await read_body(scope, receive)  # any method's: a GET with a body is refused, not ignored
            except BodyProblem as refused:
                return await reply(scope, send, refused.reply, sent, close=True)
            if body is None:
                return "-", 0  # the client left while sending
            headers: dict[str, str] = {}
            for name, value in scope["headers"]:
                key = name.decode("latin-1").lower()
                headers[key] = headers[key] + ", " + value.decode("latin-1") if key in headers \
                    else value.decode("latin-1")
            request = Request(scope["method"], scope["path"], scope["query_string"].decode("latin-1"), headers, body)
            if slots is None or not scope["path"].startswith(QUERY_PATHS):
                answer = await asyncio.get_running_loop().run_in_executor(executor, answered, request)
                return await reply(scope, send, answer, sent)
            try:
                async with asyncio.timeout(slot_seconds):
                    await slots.acquire()
            except TimeoutError:
                return await reply(scope, send, problem(503, f"every one of the {answer_slots} answers this server "
                                                             "holds at once is still being read; try again"), sent)
            try:  # held until the answer's last byte is sent (or its reader dropped)
                answer = await asyncio.get_running_loop().run_in_executor(executor, answered, request)
                return await reply(scope, send, answer, sent)
            finally:
                slots.release()
        except Exception as error:  # noqa: BLE001 (a fault of ours: one line, no traceback)
            message = " ".join(str(error).split())[:300]  # told even when quiet, in one line
            stderr_line(escaped(f"serve: internal error: {type(error).__name__}: {message}"))
            if sent["started"]:
                return 500, 0
            return await reply(scope, send, problem(500, f"internal error: {type(error).__name__}"), sent, close=True)

    def answered(request: Request) -> Reply:
        """The service's reply, compressed if the client takes gzip (in the executor's thread: compressing
        a large answer must not hold up the event loop)."""
        return gzipped(service.answer(request), request.header("accept-encoding"))

    async def read_body(scope: Message, receive: Receive) -> bytes | None:
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > DRAIN_LIMIT:
            raise BodyProblem(problem(413, f"the request body is over {MAX_BODY} bytes"))
        parts, size = [], 0
        try:
            async with asyncio.timeout(body_seconds):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return None
                    size += len(message.get("body", b""))
                    if size <= MAX_BODY:
                        parts.append(message.get("body", b""))
                    elif size > DRAIN_LIMIT:
                        break
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            raise BodyProblem(problem(408, f"the request body did not arrive within {body_seconds:g} s")) from None
        if size > MAX_BODY:
            raise BodyProblem(problem(413, f"the request body is over {MAX_BODY} bytes"))
        return b"".join(parts)

    async def reply(scope: Message, send: Send, answer: Reply, sent: dict[str, bool],
                    close: bool = False) -> tuple[int, int]:
        # Every resource is read-only and public: any origin may read it (CORS), errors included.
        headers = [(b"server", SERVER), (b"content-type", answer.media.encode()),
                   (b"content-length", str(len(answer.body)).encode()), (b"vary", b"Accept, Accept-Encoding"),
                   (b"access-control-allow-origin", b"*"),
                   (b"access-control-expose-headers", b"Content-Location, Location")]
        headers += [(name.lower().encode(), value.encode()) for name, value in answer.headers.items()]
        if close:  # a body we did not read whole: the connection cannot carry another request
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        sent["started"] = True
        body = b"" if scope["method"] == "HEAD" else memoryview(answer.body)
        for offset in range(0, len(body), CHUNK):
            more = offset + CHUNK < len(body)
            if not await within(send({"type": "http.response.body", "body": bytes(body[offset:offset + CHUNK]),
                                      "more_body": more}), scope):
                return answer.status, offset
        if not body:
            await send({"type": "http.response.body", "body": b""})
        return answer.status, len(body)

    async def within(sending: Awaitable[None], scope: Message) -> bool:
        """Send one chunk; a reader stalled past the limit has its connection dropped."""
        if connections is None:
            await sending
            return True
        task = asyncio.ensure_future(sending)
        done, _ = await asyncio.wait({task}, timeout=stall_seconds)
        if not done:
            connections.drop(tuple(scope.get("client") or ()))
            await task  # the transport fails the pending write: it ends at once
            return False
        task.result()
        return True

    return app
