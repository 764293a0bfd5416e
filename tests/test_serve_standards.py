"""`serve` against what the standards say, in process: SPARQL 1.1's dataset rules (the protocol's
dataset, else the query's FROM / FROM NAMED, else our union), a base IRI for relative IRIs, a GET
with a body refused, the format parameters clients send, and the HTTP a browser needs (CORS, gzip,
HEAD, 405 with Allow, a Service Description, Graph Store Protocol read, every RDF format)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coalition_kg.asgi import make_app
from coalition_kg.server import Service
from coalition_kg.workers import Job, execute

from .test_serve_app import FakePool, fetch

A, B = "urn:graph:a", "urn:graph:b"


@pytest.fixture(scope="module")
def store():
    """Graph a holds one triple, graph b two: every dataset rule gives a different count."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:x:1"), ox.NamedNode("urn:x:p"), ox.Literal("a"), ox.NamedNode(A)))
    for n in (2, 3):
        store.add(ox.Quad(ox.NamedNode(f"urn:x:{n}"), ox.NamedNode("urn:x:p"), ox.Literal("b"), ox.NamedNode(B)))
    return store


def count(store, query: str, **dataset) -> int:
    reply = execute(store, Job(query, "text/csv", graphs=(A, B), **dataset), max_rows=100)
    assert reply.status == 200, reply.body
    return int(reply.body.decode().split()[1])


COUNT = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
NAMED = "SELECT (COUNT(*) AS ?n) {} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"


@pytest.mark.parametrize(("query", "dataset", "expected"), [
    (COUNT.format(""), {}, 3),  # no dataset anywhere: our union default graph
    (COUNT.format(f"FROM <{A}>"), {}, 1),  # the query's FROM, not the union
    (COUNT.format(f"FROM <{A}> FROM <{B}>"), {}, 3),
    (COUNT.format(f"FROM NAMED <{A}>"), {}, 0),  # FROM NAMED alone: an empty default graph
    (NAMED.format(f"FROM NAMED <{A}>"), {}, 1),  # ... and only the named graphs it names
    (NAMED.format(""), {}, 3),
    (COUNT.format(f"FROM <{A}>"), {"default_graphs": [B], "named_graphs": []}, 2),  # the protocol's dataset wins
    (NAMED.format(f"FROM NAMED <{A}>"), {"default_graphs": [], "named_graphs": [B]}, 2),
])
def test_class1_the_dataset_follows_sparql_11s_rules(store, query, dataset, expected):
    """A FROM was silently overridden by the union default graph: the whole graph was counted."""
    assert count(store, query, **dataset) == expected


def test_class1_a_protocol_dataset_replaces_the_querys_whole(pool):
    """default-graph-uri alone: no named graphs (the query's FROM NAMED no longer counts); and back."""
    app = make_app(Service({}, pool, None, graphs=[A, B]), log=None)
    fetch(app, "GET", "/sparql", params={"query": "ASK {}", "default-graph-uri": A})
    fetch(app, "GET", "/sparql", params={"query": "ASK {}", "named-graph-uri": A})
    assert [(job.default_graphs, job.named_graphs) for job in pool.jobs] == [([A], []), ([], [A])]


@pytest.fixture
def pool():
    return FakePool()


def test_class8_relative_iris_resolve_against_the_endpoints_url(pool):
    reply = execute(ox.Store(), Job("CONSTRUCT { <x> <y> <#z> } WHERE {}", "application/n-triples",
                                    base_iri="http://example.org/sparql"), max_rows=10)
    assert reply.status == 200, reply.body
    assert reply.body.decode().strip() == \
        "<http://example.org/x> <http://example.org/y> <http://example.org/sparql#z> ."
    app = make_app(Service({}, pool, None), log=None)
    fetch(app, "GET", "/sparql", params={"query": "ASK {}"}, headers={"Host": "kg.example:8080"})
    fetch(app, "GET", "/sparql", params={"query": "ASK {}"}, headers={"Host": "a b/<>"})
    assert [job.base_iri for job in pool.jobs] == ["http://kg.example:8080/sparql", "http://localhost/sparql"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_class5_a_get_with_a_body_is_refused(pool, method):
    app = make_app(Service({}, pool, None), log=None)
    response = fetch(app, method, "/sparql", params={"query": "ASK {}"}, content=b"SELECT * {}")
    assert response.status_code == 400 and pool.jobs == []


SELECT, CONSTRUCT = "SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"


@pytest.mark.parametrize(("query", "accept", "names", "media"), [
    (SELECT, None, ("xml", "xml", "xml"), "application/sparql-results+xml"),  # SPARQLWrapper's default
    (CONSTRUCT, "application/rdf+xml", ("xml", "xml", "xml"), "application/rdf+xml"),  # "xml" means RDF/XML here
    (CONSTRUCT, "text/turtle", ("n3",), "text/turtle"),
    (CONSTRUCT, "application/ld+json", ("json-ld", "application/ld+json"), "application/ld+json"),
    (SELECT, "text/tab-separated-values", ("tsv", "text/tab-separated-values"), "text/tab-separated-values"),
    (CONSTRUCT, "text/turtle", ("json",), "text/turtle"),  # a name for another form: Accept decides
    (SELECT, "text/csv", ("png", "", "json"), "application/sparql-results+json"),  # the first that fits wins
    (SELECT, "text/csv", ("png",), "text/csv"),  # unknown: Accept, as Fuseki and Virtuoso do
    (CONSTRUCT, None, ("bogus",), "text/turtle"),
])
def test_class5_format_parameters_name_a_format_or_fall_back_to_accept(store, query, accept, names, media):
    reply = execute(store, Job(query, accept, names, graphs=(A, B)), max_rows=100)
    assert (reply.status, reply.media) == (200, media), reply.body


def test_class5_format_output_and_results_all_reach_the_worker(pool):
    app = make_app(Service({}, pool, None), log=None)
    fetch(app, "GET", "/sparql?query=ASK%7B%7D&format=a&output=b&results=c&output=d")
    assert pool.jobs[-1].fmt == ("a", "b", "d", "c")
