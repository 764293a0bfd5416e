"""RDF that `serve` writes itself, besides query answers: the SPARQL 1.1 Service Description at
/sparql (a GET with no query), and an IRI's page in any RDF format, converted from the site's Turtle
(the site holds Turtle and JSON-LD files; N-Triples, RDF/XML, N-Quads and TriG are written from the
Turtle on request, which is small: one entity or one source)."""

from __future__ import annotations

from typing import cast

import pyoxigraph as ox

from coalition_kg.rdf.formats import RDF_FORMATS, RESULT_FORMATS, RESULTS_XML, TURTLE
from coalition_kg.rdf.namespaces import DCTERMS, RDF, RDFS, SD, VOID
from coalition_kg.serve.negotiation import GRAPHS, RESULTS

RDF_TYPE = ox.NamedNode(RDF + "type")
# The W3C's format IRIs (http://www.w3.org/ns/formats/) for every media type an answer is written in.
FORMAT_IRIS = {f.media_type: f.w3c for f in (*RESULT_FORMATS.values(), RESULTS_XML) if f.media_type and f.w3c} | \
    {f.media_type: f.w3c for f in RDF_FORMATS.values()}
GRAPH_STORE_PATH = "/sparql-graph"  # the Graph Store Protocol's read side: ?graph=IRI or ?default
GRAPH_STORE_SPEC = "http://www.w3.org/TR/sparql11-http-rdf-update/"


def service_description(endpoint: str, dataset: str, graphs: tuple[str, ...]) -> list[ox.Triple]:
    """The endpoint described: the query language, every result format we write, the union default
    graph, the named graphs, the VoID dataset it serves, and where the Graph Store Protocol reads."""
    def iri(text: str) -> ox.NamedNode:
        return ox.NamedNode(text)

    service, data, default = iri(endpoint), iri(dataset), ox.BlankNode()
    store = endpoint.rsplit("/", 1)[0] + GRAPH_STORE_PATH
    triples: list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]] = [
        (service, RDF_TYPE, iri(SD + "Service")),
        (service, iri(SD + "endpoint"), service),
        (service, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Query")),
        (service, iri(SD + "feature"), iri(SD + "UnionDefaultGraph")),
        (service, iri(SD + "defaultDataset"), data),
        (data, RDF_TYPE, iri(SD + "Dataset")),
        (data, RDF_TYPE, iri(VOID + "Dataset")),
        (data, iri(VOID + "sparqlEndpoint"), service),
        (data, iri(SD + "defaultGraph"), default),
        (default, RDF_TYPE, iri(SD + "Graph")),
        (iri(store), RDF_TYPE, iri(SD + "Service")),
        (iri(store), iri(DCTERMS + "conformsTo"), iri(GRAPH_STORE_SPEC)),
        (iri(store), iri(RDFS + "comment"),
         ox.Literal(f"Graph Store Protocol, read only: GET {store}?graph=IRI (a named graph) or ?default")),
        (data, iri(RDFS + "seeAlso"), iri(store)),
    ]
    for media in {**RESULTS, **GRAPHS}:
        if media in FORMAT_IRIS:
            triples.append((service, iri(SD + "resultFormat"), iri(FORMAT_IRIS[media])))
    for graph in graphs:
        named = ox.BlankNode()
        triples += [(data, iri(SD + "namedGraph"), named), (named, RDF_TYPE, iri(SD + "NamedGraph")),
                    (named, iri(SD + "name"), iri(graph))]
    return [ox.Triple(*triple) for triple in triples]


def write(triples: list[ox.Triple], media: str) -> bytes:
    prefixes = {"sd": SD, "void": VOID} if GRAPHS[media] == TURTLE.ox_format else None
    return cast("bytes", ox.serialize(triples, format=GRAPHS[media], prefixes=prefixes))  # no output: the bytes


def converted(turtle: bytes, base_iri: str, media: str) -> bytes:
    """A page's Turtle written in another RDF format (its relative IRIs resolved against ``base_iri``)."""
    triples = list(ox.parse(turtle, format=ox.RdfFormat.TURTLE, base_iri=base_iri))
    return cast("bytes", ox.serialize(triples, format=GRAPHS[media]))  # no output given: the bytes
