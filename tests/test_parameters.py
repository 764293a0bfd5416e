"""Parameters are bound as typed RDF terms, never spliced into the query text."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from coalition_kg.errors import QueryProblem
from coalition_kg.query.binding import bind
from coalition_kg.query.catalogue import Parameter, StoredQuery, to_term
from coalition_kg.query.store import EmbeddedStore

HOSTILE = ['"} ; DROP ALL ; {"', 'x" . } } DELETE WHERE { ?s ?p ?o } #', "<http://evil/> ) }", "'; --", "a > b"]

LABEL_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing WHERE { ?thing rdfs:label ?_label }"""


def label_query() -> StoredQuery:
    return StoredQuery("by-label", None, LABEL_QUERY, params=[Parameter("label", "string", "a label", "Morocco")])


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_string_is_a_plain_value(value, dataset):
    query = label_query()
    bindings = query.bind({"label": value})
    assert bindings == {ox.Variable("_label"): ox.Literal(value)}
    before = len(dataset.store)
    results = EmbeddedStore(dataset).select(query.text, bindings)
    assert results.rows == [] and len(dataset.store) == before


def test_binding_finds_the_real_value(dataset):
    query = label_query()
    # language-tagged labels: a plain string does not match them, so bind the tagged literal directly
    results = EmbeddedStore(dataset).select(
        query.text, {ox.Variable("_label"): ox.Literal("Morocco", language="en")})
    assert [r["thing"].value for r in results.rows] == ["https://w3id.org/coalition-kg/id/morocco"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_iri_is_refused_naming_query_and_parameter(value):
    with pytest.raises(QueryProblem) as caught:
        to_term("meeting-roles", Parameter("meeting", "iri", ""), value)
    assert str(caught.value).startswith("query meeting-roles, parameter meeting: ")


def test_typed_parameters():
    assert to_term("q", Parameter("d", "date", ""), "2023-03-01") == ox.Literal(
        "2023-03-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    assert to_term("q", Parameter("n", "integer", ""), "85").value == "85"
    assert to_term("q", Parameter("e", "iri", ""), "morocco") == ox.NamedNode("https://w3id.org/coalition-kg/id/morocco")
    for kind, bad in (("date", "2023-02-30"), ("date", "March 2023"), ("integer", "85 members"), ("iri", "not an iri")):
        with pytest.raises(QueryProblem):
            to_term("q", Parameter("p", kind, ""), bad)


def test_hostile_value_through_the_command_line(cli, root):
    result = cli("--root", str(root), "query", "aliases", "--param", 'entity="} ; DROP ALL ; {"')
    assert result.code == 2 and "query aliases, parameter entity" in result.err
    assert cli("--root", str(root), "validate", "--no-reasoning").code == 0


def test_bindings_go_into_the_where_group_not_into_comments_strings_or_iris():
    text = ('PREFIX a: <http://x/> # a comment with { a brace\n'
            'SELECT ?x WHERE { ?x a:p "}{" ; a:q ?_v } ORDER BY ?x')
    bound = bind(text, {ox.Variable("_v"): ox.Literal('"} ; DROP ALL ; {"')})
    assert bound == ('PREFIX a: <http://x/> # a comment with { a brace\n'
                     'SELECT ?x WHERE { VALUES (?_v) { ("\\"} ; DROP ALL ; {\\"") } '
                     '?x a:p "}{" ; a:q ?_v } ORDER BY ?x')
    ox.Store().query(bound)  # still one valid query


def test_bindings_reach_a_grouped_query(dataset):
    # A trailing VALUES clause would join after GROUP BY and leave the parameter unused.
    text = """PREFIX ckg: <https://w3id.org/coalition-kg/ontology#>
    SELECT ?org (COUNT(?obs) AS ?n) WHERE { ?obs ckg:countOf ?org ; ckg:memberCount ?_count } GROUP BY ?org"""
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    results = EmbeddedStore(dataset).select(text, {ox.Variable("_count"): ox.Literal("85", datatype=integer)})
    assert [row["n"].value for row in results.rows] == ["1"]
