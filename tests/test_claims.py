"""Attributed claims (DESIGN rule 9) in the query layer and the site: the stored query claims-about
lists them by source, and an entity's page shows them in a section of their own, never among its
facts. Over a fixture document of claims (tests/fixtures/claims/), so that the answers, worked out by
hand from that file, do not move with the real documents' claims (tests/golden/claims-about.json)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coalition_kg.query.catalogue import read_query
from coalition_kg.query.store import EmbeddedStore
from coalition_kg.repository.dataset import load
from coalition_kg.site.generate import build_site

from .sitecheck import BASE, Page
from .terms import parse_term

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "claims" / "901_0000000000000c1a.ttl"
SOURCE = "src:901_0000000000000c1a"
F = "<" + BASE + "id/901_0000000000000c1a/"
KING = (F + "claim-a-king-and-kingdom>", '"The Kingdom acts under the vision of its King"@en', "ckg:characterisation",
        "ckg:favourable", '"under the vision of His Majesty"')
PARTNER = (F + "claim-b-steadfast-partner>", '"Morocco is a steadfast partner"@en', "ckg:praise", "ckg:favourable")
STEP = (F + "claim-c-another-step>", '"The meeting is another step"@en', "ckg:framing", None,
        '"another step in the pursuit"')


def row(claim, label, kind, stance, quote) -> dict:
    cells = {"claim": claim, "label": label, "kind": kind, "stance": stance, "source": SOURCE, "quote": quote}
    return {name: parse_term(value) for name, value in cells.items() if value is not None}


@pytest.fixture(scope="module")
def with_claims(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("claims") / "repo"
    for name in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / name, copy / name)
    shutil.copyfile(FIXTURE, copy / "data" / "sources" / FIXTURE.name)
    return copy


def claims(root: Path, **params: str) -> list[dict]:
    """The query's rows from the fixture document only: the real documents have claims of their own."""
    query = read_query(root / "queries" / "claims-about.rq")
    rows = EmbeddedStore(load(root)).select(query.text, query.bind(params)).rows
    return [r for r in rows if r["source"] == parse_term(SOURCE)]


def test_the_claims_about_an_entity_by_source_then_claim_one_row_per_quote(with_claims):
    # A claim about two entities (the King and the Kingdom) is about each; the steadfast-partner claim
    # has two quotes, so two rows, in the order of their text ("M" before "a").
    assert claims(with_claims, entity=BASE + "id/morocco") == [
        row(*KING), row(*PARTNER, '"Morocco, a steadfast partner"'), row(*PARTNER, '"a partner of every hour"')]
    assert claims(with_claims, entity="mohammed-vi") == [row(*KING)]


def test_without_an_entity_every_claim_once_and_a_claim_without_stance_has_none(with_claims):
    rows = claims(with_claims)
    assert rows == [row(*KING), row(*PARTNER, '"Morocco, a steadfast partner"'),
                    row(*PARTNER, '"a partner of every hour"'), row(*STEP)]
    assert "stance" not in rows[-1]


@pytest.fixture(scope="module")
def site_pages(with_claims, tmp_path_factory) -> dict[str, Page]:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(load(with_claims), out)
    return {p.relative_to(out).as_posix(): Page(p.read_text(encoding="utf-8")) for p in out.rglob("*.html")}


def section(text: str, heading: str) -> str:
    """The text of a page from a heading to the next h2 heading's text (the pages' h2 are known)."""
    start = text.index(heading)
    ends = [text.find(h, start + len(heading)) for h in ("Referred to by", "Outside identifiers", "Data")]
    return text[start:min(e for e in ends if e > 0)]


def test_the_entity_page_shows_what_the_sources_say_of_it_apart_from_its_facts(site_pages):
    page = site_pages["id/morocco.html"]
    said = section(page.text, "What the sources say of it")
    for words in ("Per Fixture document of claims", "Morocco is a steadfast partner", "praise", "favourable",
                  "Morocco, a steadfast partner", "a partner of every hour",
                  "The Kingdom acts under the vision of its King", "characterisation",
                  "under the vision of His Majesty"):
        assert words in said, words
    assert "The meeting is another step" not in page.text  # about the meeting, not Morocco
    before = page.text[:page.text.index("What the sources say of it")]
    after = page.text[page.text.index("What the sources say of it") + len(said):]
    for label in ("Morocco is a steadfast partner", "The Kingdom acts under the vision of its King"):
        assert label not in before and label not in after  # not among the facts, nor in "Referred to by"
    targets = {value for _, _, value in page.refs}
    assert "../source/901_0000000000000c1a.html" in targets  # the source, linked
    assert "901_0000000000000c1a/claim-b-steadfast-partner.html" in targets  # the claim's own page
    assert site_pages["id/mohammed-vi.html"].text.count("The Kingdom acts under the vision of its King") == 1


def test_a_claim_has_its_own_page_and_the_document_lists_its_claims_apart(site_pages):
    page = site_pages["id/901_0000000000000c1a/claim-c-another-step.html"].text
    for words in ("The meeting is another step", "not a fact about the world", "framing",
                  "another step in the pursuit", "Fixture document of claims",
                  "Ministerial Meeting of the Global Coalition to defeat ISIS, Marrakech, 11 May 2022"):
        assert words in page, words
    document = site_pages["source/901_0000000000000c1a.html"].text
    assert "What it says in its own voice (3)" in document and "Facts drawn from this document (0)" in document
    assert "Sentences read and left out (1)" in document and "A sentence on terrorism in general" in document
    assert "Claims (" in site_pages["index.html"].text
