"""Counts that describe the graph, from any store: triples per graph, instances per class."""

from __future__ import annotations

from typing import TypedDict

from coalition_kg.query.store import Store
from coalition_kg.repository import layout as lay

_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_PER_CLASS = """
SELECT ?class (COUNT(DISTINCT ?node) AS ?count) WHERE {
  ?node a ?class . FILTER(STRSTARTS(STR(?class), STR(ckg:)))
} GROUP BY ?class ORDER BY DESC(?count) ?class"""


class Stats(TypedDict):
    triples: int
    graphs: dict[str, int]  # triples per graph, in the repository's order
    instances: dict[str, int]  # instances per class of the ontology
    queries: int


def stats(store: Store, layout: lay.Layout) -> Stats:
    counted = {row["g"].value: int(row["n"].value) for row in store.select(_PER_GRAPH).rows}
    graphs = {graph: counted.get(graph, 0) for graph in layout.graphs()}  # the repository's order
    per_class = layout.vocabulary.sparql_prefixes("ckg") + _PER_CLASS
    classes = {row["class"].value: int(row["count"].value) for row in store.select(per_class).rows}
    return {"triples": sum(graphs.values()), "graphs": graphs, "instances": classes,
            "queries": len(layout.query_files())}
