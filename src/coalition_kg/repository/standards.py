"""The standard vocabularies we align to (ontology/standards/*.nt), read for the consistency check.

Their axioms (PROV-O's disjoint Activity and Entity, ORG's domains, FOAF's disjoint classes…) are what
a consumer who loads them beside our graph would reason with. They are never part of the published
dataset: no named graph of the store holds them, so queries, exports and the site do not see them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from coalition_kg.errors import SourceLocation, SyntaxProblem
from coalition_kg.guards.files import read_bytes
from coalition_kg.rdf.namespaces import OWL, RDF, RDFS
from coalition_kg.rdf.parse_errors import turtle_problem
from coalition_kg.repository import layout as lay

# Documentation, in RDF's, RDFS's and OWL's own words: no OWL 2 RL rule reads it.
_ANNOTATIONS = {RDFS + "label", RDFS + "comment", RDFS + "seeAlso", RDFS + "isDefinedBy", OWL + "versionInfo"}


def read_triples(layout: lay.Layout, path: Path) -> list[ox.Triple]:
    """One standard's triples, parsed by pyoxigraph (N-Triples is Turtle: the one parser that reads
    every file). Each file labels its blank nodes _:c14n0, _:c14n1…: renamed, or ORG's and PROV-O's
    would merge."""
    shown = layout.relative(path)
    data = read_bytes(path, layout.root, layout.shown(path))
    try:
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)]
    except SyntaxError as error:
        raise turtle_problem(error, shown, data) from None
    except (OSError, UnicodeDecodeError, MemoryError) as error:
        raise SyntaxProblem(SourceLocation(shown), f"cannot read: {error}") from None


def standard_triples(layout: lay.Layout) -> list[ox.Triple]:
    """Every triple of ontology/standards/*.nt; empty where the repository keeps no standards (the
    check is then with our ontology alone)."""
    return [t for path in layout.standard_files() for t in read_triples(layout, path)]


def standard_axioms(layout: lay.Layout) -> list[ox.Triple]:
    return axioms_of(standard_triples(layout))


def axioms_of(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The axioms among ``triples``: the statements in RDF's, RDFS's and OWL's vocabulary (types,
    subclasses, domains, disjointness, lists…), without labels, comments, definitions and the other
    documentation (two thirds of the standards' triples, schema.org's mostly), which OWL 2 RL draws
    nothing about our data from: the reasoner then does half the work for the same entailments."""
    return [t for t in triples
            if t.predicate.value.startswith((RDF, RDFS, OWL)) and t.predicate.value not in _ANNOTATIONS]
