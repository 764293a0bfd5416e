"""validate's report of the catalogue shapes names the stored query a result is about."""

from __future__ import annotations

from coalition_kg.check.validate import check_catalogue
from coalition_kg.query.catalogue import load_catalogue
from coalition_kg.repository import layout as lay
from coalition_kg.repository.dataset import load


def test_a_query_breaking_a_catalogue_shape_is_named_itself(repo_copy):
    """A summary too short (dct:title, sh:minLength 10) on the first query of several: the problem's focus
    and file are that query's, not another's of the catalogue."""
    queries = sorted(load_catalogue(lay.Layout.at(repo_copy)))
    first = queries[0]
    assert len(queries) > 1 and first != queries[-1]
    path = repo_copy / "queries" / f"{first}.rq"
    text = path.read_text(encoding="utf-8")
    summary = next(line for line in text.splitlines() if line.startswith("#+ summary:"))
    path.write_text(text.replace(summary, "#+ summary: Short", 1), encoding="utf-8")
    problems = [p for p in check_catalogue(load(repo_copy)) if "title" in p.path]  # dct:title
    assert [(p.file, p.focus) for p in problems] == [(f"queries/{first}.rq", f"query {first}")], problems
