"""HTTP requests to an endpoint, bounded in time and size, that never show a credential.

urllib.request keeps what it is good at (proxies from the environment, basic and digest
authentication, HTTPS); around it:

* a deadline for the whole request: connecting (the name lookup too), sending, the headers and the
  body. Each socket's own timeout bounds one operation only, so a server dripping a byte at a time
  would hold it for ever; a watchdog thread shuts every socket of the request down when the deadline
  passes, which ends whatever read or write is blocked, however http.client is reading;
* a cap on the answer's bytes, read in chunks and given up past the cap;
* no redirect followed (a POST redirected loses its query, and credentials must not travel to another
  host): a 3xx is an error that says where it points;
* http and https only (urllib would read file:// and ftp:// URLs too);
* credentials written in the URL (user:password@) are taken out of it and used as the environment's
  would be; the URL is shown without them, and every message is scrubbed of the password.

Every failure is an EndpointProblem: one line naming the endpoint."""

from __future__ import annotations

import base64
import contextlib
import functools
import http.client
import os
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coalition_kg.errors import CoalitionKGError, one_line

USER, PASSWORD = "COALITION_KG_USER", "COALITION_KG_PASSWORD"
CHUNK = 1 << 16
ERROR_BODY_BYTES = 1 << 16  # enough for the first line of an error page
JSON_RESULTS = ("application/sparql-results+json", "application/json")


class EndpointProblem(CoalitionKGError):
    """An endpoint that is down, slow, refuses us or answers nonsense: exit code 2."""

    def __init__(self, endpoint: str, message: str):
        self.endpoint, self.message = endpoint, message
        super().__init__(one_line(f"endpoint {endpoint}: {message}"))


# Everything from the scheme up to the last '@' before any query or fragment: what a URL we could
# not parse is shown without, so that no part of a password is ever echoed.
_MAYBE_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^?#]*@")


@dataclass(frozen=True)
class Target:
    """An endpoint URL split into what is sent (``url``, with no userinfo), the credentials, and
    what is shown (``url`` too: it holds no secret)."""

    url: str
    user: str | None = None
    password: str | None = None

    def problem(self, message: str) -> EndpointProblem:
        return EndpointProblem(self.url, self.scrub(message))

    def scrub(self, text: str) -> str:
        """``text`` with the password, in every spelling a server could echo, replaced by ***."""
        if not self.password:
            return text
        secret = f"{self.user}:{self.password}".encode()
        for spelling in {self.password, urllib.parse.quote(self.password, safe=""),
                         base64.b64encode(secret).decode("ascii")}:
            text = text.replace(spelling, "***")
        return text


def target(endpoint: str) -> Target:
    """The endpoint ``endpoint`` as a Target; credentials in its URL win over the environment's."""
    shown = _MAYBE_USERINFO.sub(r"\1", endpoint)
    if any(c.isspace() or not c.isprintable() for c in endpoint):  # urlsplit would drop some silently
        raise EndpointProblem(shown, "a space or a control character in the URL (write it %-encoded)")
    try:
        parts = urllib.parse.urlsplit(endpoint)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError:
        raise EndpointProblem(shown, "not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise EndpointProblem(shown, "not an http:// or https:// URL")
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if "@" in parts.path:  # a password with a '/' in it, not written as %2F, would end up here
        raise EndpointProblem(shown, "'@' in the path of the URL: write a '/' or '@' in a password as %2F or %40")
    url = urllib.parse.urlunsplit((parts.scheme, hostport, parts.path, parts.query, ""))
    if at:
        user, _, password = userinfo.partition(":")
        return Target(url, urllib.parse.unquote(user), urllib.parse.unquote(password))
    from_environment = os.environ.get(USER)
    return Target(url, from_environment, os.environ.get(PASSWORD, "") if from_environment else None)


class DeadlinePassed(TimeoutError):
    pass


class Deadline:
    """The end of one request. Every socket the request opens is registered; at the end a watchdog
    shuts them all down (on a duplicate of each descriptor, so TLS wrapping does not hide it)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._watchdog = threading.Timer(seconds, self._expire)
        self._watchdog.daemon = True

    def __enter__(self) -> Deadline:
        self._watchdog.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._watchdog.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def remaining(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0 or self.expired:
            raise DeadlinePassed
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            if self.expired:
                sock.close()
                raise DeadlinePassed
            self._sockets.append(sock.dup())

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def connect(self, address: tuple[str, int], source_address: tuple[str, int] | None = None) -> socket.socket:
        """socket.create_connection, with the name lookup bounded too (getaddrinfo has no timeout of
        its own: it runs in a thread that is left behind if it outlasts the deadline)."""
        host, port = address
        found: list[Sequence[_AddressInfo] | OSError] = []
        lookup = threading.Thread(target=lambda: found.append(_addresses(host, port)), daemon=True)
        lookup.start()
        lookup.join(self.remaining())
        if not found:
            raise DeadlinePassed
        if isinstance(found[0], OSError):
            raise found[0]
        error: OSError = OSError(f"no address for {host}")
        for family, kind, proto, _, where in found[0]:
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self.remaining())
                self.watch(sock)
                if source_address:
                    sock.bind(source_address)
                sock.connect(where)
                return sock
            except OSError as failure:  # DeadlinePassed too: it is a TimeoutError
                sock.close()
                error = failure
                if self.expired or isinstance(failure, DeadlinePassed):
                    raise
        raise error


# what getaddrinfo gives: (family, type, protocol, canonical name, the address to connect to)
_AddressInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str,
                     tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]]


def _addresses(host: str, port: int) -> Sequence[_AddressInfo] | OSError:
    try:
        return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except OSError as error:
        return error
    except UnicodeError as error:  # a name the IDNA codec refuses (a label past 63 characters)
        return OSError(f"not a host name ({error})")


class _BoundedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, deadline: Deadline, host: str, **kwargs: Any) -> None:  # http.client's own arguments
        super().__init__(host, **kwargs)
        self._create_connection = lambda address, _timeout, source=None: deadline.connect(address, source)


class _BoundedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, deadline: Deadline, host: str, **kwargs: Any) -> None:  # http.client's own arguments
        super().__init__(host, **kwargs)
        self._create_connection = lambda address, _timeout, source=None: deadline.connect(address, source)


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_BoundedHTTPConnection, self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_BoundedHTTPSConnection, self.deadline), req)


def _opener(deadline: Deadline, where: Target) -> urllib.request.OpenerDirector:
    """Only the handlers we want: no file://, no ftp://, no redirects."""
    opener = urllib.request.OpenerDirector()
    handlers = [urllib.request.ProxyHandler(), _HTTPHandler(deadline), _HTTPSHandler(deadline),
                urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPErrorProcessor()]
    if where.user is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, where.url, where.user, where.password or "")
        # whichever the server asks for: Virtuoso's graph store wants digest, others basic
        handlers += [urllib.request.HTTPBasicAuthHandler(passwords), urllib.request.HTTPDigestAuthHandler(passwords)]
    for handler in handlers:
        opener.add_handler(handler)
    return opener


@dataclass
class Answer:
    status: int
    content_type: str | None
    body: bytearray


def exchange(request: urllib.request.Request, where: Target, timeout: float, max_bytes: int) -> Answer:
    """Send ``request`` (its URL is ``where.url``) and read at most ``max_bytes`` of the answer (0: do
    not read it), all within ``timeout`` seconds. Any failure is ``where.problem(…)``."""
    deadline = Deadline(timeout)
    try:
        with deadline, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # urllib's auth handlers warn on stderr about a realm's quoting
            try:
                response = _opener(deadline, where).open(request, timeout=timeout)
            except urllib.error.HTTPError as error:
                raise where.problem(_refusal(error, deadline)) from None
            with response:
                declared = response.headers.get("Content-Type")
                body = _read_capped(response, max_bytes, where) if max_bytes else bytearray()
            if deadline.expired:  # an answer with no length ends at the watchdog's shutdown
                raise DeadlinePassed
            return Answer(response.status, declared and response.headers.get_content_type(), body)
    except EndpointProblem:
        raise
    except (OSError, http.client.HTTPException, ValueError, LookupError) as error:  # urllib's auth handlers
        # raise ValueError and IndexError on a challenge they cannot read
        raise where.problem(_what_failed(error, deadline)) from None


def _read_capped(response: http.client.HTTPResponse, max_bytes: int, where: Target) -> bytearray:
    cap = f"the answer is larger than --max-bytes {max_bytes:,} bytes"
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > max_bytes:
        raise where.problem(cap + f" (Content-Length: {int(declared):,})")
    body = bytearray()
    while chunk := response.read(min(CHUNK, max_bytes + 1 - len(body))):
        body += chunk
        if len(body) > max_bytes:
            raise where.problem(cap)
    if response.length:  # the connection ended before Content-Length bytes came
        raise http.client.IncompleteRead(b"", response.length)
    return body


def _refusal(error: urllib.error.HTTPError, deadline: Deadline) -> str:
    """'HTTP 503 Service Unavailable: <the first line of what the endpoint said>', or, for a
    redirect, where it points."""
    if 300 <= error.code < 400:
        location = _MAYBE_USERINFO.sub(r"\1", error.headers.get("Location", "") or "")
        return (f"HTTP {error.code} {error.reason}: redirects to {location[:300] or 'nowhere'}; redirects are not "
                "followed (give that URL as --endpoint if it is the endpoint)")
    body = b""
    if not deadline.expired:
        with contextlib.suppress(OSError, http.client.HTTPException):
            body = error.read(ERROR_BODY_BYTES)
    return failure(error.code, error.reason, body)


def failure(code: int, reason: str, body: bytes) -> str:
    said = " ".join(body.decode("utf-8", "replace").strip().splitlines()[:1])[:300]
    return f"HTTP {code} {str(reason)[:100]}" + (f": {said}" if said and not said.lstrip().startswith("<") else "")


def _what_failed(error: Exception, deadline: Deadline) -> str:
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, Exception):
        error = error.reason
    if deadline.expired or isinstance(error, TimeoutError):
        return f"no answer within {deadline.seconds:g} s"
    if isinstance(error, http.client.RemoteDisconnected):
        return "the connection closed before an answer came"
    if isinstance(error, http.client.BadStatusLine):
        return "the answer is not HTTP"
    if isinstance(error, http.client.IncompleteRead):
        return "the answer was cut short"
    if isinstance(error, http.client.HTTPException):
        return f"a malformed HTTP answer ({type(error).__name__})"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed ({error.reason or error})"
    if isinstance(error, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
        return "the connection was reset"
    if isinstance(error, urllib.error.URLError):  # a reason that is text: urllib's digest handler
        return f"cannot authenticate ({str(error.reason)[:200]})"
    if isinstance(error, OSError):
        return f"cannot connect ({error.strerror or error})"
    # urllib's auth handlers, on a challenge they cannot read
    return f"cannot answer its authentication challenge ({str(error)[:200]})"
