"""OWL 2 RL inside the store: the ontology's axioms compiled into SPARQL updates that pyoxigraph
runs where the data is, writing the entailments into one graph, round after round until a round
adds nothing. No triple is handed through Python but the axioms'.

The hierarchies are closed first (axioms.py), so a type gets every superclass and a triple every
super-property in one step, and a round usually suffices. Later rounds are semi-naive: each rule
reads, for one of its triples, only what the round before added. Only the rules of the constructs
the axioms use are compiled. The rules whose conclusion is owl:sameAs are drawn too (and eq-*, what
equality entails), as OWL 2 RL has them; since the data names each individual once (cs:NoSameAs),
the consistency check (consistency.py) reports each owl:sameAs the data does not state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pyoxigraph as ox

from coalition_kg.rdf.namespaces import OWL, RDF, RDFS
from coalition_kg.reasoning.axioms import DOMAIN, RANGE, SUBCLASS, THING, Axioms, chains, keys, read
from coalition_kg.repository.vocabulary import DEFAULT

PREFIXES = DEFAULT.sparql_prefixes("owl", "rdf", "rdfs")
SCRATCH_PREFIX = "urn:coalition-kg:scratch:"  # the graphs the machinery adds for a while: no data file can name one
SCHEMA = SCRATCH_PREFIX + "reasoner:schema"
ROUND = SCRATCH_PREFIX + "reasoner:round:"  # + n: what round n added, which round n + 1 reads
MAX_ROUNDS = 100  # a guard: a fixpoint of these rules is reached in a handful of rounds


@dataclass(frozen=True)
class Rule:
    """One OWL 2 RL rule: ``data`` the triple patterns over the data (any graph), ``schema`` the
    patterns over the closed axioms, ``head`` the one triple it concludes."""

    name: str
    data: tuple[str, ...]
    schema: str
    head: str
    uses: str  # an OWL or RDFS term: the rule is compiled only when an axiom uses it
    where: str = ""  # filters


RULES = (
    Rule("cax-sco", ("?x a ?c",), "?c rdfs:subClassOf ?d", "?x a ?d", "rdfs:subClassOf"),
    Rule("prp-spo1", ("?x ?p ?y",), "?p rdfs:subPropertyOf ?q", "?x ?q ?y", "rdfs:subPropertyOf"),
    Rule("prp-dom", ("?x ?p ?y",), "?p rdfs:domain ?c", "?x a ?c", "rdfs:domain"),
    Rule("prp-rng", ("?x ?p ?y",), "?p rdfs:range ?c", "?y a ?c", "rdfs:range", "FILTER(!isLiteral(?y))"),
    Rule("prp-inv", ("?x ?p ?y",), "?p owl:inverseOf ?q", "?y ?q ?x", "owl:inverseOf", "FILTER(!isLiteral(?y))"),
    Rule("prp-symp", ("?x ?p ?y",), "?p a owl:SymmetricProperty", "?y ?p ?x", "owl:SymmetricProperty",
         "FILTER(!isLiteral(?y))"),
    Rule("prp-trp", ("?x ?p ?y", "?y ?p ?z"), "?p a owl:TransitiveProperty", "?x ?p ?z", "owl:TransitiveProperty"),
    Rule("cls-int1", ("?x a ?m",), "?c owl:intersectionOf ?l . ?l rdf:rest*/rdf:first ?m", "?x a ?c",
         "owl:intersectionOf",
         f"FILTER NOT EXISTS {{ GRAPH <{SCHEMA}> {{ ?l rdf:rest*/rdf:first ?n }} "
         "FILTER NOT EXISTS { GRAPH ?h2 { ?x a ?n } } }"),
    Rule("cls-svf1", ("?x ?p ?y", "?y a ?d"), "?r owl:someValuesFrom ?d ; owl:onProperty ?p", "?x a ?r",
         "owl:someValuesFrom"),
    Rule("cls-svf2", ("?x ?p ?y",), "?r owl:someValuesFrom owl:Thing ; owl:onProperty ?p", "?x a ?r",
         "owl:someValuesFrom"),
    Rule("cls-hv1", ("?x a ?r",), "?r owl:hasValue ?v ; owl:onProperty ?p", "?x ?p ?v", "owl:hasValue"),
    Rule("cls-hv2", ("?x ?p ?v",), "?r owl:hasValue ?v ; owl:onProperty ?p", "?x a ?r", "owl:hasValue"),
    Rule("cls-avf", ("?x a ?r", "?x ?p ?y"), "?r owl:allValuesFrom ?d ; owl:onProperty ?p", "?y a ?d",
         "owl:allValuesFrom", "FILTER(!isLiteral(?y))"),
    Rule("cls-oo", (), "?c owl:oneOf ?l . ?l rdf:rest*/rdf:first ?y", "?y a ?c", "owl:oneOf"),
    # Equality: the rules that conclude owl:sameAs, and what it entails (eq-*). The data names each
    # individual once, so consistency.py reports each such conclusion; drawing them keeps the
    # entailments equal to the reference's on any input, broken ones included.
    Rule("prp-fp", ("?x ?p ?y1", "?x ?p ?y2"), "?p a owl:FunctionalProperty", "?y1 owl:sameAs ?y2",
         "owl:FunctionalProperty", "FILTER(!isLiteral(?y1) && !isLiteral(?y2) && !sameTerm(?y1, ?y2))"),
    Rule("prp-ifp", ("?x1 ?p ?y", "?x2 ?p ?y"), "?p a owl:InverseFunctionalProperty", "?x1 owl:sameAs ?x2",
         "owl:InverseFunctionalProperty", "FILTER(!sameTerm(?x1, ?x2))"),
    Rule("cls-maxc2", ("?x a ?r", "?x ?p ?y1", "?x ?p ?y2"), "?r owl:maxCardinality ?n ; owl:onProperty ?p",
         "?y1 owl:sameAs ?y2", "owl:maxCardinality", "FILTER(?n = 1 && !isLiteral(?y1) && !sameTerm(?y1, ?y2))"),
    Rule("cls-maxqc3", ("?x a ?r", "?x ?p ?y1", "?y1 a ?c", "?x ?p ?y2", "?y2 a ?c"),
         "?r owl:maxQualifiedCardinality ?n ; owl:onProperty ?p ; owl:onClass ?c", "?y1 owl:sameAs ?y2",
         "owl:maxQualifiedCardinality", "FILTER(?n = 1 && !isLiteral(?y1) && !sameTerm(?y1, ?y2))"),
    Rule("cls-maxqc4", ("?x a ?r", "?x ?p ?y1", "?x ?p ?y2"),
         "?r owl:maxQualifiedCardinality ?n ; owl:onProperty ?p ; owl:onClass owl:Thing", "?y1 owl:sameAs ?y2",
         "owl:maxQualifiedCardinality", "FILTER(?n = 1 && !isLiteral(?y1) && !sameTerm(?y1, ?y2))"),
    Rule("eq-sym", ("?x owl:sameAs ?y",), "", "?y owl:sameAs ?x", "owl:sameAs", "FILTER(!isLiteral(?y))"),
    Rule("eq-trans", ("?x owl:sameAs ?y", "?y owl:sameAs ?z"), "", "?x owl:sameAs ?z", "owl:sameAs"),
    Rule("eq-rep-s", ("?s owl:sameAs ?t", "?s ?p ?o"), "", "?t ?p ?o", "owl:sameAs", "FILTER(!isLiteral(?t))"),
    Rule("eq-rep-p", ("?p owl:sameAs ?q", "?s ?p ?o"), "", "?s ?q ?o", "owl:sameAs", "FILTER(isIRI(?q))"),
    Rule("eq-rep-o", ("?o owl:sameAs ?t", "?s ?p ?o"), "", "?s ?p ?t", "owl:sameAs"),
)
_EXPANDED = {"rdfs:": RDFS, "owl:": OWL}


def _term(curie: str) -> ox.NamedNode:
    prefix, local = curie.split(":", 1)
    return ox.NamedNode(_EXPANDED[prefix + ":"] + local)


def compile_rules(axioms: Axioms) -> list[Rule]:
    """The rules the axioms call for: each generic rule whose construct they use, and one rule per
    property chain (OWL 2 RL prp-spo2), its properties written out."""
    used: set[object] = {t.predicate for t in axioms.triples}
    used |= {t.object for t in axioms.triples if t.predicate.value == RDF + "type"}
    used |= {ox.NamedNode(RDFS + "subClassOf")} if axioms.superclasses else set()  # equivalences, unions too
    used |= {ox.NamedNode(RDFS + "subPropertyOf")} if axioms.superproperties else set()
    # eq-* run whatever the axioms: an owl:sameAs may be stated in the data (a violation cs:NoSameAs reports)
    used.add(_term("owl:sameAs"))
    rules = [rule for rule in RULES if _term(rule.uses) in used]
    for number, (prop, members) in enumerate(chains(axioms)):
        steps = [f"?y{i} <{member.value}> ?y{i + 1}" for i, member in enumerate(members)]
        head = f"?y0 <{prop.value}> ?y{len(members)}"
        rules.append(Rule(f"prp-spo2 #{number} ({prop.value})", tuple(steps), "", head, "owl:propertyChainAxiom"))
    for number, (cls, properties) in enumerate(keys(axioms)):
        both = [f"?x <{p.value}> ?z{i}" for i, p in enumerate(properties)] + \
               [f"?y <{p.value}> ?z{i}" for i, p in enumerate(properties)]
        rules.append(Rule(f"prp-key #{number} ({cls.value})", (f"?x a <{cls.value}>", f"?y a <{cls.value}>", *both), "",
                          "?x owl:sameAs ?y", "owl:hasKey", "FILTER(!sameTerm(?x, ?y))"))
    return rules


def _updates(rule: Rule, delta: str | None, into: tuple[str, ...]) -> list[str]:
    """The rule as SPARQL updates, its conclusions written into each graph of ``into``: over all
    graphs if ``delta`` is None (the first round); else one update for each of its data triples, that
    triple read from graph ``delta``, what the last round added."""
    count = len(rule.data)
    graph_of = [[f"?g{i}" for i in range(count)]]
    if delta is not None:
        graph_of = [[f"<{delta}>" if i == j else f"?g{i}" for i in range(count)] for j in range(count)]
    schema = f"GRAPH <{SCHEMA}> {{ {rule.schema} }}" if rule.schema else ""
    heads = " ".join(f"GRAPH <{graph}> {{ {rule.head} }}" for graph in into)
    # Nothing already stated. cax-sco's first round, which concludes about as many types as there
    # are, checks them against every type at once (MINUS: one scan, a hash), cheaper then than looking
    # each up (FILTER NOT EXISTS), as the rules and rounds that conclude fewer do (measured at 1M).
    if delta is not None or rule.name != "cax-sco":
        stated = f"FILTER NOT EXISTS {{ GRAPH ?h {{ {rule.head} }} }}"
    else:
        stated = f"MINUS {{ GRAPH ?h {{ {rule.head} }} }}"
    out = []
    for graphs in graph_of:
        data = " ".join(f"GRAPH {g} {{ {pattern} }}" for g, pattern in zip(graphs, rule.data, strict=True))
        out.append(f"{PREFIXES}INSERT {{ {heads} }} WHERE {{ {schema} {data} {rule.where} {stated} }}")
    return out


def materialise(store: ox.Store, axiom_graphs: dict[str, str], target: str) -> int:
    """Adds to graph ``target`` of ``store`` what OWL 2 RL entails from all its graphs and the axioms of
    ``axiom_graphs`` (graph IRI -> the file an error names), and nothing already stated, nor each
    individual's type owl:Thing where it is a premise of nothing (Axioms.thing_is_inert); returns the
    number of triples added. Raises UnsupportedAxiom for an axiom outside the supported set."""
    axioms = read(store, axiom_graphs)
    rules = compile_rules(axioms)
    into = ox.NamedNode(target)
    for graph in (target, SCHEMA):
        store.remove_graph(ox.NamedNode(graph))
    schema = ox.NamedNode(SCHEMA)
    closure = axioms.closure()
    read_by_rules = axioms.triples | closure | axioms.rule_table()
    if axioms.thing_is_inert():  # a type of owl:Thing for every individual: a sixth of a closure, dropped after
        closure = {t for t in closure if t.object != THING}
        read_by_rules = {t for t in read_by_rules if t.object != THING or t.predicate not in (SUBCLASS, DOMAIN, RANGE)}
    store.extend(ox.Quad(t.subject, t.predicate, t.object, schema) for t in read_by_rules)
    # The schema's own entailments, less what some graph states already
    store.extend(ox.Quad(t.subject, t.predicate, t.object, into) for t in closure
                 if not any(q.graph_name != schema for q in store.quads_for_pattern(t.subject, t.predicate, t.object)))
    # Each round writes its conclusions straight into ``target`` and, from the second round on, into
    # a graph of its own, which the next round reads as its delta: copying a round's conclusions from
    # graph to graph (ADD, MOVE) cost as much as drawing them. The first round's delta is ``target``
    # itself, which then holds only what that round added (and the schema's closure, read again harmlessly).
    delta: str | None = None
    added = target
    try:
        for number in range(MAX_ROUNDS):
            added = target if number == 0 else f"{ROUND}{number}"
            for rule in rules:
                if number == 0 or rule.data:
                    for update in _updates(rule, delta, tuple(dict.fromkeys((target, added)))):
                        store.update(update)
            if number > 0 and not any(True for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(added))):
                break
            if delta is not None and delta != target:
                store.remove_graph(ox.NamedNode(delta))
            delta = added
    finally:
        for graph in {SCHEMA, delta or SCHEMA, added} - {target}:
            store.remove_graph(ox.NamedNode(graph))
    return graph_size(store, target)


def graph_size(store: ox.Store, graph: str) -> int:
    """The number of triples in ``graph``, counted in the store: a million-triple closure handed to
    Python one quad at a time to be counted cost 0.3 s."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    found = cast("ox.QuerySolutions", store.query(query))
    return int(next(iter(found))["n"].value)
