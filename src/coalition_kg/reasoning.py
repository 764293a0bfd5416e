"""OWL-RL: the closure a consumer who knows only the standard vocabularies relies on, and the
consistency check that comes with it."""

from __future__ import annotations

import re

import rdflib

from . import layout as lay
from .dataset import Dataset
from .validate import DataLocator, Problem

ERROR_NS = "http://www.daml.org/2002/03/agents/agent-ont#"


def closure(dataset: Dataset) -> tuple[rdflib.Graph, rdflib.Graph]:
    """(asserted, closed): the ontology, data and derived graphs, and their OWL-RL closure."""
    import owlrl

    asserted = dataset.to_rdflib(dataset.data_graphs + [lay.ONTOLOGY_GRAPH, lay.DERIVED_GRAPH])
    closed = rdflib.Graph()
    for triple in asserted:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    return asserted, closed


def entailments(dataset: Dataset) -> rdflib.Graph:
    """What OWL-RL adds, minus what no RDF serialisation can hold (literal subjects) and the
    reasoner's error reports."""
    asserted, closed = closure(dataset)
    added = rdflib.Graph()
    for s, p, o in closed:
        if isinstance(s, rdflib.Literal) or (s, p, o) in asserted or str(p).startswith(ERROR_NS):
            continue
        if isinstance(o, rdflib.URIRef) and str(o).startswith(ERROR_NS):
            continue
        added.add((s, p, o))
    return added


def check_consistency(dataset: Dataset) -> list[Problem]:
    asserted, closed = closure(dataset)
    locator = DataLocator(dataset, asserted)
    problems = []
    for message in closed.objects(None, rdflib.URIRef(ERROR_NS + "error")):
        named = [rdflib.URIRef(iri) for iri in re.findall(r"https?://[^\s,'\"<>]+", str(message))]
        # The message names the classes first and the individual last: point at the data.
        places = [locator.locate(node) for node in named]
        places = [p for p in places if p[1]] or [("(dataset)", 0)]
        file, line = next((p for p in places if not p[0].startswith("ontology/")), places[0])
        problems.append(Problem(file, line, "error", f"OWL-RL inconsistency: {message}", check="consistency"))
    return problems
