"""Every stored query returns the rows derived by hand from the documents (tests/golden/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coalition_kg.query.catalogue import load_catalogue, read_query
from coalition_kg.query.store import EmbeddedStore
from coalition_kg.repository.layout import Layout

from .terms import parse_term

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
GOLDEN = ROOT / "tests" / "golden"


def test_every_query_has_a_golden_file_and_there_are_at_least_15():
    # Guards against a filter that silently collects fewer data-driven cases than there are files.
    assert len(QUERIES) >= 15
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == [p.stem for p in QUERIES]
    assert len(load_catalogue(Layout.at(ROOT))) == len(QUERIES)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_returns_its_golden_rows(path, entailed):
    # As `coalition-kg query` answers: with the OWL-RL entailments
    golden = json.loads((GOLDEN / f"{path.stem}.json").read_text(encoding="utf-8"))
    query = read_query(path)
    results = EmbeddedStore(entailed).select(query.text, query.bind(golden["params"]))
    assert results.rows, f"{path.stem} returned no rows"
    expected = [{var: parse_term(value) for var, value in row.items()} for row in golden["rows"]]
    if golden["ordered"]:
        assert results.rows == expected
    else:
        key = lambda row: sorted((k, str(v)) for k, v in row.items())  # noqa: E731 (a one-line sort key, next to its use)
        assert sorted(results.rows, key=key) == sorted(expected, key=key)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_golden_params_are_the_header_examples(path):
    golden = json.loads((GOLDEN / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert golden["params"] == read_query(path).example_values()
