"""`coalition-kg serve` over HTTP, as a client sees it: the SPARQL 1.1 Protocol (GET, POST, every
result format by content negotiation, read-only), the stored queries as REST operations with their
OpenAPI description, the landing page, the limits, and a readable 4xx for every bad request."""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest

from coalition_kg.query.catalogue import load_catalogue
from coalition_kg.repository.layout import Layout

from .servers import alive, children, coalition_serve

pytestmark = pytest.mark.servers

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
LABELS = ("SELECT ?e ?label WHERE { ?e <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } "
          "ORDER BY ?label LIMIT 5")
FOREVER = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def request(url: str, data: bytes | None = None, method: str | None = None, **headers) -> tuple[int, str, bytes]:
    """(status, content type, body), for an error status as for a success."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=headers),
                                    timeout=60) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def get(base: str, path: str, **params) -> str:
    return base + path + ("?" + urllib.parse.urlencode(params) if params else "")


@pytest.fixture(scope="module")
def base(serve_endpoint) -> str:
    return serve_endpoint.sparql.removesuffix("/sparql")


@pytest.fixture(scope="module")
def expected(dataset):
    """The embedded store's answer to LABELS, to compare every format with."""
    return [(s["e"], s["label"]) for s in dataset.store.query(LABELS, use_default_graph_as_union=True)]


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_select_in_every_results_format_and_method(base, expected, accept, method):
    if method == "GET":
        status, media, body = request(get(base, "/sparql", query=LABELS), Accept=accept)
    elif method == "POST-form":
        status, media, body = request(base + "/sparql", urllib.parse.urlencode({"query": LABELS}).encode(),
                                      Accept=accept, **{"Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, media, body = request(base + "/sparql", LABELS.encode(), Accept=accept,
                                      **{"Content-Type": "application/sparql-query"})
    assert (status, media) == (200, accept), body
    if accept == "text/csv":  # CSV keeps the values only
        rows = list(csv.reader(io.StringIO(body.decode())))
        assert rows == [["e", "label"]] + [[e.value, label.value] for e, label in expected]
        return
    fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/tab-separated-values": ox.QueryResultsFormat.TSV}[accept]
    assert [(s["e"], s["label"]) for s in ox.parse_query_results(body, format=fmt)] == expected


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD)])
def test_construct_in_every_rdf_format(base, dataset, accept, fmt):
    construct = ("CONSTRUCT { ?e <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } WHERE "
                 "{ ?e <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }")
    status, media, body = request(get(base, "/sparql", query=construct), Accept=accept)
    assert (status, media) == (200, accept), body
    local = set(dataset.store.query(construct, use_default_graph_as_union=True))
    assert {q.triple for q in ox.parse(body, format=fmt)} == local and len(local) > 20


def test_negotiation_takes_q_values_and_the_format_parameter(base):
    prefers_xml = "text/csv;q=0.5, application/sparql-results+xml"
    status, media, _ = request(get(base, "/sparql", query=COUNT), Accept=prefers_xml)
    assert (status, media) == (200, "application/sparql-results+xml")
    status, media, _ = request(get(base, "/sparql", query=COUNT, format="tsv"), Accept="text/html,*/*;q=0.8")
    assert (status, media) == (200, "text/tab-separated-values")
    status, media, body = request(get(base, "/sparql", query=COUNT), Accept="text/html")
    assert status == 406 and b"offered: application/sparql-results+json" in body


def test_a_dataset_in_the_request_is_honoured(base, dataset):
    graph = dataset.data_graphs[0]
    status, _, body = request(get(base, "/sparql", query=COUNT, **{"default-graph-uri": graph}))
    [solution] = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert status == 200 and int(solution["n"].value) == len(dataset.quads([graph]))


@pytest.mark.parametrize("how", ["form", "direct", "as-query", "get"])
def test_updates_are_refused_and_change_nothing(base, how):
    before = request(get(base, "/sparql", query=COUNT))[2]
    update = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    if how == "form":
        status, _, body = request(base + "/sparql", urllib.parse.urlencode({"update": update}).encode(),
                                  **{"Content-Type": "application/x-www-form-urlencoded"})
    elif how == "direct":
        status, _, body = request(base + "/sparql", update.encode(), **{"Content-Type": "application/sparql-update"})
    elif how == "as-query":
        status, _, body = request(base + "/sparql", urllib.parse.urlencode({"query": update}).encode(),
                                  **{"Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, _, body = request(get(base, "/sparql", query="DROP ALL"))
    assert status == 403 and b"read-only" in body
    assert request(get(base, "/sparql", query=COUNT))[2] == before


@pytest.mark.parametrize("path,data,method,headers,status,says", [
    ("/sparql?query=SELECT+*+WHERE+%7B+%3Fs+", None, None, {}, 400, "query:1:18: SPARQL syntax error"),
    # a GET with no query is the service description now (issue 13); a POST with none is still refused
    ("/sparql", b"format=json", None, {"Content-Type": "application/x-www-form-urlencoded"}, 400,
     "give exactly one query"),
    ("/sparql?query=ASK%7B%7D&query=ASK%7B%7D", None, None, {}, 400, "give exactly one query"),
    ("/sparql?query=" + urllib.parse.quote("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"), None, None,
     {}, 400, "SERVICE is not allowed"),
    # an unknown format= falls back to Accept (issue 13: it was a 400, which broke SPARQLWrapper)
    ("/sparql?query=ASK%7B%7D&format=png", None, None, {"Accept": "text/html"}, 406, "none of the accepted types"),
    ("/sparql", b"query=ASK{}", None, {"Content-Type": "text/plain"}, 415, "not text/plain"),
    ("/sparql", b"\xff\xfe", None, {"Content-Type": "application/sparql-query"}, 400, "not UTF-8"),
    ("/sparql", b"x" * (1 << 20 + 1), None, {"Content-Type": "application/sparql-query"}, 413, "over 1048576 bytes"),
    ("/sparql", b"", "PUT", {}, 405, "PUT is not allowed"),
    ("/sparql", None, "DELETE", {}, 405, "DELETE is not allowed"),
    ("/queries/aliases", b"", "POST", {}, 405, "POST is for /sparql"),
    ("/nowhere", None, None, {}, 404, "nothing at /nowhere"),
    ("/queries/no-such-query", None, None, {}, 404, "no stored query 'no-such-query'"),
    ("/queries/aliases", None, None, {}, 400, "query aliases, parameter entity: missing value"),
    ("/queries/aliases?entity=morocco&colour=red", None, None, {}, 400, "parameter colour: unknown parameter"),
    ("/queries/aliases?entity=not+an+iri", None, None, {}, 400, "is not an absolute IRI or an entity slug"),
    ("/queries/aliases?entity=morocco&entity=niger", None, None, {}, 400, "given more than once"),
    ("/queries/aliases?entity=morocco", None, None, {"Accept": "image/png"}, 406,
     "answers in application/sparql-results+json or text/csv"),
])
def test_a_bad_request_gets_a_4xx_and_a_readable_line(base, path, data, method, headers, status, says):
    got, media, body = request(base + path, data, method, **headers)
    assert (got, media) == (status, "text/plain; charset=utf-8"), body[:300]
    assert says in body.decode() and len(body.decode().strip().splitlines()) == 1


def test_a_stored_query_as_rest_gives_what_the_command_line_gives(base, cli, root):
    for name, query in load_catalogue(Layout.at(root)).items():
        values = query.example_values()
        args = [arg for key, value in values.items() for arg in ("--param", f"{key}={value}")]
        local = cli("--root", str(root), "query", name, "--format", "csv", *args)
        assert local.code == 0, local.err
        status, media, body = request(get(base, f"/queries/{name}", **values), Accept="text/csv")
        assert (status, media) == (200, "text/csv"), body
        assert body.decode() == local.out, name
        status, media, body = request(get(base, f"/queries/{name}.json", **values))
        assert (status, media) == (200, "application/sparql-results+json")
        assert [v.value for v in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).variables] \
            == local.out.splitlines()[0].split(",")


def test_the_openapi_description_is_valid_and_lists_every_query(base, root):
    from openapi_spec_validator import validate  # noqa: PLC0415 (0.4 s to import, for one test)

    status, media, body = request(base + "/openapi.json")
    spec = json.loads(body)
    assert (status, media) == (200, "application/json")
    validate(spec)
    catalogue = load_catalogue(Layout.at(root))
    assert {p.removeprefix("/queries/") for p in spec["paths"] if p.startswith("/queries/")} == set(catalogue)
    aliases = spec["paths"]["/queries/aliases"]["get"]
    assert aliases["summary"] == catalogue["aliases"].summary
    assert [(p["name"], p["required"]) for p in aliases["parameters"]] == [("entity", True)]


def test_the_landing_page_lists_the_queries_and_has_a_form(base, root):
    status, media, body = request(base + "/")
    page = body.decode()
    assert (status, media) == (200, "text/html; charset=utf-8")
    for name, query in load_catalogue(Layout.at(root)).items():
        assert f">{name}</strong>" in page and query.summary.replace("'", "&#x27;") in page.replace("&quot;", '"')
    links = []

    class Links(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "a":
                links.append(attrs["href"])
            if tag == "form":
                links.append(attrs["action"])

    Links().feed(page)
    assert "/sparql" in links
    for link in links:  # every link on the page answers
        if link != "/sparql":
            assert request(base + link.replace("&amp;", "&"))[0] == 200, link


def test_limits_stop_a_runaway_query_and_a_huge_answer_and_the_service_goes_on(root):
    with coalition_serve(root, "--time-limit", "2", "--max-rows", "100", "--workers", "1") as endpoint:
        base = endpoint.sparql.removesuffix("/sparql")
        started = time.monotonic()
        status, _, body = request(get(base, "/sparql", query=FOREVER))
        assert status == 503 and b"ran past this server's limit of 2 s" in body
        assert time.monotonic() - started < 10
        status, _, body = request(get(base, "/sparql", query="SELECT * WHERE { ?s ?p ?o }"))
        assert status == 422 and b"more than 100 rows" in body
        status, _, body = request(get(base, "/sparql", query="SELECT * WHERE { ?s ?p ?o } LIMIT 100"))
        assert status == 200 and len(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).variables) == 3


def test_a_worker_past_its_memory_limit_is_replaced(root):
    hungry = "SELECT * WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f } ORDER BY ?a ?c ?e"  # sorts 885³ rows
    with coalition_serve(root, "--time-limit", "60", "--memory-limit", "512", "--workers", "1") as endpoint:
        base = endpoint.sparql.removesuffix("/sparql")
        status, _, body = request(get(base, "/sparql", query=hungry))
        assert status == 503 and b"memory limit of 512 MB" in body, body
        deadline = time.monotonic() + 60
        while (answer := request(get(base, "/sparql", query=COUNT)))[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert answer[0] == 200


def test_stopping_the_server_stops_its_workers(root):
    with coalition_serve(root, "--workers", "2") as endpoint:
        workers = children(endpoint.pid)
        assert len(workers) >= 2  # the workers (and multiprocessing's resource tracker)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)


def test_serve_from_an_on_disk_store(root, tmp_path, expected):
    with coalition_serve(root, "--store", str(tmp_path / "store")) as endpoint:
        status, _, body = request(get(endpoint.sparql, "", query=LABELS))
    assert status == 200
    assert [(s["e"], s["label"]) for s in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)] == expected


@pytest.mark.parametrize("accept,media,parse", [
    ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html; charset=utf-8", None),
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD)])
def test_an_iri_answers_html_turtle_or_json_ld(base, dataset, accept, media, parse):
    status, got, body = request(base + "/id/morocco", Accept=accept)
    assert (status, got) == (200, media), body[:300]
    label = next(dataset.store.quads_for_pattern(ox.NamedNode("https://w3id.org/coalition-kg/id/morocco"),
                                                 ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                                                 None, None)).object
    if parse is None:
        assert f"<h1>{label.value}" in body.decode() or f">{label.value}</h1>" in body.decode()
    else:
        triples = {q.triple for q in ox.parse(body, format=parse)}
        assert ox.Triple(ox.NamedNode("https://w3id.org/coalition-kg/id/morocco"),
                         ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), label) in triples


@pytest.mark.parametrize("path,accept,status", [("/id/morocco", "image/png", 406), ("/id/atlantis", "text/html", 404),
                                                ("/id/../../etc/passwd", "text/html", 404),
                                                ("/id/%2e%2e/%2e%2e/etc/passwd", "text/turtle", 404)])
def test_iri_paths_refuse_what_they_cannot_serve(base, path, accept, status):
    got, media, body = request(base + path, Accept=accept)
    assert (got, media) == (status, "text/plain; charset=utf-8"), body[:200]


def test_serve_a_site_folder_and_nothing_outside_it(root, tmp_path, cli):
    site = tmp_path / "site"
    assert cli("--root", str(root), "site", str(site)).code == 0
    (tmp_path / "secret.html").write_text("not for the web")
    with coalition_serve(root, "--site", str(site)) as endpoint:
        base = endpoint.sparql.removesuffix("/sparql")
        status, media, body = request(base + "/id/morocco", Accept="text/turtle")
        assert (status, media) == (200, "text/turtle") and body == (site / "id" / "morocco.ttl").read_bytes()
        assert request(base + "/index.html")[2] == (site / "index.html").read_bytes()
        assert request(base + "/../secret.html")[0] == 404
        assert request(base + "/id/../../secret.html")[0] == 404
