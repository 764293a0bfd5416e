"""Shortcut triples are derived by rule from qualified facts, never written by hand (DESIGN rule 4)."""

from __future__ import annotations

import pyoxigraph as ox

from coalition_kg.rdf.namespaces import PROV
from coalition_kg.repository.dataset import load
from coalition_kg.repository.vocabulary import DEFAULT as V

SHORTCUTS = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX ckg: <https://w3id.org/coalition-kg/ontology#>
SELECT DISTINCT ?p WHERE { GRAPH <https://w3id.org/coalition-kg/graph/ontology> {
  { ?role org:roleProperty ?p } UNION { ckg:StatedLink ckg:statedProperty ?p }  # ontology/rules/stated-links.rq
} }"""
STATED = """PREFIX ckg: <https://w3id.org/coalition-kg/ontology#>
SELECT ?p WHERE { GRAPH <https://w3id.org/coalition-kg/graph/ontology> { ckg:StatedLink ckg:statedProperty ?p } }"""
INTERVAL = [V.ontology + "earliestDate", V.ontology + "latestDate"]  # ontology/rules/date-intervals.rq
EXTRA = ["http://www.w3.org/ns/org#holds", "http://www.w3.org/ns/org#heldBy", "https://schema.org/foundingDate",
         *INTERVAL]


def shortcut_properties(dataset) -> list[str]:
    return [row["p"].value for row in dataset.store.query(SHORTCUTS)] + EXTRA


def test_no_data_file_asserts_a_shortcut(dataset):
    """The data shape cs:DerivedShortcutShape refuses every shortcut no qualified fact derives, but it
    sees the data merged with the derived graph, where a hand-written copy of a derived triple is the
    same triple: only the files tell them apart."""
    properties = shortcut_properties(dataset)
    assert len(properties) >= 9
    for graph in dataset.data_graphs:
        for prop in properties:
            asserted = list(dataset.store.quads_for_pattern(None, ox.NamedNode(prop), None, ox.NamedNode(graph)))
            assert asserted == [], f"{dataset.file_of(graph)} asserts {prop} by hand"


def test_each_role_yields_its_shortcut(dataset):
    derived = {(q.subject.value, q.predicate.value, q.object.value)
               for q in dataset.quads(dataset.derived_graphs) if q.predicate.value != PROV + "wasDerivedFrom"}
    ckg, id_ = V.ontology, V.base + "id/"
    assert (id_ + "morocco", ckg + "hosted", id_ + "2022-05-11-coalition-ministerial-marrakech") in derived
    assert (id_ + "nasser-bourita", ckg + "convened", id_ + "2022-05-11-coalition-ministerial-marrakech") in derived
    assert (id_ + "niger", ckg + "coChaired", id_ + "2023-03-01-afg-plenary-niamey") in derived
    assert (id_ + "morocco", ckg + "coChaired", id_ + "africa-focus-group") in derived
    office = id_ + "united-nations-office-for-counterterrorism-and-training-in-africa"
    assert (id_ + "morocco", ckg + "hostStateOf", office) in derived  # a role for an organization, not a membership
    assert (id_ + "ismail-chekkori", ckg + "ledDelegationTo", id_ + "2023-03-01-afg-plenary-niamey") in derived
    assert (id_ + "africa-focus-group", "https://schema.org/foundingDate", "2021") in derived
    # Roles are data: every derived triple comes from a qualified fact, so the count matches.
    roles = dataset.store.query(f"""PREFIX org: <http://www.w3.org/ns/org#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT (COUNT(*) AS ?n) WHERE {{
          {{ ?f org:role ?r }} UNION {{ ?f prov:hadRole ?r }} UNION {{ ?f <{ckg}rolePlayed> ?r }}
        }}""", use_default_graph_as_union=True)
    # ckg:groupOf is a stated link's triple (ontology/rules/stated-links.rq), not a role's shortcut
    assert (id_ + "africa-focus-group", ckg + "groupOf", id_ + "global-coalition-to-defeat-isis") in derived
    stated = [row["p"].value for row in dataset.store.query(STATED)]  # stated links' triples (ckg:groupOf)
    role_shortcuts = [t for t in derived if t[1].startswith(ckg) and t[1] not in INTERVAL + stated]
    assert len(role_shortcuts) == int(next(iter(roles))["n"].value)


def test_a_new_role_needs_no_code(repo_copy):
    (repo_copy / "data" / "sources" / "zz_observer.ttl").write_text("""
@prefix ckg: <https://w3id.org/coalition-kg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix id: <https://w3id.org/coalition-kg/id/> .
ckg:observer a ckg:Role ; org:roleProperty ckg:observerOf .
id:fixture-observation org:member id:italy ; org:organization id:africa-focus-group ; org:role ckg:observer .
""", encoding="utf-8")
    derived = load(repo_copy).quads([V.derived_graph_of(V.graph("zz_observer"))])
    assert any(q.predicate.value == V.ontology + "observerOf" and q.subject.value.endswith("/italy")
               for q in derived)
