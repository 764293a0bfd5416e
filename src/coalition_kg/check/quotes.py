"""Check every evidence quote against the source texts: verbatim, up to runs of white space."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pyoxigraph as ox

from coalition_kg.check.report import Problem
from coalition_kg.errors import UsageProblem
from coalition_kg.guards.files import read_text
from coalition_kg.query.store import EmbeddedStore, Term
from coalition_kg.repository.dataset import Dataset
from coalition_kg.repository.locate import Locator


def normalise(text: str) -> str:
    """Paragraph breaks and line wraps are layout, not wording: fold runs of white space."""
    return re.sub(r"\s+", " ", text).strip()


# Every evidence quote of every graph, read once for the quote check and the coverage check.
QUOTES = """
SELECT ?graph ?fact ?exact ?prefix ?suffix WHERE { GRAPH ?graph {
  ?fact ckg:evidence ?evidence . ?evidence oa:exact ?exact .
  OPTIONAL { ?evidence oa:prefix ?prefix } OPTIONAL { ?evidence oa:suffix ?suffix }
} }"""
_SOURCES = """
SELECT ?graph ?fact ?source WHERE { GRAPH ?graph { ?fact prov:wasDerivedFrom|ckg:reportedIn ?source } }"""
# A quote outside a document's graph (the reference graph's notes on where a type comes from) names
# the document it quotes: with dcterms:source, or as a fact does (prov:wasDerivedFrom, ckg:reportedIn).
_CITED = """
SELECT ?graph ?fact ?source ?exact ?prefix ?suffix WHERE { GRAPH ?graph {
  ?fact ckg:evidence ?evidence . ?evidence oa:exact ?exact .
  OPTIONAL { ?evidence oa:prefix ?prefix } OPTIONAL { ?evidence oa:suffix ?suffix }
  OPTIONAL { ?fact dcterms:source|prov:wasDerivedFrom|ckg:reportedIn ?source }
} }"""


def rows_by_graph(dataset: Dataset, query: str) -> dict[str, list[dict[str, Term]]]:
    """One query over every graph, its rows grouped by graph: a query per document costs more
    than the check itself when there are thousands of documents."""
    rows: dict[str, list[dict[str, Term]]] = {}
    for row in EmbeddedStore(dataset).select(query).rows:
        rows.setdefault(row["graph"].value, []).append(row)
    return rows


def texts_folder(texts_dir: Path) -> Path:
    texts_dir = Path(texts_dir)
    if not texts_dir.is_dir():
        raise UsageProblem(f"{texts_dir}: no such folder of source texts")
    return texts_dir


def source_text(texts_dir: Path, doc_id: str) -> str | None:
    """The document's text, white space folded; None if the folder has no <doc-id>.txt."""
    text_path = Path(texts_dir) / f"{doc_id}.txt"
    if not os.path.lexists(text_path):
        return None
    try:  # outside the repository by design, so links are followed; a FIFO or device is refused
        return normalise(read_text(text_path))
    except (OSError, UnicodeDecodeError) as error:
        raise UsageProblem(f"{text_path}: cannot read the source text: {error}") from None


def check_quotes(dataset: Dataset, texts_dir: Path) -> list[Problem]:
    """Every quote in data/sources/<doc-id>.ttl must occur in <texts_dir>/<doc-id>.txt, and every
    fact there must cite that document and no other."""
    layout = dataset.layout
    texts_dir = texts_folder(texts_dir)
    vocabulary = layout.vocabulary
    quotes = quote_rows(dataset)
    sources = rows_by_graph(dataset, vocabulary.sparql_prefixes("prov", "ckg") + _SOURCES)
    locator = Locator(layout.root)
    problems = []
    for path in layout.source_files():
        shown, doc_id, graph = layout.relative(path), path.stem, layout.graph_for(path)
        text_path = texts_dir / f"{doc_id}.txt"
        text = source_text(texts_dir, doc_id)
        if text is None:
            problems.append(Problem(shown, 1, "error", f"no source text {text_path} for document {doc_id}",
                                    check="quotes"))
            continue
        for row in quotes.get(graph, []):
            if not _found(row, text):
                line = locator.index(path).text_line(row["exact"].value) or 1
                problems.append(Problem(shown, line, "error", f"quote not found verbatim in {text_path.name}",
                                        "", _n3(row["fact"]), "oa:exact", f'"{row["exact"].value}"', "quotes"))
        source = vocabulary.source(doc_id)
        for row in sources.get(graph, []):
            if row["source"].value != source:
                line = locator.index(path).subject_line(row["fact"].value) or 1
                message = f"a fact in the graph of {doc_id} cites another source"
                problems.append(Problem(shown, line, "error", message, "", _n3(row["fact"]), "prov:wasDerivedFrom",
                                        str(row["source"]), "quotes"))
    return problems + _check_cited_quotes(dataset, texts_dir, locator)


def quote_rows(dataset: Dataset) -> dict[str, list[dict[str, Term]]]:
    """Every evidence quote (?fact ?exact ?prefix ?suffix), by graph."""
    return rows_by_graph(dataset, dataset.layout.vocabulary.sparql_prefixes("ckg", "oa") + QUOTES)


def prefix_and_suffix(row: dict[str, Term]) -> tuple[str, str]:
    """As in the W3C TextQuoteSelector, oa:prefix and oa:suffix abut the quote exactly; "" if absent."""
    return (row["prefix"].value if "prefix" in row else "", row["suffix"].value if "suffix" in row else "")


def _found(row: dict[str, Term], text: str) -> bool:
    prefix, suffix = prefix_and_suffix(row)
    return bool(normalise(row["exact"].value)) and normalise(prefix + row["exact"].value + suffix) in text


def _check_cited_quotes(dataset: Dataset, texts_dir: Path, locator: Locator) -> list[Problem]:
    """Quotes in the data files that are no document's (data/reference.ttl): each names the document
    it quotes with dcterms:source and must occur in that document's text."""
    layout, vocabulary = dataset.layout, dataset.layout.vocabulary
    documents = {layout.graph_for(path) for path in layout.source_files()}
    cited = rows_by_graph(dataset, vocabulary.sparql_prefixes("ckg", "oa", "dcterms", "prov") + _CITED)
    problems = []
    for path in layout.data_files():
        graph = layout.graph_for(path)
        if graph in documents:
            continue
        for row in cited.get(graph, []):
            shown, exact = layout.relative(path), row["exact"].value
            line = locator.index(path).text_line(exact) or 1
            if "source" not in row:  # a node with no source at all: its shape says so, once
                continue
            source = row["source"].value
            doc_id = source.removeprefix(vocabulary.source(""))
            if not source.startswith(vocabulary.source("")) or not doc_id:
                problems.append(Problem(shown, line, "error", "a quote outside a document's graph must name the "
                                        "document it quotes (dcterms:source, or prov:wasDerivedFrom, src:<doc-id>)",
                                        "", _n3(row["fact"]),
                                        "dcterms:source", source, "quotes"))
                continue
            text = source_text(texts_dir, doc_id)
            if text is None:
                problems.append(Problem(shown, line, "error", f"no source text {texts_dir / (doc_id + '.txt')} for "
                                        f"document {doc_id}", "", _n3(row["fact"]), "dcterms:source", source, "quotes"))
            elif not _found(row, text):
                problems.append(Problem(shown, line, "error", f"quote not found verbatim in {doc_id}.txt", "",
                                        _n3(row["fact"]), "oa:exact", f'"{exact}"', "quotes"))
    return problems


def _n3(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    return str(term) if isinstance(term, ox.NamedNode) else "[]"
