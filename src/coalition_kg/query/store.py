"""The store interface and the embedded store. Results come back in one normalised shape."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from coalition_kg.errors import CoalitionKGError, QueryProblem
from coalition_kg.guards.sparql import QueryRefused, check
from coalition_kg.query.binding import Bindings, bind
from coalition_kg.query.catalogue import StoredQuery, Values
from coalition_kg.repository.dataset import Dataset

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass
class Results:
    """A SELECT result: variables in order, rows as {variable: term} (unbound ones absent), or an ASK
    answer (``boolean``)."""

    variables: list[str]
    rows: list[dict[str, Term]]
    boolean: bool | None = None


def answer(store: Store, query: StoredQuery, values: Values) -> Results:
    """Answer a stored query with textual parameter values; errors name the query. The text that
    runs, parameters bound, is the text the SPARQL checker passed."""
    bindings = query.bind(values)
    try:
        text = bind(query.text, bindings)
        check(text, query.shown_as or str(query.path), graphs=store.graphs)
        return store.select(text)
    except QueryProblem:
        raise
    except QueryRefused as error:
        raise QueryProblem(query.name, str(error)) from None
    except CoalitionKGError as error:
        raise QueryProblem(query.name, str(error)) from None


class Store(Protocol):
    @property
    def graphs(self) -> list[str]: ...  # the graphs a query's FROM may name: the repository's own

    def select(self, sparql: str, bindings: Bindings | None = None) -> Results: ...


class EmbeddedStore:
    """Queries pyoxigraph's store (the loaded dataset's, in memory or on disk) in process. The default
    graph is the union of every named graph."""

    def __init__(self, dataset: Dataset):
        self.graph, self._layout = dataset.store, dataset.layout

    @functools.cached_property
    def graphs(self) -> list[str]:
        """The graphs a FROM may name: listed once (a walk of data/), and only if a stored query asks."""
        return self._layout.graphs()

    @classmethod
    def over(cls, graph: ox.Store, graphs: list[str]) -> EmbeddedStore:
        """The same over a pyoxigraph store with no Dataset around it (a serve worker's, a scratch one)."""
        store = cls.__new__(cls)
        store.graph, store.__dict__["graphs"] = graph, list(graphs)
        return store

    def select(self, sparql: str, bindings: Bindings | None = None) -> Results:
        try:
            answer = self.graph.query(bind(sparql, bindings or {}), use_default_graph_as_union=True)
            return results_of(answer)  # evaluated as it is read: its errors come from here too
        except SyntaxError as error:
            raise CoalitionKGError(f"SPARQL syntax error: {' '.join(str(error).split())}") from None
        except OSError as error:  # pyoxigraph's evaluation errors (e.g. a bad regex, a SERVICE that fails)
            raise CoalitionKGError(f"the query failed: {error}") from None


def results_of(answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Results:
    """pyoxigraph's answer, whichever store gave it, in the one shape callers see."""
    if isinstance(answer, ox.QueryBoolean):
        return Results([], [], bool(answer))
    if isinstance(answer, ox.QueryTriples):
        rows = [{"subject": t.subject, "predicate": t.predicate, "object": t.object} for t in answer]
        return Results(["subject", "predicate", "object"], rows)
    variables = [v.value for v in answer.variables]
    # A solution iterates its values in the order of the variables; looking each up by name
    # costs a third more than the query itself on large answers.
    rows = [{name: term for name, term in zip(variables, solution, strict=True) if term is not None}
            for solution in answer]
    return Results(variables, rows)
