"""`serve` over the real repository, in process: the ASGI app and its Service, with the workers' own
`execute` run in this process over the loaded store instead of in worker processes (the one thing
a worker adds is the process: its memory limit and its network ban, which tests/test_serve.py checks
over a real server). Fast enough for every run: the protocol, every results format, and the stored
queries as REST giving what `query` gives."""

from __future__ import annotations

import asyncio
import csv
import io

import httpx
import pyoxigraph as ox
import pytest

from coalition_kg.query.catalogue import StoredQuery, load_catalogue
from coalition_kg.serve.app import make_app
from coalition_kg.serve.service import Service
from coalition_kg.serve.workers import Job, Limits, Reply, StoredJob, execute

LABELS = ("SELECT ?e ?label WHERE { ?e <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } "
          "ORDER BY ?label LIMIT 5")


class InProcessPool:
    """A worker pool of none: each job is answered here, by the function a worker runs."""

    limits = Limits()

    def __init__(self, store: ox.Store, catalogue: dict[str, StoredQuery]):
        self.store = store
        self.catalogue = catalogue

    def run(self, job: Job | StoredJob) -> Reply:
        return execute(self.store, job, self.limits.rows, self.limits.bytes, catalogue=self.catalogue)


@pytest.fixture(scope="module")
def app(dataset):
    catalogue = load_catalogue(dataset.layout)
    return make_app(Service(catalogue, InProcessPool(dataset.store, catalogue)), log=None)


def fetch(app, method: str, path: str, **kwargs) -> httpx.Response:
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def expected(dataset):
    return [(s["e"], s["label"]) for s in dataset.store.query(LABELS, use_default_graph_as_union=True)]


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_select_in_every_results_format_and_method(app, expected, accept, method):
    if method == "GET":
        answer = fetch(app, "GET", "/sparql", params={"query": LABELS}, headers={"Accept": accept})
    elif method == "POST-form":
        answer = fetch(app, "POST", "/sparql", data={"query": LABELS}, headers={"Accept": accept})
    else:
        answer = fetch(app, "POST", "/sparql", content=LABELS.encode(),
                       headers={"Accept": accept, "Content-Type": "application/sparql-query"})
    assert (answer.status_code, answer.headers["content-type"]) == (200, accept), answer.text
    assert len(expected) == 5
    if accept == "text/csv":  # CSV keeps the values only
        rows = list(csv.reader(io.StringIO(answer.text)))
        assert rows == [["e", "label"]] + [[e.value, label.value] for e, label in expected]
        return
    fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/tab-separated-values": ox.QueryResultsFormat.TSV}[accept]
    assert [(s["e"], s["label"]) for s in ox.parse_query_results(answer.content, format=fmt)] == expected


def test_a_stored_query_as_rest_gives_what_the_command_line_gives(app, dataset, cli, root):
    queries = load_catalogue(dataset.layout)
    assert len(queries) >= 10
    for name, query in queries.items():
        values = query.example_values()
        args = [arg for key, value in values.items() for arg in ("--param", f"{key}={value}")]
        local = cli("--root", str(root), "query", name, "--format", "csv", *args)
        assert local.code == 0, local.err
        answer = fetch(app, "GET", f"/queries/{name}", params=values, headers={"Accept": "text/csv"})
        assert (answer.status_code, answer.headers["content-type"]) == (200, "text/csv"), answer.text
        assert answer.text == local.out, name
        answer = fetch(app, "GET", f"/queries/{name}.json", params=values)
        assert (answer.status_code, answer.headers["content-type"]) == (200, "application/sparql-results+json")
        variables = ox.parse_query_results(answer.content, format=ox.QueryResultsFormat.JSON).variables
        assert [v.value for v in variables] == local.out.splitlines()[0].split(",")


@pytest.mark.parametrize("how", ["GET", "POST-update"])
def test_an_update_is_refused_and_changes_nothing(app, dataset, how):
    before = len(dataset.store)
    update = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    if how == "GET":
        answer = fetch(app, "GET", "/sparql", params={"query": update})
    else:
        answer = fetch(app, "POST", "/sparql", content=update.encode(),
                       headers={"Content-Type": "application/sparql-update"})
    assert 400 <= answer.status_code < 500 and len(answer.text.strip().splitlines()) == 1, answer.text
    assert len(dataset.store) == before
