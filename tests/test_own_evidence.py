"""Every statement has its own evidence (issue 16): in a source document's graph, a triple on no node
with provenance is a bare triple, reported at its subject's line; a link between entities is stated
as a ckg:StatedLink, whose plain triple a rule derives, for the properties the ontology allows only.
Fixture: tests/fixtures/evidence/900_0000000000000bad.ttl, where every node but the last two triples
carries its source (the lines below are that file's)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from coalition_kg.check.own_evidence import check_own_evidence
from coalition_kg.repository.dataset import load
from coalition_kg.repository.vocabulary import DEFAULT as V

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "evidence" / "900_0000000000000bad.ttl"
SHOWN = "data/sources/900_0000000000000bad.ttl"
ID, ORG = V.base + "id/", "http://www.w3.org/ns/org#"


@pytest.fixture
def with_bare(repo_copy) -> Path:
    shutil.copyfile(FIXTURE, repo_copy / "data" / "sources" / FIXTURE.name)
    return repo_copy


def test_each_bare_triple_is_an_error_at_its_subjects_line_and_nothing_else_is(with_bare):
    found = [p for p in check_own_evidence(load(with_bare)) if p.file == SHOWN]
    assert [(p.line, p.severity, p.focus, p.path, p.value) for p in found] == [
        (48, "error", f"<{ID}x>", "org:postIn", "id:y"),
        (50, "error", f"<{ID}africa-focus-group>", "ckg:groupOf", "id:global-coalition-to-defeat-isis"),
    ]
    assert "bare triple id:x org:postIn id:y" in found[0].message and "ckg:StatedLink" in found[0].message


def test_validate_fails_and_names_the_file_and_line(cli, with_bare):
    run = cli("--root", str(with_bare), "validate", "--no-reasoning")
    assert run.code == 1
    assert f"{SHOWN}:48: error: bare triple id:x org:postIn id:y" in run.out
    assert f"{SHOWN}:50: error: bare triple id:africa-focus-group ckg:groupOf id:global-coalition-to-defeat-isis" \
        in run.out


def test_a_document_whose_triples_all_carry_provenance_passes(with_bare):
    text = FIXTURE.read_text(encoding="utf-8")
    (with_bare / "data" / "sources" / FIXTURE.name).write_text(text[:text.index("id:x org:postIn")], encoding="utf-8")
    assert [p for p in check_own_evidence(load(with_bare)) if p.file == SHOWN] == []


def test_a_stated_link_derives_its_triple_for_a_stated_property_only(with_bare):
    dataset = load(with_bare)
    derived = ox.NamedNode(V.derived_graph_of(V.graph(FIXTURE.stem)))
    triples = {(q.subject.value, q.predicate.value, q.object.value)
               for q in dataset.store.quads_for_pattern(None, None, None, derived)}
    assert (ID + "fixture-post", ORG + "postIn", ID + "morocco") in triples
    # the same node shape with owl:sameAs, which the ontology does not list with ckg:statedProperty
    assert not [t for t in triples if t[1] == "http://www.w3.org/2002/07/owl#sameAs"]


def test_a_qualified_fact_without_its_source_is_left_to_its_shape(with_bare):
    """cs:QualifiedFact-source reports the role that lost its prov:wasDerivedFrom: one mistake, one report."""
    text = FIXTURE.read_text(encoding="utf-8")
    source = "prov:hadRole ckg:host ;\n    prov:wasDerivedFrom src:900_0000000000000bad ;"
    without = text.replace(source, "prov:hadRole ckg:host ;\n    # its source, removed")  # the lines stay
    assert without != text
    (with_bare / "data" / "sources" / FIXTURE.name).write_text(without, encoding="utf-8")
    assert [p.line for p in check_own_evidence(load(with_bare)) if p.file == SHOWN] == [48, 50]
