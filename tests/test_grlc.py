"""Show 4: grlc (PyPI), driven in process over queries/, against a `serve` on 127.0.0.1, answers every
stored query with its example parameters exactly as `coalition-kg query` does. grlc reads parameters
from the variables' names, so this fails if a query's variables and our catalogue ever disagree."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from coalition_kg.query.catalogue import load_catalogue
from coalition_kg.repository.layout import Layout

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def grlc_app(root):
    """grlc's Flask app with its local loader reading our queries/ folder (its default folder is
    fixed when grlc is imported, from a config.ini in the working directory)."""
    grlc_server = pytest.importorskip("grlc.server", reason="grlc is in the test extra")
    from grlc.fileLoaders import LocalLoader  # noqa: PLC0415 (after importorskip, which says why grlc is missing)

    defaults = LocalLoader.__init__.__defaults__
    LocalLoader.__init__.__defaults__ = (str(root / "queries"),)
    try:
        yield grlc_server.app.test_client()
    finally:
        LocalLoader.__init__.__defaults__ = defaults


def rows(results: dict) -> Counter:
    """The answer's rows as a multiset of (variable, term) sets: grlc and we may differ in order only
    where the query's ORDER BY leaves it open."""
    return Counter(frozenset((var, json.dumps(term, sort_keys=True)) for var, term in row.items())
                   for row in results["results"]["bindings"])


def test_grlc_reads_the_same_operations_and_parameters(root, grlc_app):
    spec = grlc_app.get("/api-local/swagger").get_json()
    catalogue = load_catalogue(Layout(root))
    operations = {path.strip("/").split("/")[-1]: item["get"] for path, item in spec["paths"].items()}
    assert set(operations) == set(catalogue)
    for name, query in catalogue.items():
        grlc_params = {p["name"]: p for p in operations[name].get("parameters", []) if p["in"] == "query"
                       and p["name"] not in ("endpoint", "page")}
        assert set(grlc_params) == {p.name for p in query.params}, name
        for param in query.params:
            assert (grlc_params[param.name].get("format") == "iri") == (param.type == "iri"), (name, param.name)
            # grlc reads the allowed values from the same `enumerate:` header (a compact spelling is ours only)
            assert grlc_params[param.name].get("enum", []) == sorted(set(param.choices.values())), (name, param.name)
    assert any(param.choices for query in catalogue.values() for param in query.params)


def test_grlc_reads_the_declared_endpoint(root, grlc_app):
    from grlc.fileLoaders import LocalLoader  # noqa: PLC0415 (grlc reads config.ini when imported: the fixture's)
    from grlc.gquery import guess_endpoint_uri  # noqa: PLC0415 (as above)

    endpoint, _ = guess_endpoint_uri("SELECT * WHERE { ?s ?p ?o }", LocalLoader(str(root / "queries")))
    assert endpoint == "http://127.0.0.1:8000/sparql"  # serve's default address


def test_grlc_answers_every_stored_query_as_query_does(root, grlc_app, serve_endpoint, cli):
    catalogue = load_catalogue(Layout(root))
    assert len(catalogue) >= 19
    for name, query in sorted(catalogue.items()):
        values = query.example_values()
        assert set(values) == {p.name for p in query.params}, f"{name}: a parameter without an example"
        answer = grlc_app.get(f"/api-local/{name}", query_string={**values, "endpoint": serve_endpoint.sparql},
                              headers={"Accept": "application/json"})
        assert answer.status_code == 200, (name, answer.get_data(as_text=True)[:300])
        theirs = json.loads(answer.get_data(as_text=True))
        args = [arg for key, value in values.items() for arg in ("--param", f"{key}={value}")]
        ours = cli("--root", str(root), "query", name, *args, "--format", "json")
        assert ours.code == 0, ours.err
        ours_json = json.loads(ours.out)
        assert theirs["head"]["vars"] == ours_json["head"]["vars"], name
        assert rows(theirs) == rows(ours_json), name
        if query.params:  # the parameters were bound, not ignored: the answer is not the empty one
            assert theirs["results"]["bindings"], f"{name}: grlc got no rows for its example"
