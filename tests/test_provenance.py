"""Shortcuts keep their sources (issue 15): each derived triple is in the derived graph of exactly the
graphs whose facts produce it, corroboration counts those sources, and one triple pattern asks who
played a role in anything, meeting or group."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from coalition_kg.query.catalogue import read_query
from coalition_kg.query.store import EmbeddedStore
from coalition_kg.rdf.namespaces import ORG, PROV, RDF, SCHEMA
from coalition_kg.repository.dataset import load
from coalition_kg.repository.vocabulary import DEFAULT as V

FIXTURES = Path(__file__).parent / "fixtures" / "provenance"
LINK = PROV + "wasDerivedFrom"
CKG = V.ontology


def triple(quad: ox.Quad) -> tuple:
    return quad.subject, quad.predicate, quad.object


def derived_by_graph(dataset) -> dict[tuple, set[str]]:
    """Every derived triple (not a derived graph's line naming its source) with the graphs that hold it."""
    found: dict[tuple, set[str]] = defaultdict(set)
    for quad in dataset.quads(dataset.derived_graphs):
        if not (quad.predicate.value == LINK and quad.subject == quad.graph_name):
            found[triple(quad)].add(quad.graph_name.value)
    return dict(found)


def role_properties(dataset) -> dict[ox.NamedNode, ox.NamedNode]:
    return {q.subject: q.object for q in dataset.store.quads_for_pattern(
        None, ox.NamedNode(ORG + "roleProperty"), None, ox.NamedNode(V.ontology_graph))}


def from_qualified_facts(dataset) -> dict[tuple, set[str]]:
    """The shortcuts each data graph's own qualified facts give, worked out here in Python from the
    facts (roles in and for organizations and in meetings, post holdings, foundings), not by the rules."""
    shortcut_of = role_properties(dataset)
    expected: dict[tuple, set[str]] = defaultdict(set)
    for graph in dataset.data_graphs:
        said: dict = defaultdict(lambda: defaultdict(list))
        for quad in dataset.quads([graph]):
            said[quad.subject][quad.predicate.value].append(quad.object)
        found = []
        for node, values in list(said.items()):
            for agent in values[ORG + "member"]:
                found += [(agent, shortcut_of[role], target)
                          for target in values[ORG + "organization"] for role in values[ORG + "role"]]
            for agent in values[CKG + "playedBy"]:  # a role for an organization the agent is not a member of
                found += [(agent, shortcut_of[role], target)
                          for target in values[CKG + "playedFor"] for role in values[CKG + "rolePlayed"]]
            for fact in values[PROV + "qualifiedAssociation"]:
                found += [(agent, shortcut_of[role], node)
                          for agent in said[fact][PROV + "agent"] for role in said[fact][PROV + "hadRole"]]
            for holder in values[CKG + "holder"]:
                for post in values[CKG + "post"]:
                    found += [(holder, ox.NamedNode(ORG + "holds"), post), (post, ox.NamedNode(ORG + "heldBy"), holder)]
            found += [(organization, ox.NamedNode(SCHEMA + "foundingDate"), date)
                      for organization in values[CKG + "foundedOrganization"] for date in values[CKG + "date"]]
        for item in found:
            expected[item].add(V.derived_graph_of(graph))
    return dict(expected)


def test_every_shortcut_is_in_the_derived_graph_of_exactly_the_sources_that_state_it(dataset):
    expected = from_qualified_facts(dataset)
    predicates = {t[1] for t in expected} | set(role_properties(dataset).values())
    actual = {t: graphs for t, graphs in derived_by_graph(dataset).items() if t[1] in predicates}
    assert len(expected) == 23  # 14 from document 000, 10 from 003, one of them from both
    assert actual == expected
    founding = (ox.NamedNode(V.entity("global-coalition-to-defeat-isis")), ox.NamedNode(SCHEMA + "foundingDate"),
                ox.Literal("2014-09", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYearMonth")))
    assert actual[founding] == {V.derived_graph_of(V.graph("000_28830c00cecbbf69")),
                                V.derived_graph_of(V.graph("003_73e3b687882f6e77"))}


def rules_over(files: list[Path], rules: list[Path]) -> set[tuple]:
    """Every rule over these files alone, in a store of their own: the oracle for any rule, ours or one
    added later (the date rules), independent of how the derived graphs are written."""
    store = ox.Store()
    for path in files:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return {(t.subject, t.predicate, t.object) for rule in rules
            for t in store.query(rule.read_text(encoding="utf-8"))}


def test_every_derived_triple_is_what_the_rules_give_on_its_source_file_alone(dataset):
    layout = dataset.layout
    rules = layout.rule_files()
    shared_files = [*layout.ontology_files(), layout.root / "data" / "reference.ttl"]
    shared = rules_over(shared_files, rules)
    expected: dict[tuple, set[str]] = defaultdict(set)
    for item in shared:
        expected[item].add(V.derived_graph_of(V.reference_graph))
    for path in layout.data_files():
        if path.name != "reference.ttl":
            for item in rules_over([path, *shared_files], rules) - shared:
                expected[item].add(V.derived_graph_of(layout.graph_for(path)))
    assert not any(isinstance(term, ox.BlankNode) for t in expected for term in t)
    assert derived_by_graph(dataset) == dict(expected)
    assert not list(dataset.quads([V.derived_graph]))  # nothing needs two sources at once


def test_each_derived_graph_names_the_graph_it_derives_from(dataset):
    for graph in dataset.derived_graphs:
        links = [q.object.value for q in dataset.store.quads_for_pattern(
            ox.NamedNode(graph), ox.NamedNode(LINK), None, ox.NamedNode(graph))]
        holds = list(dataset.quads([graph]))
        if graph == V.derived_graph or not holds:
            assert links == []
        else:
            assert links == [V.source_of_derived(graph)]
            assert V.derived_graph_of(links[0]) == graph


def corroboration(dataset) -> dict[tuple, int]:
    query = read_query(dataset.layout.queries_dir / "corroboration.rq")
    rows = EmbeddedStore(dataset).select(query.text).rows
    return {(row["subject"].value, row["shortcut"].value, row["object"].value): int(row["sources"].value)
            for row in rows}


def test_a_fact_two_sources_state_is_in_both_derived_graphs_and_counted_twice(repo_copy):
    shutil.copy(FIXTURES / "zz_second_source.ttl", repo_copy / "data" / "sources")
    dataset = load(repo_copy)
    co_chair = (ox.NamedNode(V.entity("morocco")), ox.NamedNode(V.ckg("coChaired")),
                ox.NamedNode(V.entity("africa-focus-group")))
    assert derived_by_graph(dataset)[co_chair] == {V.derived_graph_of(V.graph("000_28830c00cecbbf69")),
                                                   V.derived_graph_of(V.graph("zz_second_source"))}
    counts = corroboration(dataset)
    assert counts[(V.entity("morocco"), V.ckg("coChaired"), V.entity("africa-focus-group"))] == 2
    assert counts[(V.entity("global-coalition-to-defeat-isis"), SCHEMA + "foundingDate", "2014-09")] == 3
    assert counts[(V.entity("morocco"), V.ckg("hosted"), V.entity("2022-05-11-coalition-ministerial-marrakech"))] == 1
    # the fixture adds no new shortcut, only a second source for two; the 23 of the qualified facts and
    # the four triples of the stated links (three org:postIn, one ckg:groupOf that both documents state)
    assert len(counts) == 23 + 4


def test_a_rule_that_joins_two_sources_writes_to_the_joint_graph(repo_copy):
    # Marrakech is in document 000, Niamey in 003: no one document yields the pair.
    (repo_copy / "ontology" / "rules" / "zz-pairs.rq").write_text("""
PREFIX ckg: <https://w3id.org/coalition-kg/ontology#>
PREFIX id:  <https://w3id.org/coalition-kg/id/>
CONSTRUCT { ?a <urn:test:sameSeriesAs> ?b }
WHERE { ?a ckg:location id:marrakech . ?b ckg:location id:niamey . }
""", encoding="utf-8")
    dataset = load(repo_copy)
    pair = (ox.NamedNode(V.entity("2022-05-11-coalition-ministerial-marrakech")), ox.NamedNode("urn:test:sameSeriesAs"),
            ox.NamedNode(V.entity("2023-03-01-afg-plenary-niamey")))
    assert derived_by_graph(dataset)[pair] == {V.derived_graph}


# Who played each role in what, over the real data, read from the sources by hand: the one triple
# pattern `?who <the role's shortcut> ?x` answers for meetings and for groups alike.
NIAMEY = "2023-03-01-afg-plenary-niamey"
MARRAKECH = "2022-05-11-coalition-ministerial-marrakech"
ROLE_ANSWERS = {
    "host": {("morocco", MARRAKECH), ("morocco", "2022-05-afg-plenary-africa")},
    "convener": {("nasser-bourita", MARRAKECH), ("antony-blinken", MARRAKECH)},
    "organizer": {("morocco", "2018-06-coalition-political-directors")},
    "coChair": {("morocco", "africa-focus-group"), ("morocco", "global-counterterrorism-forum"),
                ("morocco", NIAMEY), ("united-states", NIAMEY), ("italy", NIAMEY), ("niger", NIAMEY)},
    "headOfDelegation": {("ismail-chekkori", NIAMEY)},
    "hostState": {("morocco", "united-nations-office-for-counterterrorism-and-training-in-africa")},
    "member": set(),  # no source names a member of anything
}


def who_played(dataset, role: str) -> set[tuple[str, str]]:
    shortcut = role_properties(dataset)[ox.NamedNode(V.ckg(role))]
    rows = EmbeddedStore(dataset).select(f"SELECT ?who ?x WHERE {{ ?who <{shortcut.value}> ?x }}").rows
    return {(row["who"].value.removeprefix(V.entities), row["x"].value.removeprefix(V.entities)) for row in rows}


def test_every_role_of_the_ontology_has_its_answers_here(dataset):
    roles = {q.subject.value.removeprefix(CKG) for q in dataset.store.quads_for_pattern(
        None, ox.NamedNode(RDF + "type"), ox.NamedNode(V.ckg("Role")), ox.NamedNode(V.ontology_graph))}
    assert roles == set(ROLE_ANSWERS)
    assert set(role_properties(dataset)) == {ox.NamedNode(V.ckg(r)) for r in roles}  # each names its shortcut


@pytest.mark.parametrize("role", sorted(ROLE_ANSWERS))
def test_one_pattern_answers_who_played_the_role_in_anything(dataset, role):
    assert who_played(dataset, role) == ROLE_ANSWERS[role]


def test_one_pattern_answers_for_a_meeting_and_for_a_group_for_every_role(repo_copy, dataset):
    """Every role, played once in a meeting (a PROV qualified association) and once in a group (an
    org:Membership), is answered by the same one pattern."""
    roles = sorted(ROLE_ANSWERS)
    lines = [f"@prefix ckg: <{CKG}> . @prefix id: <{V.entities}> . @prefix org: <{ORG}> . @prefix prov: <{PROV}> ."]
    for role in roles:
        lines.append(f"id:fixture-meeting-{role} prov:qualifiedAssociation id:fixture-in-meeting-{role} .")
        lines.append(f"id:fixture-in-meeting-{role} prov:agent id:italy ; prov:hadRole ckg:{role} .")
        lines.append(f"id:fixture-in-group-{role} org:member id:italy ; org:organization id:fixture-group-{role} ; "
                     f"org:role ckg:{role} .")
    (repo_copy / "data" / "sources" / "zz_every_role.ttl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fixture = load(repo_copy)
    for role in roles:
        added = who_played(fixture, role) - who_played(dataset, role)
        assert added == {("italy", f"fixture-meeting-{role}"), ("italy", f"fixture-group-{role}")}, role
