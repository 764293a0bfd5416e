"""The ontology's axioms, read from the store, checked against what the in-store reasoner supports,
and its class and property hierarchies closed (OWL 2 RL's scm-* rules) so that each data rule needs
one step: a type gets every superclass at once, a property every super-property.

An axiom of a construct the reasoner does not support is an error that names it (never a silent
gap). Constructs that no OWL 2 RL rule draws a conclusion from (annotations, minimum and exact
cardinalities, ontology headers) are read and left, as OWL 2 RL leaves them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from coalition_kg.errors import UsageProblem
from coalition_kg.rdf.namespaces import OWL, RDF, RDFS

Term = ox.NamedNode | ox.BlankNode
TYPE = ox.NamedNode(RDF + "type")
SUBCLASS, SUBPROPERTY = ox.NamedNode(RDFS + "subClassOf"), ox.NamedNode(RDFS + "subPropertyOf")
DOMAIN, RANGE = ox.NamedNode(RDFS + "domain"), ox.NamedNode(RDFS + "range")
EQUIVALENT_CLASS, EQUIVALENT_PROPERTY = ox.NamedNode(OWL + "equivalentClass"), ox.NamedNode(OWL + "equivalentProperty")
INVERSE = ox.NamedNode(OWL + "inverseOf")
THING = ox.NamedNode(OWL + "Thing")
# Where owl:Thing may stand without `x a owl:Thing` being a premise of any rule: as the superclass,
# domain or range that types everything (the type itself), or the class of a restriction whose rule
# has a form of its own for owl:Thing (cls-svf2, cls-maxqc4) or only concludes that type (cls-avf).
_THING_TYPES_ONLY = {SUBCLASS, DOMAIN, RANGE, ox.NamedNode(OWL + "someValuesFrom"),
                     ox.NamedNode(OWL + "allValuesFrom"), ox.NamedNode(OWL + "onClass")}
FIRST, REST, NIL = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")

# OWL terms the reasoner draws OWL 2 RL's conclusions from (in_store.py's rules, or consistency.py's
# checks, which also hold the rules whose conclusion is owl:sameAs: see consistency.py).
SUPPORTED = {OWL + name for name in (
    "equivalentClass", "equivalentProperty", "inverseOf", "unionOf", "intersectionOf", "oneOf", "onProperty",
    "allValuesFrom", "someValuesFrom", "hasValue", "maxCardinality", "maxQualifiedCardinality", "onClass",
    "propertyChainAxiom", "disjointWith", "propertyDisjointWith", "complementOf", "hasKey", "members",
    "distinctMembers", "sourceIndividual", "assertionProperty", "targetIndividual", "targetValue")}
# OWL terms no OWL 2 RL rule reads: annotations, ontology headers, and the cardinalities OWL 2 RL
# admits in no position (owlrl, the reference, draws nothing from them either).
NO_RL_CONSEQUENCE = {OWL + name for name in (
    "versionInfo", "versionIRI", "imports", "priorVersion", "backwardCompatibleWith", "incompatibleWith",
    "deprecated", "annotatedSource", "annotatedProperty", "annotatedTarget", "minCardinality", "cardinality",
    "minQualifiedCardinality", "qualifiedCardinality")}
SUPPORTED_TYPES = {OWL + name for name in (
    "Class", "Restriction", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "OntologyProperty",
    "Ontology", "NamedIndividual", "Axiom", "Annotation", "TransitiveProperty", "SymmetricProperty",
    "FunctionalProperty", "InverseFunctionalProperty", "IrreflexiveProperty", "AsymmetricProperty",
    "AllDisjointClasses", "AllDisjointProperties", "AllDifferent", "NegativePropertyAssertion", "Thing",
    "Nothing", "DeprecatedClass", "DeprecatedProperty")}


class UnsupportedAxiom(UsageProblem):
    """An axiom of a construct the in-store reasoner does not reason with; names it and its file."""

    def __init__(self, triple: ox.Triple, where: str, why: str):
        self.triple, self.where, self.why = triple, where, why
        super().__init__(f"{where}: the axiom {triple.subject} {triple.predicate} {triple.object} .: {why}; "
                         "the in-store reasoner supports the OWL 2 RL constructs listed in reasoning/axioms.py "
                         "(use --reasoner owlrl for the rest)")


@dataclass
class Axioms:
    """The axiom triples (each graph's file kept to name it in an error) and their closed hierarchies."""

    triples: set[ox.Triple]
    superclasses: dict[Term, set[Term]] = field(default_factory=dict)  # each class: all its strict superclasses
    superproperties: dict[Term, set[Term]] = field(default_factory=dict)

    def closure(self) -> set[ox.Triple]:
        """The schema entailments: the closed hierarchies, equivalences both ways and the domains and
        ranges widened to each super-property's and superclass (OWL 2 RL scm-sco, scm-spo, scm-eqc,
        scm-eqp, scm-dom1/2, scm-rng1/2, scm-int, scm-uni)."""
        out = {ox.Triple(c, SUBCLASS, d) for c, ds in self.superclasses.items() for d in ds}
        out |= {ox.Triple(p, SUBPROPERTY, q) for p, qs in self.superproperties.items() for q in qs}
        out |= {ox.Triple(c, EQUIVALENT_CLASS, d) for c, ds in self.superclasses.items() for d in ds
                if c in self.superclasses.get(d, ()) and c != d}
        out |= {ox.Triple(p, EQUIVALENT_PROPERTY, q) for p, qs in self.superproperties.items() for q in qs
                if p in self.superproperties.get(q, ()) and p != q}
        for axis in (DOMAIN, RANGE):
            stated = [(t.subject, t.object) for t in self.triples if t.predicate == axis]
            for p, c in stated:
                if not isinstance(c, Term):
                    continue
                subs = [s for s, sups in self.superproperties.items() if p in sups]
                for prop in (p, *subs):
                    for cls in (c, *self.superclasses.get(c, ())):
                        if isinstance(prop, Term):
                            out.add(ox.Triple(prop, axis, cls))
        return {t for t in out if t not in self.triples and t.subject != t.object}

    def thing_is_inert(self) -> bool:
        """Whether `x a owl:Thing` is a premise of nothing: owl:Thing stated only as a class or where
        _THING_TYPES_ONLY allows. Then every individual's owl:Thing type, which OWL 2 RL entails
        and no consumer needs (the commands drop it: owl_rl._meaningful), need not be drawn."""
        return all(t.predicate == TYPE if t.subject == THING else t.predicate in _THING_TYPES_ONLY
                   for t in self.triples if THING in (t.subject, t.object))

    def rule_table(self) -> set[ox.Triple]:
        """What the rules read beside the axioms and their closure: each inverse both ways (prp-inv1
        and prp-inv2 as one rule; OWL 2 RL entails no `q owl:inverseOf p` itself)."""
        inverses = [(t.subject, t.object) for t in self.triples if t.predicate == INVERSE]
        return {ox.Triple(q, INVERSE, p) for p, q in inverses if isinstance(q, Term) and isinstance(p, Term)}


def read(store: ox.Store, graphs: dict[str, str]) -> Axioms:
    """The axioms of ``graphs`` (graph IRI -> the file shown in errors), checked and closed."""
    origin: dict[ox.Triple, str] = {}
    for graph, shown in graphs.items():
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            triple = ox.Triple(quad.subject, quad.predicate, quad.object)
            _check(triple, shown)
            origin.setdefault(triple, shown)
    triples = set(origin)
    _check_lists(origin)
    axioms = Axioms(triples)
    lists = _lists(triples)
    edges: dict[Term, set[Term]] = defaultdict(set)
    property_edges: dict[Term, set[Term]] = defaultdict(set)
    for t in triples:
        s, p, o = t.subject, t.predicate.value, t.object
        if not isinstance(s, Term) or not isinstance(o, Term):
            continue
        if p == SUBCLASS.value:
            edges[s].add(o)
        elif p == EQUIVALENT_CLASS.value:
            edges[s].add(o)
            edges[o].add(s)
        elif p == SUBPROPERTY.value:
            property_edges[s].add(o)
        elif p == EQUIVALENT_PROPERTY.value:
            property_edges[s].add(o)
            property_edges[o].add(s)
        elif p == OWL + "intersectionOf":  # scm-int: the intersection is under each of its classes
            edges[s].update(m for m in lists.get(o, []) if isinstance(m, Term))
        elif p == OWL + "unionOf":  # scm-uni: each class of the union is under it
            for member in lists.get(o, []):
                if isinstance(member, Term):
                    edges[member].add(s)
    axioms.superclasses = _closed(edges)
    axioms.superproperties = _closed(property_edges)
    return axioms


def _check(triple: ox.Triple, where: str) -> None:
    p, o = triple.predicate.value, triple.object
    if p.startswith(OWL) and p not in SUPPORTED and p not in NO_RL_CONSEQUENCE:
        raise UnsupportedAxiom(triple, where, f"{p} is not a construct the reasoner supports")
    if p == TYPE.value and isinstance(o, ox.NamedNode) and o.value.startswith(OWL) and o.value not in SUPPORTED_TYPES:
        raise UnsupportedAxiom(triple, where, f"{o.value} is not a construct the reasoner supports")
    maximum = p in (OWL + "maxCardinality", OWL + "maxQualifiedCardinality")
    if maximum and not (isinstance(o, ox.Literal) and o.value in ("0", "1")):
        raise UnsupportedAxiom(triple, where, "OWL 2 RL admits a maximum cardinality of 0 or 1 only")


def _check_lists(origin: dict[ox.Triple, str]) -> None:
    """A property chain of inverse or other anonymous properties is outside what the rules compile."""
    lists = _lists(origin)
    for t, where in origin.items():
        if t.predicate.value in (OWL + "propertyChainAxiom", OWL + "hasKey"):
            members = lists.get(t.object, [])
            if not members or not all(isinstance(m, ox.NamedNode) for m in members):
                raise UnsupportedAxiom(t, where, "a list of anything but named properties")
            if not isinstance(t.subject, ox.NamedNode):
                raise UnsupportedAxiom(t, where, "an axiom about an anonymous class or property")


Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def _lists(triples: Iterable[ox.Triple]) -> dict[Node, list[Node]]:
    """Each RDF list of the axioms, by its head: its items in order."""
    first: dict[Node, Node] = {t.subject: t.object for t in triples if t.predicate == FIRST}
    rest: dict[Node, Node] = {t.subject: t.object for t in triples if t.predicate == REST}
    out: dict[Node, list[Node]] = {}
    for head in first:
        items: list[Node] = []
        node: Node = head
        seen: set[Node] = set()
        while node in first and node not in seen:
            seen.add(node)
            items.append(first[node])
            node = rest.get(node, NIL)
        out[head] = items
    return out


def chains(axioms: Axioms) -> list[tuple[ox.NamedNode, list[ox.NamedNode]]]:
    """Each owl:propertyChainAxiom: the property, and the named properties of its chain in order."""
    lists = _lists(axioms.triples)
    out = []
    for t in sorted(axioms.triples, key=str):
        if t.predicate.value == OWL + "propertyChainAxiom" and isinstance(t.subject, ox.NamedNode):
            members = [m for m in lists.get(t.object, []) if isinstance(m, ox.NamedNode)]
            out.append((t.subject, members))
    return out


def keys(axioms: Axioms) -> list[tuple[ox.NamedNode, list[ox.NamedNode]]]:
    """Each owl:hasKey: the named class, and the named properties of its key."""
    lists = _lists(axioms.triples)
    return [(t.subject, [m for m in lists.get(t.object, []) if isinstance(m, ox.NamedNode)])
            for t in sorted(axioms.triples, key=str)
            if t.predicate.value == OWL + "hasKey" and isinstance(t.subject, ox.NamedNode)]


def _closed(edges: dict[Term, set[Term]]) -> dict[Term, set[Term]]:
    """Each node's strictly reachable nodes (itself only through a cycle: an equivalence)."""
    out: dict[Term, set[Term]] = {}
    for start, direct in edges.items():
        seen: set[Term] = set()
        pending = list(direct)
        while pending:
            node = pending.pop()
            if node not in seen:
                seen.add(node)
                pending.extend(edges.get(node, ()))
        out[start] = seen
    return out

