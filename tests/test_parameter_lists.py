"""List and enumerated parameters: several values for one parameter (`multiple: true` in the header)
bound as a VALUES block of typed terms, and allowed values (grlc's `enumerate:`) that the CLI, serve
and OpenAPI give and that refuse any other value, with one clear message everywhere."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from openapi_spec_validator import validate

from coalition_kg.errors import QueryProblem
from coalition_kg.query.binding import bind
from coalition_kg.query.catalogue import MAX_VALUES, Parameter, StoredQuery, load_catalogue, read_query
from coalition_kg.query.store import EmbeddedStore
from coalition_kg.repository.layout import Layout
from coalition_kg.serve.app import make_app
from coalition_kg.serve.openapi import describe
from coalition_kg.serve.service import Service

from .terms import PREFIXES, parse_term
from .test_serve_in_process import InProcessPool

ROOT = Path(__file__).resolve().parents[1]
CASES = json.loads((ROOT / "tests" / "golden" / "parameters" / "lists.json").read_text(encoding="utf-8"))
CKG = PREFIXES["ckg"]
ROLES = ("ckg:host, ckg:convener, ckg:organizer, ckg:coChair, ckg:headOfDelegation, ckg:hostState, ckg:member")


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['query']}-{len(c['rows'])}-rows")
def test_a_list_of_values_returns_the_rows_worked_out_by_hand(case, dataset):
    query = read_query(ROOT / "queries" / f"{case['query']}.rq", vocabulary=dataset.layout.vocabulary)
    rows = EmbeddedStore(dataset).select(query.text, query.bind(case["params"])).rows
    assert rows, case["why"]
    assert rows == [{var: parse_term(value) for var, value in row.items()} for row in case["rows"]], case["why"]


def test_a_list_binds_as_one_values_row_per_term_never_as_text():
    hostile = ['"} ; DROP ALL ; {"', "x' . } #"]
    query = StoredQuery("by-label", Path("by-label.rq"), "SELECT ?thing WHERE { ?thing ?p ?_label }",
                        params=[Parameter("label", "string", "a label", "Morocco", multiple=True)])
    bound = query.bind({"label": hostile})
    assert bound == {ox.Variable("_label"): tuple(ox.Literal(text) for text in hostile)}
    text = bind(query.text, bound)
    assert text == ('SELECT ?thing WHERE { VALUES ?_label { "\\"} ; DROP ALL ; {\\"" "x\' . } #" }'
                    " ?thing ?p ?_label }")
    assert list(ox.Store().query(text)) == []  # one valid query, that reads the values as values


def query_of(dataset, name: str) -> StoredQuery:
    return load_catalogue(dataset.layout)[name]


@pytest.mark.parametrize(("values", "says"), [
    (["ckg:host", "ckg:boss"], f"'ckg:boss' is not an allowed value; allowed: {ROLES}"),
    (["morocco"], "'morocco' is not an allowed value"),
    ([], "an empty list: give at least one value"),
    ([""], "'' is not an allowed value"),
    (["ckg:host"] * (MAX_VALUES + 1), f"{MAX_VALUES + 1} values: a list parameter takes at most {MAX_VALUES}"),
])
def test_a_bad_list_is_refused_naming_the_parameter_the_value_and_the_allowed_ones(dataset, values, says):
    with pytest.raises(QueryProblem) as caught:
        query_of(dataset, "roles-of-agent").bind({"agent": "morocco", "role": values})
    assert str(caught.value).startswith("query roles-of-agent, parameter role: ")
    assert says in str(caught.value)


def test_a_single_value_parameter_given_twice_is_refused(dataset):
    with pytest.raises(QueryProblem, match="parameter agent: given more than once: this parameter takes one"):
        query_of(dataset, "roles-of-agent").bind({"agent": ["morocco", "niger"]})


def test_the_command_line_takes_a_list_by_repeating_the_option(cli, root):
    done = cli("--root", str(root), "query", "roles-of-agent", "--param", "agent=morocco",
               "--param", "role=ckg:host", "--param", f"role={CKG}organizer", "--format", "csv")
    assert done.code == 0, done.err
    rows = done.out.splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == [f"{CKG}organizer", f"{CKG}host", f"{CKG}host"]


@pytest.mark.parametrize(("args", "says"), [
    (("role=ckg:host", "role=ckg:boss"), f"parameter role: 'ckg:boss' is not an allowed value; allowed: {ROLES}"),
    (("role=",), "parameter role: '' is not an allowed value"),
    (("agent=niger",), "parameter agent: given more than once: this parameter takes one value"),
    (tuple(f"role={CKG}host" for _ in range(MAX_VALUES + 1)), f"at most {MAX_VALUES}"),
])
def test_the_command_line_refuses_a_bad_list_with_exit_2_and_one_line(cli, root, args, says):
    params = [arg for pair in ("agent=morocco", *args) for arg in ("--param", pair)]
    done = cli("--root", str(root), "query", "roles-of-agent", *params)
    assert done.code == 2 and done.out == ""
    assert done.err.startswith("coalition-kg: error: query roles-of-agent, ") and says in done.err
    assert done.err.count("\n") == 1


def test_query_help_lists_the_parameters_and_their_allowed_values(cli, root):
    done = cli("--root", str(root), "query", "meeting-roles", "--help")
    assert done.code == 0
    section = " ".join(done.out.split("Parameters of meeting-roles:")[1].split())
    assert "--param meeting=<iri> The meeting" in section
    assert ("--param role=<ckg:host|ckg:convener|ckg:organizer|ckg:coChair|ckg:headOfDelegation>… Only these "
            "roles") in section
    assert "Repeat --param for several values." in section


def test_queries_lists_the_allowed_values_and_the_lists(cli, root):
    lines = cli("--root", str(root), "queries").out.splitlines()
    line = next(line for line in lines if line.startswith("roles-of-agent:"))
    assert line.endswith(f"[--param agent=<iri> --param role=<{ROLES.replace(', ', '|')}>…]")
    line = next(line for line in lines if line.startswith("meetings-hosted-by:"))
    assert line.endswith("[--param agent=<iri>…]")


@pytest.fixture(scope="module")
def app(dataset):
    catalogue = load_catalogue(dataset.layout)
    return make_app(Service(catalogue, InProcessPool(dataset.store, catalogue)), log=None)


def get(app, path: str, params: list[tuple[str, str]]) -> httpx.Response:
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.get(path, params=params)

    return asyncio.run(go())


def test_serve_takes_a_list_as_a_repeated_parameter_and_answers_as_the_command_line(app, cli, root):
    params = [("agent", "morocco"), ("role", "ckg:host"), ("role", f"{CKG}organizer")]
    answer = get(app, "/queries/roles-of-agent.csv", params)
    assert answer.status_code == 200, answer.text
    ours = cli("--root", str(root), "query", "roles-of-agent", *[a for k, v in params for a in ("--param", f"{k}={v}")],
               "--format", "csv")
    assert answer.content == ours.out.encode()


@pytest.mark.parametrize(("params", "says"), [
    ([("role", "ckg:host"), ("role", "ckg:boss")],
     f"parameter role: 'ckg:boss' is not an allowed value; allowed: {ROLES}"),
    ([("role", "")], "parameter role: '' is not an allowed value"),
    ([("agent", "niger")], "parameter agent: given more than once: this parameter takes one value"),
    ([("role", "ckg:host")] * (MAX_VALUES + 1),
     f"{MAX_VALUES + 1} values: a list parameter takes at most {MAX_VALUES}"),
])
def test_serve_refuses_a_bad_list_with_400_and_the_command_lines_message(app, cli, root, params, says):
    answer = get(app, "/queries/roles-of-agent", [("agent", "morocco"), *params])
    assert answer.status_code == 400
    assert answer.text.startswith("query roles-of-agent, ") and says in answer.text
    ours = cli("--root", str(root), "query", "roles-of-agent",
               *[a for k, v in [("agent", "morocco"), *params] for a in ("--param", f"{k}={v}")])
    assert answer.text.strip() == ours.err.removeprefix("coalition-kg: error: ").strip()


def test_openapi_gives_a_list_as_an_exploded_array_and_the_allowed_values_as_an_enum(root):
    spec = describe(load_catalogue(Layout(root)))
    validate(spec)  # a valid OpenAPI 3.0 document
    params = {p["name"]: p for p in spec["paths"]["/queries/roles-of-agent"]["get"]["parameters"]}
    role = params["role"]
    assert (role["required"], role["style"], role["explode"]) == (False, "form", True)
    assert role["schema"]["type"] == "array" and role["schema"]["maxItems"] == MAX_VALUES
    assert role["schema"]["minItems"] == 1 and role["example"] == [f"{CKG}coChair"]
    enum = role["schema"]["items"]["enum"]
    assert len(enum) == 14 and {f"{CKG}member", "ckg:member"} <= set(enum)  # each role by its IRI and compact name
    hosted = spec["paths"]["/queries/meetings-hosted-by"]["get"]["parameters"][0]
    assert hosted["required"] and hosted["schema"]["items"]["pattern"]  # a list of IRIs: not enumerated


HEADER = """#+ summary: A test query with a list parameter.
#+ description: Used by tests/test_parameter_lists.py to break the header on purpose.
#+ tags: [test]
#+ params:
#+   - name: role
#+     description: a role
#+     example: https://w3id.org/coalition-kg/ontology#host
#+     multiple: true
"""


@pytest.mark.parametrize(("header", "says"), [
    ("#+ enumerate:\n#+   - role\n", "broken.rq:10: enumerate[0]: list the allowed values (`- role: [value, …]`); "
                                      "grlc's form that asks the endpoint for them is not supported"),
    ("#+ enumerate:\n#+   - who: [a]\n",
     "broken.rq:10: enumerate[0]: the query has no parameter 'who' (it takes: role)"),
    ("#+ enumerate:\n#+   - role: []\n", "broken.rq:10: enumerate[0]: role: a non-empty list of values"),
    ("#+ enumerate:\n#+   - role: ['not an iri']\n",
     "parameter role: broken.rq:10: enumerate: role: 'not an iri' is not an absolute IRI or an entity slug"),
    ("#+ enumerate:\n#+   - role: ['https://w3id.org/coalition-kg/ontology#coChair']\n",
     "broken.rq:10: enumerate: role: the parameter's example, 'https://w3id.org/coalition-kg/ontology#host', "
     "is not one of these values"),
])
def test_a_bad_enumeration_in_the_header_names_file_and_line(tmp_path, header, says):
    path = tmp_path / "broken.rq"
    path.write_text(HEADER + header + "SELECT ?x WHERE { ?x ?p ?_role_iri }\n", encoding="utf-8")
    with pytest.raises(QueryProblem) as caught:
        read_query(path, "broken.rq")
    assert says in str(caught.value)


def test_multiple_is_true_or_false(tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text(HEADER.replace("multiple: true", "multiple: several") + "SELECT ?x WHERE { ?x ?p ?_role_iri }\n",
                    encoding="utf-8")
    with pytest.raises(QueryProblem, match=r"broken.rq:8: params\[0\]: multiple is true or false, not 'several'"):
        read_query(path, "broken.rq")



def test_the_landing_page_names_the_allowed_values_and_the_lists(app):
    page = get(app, "/", []).text
    assert ("<code>role</code> (ckg:host | ckg:convener | ckg:organizer | ckg:coChair | ckg:headOfDelegation, "
            "repeatable)") in page
    assert "<code>agent</code> (iri, repeatable)" in page
