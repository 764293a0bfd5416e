"""Binding parameters into a query as typed RDF terms.

pyoxigraph's `substitutions` (SPARQL SEP-0007) refuses variables that are not projected, and remote
endpoints have no such feature at all. So the bindings become an inline VALUES block at the head of
the query's WHERE group: each value is an RDF term serialised by pyoxigraph (N-Triples syntax, its
own escaping), so a value can never be read as SPARQL syntax. A trailing VALUES clause would not do:
it joins after GROUP BY, where the parameter is no longer in scope."""

from __future__ import annotations

import pyoxigraph as ox

from .sparql_text import where_brace


def bind(text: str, bindings: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    if not bindings:
        return text
    for term in bindings.values():
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise TypeError(f"parameters bind IRIs and literals, not {type(term).__name__}")
    variables = " ".join(str(v) for v in bindings)
    values = " ".join(str(t) for t in bindings.values())
    brace = where_brace(text)
    return f"{text[: brace + 1]} VALUES ({variables}) {{ ({values}) }}{text[brace + 1 :]}"
