"""The SPARQL checker (issue 12, classes 1 and 2): SERVICE in any spelling and FROM elsewhere are
refused, deep nesting is refused before any parser runs, and behind it no process that runs SPARQL
can open a network socket. The CLI entry points are cases of tests/fixtures/hostile/cases.yaml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.namespace import SH

from coalition_kg.check.shacl import SHAPE_SPARQL
from coalition_kg.errors import QueryProblem
from coalition_kg.guards.sparql import MAX_DEPTH, MAX_LENGTH, QueryRefused, check, nesting_depth
from coalition_kg.query.binding import bind
from coalition_kg.query.catalogue import PARAM_TYPES, Parameter, load_catalogue, to_term
from coalition_kg.repository import layout as lay
from coalition_kg.repository.dataset import load
from coalition_kg.repository.disk_store import shared_copy
from coalition_kg.repository.vocabulary import DEFAULT as V
from coalition_kg.serve.workers import Limits, Pool

from .conftest import ROOT
from .servers import coalition_serve
from .test_hostile import CORPUS, nested_braces_query, nested_parens_query
from .test_serve import request

OURS = [V.derived_graph, V.ontology_graph]
EP = "<http://127.0.0.1:{port}/sparql>"
SPELLINGS = {  # each reaches the endpoint when the engine runs it: the checker must refuse every one
    "after-lt": "SELECT * WHERE { FILTER(0 <1) SERVICE %s { ?s ?p ?o } }",
    "hash-escape": "PREFIX a: <http://example.org/> SELECT * WHERE { ?s a:b\\#c ?o . SERVICE %s { ?s ?p ?o } }",
    "quote-escape": "PREFIX a: <http://example.org/> SELECT * WHERE { ?s a:b\\'c ?o . SERVICE %s { ?s ?p ?o } }",
    "u-escape": "SELECT * WHERE { \\u0053ERVICE %s { ?s ?p ?o } }",
    "lower-case": "select * where { service silent %s { ?s ?p ?o } }",
    "comment-between": "SELECT * WHERE { # }\n SERVICE # {\n %s { ?s ?p ?o } }",
    "variable": "SELECT * WHERE { BIND(%s AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "in-exists": "ASK { FILTER EXISTS { SERVICE %s { ?s ?p ?o } } }",
    "in-subquery": "SELECT * WHERE { { SELECT * WHERE { SERVICE %s { ?s ?p ?o } } } }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE %s { ?s ?p ?o } }",
    "describe": "DESCRIBE ?s WHERE { SERVICE %s { ?s ?p ?o } }",
}


def spelled(name: str, port: int) -> str:
    return SPELLINGS[name] % EP.replace("{port}", str(port))


@pytest.mark.parametrize("name", SPELLINGS)
def test_class1_service_every_spelling_is_refused(name):
    with pytest.raises(QueryRefused) as refused:
        check(spelled(name, 1), "q.rq", graphs=OURS)
    assert str(refused.value).startswith("q.rq")


@pytest.mark.parametrize("query", [
    "SELECT * FROM <http://127.0.0.1:1/graph> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX x: <http://example.org/> SELECT * FROM x:g WHERE { ?s ?p ?o }",
    "SELECT * FROM nope:g WHERE { ?s ?p ?o }",
])
def test_class1_service_from_elsewhere_is_refused(query):
    with pytest.raises(QueryRefused, match="is not allowed"):
        check(query, graphs=OURS)


def test_class1_service_from_our_own_graphs_passes():
    text = (f"PREFIX g: <{V.base}graph/> SELECT * FROM g:derived FROM NAMED <{V.ontology_graph}> "
            "WHERE { ?s ?p ?o }")
    assert check(text, graphs=OURS).form == "select"


@pytest.mark.parametrize("update", ["INSERT DATA { <a:b> <a:c> <a:d> }", "LOAD <http://127.0.0.1:1/>",
                                    "DELETE WHERE { ?s ?p ?o }", "CLEAR ALL"])
def test_class1_service_updates_are_refused_as_forbidden(update):
    with pytest.raises(QueryRefused) as refused:
        check(update)
    assert refused.value.status == 403


def test_class1_service_the_forms_are_read_from_the_parse():
    assert [check(q).form for q in ("SELECT * {}", "ASK {}", "CONSTRUCT {} WHERE {}", "DESCRIBE <a:b>",
                                    "# SELECT\nASK { ?s ?p 'SELECT' }")] == \
        ["select", "ask", "construct", "describe", "ask"]


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "SELECT * WHERE { ?s ?p " + "[" * 5000 + "]" * 5000 + " }",
    "SELECT * WHERE { FILTER(" + "(" * 5000,  # never closed
])
def test_class2_depth_is_refused_fast_before_any_parser(text):
    started = time.perf_counter()
    with pytest.raises(QueryRefused, match=r"nests brackets \d+ deep"):
        check(text)
    assert time.perf_counter() - started < 0.5


def test_class2_depth_counts_brackets_in_strings_too_and_length_is_bounded():
    with pytest.raises(QueryRefused, match="nests brackets"):
        check('SELECT * WHERE { ?s ?p "' + "(" * (MAX_DEPTH + 1) + '" }')
    with pytest.raises(QueryRefused, match="characters long"):
        check("SELECT * WHERE { ?s ?p ?o }" + " " * MAX_LENGTH)


def test_class2_depth_every_text_of_the_repository_passes_with_margin():
    """The bounds are far above what this repository writes, and every text passes the checker."""
    texts = {str(p): p.read_text(encoding="utf-8") for p in
             [*sorted((ROOT / "queries").glob("*.rq")), *sorted((ROOT / "ontology" / "rules").glob("*.rq"))]}
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        graph = rdflib.Graph().parse(path).parse(ROOT / "shapes" / "prefixes.ttl")  # what sh:prefixes names
        for predicate in SHAPE_SPARQL:
            for node, text in graph.subject_objects(predicate):
                declared = [d for owner in graph.objects(node, SH.prefixes) for d in graph.objects(owner, SH.declare)]
                prefixes = "".join(f"PREFIX {graph.value(d, SH.prefix)}: <{graph.value(d, SH.namespace)}>\n"
                                   for d in declared)
                texts[f"{path}:{node}"] = prefixes + str(text)
    assert len(texts) > 25
    for name, text in texts.items():
        assert nesting_depth(text) * 4 <= MAX_DEPTH and len(text) * 4 <= MAX_LENGTH, name
        check(text, name, graphs=None)


@pytest.mark.parametrize("shape", ["FILTER({open}1{close})", "{open_brace} ?s ?p ?o {close_brace}",
                                   "?s ?p {open_bracket}1{close_bracket}"])
def test_class2_depth_at_the_bound_both_parsers_are_far_from_their_limits(shape, tmp_path):
    """At MAX_DEPTH the checker parses (no RecursionError), and pyoxigraph runs it in a child process
    without a signal: the bound keeps both parsers well inside their stacks."""
    inner = MAX_DEPTH - 2
    text = "SELECT * WHERE { " + shape.format(open="(" * inner, close=")" * inner, open_brace="{" * inner,
                                              close_brace="}" * inner, open_bracket="[ ?p " * inner,
                                              close_bracket=" ]" * inner) + " }"
    assert nesting_depth(text) <= MAX_DEPTH
    check(text)
    script = "import pyoxigraph as ox, sys; list(ox.Store().query(sys.stdin.read()))"
    done = subprocess.run([sys.executable, "-c", script], input=text.encode(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()[-500:]


# --- defence in depth: no socket, even with the checker bypassed ---------------------------------

NO_NETWORK_SCRIPT = """
import sys, pyoxigraph as ox
from coalition_kg.guards.no_network import forbid_network
assert forbid_network(), "the seccomp filter is not in force"
try:
    list(ox.Store().query(sys.argv[1]))
except OSError as error:
    print("refused:", error)
"""


def test_class1_service_no_network_holds_by_itself(sentinel):
    """A process under the filter runs a SERVICE query straight on pyoxigraph, no checker: the engine
    cannot open a socket, and the sentinel sees nothing. (The same query without the filter does
    connect: test_class1_service_the_sentinel_sees_an_unfiltered_engine.)"""
    query = spelled("after-lt", sentinel.port)
    done = subprocess.run([sys.executable, "-c", NO_NETWORK_SCRIPT, query], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "refused:" in done.stdout.decode()
    assert sentinel.arrived() == []


def test_class1_service_the_sentinel_sees_an_unfiltered_engine(sentinel):
    """The other side: without the filter, the same engine call does connect, so the test above can fail."""
    script = NO_NETWORK_SCRIPT.replace('assert forbid_network(), "the seccomp filter is not in force"', "")
    subprocess.run([sys.executable, "-c", script, spelled("after-lt", sentinel.port)], capture_output=True, timeout=60)
    assert len(sentinel.arrived()) >= 1


def test_class1_service_a_serve_worker_has_no_network():
    """Each serve worker runs under the seccomp filter (the kernel says so for its process), the filter
    that test_class1_service_no_network_holds_by_itself shows stops a SERVICE call with the checker
    bypassed."""
    with shared_copy(load(ROOT)) as disk_store:
        pool = Pool(disk_store, 2, Limits(seconds=30))
        try:
            pids = [worker.process.pid for worker in pool.workers]
            modes = [re.search(r"^Seccomp:\s*(\d)", Path(f"/proc/{pid}/status").read_text(), re.MULTILINE).group(1)
                     for pid in pids]
        finally:
            pool.close()
    assert len(pids) == 2 and modes == ["2", "2"], modes  # 2: a seccomp filter is in force


# --- serve: /sparql and /queries/NAME ------------------------------------------------------------

@pytest.mark.servers
def test_class1_service_and_class2_depth_serve_answers_400(tmp_path, sentinel):
    copy = tmp_path / "repo"
    for name in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / name, copy / name)
    hostile = {name: sentinel.fill((CORPUS / "sparql" / f"{name}.rq").read_bytes())
               for name in ("service-after-lt", "service-quote-escape", "service-u-escape", "service-variable",
                            "from-elsewhere")}
    for name, text in hostile.items():
        (copy / "queries" / f"{name}.rq").write_bytes(text)
    (copy / "queries" / "nested.rq").write_bytes(nested_parens_query())
    with coalition_serve(copy, "--no-pages", "--workers", "1") as endpoint:
        base = endpoint.sparql.removesuffix("/sparql")
        texts = [t.decode() for t in hostile.values()] + [spelled(n, sentinel.port) for n in SPELLINGS] + \
            [nested_parens_query().decode(), nested_braces_query().decode()]
        for text in texts:
            for how in ("get", "post"):
                started = time.perf_counter()
                if how == "get":
                    status, _, body = request(endpoint.sparql + "?" + urllib.parse.urlencode({"query": text}))
                else:
                    status, _, body = request(endpoint.sparql, text.encode(), "POST",
                                              **{"Content-Type": "application/sparql-query"})
                assert status == 400 and len(body.decode().strip().splitlines()) == 1, (text, status, body)
                assert time.perf_counter() - started < 5
        for name in [*hostile, "nested"]:
            status, _, body = request(f"{base}/queries/{name}")
            assert status == 400 and (b"not allowed" in body or b"escapes" in body or b"deep" in body), (name, body)
        status, _, _ = request(endpoint.sparql + "?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))
        assert status == 200  # and the service goes on
    assert sentinel.arrived() == []


# --- fuzzing the checker and the parameter binders -----------------------------------------------

FUZZ = settings(max_examples=150, deadline=2000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
KEYWORD = st.sampled_from(["SERVICE", "service", "SeRvIcE", "SERVICE SILENT", "\\u0053ERVICE", "SERVI\\u0043E",
                           "\\U00000053ERVICE", "SERV#x\nICE", "SERVICE#}\n"])
NOISE = st.sampled_from(["", " ", "\n", "# } \n", "FILTER(0 <1) ", "FILTER(?x <?y) ", "?s a:b\\'c ?o . ",
                         "?s a:b\\#c ?o . ", '?s ?p "#}" . ', "?s ?p '''\\'''' . ", "<a:b#> ", "?s ?p <x:y> . ",
                         "{ ?s ?p ?o } ", "OPTIONAL { ?s ?p ?o } ", '"\\u0022" ', "\\u007B ", "BIND(1 AS ?x) "])
TARGET = st.sampled_from(["{endpoint}", "?e", "?x"])


@FUZZ
@given(before=st.lists(NOISE, max_size=4), keyword=KEYWORD, between=NOISE, target=TARGET,
       after=st.lists(NOISE, max_size=3), form=st.sampled_from(["SELECT * WHERE", "ASK", "CONSTRUCT WHERE"]))
def test_class1_service_fuzz_refused_or_harmless(sentinel, before, keyword, between, target, after, form):
    """Either the checker refuses the text, or pyoxigraph, running it, makes no connection."""
    endpoint = EP.replace("{port}", str(sentinel.port))
    text = (f"PREFIX a: <http://example.org/>\n{form} {{ BIND({endpoint} AS ?e) {''.join(before)}{keyword} "
            f"{between}{target.replace('{endpoint}', endpoint)} {{ ?s ?p ?o }} {''.join(after)}}}")
    try:
        check(text, graphs=OURS)
    except QueryRefused:
        return
    try:
        answer = ox.Store().query(text)
        if not isinstance(answer, ox.QueryBoolean):
            list(answer)
    except (SyntaxError, OSError, RuntimeError):
        pass
    assert sentinel.arrived() == [], text


VALUES = st.one_of(st.text(max_size=40), st.sampled_from(
    ["", " ", "\\", "\\u0022", "\\\\u0022", '"', "'", "}", "} SERVICE <http://127.0.0.1:1/> {", ">", "<",
     "http://example.org/a b", "http://example.org/>", "a:b", "1" * 5000, "-0", "+7", "2024-02-30", "2024-02-29",
     "\x00", "\u2028", "x\ny", "\ud800"]))


@FUZZ
@given(kind=st.sampled_from(PARAM_TYPES), value=VALUES)
def test_fuzz_parameter_binders(kind, value):
    """Any text value gives a term or a QueryProblem; the bound query passes the checker, and the
    engine reads back exactly the term that was bound."""
    param = Parameter("v", kind, "")
    try:
        term = to_term("fuzz", param, value)
    except QueryProblem:
        return
    text = bind("SELECT ?_v WHERE { }", {param.variable: term})
    check(text)
    rows = list(ox.Store().query(text))
    assert rows[0]["_v"] == term


def test_every_stored_query_binds_its_examples_and_passes():
    for query in load_catalogue(lay.Layout.at(ROOT)).values():
        text = bind(query.text, query.bind(query.example_values()))
        assert check(text, query.name, graphs=lay.Layout.at(ROOT).graphs()).form == query.form


@pytest.mark.servers
def test_the_attack_figures_script_runs():
    """benchmarks/attack.py at its smallest: every figure it prints comes out, refusals as refusals."""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "attack.py"), "--held", "5", "--after", "0.5",
                           "--probe-seconds", "5", "--runs", "1", "--rows", "2000", "--reader-seconds", "2",
                           "--readers", "8",
                           "--deadline", "240"], capture_output=True, timeout=300)
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert len(re.findall(r"^\(c\) refuse 10\.0 KB of 5,000 nested [({]: .*exit 2", out, re.MULTILINE)) == 2, out
    nested = re.findall(r"^\(c\) serve /sparql, 5,000 nested [({]: .*\['HTTP/1\.1 400 '\]", out, re.MULTILINE)
    assert len(nested) == 2, out
    assert len(re.findall(r"^\(a\) 5 held( \(dripping\))?: probe 200 in", out, re.MULTILINE)) == 2, out
    assert len(re.findall(r"^\(b\) --max-bytes (default|256M): 8 slow readers of 2000 rows: serve tree RSS \d+ MB "
                          r"-> peak \d+ MB", out, re.MULTILINE)) == 2, out
