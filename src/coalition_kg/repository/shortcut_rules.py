"""The derived graphs: shortcut triples computed from qualified facts (DESIGN rule 4), each kept in the
derived graph of the graph whose facts produced it, so that ``GRAPH ?g`` still leads to the source.

Every rule (a CONSTRUCT in ontology/rules/) runs once per data graph, over that graph with the shared
ones (the ontology and the reference graph) as its default graph: what it yields there is what that
graph's facts say, and goes to ``graph/derived/<name>`` (a triple two documents state lands in both
graphs). What the shared graphs yield alone goes to the reference graph's derived graph; what only the
union of several graphs yields (a rule that joins facts of two sources) goes to the joint
``graph/derived``. Each derived graph says in itself which graph it derives from. A rule that tests for
an absence (NOT EXISTS, MINUS) reads it per graph: what that graph, with the shared ones, does not say."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from coalition_kg.errors import SourceLocation, SyntaxProblem
from coalition_kg.guards.files import read_text
from coalition_kg.guards.sparql import QueryRefused, check
from coalition_kg.rdf.namespaces import PROV
from coalition_kg.repository import layout as lay

WAS_DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")
Triple = ox.Triple  # hashed once, in Rust: a tuple of terms would hash each term at every lookup


def derive_shortcuts(store: ox.Store, layout: lay.Layout, data_graphs: list[str]) -> int:
    """Run every rule in ontology/rules/ over each of ``data_graphs``; returns the quads written."""
    vocabulary = layout.vocabulary
    for old in list(store.named_graphs()):
        if isinstance(old, ox.NamedNode) and vocabulary.is_derived(old.value):
            store.remove_graph(old)
    shared = [vocabulary.ontology_graph] + [g for g in data_graphs if g == vocabulary.reference_graph]
    own = [g for g in data_graphs if g not in shared]
    shared_target = vocabulary.derived_graph_of(shared[-1]) if len(shared) > 1 else vocabulary.derived_graph
    # dicts as ordered sets: the rules' own order of results, the same on every run and every base
    found: dict[str, dict[Triple, None]] = defaultdict(dict)
    allowed = layout.graphs()
    for path in layout.rule_files():
        text = _rule_text(path, layout, allowed)
        # Naming a few graphs as the default graph is cheap (3.7 s for 5,500 graphs, 1M triples, all
        # rules); naming thousands at once is slow in pyoxigraph: the union is use_default_graph_as_union.
        from_shared = _run(store, text, path, layout, shared)
        found[shared_target].update(from_shared)
        attributed = set(from_shared)
        for graph in own:
            fresh = [t for t in _run(store, text, path, layout, [graph, *shared]) if t not in from_shared]
            found[vocabulary.derived_graph_of(graph)].update(dict.fromkeys(fresh))
            attributed.update(fresh)
        # Only what no single graph gives. A rule whose template makes blank nodes gives new ones on
        # each run, so its triples with blank nodes cannot be compared across runs: they are left out.
        joint = [t for t in _run(store, text, path, layout, None) if t not in attributed and not _has_blank_node(t)]
        found[vocabulary.derived_graph].update(dict.fromkeys(joint))
    quads = [quad for name, triples in found.items() if triples
             for quad in _quads(vocabulary.source_of_derived(name), name, triples)]
    store.extend(quads)
    return len(quads)


def _quads(source: str | None, name: str, triples: Iterable[Triple]) -> list[ox.Quad]:
    """One derived graph, with the line naming the graph it derives from (if one)."""
    graph = ox.NamedNode(name)
    links = [ox.Quad(graph, WAS_DERIVED_FROM, ox.NamedNode(source), graph)] if source else []
    return [*links, *(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)]


def _rule_text(path: Path, layout: lay.Layout, allowed: list[str]) -> str:
    """The rule's text, checked before the engine sees it (no SERVICE, no FROM elsewhere, nothing
    nested deep enough to crash the parser), and a CONSTRUCT: every command runs the rules."""
    shown = layout.relative(path)
    try:
        text = read_text(path, layout.root, layout.shown(path))
        form = check(text, shown, graphs=allowed).form
    except QueryRefused as error:
        raise SyntaxProblem(SourceLocation(shown, error.line, error.column), error.reason) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SyntaxProblem(SourceLocation(shown), f"the rule failed: {error}") from None
    if form != "construct":
        raise SyntaxProblem(SourceLocation(shown), f"a rule must be a CONSTRUCT query, not {form.upper()}")
    return text


def _run(store: ox.Store, text: str, path: Path, layout: lay.Layout,
         default: list[str] | None) -> dict[Triple, None]:
    """The rule's triples over ``default`` as the default graph (None: the union of every graph)."""
    try:
        if default is None:
            answer = store.query(text, use_default_graph_as_union=True)
        else:
            answer = store.query(text, default_graph=[ox.NamedNode(g) for g in default])
        return dict.fromkeys(cast("ox.QueryTriples", answer))
    except SyntaxError as error:
        shown = layout.relative(path)  # only now: resolving a path for each of thousands of runs costs
        message = " ".join(str(error).split())
        at = re.match(r"error at (\d+):(\d+): (.*)", message)  # file:line:col, as a stored query's
        location = SourceLocation(shown, *(int(n) for n in at.groups()[:2])) if at else SourceLocation(shown)
        raise SyntaxProblem(location, f"SPARQL syntax error: {at.group(3)}" if at else message) from None
    except OSError as error:
        raise SyntaxProblem(SourceLocation(layout.relative(path)), f"the rule failed: {error}") from None


def _has_blank_node(triple: Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
