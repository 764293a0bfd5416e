"""Real servers for the tests, each on 127.0.0.1 on a free port, stopped when the block ends: an
Oxigraph server (PyPI's `oxigraph`) and our own `coalition-kg serve`. (Virtuoso: virtuoso.py.)"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Endpoint:
    sparql: str  # the SPARQL 1.1 Protocol query URL
    store: str | None = None  # the Graph Store Protocol URL, where the server has one
    user: str | None = None
    password: str | None = None
    pid: int | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped: {process.stderr.read().decode()[-500:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"no server on port {port} after {seconds} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (read from /proc: no extra dependency)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


@contextlib.contextmanager
def oxigraph_server():
    """An empty, in-memory Oxigraph server, with its standard default graph (not the union)."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).exists():
        raise RuntimeError("the oxigraph server is not installed (pip install -e '.[test]')")
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process)
        yield Endpoint(f"http://127.0.0.1:{port}/query", f"http://127.0.0.1:{port}/store", pid=process.pid)
    finally:
        stop(process)


@contextlib.contextmanager
def coalition_serve(root: Path, *options: str, log: Path | None = None, quiet: bool = True):
    """`coalition-kg serve` on a free port; the address is read from the line it prints. ``log``: a
    file its stderr goes to, for the test to read."""
    command = [sys.executable, "-m", "coalition_kg.cli", "--root", str(root), *(["-q"] if quiet else []), "serve",
               "--port", "0", *options]
    stderr = log.open("wb") if log is not None else subprocess.PIPE  # closed below
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 120)
        line = process.stdout.readline().decode() if ready else ""
        if not line.startswith("serving http://"):
            stop(process)
            said = log.read_text() if log is not None else process.stderr.read().decode()
            raise RuntimeError(f"serve did not start: {line}{said[-1000:]}")
        base = line.split()[1].rstrip("/")
        yield Endpoint(base + "/sparql", pid=process.pid)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        stop(process)
        if log is not None:
            stderr.close()
