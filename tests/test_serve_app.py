"""`serve`'s ASGI app and its Service, in process (httpx's ASGITransport, no socket, no worker
process): the requests the app answers itself, the one line for every refusal and every fault, the
escaped log, and the byte cap the workers put on answers."""

from __future__ import annotations

import asyncio
import json
import time as clock
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from coalition_kg.query.catalogue import Parameter, StoredQuery, load_catalogue
from coalition_kg.rdf.formats import RESULT_FORMATS
from coalition_kg.repository.layout import Layout
from coalition_kg.serve.app import make_app
from coalition_kg.serve.service import MAX_BODY, Service
from coalition_kg.serve.workers import Job, Limits, Reply, StoredJob, execute, printable

COUNTED = StoredQuery("counted", Path("queries/counted.rq"), "SELECT ?n WHERE { BIND(?_n AS ?n) }",
                      params=[Parameter("n", "integer", "a number")])


class FakePool:
    """Stands for the worker processes: answers each job with the job itself, so a test sees what
    the service asked for."""

    limits = Limits()

    def __init__(self):
        self.jobs: list[Job] = []

    def run(self, job: Job | StoredJob) -> Reply:
        self.jobs.append(job)
        return Reply(200, "text/plain", (job.sparql if isinstance(job, Job) else repr(job)).encode())


def fetch(app, method: str, path: str, **kwargs) -> httpx.Response:
    async def go():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


@pytest.fixture
def pool():
    return FakePool()


@pytest.fixture
def lines():
    return []


@pytest.fixture
def app(pool, lines):
    site = {"index.html": b"<!DOCTYPE html><title>x</title>", "id/morocco.ttl": b"<a> <b> <c> ."}
    return make_app(Service({"counted": COUNTED}, pool, site), log=lines.append)


def one_line(response: httpx.Response) -> str:
    text = response.text
    assert text.endswith("\n") and text.count("\n") == 1 and "Traceback" not in text, text
    return text


def test_a_query_reaches_the_pool_with_what_the_client_asked(app, pool):
    """The worker checks the query and negotiates its answer's type (test_the_worker_negotiates...)."""
    response = fetch(app, "GET", "/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert pool.jobs == [Job("ASK {}", "text/csv", base_iri="http://test/sparql")]
    response = fetch(app, "POST", "/sparql", content=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200 and response.text == "ASK {}"


def test_head_sends_the_length_and_no_body(app):
    response = fetch(app, "HEAD", "/index.html")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-length"] == str(len(b"<!DOCTYPE html><title>x</title>"))


@pytest.mark.parametrize("method,path,kwargs,status,says", [
    ("GET", "/index.html%00.png", {}, 400, "the path holds a NUL character"),
    ("GET", "/id/morocco%00", {"headers": {"Accept": "text/turtle"}}, 400, "NUL"),
    ("GET", "/queries/counted", {"params": {"n": "x"}}, 400, "is not an integer"),
    ("POST", "/sparql", {"content": b"x" * (MAX_BODY + 1), "headers": {"Content-Type": "application/sparql-query"}},
     413, "over 1048576 bytes"),
    ("POST", "/sparql", {"content": b"\xff", "headers": {"Content-Type": "application/sparql-query"}}, 400, "UTF-8"),
    ("PUT", "/sparql", {"content": b""}, 405, "PUT is not allowed"),
    ("GET", "/%1b[31mred", {}, 404, "nothing at /\\x1b[31mred"),
])
def test_class5_a_bad_request_is_a_4xx_with_one_readable_line(app, method, path, kwargs, status, says):
    response = fetch(app, method, path, **kwargs)
    assert response.status_code == status
    assert says in one_line(response) and "\x1b" not in response.text


def test_class5_a_fault_of_ours_is_a_500_and_one_log_line(pool, lines, capsys):
    class Broken(Service):
        def get(self, request):  # noqa: ARG002 (Service's signature)
            raise RuntimeError("boom\nsecond line\x1b")

    app = make_app(Broken({}, pool), log=lines.append)
    response = fetch(app, "GET", "/")
    assert response.status_code == 500 and "internal error: RuntimeError: boom second line\\x1b" in one_line(response)
    assert "Traceback" not in capsys.readouterr().err


def test_class5_a_fault_past_the_service_is_a_500_and_one_line_on_stderr(lines, capsys):
    class Broken(Service):
        def answer(self, request):  # noqa: ARG002 (Service's signature)
            raise KeyError("\x1b]0;owned\x07")

    response = fetch(make_app(Broken({}, FakePool()), log=lines.append), "GET", "/")
    assert response.status_code == 500 and "KeyError" in one_line(response)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "serve: internal error: KeyError" in err and "\x1b" not in err
    assert "Traceback" not in err


def test_class5_the_log_is_one_escaped_line_per_request(app, lines):
    fetch(app, "GET", "/x%1b[2J%0d%0aforged", headers={"Accept": "text/html"})
    fetch(app, "GET", "/index.html")
    assert len(lines) == 2
    assert all(printable(line) == line for line in lines), lines
    assert '"GET /x%1b[2J%0d%0aforged HTTP/1.1" 404' in lines[0] and '"GET /index.html HTTP/1.1" 200' in lines[1]


def test_class5_an_answer_past_the_byte_cap_is_refused_before_it_is_sent():
    store = ox.Store()
    for n in range(200):
        store.add(ox.Quad(ox.NamedNode(f"urn:x:{n}"), ox.NamedNode("urn:x:p"), ox.Literal("y" * 100)))
    query = "SELECT * WHERE { ?s ?p ?o }"
    small = execute(store, Job(query, accept="text/csv"), max_rows=1000, max_bytes=100_000)
    assert small.status == 200 and small.body.count(b"\n") == 201
    big = execute(store, Job(query, accept="text/csv"), max_rows=1000, max_bytes=len(small.body) - 1)
    assert big.status == 422 and f"larger than {len(small.body) - 1} bytes" in big.body.decode()
    graph = execute(store, Job("CONSTRUCT WHERE { ?s ?p ?o }", accept="text/turtle"), max_rows=1000, max_bytes=1024)
    assert graph.status == 422


@pytest.mark.parametrize(("job", "status", "media"), [
    (Job("ASK {}", "text/csv"), 200, "text/csv"),
    (Job("ASK {}", "text/turtle"), 406, None),
    (Job("CONSTRUCT WHERE { ?s ?p ?o }", "*/*"), 200, "text/turtle"),
    (Job("SELECT * WHERE { ?s ?p ?o }", "text/csv", fmt="json"), 200, "application/sparql-results+json"),
    (Job("SELECT * WHERE { ?s ?p ?o }", fmt="turtle"), 200, "application/sparql-results+json"),  # falls back
    (Job("INSERT DATA { <urn:a> <urn:b> <urn:c> }"), 403, None),
    (Job("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), 400, None),
    (Job("SELECT * FROM <urn:elsewhere> WHERE { ?s ?p ?o }"), 400, None),
    (Job("SELECT * FROM <urn:ours> WHERE { ?s ?p ?o }", graphs=("urn:ours",)), 200, "application/sparql-results+json"),
])
def test_the_worker_checks_the_query_and_negotiates_its_answer(job, status, media):
    """Checking and negotiating happen in the worker, under its time and memory limits: a query the
    checker refuses is never run, and the answer's type follows from the query's form."""
    reply = execute(ox.Store(), job, max_rows=10, max_bytes=10_000)
    assert reply.status == status, reply.body
    if media is not None:
        assert reply.media == media
    else:
        assert reply.body.count(b"\n") == 1


def test_class8_an_integer_past_pythons_digit_limit_is_bound_whole(app, pool):
    """5,000 digits: past int()'s 4,300-digit limit, which made a 500; the value is bound as it is."""
    response = fetch(app, "GET", "/queries/counted", params={"n": "9" * 5000})
    assert response.status_code == 200
    job = pool.jobs[-1]
    assert job == StoredJob("counted", (("n", "9" * 5000),), "json")
    reply = execute(ox.Store(), job, max_rows=10, max_bytes=100_000, catalogue={"counted": COUNTED})
    assert reply.status == 200, reply.body
    assert json.loads(reply.body)["results"]["bindings"] == [
        {"n": {"type": "literal", "value": "9" * 5000, "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]


class InProcessPool:
    """The worker pool's answers, computed in this process by the function each worker runs."""

    limits = Limits()

    def __init__(self, graph: ox.Store, catalogue: dict):
        self.graph, self.catalogue = graph, catalogue

    def run(self, job) -> Reply:
        return execute(self.graph, job, self.limits.rows, self.limits.bytes, self.catalogue)


def test_a_stored_query_over_http_is_byte_for_byte_what_the_command_line_writes(cli, root, dataset):
    """`coalition-kg query NAME --format F` and GET /queries/NAME.F (and /queries/NAME, negotiated)
    come from one writer (query/answers.py): the same bytes, for every stored query and every format
    both offer."""
    catalogue = load_catalogue(Layout.at(root))
    offered = ("json", "csv")  # the REST operation's formats; the command line writes these and more
    assert set(offered) <= set(RESULT_FORMATS)
    app = make_app(Service(catalogue, InProcessPool(dataset.store, catalogue), None, dataset.layout.graphs()),
                   log=None)
    for name, query in catalogue.items():
        values = query.example_values()
        args = [arg for key, value in values.items() for arg in ("--param", f"{key}={value}")]
        for fmt in offered:
            local = cli("--root", str(root), "query", name, "--format", fmt, *args)
            assert local.code == 0, local.err
            served = fetch(app, "GET", f"/queries/{name}.{fmt}", params=values)
            assert served.status_code == 200, served.text
            assert served.headers["content-type"] == RESULT_FORMATS[fmt].media_type
            assert served.content == local.out.encode("utf-8"), (name, fmt)
            negotiated = fetch(app, "GET", f"/queries/{name}", params=values,
                               headers={"Accept": RESULT_FORMATS[fmt].media_type})
            assert negotiated.content == served.content, (name, fmt)


def test_class1_a_dataset_on_graphs_not_ours_is_refused(pool):
    """default-graph-uri and named-graph-uri name the query's dataset: as a FROM, only our own graphs."""
    app = make_app(Service({}, pool, None, graphs=["urn:ours"]), log=None)
    for key in ("default-graph-uri", "named-graph-uri"):
        response = fetch(app, "GET", "/sparql", params={"query": "ASK {}", key: "http://127.0.0.1:9/elsewhere"})
        assert response.status_code == 400 and "is not a graph of this dataset" in one_line(response)
    assert pool.jobs == []
    response = fetch(app, "GET", "/sparql", params={"query": "ASK {}", "default-graph-uri": "urn:ours"})
    assert response.status_code == 200 and pool.jobs[-1].default_graphs == ["urn:ours"]


def test_class5_answers_held_at_once_are_bounded(pool):
    """However many clients ask, at most answer_slots answers are held (computed or being sent): the
    memory answers take is that many times the byte cap. A request that finds no slot in time: 503."""
    class SlowPool(FakePool):
        def run(self, job: Job) -> Reply:
            clock.sleep(1.0)
            return super().run(job)

    slow = SlowPool()
    app = make_app(Service({}, slow, None), log=None, answer_slots=1, slot_seconds=0.3)

    async def both():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            return await asyncio.gather(*(client.get("/sparql", params={"query": "ASK {}"}) for _ in range(2)))

    first, second = sorted(asyncio.run(both()), key=lambda r: r.status_code)
    assert (first.status_code, second.status_code) == (200, 503)
    assert "answers this server holds at once" in one_line(second)
    assert len(slow.jobs) == 1
    assert fetch(app, "GET", "/index.html").status_code == 404  # pages never wait for a slot
