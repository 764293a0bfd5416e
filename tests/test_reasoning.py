"""After OWL-RL, a consumer who knows only the standard vocabularies finds the answers; and an
inconsistent graph is caught."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coalition_kg.check.validate import validate
from coalition_kg.reasoning.owl_rl import closure, entailments
from coalition_kg.repository.dataset import load

from .markers import OWL_REASONERS

STANDARD = """
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
ID = "https://w3id.org/coalition-kg/id/"


@pytest.fixture(scope="module", params=OWL_REASONERS)
def closed(root, request) -> ox.Store:
    dataset = load(root)  # its own: the closure adds a graph to the store while it is open
    with closure(dataset, entailments(dataset, request.param)) as store:
        yield store


def rows(store, body, *variables):
    query = STANDARD + f"SELECT DISTINCT {' '.join('?' + v for v in variables)} WHERE {{ {body} }}"
    result = store.query(query, use_default_graph_as_union=True)
    return {tuple(row[v].value for v in variables) for row in result}


def test_events_with_start_date_location_and_organizer(closed):
    found = rows(closed, "?e a schema:Event ; schema:startDate ?d ; schema:location ?l", "e", "d", "l")
    assert (ID + "2022-05-11-coalition-ministerial-marrakech", "2022-05-11", ID + "marrakech") in found
    # A host or a convener is not an organizer; the one organizer a source names is Morocco, in June 2018.
    assert rows(closed, "?e a schema:Event ; schema:startDate ?d ; schema:organizer ?o", "e", "d", "o") == {
        (ID + "2018-06-coalition-political-directors", "2018-06", ID + "morocco")}


def test_persons_countries_cities(closed):
    assert (ID + "ismail-chekkori",) in rows(closed, "?p a schema:Person , foaf:Person", "p")
    states = ("morocco", "united-states", "italy", "niger")
    assert rows(closed, "?c a schema:Country", "c") == {(ID + s,) for s in states}
    assert rows(closed, "?c a schema:City", "c") == {(ID + "marrakech",), (ID + "niamey",)}


def test_organizations_and_sub_organizations(closed):
    assert (ID + "africa-focus-group", ID + "global-coalition-to-defeat-isis") in rows(
        closed, "?g a org:Organization ; org:subOrganizationOf ?c . ?c a org:Organization", "g", "c")


def test_memberships_and_posts(closed):
    found = rows(closed, "?m a org:Membership ; org:member ?a ; org:organization ?o ; org:role ?r", "a", "o")
    assert (ID + "morocco", ID + "africa-focus-group") in found
    posts = rows(closed, "?p a org:Post ; org:postIn ?o . ?person org:holds ?p", "person", "o")
    ministry = ID + "ministry-of-foreign-affairs-african-cooperation-and-moroccan-expatriates"
    assert (ID + "ismail-chekkori", ministry) in posts


def test_founding_names_sources_and_provenance(closed):
    assert rows(closed, f"<{ID}global-coalition-to-defeat-isis> schema:foundingDate ?d", "d") == {("2014-09",)}
    names = rows(closed, f"<{ID}daesh> skos:prefLabel ?p ; rdfs:label ?p ; skos:altLabel ?a", "p", "a")
    assert ("Daesh", "ISIS") in names
    assert ("2023-03-02",) in rows(closed, "?s a schema:NewsArticle ; schema:datePublished ?d", "d")
    # statements are derived from their document; meetings and foundings, activities, are reported in it
    assert len(rows(closed, "?fact prov:wasDerivedFrom ?s . ?s a schema:NewsArticle", "fact")) >= 22
    assert len(rows(closed, "?fact dcterms:isReferencedBy ?s . ?s a schema:NewsArticle", "fact")) == 8


def test_the_real_graph_is_consistent_and_the_check_leaves_the_store_as_it_was(dataset):
    before = set(dataset.store)
    assert [p for p in validate(dataset).problems if p.check == "consistency"] == []
    assert set(dataset.store) == before


@pytest.mark.parametrize("reasoner", OWL_REASONERS)
def test_an_inconsistent_fixture_is_caught(repo_copy, reasoner):
    # Persons and states are disjoint; a fixture that makes Morocco a person must be reported.
    (repo_copy / "data" / "sources" / "zz_inconsistent.ttl").write_text(
        "@prefix ckg: <https://w3id.org/coalition-kg/ontology#> .\n"
        "@prefix id: <https://w3id.org/coalition-kg/id/> .\n\n"
        "id:morocco a ckg:Person .\n", encoding="utf-8")
    problems = [p for p in validate(load(repo_copy), reasoner=reasoner).problems if p.check == "consistency"]
    # once by our ontology's axiom, once by FOAF's (ontology/standards): Person and Organization are disjoint
    assert [p.message.split(": ", 1)[1] for p in problems] == [
        f"<{ID}morocco> is both <http://xmlns.com/foaf/0.1/Organization> and <http://xmlns.com/foaf/0.1/Person>, "
        "which are disjoint",
        f"<{ID}morocco> is both <https://w3id.org/coalition-kg/ontology#Person> and "
        "<https://w3id.org/coalition-kg/ontology#State>, which are disjoint"]
    assert all("(cax-dw)" in p.message for p in problems)
    assert {(p.file, p.line) for p in problems} == {("data/sources/zz_inconsistent.ttl", 4)}


@pytest.mark.parametrize("reasoner", OWL_REASONERS)
def test_entailments_about_evidence_nodes_name_the_blank_nodes_of_the_data(dataset, reasoner):
    # An entailment about an evidence node is only useful if it names the node the data has.
    about = {t.subject for t in entailments(dataset, reasoner) if isinstance(t.subject, ox.BlankNode)}
    assert about
    assert about <= {q.subject for q in dataset.store if isinstance(q.subject, ox.BlankNode)}
