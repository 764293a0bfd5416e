"""Check every evidence quote against the source texts: verbatim, up to runs of white space."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from . import layout as lay
from .dataset import Dataset
from .locate import Locator
from .validate import Problem

CKG = lay.ONTOLOGY_NS
OA = "http://www.w3.org/ns/oa#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


def normalise(text: str) -> str:
    """Paragraph breaks and line wraps are layout, not wording: fold runs of white space."""
    return re.sub(r"\s+", " ", text).strip()


_QUOTES = """
PREFIX ckg: <https://w3id.org/coalition-kg/ontology#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?fact ?exact ?prefix ?suffix WHERE {
  ?fact ckg:evidence ?evidence . ?evidence oa:exact ?exact .
  OPTIONAL { ?evidence oa:prefix ?prefix } OPTIONAL { ?evidence oa:suffix ?suffix }
}"""


def check_quotes(dataset: Dataset, texts_dir: Path) -> list[Problem]:
    """Every quote in data/sources/<doc-id>.ttl must occur in <texts_dir>/<doc-id>.txt, and every
    fact there must cite that document and no other."""
    layout = dataset.layout
    texts_dir = Path(texts_dir)
    if not texts_dir.is_dir():
        from .errors import UsageProblem

        raise UsageProblem(f"{texts_dir}: no such folder of source texts")
    locator = Locator()
    problems = []
    for path in layout.source_files():
        shown, doc_id = layout.relative(path), path.stem
        index = locator.index(path)
        text_path = texts_dir / f"{doc_id}.txt"
        if not text_path.is_file():
            problems.append(Problem(shown, 1, "error", f"no source text {text_path} for document {doc_id}",
                                    check="quotes"))
            continue
        text = normalise(text_path.read_text(encoding="utf-8"))
        graph = ox.NamedNode(lay.graph_for(path))
        for row in dataset.store.query(_QUOTES, default_graph=graph):
            # As in the W3C TextQuoteSelector, oa:prefix and oa:suffix abut the quote exactly.
            prefix = row["prefix"].value if row["prefix"] else ""
            suffix = row["suffix"].value if row["suffix"] else ""
            if not normalise(row["exact"].value) or normalise(prefix + row["exact"].value + suffix) not in text:
                line = index.text_line(row["exact"].value) or 1
                problems.append(Problem(shown, line, "error", f"quote not found verbatim in {text_path.name}",
                                        "", _n3(row["fact"]), "oa:exact", f'"{row["exact"].value}"', "quotes"))
        source = lay.source_for(doc_id)
        for quad in dataset.store.quads_for_pattern(None, ox.NamedNode(PROV_DERIVED), None, graph):
            if quad.object.value != source:
                line = index.subject_line(quad.subject.value) or 1
                problems.append(Problem(shown, line, "error",
                                        f"a fact in the graph of {doc_id} cites another source",
                                        "", _n3(quad.subject), "prov:wasDerivedFrom", str(quad.object), "quotes"))
    return problems


def _n3(term) -> str:
    return str(term) if isinstance(term, ox.NamedNode) else "[]"
