"""OWL-RL: the entailments a consumer who knows only the standard vocabularies relies on, and the
consistency check that comes with them.

Two reasoners: the in-store one (the default: the ontology's axioms compiled into SPARQL updates run
inside pyoxigraph, in_store.py) and owlrl (pure Python, the reference), which agree entailment by
entailment on the real data, on synthetic data and with the standard vocabularies' axioms, as
tests/test_engines.py shows. What either adds that RDF cannot hold (a literal subject) or that
only restates the reasoner's own vocabulary is dropped (see ``_meaningful``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from coalition_kg.errors import UsageProblem
from coalition_kg.rdf.namespaces import OWL, RDF, RDFS, XSD
from coalition_kg.rdf.terms import ox_triples, rdflib_graph
from coalition_kg.reasoning.axioms import UnsupportedAxiom
from coalition_kg.reasoning.in_store import SCRATCH_PREFIX, graph_size, materialise
from coalition_kg.repository.dataset import Dataset, parse_file
from coalition_kg.repository.standards import axioms_of, read_triples

REASONERS = ("in-store", "owlrl")
DEFAULT_REASONER = "in-store"
SCRATCH_GRAPH = SCRATCH_PREFIX + "entailments"
SCRATCH_AXIOMS = SCRATCH_PREFIX + "axioms:"
RDF_TYPE = RDF + "type"
OWLRL_ERRORS = "http://www.daml.org/2002/03/agents/agent-ont#"
SUBCLASS = RDFS + "subClassOf"
_THING = ox.NamedNode(OWL + "Thing")
_BUILT_IN = (RDF, RDFS, OWL, XSD)
_REFLEXIVE = {OWL + "sameAs", OWL + "equivalentClass", OWL + "equivalentProperty", SUBCLASS,
              RDFS + "subPropertyOf"}


def asserted_graphs(dataset: Dataset) -> list[str]:
    vocabulary = dataset.layout.vocabulary
    return [*dataset.data_graphs, vocabulary.ontology_graph, *dataset.derived_graphs]


def _meaningful(triple: ox.Triple) -> bool:
    """Not a reasoner's bookkeeping: `x owl:sameAs x` and other reflexive axioms, `x a owl:Thing` (and
    a domain or range widened to owl:Thing),
    statements about RDF's and OWL's own terms (`rdfs:label a owl:AnnotationProperty`), owlrl's
    error reports. These say nothing about the data and differ between reasoners."""
    s, p, o = triple.subject, triple.predicate.value, triple.object
    if isinstance(s, ox.NamedNode) and s.value.startswith(_BUILT_IN):
        return False
    if p in _REFLEXIVE and s == o:
        return False
    if o == _THING and p in (RDF_TYPE, SUBCLASS, RDFS + "domain", RDFS + "range"):
        return False
    return not (p.startswith(OWLRL_ERRORS) or (isinstance(o, ox.NamedNode) and o.value.startswith(OWLRL_ERRORS)))


# What _meaningful leaves out, as SPARQL updates over a graph of entailments. Each reads an index
# (a bound predicate or object) but the last, whose filter on the subject's text reads each distinct
# subject once: a filter on every triple of a million-triple closure cost a second.
_BOOKKEEPING = " ; ".join((
    *(f"DELETE WHERE {{{{ GRAPH <{{graph}}> {{{{ ?s <{p}> <{OWL}Thing> }}}} }}}}"
      for p in (RDF_TYPE, SUBCLASS, RDFS + "domain", RDFS + "range")),
    *(f"DELETE {{{{ GRAPH <{{graph}}> {{{{ ?s <{p}> ?s }}}} }}}} "
      f"WHERE {{{{ GRAPH <{{graph}}> {{{{ ?s <{p}> ?s }}}} }}}}" for p in sorted(_REFLEXIVE)),
    "DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ "
    "{{ SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p0 ?o0 }} }} }} "
    "FILTER(STRSTARTS(STR(?s), 'http://www.w3.org/') && ("
    + " || ".join(f"STRSTARTS(STR(?s), '{ns}')" for ns in _BUILT_IN) + ")) GRAPH <{graph}> {{ ?s ?p ?o }} }}",
))


def entailments(dataset: Dataset, reasoner: str = DEFAULT_REASONER,
                extra_axioms: Mapping[str, str] | None = None) -> list[ox.Triple]:
    """What OWL-RL adds to the ontology, data and derived graphs (and the graphs of ``extra_axioms``,
    graph IRI -> file, as ``axiom_files`` loads them): new triples only."""
    if reasoner not in REASONERS:
        raise UsageProblem(f"unknown reasoner {reasoner!r} (one of {', '.join(REASONERS)})")
    extra = dict(extra_axioms or {})
    if reasoner == "in-store":
        with closure(dataset, reasoner, extra) as store:
            found = store.quads_for_pattern(None, None, None, ox.NamedNode(SCRATCH_GRAPH))
            return [t for t in (ox.Triple(q.subject, q.predicate, q.object) for q in found) if _meaningful(t)]
    import owlrl  # noqa: PLC0415 (rdflib and owlrl load only when the reference is chosen)

    asserted = {ox.Triple(q.subject, q.predicate, q.object) for q in dataset.quads([*asserted_graphs(dataset), *extra])}
    closed = rdflib_graph(asserted)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(closed)
    # The closure is handed back each triple once; a million-triple closure is kept only once here.
    return [t for t in ox_triples(closed) if t not in asserted and _meaningful(t)]


def ontology_graphs(dataset: Dataset) -> dict[str, str]:
    """The graph of the repository's axioms, and the folder an error about one names."""
    layout = dataset.layout
    return {layout.vocabulary.ontology_graph: str(layout.relative(layout.ontology_dir)) + "/"}


def _reason(dataset: Dataset, extra_axioms: Mapping[str, str] | None, target: str) -> None:
    """The in-store reasoner over the dataset, into graph ``target``; an unsupported axiom of the
    ontology is named with the file of ontology/ that states it (the ontology is one graph)."""
    try:
        materialise(dataset.store, {**ontology_graphs(dataset), **(extra_axioms or {})}, target)
    except UnsupportedAxiom as error:
        if error.where not in ontology_graphs(dataset).values():
            raise
        raise UnsupportedAxiom(error.triple, _file_stating(dataset, error.triple), error.why) from None


def _file_stating(dataset: Dataset, triple: ox.Triple) -> str:
    """The ontology file that states ``triple`` (a blank subject matched by predicate and object)."""
    layout = dataset.layout
    subject = triple.subject if isinstance(triple.subject, ox.NamedNode) else None
    for path in layout.ontology_files():
        scratch = ox.Store()
        parse_file(scratch, path, SCRATCH_GRAPH, layout)
        if any(True for _ in scratch.quads_for_pattern(subject, triple.predicate, triple.object)):
            return str(layout.relative(path))
    return str(layout.relative(layout.ontology_dir)) + "/"


def materialise_entailments(dataset: Dataset, extra_axioms: Mapping[str, str] | None = None) -> int:
    """The in-store reasoner's entailments in the dataset's graph <base>graph/inferred, where every
    question asked of the dataset sees them, less the reasoner's bookkeeping (``_meaningful``), as
    ``entailments`` gives them; returns how many."""
    graph = dataset.layout.vocabulary.inferred_graph
    _reason(dataset, extra_axioms, graph)
    dataset.store.update(_BOOKKEEPING.format(graph=graph))  # in the store: no triple through Python
    return graph_size(dataset.store, graph)


@contextmanager
def axiom_files(dataset: Dataset, files: Sequence[Path]) -> Iterator[dict[str, str]]:
    """More axioms (the standard vocabularies' own, ontology/standards/) loaded into scratch graphs of
    the dataset's store while the block runs, without their documentation (``axioms_of``); yields
    graph IRI -> the file as shown, which an error about one of them names."""
    layout = dataset.layout
    named = {str(layout.relative(path)): axioms_of(read_triples(layout, path)) for path in files}
    with axiom_triples(dataset, named) as graphs:
        yield graphs


@contextmanager
def axiom_triples(dataset: Dataset, named: Mapping[str, Iterable[ox.Triple]]) -> Iterator[dict[str, str]]:
    """Each named set of axioms in a scratch graph of the dataset's store while the block runs;
    yields graph IRI -> name."""
    graphs = {f"{SCRATCH_AXIOMS}{number}": name for number, name in enumerate(named)}
    try:
        for graph, triples in zip(graphs, named.values(), strict=True):
            target = ox.NamedNode(graph)
            dataset.store.extend(ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
        yield graphs
    finally:
        for graph in graphs:
            dataset.store.remove_graph(ox.NamedNode(graph))


@contextmanager
def closure(dataset: Dataset, reasoner: str = DEFAULT_REASONER,
            extra_axioms: Mapping[str, str] | None = None) -> Iterator[ox.Store]:
    """The dataset's store with the entailments added, in a scratch graph, for as long as the block
    runs: a copy of a million asserted triples would cost more than the check that reads them. The
    in-store reasoner writes them there itself; owlrl's are added."""
    graph = ox.NamedNode(SCRATCH_GRAPH)
    store = dataset.store
    try:
        if reasoner == "in-store":
            _reason(dataset, extra_axioms, SCRATCH_GRAPH)
        else:
            entailed = entailments(dataset, reasoner, extra_axioms)
            store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in entailed)
        yield store
    finally:
        store.remove_graph(graph)
