"""Stored queries through a real SPARQL endpoint (an Oxigraph server the tests start on 127.0.0.1)
give the golden rows, as the embedded store does; an endpoint that fails gives one line and exit 2."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from coalition_kg import layout as lay
from coalition_kg.catalogue import read_query
from coalition_kg.remote import RemoteStore

from .terms import parse_term

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
GOLDEN = ROOT / "tests" / "golden"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {process.stderr.read().decode()[-500:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"no server on port {port} after {seconds} s")


@pytest.fixture(scope="module")
def oxigraph_server():
    """An empty Oxigraph server (from PyPI's `oxigraph`), in memory, on a free port; stopped after.
    Its default graph is the union of its graphs, as the stored queries expect."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).exists():
        pytest.fail("the oxigraph server is not installed (pip install -e '.[test]')")
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def oxigraph(oxigraph_server, root):
    """The server's query endpoint, once `coalition-kg push` has uploaded every graph to it."""
    done = subprocess.run([sys.executable, "-m", "coalition_kg.cli", "--root", str(root), "push", "--endpoint",
                           oxigraph_server + "/store"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return oxigraph_server + "/query"


def test_push_writes_every_graph_whole(oxigraph, dataset):
    counted = RemoteStore(oxigraph).select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").rows
    remote = {row["g"].value: int(row["n"].value) for row in counted}
    local = {graph: len(dataset.quads([graph])) for graph in [*dataset.graph_files, lay.DERIVED_GRAPH]}
    assert remote == local and len(remote) >= 5


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_stored_query_gives_its_golden_rows_from_oxigraph_server(path, oxigraph):
    golden = json.loads((GOLDEN / f"{path.stem}.json").read_text(encoding="utf-8"))
    query = read_query(path)
    rows = RemoteStore(oxigraph).select(query.text, query.bind(golden["params"])).rows
    expected = [{var: parse_term(value) for var, value in row.items()} for row in golden["rows"]]
    if golden["ordered"]:
        assert rows == expected
    else:
        key = lambda row: sorted((k, str(v)) for k, v in row.items())  # noqa: E731
        assert sorted(rows, key=key) == sorted(expected, key=key)


def test_the_command_line_asks_the_endpoint(cli, root, oxigraph):
    result = cli("--root", str(root), "query", "source-disagreements", "--endpoint", oxigraph, "--format", "csv")
    assert result.code == 0, result.err
    assert result.out.splitlines()[1:] == [
        "https://w3id.org/coalition-kg/id/global-coalition-to-defeat-isis,Global Coalition to Defeat ISIS,"
        "member count,84,https://w3id.org/coalition-kg/source/000_28830c00cecbbf69",
        "https://w3id.org/coalition-kg/id/global-coalition-to-defeat-isis,Global Coalition to Defeat ISIS,"
        "member count,85,https://w3id.org/coalition-kg/source/003_73e3b687882f6e77"]


class Misbehaving(http.server.BaseHTTPRequestHandler):
    """An endpoint that fails in the way its path says."""

    def do_POST(self):  # noqa: N802 (the name http.server calls)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/slow":  # longer than the client waits; it has gone by the time this ends
            time.sleep(3)
            return
        if self.path == "/error":
            self.send_error(500, "Internal Server Error")
            return
        if self.path == "/private":
            self.send_error(401, "Unauthorized")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "nonsense"')

    def do_PUT(self):  # noqa: N802 (a store that refuses us)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_error(401, "Unauthorized")

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture(scope="module")
def misbehaving():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path,says", [("/error", "500"), ("/private", "401"), ("/garbage", "malformed"),
                                       ("/slow", "no answer within 1 s")])
def test_a_failing_endpoint_is_one_line_and_exit_2(cli, root, misbehaving, path, says):
    url = misbehaving + path
    result = cli("--root", str(root), "query", "source-disagreements", "--endpoint", url, "--timeout", "1")
    assert result.code == 2
    assert result.err.startswith(f"coalition-kg: error: query source-disagreements: endpoint {url}: ")
    assert says in result.err and len(result.err.strip().splitlines()) == 1


def test_a_stopped_endpoint_is_one_line_and_exit_2(cli, root):
    url = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    result = cli("--root", str(root), "query", "source-disagreements", "--endpoint", url)
    assert result.code == 2 and f"endpoint {url}: cannot connect" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_push_that_fails_says_which_graphs_were_written(cli, root, misbehaving, dataset):
    graphs = len(dataset.graph_files) + 1  # and the derived shortcuts
    url = f"http://127.0.0.1:{free_port()}/store"  # nothing listens there
    stopped = cli("--root", str(root), "push", "--endpoint", url)
    assert stopped.code == 2 and f"endpoint {url}: cannot connect" in stopped.err
    assert f"0 of {graphs} graphs written (none), failed at {lay.ONTOLOGY_GRAPH}" in stopped.err
    refused = cli("--root", str(root), "push", "--endpoint", misbehaving + "/store")
    assert refused.code == 2 and "HTTP 401" in refused.err and f"0 of {graphs} graphs written" in refused.err
    assert len(refused.err.strip().splitlines()) == 1
