"""`serve`: the graph over HTTP. A read-only SPARQL 1.1 Protocol endpoint at /sparql, each stored query
as a REST operation at /queries/NAME, their OpenAPI description, and a landing page. `Service` is the
one place a request is answered, free of any HTTP framework: asgi.py hands it parsed requests and
http_stack.py serves that app on Hypercorn. Queries run in worker processes (workers.py) so a bad one
cannot take the service down. A request we cannot answer gets a 4xx and a readable line; a fault of
ours is a 500 and one line in the log, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import parse_qs

from .catalogue import StoredQuery
from .errors import CoalitionKGError
from .negotiation import choose
from .workers import Job, Pool, Reply, problem

MAX_BODY = 1 << 20  # bytes of a POST: a query longer than this is not a query
FORM = "application/x-www-form-urlencoded"
READ_ONLY = {"Allow": "GET, HEAD, POST, OPTIONS"}  # /sparql


def allowed(path: str) -> dict[str, str]:
    """The Allow header of a resource: only /sparql takes POST (OpenAPI says the same)."""
    return READ_ONLY if path == "/sparql" else {"Allow": "GET, HEAD, OPTIONS"}


@dataclass(frozen=True)
class Request:
    """A request as the HTTP layer parsed it: the path percent-decoded, the query string raw,
    header names in lower case, the body read whole (POST only)."""
    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = None  # type: ignore[assignment]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return (self.headers or {}).get(name)


# An IRI's page, Turtle or JSON-LD by the Accept header, as the site's .htaccess does.
NEGOTIATED = {"text/html": ".html", "text/turtle": ".ttl", "application/ld+json": ".jsonld"}
IRI_PATHS = ("/id/", "/source/", "/graph/")
FILE_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css", ".svg": "image/svg+xml",
              ".ttl": "text/turtle", ".jsonld": "application/ld+json", ".png": "image/png"}


class Service:
    """What the handlers share: the catalogue, the worker pool and its limits, and the site's files
    (path -> bytes, as `coalition-kg site` writes them), if pages are served."""

    def __init__(self, catalogue: dict[str, StoredQuery], pool: Pool, site: Mapping[str, bytes] | None = None,
                 graphs: Iterable[str] = ()):
        self.catalogue = catalogue
        self.pool = pool
        self.site = site
        self.graphs = tuple(graphs)  # the repository's graphs: the only ones a query's FROM may name

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
        named = params.get("default-graph-uri", []) + params.get("named-graph-uri", [])
        elsewhere = [graph for graph in named if graph not in self.graphs]
        if elsewhere:  # a dataset on anything but our graphs, as a FROM would be: refused, never looked for
            return problem(400, f"{elsewhere[0]!r} is not a graph of this dataset; /sparql?query=SELECT DISTINCT ?g "
                                "WHERE { GRAPH ?g {} } lists them")
        return self.run(queries[0], accept, params.get("format", [None])[0],
                        params.get("default-graph-uri"), params.get("named-graph-uri"))

    def run(self, sparql: str, accept: str | None, fmt: str | None,
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None) -> Reply:
        """Hand the query to a worker: the worker checks it (sparql_guard) and negotiates the answer's
        type from its form, so that parsing, like running, happens under the worker's time and memory
        limits and never holds up this process."""
        if named_graphs is not None and default_graphs is None:
            default_graphs = []  # the protocol: named graphs alone make an empty default graph
        return self.pool.run(Job(sparql, accept, fmt, default_graphs, named_graphs, tuple(self.graphs)))

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
        except (CoalitionKGError, ValueError) as error:  # ValueError: a value no type can hold (int() of 5,000 digits)
            return problem(400, f"query {name}: {error}" if isinstance(error, ValueError) else str(error))
        if fmt is None:  # the REST operation answers in JSON or CSV only
            media = choose(accept, {"application/sparql-results+json": 0, "application/json": 0, "text/csv": 0})
            if media is None:
                return problem(406, "this operation answers in application/sparql-results+json or text/csv")
            fmt = "csv" if media == "text/csv" else "json"
        return self.run(text, None, fmt)


    def answer(self, request: Request) -> Reply:
        """The reply to any request; never raises: a fault of ours is a 500 that names it in one line."""
        try:
            if "\x00" in request.path:  # no file name or IRI holds a NUL
                return problem(400, "the path holds a NUL character")
            if request.method in ("GET", "HEAD"):
                return self.get(request)
            if request.method == "POST":
                return self.post(request)
            if request.method == "OPTIONS":
                return Reply(204, "text/plain", b"", allowed(request.path))
            return replace(problem(405, f"{request.method} is not allowed: this server is read-only"),
                           headers=allowed(request.path))
        except Exception as error:  # noqa: BLE001 (the last line of defence: one line, no traceback)
            return problem(500, f"internal error: {type(error).__name__}: {error}")

    def get(self, request: Request) -> Reply:
        params = parse_qs(request.query, keep_blank_values=True)
        accept = request.header("accept")
        path = request.path
        if path == "/":
            from .landing import page

            return Reply(200, "text/html; charset=utf-8", page(self.catalogue, self.pool.limits, self.site is not None))
        if path == "/sparql":
            return self.sparql(params, accept)
        if path == "/openapi.json":
            from .openapi import describe

            return Reply(200, "application/json", json.dumps(describe(self.catalogue), indent=2).encode())
        if path.startswith("/queries/"):
            return self.stored(path[len("/queries/"):], params, accept)
        if (found := self.page(path, accept)) is not None:
            return found
        return problem(404, f"nothing at {path}; try / for what is here")

    def post(self, request: Request) -> Reply:
        if request.path != "/sparql":
            return replace(problem(405, f"POST is for /sparql, not {request.path}"), headers=allowed(request.path))
        kind = (request.header("content-type") or "").split(";")[0].strip().lower()
        params = parse_qs(request.query, keep_blank_values=True)
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            return problem(400, "the request body is not UTF-8")
        if kind == FORM:
            for key, values in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif kind == "application/sparql-query":
            params["query"] = params.get("query", []) + [text]
        elif kind == "application/sparql-update":
            params["update"] = [text]
        else:
            return problem(415, f"POST a form ({FORM}) or application/sparql-query, not {kind or 'no type'}")
        return self.sparql(params, request.header("accept"))

