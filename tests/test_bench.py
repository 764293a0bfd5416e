"""The benchmark runs end to end at its smallest size: every step measured, the plain path run and
compared, the table, the targets, the JSON and the plot written. (Its numbers are not tested: a
benchmark reports speed, a test does not judge it.)"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from coalition_kg.authoring.synth import VIOLATIONS
from coalition_kg.query.catalogue import load_catalogue
from coalition_kg.repository.layout import Layout

pytestmark = pytest.mark.bench  # the benchmark itself, at its smallest size: half a minute


def test_the_benchmark_runs_at_the_smallest_size(root, tmp_path):
    out = tmp_path / "bench"
    done = subprocess.run([sys.executable, str(root / "benchmarks" / "bench.py"), "--sizes", "1300,2600",
                           "--out", str(out), "--plain-limit", "300"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads((out / "results.json").read_text())
    queries = {f"query {name}" for name in load_catalogue(Layout.at(root))}
    exports = {f"export-{fmt}" for fmt in ("turtle", "nt", "xml", "jsonld", "trig", "nquads")}
    steps = {"load", "store-build", "store-reopen", "derive", "validate", "shacl", "infer", "plain-load",
             "plain-shacl", "plain-infer"}
    steps |= {"previous-infer"} if importlib.util.find_spec("reasonable") else set()  # the engine replaced
    assert set(results["steps"]) == steps | queries | exports
    built, reopened = results["steps"]["store-build"], results["steps"]["store-reopen"]
    assert [row["triples"] for row in built] == [row["triples"] for row in reopened]
    assert all(row["triples"] > row["size"] * 0.5 for row in built)
    for step, rows in results["steps"].items():
        assert [row["size"] for row in rows] == [1300, 2600], step
        assert all(row["seconds"] is not None and row["seconds"] >= 0 for row in rows), step
    agreements = {(a["what"], a["size"]): a for a in results["agreements"]}
    assert set(agreements) == {(what, size) for what in ("validation results", "entailments") for size in (1300, 2600)}
    assert all(a["same"] for a in agreements.values()), agreements
    # 2,600 triples is 14 documents: one violation of each of the 14 kinds and one copy of every
    # invalid example, each found by both engines, and nothing else
    injected = agreements[("validation results", 2600)]
    assert injected["injected"] == injected["injected_found"] == injected["reported_pairs"] > len(VIOLATIONS) == 14
    assert (out / "timings.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "targets at 2,600 triples" in (out / "table.txt").read_text()
    assert "plain/ours" in done.stdout and "targets at 2,600 triples" in done.stdout
    assert "worst growth exponent" in done.stdout
    assert set(results["startup"]) == {"coalition-kg --help", "coalition-kg validate"}
    assert all(row["seconds"] > 0 for row in results["startup"].values())
    assert "coalition-kg validate (real data)" in done.stdout
