"""Class 6 of issue 12, remote clients: `query`, `sparql` and `stats` with --endpoint, and `push`,
against fake endpoints that drip, flood, answer garbage, reset, redirect or echo a password. Each
run is a child process with a timeout of its own, so that a hang fails the test instead of pytest."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from coalition_kg.guards.http_client import EndpointProblem, target
from coalition_kg.publish.push import push
from coalition_kg.query.remote import RemoteStore
from coalition_kg.repository.vocabulary import DEFAULT as V

from . import raw_server as fake
from .raw_server import RawServer

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 1.0
SLACK = 0.5  # past the deadline, for the watchdog's thread and the error to come through
COMMANDS = {
    "query": ["query", "source-disagreements"],
    "sparql": ["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
    "stats": ["stats"],
    "push": ["push"],
}
READERS = ["query", "sparql", "stats"]  # the commands that read an answer's body
PATH = {"push": "/store"}


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float
    max_rss_kb: int


def run(command: str, url: str, *options: str, seconds: float = 60, env: dict | None = None) -> Run:
    """The command line in a child process, against ``url``; its peak memory from wait4."""
    argv = [sys.executable, "-m", "coalition_kg.cli", "--root", str(ROOT), "-q", *COMMANDS[command],
            "--endpoint", url, *options]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        child = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        killer = threading.Timer(seconds, child.kill)  # a hang fails the test below, with code -9
        killer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        return Run(child.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                   elapsed, usage.ru_maxrss)


def assert_one_line(result: Run, shown: str, says: str) -> None:
    assert result.code == 2, (result.code, result.err)
    assert "Traceback" not in result.out + result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coalition-kg: error: "), result.err
    assert f"endpoint {shown}: " in lines[0] and says in lines[0], lines[0]


DRIPS = {  # a byte every 0.1 s of: the status line, the headers, the body
    "status-line": fake.drip(b"", b"HTTP/1.1 200 OK\r\n"),
    "headers": fake.drip(b"HTTP/1.1 200 OK\r\n", b"X-Slow: yes\r\n"),
    "body": fake.drip(fake.JSON_HEAD + b"Content-Length: 100000\r\n\r\n", b" "),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("slow", DRIPS)
@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_a_slow_drip_ends_at_the_deadline(command, slow):
    with RawServer(DRIPS[slow]) as server:
        url = server.url(PATH.get(command, "/sparql"))
        result = run(command, url, "--timeout", str(TIMEOUT))
    assert result.seconds < TIMEOUT + 10  # the drip goes on for 120 s; the process starts in ~0.5 s
    if command == "push" and slow == "body":  # push reads a PUT's status and headers, never its body
        assert result.code == 0, result.err
        return
    assert_one_line(result, url, f"no answer within {TIMEOUT:g} s")


STALLS = {**DRIPS, "100-continue-for-ever": fake.continue_for_ever, "silent": fake.silent,
          "silent-tls-handshake": fake.silent}


@pytest.mark.parametrize("slow", STALLS)
@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_the_deadline_holds_to_half_a_second(slow, dataset):
    """Timed in process, without a process start to allow for: the request and each graph's PUT."""
    scheme = "https" if slow.endswith("-tls-handshake") else "http"
    with RawServer(STALLS[slow]) as server:
        attempts = [lambda: RemoteStore(server.url(scheme=scheme), TIMEOUT).select("ASK {}")]
        if slow != "body":  # push reads a PUT's status and headers, never its body
            attempts.append(lambda: push(dataset, server.url("/store", scheme=scheme), TIMEOUT))
        for attempt in attempts:
            started = time.monotonic()
            with pytest.raises(EndpointProblem, match=f"no answer within {TIMEOUT:g} s"):
                attempt()
            assert time.monotonic() - started < TIMEOUT + SLACK


@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_a_deadline_covers_the_whole_answer_not_each_read():
    """A whole answer that comes in 0.3 s pieces, each well within the timeout, still ends at it."""
    body = b'{"head": {"vars": ["n"]}, "results": {"bindings": []}}' + b" " * 20
    with RawServer(fake.drip(fake.JSON_HEAD + f"Content-Length: {len(body)}\r\n\r\n".encode(),
                             body, every=0.3, repeat=False)) as server:
        started = time.monotonic()
        with pytest.raises(EndpointProblem, match="no answer within 2 s"):
            RemoteStore(server.url(), 2).select("ASK {}")
        assert time.monotonic() - started < 2 + SLACK


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_an_endless_answer_is_capped_in_bytes_and_memory(command):
    """2 GB offered; the client reads to its cap (16 MB) and stops: its peak memory stays within a
    few caps of the same command's on a small answer."""
    cap = 16 << 20
    ok = fake.answer(b"204 No Content", body=b"") if command == "push" else fake.answer()
    with RawServer(ok) as server:
        baseline = run(command, server.url(PATH.get(command, "/sparql")), "--timeout", "30",
                       *(["--max-bytes", "16M"] if command != "push" else []))
    assert baseline.code == 0, baseline.err
    with RawServer(fake.endless_body()) as server:
        url = server.url(PATH.get(command, "/sparql"))
        flooded = run(command, url, "--timeout", "30", *(["--max-bytes", "16M"] if command != "push" else []))
    if command == "push":  # a store's answer to a PUT is not read at all: the push succeeds
        assert flooded.code == 0, flooded.err
    else:
        assert_one_line(flooded, url, f"larger than --max-bytes {cap:,} bytes")
    grown_mb = (flooded.max_rss_kb - baseline.max_rss_kb) / 1024
    assert grown_mb < 3 * cap / (1 << 20) + 32, f"{grown_mb:.0f} MB more than on a small answer"


@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_a_declared_length_past_the_cap_is_refused_before_reading():
    with (RawServer(fake.answer(extra=b"X-Pad: 1\r\n", body=b"{}" * 100)) as server,
          pytest.raises(EndpointProblem, match=r"larger than --max-bytes 100 bytes \(Content-Length: 200\)")):
        RemoteStore(server.url(), 5, max_bytes=100).select("ASK {}")


GARBAGE = {  # behaviour, the commands it applies to, what the line says
    "not-http": (fake.garbage, COMMANDS, "the answer is not HTTP"),
    "closed-at-once": (fake.close_at_once, COMMANDS, ""),  # reset or closed: the client may be sending
    "reset": (fake.reset, COMMANDS, ""),
    "truncated-body": (fake.truncated, READERS, "the answer was cut short"),
    "malformed-json": (fake.answer(body=b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"ty'),
                       READERS, "malformed SPARQL JSON results"),
    "wrong-content-type": (fake.answer(content_type=b"text/html", body=b"<html>hello</html>"), READERS,
                           "answered text/html, not SPARQL JSON results"),
    "server-error": (fake.answer(b"500 Internal Server Error", b"text/plain", b"it broke\nsecond line"), COMMANDS,
                     "HTTP 500 Internal Server Error: it broke"),
    "endless-headers": (fake.drip(b"HTTP/1.1 200 OK\r\n", b"X: y\r\n", every=0.0001), COMMANDS,
                        "a malformed HTTP answer"),
}


@pytest.mark.parametrize("kind,command", [(kind, command) for kind, (_, commands, _) in GARBAGE.items()
                                          for command in commands])  # push reads no body: its status is enough
@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_garbage_is_one_line_naming_the_endpoint(kind, command):
    behaviour, _, says = GARBAGE[kind]
    with RawServer(behaviour) as server:
        url = server.url(PATH.get(command, "/sparql"))
        result = run(command, url, "--timeout", "10")
    assert_one_line(result, url, says)
    assert result.seconds < 10, "a failure that ends only at the deadline"


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_tls_to_a_port_that_speaks_plain_http(command):
    with RawServer(fake.answer()) as server:
        url = server.url(PATH.get(command, "/sparql"), scheme="https")
        result = run(command, url, "--timeout", "10")
    assert_one_line(result, url, "TLS failed")


SECRET = "Pa55-w0rd-never-shown"


def challenge_then_echo(conn, server) -> None:
    """401 asking for basic auth; then a 500 whose first line repeats the request, Authorization too."""
    head = fake.read_request(conn, server)
    if b"Authorization" not in head:
        conn.sendall(b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="x"\r\nContent-Length: 0\r\n\r\n')
        return
    echoed = b" | ".join(head.split(b"\r\n"))
    conn.sendall(b"HTTP/1.1 500 Echo\r\nContent-Type: text/plain\r\nContent-Length: " + str(len(echoed)).encode()
                 + b"\r\n\r\n" + echoed)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_a_password_in_the_url_is_used_and_never_shown(command):
    with RawServer(challenge_then_echo) as server:
        path = PATH.get(command, "/sparql")
        result = run(command, server.url(path, userinfo=f"editor:{SECRET}@"), "--timeout", "10")
        heads = list(server.heads)
    token = base64.b64encode(f"editor:{SECRET}".encode()).decode()
    assert any(f"Authorization: Basic {token}".encode() in head for head in heads), "the credentials were not used"
    assert all(SECRET.encode() not in head.split(b"\r\n")[0] for head in heads), "the password went in the URL"
    assert_one_line(result, server.url(path), "HTTP 500 Echo")
    assert SECRET not in result.out + result.err and token not in result.out + result.err


@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_a_push_with_a_password_in_the_url_says_where_without_it(dataset):
    def accept_basic(conn, server):
        head = fake.read_request(conn, server)
        token = base64.b64encode(f"editor:{SECRET}".encode())
        if b"Authorization: Basic " + token not in head:
            conn.sendall(b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="x"\r\nContent-Length: 0\r\n\r\n')
        else:
            conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")

    with RawServer(accept_basic) as server:
        result = run("push", server.url("/store", userinfo=f"editor:{SECRET.replace('-', '%2D')}@"))
    assert result.code == 0, result.err
    assert result.out.strip() == f"push: {len(dataset.layout.graphs())} graphs written to {server.url('/store')}"
    assert SECRET not in result.out + result.err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_a_redirect_to_another_port_is_not_followed(command):
    with RawServer(fake.answer()) as elsewhere:
        moved = fake.answer(b"307 Temporary Redirect", b"text/plain", b"moved",
                            extra=f"Location: http://thief:{SECRET}@127.0.0.1:{elsewhere.port}/x\r\n".encode())
        with RawServer(moved) as server:
            path = PATH.get(command, "/sparql")
            result = run(command, server.url(path, userinfo=f"editor:{SECRET}@"), "--timeout", "10")
        assert elsewhere.connections == 0
    assert_one_line(result, server.url(path), f"redirects to http://127.0.0.1:{elsewhere.port}/x; redirects are not")
    assert SECRET not in result.out + result.err


@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_a_proxy_from_the_environment_never_sees_the_password():
    with RawServer(fake.answer()) as proxy:
        env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "http_proxy", "https_proxy")}
        env["http_proxy"] = proxy.url("")
        result = run("sparql", f"http://editor:{SECRET}@endpoint.invalid/sparql", env=env)
        heads = list(proxy.heads)
    assert result.code == 0, result.err
    assert heads and heads[0].startswith(b"POST http://endpoint.invalid/sparql HTTP/1.1")
    assert all(SECRET.encode() not in head for head in heads)


@pytest.mark.parametrize("url,says", [
    ("file:///etc/passwd", "not an http:// or https:// URL"),
    ("ftp://127.0.0.1/x", "not an http:// or https:// URL"),
    (f"http://editor:{SECRET}@127.0.0.1:notaport/x", "not a valid URL"),
    (f"http://editor:{SECRET[:5]}/{SECRET[5:]}@127.0.0.1/x", "not a valid URL"),
    (f"http://editor:1234/{SECRET}@127.0.0.1/x", "'@' in the path"),
    (f"http://editor:[{SECRET}@127.0.0.1/x", "not a valid URL"),
])
def test_class6_an_endpoint_url_we_do_not_use_is_refused_without_its_password(url, says):
    with pytest.raises(EndpointProblem, match=says) as refused:
        target(url)
    assert SECRET not in str(refused.value) and SECRET[5:] not in str(refused.value)


def test_class6_credentials_in_the_url_are_decoded_and_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("COALITION_KG_USER", "someone")
    monkeypatch.setenv("COALITION_KG_PASSWORD", "else")
    where = target("https://ed%40tor:p%3Ass%2Fw@127.0.0.1:8443/sparql?x=1")
    assert (where.url, where.user, where.password) == ("https://127.0.0.1:8443/sparql?x=1", "ed@tor", "p:ss/w")
    assert target("http://127.0.0.1/sparql").user == "someone"


@pytest.mark.slow  # the command line in a child process, against a fake server
def test_class6_push_names_the_graphs_written_when_the_second_one_drips(dataset):
    """The deadline is per graph: the first PUT is answered, the second drips, the line says so."""
    answered = fake.answer(b"204 No Content", body=b"")
    dripping = fake.drip(b"HTTP/1.1 204 No", b" Content")

    def first_answered_then_drip(conn, server):
        (answered if server.connections == 1 else dripping)(conn, server)

    with RawServer(first_answered_then_drip) as server:
        started = time.monotonic()
        with pytest.raises(EndpointProblem) as failed:
            push(dataset, server.url("/store"), TIMEOUT)
        assert time.monotonic() - started < 2 * TIMEOUT + SLACK
    graphs = dataset.layout.graphs()
    assert (f"no answer within {TIMEOUT:g} s; 1 of {len(graphs)} graphs written (ontology), failed at {graphs[1]}"
            in str(failed.value))
    assert graphs[0] == V.ontology_graph


@pytest.mark.parametrize("challenge,says", [
    (b"Negotiate", "cannot answer its authentication challenge"),
    (b" ", "cannot answer its authentication challenge"),
    (b"Digest", "cannot answer its authentication challenge"),
    (b"Digest ,,,=,=", "cannot answer its authentication challenge"),
    (b'Digest realm="x", nonce="y", algorithm="MD7"', "cannot answer its authentication challenge"),
    (b'Digest realm="x", nonce="y", qop="auth-int"', "cannot authenticate"),
    (b"Basic realm=x", "HTTP 401 Unauthorized"),  # urllib warns on stderr about the unquoted realm
])
def test_class6_a_challenge_we_cannot_answer_is_one_line(challenge, says, recwarn):
    refusing = fake.answer(b"401 Unauthorized", b"text/plain", b"no", extra=b"WWW-Authenticate: " + challenge + b"\r\n")
    with RawServer(refusing) as server, pytest.raises(EndpointProblem, match=says) as refused:
        RemoteStore(server.url(userinfo=f"editor:{SECRET}@"), 5).select("ASK {}")
    assert SECRET not in str(refused.value)
    shown = [str(w.message) for w in recwarn.list if w.category is not ResourceWarning]  # (hidden by default)
    assert not shown  # nothing on stderr but the line
