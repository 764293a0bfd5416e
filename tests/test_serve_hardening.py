"""Class 5 of issue 12: `serve` under attack, over raw sockets against a real server. Connections that
never send, or drip a byte at a time, cannot lock others out; a malformed request gets a 4xx with one
line and the connection closes (what follows it is never read as a request); what a client sends
reaches the log escaped; a client that leaves leaves no traceback; an answer past --max-bytes is 422."""

from __future__ import annotations

import shutil
import socket
import time
import urllib.parse

import pytest

from .servers import coalition_serve

pytestmark = pytest.mark.servers

IDLE = 2.0  # --idle-timeout of the server under test
CAP = 40  # --max-connections
INTEGER_QUERY = """#+ summary: Echoes an integer.
#+ params:
#+   - name: n
#+     description: any integer
#+     example: "1"
SELECT ?n WHERE { BIND(?_n_integer AS ?n) }
"""


@pytest.fixture(scope="module")
def server(root, tmp_path_factory):
    """serve over a copy of the repository with one stored query that takes an integer."""
    copy = tmp_path_factory.mktemp("hardened") / "repo"
    for name in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(root / name, copy / name)
    (copy / "queries" / "echo-integer.rq").write_text(INTEGER_QUERY)
    log = copy.parent / "serve.log"
    with coalition_serve(copy, "--no-pages", "--workers", "1", "--idle-timeout", str(IDLE), "--max-connections",
                         str(CAP), "--max-bytes", "200000", log=log, quiet=False) as endpoint:
        yield int(endpoint.sparql.rsplit(":", 1)[1].split("/")[0]), log


def exchange(port: int, raw: bytes, seconds: float = 10) -> bytes:
    """Send ``raw``, read until the server closes (or ``seconds`` pass), return what came back."""
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as sock:
        sock.sendall(raw)
        data = b""
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline and (chunk := sock.recv(65536)):
                data += chunk
        except OSError:
            pass
        return data


def served(port: int) -> tuple[bytes, float]:
    started = time.monotonic()
    answer = exchange(port, b"GET /openapi.json HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    return answer.split(b"\r\n", 1)[0], time.monotonic() - started


def closed_by_server(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def no_traceback(log) -> None:
    text = log.read_bytes()
    assert b"Traceback" not in text and b"\x1b" not in text and b"\x00" not in text
    assert b"\r" not in text.replace(b"\r\n", b"\n"), text[-2000:]


def test_class5_connections_that_never_send_do_not_lock_others_out(server):
    port, log = server
    held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(CAP + 20)]
    try:
        time.sleep(0.3)
        status, seconds = served(port)
        assert status == b"HTTP/1.1 200 " and seconds < 2, (status, seconds)
        time.sleep(IDLE + 1.5)
        assert all(closed_by_server(sock) for sock in held)  # none outlives the idle timeout
    finally:
        for sock in held:
            sock.close()
    no_traceback(log)


def test_class5_a_request_head_dripped_a_byte_at_a_time_is_cut_off(server):
    port, _ = server
    head = b"GET /openapi.json HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * 200
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        started = time.monotonic()
        cut = None
        for byte in head:  # bounded: 200-odd bytes, 0.1 s apart
            try:
                sock.send(bytes([byte]))
            except OSError:
                cut = time.monotonic() - started
                break
            time.sleep(0.1)
            if closed_by_server(sock):
                cut = time.monotonic() - started
                break
            sock.setblocking(True)
    assert cut is not None and cut < IDLE + 1.5, cut


SMUGGLED = b"GET /openapi.json HTTP/1.1\r\nHost: t\r\n\r\n"


@pytest.mark.parametrize("raw", [
    "POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\nContent-Length: ²\r\n\r\n".encode(),
    b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nASK",
    b"POST /sparql HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nASK\r\n0\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"GET /index.html\x00 HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET /\x1b[31m HTTP/1.1\r\nHost: t\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    b"GET /" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n",
], ids=["content-length-superscript", "two-content-lengths", "bad-chunk", "length-and-chunked", "nul-in-target",
        "esc-in-target", "space-in-header-name", "no-host", "tls-hello", "head-too-long"])
def test_class5_a_malformed_request_is_a_4xx_and_nothing_after_it_is_read(server, raw):
    port, log = server
    answer = exchange(port, raw + SMUGGLED)
    status = answer.split(b"\r\n", 1)[0]
    assert status.startswith(b"HTTP/1.1 4"), answer[:300]
    assert answer.count(b"HTTP/1.1 ") == 1, answer[:600]  # the request after it was not answered
    body = answer.split(b"\r\n\r\n", 1)[1]
    assert body.endswith(b"\n") and body.count(b"\n") == 1, body
    no_traceback(log)


@pytest.mark.parametrize("path", ["/index.html%00.png", "/id/x%00", "/queries/echo-integer%00"])
def test_class5_a_nul_in_a_path_is_a_400(server, path):
    port, _ = server
    answer = exchange(port, f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 400 ") and answer.endswith(b"the path holds a NUL character\n")


def test_class5_a_5000_digit_integer_is_answered_and_the_connection_stays_in_step(server):
    """It answered 500 (int() refuses past 4,300 digits) and the connection fell out of step."""
    port, log = server
    path = "/queries/echo-integer.csv?n=" + "9" * 5000
    answer = exchange(port, f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode() + b"GET /queries/echo-integer.csv?n=7 "
                      b"HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    first, second = answer.split(b"HTTP/1.1 ")[1:]
    assert first.startswith(b"200 ") and first.endswith(b"n\r\n" + b"9" * 5000 + b"\r\n")
    assert second.startswith(b"200 ") and second.endswith(b"n\r\n7\r\n")
    no_traceback(log)


def test_class5_what_a_client_sends_reaches_the_log_escaped(server):
    port, log = server
    exchange(port, b"GET /%1b[2J%1b]0;owned%07%0d%0aFAKE%00 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    exchange(port, b"GET /\x1b[2J\r\x00 HTTP/1.1\r\nHost: t\r\n\r\n")
    time.sleep(0.3)
    text = log.read_bytes()
    assert b'"GET /%1b[2J%1b]0;owned%07%0d%0aFAKE%00 HTTP/1.1" 400' in text
    no_traceback(log)


def test_class5_clients_that_leave_mid_answer_leave_no_traceback(server):
    port, log = server
    query = urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1500")
    for _ in range(30):  # bounded: 30 clients, each gone before its answer
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(f"GET /sparql?query={query} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # reset
        sock.close()
    status, _ = served(port)
    assert status == b"HTTP/1.1 200 "
    time.sleep(1)
    no_traceback(log)


def test_class5_an_answer_past_max_bytes_is_422(server):
    port, _ = server
    query = urllib.parse.quote("SELECT * WHERE { ?s ?p ?o }")
    answer = exchange(port, f"GET /sparql?query={query} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode(),
                      seconds=30)
    assert answer.startswith(b"HTTP/1.1 422 ") and b"larger than 200000 bytes" in answer
