"""Binding parameters into a query as typed RDF terms.

pyoxigraph's `substitutions` (SPARQL SEP-0007) refuses variables that are not projected, and remote
endpoints have no such feature at all. So the bindings become an inline VALUES block at the head of
the query's WHERE group: each value is an RDF term serialised by pyoxigraph (N-Triples syntax, its
own escaping), so a value can never be read as SPARQL syntax. A parameter given several values gets
a VALUES block of its own, one row per value: the blocks join, so two lists make no cross product in
the text, only in the answer. A trailing VALUES clause would not do:
it joins after GROUP BY, where the parameter is no longer in scope.

The WHERE group is found by a light scan that skips comments, strings and IRIs. It decides nothing
about safety: every bound text goes through sparql_guard.check before it runs, so a VALUES block put
in the wrong place can only be refused, never run."""

from __future__ import annotations

import pyoxigraph as ox

from coalition_kg.errors import CoalitionKGError


def where_brace(text: str) -> int:
    """Index of the first '{' outside comments, strings and IRIs: the start of the WHERE group."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c == "<" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != "=":
            end = text.find(">", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
        elif c == "{":
            return i
        else:
            i += 1
    raise CoalitionKGError("the query has no WHERE group to bind parameters into")


# What a parameter binds: an IRI or a literal, or several (a list parameter). A blank node is no value
# a client can name (and SPARQL's VALUES refuses one), so the Store protocol's bindings are typed as these too.
Bound = ox.NamedNode | ox.Literal
Bindings = dict[ox.Variable, Bound | tuple[Bound, ...]]


def bind(text: str, bindings: Bindings) -> str:
    if not bindings:
        return text
    for value in bindings.values():
        for term in value if isinstance(value, tuple) else (value,):
            if not isinstance(term, ox.NamedNode | ox.Literal):
                raise TypeError(f"parameters bind IRIs and literals, not {type(term).__name__}")
        if isinstance(value, tuple) and not value:
            raise TypeError("a list parameter binds at least one value")  # no rows would silently answer nothing
    single = {v: t for v, t in bindings.items() if not isinstance(t, tuple)}
    blocks = []
    if single:
        variables = " ".join(str(v) for v in single)
        values = " ".join(str(t) for t in single.values())
        blocks.append(f" VALUES ({variables}) {{ ({values}) }}")
    for variable, terms in bindings.items():
        if isinstance(terms, tuple):
            blocks.append(f" VALUES {variable} {{ {' '.join(str(t) for t in terms)} }}")
    brace = where_brace(text)
    return f"{text[: brace + 1]}{''.join(blocks)}{text[brace + 1 :]}"
