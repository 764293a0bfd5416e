"""A SPARQL 1.1 endpoint as a store: SPARQLWrapper builds the request (it knows the protocol), our
bounded transport sends it (a deadline for the whole request, a cap on the answer's bytes: see
bounded_http), and the answer, in the SPARQL JSON results format, is read back by pyoxigraph's results
parser into the same shape the embedded store gives. Every failure is one line naming the endpoint."""

from __future__ import annotations

import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from coalition_kg.guards.http_client import JSON_RESULTS, EndpointProblem, exchange, target
from coalition_kg.query.binding import Bindings, bind
from coalition_kg.query.store import Results, results_of

__all__ = ["MAX_BYTES", "EndpointProblem", "RemoteStore"]

MAX_BYTES = 256 * 1024 * 1024  # --max-bytes by default: far above any answer of ours, far below the memory


def _without_header(sparql: str) -> str:
    """The query without its leading comment lines: SPARQLWrapper guesses a query's form from its
    words, and a `#+ description` that says "clear" made it send a SELECT as a CLEAR update."""
    lines = sparql.splitlines()
    start = next((n for n, line in enumerate(lines) if not line.lstrip().startswith("#")), len(lines))
    return "\n".join(lines[start:])


class RemoteStore:
    """An endpoint's query URL. ``graphs`` names the query's dataset in the request itself (SPARQL 1.1
    Protocol: default-graph-uri and named-graph-uri), so the default graph is their union on any
    store: what a store's own default graph holds differs from one to the next."""

    def __init__(self, endpoint: str, timeout: float = 30.0, graphs: list[str] | None = None,
                 max_bytes: int = MAX_BYTES):
        self.target = target(endpoint)  # refuses a URL that is not http(s); takes credentials out of it
        self.endpoint = self.target.url  # what is shown: no credentials
        self.timeout = timeout
        self.graphs = graphs or []
        self.max_bytes = max_bytes

    def select(self, sparql: str, bindings: Bindings | None = None) -> Results:
        client = SPARQLWrapper(self.target.url)
        client.setQuery(_without_header(bind(sparql, bindings or {})))
        client.setMethod(POST)  # long queries and bound parameters do not fit in a URL
        client.setReturnFormat(JSON)
        for graph in self.graphs:
            client.addDefaultGraph(graph)
            client.addNamedGraph(graph)
        request = client._createRequest()  # the protocol's request; sent by our transport, not urlopen
        request.add_header("Accept", ", ".join(JSON_RESULTS))  # the two we read (not SPARQLWrapper's JavaScript)
        answer = exchange(request, self.target, self.timeout, self.max_bytes)
        if answer.content_type is not None and answer.content_type not in JSON_RESULTS:
            raise self.target.problem(f"answered {answer.content_type[:100]}, not SPARQL JSON results")
        try:
            # pyoxigraph reads any bytes-like object, though its stub says bytes: a copy would double a large answer
            body = answer.body
            return results_of(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))  # type: ignore[arg-type]
        except (SyntaxError, ValueError, OSError) as error:
            raise self.target.problem(f"malformed SPARQL JSON results ({error})") from None
