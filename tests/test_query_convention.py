"""Stored queries follow grlc's parameter convention, and one reader (catalogue.py) serves the CLI,
serve and OpenAPI: the variable's name types the parameter; OpenAPI's pattern is the binder's."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalition_kg.errors import QueryProblem
from coalition_kg.query.catalogue import PATTERNS, Parameter, load_catalogue, read_query, to_term
from coalition_kg.repository.layout import Layout
from coalition_kg.serve.openapi import describe

from .terms import PREFIXES

CKG = PREFIXES["ckg"]

IRI = Parameter("x", "iri", "")


def accepted(param: Parameter, value: str) -> bool:
    try:
        to_term("q", param, value)
    except QueryProblem:
        return False
    return True


def test_grlc_convention_types_every_parameter_by_its_variable(tmp_path):
    path = tmp_path / "typed.rq"
    path.write_text("#+ params:\n#+   - name: day\n#+     example: '2023-03-01'\n"
                    "SELECT * WHERE { ?m ?p ?_day_xsd_date ; ?q ?_n_integer ; ?r ?_who_iri ; ?s ?_label ; ?t ?__opt }")
    query = read_query(path)
    assert {(p.name, p.type, p.variable_name, p.required) for p in query.params} == {
        ("day", "date", "_day_xsd_date", True), ("n", "integer", "_n_integer", True),
        ("who", "iri", "_who_iri", True), ("label", "string", "_label", True), ("opt", "string", "__opt", False)}
    assert next(p for p in query.params if p.name == "day").example == "2023-03-01"
    bound = query.bind({"day": "2023-03-01", "n": "7", "who": "morocco", "label": "x"})
    assert ox.Variable("__opt") not in bound  # optional and not given: left unbound, as grlc leaves it
    assert bound[ox.Variable("_who_iri")] == ox.NamedNode("https://w3id.org/coalition-kg/id/morocco")


def test_grlc_convention_openapi_names_the_parameters_users_type(root):
    spec = describe(load_catalogue(Layout(root)))
    roles = spec["paths"]["/queries/meeting-roles"]["get"]["parameters"]
    assert [(p["name"], p["schema"].get("pattern")) for p in roles] == [("meeting", PATTERNS["iri"]), ("role", None)]
    # a list of enumerated values: each value one of the roles, by its IRI or its compact name
    assert roles[1]["schema"]["items"]["enum"][:2] == [f"{CKG}host", "ckg:host"]


@pytest.mark.slow  # fuzzing: hundreds of examples
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.from_regex(PATTERNS["iri"], fullmatch=True))
def test_grlc_openapi_every_iri_the_schema_admits_is_bound(value):
    assert accepted(IRI, value)


@pytest.mark.slow  # fuzzing: hundreds of examples
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
       | st.builds(lambda a, b: f"http://{a}/{b}", st.text(max_size=10), st.text(max_size=10)))
def test_grlc_openapi_the_schema_and_the_binder_agree_on_any_text(value):
    for kind in ("iri", "integer"):
        assert accepted(Parameter("x", kind, ""), value) == bool(re.fullmatch(PATTERNS[kind], value)), (kind, value)
