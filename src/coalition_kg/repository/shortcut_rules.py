"""The derived graph: shortcut triples computed from qualified facts (DESIGN rule 4)."""

from __future__ import annotations

import re
from typing import cast

import pyoxigraph as ox

from coalition_kg.errors import SourceLocation, SyntaxProblem
from coalition_kg.guards.files import read_text
from coalition_kg.guards.sparql import QueryRefused, check
from coalition_kg.repository import layout as lay


def derive_shortcuts(store: ox.Store, layout: lay.Layout) -> int:
    """Run every rule in ontology/rules/ over the asserted graphs; returns the triples derived."""
    derived = ox.NamedNode(layout.vocabulary.derived_graph)
    if derived in set(store.named_graphs()):
        store.remove_graph(derived)
    # With the derived graph cleared, the union of all graphs is exactly the asserted ones; naming
    # them one by one as the default graph is slow in pyoxigraph (15 s for 550 graphs, 100k triples).
    added = 0
    graphs = layout.graphs()
    for path in layout.rule_files():
        shown = layout.relative(path)
        try:
            text = read_text(path, layout.root, layout.shown(path))
            # Every command runs the rules: checked before the engine sees them (no SERVICE, no
            # FROM elsewhere, nothing nested deep enough to crash the parser), and each a CONSTRUCT.
            form = check(text, shown, graphs=graphs).form
            if form != "construct":
                raise SyntaxProblem(SourceLocation(shown), f"a rule must be a CONSTRUCT query, not {form.upper()}")
            triples = list(cast("ox.QueryTriples", store.query(text, use_default_graph_as_union=True)))  # a CONSTRUCT
        except QueryRefused as error:
            raise SyntaxProblem(SourceLocation(shown, error.line, error.column), error.reason) from None
        except SyntaxError as error:
            message = " ".join(str(error).split())
            at = re.match(r"error at (\d+):(\d+): (.*)", message)  # file:line:col, as a stored query's
            location = SourceLocation(shown, *(int(n) for n in at.groups()[:2])) if at else SourceLocation(shown)
            raise SyntaxProblem(location, f"SPARQL syntax error: {at.group(3)}" if at else message) from None
        except (OSError, UnicodeDecodeError) as error:
            raise SyntaxProblem(SourceLocation(shown), f"the rule failed: {error}") from None
        store.extend(ox.Quad(t.subject, t.predicate, t.object, derived) for t in triples)
        added += len(triples)
    return added
