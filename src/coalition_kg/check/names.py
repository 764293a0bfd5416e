"""Every name the reference graph gives an entity is a name the sources use, or says where it is
from (DESIGN rule 6): a label that occurs in no source text needs a ckg:ReferenceStatement with a
dcterms:source."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from coalition_kg.check.quotes import normalise, source_text, texts_folder
from coalition_kg.check.report import Problem
from coalition_kg.query.store import EmbeddedStore
from coalition_kg.repository.dataset import Dataset
from coalition_kg.repository.locate import Locator

NAME_PROPERTIES = ("rdfs:label", "skos:prefLabel", "skos:altLabel")

_NAMES = """
SELECT ?entity ?property ?name WHERE { GRAPH <%s> {
  VALUES ?property { %s } ?entity ?property ?name .
  FILTER(isIRI(?entity)) FILTER NOT EXISTS { ?entity a ckg:ReferenceStatement }
} }"""
_SOURCED = """
SELECT ?entity ?property ?name WHERE { GRAPH <%s> {
  ?statement a ckg:ReferenceStatement ; rdf:subject ?entity ; rdf:predicate ?property ; rdf:object ?name ;
    dcterms:source ?source .
} }"""


def _folded(text: str) -> str:
    return normalise(text).casefold()


def _occurs(name: str, corpus: str) -> bool:
    """As a word or words: "US" is not in "focus", nor "King" in "Kingdom"."""
    return bool(name) and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", corpus) is not None


def check_names(dataset: Dataset, texts_dir: Path) -> list[Problem]:
    """An error at each name of the reference graph that no source text contains (ignoring case and
    runs of white space) and no reference statement gives a source for."""
    layout = dataset.layout
    vocabulary = layout.vocabulary
    texts_dir = texts_folder(texts_dir)
    texts = [text for path in layout.source_files() if (text := source_text(texts_dir, path.stem)) is not None]
    corpus = "\n".join(_folded(text) for text in texts)
    graph = vocabulary.reference_graph
    store = EmbeddedStore(dataset)
    prefixes = vocabulary.sparql_prefixes("rdf", "rdfs", "skos", "ckg", "dcterms")
    sourced = {(row["entity"], row["property"], row["name"])
               for row in store.select(prefixes + _SOURCED % graph).rows}
    path = dataset.file_of(graph)
    locator = Locator(layout.root)
    problems = []
    for row in store.select(prefixes + _NAMES % (graph, " ".join(NAME_PROPERTIES))).rows:
        entity, prop, name = row["entity"], row["property"], row["name"]
        if (entity, prop, name) in sourced or _occurs(_folded(name.value), corpus):
            continue
        shown, line = "(reference graph)", 0
        if path is not None:
            index = locator.index(path)
            start = index.subject_line(entity.value) or 1
            shown, line = layout.relative(path), _literal_line(index.lines, name.value, start)
        short = vocabulary.compress(prop.value) or prop.value
        message = (f"the name {_literal(name)} occurs in no source text and no ckg:ReferenceStatement gives its "
                   "dcterms:source")
        problems.append(Problem(shown, line, "error", message, "", f"<{entity.value}>", short, _literal(name),
                                "names"))
    return problems


def _literal_line(lines: list[str], name: str, start: int) -> int:
    """The first line from the entity's that holds the name as a whole literal: "Exam" is not "Example"."""
    needle = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return next((n for n in range(start, len(lines) + 1) if needle in lines[n - 1]), start)


def _literal(name: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    return f'"{name.value}"'
