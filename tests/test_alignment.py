"""The alignment beside the standard vocabularies' own axioms (ontology/standards): the real graph is
consistent with them and entails nothing the sources do not support (no host state a member of what
it hosts, no host or convener an organizer, no meeting an entity); a graph that breaks those axioms
is caught by `validate`, naming the clash, the file and the line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from coalition_kg.reasoning.consistency import clashes
from coalition_kg.reasoning.owl_rl import axiom_files, axiom_triples, closure, entailments
from coalition_kg.repository.dataset import load
from coalition_kg.repository.standards import axioms_of, standard_axioms, standard_triples

from .markers import OWL_REASONERS

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "inconsistent" / "standards.ttl"
PREFIXES = """
PREFIX ckg:    <https://w3id.org/coalition-kg/ontology#>
PREFIX id:     <https://w3id.org/coalition-kg/id/>
PREFIX schema: <https://schema.org/>
PREFIX org:    <http://www.w3.org/ns/org#>
PREFIX prov:   <http://www.w3.org/ns/prov#>
PREFIX foaf:   <http://xmlns.com/foaf/0.1/>
PREFIX owl:    <http://www.w3.org/2002/07/owl#>
PREFIX skos:   <http://www.w3.org/2004/02/skos/core#>
"""
ID = "https://w3id.org/coalition-kg/id/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"


@pytest.fixture(scope="module", params=OWL_REASONERS)
def closed(request):
    """The real graph closed under OWL-RL with the standards' axioms, and those axioms, in one store."""
    dataset = load(ROOT)  # its own: the closure adds a graph to the store while it is open
    with axiom_files(dataset, dataset.layout.standard_files()) as standards, \
            closure(dataset, request.param, standards) as store:
        yield store


def rows(store: ox.Store, body: str, *variables: str) -> set[tuple[str, ...]]:
    query = PREFIXES + f"SELECT DISTINCT {' '.join('?' + v for v in variables)} WHERE {{ {body} }}"
    return {tuple(row[v].value for v in variables) for row in store.query(query, use_default_graph_as_union=True)}


def test_the_standards_are_read_whole_with_their_own_blank_nodes(root):
    triples = standard_triples(load(root).layout)
    manifest = json.loads((root / "ontology" / "standards" / "manifest.json").read_text(encoding="utf-8"))
    assert len(triples) == sum(entry["triples"] for entry in manifest) == 22141
    # Every file names its blank nodes _:c14n0, _:c14n1…: read as they are, PROV-O's and ORG's would merge.
    blanks = {t.subject for t in triples if isinstance(t.subject, ox.BlankNode)}
    assert len(blanks) > 100 and not any(b.value.startswith("c14n") for b in blanks)


def test_the_axioms_are_the_standards_without_their_documentation(root):
    axioms = standard_axioms(load(root).layout)
    disjoint = ox.NamedNode("http://www.w3.org/2002/07/owl#disjointWith")
    assert ox.Triple(ox.NamedNode(PROV + "Activity"), disjoint, ox.NamedNode(PROV + "Entity")) in axioms
    assert ox.Triple(ox.NamedNode(FOAF + "Person"), disjoint, ox.NamedNode(FOAF + "Organization")) in axioms
    predicates = {t.predicate.value for t in axioms}
    assert "http://www.w3.org/2000/01/rdf-schema#comment" not in predicates
    assert "https://schema.org/domainIncludes" not in predicates
    assert 6000 < len(axioms) < 7000


@pytest.mark.reference
def test_the_documentation_left_out_changes_no_entailment_about_the_data(dataset):
    """owlrl, the reference, draws the same about our nodes from the axioms as from every triple."""
    layout = dataset.layout
    ours = {q.subject for q in dataset.store if isinstance(q.subject, ox.BlankNode)}  # the evidence nodes

    def about_the_data(axioms: list[ox.Triple]) -> set[ox.Triple]:
        with axiom_triples(dataset, {"standards": axioms}) as extra:
            return {t for t in entailments(dataset, "owlrl", extra)
                    if t.subject in ours or t.subject.value.startswith(layout.vocabulary.base)}

    triples = standard_triples(layout)  # one parse: each names the standards' blank nodes afresh
    found = about_the_data(axioms_of(triples))
    assert len(found) > 1000
    assert found == about_the_data(triples)


def test_the_real_graph_is_consistent_with_the_standards(closed):
    assert clashes(closed) == []


def test_no_meeting_or_founding_is_an_entity_and_the_statements_are(closed):
    meetings = rows(closed, "?m a ckg:Meeting , prov:Activity", "m")
    assert len(meetings) == 4
    assert rows(closed, "?m a ckg:Meeting , prov:Entity", "m") == set()
    assert len(rows(closed, "?f a ckg:Founding , org:ChangeEvent , prov:Activity", "f")) == 4
    assert rows(closed, "?f a ckg:Founding , prov:Entity", "f") == set()
    # the other qualified facts stay entities derived from their document
    for kind, count in (("MeetingRole", 10), ("OrganizationRole", 2), ("RoleForOrganization", 1), ("PostHolding", 4),
                        ("MandateStatement", 3), ("MemberCountObservation", 2)):
        assert len(rows(closed, f"?f a ckg:{kind} , prov:Entity ; prov:wasDerivedFrom ?d", "f")) == count, kind


def test_a_host_state_is_not_a_member_of_what_it_hosts(closed):
    office = ID + "united-nations-office-for-counterterrorism-and-training-in-africa"
    assert rows(closed, "?state ckg:hostStateOf ?office", "state", "office") == {(ID + "morocco", office)}
    members = rows(closed, "{ ?a org:memberOf ?o } UNION { ?o org:hasMember ?a } UNION { ?o foaf:member ?a } "
                           "UNION { ?m org:member ?a ; org:organization ?o }", "a", "o")
    assert (ID + "morocco", office) not in members
    assert rows(closed, "?m a org:Membership ; org:organization ?o", "o") == {(ID + "africa-focus-group",),
                                                                              (ID + "global-counterterrorism-forum",)}


def test_no_host_or_convener_is_an_organizer(closed):
    # The one meeting a source says someone organized: the Political Directors' meeting of June 2018.
    assert rows(closed, "?e schema:organizer ?o", "e", "o") == {(ID + "2018-06-coalition-political-directors",
                                                                 ID + "morocco")}
    hosts_and_conveners = rows(closed, "?e ckg:hostedBy|ckg:convenedBy ?a", "e", "a")
    assert (ID + "2022-05-11-coalition-ministerial-marrakech", ID + "antony-blinken") in hosts_and_conveners
    assert len(hosts_and_conveners) == 4  # Morocco hosted two meetings; two ministers convened one


def test_the_coalition_is_not_made_a_formal_organization(closed):
    # ORG's org:unitOf ranges over formal (legally recognised) organizations; no source says the coalition is one.
    assert rows(closed, "?o a org:FormalOrganization ; a ckg:Coalition", "o") == set()
    assert (ID + "africa-focus-group", ID + "global-coalition-to-defeat-isis") in rows(
        closed, "?g org:subOrganizationOf ?c", "g", "c")


def test_a_linked_state_city_or_person_is_not_made_a_skos_concept(closed):
    # skos:exactMatch has the domain skos:Concept (SKOS's own axioms): the Wikidata links use schema:sameAs.
    assert (ID + "morocco", "http://www.wikidata.org/entity/Q1028") in rows(closed, "?x schema:sameAs ?w", "x", "w")
    concepts = rows(closed, f"?x a skos:Concept . FILTER(STRSTARTS(STR(?x), '{ID}'))", "x")
    assert concepts and concepts == rows(closed, "?x a ckg:Topic", "x")


@pytest.mark.parametrize("reasoner", OWL_REASONERS)
def test_validate_names_each_clash_with_the_standards_file_and_line(cli, repo_copy, reasoner):
    shutil.copy(FIXTURE, repo_copy / "data" / "zz-inconsistent.ttl")  # no document's graph: entities are not facts
    result = cli("--root", str(repo_copy), "validate", "--reasoner", reasoner)
    assert result.code == 1, result.out + result.err
    lines = [line for line in result.out.splitlines() if "OWL-RL inconsistency" in line]
    assert [line.split(" [consistency]")[0] for line in lines] == [
        f"data/zz-inconsistent.ttl:15: error: OWL-RL inconsistency (cax-dw): <{ID}fixture-meeting-derived-"
        f"from-its-source> is both <{PROV}Activity> and <{PROV}Entity>, which are disjoint",
        f"data/zz-inconsistent.ttl:23: error: OWL-RL inconsistency (cax-dw): <{ID}fixture-minister-and-"
        f"ministry> is both <{FOAF}Organization> and <{FOAF}Person>, which are disjoint",
    ]
    assert "does not conform: 2 error(s)" in result.out


def test_a_repository_without_standards_is_checked_with_its_own_ontology(cli, repo_copy):
    # The same file breaks no axiom of ours: the standards are what catch it, and without them validate runs.
    shutil.copy(FIXTURE, repo_copy / "data" / "zz-inconsistent.ttl")  # no document's graph: entities are not facts
    shutil.rmtree(repo_copy / "ontology" / "standards")
    result = cli("--root", str(repo_copy), "validate")
    assert result.code == 0 and "conforms: 0 error(s)" in result.out, result.out + result.err


def test_a_broken_standards_file_is_named_with_its_line(cli, repo_copy):
    (repo_copy / "ontology" / "standards" / "org.nt").write_text(
        "<http://www.w3.org/ns/org#a> <http://www.w3.org/ns/org#b> <http://www.w3.org/ns/org#c> .\n"
        "<http://www.w3.org/ns/org#a> <http://www.w3.org/ns/org#b> .\n", encoding="utf-8")
    result = cli("--root", str(repo_copy), "validate")
    assert result.code == 2
    assert result.err.startswith("coalition-kg: error: ontology/standards/org.nt:2:"), result.err
