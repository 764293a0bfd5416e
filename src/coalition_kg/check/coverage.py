"""Every sentence of a source accounted for (DESIGN rule 10): quoted by a fact, attributed as a
claim, or left out with a reason. Each sentence takes the strongest kind of node whose evidence
quote overlaps it; a sentence no quote overlaps is an error."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from coalition_kg.check.quotes import normalise, prefix_and_suffix, quote_rows, rows_by_graph, source_text, texts_folder
from coalition_kg.check.report import Problem, SourceCoverage
from coalition_kg.check.sentences import Sentence, split_sentences
from coalition_kg.query.store import EmbeddedStore
from coalition_kg.repository.dataset import Dataset
from coalition_kg.repository.locate import Locator

FACT, CLAIM, LEFT_OUT = "fact", "claim", "left out"
STRENGTH = {FACT: 3, CLAIM: 2, LEFT_OUT: 1}
_KIND_CLASSES = {CLAIM: "AttributedClaim", LEFT_OUT: "SentenceLeftOut"}  # any other node with evidence: a fact

_TYPES = "SELECT ?graph ?node ?type WHERE { GRAPH ?graph { ?node ckg:evidence ?evidence ; a ?type } }"
_SUBCLASSES = "SELECT ?class WHERE { GRAPH <%s> { ?class rdfs:subClassOf* <%s> } }"
_LANGUAGES = "SELECT ?graph ?document ?language WHERE { GRAPH ?graph { ?document schema:inLanguage ?language } }"

Node = ox.NamedNode | ox.BlankNode


@dataclass(frozen=True)
class Quote:
    node: Node
    kind: str
    start: int  # the exact quote's span in the folded text (not its prefix or suffix)
    end: int


@dataclass(frozen=True)
class CoveredSentence:
    sentence: Sentence
    kind: str | None  # the strongest kind of node quoting it; None if none does
    nodes: tuple[tuple[Node, str], ...]  # every node quoting it, with its kind, strongest first


@dataclass(frozen=True)
class DocumentCoverage:
    document: str
    path: Path
    file: str
    sentences: list[CoveredSentence]

    def summary(self) -> SourceCoverage:
        kinds = [s.kind for s in self.sentences]
        return SourceCoverage(self.document, self.file, len(kinds), kinds.count(FACT), kinds.count(CLAIM),
                              kinds.count(LEFT_OUT), kinds.count(None))


def exact_spans(text: str, exact: str, prefix: str = "", suffix: str = "") -> list[tuple[int, int]]:
    """Where the exact quote is in ``text`` (folded), at every occurrence of prefix + exact + suffix."""
    whole = normalise(prefix + exact + suffix)
    if not normalise(exact):
        return []
    start = len(_fold(prefix).lstrip())
    end = min(len(_fold(prefix + exact).lstrip()), len(whole))
    spans = []
    found = text.find(whole)
    while found >= 0:
        spans.append((found + start, found + end))
        found = text.find(whole, found + 1)
    return spans


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def covering(sentences: list[Sentence], quotes: list[Quote], text: str) -> list[CoveredSentence]:
    """Each sentence with the nodes whose quote shares a character with it (white space aside)."""
    covered = []
    for sentence in sentences:
        nodes: dict[Node, str] = {}
        for quote in quotes:
            if text[max(quote.start, sentence.start):min(quote.end, sentence.end)].strip():
                nodes.setdefault(quote.node, quote.kind)
        ranked = tuple(sorted(nodes.items(), key=lambda item: (-STRENGTH[item[1]], str(item[0]))))
        covered.append(CoveredSentence(sentence, ranked[0][1] if ranked else None, ranked))
    return covered


def _kinds(dataset: Dataset) -> dict[str, str]:
    """Class IRI -> claim or left out, subclasses included, as the ontology declares them."""
    vocabulary, store = dataset.layout.vocabulary, EmbeddedStore(dataset)
    kinds = {}
    for kind, local in _KIND_CLASSES.items():
        query = vocabulary.sparql_prefixes("rdfs") + _SUBCLASSES % (vocabulary.ontology_graph, vocabulary.ckg(local))
        kinds.update({row["class"].value: kind for row in store.select(query).rows})
        kinds[vocabulary.ckg(local)] = kind
    return kinds


def document_coverage(dataset: Dataset, texts_dir: Path) -> list[DocumentCoverage]:
    """The coverage of every source document whose text is in ``texts_dir``."""
    layout = dataset.layout
    texts_dir = texts_folder(texts_dir)
    vocabulary = layout.vocabulary
    quotes = quote_rows(dataset)
    class_kinds = _kinds(dataset)
    node_kinds: dict[tuple[str, Node], str] = {}
    for graph, rows in rows_by_graph(dataset, vocabulary.sparql_prefixes("ckg") + _TYPES).items():
        for row in rows:
            node = row["node"]
            if isinstance(node, ox.Literal):  # never a subject: for the type checker
                continue
            kind, key = class_kinds.get(row["type"].value), (graph, node)
            if kind and (key not in node_kinds or STRENGTH[kind] > STRENGTH[node_kinds[key]]):
                node_kinds[key] = kind
    languages = {(graph, row["document"].value): row["language"].value for graph, rows in
                 rows_by_graph(dataset, vocabulary.sparql_prefixes("schema") + _LANGUAGES).items() for row in rows}
    found = []
    for path in layout.source_files():
        doc_id, graph = path.stem, layout.graph_for(path)
        text = source_text(texts_dir, doc_id)
        if text is None:  # the quote check says so
            continue
        spans = []
        for row in quotes.get(graph, []):
            node = row["fact"]
            if isinstance(node, ox.Literal):
                continue
            kind = node_kinds.get((graph, node), FACT)
            spans += [Quote(node, kind, start, end) for start, end in
                      exact_spans(text, row["exact"].value, *prefix_and_suffix(row))]
        language = languages.get((graph, vocabulary.source(doc_id)), "en")  # sentencex's rules for it
        found.append(DocumentCoverage(doc_id, path, layout.relative(path),
                                      covering(split_sentences(text, language), spans, text)))
    return found


def check_coverage(dataset: Dataset, texts_dir: Path) -> tuple[list[Problem], list[SourceCoverage]]:
    """An error for each sentence nothing covers, at the document's node in its Turtle file; and
    each document's counts, for the report."""
    vocabulary = dataset.layout.vocabulary
    locator = Locator(dataset.layout.root)
    problems, summaries = [], []
    for document in document_coverage(dataset, texts_dir):
        summaries.append(document.summary())
        source = vocabulary.source(document.document)
        total = len(document.sentences)
        for covered in document.sentences:
            if covered.kind is not None:
                continue
            sentence = covered.sentence
            words = sentence.text.split()
            opening = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
            line = locator.index(document.path).subject_line(source) or 1
            message = (f'sentence {sentence.number} of {total} ("{opening}") is quoted by no fact, claim or '
                       "sentence left out")
            problems.append(Problem(document.file, line, "error", message, "", f"<{source}>", "",
                                    f'"{sentence.text}"', "coverage"))
    return problems, summaries
