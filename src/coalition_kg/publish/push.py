"""Uploading the graph to a triple store through the SPARQL 1.1 Graph Store Protocol: one PUT per
named graph, so each graph arrives whole or not at all, and a failure says which graphs were
written. Each PUT has its own deadline (bounded_http). Credentials come from the environment or the
URL's user:password@, never from an option, and are never shown."""

from __future__ import annotations

import urllib.parse
import urllib.request

import pyoxigraph as ox

from coalition_kg.guards.http_client import EndpointProblem, Target, exchange, target
from coalition_kg.repository.dataset import Dataset


def push(dataset: Dataset, endpoint: str, timeout: float = 60.0) -> list[str]:
    """PUT every graph (ontology, each data file's, the derived shortcuts) to ``endpoint``, the
    store's Graph Store Protocol URL, each within ``timeout`` seconds. Returns the graphs written."""
    where = target(endpoint)
    graphs = dataset.layout.graphs()
    written: list[str] = []
    for graph in graphs:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in dataset.quads([graph])]
        separator = "&" if urllib.parse.urlsplit(where.url).query else "?"
        request = urllib.request.Request(  # noqa: S310 (target() allows only http and https)
            f"{where.url}{separator}{urllib.parse.urlencode({'graph': graph})}", method="PUT",
            data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
            headers={"Content-Type": "application/n-triples"})
        try:
            exchange(request, where, timeout, max_bytes=0)  # the answer's body says nothing we need
        except EndpointProblem as problem:
            raise _partial(where, written, graphs, problem.message) from None
        written.append(graph)
    return written


def _partial(where: Target, written: list[str], graphs: list[str], what: str) -> EndpointProblem:
    done = ", ".join(g.rsplit("/", 1)[-1] for g in written) or "none"
    return where.problem(f"{what}; {len(written)} of {len(graphs)} graphs written ({done}), "
                         f"failed at {graphs[len(written)]}")
