"""The synthetic data generator: its data conforms, and injected violations are found exactly."""

from __future__ import annotations

import json

from coalition_kg.authoring.synth import EXAMPLES, EXPECT_LINE, VIOLATIONS, generate
from coalition_kg.check.validate import validate
from coalition_kg.repository.dataset import load
from coalition_kg.repository.vocabulary import DEFAULT


def test_generated_data_conforms_with_quotes_and_reasoning(synthetic):
    report = validate(load(synthetic), synthetic / "texts", reasoning=True)
    assert report.conforms and report.problems == [], report.text()


def test_generation_is_deterministic(synthetic, root, tmp_path):
    generate(root, tmp_path / "again", documents=12)
    for path in (synthetic / "data").rglob("*.ttl"):
        assert path.read_text() == (tmp_path / "again" / path.relative_to(synthetic)).read_text()


def test_injected_violations_are_found_and_nothing_else(root, tmp_path, seeds):
    out = tmp_path / "repo"
    summary = generate(root, out, documents=len(VIOLATIONS) + 2, violations=1, texts=seeds)
    expected = [(e["shape"], e["focus"]) for e in summary["expected"]]
    examples = [line for path in sorted((root / EXAMPLES).glob("*.ttl"))
                for line in EXPECT_LINE.findall(path.read_text(encoding="utf-8"))]
    assert len(expected) == len(set(expected)) == len(VIOLATIONS) + len(examples)
    # every data shape an example breaks, and every kind, has its violation
    kinds = {DEFAULT.shapes + shape for _, shape in VIOLATIONS}  # VIOLATIONS names them in cs:
    assert {shape for shape, _ in expected} == kinds | {shape for shape, _ in examples}
    found = {(p.shape, p.focus.strip("<>")) for p in validate(load(out), out / "texts", reasoning=False).problems}
    assert found == set(expected)
    assert json.loads((out / "expected-violations.json").read_text())["violations_per_kind"] == 1


def test_synth_command(cli, root, tmp_path):
    result = cli("--root", str(root), "synth", str(tmp_path / "a"), "--triples", "2000")
    assert result.code == 0 and "synth: 11 documents" in result.out
    assert len(list((tmp_path / "a" / "data" / "sources").glob("*.ttl"))) == 11
    assert cli("--root", str(tmp_path / "a"), "validate", "--texts", str(tmp_path / "a" / "texts")).code == 0
    again = cli("--root", str(root), "synth", str(tmp_path / "a"), "--documents", "3")
    assert again.code == 2 and "not empty" in again.err
    neither = cli("--root", str(root), "synth", str(tmp_path / "b"))
    assert neither.code == 2 and "one of --documents or --triples" in neither.err
