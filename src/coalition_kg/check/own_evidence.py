"""Every statement has its own evidence: in a source document's graph, each triple is on a node that
says where it comes from, or a bare triple that no quote supports (issue 16).

A triple of a document's graph is accounted for when its subject carries provenance in that graph
(prov:wasDerivedFrom or ckg:reportedIn: a qualified fact, a claim, a sentence left out, a stated
link), is the document node itself, or is an evidence node (the object of ckg:evidence); or when its
object carries provenance there (a meeting's prov:qualifiedAssociation to its role). Any other
triple is bare. A qualified fact without its source is left to the data shape that asks for one
(cs:QualifiedFact-source), so that one mistake makes one report. Needs no source texts, so
`validate` always runs it."""

from __future__ import annotations

import pyoxigraph as ox

from coalition_kg.check.report import Problem
from coalition_kg.query.store import EmbeddedStore, Term
from coalition_kg.repository.dataset import Dataset
from coalition_kg.repository.locate import Locator, TurtleIndex

# One query over every source graph (a query per document costs more than the check at thousands of
# documents); each NOT EXISTS is an index lookup with its node bound, so the cost grows with the triples.
_BARE = """
SELECT ?graph ?s ?p ?o WHERE {
  VALUES (?graph ?document) { %s }
  GRAPH ?graph {
    ?s ?p ?o .
    FILTER NOT EXISTS { ?s prov:wasDerivedFrom|ckg:reportedIn ?sSource }
    FILTER NOT EXISTS { ?fact ckg:evidence ?s }
    FILTER NOT EXISTS { ?o prov:wasDerivedFrom|ckg:reportedIn ?oSource }
  }
  # outside the GRAPH group, where ?document is in scope: the document node says what the document is
  FILTER (?s != ?document)
  FILTER NOT EXISTS { GRAPH ?graph { ?s a ?class } FILTER (?class IN (%s)) }
}"""
# The classes of qualified facts, read once: a property path per row costs 40 s at 1M triples.
_QUALIFIED = "SELECT ?class WHERE { GRAPH <%s> { ?class rdfs:subClassOf* ckg:QualifiedFact } }"
ADVICE = ("it has no source or quote of its own: move it onto a qualified node with prov:wasDerivedFrom and "
          "ckg:evidence (a ckg:StatedLink for a link between entities)")


def check_own_evidence(dataset: Dataset) -> list[Problem]:
    """One error per bare triple of a source graph, at its subject's line in data/sources/<doc-id>.ttl."""
    layout = dataset.layout
    vocabulary = layout.vocabulary
    files = {layout.graph_for(path): path for path in layout.source_files()}
    if not files:
        return []
    store = EmbeddedStore(dataset)
    prefixes = vocabulary.sparql_prefixes("prov", "ckg", "rdfs")
    classes = [row["class"] for row in store.select(prefixes + _QUALIFIED % vocabulary.ontology_graph).rows]
    documents = " ".join(f"(<{graph}> <{vocabulary.source(path.stem)}>)" for graph, path in files.items())
    query = prefixes + _BARE % (documents, ", ".join(str(c) for c in classes) or "<urn:none>")
    locator = Locator(layout.root)
    problems = []
    for row in store.select(query).rows:
        path = files[row["graph"].value]
        subject = row["s"]
        index = locator.index(path)
        line = (index.subject_line(subject.value) if isinstance(subject, ox.NamedNode) else None) or 1
        subject_text, predicate, obj = (_shown(row[name], index) for name in ("s", "p", "o"))
        problems.append(Problem(layout.relative(path), line, "error",
                                f"bare triple {subject_text} {predicate} {obj}: {ADVICE}", "",
                                str(subject) if isinstance(subject, ox.NamedNode) else "[]", predicate, obj,
                                "evidence"))
    return sorted(problems)  # by file, line and message: the engine's row order is no order


def _shown(term: Term, index: TurtleIndex) -> str:
    """A term as the data file spells it: its shortest prefixed name there, else the IRI."""
    if isinstance(term, ox.NamedNode):
        return min(index.spellings(term.value), key=len).strip()
    if isinstance(term, ox.BlankNode):
        return "[]"
    if len(term.value) > 60:  # a report line, not the text: the file's line shows it whole
        term = ox.Literal(term.value[:57] + "…", language=term.language) if term.language else \
            ox.Literal(term.value[:57] + "…", datatype=term.datatype)
    return str(term)
