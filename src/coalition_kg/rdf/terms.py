"""Moving RDF terms between pyoxigraph, where the graph lives, and rdflib, which pySHACL and owlrl
speak. Blank-node labels are kept both ways (and owlrl keeps them), so a node a validator or
reasoner reports can be found again in the store."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator
from typing import cast

import pyoxigraph as ox
import rdflib

from coalition_kg.rdf.namespaces import RDF, XSD

XSD_STRING = XSD + "string"
RDF_LANG_STRING = RDF + "langString"

# An ill-typed literal ("2023-02-30"^^xsd:date) is the shapes' to report, in one line naming its file
# and line; rdflib would also log a warning with a traceback each time it builds one.
logging.getLogger("rdflib.term").addFilter(
    lambda record: not record.getMessage().startswith("Failed to convert Literal lexical form"))


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.URIRef | rdflib.BNode | rdflib.Literal:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    # rdflib would otherwise parse the lexical form now, and warn on every ill-typed value
    return rdflib.Literal(term.value, datatype=None if datatype == XSD_STRING else rdflib.URIRef(datatype))


def to_ox(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if not isinstance(term, rdflib.Literal):  # a variable or a graph: no RDF term
        raise TypeError(f"not an RDF term: {term!r}")
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is None or str(term.datatype) in (XSD_STRING, RDF_LANG_STRING):
        return ox.Literal(str(term))
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))


def rdflib_graph(triples: Iterable[ox.Triple | ox.Quad]) -> rdflib.Graph:
    """The triples (graph names dropped) as one rdflib Graph, blank-node labels kept."""
    graph = rdflib.Graph()
    add = graph.add
    for triple in rdflib_triples(triples):
        add(triple)
    return graph


def ox_triples(triples: Iterable[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node]]) -> Iterator[ox.Triple]:
    """rdflib triples as pyoxigraph triples; those RDF cannot hold (a literal subject) are dropped.
    Terms recur (every predicate, most classes), so each is converted once."""
    convert = functools.cache(to_ox)
    for s, p, o in triples:
        if isinstance(s, rdflib.Literal) or isinstance(p, rdflib.Literal | rdflib.BNode):
            continue
        # a literal subject or predicate, or a blank predicate, was dropped above
        yield ox.Triple(cast("ox.NamedNode | ox.BlankNode", convert(s)), cast("ox.NamedNode", convert(p)), convert(o))


RdflibTriple = tuple[rdflib.term.Identifier, rdflib.term.Identifier, rdflib.term.Identifier]


def rdflib_triples(triples: Iterable[ox.Triple | ox.Quad]) -> Iterator[RdflibTriple]:
    """pyoxigraph triples (or quads, graph names dropped) as rdflib triples, each term converted once."""
    convert = functools.cache(to_rdflib)
    for t in triples:
        yield convert(t.subject), convert(t.predicate), convert(t.object)
