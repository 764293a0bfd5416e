"""Golden-file term syntax: CURIEs for IRIs, N-Triples-style literals with CURIE datatypes."""

from __future__ import annotations

import re

import pyoxigraph as ox

from coalition_kg.repository.vocabulary import DEFAULT

PREFIXES = DEFAULT.namespaces  # the real repository's (shapes/prefixes.ttl agrees: tests/test_vocabulary.py)
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
