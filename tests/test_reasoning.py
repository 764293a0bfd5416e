"""After OWL-RL, a consumer who knows only the standard vocabularies finds the answers; and an
inconsistent graph is caught."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from coalition_kg.check.validate import validate
from coalition_kg.rdf.namespaces import OWL, RDF
from coalition_kg.reasoning.axioms import UnsupportedAxiom
from coalition_kg.reasoning.consistency import clashes
from coalition_kg.reasoning.owl_rl import axiom_files, closure, entailments
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
CKG = "https://w3id.org/coalition-kg/ontology#"


@pytest.fixture(scope="module", params=OWL_REASONERS)
def closed(root, request) -> ox.Store:
    dataset = load(root)  # its own: the closure adds a graph to the store while it is open
    with closure(dataset, request.param) as store:
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
    # the events: four meetings, four foundings and one announcement
    assert len(rows(closed, "?fact dcterms:isReferencedBy ?s . ?s a schema:NewsArticle", "fact")) == 9


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


# --- the in-store reasoner: what it refuses, what it shows, and equality ---------------------------

MEETINGS = {"2022-05-11-coalition-ministerial-marrakech", "2022-05-afg-plenary-africa", "2023-03-01-afg-plenary-niamey",
            "2018-06-coalition-political-directors"}
FIXTURES = Path(__file__).parent / "fixtures" / "reasoning"


def test_an_unsupported_axiom_is_an_error_naming_it_and_its_file(repo_copy):
    shutil.copy(FIXTURES / "unsupported.ttl", repo_copy / "ontology" / "zz_unsupported.ttl")
    dataset = load(repo_copy)
    with pytest.raises(UnsupportedAxiom) as caught:
        entailments(dataset)
    message = str(caught.value)
    assert "ontology/zz_unsupported.ttl" in message
    assert f"<{CKG}knows> <{RDF}type> <{OWL}ReflexiveProperty>" in message


@pytest.mark.parametrize("command", [["validate"], ["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"]])
def test_an_unsupported_axiom_stops_the_command_line_with_exit_2(cli, repo_copy, command):
    shutil.copy(FIXTURES / "unsupported.ttl", repo_copy / "ontology" / "zz_unsupported.ttl")
    result = cli("--root", str(repo_copy), *command)
    assert result.code == 2, result.out + result.err
    assert result.err.startswith("coalition-kg: error: ontology/zz_unsupported.ttl: the axiom ")
    assert "ReflexiveProperty" in result.err and len(result.err.splitlines()) == 1


def test_the_entailments_answer_plain_sparql_in_a_graph_of_their_own(cli, root):
    query = STANDARD + f"PREFIX ckg: <{CKG}> SELECT ?m ?g WHERE {{ GRAPH ?g {{ ?m a ckg:Meeting }} }}"
    rows = cli("--root", str(root), "sparql", "--format", "csv", query)
    assert rows.code == 0, rows.err
    found = {tuple(line.split(",")) for line in rows.out.splitlines()[1:]}
    assert found == {(ID + m, "https://w3id.org/coalition-kg/graph/inferred") for m in MEETINGS}
    events = cli("--root", str(root), "sparql", "--format", "csv", STANDARD + "SELECT ?m WHERE { ?m a schema:Event }")
    assert {ID + m for m in MEETINGS} <= set(events.out.splitlines()[1:])
    off = cli("--root", str(root), "sparql", "--no-entailments", "--format", "csv", query)
    assert off.code == 0 and off.out.splitlines()[1:] == []


def test_the_on_disk_store_is_built_with_the_entailments_and_without_them_on_request(cli, root, tmp_path):
    query = STANDARD + f"PREFIX ckg: <{CKG}> SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a ckg:Meeting }}"
    store = str(tmp_path / "store")
    assert cli("--root", str(root), "sparql", "--store", store, "--format", "csv", query).out.split()[1] == "4"
    off = cli("--root", str(root), "sparql", "--store", store, "--no-entailments", "--format", "csv", query)
    assert off.out.split()[1] == "0"


def test_the_inferred_graph_holds_only_what_no_other_graph_states(entailed):
    inferred = ox.NamedNode(entailed.layout.vocabulary.inferred_graph)
    others = [g for g in entailed.store.named_graphs() if g != inferred]
    stated = {(q.subject, q.predicate, q.object) for g in others
              for q in entailed.store.quads_for_pattern(None, None, None, g)}
    drawn = [(q.subject, q.predicate, q.object) for q in entailed.store.quads_for_pattern(None, None, None, inferred)]
    assert len(drawn) > 100
    assert not stated & set(drawn)
    assert not any(str(g).startswith("<urn:coalition-kg:scratch") for g in entailed.store.named_graphs())


def test_two_values_of_a_functional_property_are_reported_as_one_individual_with_two_names(repo_copy):
    # org:member is functional (ORG's own axioms): a membership with two members makes them one
    (repo_copy / "data" / "sources" / "zz_two_members.ttl").write_text(
        "@prefix org: <http://www.w3.org/ns/org#> .\n"
        "@prefix id: <https://w3id.org/coalition-kg/id/> .\n\n"
        "id:zz-membership org:member id:morocco , id:niger .\n", encoding="utf-8")
    dataset = load(repo_copy)
    standards = sorted((repo_copy / "ontology" / "standards").glob("*.nt"))
    with axiom_files(dataset, standards) as extra:
        drawn = {(t.subject.value, t.object.value) for t in entailments(dataset, extra_axioms=extra)
                 if t.predicate.value == OWL + "sameAs"}
        with closure(dataset, extra_axioms=extra) as store:
            found = [c for c in clashes(store) if c.rule == "eq-unique"]
    assert (ID + "morocco", ID + "niger") in drawn
    assert [c.node.value for c in found] == [ID + "morocco"] and "niger" in found[0].message
    left = {g.value for g in dataset.store.named_graphs()}
    assert set(dataset.graph_files) <= left <= set(dataset.graph_files) | set(dataset.derived_graphs), \
        "the scratch graphs are gone"


def test_a_query_may_name_the_entailments_graph_only_when_it_is_there(cli, root):
    query = "SELECT ?s FROM <https://w3id.org/coalition-kg/graph/inferred> WHERE { ?s ?p ?o } LIMIT 1"
    assert cli("--root", str(root), "sparql", query).code == 0
    refused = cli("--root", str(root), "sparql", "--no-entailments", query)
    assert refused.code == 2 and "graph/inferred> is not allowed" in refused.err
