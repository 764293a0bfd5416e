"""A source document's sentence coverage, on its page: the counts, then each sentence with how it is
accounted for and by which nodes, linked. Measured by check/coverage.py, so the page and `validate`
cannot disagree; a site built without the texts says so instead."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pyoxigraph as ox

from coalition_kg.check.coverage import CLAIM, FACT, LEFT_OUT, DocumentCoverage, document_coverage
from coalition_kg.repository.dataset import Dataset
from coalition_kg.site.facts import Writer

HOW = {FACT: "quoted by a fact", CLAIM: "attributed as a claim", LEFT_OUT: "left out with a reason",
       None: "not accounted for"}
NODES = {FACT: "facts", CLAIM: "claims", LEFT_OUT: "read and left out"}  # strongest first


def coverage_by_document(dataset: Dataset, texts_dir: Path | None) -> dict[str, DocumentCoverage] | None:
    """Each document's coverage by its IRI; None when the site is built without texts."""
    if texts_dir is None:
        return None
    vocabulary = dataset.layout.vocabulary
    return {vocabulary.source(c.document): c for c in document_coverage(dataset, texts_dir)}


def coverage_section(w: Writer, document: ox.NamedNode) -> str:
    heading = "<h2>Sentence coverage</h2>"
    found = w.site.coverage
    if found is None:
        return heading + ('<p class="meta">Not measured: the site was built without the source texts '
                          "(<code>coalition-kg site DIR --texts FOLDER</code>).</p>")
    coverage = found.get(document.value)
    if coverage is None:
        return heading + '<p class="meta">Not measured: the texts folder has no text of this document.</p>'
    counts = coverage.summary()
    lede = (f'<p class="meta">{counts.sentences} sentences: {counts.facts} quoted by facts, {counts.claims} '
            f"attributed as claims, {counts.left_out} left out with a reason, {counts.uncovered} not accounted "
            f"for ({counts.percent} %).</p>")
    items = []
    for covered in coverage.sentences:
        by = [f"{NODES[kind]}: " + ", ".join(w.term(node) for node, of in covered.nodes if of == kind)
              for kind in NODES if any(of == kind for _, of in covered.nodes)]
        kind = (covered.kind or "none").replace(" ", "-")
        how = " · ".join([f"<strong>{HOW[covered.kind]}</strong>", *by])
        items.append(f'<li class="covered-{kind}" value="{covered.sentence.number}"><q>{escape(covered.sentence.text)}'
                     f'</q><p class="meta">{how}</p></li>')
    return heading + lede + f'<ol class="sentences">{"".join(items)}</ol>'
