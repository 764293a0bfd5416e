"""The derived graph: shortcut triples computed from qualified facts (DESIGN rule 4)."""

from __future__ import annotations

import re

import pyoxigraph as ox

from . import layout as lay
from .dataset import Dataset
from .errors import SourceLocation, SyntaxProblem
from .jail import read_text
from .sparql_text import asks_for_service


def materialise(dataset: Dataset) -> int:
    """Run every rule in ontology/rules/ over the asserted graphs; returns the triples derived."""
    store = dataset.store
    derived = ox.NamedNode(lay.DERIVED_GRAPH)
    if derived in set(store.named_graphs()):
        store.remove_graph(derived)
    # With the derived graph cleared, the union of all graphs is exactly the asserted ones; naming
    # them one by one as the default graph is slow in pyoxigraph (15 s for 550 graphs, 100k triples).
    added = 0
    for path in dataset.layout.rule_files():
        try:
            text = read_text(path, dataset.layout.root, dataset.layout.shown(path))
            if asks_for_service(text):  # every command runs the rules: none may reach out to the network
                raise SyntaxError("a rule derives from the repository's own graphs; SERVICE is not allowed")
            triples = list(store.query(text, use_default_graph_as_union=True))
        except SyntaxError as error:
            message = " ".join(str(error).split())
            at = re.match(r"error at (\d+):(\d+): (.*)", message)  # file:line:col, as a stored query's
            location = SourceLocation(dataset.layout.relative(path), *(int(n) for n in at.groups()[:2])) if at else \
                SourceLocation(dataset.layout.relative(path))
            raise SyntaxProblem(location, f"SPARQL syntax error: {at.group(3)}" if at else message) from None
        except (OSError, UnicodeDecodeError) as error:
            raise SyntaxProblem(SourceLocation(dataset.layout.relative(path)), f"the rule failed: {error}") from None
        store.extend(ox.Quad(t.subject, t.predicate, t.object, derived) for t in triples)
        added += len(triples)
    return added
