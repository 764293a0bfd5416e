"""Counts that describe the loaded graph: triples per graph, instances per class, derived triples."""

from __future__ import annotations

from . import layout as lay
from .dataset import Dataset
from .store import EmbeddedStore

_PER_CLASS = """
PREFIX ckg: <https://w3id.org/coalition-kg/ontology#>
SELECT ?class (COUNT(DISTINCT ?node) AS ?count) WHERE {
  ?node a ?class . FILTER(STRSTARTS(STR(?class), STR(ckg:)))
} GROUP BY ?class ORDER BY DESC(?count) ?class"""


def stats(dataset: Dataset) -> dict:
    graphs = {}
    for graph in [*dataset.graph_files, lay.DERIVED_GRAPH]:
        graphs[graph] = len(dataset.quads([graph]))
    classes = {}
    for row in EmbeddedStore(dataset).select(_PER_CLASS).rows:
        classes[row["class"].value] = int(row["count"].value)
    return {"triples": sum(graphs.values()), "graphs": graphs, "instances": classes,
            "queries": len(dataset.layout.query_files())}
