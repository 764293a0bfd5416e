"""What changed between two versions of the graph, as facts rather than lines: per named graph, the
triples only in one version, blank nodes matched by structure (rdflib's canonical labelling), so
that reformatting or reordering a file changes nothing. A node that is new (or gone) as a whole is
one line, described by what it is: "+ Italy co-chair of <meeting> [003…]"; a changed value of a
node that stays is one line per property."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from coalition_kg.query.result_formats import readable
from coalition_kg.rdf.namespaces import OA, ORG, PROV
from coalition_kg.repository.dataset import Dataset
from coalition_kg.repository.vocabulary import Vocabulary

OA_EXACT = URIRef(OA + "exact")
ASSOCIATION = URIRef(PROV + "qualifiedAssociation")


@dataclass
class Change:
    sign: str  # "+", "-" or "~"
    text: str
    triples: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class GraphChanges:
    graph: str
    file: str
    changes: list[Change]

    @property
    def tag(self) -> str:
        """A short name for the source: "003…" for data/sources/003_73e3….ttl."""
        name = self.graph.rsplit("/", 1)[-1]
        head = name.split("_", 1)[0]
        return f"{head}…" if head != name else name


class Labels:
    """Readable names of terms, looked up in both versions (a removed node keeps its old name)."""

    def __init__(self, *datasets: Dataset):
        self.stores = [d.store for d in datasets]
        self.vocabulary = datasets[0].layout.vocabulary  # the new version's prefixes
        self.names: dict[URIRef, str] = {}

    def name_of(self, iri: URIRef) -> str:
        if iri not in self.names:
            node, found = ox.NamedNode(str(iri)), None
            for predicate in (SKOS.prefLabel, RDFS.label):
                for store in self.stores:
                    found = found or next((q.object.value for q in store.quads_for_pattern(
                        node, ox.NamedNode(str(predicate)), None, None) if isinstance(q.object, ox.Literal)), None)
            self.names[iri] = found or readable_iri(iri, self.vocabulary)
        return self.names[iri]

    def __call__(self, term: Node) -> str:
        if isinstance(term, URIRef):
            return self.name_of(term)
        if isinstance(term, Literal):
            text = f'"{term}"'
            if term.language:
                return text + "@" + term.language
            if term.datatype and not str(term.datatype).endswith("#string"):
                return f"{text} ({readable_iri(URIRef(term.datatype), self.vocabulary)})"
            return text
        return "[…]"


def readable_iri(iri: URIRef, vocabulary: Vocabulary) -> str:
    return readable(ox.NamedNode(str(iri)), vocabulary)


def _n3(triple: Triple) -> tuple[str, str, str]:
    subject, predicate, obj = triple
    return subject.n3(), predicate.n3(), obj.n3()


def _owner(node: Node, graph: Graph) -> Node:
    """The named node a blank node hangs from (its evidence, its date…), or the node itself."""
    seen = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parents = list(graph.subjects(None, node))
        if not parents:
            return node
        node = parents[0]
    return node


def _describe(node: Node, graph: Graph, name: Labels) -> str:
    """One phrase for a whole node: a role in a meeting or an organization by its parts, anything
    else by its name and type."""
    def one(predicate: str) -> Node | None:
        return next(graph.objects(node, URIRef(predicate)), None)

    agent, role = one(PROV + "agent"), one(PROV + "hadRole")
    if agent is not None and role is not None:
        activity = next(graph.subjects(ASSOCIATION, node), None)
        return f"{name(agent)} {name(role)}" + (f" of {name(activity)}" if activity is not None else "")
    member, role, organization = one(ORG + "member"), one(ORG + "role"), one(ORG + "organization")
    if member is not None and organization is not None:
        return f"{name(member)} {name(role) if role is not None else 'member'} of {name(organization)}"
    kinds = sorted(name(kind) for kind in graph.objects(node, RDF.type))
    return name(node) + (f" ({', '.join(kinds)})" if kinds else "")


Triple = tuple[Node, Node, Node]
# a property's values only on one side, by (subject, predicate): each value with the lines that show it
Singles = dict[tuple[Node, Node], list[tuple[Node, list[tuple[str, str, str]]]]]


def _side(only: set[Triple], graph: Graph, other: Graph, sign: str, name: Labels) -> tuple[list[Change], Singles]:
    """The lines for the triples only in ``graph``: whole nodes first, then single properties
    (returned by (subject, predicate) so that a changed value can pair its two sides)."""
    whole = {s for s, _, _ in only if isinstance(s, URIRef) and (s, None, None) not in other}
    groups: defaultdict[Node, list[Triple]] = defaultdict(list)
    for triple in only:
        subject, _, obj = triple
        owner = _owner(subject, graph)
        if owner not in whole and obj in whole:  # the link to a new node belongs to the node
            owner = obj
        groups[owner].append(triple)
    changes: list[Change] = []
    single: Singles = {}
    for owner, triples in groups.items():
        if owner in whole:
            changes.append(Change(sign, _describe(owner, graph, name), sorted(map(_n3, triples))))
            continue
        for subject, predicate, obj in triples:
            if isinstance(subject, BNode):
                continue  # shown with the link that leads to it
            value = obj
            if isinstance(obj, BNode):
                exact = next(graph.objects(obj, OA_EXACT), None)
                value = exact if exact is not None else obj
            related = [t for t in triples if t[0] == obj] if isinstance(obj, BNode) else []
            single.setdefault((subject, predicate), []).append(
                (value, sorted(map(_n3, [(subject, predicate, obj), *related]))))
    return changes, single


def compare_graph(old: Graph, new: Graph, labels: Labels) -> list[Change]:
    old, new = to_canonical_graph(old), to_canonical_graph(new)
    old_triples, new_triples = set(old), set(new)
    removed, added = old_triples - new_triples, new_triples - old_triples
    gone, removed_single = _side(removed, old, new, "-", labels)
    came, added_single = _side(added, new, old, "+", labels)
    changes = gone + came
    for key in sorted(set(removed_single) | set(added_single), key=lambda k: (labels(k[0]), labels(k[1]))):
        subject, predicate = key
        before, after = removed_single.get(key, []), added_single.get(key, [])
        where = f"{labels(subject)}: {labels(predicate)}"
        if len(before) == len(after) == 1:
            (old_value, old_n3), (new_value, new_n3) = before[0], after[0]
            changes.append(Change("~", f"{where} {labels(old_value)} → {labels(new_value)}", old_n3 + new_n3))
            continue
        changes += [Change("-", f"{where} {labels(value)}", n3) for value, n3 in before]
        changes += [Change("+", f"{where} {labels(value)}", n3) for value, n3 in after]
    order = {"-": 0, "~": 1, "+": 2}
    return sorted(changes, key=lambda c: (order[c.sign], c.text))


def _same_bytes(old: Path | None, new: Path | None) -> bool:
    return old is not None and new is not None and old.is_file() and new.is_file() and \
        old.read_bytes() == new.read_bytes()


def changed_graphs(old: Dataset, new: Dataset) -> list[str]:
    """The named graphs the repository authors (not the derived shortcuts) whose files differ: at
    thousands of graphs, most are unchanged and never parsed into rdflib."""
    vocabulary = new.layout.vocabulary
    graphs = [g for g in dict.fromkeys([*old.graph_files, *new.graph_files]) if not vocabulary.is_derived(g)]
    return [g for g in graphs if not _same_bytes(old.file_of(g), new.file_of(g))]


def compare(old: Dataset, new: Dataset) -> list[GraphChanges]:
    """Every named graph the repository authors (not the derived shortcuts), old against new."""
    labels = Labels(new, old)
    result = []
    for graph in changed_graphs(old, new):
        changes = compare_graph(old.to_rdflib([graph]) if graph in old.graph_files else Graph(),
                                new.to_rdflib([graph]) if graph in new.graph_files else Graph(), labels)
        if changes:
            dataset = new if graph in new.graph_files else old
            result.append(GraphChanges(graph, dataset.layout.relative(dataset.graph_files[graph]), changes))
    return result
