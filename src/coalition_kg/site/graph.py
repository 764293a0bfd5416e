"""What the static site reads from the dataset, indexed once: every statement by subject and by
object, the names, the types with the ontology's class hierarchy, and what each named graph is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import cast

import pyoxigraph as ox

from coalition_kg.errors import UsageProblem
from coalition_kg.publish.export import export_quads
from coalition_kg.rdf.namespaces import OA, OWL, PROV, RDF, RDFS, SCHEMA, SKOS
from coalition_kg.repository.dataset import Dataset
from coalition_kg.repository.vocabulary import Vocabulary
from coalition_kg.site.html import when
from coalition_kg.site.paths import ENTITY_FOLDERS, known_stem, ontology_anchor, page_stem

Term = ox.NamedNode | ox.BlankNode | ox.Literal
# A quad's subject or object as pyoxigraph types it; SiteGraph.of refuses triple terms, so none is ever one
Node = Term | ox.Triple

TYPE = RDF + "type"
LABEL = RDFS + "label"
PREF_LABEL = SKOS + "prefLabel"
ALT_LABEL = SKOS + "altLabel"
SUBCLASS = RDFS + "subClassOf"
DERIVED_FROM = PROV + "wasDerivedFrom"
QUALIFIED_ASSOCIATION = PROV + "qualifiedAssociation"
SCHEMA_SAME_AS = SCHEMA + "sameAs"
SAME_AS = OWL + "sameAs"


@dataclass(frozen=True)
class Quote:
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass
class SiteGraph:
    """The published statements (the data graphs and the derived shortcuts, as ``export`` writes
    them) and the ontology, indexed for the pages."""

    dataset: Dataset
    quads: list[ox.Quad]
    ontology: list[ox.Quad]
    by_subject: dict[Node, list[ox.Quad]] = field(default_factory=lambda: defaultdict(list))
    by_object: dict[Node, list[ox.Quad]] = field(default_factory=lambda: defaultdict(list))
    ontology_by_subject: dict[Node, list[ox.Quad]] = field(default_factory=lambda: defaultdict(list))
    superclasses: dict[str, set[str]] = field(default_factory=dict)
    # each derived triple with the derived graphs that hold it (one per graph whose facts yield it)
    derived_in: dict[tuple[Node, ox.NamedNode, Node], list[ox.NamedNode]] = field(
        default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, dataset: Dataset) -> SiteGraph:
        graph = cls(dataset, export_quads(dataset), dataset.quads([dataset.layout.vocabulary.ontology_graph]))
        for quad in graph.quads:
            subject, obj = quad.subject, quad.object
            if isinstance(subject, ox.Triple) or isinstance(obj, ox.Triple):  # RDF 1.2: no page can show one
                raise UsageProblem(f"the site cannot show a triple term: {quad}")
            graph.by_subject[subject].append(quad)
            if not isinstance(obj, ox.Literal):
                graph.by_object[obj].append(quad)
        parents: dict[str, set[str]] = defaultdict(set)
        for quad in graph.ontology:
            subject = quad.subject
            if isinstance(subject, ox.Triple):
                raise UsageProblem(f"the site cannot show a triple term: {quad}")
            graph.ontology_by_subject[subject].append(quad)
            if quad.predicate.value == SUBCLASS and isinstance(quad.object, ox.NamedNode):
                parents[subject.value].add(quad.object.value)
        graph.superclasses = _closure(parents)
        for quad in graph.quads:
            if isinstance(quad.graph_name, ox.NamedNode) and graph.vocabulary.is_derived(quad.graph_name.value):
                graph.derived_in[(quad.subject, quad.predicate, quad.object)].append(quad.graph_name)
        return graph

    # -- the repository's vocabulary

    @property
    def vocabulary(self) -> Vocabulary:
        return self.dataset.layout.vocabulary

    def ckg(self, local: str) -> str:
        """A term of our ontology (tests/test_vocabulary.py checks that each one named exists)."""
        return self.vocabulary.ckg(local)

    def page_stem(self, iri: str) -> str | None:
        return page_stem(iri, self.vocabulary.base)

    def known_stem(self, iri: str) -> str:
        """``page_stem`` of an IRI the site gives a page (entities() and graphs() keep only those)."""
        return known_stem(iri, self.vocabulary.base)

    def ontology_anchor(self, iri: str) -> str | None:
        return ontology_anchor(iri, self.vocabulary)

    # -- reading statements

    def values(self, subject: Node, predicate: str, ontology: bool = False) -> list[Term]:
        quads = (self.ontology_by_subject if ontology else self.by_subject).get(subject, ())
        # no triple term: of() refused them
        return list(dict.fromkeys(cast("Term", q.object) for q in quads if q.predicate.value == predicate))

    def value(self, subject: Node, predicate: str) -> Term | None:
        found = self.values(subject, predicate)
        return found[0] if found else None

    def referrers(self, term: Term, predicate: str) -> list[Term]:
        return list(dict.fromkeys(cast("Term", q.subject) for q in self.by_object.get(term, ())
                                  if q.predicate.value == predicate))

    # -- names

    def label(self, term: Node) -> str:
        """The preferred English name: skos:prefLabel, then rdfs:label (in the data or the ontology),
        else the IRI's last segment."""
        if isinstance(term, ox.Literal):
            return term.value
        if isinstance(term, ox.Triple):  # never: see Node
            return str(term)
        if self.is_a(term, self.ckg("SourceDocument")):
            return self.document_title(term)
        for ontology in (False, True):
            for predicate in (PREF_LABEL, LABEL):
                name = _english(self.values(term, predicate, ontology))
                if name:
                    return name
        if isinstance(term, ox.BlankNode):
            return "_:" + term.value
        vocabulary = self.vocabulary
        source = vocabulary.source_of_derived(term.value)
        if source is not None:
            return "Shortcuts derived from the " + self.label(ox.NamedNode(source)).replace("Graph", "graph", 1)
        if term.value.startswith(vocabulary.graphs):
            document = ox.NamedNode(vocabulary.source(local_name(term.value)))
            if self.is_a(document, self.ckg("SourceDocument")):  # a source's graph: named after its document
                return f"Graph of {self.document_title(document)}"
            names = {vocabulary.reference_graph: "Reference graph",
                     vocabulary.derived_graph: "Shortcuts derived from several graphs together",
                     vocabulary.inferred_graph: "OWL-RL entailments", vocabulary.ontology_graph: "Ontology graph"}
            return names.get(term.value, "Graph " + local_name(term.value))
        return local_name(term.value)

    def document_title(self, document: Term) -> str:
        """A source document's name for readers: its own title if the data gives one (not the
        placeholder "Source document <id>"), else who published it, where and when, as far as the data
        says; a text with neither publisher nor place is "Untitled text <id>", dated "on or before" the
        latest day the data allows, if it does."""
        own = _english(self.values(document, LABEL))
        doc_id = _english(self.values(document, self.ckg("documentId"))) or local_name(document.value)
        if own and own != f"Source document {doc_id}":
            return own
        who_where = (self.value(document, SCHEMA + "publisher"), self.value(document, self.ckg("dateline")))
        names = [self.label(v) for v in who_where if v is not None] or [f"Untitled text {doc_id}"]
        published = self.value(document, SCHEMA + "datePublished")
        not_after = self.value(document, self.ckg("notAfter"))
        if isinstance(published, ox.Literal):
            names.append(when(published))
        elif isinstance(not_after, ox.Literal):
            names.append(f"on or before {when(not_after)}")
        return ", ".join(names)

    def aliases(self, term: Term) -> list[str]:
        names = [v.value for v in self.values(term, ALT_LABEL) + self.values(term, ALT_LABEL, True)
                 if isinstance(v, ox.Literal)]
        preferred = self.label(term)
        return [name for name in dict.fromkeys(names) if name != preferred]

    # -- types

    def types(self, term: Node) -> list[str]:
        return [t.value for t in self.values(term, TYPE) if isinstance(t, ox.NamedNode)]

    def is_a(self, term: Node, class_iri: str) -> bool:
        return any(class_iri in self.superclasses.get(t, {t}) for t in self.types(term))

    def is_fact(self, term: Node) -> bool:
        return self.is_a(term, self.ckg("QualifiedFact"))

    def is_claim(self, term: Node) -> bool:
        """A judgement attributed to its source (DESIGN rule 9): shown apart from the facts, never as one."""
        return self.is_a(term, self.ckg("AttributedClaim"))

    def is_left_out(self, term: Node) -> bool:
        """A sentence read and not modelled (DESIGN rule 10): derived from its document, but no fact."""
        return self.is_a(term, self.ckg("SentenceLeftOut"))

    def defined_in_ontology(self, iri: str) -> bool:
        return ox.NamedNode(iri) in self.ontology_by_subject

    # -- provenance

    def sources(self, term: Term) -> list[ox.NamedNode]:
        """The documents a fact comes from: a statement's prov:wasDerivedFrom, an event's ckg:reportedIn."""
        found = [*self.values(term, DERIVED_FROM), *self.values(term, self.ckg("reportedIn"))]
        return [s for s in found if isinstance(s, ox.NamedNode)]

    def facts_from(self, document: Term) -> list[Term]:
        """The facts that name ``document`` as their source (the inverse of ``sources``)."""
        return [*self.referrers(document, DERIVED_FROM), *self.referrers(document, self.ckg("reportedIn"))]

    def quotes(self, term: Term) -> list[Quote]:
        out = []
        for node in self.values(term, self.ckg("evidence")):
            exact = self.value(node, OA + "exact")
            if exact is not None:
                prefix, suffix = self.value(node, OA + "prefix"), self.value(node, OA + "suffix")
                out.append(Quote(exact.value, prefix.value if prefix else "", suffix.value if suffix else ""))
        return sorted(set(out), key=lambda q: (q.exact, q.prefix, q.suffix))

    def notes(self, term: Term) -> list[str]:
        return [v.value for v in self.values(term, self.ckg("interpretation")) if isinstance(v, ox.Literal)]

    def graph_kind(self, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
        """``source`` (a document's graph), ``reference``, ``derived`` or ``other`` (outside identifiers)."""
        name = getattr(graph, "value", "")
        if self.vocabulary.is_derived(name):
            return "derived"
        if name == self.vocabulary.reference_graph:
            return "reference"
        if self.document_of_graph(name) is not None:
            return "source"
        return "other"

    def document_of_graph(self, graph: str) -> ox.NamedNode | None:
        """The source document whose graph this is (graph/<doc-id> holds src:<doc-id>)."""
        prefix = self.vocabulary.graphs
        if not graph.startswith(prefix):
            return None
        document = ox.NamedNode(self.vocabulary.source(graph[len(prefix):]))
        return document if self.is_a(document, self.ckg("SourceDocument")) else None

    def stated_by(self, quad: ox.Quad) -> list[ox.NamedNode]:
        """The source documents whose facts yield a derived triple: those whose derived graph holds it."""
        vocabulary = self.vocabulary
        documents = []
        for graph in self.derived_in.get((quad.subject, quad.predicate, quad.object), ()):
            source = vocabulary.source_of_derived(graph.value)
            document = self.document_of_graph(source) if source is not None else None
            if document is not None:
                documents.append(document)
        return sorted(set(documents), key=lambda d: d.value)

    # -- what gets a page

    def entities(self) -> list[ox.NamedNode]:
        """Every IRI with a type and a page of its own (under id/ or source/), in IRI order."""
        typed = {q.subject for q in self.quads if q.predicate.value == TYPE and isinstance(q.subject, ox.NamedNode)}
        return sorted((s for s in typed if (self.page_stem(s.value) or "").split("/")[0] in ENTITY_FOLDERS),
                      key=lambda s: s.value)

    def graphs(self) -> list[str]:
        """The published graphs, each with a page: every data graph and the derived shortcuts."""
        names = dict.fromkeys(q.graph_name.value for q in self.quads if isinstance(q.graph_name, ox.NamedNode))
        return [g for g in names if self.page_stem(g) is not None]

    def description(self, subject: Term) -> list[ox.Quad]:
        """What an entity's own Turtle and JSON-LD hold: the statements about it and, recursively,
        about the blank nodes it points at (its evidence quotes), and the statements that point at it
        (so that a client that reads it finds the facts about it)."""
        out, seen, todo = list(self.by_object.get(subject, ())), {subject}, [subject]
        while todo:
            for quad in self.by_subject.get(todo.pop(), ()):
                out.append(quad)
                if isinstance(quad.object, ox.BlankNode) and quad.object not in seen:
                    seen.add(quad.object)
                    todo.append(quad.object)
        return out


def local_name(iri: str) -> str:
    for separator in ("#", "/"):
        if separator in iri.rstrip(separator):
            return iri.rstrip(separator).rsplit(separator, 1)[1]
    return iri


def _english(values: list[Term]) -> str | None:
    literals = [v for v in values if isinstance(v, ox.Literal)]
    for wanted in ("en", None):
        for literal in literals:
            if literal.language == wanted or (wanted == "en" and (literal.language or "").startswith("en-")):
                return literal.value
    return literals[0].value if literals else None


def _closure(parents: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each class with all its superclasses, itself included."""
    out: dict[str, set[str]] = {}

    def up(cls: str) -> set[str]:
        if cls not in out:
            out[cls] = {cls}  # set first: a cycle in rdfs:subClassOf ends here
            for parent in parents.get(cls, ()):
                out[cls] |= up(parent)
        return out[cls]

    for cls in list(parents):
        up(cls)
    return out
