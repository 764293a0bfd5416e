"""A SPARQL 1.1 endpoint as a store: queries go out through SPARQLWrapper, and the answer, in the
SPARQL JSON results format, is read back by pyoxigraph's results parser into the same shape the
embedded store gives. Every failure is one line naming the endpoint."""

from __future__ import annotations

import socket
import urllib.error

import pyoxigraph as ox

from .errors import CoalitionKGError
from .store import Results, Term, results_of


class EndpointProblem(CoalitionKGError):
    """An endpoint that is down, slow, refuses us or answers nonsense: exit code 2."""

    def __init__(self, endpoint: str, message: str):
        super().__init__(f"endpoint {endpoint}: {message}")


def _without_header(sparql: str) -> str:
    """The query without its leading comment lines: SPARQLWrapper guesses a query's form from its
    words, and a `#+ description` that says "clear" made it send a SELECT as a CLEAR update."""
    lines = sparql.splitlines()
    start = next((n for n, line in enumerate(lines) if not line.lstrip().startswith("#")), len(lines))
    return "\n".join(lines[start:])


# SPARQLWrapper turns these statuses into exceptions of its own, with the body in their text.
WRAPPED = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414,
           "EndPointInternalError": 500}


def _body(error: urllib.error.HTTPError) -> bytes:
    try:
        return error.read()
    except OSError:
        return b""


def _failure(code: int, reason: str, body: bytes) -> str:
    """'HTTP 503 Service Unavailable: <the first line of what the endpoint said>'."""
    said = " ".join(body.decode("utf-8", "replace").strip().splitlines()[:1])[:300]
    return f"HTTP {code} {reason}" + (f": {said}" if said and not said.lstrip().startswith("<") else "")


def _wrapped_failure(error: Exception) -> str:
    from ast import literal_eval
    from http import HTTPStatus

    code = WRAPPED.get(type(error).__name__, 500)
    _, _, response = str(error).partition("\n\nResponse:\n")
    try:
        body = literal_eval(response) if response else b""
    except (ValueError, SyntaxError):
        body = b""
    return _failure(code, HTTPStatus(code).phrase, body if isinstance(body, bytes) else b"")


class RemoteStore:
    """An endpoint's query URL. ``graphs`` names the query's dataset in the request itself (SPARQL 1.1
    Protocol: default-graph-uri and named-graph-uri), so the default graph is their union on any
    store: what a store's own default graph holds differs from one to the next."""

    def __init__(self, endpoint: str, timeout: float = 30.0, graphs: list[str] | None = None):
        self.endpoint = endpoint
        self.timeout = timeout
        self.graphs = graphs or []

    def select(self, sparql: str, bindings: dict[ox.Variable, Term] | None = None) -> Results:
        from SPARQLWrapper import JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        from .binding import bind

        client = SPARQLWrapper(self.endpoint)
        client.setQuery(_without_header(bind(sparql, bindings or {})))
        client.setMethod(POST)  # long queries and bound parameters do not fit in a URL
        client.setReturnFormat(JSON)
        client.setTimeout(int(max(1, self.timeout)))
        for graph in self.graphs:
            client.addDefaultGraph(graph)
            client.addNamedGraph(graph)
        try:
            body = client.query().response.read()
        except SPARQLWrapperException as error:  # 400, 401, 404, 414, 500 from the endpoint
            raise EndpointProblem(self.endpoint, _wrapped_failure(error)) from None
        except urllib.error.HTTPError as error:
            raise EndpointProblem(self.endpoint, _failure(error.code, error.reason, _body(error))) from None
        except TimeoutError:
            raise EndpointProblem(self.endpoint, f"no answer within {self.timeout:g} s") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError | socket.timeout):
                raise EndpointProblem(self.endpoint, f"no answer within {self.timeout:g} s") from None
            raise EndpointProblem(self.endpoint, f"cannot connect ({error.reason})") from None
        except (ConnectionError, OSError) as error:
            raise EndpointProblem(self.endpoint, f"cannot connect ({error})") from None
        try:
            return results_of(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
        except (SyntaxError, ValueError) as error:
            raise EndpointProblem(self.endpoint, f"malformed SPARQL JSON results ({error})") from None
