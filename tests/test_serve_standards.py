"""`serve` against what the standards say, in process: SPARQL 1.1's dataset rules (the protocol's
dataset, else the query's FROM / FROM NAMED, else our union), a base IRI for relative IRIs, a GET
with a body refused, the format parameters clients send, and the HTTP a browser needs (CORS, gzip,
HEAD, 405 with Allow, a Service Description, Graph Store Protocol read, every RDF format)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coalition_kg.serve.app import make_app
from coalition_kg.serve.service import Service
from coalition_kg.serve.workers import Job, execute

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


TURTLE = b"@prefix s: <http://schema.org/> .\n<morocco> s:name " + b'"Morocco"@en, "Maroc"@fr' + b" .\n"
SITE = {"index.html": b"<!DOCTYPE html><title>x</title>" + b"<p>text</p>" * 200, "id/morocco.ttl": TURTLE,
        "id/morocco.jsonld": b"{}", "id/morocco.html": b"<!DOCTYPE html>"}


@pytest.fixture
def site_app(pool):
    return make_app(Service({}, pool, SITE, graphs=[A, B]), log=None)


@pytest.mark.parametrize("path", ["/", "/index.html", "/sparql", "/sparql?query=ASK%7B%7D", "/id/morocco",
                                  "/sparql-graph?default", "/openapi.json", "/nowhere"])
def test_class5_every_resource_is_open_to_any_origin_and_answers_head(site_app, path):
    got = fetch(site_app, "GET", path, headers={"Origin": "http://elsewhere.example"})
    head = fetch(site_app, "HEAD", path, headers={"Origin": "http://elsewhere.example"})
    assert got.headers["access-control-allow-origin"] == "*"
    assert "Content-Location" in got.headers["access-control-expose-headers"]  # where a negotiated page lives
    assert head.status_code == got.status_code and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


@pytest.mark.parametrize(("path", "methods"), [("/sparql", "GET, HEAD, POST, OPTIONS"),
                                               ("/id/morocco", "GET, HEAD, OPTIONS"),
                                               ("/sparql-graph", "GET, HEAD, OPTIONS")])
def test_class5_a_cors_preflight_names_the_methods_and_headers(site_app, path, methods):
    response = fetch(site_app, "OPTIONS", path, headers={"Origin": "http://elsewhere.example",
                                                         "Access-Control-Request-Method": "POST",
                                                         "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == methods == response.headers["allow"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "PUT", "DELETE", "PATCH", "CONNECT", "MKCOL", "FOO"])
@pytest.mark.parametrize("path", ["/sparql", "/id/morocco", "/"])
def test_class5_every_other_method_is_405_with_allow(site_app, method, path):
    response = fetch(site_app, method, path)
    assert response.status_code == 405 and "GET, HEAD" in response.headers["allow"]
    assert ("POST" in response.headers["allow"]) == (path == "/sparql")


def test_gzip_when_the_client_takes_it(site_app):
    plain = fetch(site_app, "GET", "/index.html", headers={"Accept-Encoding": "identity"})
    packed = fetch(site_app, "GET", "/index.html", headers={"Accept-Encoding": "br;q=1, gzip;q=0.5"})
    refused = fetch(site_app, "GET", "/index.html", headers={"Accept-Encoding": "gzip;q=0, *"})
    assert "content-encoding" not in plain.headers and "content-encoding" not in refused.headers
    assert packed.headers["content-encoding"] == "gzip" and packed.content == plain.content  # httpx decodes
    assert int(packed.headers["content-length"]) < len(plain.content) / 5
    assert "Accept-Encoding" in packed.headers["vary"]


SD_TERMS = "http://www.w3.org/ns/sparql-service-description#"


@pytest.mark.parametrize(("accept", "fmt"), [(None, ox.RdfFormat.TURTLE), ("text/turtle", ox.RdfFormat.TURTLE),
                                             ("application/rdf+xml", ox.RdfFormat.RDF_XML),
                                             ("application/ld+json", ox.RdfFormat.JSON_LD),
                                             ("application/n-triples", ox.RdfFormat.N_TRIPLES)])
def test_the_endpoint_describes_itself(site_app, pool, accept, fmt):
    response = fetch(site_app, "GET", "/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200 and pool.jobs == []
    graph = ox.Store()
    graph.extend(ox.parse(response.content, format=fmt))
    endpoint = ox.NamedNode("http://test/sparql")
    sd = lambda term: ox.NamedNode(SD_TERMS + term)  # noqa: E731 (a one-line helper, next to its uses)
    assert endpoint in {q.object for q in graph.quads_for_pattern(endpoint, sd("endpoint"), None)}
    assert {q.object.value for q in graph.quads_for_pattern(endpoint, sd("supportedLanguage"), None)} \
        == {SD_TERMS + "SPARQL11Query"}
    formats = {q.object.value.rsplit("/", 1)[1] for q in graph.quads_for_pattern(endpoint, sd("resultFormat"), None)}
    assert formats == {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                       "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "N-Quads", "TriG"}
    [dataset] = [q.object for q in graph.quads_for_pattern(endpoint, sd("defaultDataset"), None)]
    assert list(graph.quads_for_pattern(dataset, ox.NamedNode("http://rdfs.org/ns/void#sparqlEndpoint"), endpoint))
    names = {q.object.value for q in graph.quads_for_pattern(None, sd("name"), None)}
    assert names == {A, B}


def test_the_graph_store_protocol_reads_each_graph_and_the_default(site_app, pool, store):
    for params in ({"graph": A}, {"default": ""}):
        assert fetch(site_app, "GET", "/sparql-graph", params=params,
                     headers={"Accept": "application/n-triples"}).status_code == 200
    counts = []
    for job in pool.jobs:  # what the service asked for, run by a real worker
        reply = execute(store, Job(job.sparql, job.accept, job.fmt, graphs=(A, B)), max_rows=100)
        assert reply.media == "application/n-triples"
        counts.append(len(reply.body.splitlines()))
    assert counts == [1, 3]
    assert fetch(site_app, "GET", "/sparql-graph", params={"graph": "urn:graph:c"}).status_code == 404
    for bad in ({}, {"graph": [A, B]}, {"graph": A, "default": ""}):
        assert fetch(site_app, "GET", "/sparql-graph", params=bad).status_code == 400
    assert len(pool.jobs) == 2


RDF_FORMATS = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
               "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/n-quads": ox.RdfFormat.N_QUADS,
               "application/trig": ox.RdfFormat.TRIG}
EXTENSIONS = {"text/turtle": ".ttl", "application/n-triples": ".nt", "application/rdf+xml": ".rdf",
              "application/n-quads": ".nq", "application/trig": ".trig"}


@pytest.mark.parametrize("media", RDF_FORMATS)
def test_an_iri_answers_every_rdf_format(site_app, media):
    response = fetch(site_app, "GET", "/id/morocco", headers={"Accept": media})
    assert response.status_code == 200 and response.headers["content-type"] == media
    assert response.headers["content-location"] == "/id/morocco" + EXTENSIONS[media]
    triples = {q.triple for q in ox.parse(response.content, format=RDF_FORMATS[media], base_iri="http://test/id/morocco")}
    assert {t.object.value for t in triples} == {"Morocco", "Maroc"}
    assert {t.subject.value for t in triples} == {"http://test/id/morocco"}
    direct = fetch(site_app, "GET", "/id/morocco" + EXTENSIONS[media])
    assert direct.status_code == 200 and direct.content == response.content


def test_see_other_answers_303_to_the_document(pool):
    app = make_app(Service({}, pool, SITE, see_other=True), log=None)
    response = fetch(app, "GET", "/id/morocco", headers={"Accept": "text/turtle"})
    assert response.status_code == 303 and response.headers["location"] == "/id/morocco.ttl"
    assert fetch(app, "GET", "/id/morocco", headers={"Accept": "application/rdf+xml"}).headers["location"] \
        == "/id/morocco.rdf"
    assert fetch(app, "GET", "/id/nobody", headers={"Accept": "text/turtle"}).status_code == 404


def test_a_format_name_picks_an_iris_format_over_accept(site_app):
    response = fetch(site_app, "GET", "/id/morocco", params={"format": "xml"}, headers={"Accept": "text/html"})
    assert response.headers["content-type"] == "application/rdf+xml"
    response = fetch(site_app, "GET", "/id/morocco", params={"output": "bogus"}, headers={"Accept": "text/html"})
    assert response.headers["content-type"].startswith("text/html")
