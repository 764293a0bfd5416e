"""The W3C's SPARQL 1.1 Protocol test cases (tests/fixtures/w3c/protocol/manifest.ttl, as the W3C
wrote them) run against `coalition-kg serve`: each case's HTTP requests are read from the manifest
(method, path, headers, body in its declared encoding), sent as written, and each response checked
against what the case expects (status class, result format, boolean). Every update request must be
refused: serve is read-only. The data the cases load is a fixture repository; the graph IRIs they
name are mapped to that repository's graphs (see the fixture's README)."""

from __future__ import annotations

import re
import shutil
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection

from coalition_kg.repository.vocabulary import DEFAULT

from .servers import coalition_serve

pytestmark = pytest.mark.servers

FIXTURE = Path(__file__).parent / "fixtures" / "w3c" / "protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
THEIR_GRAPH = re.compile(r"http://kasei\.us/2009/09/sparql/data/(data[0-9])\.rdf")
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")
RESULTS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
           "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/csv": ox.QueryResultsFormat.CSV, "text/tab-separated-values": ox.QueryResultsFormat.TSV}
RDF = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
       "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD,
       "application/n-quads": ox.RdfFormat.N_QUADS, "application/trig": ox.RdfFormat.TRIG}


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # the status classes the case accepts: 2, 3, 4, 5
    result_format: str | None  # "boolean", "tabular", "RDF"
    boolean: bool | None

    def is_update(self) -> bool:
        text = (self.path + " " + (self.body or b"").decode("utf-8", "replace")).lower()
        return "sparql-update" in self.headers.get("content-type", "") or "update=" in text \
            or "using-graph-uri" in text or "using-named-graph-uri" in text


@dataclass
class Case:
    name: str
    title: str
    exchanges: list[Exchange] = field(default_factory=list)

    def is_update(self) -> bool:
        return any(exchange.is_update() for exchange in self.exchanges)


def ours(iri: str) -> str:
    """A graph IRI of the cases as the fixture repository names it."""
    return THEIR_GRAPH.sub(lambda m: DEFAULT.graph(m.group(1)), iri)


def mapped_query(text: str) -> str:
    """FROM / FROM NAMED <their graph> -> our graph; the same IRIs elsewhere (as subjects) are data."""
    return re.sub(r"(FROM\s+(?:NAMED\s+)?<)([^>]*)>", lambda m: m.group(1) + ours(m.group(2)) + ">", text)


def mapped_parameters(encoded: str) -> str:
    pairs = urllib.parse.parse_qsl(encoded, keep_blank_values=True)
    return urllib.parse.urlencode([(k, ours(v) if k in DATASET_PARAMETERS else mapped_query(v) if k == "query"
                                    else v) for k, v in pairs], quote_via=urllib.parse.quote)


def load_cases() -> list[Case]:
    manifest = Graph().parse(FIXTURE / "manifest.ttl", publicID="http://www.w3.org/2009/sparql/docs/tests/"
                                                                 "data-sparql11/protocol/manifest.ttl")
    [root] = manifest.subjects(MF.entries, None)
    cases = []
    for entry in Collection(manifest, manifest.value(root, MF.entries)):
        case = Case(str(entry).rsplit("#", 1)[1], str(manifest.value(entry, MF.name)))
        action = manifest.value(entry, MF.action)
        for request in Collection(manifest, manifest.value(action, HT.requests)):
            headers = {}
            listed = manifest.value(request, HT.headers)
            for header in Collection(manifest, listed) if listed is not None else []:
                headers[str(manifest.value(header, HT.fieldName)).lower()] = str(manifest.value(header, HT.fieldValue))
            body = manifest.value(request, HT.body)
            content = None
            if body is not None:
                encoding = str(manifest.value(body, CNT.characterEncoding) or "UTF-8")
                chars = str(manifest.value(body, CNT.chars))
                kind = headers.get("content-type", "")
                if kind.startswith("application/x-www-form-urlencoded"):
                    chars = mapped_parameters(chars)
                elif kind.startswith("application/sparql-query"):
                    chars = mapped_query(chars)
                content = chars.encode(encoding)
            path = str(manifest.value(request, HT.absolutePath))
            assert path.startswith("/sparql/"), path  # the manifest: replace this prefix with the endpoint's
            _target, _, query = path.partition("?")
            path = "/sparql" + ("?" + mapped_parameters(query) if query else "")
            response = manifest.value(request, HT.resp)
            statuses = {int(str(code)[len(HTS):][0]) for code in manifest.objects(response, MF.expectedStatus)}
            expected = manifest.value(response, MF.expectedBoolean)
            fmt = manifest.value(response, MF.expectedFormat)
            case.exchanges.append(Exchange(str(manifest.value(request, HT.methodName)), path, headers, content,
                                           statuses, str(fmt) if fmt is not None else None,
                                           None if expected is None else expected.toPython()))
        cases.append(case)
    return cases


CASES = load_cases()


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """serve over a repository of the cases' data: graphs data1..data3 as the W3C wrote them, data0 empty."""
    root = tmp_path_factory.mktemp("w3c-protocol")
    for folder in ("ontology", "data", "queries", "shapes"):
        (root / folder).mkdir()
    (root / "ontology" / "empty.ttl").write_text("")
    (root / "data" / "data0.ttl").write_text("")
    for n in (1, 2, 3):
        shutil.copy(FIXTURE / f"data{n}.nt", root / "data" / f"data{n}.ttl")  # N-Triples is Turtle
    with coalition_serve(root, "--workers", "1", "--no-pages", "--time-limit", "10") as served:
        yield served.sparql.removesuffix("/sparql")


def test_the_manifest_is_read_whole():
    """34 cases, as the manifest lists them: 21 about queries, 13 about updates."""
    assert len(CASES) == 34
    assert sum(not case.is_update() for case in CASES) == 21
    assert all(exchange.statuses for case in CASES for exchange in case.exchanges)


def check(exchange: Exchange, response: httpx.Response, name: str) -> None:
    assert response.status_code // 100 in exchange.statuses, (name, response.status_code, response.text[:300])
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if exchange.result_format in ("boolean", "tabular"):
        assert media in RESULTS, (name, media)
        answer = ox.parse_query_results(response.content, format=RESULTS[media])
        if exchange.result_format == "boolean":
            assert isinstance(answer, ox.QueryBoolean), name
            if exchange.boolean is not None:
                assert bool(answer) is exchange.boolean, name
        else:
            assert isinstance(answer, ox.QuerySolutions), name
    elif exchange.result_format == "RDF":
        assert media in RDF, (name, media)
        list(ox.parse(response.content, format=RDF[media], base_iri="http://127.0.0.1/sparql"))


@pytest.mark.parametrize("case", [c for c in CASES if not c.is_update()], ids=lambda c: c.name)
def test_every_query_case_passes(endpoint, case):
    with httpx.Client(base_url=endpoint, timeout=30) as client:
        for exchange in case.exchanges:
            response = client.request(exchange.method, exchange.path, headers=exchange.headers,
                                      content=exchange.body)
            check(exchange, response, case.name)


@pytest.mark.parametrize("case", [c for c in CASES if c.is_update()], ids=lambda c: c.name)
def test_every_update_case_is_refused(endpoint, case):
    """serve is read-only: each update request gets a 4xx (the query requests after it in the case
    check what the update did, so they are not sent: nothing was done)."""
    with httpx.Client(base_url=endpoint, timeout=30) as client:
        updates = [exchange for exchange in case.exchanges if exchange.is_update()]
        assert updates, case.name
        for exchange in updates:
            response = client.request(exchange.method, exchange.path, headers=exchange.headers,
                                      content=exchange.body)
            assert response.status_code // 100 == 4, (case.name, response.status_code, response.text[:300])
