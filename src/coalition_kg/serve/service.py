"""`serve`: the graph over HTTP. A read-only SPARQL 1.1 Protocol endpoint at /sparql, each stored query
as a REST operation at /queries/NAME, their OpenAPI description, and a landing page. `Service` is the
one place a request is answered, free of any HTTP framework: asgi.py hands it parsed requests and
http_stack.py serves that app on Hypercorn. Queries run in worker processes (workers.py) so a bad one
cannot take the service down. A request we cannot answer gets a 4xx and a readable line; a fault of
ours is a 500 and one line in the log, never a traceback."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import parse_qs

from coalition_kg.errors import CoalitionKGError, QueryProblem
from coalition_kg.publish.dataset_description import DescriptionIris
from coalition_kg.query.binding import bind
from coalition_kg.query.catalogue import StoredQuery
from coalition_kg.rdf.formats import JSON_LD, RDF_FORMATS, TURTLE
from coalition_kg.repository.vocabulary import DEFAULT, UNDER_BASE, Vocabulary
from coalition_kg.serve.landing import page
from coalition_kg.serve.negotiation import FORMAT_PARAMETERS, GRAPHS, choose, pick
from coalition_kg.serve.openapi import describe
from coalition_kg.serve.rdf_answers import GRAPH_STORE_PATH, converted, service_description, write
from coalition_kg.serve.workers import Job, Pool, Reply, StoredJob, problem

MAX_BODY = 1 << 20  # bytes of a POST: a query longer than this is not a query
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Request:
    """A request as the HTTP layer parsed it: the path percent-decoded, the query string raw,
    header names in lower case, the body read whole (POST only)."""
    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] | None = None
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return (self.headers or {}).get(name)

    def url(self) -> str:
        """This request's URL without its query: the base IRI a query's relative IRIs resolve against.
        A Host that is not a host name (it is the client's to send) gives localhost instead."""
        host = self.header("host") or ""
        return f"http://{host if HOST.fullmatch(host) else 'localhost'}{self.path}"


HOST = re.compile(r"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")


# An IRI's page by the Accept header, as the site's .htaccess does: HTML, and every RDF format (the
# site holds Turtle and JSON-LD; the others are converted from its Turtle).
NEGOTIATED = {"text/html": ".html", **{f.media_type: f.suffix for f in (RDF_FORMATS[name] for name in (
    "turtle", "jsonld", "nt", "xml", "nquads", "trig"))}}
CONVERTED = {f.suffix: f.media_type for f in RDF_FORMATS.values() if f not in (TURTLE, JSON_LD)}
IRI_PATHS = tuple("/" + UNDER_BASE[prefix] for prefix in ("id", "src", "graph"))  # of the base IRI
FILE_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css", ".svg": "image/svg+xml",
              TURTLE.suffix: TURTLE.media_type, JSON_LD.suffix: JSON_LD.media_type, ".png": "image/png", **CONVERTED}
QUERY_METHODS = "GET, HEAD, POST, OPTIONS"  # /sparql
READ_METHODS = "GET, HEAD, OPTIONS"  # everything else


def allowed(path: str) -> str:
    return QUERY_METHODS if path == "/sparql" else READ_METHODS


def formats(params: dict[str, list[str]]) -> tuple[str, ...]:
    """The format names a client gave (format=, output=, results=), in that order."""
    return tuple(value for key in FORMAT_PARAMETERS for value in params.get(key, []))


class Service:
    """What the handlers share: the catalogue, the worker pool and its limits, and the site's files
    (path -> bytes, as `coalition-kg site` writes them), if pages are served."""

    def __init__(self, catalogue: dict[str, StoredQuery], pool: Pool, site: Mapping[str, bytes] | None = None,
                 graphs: Iterable[str] = (), see_other: bool = False, vocabulary: Vocabulary = DEFAULT):
        self.catalogue = catalogue
        self.dataset_iri = DescriptionIris(vocabulary).dataset  # what the service description serves
        # An IRI (/id/x) answered with 303 See Other to its document (/id/x.ttl), per the W3C's Cool URIs
        # note; by default the document is answered in place, with Content-Location, as the site's
        # .htaccess does when the site is published at the IRIs' own base.
        self.see_other = see_other
        self.pool = pool
        self.site = site
        self.graphs = tuple(graphs)  # the repository's graphs: the only ones a query's FROM may name

    def page(self, path: str, accept: str | None, url: str, names: tuple[str, ...] = ()) -> Reply | None:
        """An IRI under /id/, /source/, /graph/ or /ontology, negotiated; or a file of the site."""
        if self.site is None:
            return None
        name = path.lstrip("/")
        last = name.rsplit("/", 1)[-1]
        if path == "/ontology" or (path.startswith(IRI_PATHS) and "." not in last):
            media = pick(names, accept, NEGOTIATED)
            if media is None:
                return problem(406, f"{path} is served as {', '.join(NEGOTIATED)}")
            document = f"/{name}{NEGOTIATED[media]}"
            found = self.file(name + NEGOTIATED[media], url)
            if found is None:
                return problem(404, f"no entity at {path}")
            if self.see_other:
                return Reply(303, "text/plain; charset=utf-8", f"See {document}\n".encode(), {"Location": document})
            return replace(found, headers={"Content-Location": document})
        return self.file(name, url)

    def file(self, name: str, url: str) -> Reply | None:
        """A file of the site; a page's N-Triples, RDF/XML, N-Quads or TriG written from its Turtle."""
        last = name.rsplit("/", 1)[-1]
        suffix = "." + last.rsplit(".", 1)[-1] if "." in last else ""
        if self.site is None or suffix not in FILE_TYPES:
            return None
        body = self.site.get(name)
        if body is None and suffix in CONVERTED and (turtle := self.site.get(name[: -len(suffix)] + TURTLE.suffix)):
            body = converted(turtle, url, CONVERTED[suffix])
        return None if body is None else Reply(200, FILE_TYPES[suffix], body)

    def description(self, accept: str | None, names: tuple[str, ...], endpoint: str) -> Reply:
        """The SPARQL 1.1 Service Description, in any RDF format, at /sparql with no query."""
        media = pick(names, accept, GRAPHS)
        if media is None:
            return problem(406, f"the service description is served as {', '.join(GRAPHS)}")
        return Reply(200, media, write(service_description(endpoint, self.dataset_iri, self.graphs), media))

    def graph_store(self, params: dict[str, list[str]], accept: str | None, names: tuple[str, ...]) -> Reply:
        """The Graph Store Protocol's read: ?graph=IRI, one of ours, or ?default (the union)."""
        graphs = params.get("graph", [])
        if ("default" in params) == (len(graphs) == 1) or len(graphs) > 1:
            return problem(400, f"name one graph: {GRAPH_STORE_PATH}?graph=IRI or {GRAPH_STORE_PATH}?default")
        if graphs and graphs[0] not in self.graphs:
            return problem(404, f"{graphs[0]!r} is not a graph of this dataset; /sparql?query=SELECT DISTINCT ?g "
                                "WHERE { GRAPH ?g {} } lists them")
        where = f"GRAPH <{graphs[0]}> {{ ?s ?p ?o }}" if graphs else "?s ?p ?o"
        return self.run(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}", accept, names or None)

    def sparql(self, params: dict[str, list[str]], accept: str | None, base_iri: str | None = None) -> Reply:
        names = formats(params)
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
        return self.run(queries[0], accept, names or None,
                        params.get("default-graph-uri"), params.get("named-graph-uri"), base_iri)

    def run(self, sparql: str, accept: str | None, fmt: str | tuple[str, ...] | None,
            default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
            base_iri: str | None = None) -> Reply:
        """Hand the query to a worker: the worker checks it (sparql_guard) and negotiates the answer's
        type from its form, so that parsing, like running, happens under the worker's time and memory
        limits and never holds up this process."""
        # The protocol's dataset replaces the query's whole: named graphs alone make an empty default
        # graph, and a default graph alone no named graphs.
        if named_graphs is not None and default_graphs is None:
            default_graphs = []
        elif default_graphs is not None and named_graphs is None:
            named_graphs = []
        return self.pool.run(Job(sparql, accept, fmt, default_graphs, named_graphs, tuple(self.graphs), base_iri))

    def stored(self, name: str, params: dict[str, list[str]], accept: str | None) -> Reply:
        fmt = None
        for suffix in ("json", "csv"):
            if name.endswith("." + suffix):
                name, fmt = name[: -len(suffix) - 1], suffix
        query = self.catalogue.get(name)
        if query is None:
            return problem(404, f"no stored query {name!r}; /openapi.json lists them")
        lists = {p.name for p in query.params if p.multiple}  # ?role=a&role=b; any other repeat is refused
        values = {key: given if key in lists else given[0] for key, given in params.items()}
        repeated = [key for key, given in params.items() if len(given) > 1 and key not in lists]
        try:
            if repeated:
                raise QueryProblem(name, "given more than once: this parameter takes one value", repeated[0])
            bind(query.text, query.bind(values))  # refused here, with no worker; the worker answers as `query` does
        except (CoalitionKGError, ValueError) as error:  # ValueError: a value no type can hold (int() of 5,000 digits)
            return problem(400, f"query {name}: {error}" if isinstance(error, ValueError) else str(error))
        if fmt is None:  # the REST operation answers in JSON or CSV only
            media = choose(accept, {"application/sparql-results+json": 0, "application/json": 0, "text/csv": 0})
            if media is None:
                return problem(406, "this operation answers in application/sparql-results+json or text/csv")
            fmt = "csv" if media == "text/csv" else "json"
        pairs = tuple((key, text) for key, given in params.items() for text in given[: 1 if key not in lists else None])
        return self.pool.run(StoredJob(name, pairs, fmt, self.graphs))


    def answer(self, request: Request) -> Reply:
        """The reply to any request; never raises: a fault of ours is a 500 that names it in one line."""
        try:
            if "\x00" in request.path:  # no file name or IRI holds a NUL
                return problem(400, "the path holds a NUL character")
            if request.method in ("GET", "HEAD"):
                if request.body:  # RFC 9110: a GET's content has no meaning; a query sent there would be lost
                    return problem(400, f"a {request.method} request has no body; POST a query to /sparql")
                return self.get(request)
            if request.method == "POST":
                return self.post(request)
            if request.method == "OPTIONS":  # a CORS preflight too: every resource is read-only, open to any origin
                methods = allowed(request.path)
                return Reply(204, "text/plain", b"", {"Allow": methods, "Access-Control-Allow-Methods": methods,
                                                      "Access-Control-Allow-Headers": "Accept, Content-Type",
                                                      "Access-Control-Max-Age": "86400"})
            return replace(problem(405, f"{request.method} is not allowed: this server is read-only"),
                           headers={"Allow": allowed(request.path)})
        except Exception as error:  # noqa: BLE001 (the last line of defence: one line, no traceback)
            return problem(500, f"internal error: {type(error).__name__}: {error}")

    def get(self, request: Request) -> Reply:
        params = parse_qs(request.query, keep_blank_values=True)
        accept = request.header("accept")
        path = request.path
        if path == "/":
            return Reply(200, "text/html; charset=utf-8", page(self.catalogue, self.pool.limits, self.site is not None))
        if path == "/sparql":
            if "query" not in params and "update" not in params:
                return self.description(accept, formats(params), request.url())
            return self.sparql(params, accept, request.url())
        if path == GRAPH_STORE_PATH:
            return self.graph_store(params, accept, formats(params))
        if path == "/openapi.json":
            return Reply(200, "application/json", json.dumps(describe(self.catalogue), indent=2).encode())
        if path.startswith("/queries/"):
            return self.stored(path[len("/queries/"):], params, accept)
        if (found := self.page(path, accept, request.url(), formats(params))) is not None:
            return found
        return problem(404, f"nothing at {path}; try / for what is here")

    def post(self, request: Request) -> Reply:
        if request.path != "/sparql":
            return replace(problem(405, f"POST is for /sparql, not {request.path}"), headers={"Allow": READ_METHODS})
        kind, *parameters = [part.strip().lower() for part in (request.header("content-type") or "").split(";")]
        charset = next((value.strip('"') for name, _, value in (p.partition("=") for p in parameters)
                        if name.strip() == "charset"), "utf-8")
        if charset not in ("utf-8", "utf8"):  # the protocol: a query is UTF-8, whatever else is declared
            return problem(415, f"a query is sent in UTF-8, not {charset}")
        params = parse_qs(request.query, keep_blank_values=True)
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            return problem(400, "the request body is not UTF-8")
        if kind == FORM:
            for key, values in parse_qs(text, keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif kind == "application/sparql-query":
            params["query"] = [*params.get("query", []), text]
        elif kind == "application/sparql-update":
            params["update"] = [text]
        else:
            return problem(415, f"POST a form ({FORM}) or application/sparql-query, not {kind or 'no type'}")
        return self.sparql(params, request.header("accept"), request.url())

