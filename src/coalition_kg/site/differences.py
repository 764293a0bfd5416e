"""Where the sources differ, on the page of what they differ about: each value with its dates, its
source and whether the difference is a change over time or a conflict at the same time. The
classification is the stored query `source-disagreements`' own, run here, so the site and the query
cannot say different things; a repository without that query gets no such section."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import pyoxigraph as ox

from coalition_kg.query.catalogue import catalogue_of
from coalition_kg.query.store import EmbeddedStore, answer
from coalition_kg.repository.dataset import Dataset
from coalition_kg.site.facts import Writer

QUERY = "source-disagreements"
Row = Mapping[str, object]  # a result row: variable -> RDF term


def differences_by_subject(dataset: Dataset) -> dict[str, list[Row]]:
    """The stored query's rows, by the IRI of the subject they disagree about."""
    query = catalogue_of(dataset).get(QUERY)
    if query is None:
        return {}
    found: dict[str, list[Row]] = {}
    for row in answer(EmbeddedStore(dataset), query, {}).rows:
        subject = row.get("subject")
        if isinstance(subject, ox.NamedNode):
            found.setdefault(subject.value, []).append(row)
    return found


def differences_section(w: Writer, rows: list[Row]) -> str:
    """The rows as a list: what is disputed, the value, the days it can fall on, the source, the kind."""
    items = []
    for row in rows:
        disputed, value, kind = (row.get(name) for name in ("disputed", "value", "kind"))
        earliest, latest, source = row.get("earliest"), row.get("latest"), row.get("source")
        first = earliest.value if isinstance(earliest, ox.Literal) else None
        last = latest.value if isinstance(latest, ox.Literal) else None
        when = ""
        if first and last:
            when = f" ({escape(first)})" if first == last else f" (between {escape(first)} and {escape(last)})"
        elif last:
            when = f" (on or before {escape(last)})"
        elif first:
            when = f" (on or after {escape(first)})"
        named = w.term(source) if isinstance(source, ox.NamedNode) else "an unnamed source"
        items.append(f"<li>{escape(getattr(disputed, 'value', ''))}: <strong>{escape(getattr(value, 'value', ''))}"
                     f"</strong>{when}, per {named}"
                     f' — <span class="kind">{escape(getattr(kind, "value", "cannot tell"))}</span></li>')
    return ('<h2>Where the sources differ</h2><p class="meta">Each value stays, with its source and the days '
            'its date can stand for: a change over time where those days cannot overlap, a conflict at the '
            'same time where they share a day, and cannot tell where a date is open at one end.</p>'
            f'<ul class="plain">{"".join(items)}</ul>')
