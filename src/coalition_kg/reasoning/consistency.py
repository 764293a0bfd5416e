"""OWL 2 RL's inconsistency rules (the rules whose head is `false`, OWL 2 Profiles §4.3), as SPARQL
over a closed graph. The reasoner computes the closure; these say whether it is contradictory.
Asking the closure rather than the reasoner keeps one check for every reasoner: owlrl reports
some of these itself, the in-store reasoner none. dt-not-type (ill-typed literals) is left to the
SHACL datatype shapes, which also say where the literal is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pyoxigraph as ox

from coalition_kg.reasoning.in_store import SCRATCH_PREFIX
from coalition_kg.repository.vocabulary import DEFAULT

PREFIXES = DEFAULT.sparql_prefixes("owl", "rdf")
MEMBERS = "owl:members|owl:distinctMembers"


@dataclass(frozen=True)
class Rule:
    name: str
    says: str  # a message; {x}, {a} and {b} are the query's variables
    where: str  # binds ?x (the individual at fault) and ?a, ?b (what it clashes over)


RULES = (
    Rule("eq-diff1", "{x} is owl:sameAs and owl:differentFrom {a}",
         "?x owl:sameAs ?a ; owl:differentFrom ?a . BIND(?a AS ?b)"),
    Rule("eq-diff2", "{x} and {a} are the same individual but listed as all different",
         f"?all a owl:AllDifferent ; {MEMBERS} ?list . ?list rdf:rest*/rdf:first ?x , ?a . "
         "FILTER(?x != ?a) ?x owl:sameAs ?a . BIND(?all AS ?b)"),
    Rule("prp-irp", "{x} is related to itself by the irreflexive property {a}",
         "?a a owl:IrreflexiveProperty . ?x ?a ?x . BIND(?a AS ?b)"),
    Rule("prp-asyp", "{x} and {b} are related both ways by the asymmetric property {a}",
         "?a a owl:AsymmetricProperty . ?x ?a ?b . ?b ?a ?x"),
    Rule("prp-pdw", "{x} has the same value for the disjoint properties {a} and {b}",
         "?a owl:propertyDisjointWith ?b . ?x ?a ?v . ?x ?b ?v"),
    Rule("prp-adp", "{x} has the same value for the disjoint properties {a} and {b}",
         f"?all a owl:AllDisjointProperties ; {MEMBERS} ?list . ?list rdf:rest*/rdf:first ?a , ?b . "
         "FILTER(?a != ?b) ?x ?a ?v . ?x ?b ?v"),
    Rule("prp-npa", "{x} has {a} {b}, which a negative property assertion denies",
         "?n owl:sourceIndividual ?x ; owl:assertionProperty ?a ; owl:targetIndividual|owl:targetValue ?b . "
         "?x ?a ?b"),
    Rule("cls-nothing2", "{x} is an owl:Nothing", "?x a owl:Nothing . BIND(owl:Nothing AS ?a) BIND(?a AS ?b)"),
    Rule("cls-com", "{x} is both {a} and its complement {b}", "?a owl:complementOf ?b . ?x a ?a , ?b"),
    Rule("cls-maxc1", "{x} has a value for {a}, which {b} allows none of",
         "?b owl:maxCardinality ?n ; owl:onProperty ?a . FILTER(?n = 0) ?x a ?b ; ?a ?y"),
    Rule("cls-maxqc", "{x} has a value for {a} of a class {b} allows none of",
         "?b owl:maxQualifiedCardinality ?n ; owl:onProperty ?a ; owl:onClass ?c . FILTER(?n = 0) "
         "?x a ?b ; ?a ?y . FILTER(?c = owl:Thing || EXISTS { ?y a ?c })"),
    Rule("cax-dw", "{x} is both {a} and {b}, which are disjoint", "?a owl:disjointWith ?b . ?x a ?a , ?b"),
    # Equality: OWL 2 RL draws owl:sameAs from a functional or inverse-functional property, a key or a
    # maximum cardinality of 1 given two values (prp-fp, prp-ifp, prp-key, cls-maxc2, cls-maxqc3/4).
    # Not a contradiction in OWL; here it is one, since the data names each individual once (cs:NoSameAs).
    # One asserted in the data is the shapes' to report, not this check's.
    Rule("eq-unique", "{x} and {a} are entailed to be one individual (owl:sameAs), but the data names each "
                      "individual once: a functional property, key or cardinality of 1 is given two values",
         "?x owl:sameAs ?a . FILTER(!isLiteral(?x) && !isLiteral(?a) && STR(?x) < STR(?a)) "
         "FILTER NOT EXISTS { GRAPH ?g { ?x owl:sameAs|^owl:sameAs ?a } "
         f"FILTER(!STRSTARTS(STR(?g), '{SCRATCH_PREFIX}')) }} "
         "BIND(?a AS ?b)"),
    Rule("cax-adc", "{x} is both {a} and {b}, which are disjoint",
         f"?all a owl:AllDisjointClasses ; {MEMBERS} ?list . ?list rdf:rest*/rdf:first ?a , ?b . "
         "FILTER(?a != ?b) ?x a ?a , ?b"),
)


@dataclass(frozen=True)
class Clash:
    rule: str
    node: ox.NamedNode | ox.BlankNode
    message: str


def _short(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    return f"<{term.value}>" if isinstance(term, ox.NamedNode) else str(term)


def clashes(store: ox.Store) -> list[Clash]:
    """Every inconsistency in ``store``, whose default graph is taken as the union of its graphs."""
    # Symmetric rules (cax-dw, prp-pdw, ...) find each clash from both sides, and a vocabulary may
    # state a disjointness both ways (FOAF's Person and Organization): keep one per node and pair.
    found: dict[tuple[str, ox.NamedNode | ox.BlankNode, frozenset[str]], Clash] = {}
    for rule in RULES:
        query = f"{PREFIXES}SELECT DISTINCT ?x ?a ?b WHERE {{ {rule.where} }}"
        for row in cast("ox.QuerySolutions", store.query(query, use_default_graph_as_union=True)):
            text = rule.says.format(x=_short(row["x"]), a=_short(row["a"]), b=_short(row["b"]))
            clash = Clash(rule.name, row["x"], f"OWL-RL inconsistency ({rule.name}): {text}")
            key = (rule.name, row["x"], frozenset((_short(row["a"]), _short(row["b"]))))
            if key not in found or clash.message < found[key].message:
                found[key] = clash
    return sorted(found.values(), key=lambda c: c.message)
