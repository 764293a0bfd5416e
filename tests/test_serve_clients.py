"""Other people's clients against `coalition-kg serve`: SPARQLWrapper with every return format it has,
for SELECT, ASK, CONSTRUCT and DESCRIBE, by GET and both kinds of POST (with its default settings:
it sends format=, output= and results= on every request); rdflib's SPARQLStore reading through serve;
and a page on another origin, in headless Chromium, querying serve across origins (CORS)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from xml.dom.minidom import Document

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from .test_site_browser import FLAGS

pytestmark = pytest.mark.servers

SKOS = "http://www.w3.org/2004/02/skos/core#prefLabel"
SELECT = f"SELECT ?e ?label WHERE {{ ?e <{SKOS}> ?label }} ORDER BY ?label LIMIT 5"
ASK = f"ASK {{ ?e <{SKOS}> ?label }}"
CONSTRUCT = f"CONSTRUCT {{ ?e <{SKOS}> ?label }} WHERE {{ ?e <{SKOS}> ?label }} ORDER BY ?label LIMIT 5"
DESCRIBE = f"DESCRIBE ?e WHERE {{ ?e <{SKOS}> ?label }} ORDER BY ?label LIMIT 1"
METHODS = {"GET": (GET, None), "POST-form": (POST, URLENCODED), "POST-direct": (POST, POSTDIRECTLY)}


@pytest.fixture(scope="module")
def endpoint(serve_endpoint) -> str:
    return serve_endpoint.sparql


def wrapper(endpoint: str, query: str, fmt: str, method: str) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint, returnFormat=fmt)
    http_method, request_method = METHODS[method]
    client.setMethod(http_method)
    if request_method is not None:
        client.setRequestMethod(request_method)
    client.setQuery(query)
    return client


def expected_rows(dataset) -> list[tuple[str, str]]:
    return [(s["e"].value, s["label"].value) for s in dataset.store.query(SELECT, use_default_graph_as_union=True)]


def expected_graph(dataset, query: str) -> rdflib.Graph:
    text = ox.serialize(dataset.store.query(query, use_default_graph_as_union=True), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=text, format="nt")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_and_ask_in_every_format(endpoint, entailed, fmt, method):
    rows = wrapper(endpoint, SELECT, fmt, method).query().convert()
    if fmt == JSON:
        got = [(b["e"]["value"], b["label"]["value"]) for b in rows["results"]["bindings"]]
    elif fmt == XML:
        assert isinstance(rows, Document)
        got = []
        for result in rows.getElementsByTagName("result"):
            values = {b.getAttribute("name"): b.firstChild.firstChild.data if b.firstChild.firstChild else ""
                      for b in result.getElementsByTagName("binding")}
            got.append((values["e"], values["label"]))
    else:
        text = rows.decode("utf-8")
        if fmt == CSV:
            got = [(r["e"], r["label"]) for r in csv.DictReader(io.StringIO(text))]
        else:  # TSV holds terms in SPARQL syntax: <iri> and "literal"@lang
            lines = [line.split("\t") for line in text.strip().split("\n")[1:]]
            got = [(e.strip("<>"), label.rsplit('"', 1)[0].lstrip('"')) for e, label in lines]
    assert got == expected_rows(entailed)
    answer = wrapper(endpoint, ASK, fmt, method).query().convert()
    if fmt == JSON:
        assert answer["boolean"] is True
    elif fmt == XML:
        assert answer.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert answer.decode().split()[-1].lower() in ("true", "1")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, XML, JSONLD])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
def test_sparqlwrapper_construct_and_describe_in_every_format(endpoint, entailed, query, fmt, method):
    """serve answers with the entailments, so the expected graph has them too. With its default
    settings SPARQLWrapper sends format=xml (or n3, json-ld…) with each request:
    a name we did not know was a 400, so CONSTRUCT and DESCRIBE failed through it."""
    result = wrapper(endpoint, query, fmt, method).query()
    answer = result.convert()
    if isinstance(answer, bytes):  # Turtle and N3 come back as text to parse
        answer = rdflib.Graph().parse(data=answer.decode(), format="turtle")
    assert isinstance(answer, rdflib.Graph)
    expected = expected_graph(entailed, query)
    assert len(expected) > 0 and isomorphic(answer, expected)


def test_rdflib_sparqlstore_reads_through_serve(endpoint, entailed):
    graph = rdflib.Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    got = [(str(row.e), str(row.label)) for row in graph.query(SELECT)]
    assert got == expected_rows(entailed)
    assert graph.query(ASK).askAnswer is True
    subject = got[0][0]  # the triples about one entity, read by SPARQLStore's own queries
    through = {(str(p), str(o)) for _, p, o in graph.triples((rdflib.URIRef(subject), None, None))}
    quads = entailed.store.quads_for_pattern(ox.NamedNode(subject), None, None)
    local = {(q.predicate.value, q.object.value) for q in quads}
    assert through == local and (SKOS, got[0][1]) in through


PAGE = """<!DOCTYPE html><title>cors</title><pre id="out">waiting</pre><script>
const endpoint = %s, query = %s, out = [];
async function run() {
  try {
    const got = await fetch(endpoint + "?query=" + encodeURIComponent(query),
                            {headers: {Accept: "application/sparql-results+json"}});
    out.push("GET " + got.status + " " + (await got.json()).results.bindings.length);
  } catch (e) { out.push("GET failed " + e); }
  try {  // application/sparql-query is not a "simple" type: the browser sends a preflight first
    const got = await fetch(endpoint, {method: "POST", body: query,
                                        headers: {"Content-Type": "application/sparql-query", Accept: "text/csv"}});
    out.push("POST " + got.status + " " + (await got.text()).trim().split("\\n").length);
  } catch (e) { out.push("POST failed " + e); }
  try {
    const got = await fetch(endpoint.replace("/sparql", "/nowhere"));
    out.push("404 " + got.status);
  } catch (e) { out.push("404 failed " + e); }
  document.getElementById("out").textContent = out.join("|");
}
run();
</script>"""


def test_a_page_on_another_origin_queries_serve_in_chromium(endpoint, tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Chromium is needed: install Debian's package (apt-get install chromium); .ci/run does")
    # Another origin: serve is reached as localhost, the page is served from 127.0.0.1 on another port.
    other = endpoint.replace("127.0.0.1", "localhost")
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text(PAGE % (json.dumps(other), json.dumps(SELECT)))
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(tmp_path / "site")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        page = f"http://127.0.0.1:{server.server_address[1]}/index.html"
        done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                               "--virtual-time-budget=20000", "--dump-dom", page], capture_output=True, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    dom = done.stdout.decode()
    assert '<pre id="out">GET 200 5|POST 200 6|404 404</pre>' in dom, dom[-2000:] + done.stderr.decode()[-2000:]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the name the base class gives it)
        pass
