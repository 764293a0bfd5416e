"""The suite is as large as it is meant to be: each file's number of test cases, per marker, is the one
tests/collected.json records. A case lost (a file no longer collected, a parametrisation that yields
nothing, a marker put on by mistake) fails here; after adding or removing tests on purpose,
`python -m tests.collection` rewrites the table."""

from __future__ import annotations

import json

from .collection import TABLE, collected, markers_of_ours


def test_every_suite_has_the_expected_number_of_cases(tmp_path):
    expected = json.loads(TABLE.read_text(encoding="utf-8"))
    found = collected(tmp_path / "collected.json")
    differences = {path: {"expected": expected.get(path), "collected": found.get(path)}
                   for path in sorted(set(expected) | set(found)) if expected.get(path) != found.get(path)}
    assert differences == {}, "run `python -m tests.collection` if the change is on purpose"


def test_the_table_names_only_registered_markers_and_the_default_run_is_not_empty():
    expected = json.loads(TABLE.read_text(encoding="utf-8"))
    kinds = {kind for counts in expected.values() for kind in counts}
    assert {part for kind in kinds for part in kind.split("+")} <= {"default", *markers_of_ours()}
    assert sum(counts.get("default", 0) for counts in expected.values()) >= 300
