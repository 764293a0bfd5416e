"""Figures for issue 12: the attacks that broke coalition-kg, as numbers.

  (a) N connections held open that never send a request line (or drip one byte a second): is another
      client served by `serve`, and how long does it wait?
  (b) 8 clients that ask `serve` for a large answer and never read it: peak RSS of the whole serve
      process tree (the server and its workers).
  (c) A 10 KB query of 5,000 nested ( or {, which once crashed the process (SIGSEGV): how long the
      checker takes to refuse it, in process, through the `sparql` command and through serve's /sparql.

Everything binds 127.0.0.1; every loop is bounded; every process started is stopped, and the whole run
has a deadline (--deadline). Run it on another checkout's code (the old server) with --src OTHER/src.
Usage:

    python benchmarks/attack.py [--src DIR] [--held 250,1000] [--rows 450000] [-- extra serve options]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and every descendant, in MB (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    family, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in family} - family
        family |= more
        grew = bool(more)
    total = 0
    for member in family:
        with contextlib.suppress(OSError):
            for line in (Path("/proc") / str(member) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


@contextlib.contextmanager
def serve(src: Path, options: list[str], nofile: int | None = None):
    env = dict(os.environ, PYTHONPATH=str(src))

    def limit_files():  # the common default soft limit, where the benchmark machine's is higher
        if nofile:
            import resource

            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    command = [sys.executable, "-m", "coalition_kg.cli", "--root", str(ROOT), "-q", "serve", "--port", "0",
               "--no-pages", *options]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                               start_new_session=True,
                               preexec_fn=limit_files)  # noqa: PLW1509 (only setrlimit in the child, before its threads)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 180)
        line = process.stdout.readline().decode() if ready else ""
        if not line.startswith("serving http://"):
            raise SystemExit(f"serve did not start: {line!r}")
        yield process, int(line.split()[1].rstrip("/").rsplit(":", 1)[1])
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def probe(port: int, seconds: float = 30) -> str:
    """One ordinary request: 'STATUS in S s', or what went wrong."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=seconds) as sock:
            sock.settimeout(max(0.1, seconds - (time.monotonic() - started)))
            sock.sendall(b"GET /openapi.json HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            head = sock.recv(64)
        status = head.split(b"\r\n", 1)[0].split(b" ")[1].decode() if head else "closed"
        return f"{status} in {time.monotonic() - started:.2f} s"
    except OSError as error:
        return f"{type(error).__name__} after {time.monotonic() - started:.1f} s"


def held_connections(port: int, count: int, drip: bool, seconds: float, after: float) -> str:
    """Hold ``count`` connections (silent, or dripping a byte a second) and probe meanwhile."""
    held = []
    for _ in range(count):
        try:
            held.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        except OSError:
            break
    opened = len(held)
    answer, stop = {}, threading.Event()

    def dripper():
        line = b"GET /openapi.json HTTP/1.1\r\nHost: bench\r\nX: " + b"a" * 100
        for byte in line:  # bounded: one byte a second until the probe ends
            time.sleep(1)
            if stop.is_set() and time.monotonic() > give_up:
                return
            for sock in held:
                with contextlib.suppress(OSError):
                    sock.send(bytes([byte]))

    give_up = 0.0
    thread = threading.Thread(target=dripper, daemon=True)
    if drip:
        thread.start()
        time.sleep(2)
    answer["probe"] = probe(port, seconds)
    give_up = time.monotonic() + after  # the drip goes on a while: does the server end it?
    stop.set()
    if not drip:
        time.sleep(after)
    thread.join(after + 5) if drip else None
    still_open = 0
    for sock in held:
        sock.setblocking(False)
        try:
            still_open += sock.recv(1) != b""
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
        sock.close()
    return (f"{opened} held{' (dripping)' if drip else ''}: probe {answer['probe']}; "
            f"{still_open} still open {after:g} s later")


def slow_readers(port: int, pid: int, rows: int, readers: int, seconds: float) -> str:
    """``readers`` clients ask for a large answer and never read; peak RSS of the serve tree meanwhile."""
    query = urllib.parse.quote(f"SELECT * WHERE {{ ?a ?b ?c . ?d ?e ?f }} LIMIT {rows}")
    baseline = tree_rss_mb(pid)
    socks = []
    for _ in range(readers):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a reader that does not read
        sock.connect(("127.0.0.1", port))
        sock.sendall(f"GET /sparql?query={query} HTTP/1.1\r\nHost: bench\r\nAccept: application/sparql-results+json"
                     f"\r\n\r\n".encode())
        socks.append(sock)
    peak, deadline = baseline, time.monotonic() + seconds
    while time.monotonic() < deadline:  # bounded by time
        peak = max(peak, tree_rss_mb(pid))
        time.sleep(0.2)
    heads = []
    for sock in socks:
        sock.setblocking(False)
        try:
            heads.append(sock.recv(64).split(b"\r\n", 1)[0].decode(errors="replace") or "closed")
        except BlockingIOError:
            heads.append("nothing yet")
        except OSError as error:
            heads.append(type(error).__name__)
        sock.close()
    after = probe(port, 60)
    return (f"{readers} slow readers of {rows} rows: serve tree RSS {baseline:.0f} MB -> peak {peak:.0f} MB "
            f"over {seconds:g} s; first bytes each got: {sorted(set(heads))}; a probe after: {after}")


NESTED = 5_000
NESTED_QUERIES = {"(": "SELECT * WHERE { FILTER(" + "(" * NESTED + "1" + ")" * NESTED + ") }",
                  "{": "SELECT * WHERE " + "{" * NESTED + " ?s ?p ?o " + "}" * NESTED}


def refusal_in_process(text: str, runs: int) -> str:
    """Median time the checker takes to refuse ``text``, in this process (its package on the path)."""
    try:
        from coalition_kg.guards.sparql import QueryRefused, check
    except ImportError:  # code from before the checker (--src of an older checkout)
        return "no checker in this code"

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        try:
            check(text)
        except QueryRefused:
            times.append(time.perf_counter() - started)
        else:
            raise SystemExit("the nested query was not refused")
    return f"{statistics.median(times) * 1000:.2f} ms (median of {runs})"


def refusal_by_command(src: Path, text: str, runs: int) -> str:
    """Median seconds of the whole `coalition-kg sparql QUERY` process, and how it ended."""
    env = dict(os.environ, PYTHONPATH=str(src))
    times, endings = [], set()
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "coalition_kg.cli", "--root", str(ROOT), "sparql", text],
                              capture_output=True, env=env, timeout=120)
        times.append(time.perf_counter() - started)
        endings.add(f"exit {done.returncode}" if done.returncode >= 0 else f"signal {-done.returncode}")
    return f"{statistics.median(times):.2f} s, {', '.join(sorted(endings))}"


def refusal_by_serve(port: int, text: str, runs: int) -> str:
    """Median seconds from sending ``text`` to /sparql to the end of the answer, and its statuses."""
    times, statuses = [], set()
    body = text.encode()
    for _ in range(runs):
        started = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: bench\r\nConnection: close\r\nContent-Type: "
                         b"application/sparql-query\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
            answer = b""
            while chunk := sock.recv(65536):  # bounded: the server closes (Connection: close)
                answer += chunk
        times.append(time.perf_counter() - started)
        statuses.add(answer.split(b"\r\n", 1)[0].decode(errors="replace") or "closed")
    return f"{statistics.median(times) * 1000:.1f} ms, {sorted(statuses)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the coalition_kg package to run")
    parser.add_argument("--held", default="250,1000", help="numbers of idle connections to hold")
    parser.add_argument("--probe-seconds", type=float, default=20.0)
    parser.add_argument("--rows", type=int, default=450_000, help="rows of the large answer (about 300 bytes each)")
    parser.add_argument("--after", type=float, default=12.0, help="seconds after the probe to count open connections")
    parser.add_argument("--nofile", type=int, default=1024, help="serve's soft limit on open files (0: inherit)")
    parser.add_argument("--skip-readers", action="store_true")
    parser.add_argument("--readers", default="8,16", help="numbers of slow readers, one run of (b) each")
    parser.add_argument("--reader-seconds", type=float, default=45.0)
    parser.add_argument("--reader-caps", default="default,256M",
                        help="serve's --max-bytes for each run of (b): 'default', or a size the answer fits under "
                             "(code from before --max-bytes takes only 'default')")
    parser.add_argument("--runs", type=int, default=9, help="runs of each refusal in (c), the median shown")
    parser.add_argument("--deadline", type=float, default=1500, help="seconds the whole run may take")
    parser.add_argument("options", nargs="*", help="extra serve options (after --)")
    args = parser.parse_args()

    def out_of_time(signum, frame):  # noqa: ARG001 (a signal handler's signature) — unwinds through serve(), which stops what it started
        raise TimeoutError(f"the run passed its deadline of {args.deadline:g} s")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.setitimer(signal.ITIMER_REAL, args.deadline)
    sys.path.insert(0, str(args.src))
    for name, text in NESTED_QUERIES.items():
        print(f"(c) refuse {len(text.encode()) / 1000:.1f} KB of {NESTED:,} nested {name}: in process "
              f"{refusal_in_process(text, args.runs)}; `sparql` command "
              f"{refusal_by_command(args.src, text, 3)} (median of 3)", flush=True)
    with serve(args.src, args.options) as (_, port):
        for name, text in NESTED_QUERIES.items():
            print(f"(c) serve /sparql, {NESTED:,} nested {name}: {refusal_by_serve(port, text, args.runs)} "
                  f"(median of {args.runs})", flush=True)
    print(f"serve from {args.src}; extra options {args.options}; soft limit on open files {args.nofile or 'inherited'}")
    for count in (int(n) for n in args.held.split(",")):
        for drip in (False, True):
            with serve(args.src, args.options, args.nofile) as (_, port):
                print(f"(a) {held_connections(port, count, drip, args.probe_seconds, args.after)}", flush=True)
    if args.skip_readers:
        return
    for cap in args.reader_caps.split(","):  # "default": serve's own --max-bytes; else a cap the answer fits
        options = ["--max-rows", str(10 * args.rows), "--time-limit", "120", *args.options]
        options += [] if cap == "default" else ["--max-bytes", cap]
        for readers in (int(n) for n in args.readers.split(",")):  # more readers: does the peak grow?
            with serve(args.src, options) as (process, port):
                figure = slow_readers(port, process.pid, args.rows, readers, args.reader_seconds)
                print(f"(b) --max-bytes {cap}: {figure}", flush=True)


if __name__ == "__main__":
    main()
