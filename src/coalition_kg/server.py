"""`serve`: the graph over HTTP. A read-only SPARQL 1.1 Protocol endpoint at /sparql, each stored query
as a REST operation at /queries/NAME, their OpenAPI description, and a landing page. Requests are
read here; queries run in worker processes (workers.py) so a bad one cannot take the service down.
A request we cannot answer gets a 4xx and a readable line, never a 500."""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import __version__
from .catalogue import StoredQuery
from .errors import CoalitionKGError
from .negotiation import NAMES, choose, offered_for
from .workers import Job, Pool, Reply, problem

MAX_BODY = 1 << 20  # bytes of a POST: a query longer than this is not a query
FORM = "application/x-www-form-urlencoded"


# An IRI's page, Turtle or JSON-LD by the Accept header, as the site's .htaccess does.
NEGOTIATED = {"text/html": ".html", "text/turtle": ".ttl", "application/ld+json": ".jsonld"}
IRI_PATHS = ("/id/", "/source/", "/graph/")
FILE_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css", ".svg": "image/svg+xml",
              ".ttl": "text/turtle", ".jsonld": "application/ld+json", ".png": "image/png"}


class Service:
    """What the handlers share: the catalogue, the worker pool and its limits, and the site's files
    (path -> bytes, as `coalition-kg site` writes them), if pages are served."""

    def __init__(self, catalogue: dict[str, StoredQuery], pool: Pool, site: Mapping[str, bytes] | None = None):
        self.catalogue = catalogue
        self.pool = pool
        self.site = site

    def page(self, path: str, accept: str | None) -> Reply | None:
        """An IRI under /id/, /source/, /graph/ or /ontology, negotiated; or a file of the site."""
        if self.site is None:
            return None
        name = path.lstrip("/")
        last = name.rsplit("/", 1)[-1]
        if path == "/ontology" or (path.startswith(IRI_PATHS) and "." not in last):
            media = choose(accept, NEGOTIATED)
            if media is None:
                return problem(406, f"{path} is served as {', '.join(NEGOTIATED)}")
            if path == "/ontology":
                name = "ontology/index" if media == "text/html" else "ontology/coalition-kg"
            body = self.site.get(name + NEGOTIATED[media])
            if body is None:
                return problem(404, f"no entity at {path}")
            return Reply(200, FILE_TYPES[NEGOTIATED[media]], body, {"Content-Location": f"/{name}{NEGOTIATED[media]}"})
        body = self.site.get(name)
        suffix = "." + last.rsplit(".", 1)[-1] if "." in last else ""
        if body is None or suffix not in FILE_TYPES:
            return None
        return Reply(200, FILE_TYPES[suffix], body)

    def sparql(self, params: dict[str, list[str]], accept: str | None) -> Reply:
        if "update" in params:
            return problem(403, "this endpoint is read-only: SPARQL updates are refused")
        queries = params.get("query", [])
        if len(queries) != 1:
            return problem(400, "give exactly one query: /sparql?query=… (GET, or POST as a form "
                                "or as application/sparql-query)")
        return self.run(queries[0], accept, params.get("format", [None])[0],
                        params.get("default-graph-uri"), params.get("named-graph-uri"))

    def run(self, sparql: str, accept: str | None, fmt: str | None,
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None) -> Reply:
        from .layout import Layout
        from .sparql_guard import QueryRefused, check

        try:  # parsed before any worker sees it: no SERVICE, no FROM elsewhere, no update, bounded
            form = check(sparql, "query", graphs=Layout(self.pool.root).graphs()).form
        except QueryRefused as error:
            return problem(error.status, str(error))
        offered = offered_for(form)
        if fmt is not None:
            if NAMES.get(fmt) not in offered:
                names = ", ".join(n for n, media in NAMES.items() if media in offered)
                return problem(400, f"format {fmt!r} is not one of: {names}")
            accept = NAMES[fmt]
        media = choose(accept, offered)
        if media is None:
            return problem(406, f"none of the accepted types ({accept}) can hold this answer; "
                                f"offered: {', '.join(offered)}")
        if named_graphs is not None and default_graphs is None:
            default_graphs = []  # the protocol: named graphs alone make an empty default graph
        return self.pool.run(Job(sparql, media, default_graphs, named_graphs))

    def stored(self, name: str, params: dict[str, list[str]], accept: str | None) -> Reply:
        from .binding import bind

        fmt = None
        for suffix in ("json", "csv"):
            if name.endswith("." + suffix):
                name, fmt = name[: -len(suffix) - 1], suffix
        query = self.catalogue.get(name)
        if query is None:
            return problem(404, f"no stored query {name!r}; /openapi.json lists them")
        repeated = [key for key, values in params.items() if len(values) > 1]
        if repeated:
            return problem(400, f"query {name}, parameter {repeated[0]}: given more than once")
        try:
            text = bind(query.text, query.bind({key: values[0] for key, values in params.items()}))
        except CoalitionKGError as error:
            return problem(400, str(error))
        if fmt is None:  # the REST operation answers in JSON or CSV only
            media = choose(accept, {"application/sparql-results+json": 0, "application/json": 0, "text/csv": 0})
            if media is None:
                return problem(406, "this operation answers in application/sparql-results+json or text/csv")
            fmt = "csv" if media == "text/csv" else "json"
        return self.run(text, None, fmt)


class Handler(BaseHTTPRequestHandler):
    server_version = f"coalition-kg/{__version__}"
    protocol_version = "HTTP/1.1"
    service: Service  # set on the subclass made for each server

    def do_GET(self):  # noqa: N802 (the names http.server calls)
        self.guarded(self.get)

    def do_POST(self):  # noqa: N802
        self.guarded(self.post)

    def guarded(self, handle) -> None:
        """A fault of ours is a 500 that says so, never a dropped connection."""
        try:
            handle()
        except Exception as error:  # noqa: BLE001 (the last line of defence)
            traceback.print_exc()
            self.reply(problem(500, f"internal error: {type(error).__name__}: {error}"))

    def get(self) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        accept = self.headers.get("Accept")
        if url.path == "/":
            from .landing import page

            self.reply(Reply(200, "text/html; charset=utf-8", page(self.service.catalogue, self.service.pool.limits,
                                                                     self.service.site is not None)))
        elif url.path == "/sparql":
            self.reply(self.service.sparql(params, accept))
        elif url.path == "/openapi.json":
            from .openapi import describe

            body = json.dumps(describe(self.service.catalogue), indent=2).encode()
            self.reply(Reply(200, "application/json", body))
        elif url.path.startswith("/queries/"):
            self.reply(self.service.stored(url.path[len("/queries/"):], params, accept))
        elif (found := self.service.page(url.path, accept)) is not None:
            self.reply(found)
        else:
            self.reply(problem(404, f"nothing at {url.path}; try / for what is here"))

    def post(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            self.reply(problem(405, f"POST is for /sparql, not {url.path}"), {"Allow": "GET"})
            return
        body = self.body()
        if body is None:
            return
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self.reply(problem(400, "the request body is not UTF-8"))
            return
        if kind == FORM:
            for key, values in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif kind == "application/sparql-query":
            params["query"] = params.get("query", []) + [text]
        elif kind == "application/sparql-update":
            params["update"] = [text]
        else:
            self.reply(problem(415, f"POST a form ({FORM}) or application/sparql-query, not {kind or 'no type'}"))
            return
        self.reply(self.service.sparql(params, self.headers.get("Accept")))

    def refuse(self):
        self.reply(problem(405, f"{self.command} is not allowed: this server is read-only"), {"Allow": "GET, POST"})

    do_PUT = do_DELETE = do_PATCH = refuse  # noqa: N815
    do_HEAD = do_GET  # noqa: N815 (reply() leaves out the body)

    def do_OPTIONS(self):  # noqa: N802
        self.reply(Reply(204, "text/plain", b""), {"Allow": "GET, HEAD, POST, OPTIONS"})

    def body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self.reply(problem(411, "a POST needs a Content-Length"))
            return None
        if int(length) > MAX_BODY:
            if int(length) <= 16 * MAX_BODY:  # read it away, so that the client, still sending, hears the 413
                remaining = int(length)
                while remaining > 0 and (chunk := self.rfile.read(min(1 << 16, remaining))):
                    remaining -= len(chunk)
            self.reply(problem(413, f"the request body is over {MAX_BODY} bytes"))
            self.close_connection = True
            return None
        return self.rfile.read(int(length))

    def reply(self, reply: Reply, headers: dict[str, str] | None = None) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.media)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Vary", "Accept")
        for name, value in {**reply.headers, **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def send_error(self, code, message=None, explain=None):
        # http.server's own refusals (a malformed request line, an over-long URL): plain text like ours
        self.reply(problem(code, f"{code} {message or HTTPStatus(code).phrase}"))

    def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def make_server(service: Service, host: str, port: int, quiet: bool = False) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"service": service})
    if quiet:
        handler.log_message = lambda self, *args: None
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
