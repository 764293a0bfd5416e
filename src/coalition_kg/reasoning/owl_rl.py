"""OWL-RL: the entailments a consumer who knows only the standard vocabularies relies on, and the
consistency check that comes with them.

Two reasoners: owlrl (pure Python, the reference) and `reasonable` (Rust; the default: about 25
times faster, and the same entailments on our data once each side's extras are set aside, as
tests/test_engines.py shows). What either adds that RDF cannot hold (a literal subject) or that
only restates the reasoner's own vocabulary is dropped (see ``_meaningful``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pyoxigraph as ox

from coalition_kg.errors import UsageProblem
from coalition_kg.rdf.namespaces import OWL, RDF, RDFS, XSD
from coalition_kg.rdf.terms import ox_triples, rdflib_graph, rdflib_triples
from coalition_kg.repository.dataset import Dataset

REASONERS = ("reasonable", "owlrl")
DEFAULT_REASONER = "reasonable"
SCRATCH_GRAPH = "urn:coalition-kg:scratch:entailments"  # no data file can name it
RDF_TYPE = RDF + "type"
OWLRL_ERRORS = "http://www.daml.org/2002/03/agents/agent-ont#"
SUBCLASS = RDFS + "subClassOf"
_THING = ox.NamedNode(OWL + "Thing")
_BUILT_IN = (RDF, RDFS, OWL, XSD)
_REFLEXIVE = {OWL + "sameAs", OWL + "equivalentClass", OWL + "equivalentProperty", SUBCLASS,
              RDFS + "subPropertyOf"}


def asserted_graphs(dataset: Dataset) -> list[str]:
    vocabulary = dataset.layout.vocabulary
    return [*dataset.data_graphs, vocabulary.ontology_graph, vocabulary.derived_graph]


def _meaningful(triple: ox.Triple) -> bool:
    """Not a reasoner's bookkeeping: `x owl:sameAs x` and other reflexive axioms, `x a owl:Thing`,
    statements about RDF's and OWL's own terms (`rdfs:label a owl:AnnotationProperty`), owlrl's
    error reports. These say nothing about the data and differ between reasoners."""
    s, p, o = triple.subject, triple.predicate.value, triple.object
    if isinstance(s, ox.NamedNode) and s.value.startswith(_BUILT_IN):
        return False
    if p in _REFLEXIVE and s == o:
        return False
    if o == _THING and p in (RDF_TYPE, SUBCLASS):
        return False
    return not (p.startswith(OWLRL_ERRORS) or (isinstance(o, ox.NamedNode) and o.value.startswith(OWLRL_ERRORS)))


def entailments(dataset: Dataset, reasoner: str = DEFAULT_REASONER,
                axioms: Sequence[ox.Triple] = ()) -> list[ox.Triple]:
    """What OWL-RL adds to the ontology, data and derived graphs: new triples only. ``axioms`` are
    further axioms reasoned with but not part of the dataset (the standard vocabularies, for the
    consistency check); they are not among the entailments returned."""
    if reasoner not in REASONERS:
        raise UsageProblem(f"unknown reasoner {reasoner!r} (one of {', '.join(REASONERS)})")
    asserted = {ox.Triple(q.subject, q.predicate, q.object) for q in dataset.quads(asserted_graphs(dataset))}
    asserted.update(axioms)
    if reasoner == "reasonable":
        import reasonable  # noqa: PLC0415 (each reasoner loads only when it is chosen)

        engine = reasonable.PyReasoner()
        engine.from_graph(rdflib_triples(asserted))
        closed = engine.reason()
    else:
        import owlrl  # noqa: PLC0415 (each reasoner loads only when it is chosen)

        closed = rdflib_graph(asserted)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    # Both reasoners hand back each triple once; a million-triple closure is kept only once here.
    return [t for t in ox_triples(closed) if t not in asserted and _meaningful(t)]


@contextmanager
def closure(dataset: Dataset, entailed: list[ox.Triple], axioms: Sequence[ox.Triple] = ()) -> Iterator[ox.Store]:
    """The dataset's store with the entailments (and the ``axioms`` they were drawn with) added, in a
    scratch graph, for as long as the block runs: a copy of a million asserted triples would cost
    more than the check that reads them."""
    graph = ox.NamedNode(SCRATCH_GRAPH)
    store = dataset.store
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in (*axioms, *entailed))
    try:
        yield store
    finally:
        store.remove_graph(graph)
