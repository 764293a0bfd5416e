"""A stored query answered and written: the one writer behind `coalition-kg query NAME --format F`,
`build`'s OUT/queries/NAME.F and serve's /queries/NAME(.F), so that all three give the same bytes."""

from __future__ import annotations

from coalition_kg.errors import CoalitionKGError
from coalition_kg.query.catalogue import StoredQuery, Values
from coalition_kg.query.result_formats import render
from coalition_kg.query.store import Store, answer
from coalition_kg.repository.vocabulary import DEFAULT, Vocabulary


class TooManyRows(CoalitionKGError):
    """An answer past a server's row cap: counted before anything is written."""


def stored_answer(store: Store, query: StoredQuery, values: Values, fmt: str,
                  max_rows: int | None = None, vocabulary: Vocabulary = DEFAULT) -> str:
    """Answer ``query`` with textual parameter ``values`` and write the answer in result format ``fmt``
    (rdf/formats.py; a table abbreviates IRIs with ``vocabulary``'s prefixes); with ``max_rows``, an
    answer of more rows is refused (TooManyRows) before it is written."""
    results = answer(store, query, values)
    if max_rows is not None and len(results.rows) > max_rows:
        raise TooManyRows(f"the answer has more than {max_rows} rows, this server's cap: "
                          "narrow the query or page through it with LIMIT and OFFSET")
    return render(results, fmt, vocabulary)
