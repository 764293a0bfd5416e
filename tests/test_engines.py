"""The fast engines are the defaults only because they agree with the reference ones: pyshacl-turbo
with pySHACL, result by result, and `reasonable` with owlrl, entailment by entailment, on the real
data, on every invalid fixture and on synthetic data with injected violations of every kind."""

from __future__ import annotations

import pytest

from coalition_kg import cli
from coalition_kg.dataset import load
from coalition_kg.reasoning import DEFAULT_REASONER, REASONERS, entailments
from coalition_kg.shacl import DEFAULT_ENGINE, ENGINES, result_key
from coalition_kg.synth import VIOLATIONS, generate

from .test_shape_fixtures import FIXTURES, results_with

RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def both_engines(fixture, kind, repo_copy, dataset, tmp_path) -> tuple[set, set]:
    import shutil

    found = []
    for number, engine in enumerate(ENGINES):
        copy = tmp_path / f"copy-{number}"  # a fresh copy each: a fixture is added to the repository
        shutil.copytree(repo_copy, copy)
        found.append({result_key(r) for r in results_with(fixture, kind, engine, copy, dataset)})
    return found[0], found[1]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_validators_agree_on_every_fixture(fixture, repo_copy, dataset, tmp_path):
    turbo, reference = both_engines(fixture, fixture.parent.name, repo_copy, dataset, tmp_path)
    assert turbo == reference
    assert reference, "a fixture that fails nothing proves no agreement"


@pytest.fixture(scope="module")
def injected(tmp_path_factory, root, seeds):
    out = tmp_path_factory.mktemp("engines") / "repo"
    summary = generate(root, out, documents=2 * len(VIOLATIONS) + 3, violations=2, texts=seeds)
    return out, {(e["shape"], e["focus"]) for e in summary["expected"]}


def test_validators_agree_on_injected_violations(injected):
    from coalition_kg.validate import check_data

    repo, expected = injected
    dataset = load(repo)
    found = {engine: check_data(dataset, engine) for engine in ENGINES}
    as_keys = {engine: sorted((p.file, p.line, p.shape, p.focus, p.path, p.value, p.message) for p in problems)
               for engine, problems in found.items()}
    assert as_keys["turbo"] == as_keys["pyshacl"]
    assert {(p.shape, p.focus.strip("<>")) for p in found["turbo"]} == expected
    assert len(expected) > 2 * len(VIOLATIONS)  # the kinds, and two copies of every invalid example


def _text(triples) -> set[str]:
    return {f"{t.subject} {t.predicate} {t.object}" for t in triples}


@pytest.mark.parametrize("which", ["real", "synthetic"])
def test_reasoners_agree(which, dataset, injected):
    data = dataset if which == "real" else load(injected[0])
    found = {reasoner: entailments(data, reasoner) for reasoner in REASONERS}
    assert all(len(set(triples)) == len(triples) for triples in found.values()), "each entailment once"
    fast, reference = (_text(found[reasoner]) for reasoner in REASONERS)
    # owlrl also widens each property's domain and range to every superclass (OWL 2 RL scm-dom1/2,
    # scm-rng1/2); reasonable does not, and its data entailments do not need it.
    schema_only = {t for t in reference - fast if f"<{RDFS}domain>" in t or f"<{RDFS}range>" in t}
    assert fast == reference - schema_only
    assert len(fast) > 100
    assert any("_:" in t and "TextQuoteSelector" in t for t in fast), "blank nodes keep their labels"


def test_the_command_line_offers_exactly_the_engines_there_are():
    options = [p for p in cli.cli.commands["validate"].params if p.name in ("engine", "reasoner")]
    assert {p.name: tuple(p.type.choices) for p in options} == {"engine": ENGINES, "reasoner": REASONERS}
    assert {p.name: p.default for p in options} == {"engine": DEFAULT_ENGINE, "reasoner": DEFAULT_REASONER}


def test_validate_with_the_reference_engines_runs_them_one_at_a_time(cli, root):
    # pySHACL's SPARQL parser (rdflib, pyparsing) failed with a TypeError when the data shapes ran
    # in a second thread while the ontology shapes were parsed in the first.
    for _ in range(3):
        result = cli("--root", str(root), "validate", "--engine", "pyshacl", "--reasoner", "owlrl")
        assert result.code == 0 and result.out.startswith("conforms"), result.err[-500:]
