"""The store contract: every stored query gives its golden rows on every store, the embedded one
(in memory and on disk) and three real SPARQL endpoints reached through SPARQLWrapper: an Oxigraph
server and Virtuoso, each loaded by `push`, and our own `serve`. Identical as sets, and in order
where the query orders its answer."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from coalition_kg.query.catalogue import read_query
from coalition_kg.query.remote import RemoteStore
from coalition_kg.query.store import EmbeddedStore
from coalition_kg.repository import layout as lay
from coalition_kg.repository.disk_store import open_store
from coalition_kg.repository.vocabulary import DEFAULT as V

from .terms import parse_term

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
GOLDEN = ROOT / "tests" / "golden"
SERVERS = {"oxigraph": "oxigraph_endpoint", "virtuoso": "virtuoso_endpoint", "serve": "serve_endpoint"}

pytestmark = pytest.mark.servers


def make_store(kind: str, request, dataset, tmp_path_factory):
    if kind == "embedded":
        return EmbeddedStore(dataset)
    if kind == "on-disk":
        return EmbeddedStore(open_store(dataset.layout, tmp_path_factory.mktemp("disk") / "store"))
    endpoint = request.getfixturevalue(SERVERS[kind])
    return RemoteStore(endpoint.sparql, 60, dataset.layout.graphs())


@pytest.fixture(scope="module", params=["embedded", "on-disk", *SERVERS])
def store(request, dataset, tmp_path_factory):
    return make_store(request.param, request, dataset, tmp_path_factory)


def sort_key(row: dict) -> list:
    return sorted((name, str(term)) for name, term in row.items())


# Virtuoso 7.2's own defects, met by two stored queries that every other store answers with the golden
# rows: it gives a boolean expression back as 0 or 1 (member-count-as-of's ?tie), and it drops rows when
# a FILTER NOT EXISTS follows a FILTER EXISTS over a property path (facts-from-source). Strict: the day
# either passes, the marker must go.
VIRTUOSO_DEFECTS = {"member-count-as-of": "Virtuoso 7.2 returns a boolean expression as 0 or 1",
                    "facts-from-source": "Virtuoso 7.2 drops rows under FILTER NOT EXISTS after a path FILTER EXISTS"}


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_stored_query_gives_its_golden_rows(store, path, request):
    if isinstance(store, RemoteStore) and "virtuoso" in request.node.callspec.id and path.stem in VIRTUOSO_DEFECTS:
        request.applymarker(pytest.mark.xfail(reason=VIRTUOSO_DEFECTS[path.stem], strict=True))
    golden = json.loads((GOLDEN / f"{path.stem}.json").read_text(encoding="utf-8"))
    query = read_query(path)
    rows = store.select(query.text, query.bind(golden["params"])).rows
    expected = [{var: parse_term(value) for var, value in row.items()} for row in golden["rows"]]
    if golden["ordered"]:
        assert rows == expected
    else:
        assert sorted(rows, key=sort_key) == sorted(expected, key=sort_key)


def test_the_default_graph_is_the_union_and_graph_names_the_source(store):
    """The stored queries rely on both: a store's own default graph may differ, the request's may not."""
    sparql = """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"""
    per_graph = {row["g"].value: int(row["n"].value) for row in store.select(sparql).rows}
    graphs = lay.Layout.at(ROOT).graphs()
    # every graph of the repository but the derived ones that hold nothing (reference, wikidata, joint)
    assert set(per_graph) == {g for g in graphs if not V.is_derived(g)} | {
        V.derived_graph_of(V.graph("000_28830c00cecbbf69")), V.derived_graph_of(V.graph("003_73e3b687882f6e77"))}
    union = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
    distinct = store.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }")
    # Every store gives a triple once per graph that holds it: the Coalition's founding date and the
    # Africa Focus Group's coalition, which both documents state, are in the derived graph of each, so
    # each comes twice; DISTINCT gives each once.
    assert int(union.value) == sum(per_graph.values()) == int(distinct.rows[0]["n"].value) + 2


def test_literals_of_every_kind_come_back_alike(store):
    rows = store.select('SELECT ?d ?n ?s ?l WHERE { VALUES (?d ?n ?s ?l) { ("2023-03-01"^^<http://www.w3.org/2001/'
                        'XMLSchema#date> 85 "x\\ty\\"z" "Maroc"@fr) } }').rows
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert rows == [{"d": ox.Literal("2023-03-01", datatype=ox.NamedNode(xsd + "date")),
                     "n": ox.Literal("85", datatype=ox.NamedNode(xsd + "integer")),
                     "s": ox.Literal('x\ty"z'), "l": ox.Literal("Maroc", language="fr")}]


def test_an_ask_comes_back_as_a_boolean(store):
    assert store.select('ASK { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> "Morocco"@en }').boolean is True
    assert store.select('ASK { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> "Atlantis"@en }').boolean is False


@pytest.mark.parametrize("server", ["oxigraph", "virtuoso"])
def test_push_keeps_every_named_graph_and_triple(request, server, dataset):
    endpoint = request.getfixturevalue(SERVERS[server])
    remote = RemoteStore(endpoint.sparql, 60, dataset.layout.graphs())
    counted = remote.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").rows
    local = {graph: len(dataset.quads([graph])) for graph in dataset.layout.graphs()}
    assert {row["g"].value: int(row["n"].value) for row in counted} == {g: n for g, n in local.items() if n}
    assert len(local) >= 5 and all(n for g, n in local.items() if not dataset.layout.vocabulary.is_derived(g))


@pytest.mark.parametrize("server", SERVERS)
def test_the_command_line_asks_each_endpoint(request, server, cli, root):
    endpoint = request.getfixturevalue(SERVERS[server])
    result = cli("--root", str(root), "query", "source-disagreements", "--endpoint", endpoint.sparql,
                 "--format", "csv")
    assert result.code == 0, result.err
    assert result.out.splitlines()[1:] == [
        "https://w3id.org/coalition-kg/id/global-coalition-to-defeat-isis,Global Coalition to Defeat ISIS,"
        "member count,84,,2022-05-11,https://w3id.org/coalition-kg/source/000_28830c00cecbbf69,change over time",
        "https://w3id.org/coalition-kg/id/global-coalition-to-defeat-isis,Global Coalition to Defeat ISIS,"
        "member count,85,2023-03-02,2023-03-02,https://w3id.org/coalition-kg/source/003_73e3b687882f6e77,"
        "change over time"]


@pytest.mark.parametrize("server", SERVERS)
def test_stats_and_sparql_read_each_endpoint_as_the_files(request, server, cli, root):
    endpoint = request.getfixturevalue(SERVERS[server])
    for command in (["stats", "--format", "json"],
                    ["sparql", "SELECT ?e ?l WHERE { ?e <http://www.w3.org/2004/02/skos/core#altLabel> ?l } "
                               "ORDER BY ?e ?l", "--format", "csv"]):
        local = cli("--root", str(root), *command)
        remote = cli("--root", str(root), *command, "--endpoint", endpoint.sparql)
        assert local.code == remote.code == 0, remote.err
        assert remote.out == local.out and len(local.out.splitlines()) > 5
