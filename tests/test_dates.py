"""Time that knows its precision: the interval every date stands for (ontology/rules/date-intervals.rq),
and the stored queries that compare, order and classify with it. Every expectation is computed by hand;
the `edtf` library (EDTF, ISO 8601-2) is an independent oracle for the intervals and the relations."""

from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from edtf import parse_edtf

from coalition_kg.query.catalogue import read_query
from coalition_kg.query.store import EmbeddedStore
from coalition_kg.repository.dataset import load

ROOT = Path(__file__).resolve().parents[1]
ID = "https://w3id.org/coalition-kg/id/"
CKG = "https://w3id.org/coalition-kg/ontology#"

# One dated thing per case: (its dates in Turtle, its EDTF form for the oracle; None: undated).
DATED = {
    "day": ('ckg:date "2022-05-11"^^xsd:date', "2022-05-11"),
    "month": ('ckg:date "2022-05"^^xsd:gYearMonth', "2022-05"),
    "year": ('ckg:date "2021"^^xsd:gYear', "2021"),
    # "last year", resolved against a publication of 2 March 2023: the year 2022.
    "relative": ('ckg:date "2022"^^xsd:gYear ; ckg:relativeDate "last year" ; '
                 'ckg:dateResolvedAgainst "2023-03-02"^^xsd:date', "2022"),
    "not-after": ('ckg:notAfter "2022-05-11"^^xsd:date ; ckg:relativeDate "a few months ago"', "../2022-05-11"),
    "missing": ('ckg:relativeDate "some time ago"', None),
    # More of each precision, around the bounds above and around February.
    "day-after-bound": ('ckg:date "2022-05-12"^^xsd:date', "2022-05-12"),
    "june-2022": ('ckg:date "2022-06"^^xsd:gYearMonth', "2022-06"),
    "year-2023": ('ckg:date "2023"^^xsd:gYear', "2023"),
    "march-2023": ('ckg:date "2023-03"^^xsd:gYearMonth', "2023-03"),
    "as-of": ('ckg:asOf "2023-03-02"^^xsd:date', "2023-03-02"),
    "published": ('schema:datePublished "2023-03-02"^^xsd:date', "2023-03-02"),
    "feb-2024": ('ckg:date "2024-02"^^xsd:gYearMonth', "2024-02"),
    "2024-02-29": ('ckg:date "2024-02-29"^^xsd:date', "2024-02-29"),
    "2024-03-01": ('ckg:date "2024-03-01"^^xsd:date', "2024-03-01"),
    "feb-2023": ('ckg:date "2023-02"^^xsd:gYearMonth', "2023-02"),
    "2023-03-01": ('ckg:date "2023-03-01"^^xsd:date', "2023-03-01"),
    "feb-1900": ('ckg:date "1900-02"^^xsd:gYearMonth', "1900-02"),
    "1900-03-01": ('ckg:date "1900-03-01"^^xsd:date', "1900-03-01"),
    "feb-2000": ('ckg:date "2000-02"^^xsd:gYearMonth', "2000-02"),
    "2000-02-29": ('ckg:date "2000-02-29"^^xsd:date', "2000-02-29"),
    "dec-2023": ('ckg:date "2023-12"^^xsd:gYearMonth', "2023-12"),
    "year-2024": ('ckg:date "2024"^^xsd:gYear', "2024"),
    "2024-12-31": ('ckg:date "2024-12-31"^^xsd:date', "2024-12-31"),
}

# The interval of each, by hand: (earliest, latest); None where unknown.
INTERVALS = {
    "day": ("2022-05-11", "2022-05-11"), "month": ("2022-05-01", "2022-05-31"), "year": ("2021-01-01", "2021-12-31"),
    "relative": ("2022-01-01", "2022-12-31"), "not-after": (None, "2022-05-11"), "missing": (None, None),
    "day-after-bound": ("2022-05-12", "2022-05-12"), "june-2022": ("2022-06-01", "2022-06-30"),
    "year-2023": ("2023-01-01", "2023-12-31"), "march-2023": ("2023-03-01", "2023-03-31"),
    "as-of": ("2023-03-02", "2023-03-02"), "published": ("2023-03-02", "2023-03-02"),
    "feb-2024": ("2024-02-01", "2024-02-29"), "2024-02-29": ("2024-02-29", "2024-02-29"),
    "2024-03-01": ("2024-03-01", "2024-03-01"), "feb-2023": ("2023-02-01", "2023-02-28"),
    "2023-03-01": ("2023-03-01", "2023-03-01"), "feb-1900": ("1900-02-01", "1900-02-28"),
    "1900-03-01": ("1900-03-01", "1900-03-01"), "feb-2000": ("2000-02-01", "2000-02-29"),
    "2000-02-29": ("2000-02-29", "2000-02-29"), "dec-2023": ("2023-12-01", "2023-12-31"),
    "year-2024": ("2024-01-01", "2024-12-31"), "2024-12-31": ("2024-12-31", "2024-12-31"),
}

# Every pair of precisions (day, month, year, relative, not after, missing), first against second, by hand.
PRECISIONS = ["day", "month", "year", "relative", "not-after", "missing"]
B, A, OV, U = "before", "after", "overlapping", "unknown"
MATRIX = {  # rows: first; columns in the order of PRECISIONS
    "day":       [OV, OV, A, OV, U, U],  # 11 May 2022 lies in May 2022 and in 2022; after 2021
    "month":     [OV, OV, A, OV, U, U],
    "year":      [B, B, OV, B, U, U],  # 2021 ends before 2022 begins
    "relative":  [OV, OV, A, OV, U, U],
    "not-after": [U, U, U, U, U, U],  # no earliest day: never after; not before what begins by 11 May 2022
    "missing":   [U, U, U, U, U, U],
}
# Pairs at the bounds: "not after" against later and equal dates, leap-year Februaries, year ends.
PAIRS = [
    ("not-after", "day-after-bound", B), ("day-after-bound", "not-after", A), ("not-after", "day", U),
    ("not-after", "june-2022", B), ("not-after", "month", U), ("not-after", "year-2023", B),
    ("not-after", "relative", U), ("not-after", "as-of", B), ("published", "not-after", A),
    ("month", "day", OV), ("year", "march-2023", B), ("as-of", "published", OV), ("march-2023", "as-of", OV),
    ("feb-2024", "2024-02-29", OV), ("feb-2024", "2024-03-01", B), ("feb-2023", "2023-03-01", B),
    ("2023-03-01", "feb-2023", A), ("feb-1900", "1900-03-01", B), ("feb-2000", "2000-02-29", OV),
    ("dec-2023", "year-2024", B), ("year-2024", "2024-12-31", OV), ("year-2024", "2024-02-29", OV),
    ("missing", "missing", U), ("day", "missing", U),
]

# Member counts and foundings of four made-up organizations, from two made-up sources.
DISPUTES = """
id:org-change skos:prefLabel "Org with a change"@en .
id:c10 a ckg:MemberCountObservation ; ckg:countOf id:org-change ; ckg:memberCount 10 ;
    ckg:asOf "2020-01-01"^^xsd:date ; prov:wasDerivedFrom src:zz-a .
id:c11 a ckg:MemberCountObservation ; ckg:countOf id:org-change ; ckg:memberCount 11 ;
    ckg:asOf "2021-06-01"^^xsd:date ; prov:wasDerivedFrom src:zz-b .
id:f-change-1 a ckg:Founding ; ckg:foundedOrganization id:org-change ; ckg:date "2015"^^xsd:gYear ;
    prov:wasDerivedFrom src:zz-a .
id:f-change-2 a ckg:Founding ; ckg:foundedOrganization id:org-change ; ckg:date "2016-03"^^xsd:gYearMonth ;
    prov:wasDerivedFrom src:zz-b .

id:org-conflict skos:prefLabel "Org with a conflict"@en .
id:c20 a ckg:MemberCountObservation ; ckg:countOf id:org-conflict ; ckg:memberCount 20 ;
    ckg:asOf "2021-06-01"^^xsd:date ; prov:wasDerivedFrom src:zz-a .
id:c21 a ckg:MemberCountObservation ; ckg:countOf id:org-conflict ; ckg:memberCount 21 ;
    ckg:asOf "2021-06-01"^^xsd:date ; prov:wasDerivedFrom src:zz-b .
id:f-conflict-1 a ckg:Founding ; ckg:foundedOrganization id:org-conflict ; ckg:date "2015"^^xsd:gYear ;
    prov:wasDerivedFrom src:zz-a .
id:f-conflict-2 a ckg:Founding ; ckg:foundedOrganization id:org-conflict ; ckg:date "2015-03"^^xsd:gYearMonth ;
    prov:wasDerivedFrom src:zz-b .

id:org-unknown skos:prefLabel "Org with undecidable dates"@en .
id:c30 a ckg:MemberCountObservation ; ckg:countOf id:org-unknown ; ckg:memberCount 30 ;
    ckg:notAfter "2021-12-31"^^xsd:date ; prov:wasDerivedFrom src:zz-a .
id:c31 a ckg:MemberCountObservation ; ckg:countOf id:org-unknown ; ckg:memberCount 31 ;
    ckg:asOf "2021-06-01"^^xsd:date ; prov:wasDerivedFrom src:zz-b .
id:f-unknown-1 a ckg:Founding ; ckg:foundedOrganization id:org-unknown ; ckg:date "2015"^^xsd:gYear ;
    prov:wasDerivedFrom src:zz-a .
id:f-unknown-2 a ckg:Founding ; ckg:foundedOrganization id:org-unknown ; ckg:relativeDate "years ago" ;
    ckg:notAfter "2014-12-31"^^xsd:date ; prov:wasDerivedFrom src:zz-b .

id:org-agree skos:prefLabel "Org whose sources agree"@en .
id:c40a a ckg:MemberCountObservation ; ckg:countOf id:org-agree ; ckg:memberCount 40 ;
    ckg:asOf "2021-06-01"^^xsd:date ; prov:wasDerivedFrom src:zz-a .
id:c40b a ckg:MemberCountObservation ; ckg:countOf id:org-agree ; ckg:memberCount 40 ;
    ckg:notAfter "2021-06-01"^^xsd:date ; prov:wasDerivedFrom src:zz-b .
id:f-agree-1 a ckg:Founding ; ckg:foundedOrganization id:org-agree ; ckg:date "2015"^^xsd:gYear ;
    prov:wasDerivedFrom src:zz-a .
id:f-agree-2 a ckg:Founding ; ckg:foundedOrganization id:org-agree ; ckg:relativeDate "a while ago" ;
    ckg:notAfter "2016-01-01"^^xsd:date ; prov:wasDerivedFrom src:zz-b .

id:org-tie skos:prefLabel "Org whose last count is a tie"@en .
id:c50 a ckg:MemberCountObservation ; ckg:countOf id:org-tie ; ckg:memberCount 50 ;
    ckg:notAfter "2023-03-02"^^xsd:date ; prov:wasDerivedFrom src:zz-a .
id:c51 a ckg:MemberCountObservation ; ckg:countOf id:org-tie ; ckg:memberCount 51 ;
    ckg:asOf "2023-03-02"^^xsd:date ; prov:wasDerivedFrom src:zz-b .
id:c49 a ckg:MemberCountObservation ; ckg:countOf id:org-tie ; ckg:memberCount 49 ;
    ckg:asOf "2019-01-01"^^xsd:date ; prov:wasDerivedFrom src:zz-b .
"""

PREFIXES = """@prefix ckg: <https://w3id.org/coalition-kg/ontology#> .
@prefix id: <https://w3id.org/coalition-kg/id/> .
@prefix src: <https://w3id.org/coalition-kg/source/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> EmbeddedStore:
    """The repository with one more data file holding the cases above, loaded as every command loads it."""
    copy = tmp_path_factory.mktemp("dates") / "repo"
    for name in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / name, copy / name)
    things = "".join(f"id:dated-{name} {turtle} .\n" for name, (turtle, _) in DATED.items())
    (copy / "data" / "sources" / "zz_dates.ttl").write_text(PREFIXES + things + DISPUTES, encoding="utf-8")
    return EmbeddedStore(load(copy))


def ask(store: EmbeddedStore, name: str, **values: str) -> list[dict[str, str]]:
    query = read_query(ROOT / "queries" / f"{name}.rq")
    rows = store.select(query.text, query.bind(values)).rows
    return [{k: v.value for k, v in row.items()} for row in rows]


def compare(store: EmbeddedStore, first: str, second: str) -> str:
    rows = ask(store, "date-comparison", first=f"{ID}dated-{first}", second=f"{ID}dated-{second}")
    assert len(rows) == 1
    return rows[0]["relation"]


def oracle_bounds(name: str) -> tuple[float | date, float | date]:
    """EDTF's strict bounds of the same date: -inf and +inf where a bound is open or the date missing."""
    text = DATED[name][1]
    if text is None:
        return -math.inf, math.inf
    parsed = parse_edtf(text)
    low, high = parsed.lower_strict(), parsed.upper_strict()
    return (low if isinstance(low, float) else date(*low[:3]), high if isinstance(high, float) else date(*high[:3]))


def oracle_relation(first: str, second: str) -> str:
    (e1, l1), (e2, l2) = oracle_bounds(first), oracle_bounds(second)
    if isinstance(l1, date) and isinstance(e2, date) and l1 < e2:
        return B
    if isinstance(l2, date) and isinstance(e1, date) and l2 < e1:
        return A
    return OV if all(isinstance(x, date) for x in (e1, l1, e2, l2)) else U


@pytest.mark.parametrize("name", sorted(DATED))
def test_every_date_derives_the_interval_it_stands_for(store, name):
    rows = store.select(f"SELECT ?e ?l WHERE {{ OPTIONAL {{ <{ID}dated-{name}> <{CKG}earliestDate> ?e }} "
                        f"OPTIONAL {{ <{ID}dated-{name}> <{CKG}latestDate> ?l }} }}").rows
    assert len(rows) == 1
    got = tuple(rows[0][v].value if v in rows[0] else None for v in ("e", "l"))
    assert got == INTERVALS[name]
    assert all(rows[0][v].datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#date") for v in rows[0])
    low, high = oracle_bounds(name)  # the independent library agrees on every bound it knows
    assert got == (low.isoformat() if isinstance(low, date) else None, high.isoformat() if isinstance(high, date)
                   else None)


@pytest.mark.parametrize("first", PRECISIONS)
@pytest.mark.parametrize("second", PRECISIONS)
def test_comparison_at_every_pair_of_precisions(store, first, second):
    expected = MATRIX[first][PRECISIONS.index(second)]
    assert oracle_relation(first, second) == expected
    assert compare(store, first, second) == expected


@pytest.mark.parametrize(("first", "second", "expected"), PAIRS, ids=str)
def test_comparison_at_the_bounds_and_in_leap_years(store, first, second, expected):
    assert oracle_relation(first, second) == expected
    assert compare(store, first, second) == expected


def test_comparison_of_the_real_dates(dataset):
    real = EmbeddedStore(dataset)

    def rel(a: str, b: str) -> str:
        return ask(real, "date-comparison", first=a, second=b)[0]["relation"]

    assert rel("2022-05-afg-plenary-africa", "2022-05-11-coalition-ministerial-marrakech") == OV
    assert rel("003_73e3b687882f6e77/africa-focus-group-founding", "2023-03-01-afg-plenary-niamey") == B
    assert rel("000_28830c00cecbbf69/coalition-member-count", "003_73e3b687882f6e77/coalition-member-count") == B
    afg_000 = "000_28830c00cecbbf69/africa-focus-group-founding"
    afg_003 = "003_73e3b687882f6e77/africa-focus-group-founding"
    assert rel(afg_000, afg_003) == U  # "a few months ago", not after 11 May 2022, against "in 2021"
    assert rel("2018-06-coalition-political-directors", "000_28830c00cecbbf69/coalition-founding") == A


CONFLICT = "conflict at the same time"


def disputes(store: EmbeddedStore, subject: str) -> set[tuple[str, str, str]]:
    return {(r["disputed"], r["value"], r["kind"]) for r in ask(store, "source-disagreements")
            if r["subject"] == ID + subject}


def test_disagreements_a_change_over_time(store):
    assert disputes(store, "org-change") == {
        ("member count", "10", "change over time"), ("member count", "11", "change over time"),
        ("founding date", "2015", CONFLICT), ("founding date", "2016-03", CONFLICT)}


def test_disagreements_a_conflict_at_the_same_time(store):
    # 20 and 21 members on the same day conflict; founded in 2015 and in March 2015 may agree.
    assert disputes(store, "org-conflict") == {
        ("member count", "20", "conflict at the same time"), ("member count", "21", "conflict at the same time")}


def test_disagreements_that_the_dates_cannot_decide(store):
    # 30 "not after" the end of 2021 may be before, on or after 1 June 2021; a founding "years ago",
    # not after 2014, cannot be the founding in 2015.
    assert disputes(store, "org-unknown") == {
        ("member count", "30", "cannot tell"), ("member count", "31", "cannot tell"),
        ("founding date", "years ago", CONFLICT), ("founding date", "2015", CONFLICT)}


def test_agreeing_sources_are_no_disagreement(store):
    assert disputes(store, "org-agree") == set()


def test_the_real_member_counts_are_a_change_over_time(dataset):
    rows = ask(EmbeddedStore(dataset), "source-disagreements")
    assert {(r["value"], r["kind"]) for r in rows} == {("84", "change over time"), ("85", "change over time")}


def as_of(store: EmbeddedStore, organization: str, day: str) -> list[tuple[str, str]]:
    return [(r["count"], r["tie"]) for r in ask(store, "member-count-as-of", organization=organization, asOf=day)]


@pytest.mark.parametrize(("day", "expected"), [
    ("2023-03-02", [("85", "false")]),  # stated that day
    ("2023-03-01", [("84", "false")]),  # the 85 is not stated yet; 84 was, on or before 11 May 2022
    ("2022-05-11", [("84", "false")]),
    ("2022-05-10", []),  # the 84 may not have been stated yet: no count is certain
    ("2030-01-01", [("85", "false")]),
])
def test_member_count_as_of_a_date(dataset, day, expected):
    assert as_of(EmbeddedStore(dataset), "global-coalition-to-defeat-isis", day) == expected


@pytest.mark.parametrize(("organization", "day", "expected"), [
    ("org-change", "2021-06-01", [("11", "false")]),
    ("org-change", "2020-12-31", [("10", "false")]),
    ("org-change", "2019-12-31", []),
    ("org-conflict", "2021-06-01", [("20", "true"), ("21", "true")]),
    ("org-agree", "2021-06-01", [("40", "false"), ("40", "false")]),  # two sources, one value
    # 50 "not after" 2 March 2023 may have been stated after 51; both supersede the 49 of 2019.
    ("org-tie", "2023-03-02", [("50", "true"), ("51", "true")]),
    ("org-tie", "2023-03-01", [("49", "false")]),
])
def test_member_count_as_of_says_when_sources_tie(store, organization, day, expected):
    assert sorted(as_of(store, organization, day)) == expected


def test_every_dated_fact_exposes_its_interval_under_one_property(dataset):
    """One pattern finds every dated thing of the real data, whatever its kind of date."""
    rows = EmbeddedStore(dataset).select(
        f"SELECT ?thing ?l WHERE {{ ?thing <{CKG}latestDate> ?l }} ORDER BY ?l").rows
    found = [(r["thing"].value.removeprefix(ID).removeprefix("https://w3id.org/coalition-kg/source/"), r["l"].value)
             for r in rows]
    assert [day for _, day in found] == sorted(day for _, day in found)  # xsd:date orders in SPARQL
    assert sorted(found, key=lambda x: (x[1], x[0])) == [
        ("000_28830c00cecbbf69/coalition-founding", "2014-09-30"),
        ("003_73e3b687882f6e77/coalition-founding", "2014-09-30"),
        ("2018-06-coalition-political-directors", "2018-06-30"),
        ("003_73e3b687882f6e77/africa-focus-group-founding", "2021-12-31"),
        ("000_28830c00cecbbf69", "2022-05-11"),  # the undated press release: written on or before the meeting
        # and what it says holds "now", or happened before it was written, no later than that day
        ("000_28830c00cecbbf69/africa-focus-group-creation-announcement", "2022-05-11"),
        ("000_28830c00cecbbf69/africa-focus-group-founding", "2022-05-11"),
        ("000_28830c00cecbbf69/blinken-secretary-of-state", "2022-05-11"),
        ("000_28830c00cecbbf69/bourita-minister", "2022-05-11"),
        ("000_28830c00cecbbf69/coalition-member-count", "2022-05-11"),
        ("000_28830c00cecbbf69/mohammed-vi-king", "2022-05-11"),
        ("000_28830c00cecbbf69/morocco-co-chair-africa-focus-group", "2022-05-11"),
        ("000_28830c00cecbbf69/morocco-co-chair-gctf", "2022-05-11"),
        ("000_28830c00cecbbf69/morocco-host-state-unoct-africa", "2022-05-11"),
        ("2022-05-11-coalition-ministerial-marrakech", "2022-05-11"),
        ("2022-05-afg-plenary-africa", "2022-05-31"),
        ("003_73e3b687882f6e77/chekkori-director-of-global-issues", "2023-03-01"),
        ("2023-03-01-afg-plenary-niamey", "2023-03-01"),
        ("003_73e3b687882f6e77", "2023-03-02"),
        ("003_73e3b687882f6e77/coalition-member-count", "2023-03-02"),
    ]
