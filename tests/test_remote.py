"""An endpoint that fails, in any way, gives one line naming it and exit 2: real servers stopped,
refusing a password or too slow on purpose, and a fake one for the failures a real server will not
produce on demand (an internal error, malformed results)."""

from __future__ import annotations

import base64
import http.server
import shutil
import threading
import time

import pytest

from coalition_kg.repository.vocabulary import DEFAULT as V

from .servers import coalition_serve, free_port, oxigraph_server

FOREVER = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Misbehaving(http.server.BaseHTTPRequestHandler):
    """An endpoint that fails in the way its path says."""

    def do_POST(self):
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

    def do_PUT(self):  # a store that wants HTTP basic auth: editor / s3cret
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/full-store"):  # takes two graphs, then has no room for more
            full = sum(path.startswith("/full-store") for path, _ in self.server.received) >= 2
            if full:
                self.send_error(507, "Insufficient Storage")
                return
            self.server.received.append((self.path, body))
            self.send_response(204)
            self.end_headers()
            return
        if self.headers.get("Authorization") != "Basic " + base64.b64encode(b"editor:s3cret").decode():
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="store"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.server.received.append((self.path, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture(scope="module")
def misbehaving():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
    server.received = []
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
    graphs = len(dataset.graph_files) + len(dataset.derived_graphs)  # and each graph's derived one, and the joint
    url = f"http://127.0.0.1:{free_port()}/store"  # nothing listens there
    stopped = cli("--root", str(root), "push", "--endpoint", url)
    assert stopped.code == 2 and f"endpoint {url}: cannot connect" in stopped.err
    assert f"0 of {graphs} graphs written (none), failed at {V.ontology_graph}" in stopped.err
    refused = cli("--root", str(root), "push", "--endpoint", misbehaving + "/store")  # no credentials
    assert refused.code == 2 and "HTTP 401" in refused.err and f"0 of {graphs} graphs written" in refused.err
    assert len(refused.err.strip().splitlines()) == 1


def one_line(result, url: str, says: str, query: str = "source-disagreements") -> None:
    assert result.code == 2, result.err
    assert result.err.startswith(f"coalition-kg: error: query {query}: endpoint {url}: "), result.err
    assert says in result.err and len(result.err.strip().splitlines()) == 1


@pytest.mark.servers
def test_a_real_server_stopped_on_purpose(cli, root):
    with oxigraph_server() as endpoint:
        up = cli("--root", str(root), "query", "aliases", "--endpoint", endpoint.sparql, "--param", "entity=morocco")
        assert up.code == 0, up.err
    down = cli("--root", str(root), "query", "aliases", "--endpoint", endpoint.sparql, "--param", "entity=morocco")
    one_line(down, endpoint.sparql, "cannot connect", "aliases")
    pushed = cli("--root", str(root), "push", "--endpoint", endpoint.store)
    assert pushed.code == 2 and f"endpoint {endpoint.store}: cannot connect" in pushed.err


@pytest.mark.servers
def test_a_wrong_password_is_refused_and_nothing_is_written(cli, root, virtuoso_endpoint, monkeypatch, dataset):
    graphs = len(dataset.layout.graphs())
    monkeypatch.setenv("COALITION_KG_USER", virtuoso_endpoint.user)
    monkeypatch.setenv("COALITION_KG_PASSWORD", virtuoso_endpoint.password + "-wrong")
    refused = cli("--root", str(root), "push", "--endpoint", virtuoso_endpoint.store)
    assert refused.code == 2 and "HTTP 401" in refused.err, refused.err
    assert f"0 of {graphs} graphs written (none), failed at {V.ontology_graph}" in refused.err
    monkeypatch.delenv("COALITION_KG_USER")
    anonymous = cli("--root", str(root), "push", "--endpoint", virtuoso_endpoint.store)
    assert anonymous.code == 2 and "HTTP 401" in anonymous.err


@pytest.mark.servers
def test_a_slow_server_and_one_that_stops_a_query(cli, root, tmp_path):
    """A stored query that would run for ever: the client gives up at its --timeout; serve stops it at
    its own time limit with a 503, which the client reports; and serve answers again afterwards."""
    copy = tmp_path / "repo"
    for name in ("ontology", "data", "shapes"):  # copied: a link out of the repository is refused (class 3)
        shutil.copytree(root / name, copy / name)
    (copy / "queries").mkdir()
    (copy / "queries" / "forever.rq").write_text("#+ summary: every quadruple of triples\n" + FOREVER + "\n")
    with coalition_serve(root, "--time-limit", "3") as endpoint:
        started = time.monotonic()
        impatient = cli("--root", str(copy), "query", "forever", "--endpoint", endpoint.sparql, "--timeout", "1")
        one_line(impatient, endpoint.sparql, "no answer within 1 s", "forever")
        stopped = cli("--root", str(copy), "query", "forever", "--endpoint", endpoint.sparql, "--timeout", "30")
        one_line(stopped, endpoint.sparql, "ran past this server's limit of 3 s", "forever")
        assert time.monotonic() - started < 20
        deadline = time.monotonic() + 30
        while (fine := cli("--root", str(root), "query", "source-disagreements", "--endpoint", endpoint.sparql,
                           "--timeout", "5")).code != 0 and time.monotonic() < deadline:
            time.sleep(0.5)  # the stopped workers are being replaced
        assert fine.code == 0, fine.err


def test_push_authenticates_with_basic_auth_from_the_environment(cli, root, misbehaving, monkeypatch, dataset):
    monkeypatch.setenv("COALITION_KG_USER", "editor")
    monkeypatch.setenv("COALITION_KG_PASSWORD", "s3cret")
    pushed = cli("--root", str(root), "push", "--endpoint", misbehaving + "/store")
    assert pushed.code == 0, pushed.err
    assert "s3cret" not in pushed.out + pushed.err
    graphs = dataset.layout.graphs()
    assert pushed.out.strip() == f"push: {len(graphs)} graphs written to {misbehaving}/store"


def test_a_push_that_fails_midway_names_the_graphs_it_wrote(cli, root, misbehaving, dataset):
    graphs = dataset.layout.graphs()
    failed = cli("--root", str(root), "push", "--endpoint", misbehaving + "/full-store")
    assert failed.code == 2 and "HTTP 507 Insufficient Storage" in failed.err
    written = ", ".join(g.rsplit("/", 1)[-1] for g in graphs[:2])
    assert f"2 of {len(graphs)} graphs written ({written}), failed at {graphs[2]}" in failed.err
