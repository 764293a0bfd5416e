"""Golden-file term syntax: CURIEs for IRIs, N-Triples-style literals with CURIE datatypes."""

from __future__ import annotations

import re

import pyoxigraph as ox

PREFIXES = {
    "id": "https://w3id.org/coalition-kg/id/",
    "ckg": "https://w3id.org/coalition-kg/ontology#",
    "src": "https://w3id.org/coalition-kg/source/",
    "graph": "https://w3id.org/coalition-kg/graph/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "wd": "http://www.wikidata.org/entity/",
}
_LITERAL = re.compile(r'^"(?P<lex>(?:[^"\\]|\\.)*)"(?:@(?P<lang>[A-Za-z-]+)|\^\^(?P<dt>\S+))?$', re.DOTALL)


def expand(curie: str) -> str:
    if curie.startswith("<") and curie.endswith(">"):
        return curie[1:-1]
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES:
        raise ValueError(f"unknown prefix in golden term {curie!r}")
    return PREFIXES[prefix] + local


def parse_term(text: str):
    match = _LITERAL.match(text)
    if match:
        lex = match.group("lex").encode().decode("unicode_escape") if "\\" in match.group("lex") else match.group("lex")
        if match.group("lang"):
            return ox.Literal(lex, language=match.group("lang"))
        if match.group("dt"):
            return ox.Literal(lex, datatype=ox.NamedNode(expand(match.group("dt"))))
        return ox.Literal(lex)
    return ox.NamedNode(expand(text))
