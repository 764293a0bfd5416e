"""The graph states what the documents say, no more: silences, vague dates, disagreements.
Every expectation below is read off the texts in ../shared/seeds by hand."""

from __future__ import annotations

import pytest

from coalition_kg.query.store import EmbeddedStore

PREFIXES = """
PREFIX ckg: <https://w3id.org/coalition-kg/ontology#>
PREFIX id: <https://w3id.org/coalition-kg/id/>
PREFIX src: <https://w3id.org/coalition-kg/source/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""


@pytest.fixture(scope="module")
def ask(dataset):
    store = EmbeddedStore(dataset)
    return lambda body: store.select(PREFIXES + "ASK {" + body + "}").boolean


@pytest.fixture(scope="module")
def select(dataset):
    store = EmbeddedStore(dataset)
    return lambda text: [{k: v.value for k, v in row.items()} for row in store.select(PREFIXES + text).rows]


def test_silences_stay_silent(ask):
    # "organized, in June 2018, the meeting of the Political Directors": no place is given.
    assert not ask("id:2018-06-coalition-political-directors ckg:location ?place")
    # "which hosts the United Nations Office for Counterterrorism and Training in Africa": no city.
    assert not ask("id:united-nations-office-for-counterterrorism-and-training-in-africa ?p ?place . "
                   "?place a ckg:City")
    # Document 000 has no publication date, publisher or dateline.
    assert not ask("src:000_28830c00cecbbf69 schema:datePublished|schema:publisher|ckg:dateline ?x")
    # The May 2022 plenary "on the African continent" names no city.
    assert not ask("id:2022-05-afg-plenary-africa ckg:location ?c . ?c a ckg:City")
    # No document names a member of the Coalition or of the Africa Focus Group.
    assert not ask("?m org:role ckg:member")
    # Nothing says who hosted the Niamey plenary.
    assert not ask("id:2023-03-01-afg-plenary-niamey prov:qualifiedAssociation/prov:hadRole ckg:host")


def test_vague_dates_keep_their_precision(select):
    dates = {row["thing"]: row["datatype"] for row in select(
        "SELECT ?thing (DATATYPE(?d) AS ?datatype) WHERE { ?thing ckg:date ?d }")}
    xsd = "http://www.w3.org/2001/XMLSchema#"
    id_ = "https://w3id.org/coalition-kg/id/"
    assert dates[id_ + "2018-06-coalition-political-directors"] == xsd + "gYearMonth"  # "in June 2018"
    assert dates[id_ + "2022-05-11-coalition-ministerial-marrakech"] == xsd + "date"  # "May 11th, 2022"
    assert dates[id_ + "003_73e3b687882f6e77/africa-focus-group-founding"] == xsd + "gYear"  # "in 2021"
    assert dates[id_ + "000_28830c00cecbbf69/coalition-founding"] == xsd + "gYearMonth"  # "September 2014"


def test_relative_dates_are_resolved_against_publication_and_say_so(select):
    rows = select("SELECT ?d ?rel ?against WHERE { id:2022-05-afg-plenary-africa ckg:date ?d ; "
                  "ckg:relativeDate ?rel ; ckg:dateResolvedAgainst ?against }")
    assert rows == [{"d": "2022-05", "rel": "last May", "against": "2023-03-02"}]
    # "Just a few months ago" in an undated document cannot be resolved, and it dates the announcement,
    # not the creation: the announcement keeps the words and a bound, the creation only a bound.
    f = "https://w3id.org/coalition-kg/id/000_28830c00cecbbf69/"
    rows = select(f"SELECT ?d ?bound ?rel WHERE {{ <{f}africa-focus-group-creation-announcement> ckg:announces "
                  f"<{f}africa-focus-group-founding> ; ckg:notAfter ?bound ; ckg:relativeDate ?rel "
                  f"OPTIONAL {{ <{f}africa-focus-group-creation-announcement> ckg:date ?d }} }}")
    assert rows == [{"bound": "2022-05-11", "rel": "Just a few months ago"}]
    rows = select(f"SELECT ?d ?bound ?rel WHERE {{ <{f}africa-focus-group-founding> ckg:notAfter ?bound "
                  f"OPTIONAL {{ <{f}africa-focus-group-founding> ckg:date ?d }} "
                  f"OPTIONAL {{ <{f}africa-focus-group-founding> ckg:relativeDate ?rel }} }}")
    assert rows == [{"bound": "2022-05-11"}]


def test_disagreeing_member_counts_both_stay_with_date_and_source(select):
    rows = select("SELECT ?count ?source ?asOf ?notAfter WHERE { ?obs ckg:countOf id:global-coalition-to-defeat-isis ;"
                  " ckg:memberCount ?count ; prov:wasDerivedFrom ?source "
                  " OPTIONAL { ?obs ckg:asOf ?asOf } OPTIONAL { ?obs ckg:notAfter ?notAfter } } ORDER BY ?count")
    base = "https://w3id.org/coalition-kg/source/"
    assert rows == [
        {"count": "84", "source": base + "000_28830c00cecbbf69", "notAfter": "2022-05-11"},
        {"count": "85", "source": base + "003_73e3b687882f6e77", "asOf": "2023-03-02"},
    ]


def test_meeting_co_chairs_are_not_made_group_co_chairs(select):
    # Document 003: "It was co-chaired by Morocco, the United States (US), Italy, and Niger" is about the
    # meeting. Only document 000 makes Morocco co-chair of the Africa Focus Group itself.
    rows = select("SELECT ?agent WHERE { ?r org:organization id:africa-focus-group ; org:role ckg:coChair ;"
                  " org:member ?agent }")
    assert rows == [{"agent": "https://w3id.org/coalition-kg/id/morocco"}]
    rows = select("SELECT ?agent WHERE { id:2023-03-01-afg-plenary-niamey prov:qualifiedAssociation ?r ."
                  " ?r prov:hadRole ckg:coChair ; prov:agent ?agent } ORDER BY ?agent")
    assert [r["agent"].rsplit("/", 1)[1] for r in rows] == ["italy", "morocco", "niger", "united-states"]


def test_the_two_may_2022_meetings_are_kept_apart(ask):
    assert not ask("id:2022-05-afg-plenary-africa ckg:location id:marrakech")
    assert not ask("id:2022-05-11-coalition-ministerial-marrakech a ckg:PlenaryMeeting")


# Every qualified fact's source and quote are data shapes (cs:QualifiedFact-source, cs:QualifiedFact-evidence,
# cs:Evidence-exact in shapes/data.ttl, each with its invalid fixture): `validate` enforces them.


def test_facts_live_in_their_own_documents_graph(select):
    rows = select("SELECT ?fact ?g ?source WHERE { GRAPH ?g { ?fact prov:wasDerivedFrom|ckg:reportedIn ?source } }")
    assert len(rows) >= 30
    for row in rows:
        assert row["g"].rsplit("/", 1)[1] == row["source"].rsplit("/", 1)[1], row
