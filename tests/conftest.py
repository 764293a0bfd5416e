"""Shared fixtures: the repository, its loaded dataset, writable copies, and an in-process CLI."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from coalition_kg.authoring.synth import generate
from coalition_kg.cli import main
from coalition_kg.reasoning.owl_rl import materialise_entailments
from coalition_kg.repository.dataset import load

from .servers import coalition_serve, oxigraph_server
from .virtuoso import virtuoso_server

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        pytest.fail(f"the source texts are expected beside the checkout, at {SEEDS}")
    return SEEDS


@pytest.fixture(scope="session")
def dataset():
    return load(ROOT)


@pytest.fixture(scope="session")
def entailed():
    """The dataset as the commands that answer questions load it: with the OWL-RL entailments."""
    loaded = load(ROOT)
    materialise_entailments(loaded)
    return loaded


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory) -> Path:
    """A small synthetic repository that conforms: 12 generated documents, their texts in texts/."""
    out = tmp_path_factory.mktemp("synthetic") / "repo"
    generate(ROOT, out, documents=12)
    return out


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A writable copy of the repository's graph folders, to break on purpose."""
    copy = tmp_path / "repo"
    for name in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / name, copy / name)
    return copy


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsysbinary):
    """Run the command line in process; returns exit code, stdout and stderr."""

    def run(*args: str) -> Run:
        try:
            main(list(args))
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        captured = capsysbinary.readouterr()
        return Run(code, captured.out.decode(), captured.err.decode())

    return run


def push_to(root: Path, endpoint) -> None:
    """Upload the repository's graphs with `coalition-kg push`, as a user would."""
    env = dict(os.environ)
    if endpoint.user:
        env.update(COALITION_KG_USER=endpoint.user, COALITION_KG_PASSWORD=endpoint.password)
    done = subprocess.run([sys.executable, "-m", "coalition_kg.cli", "--root", str(root), "-q", "push", "--endpoint",
                           endpoint.store], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def oxigraph_endpoint():
    """An Oxigraph server holding the repository's graphs, put there by `push`."""
    with oxigraph_server() as endpoint:
        push_to(ROOT, endpoint)
        yield endpoint


@pytest.fixture(scope="session")
def virtuoso_endpoint(tmp_path_factory):
    """A Virtuoso server (Debian's virtuoso-opensource) holding the repository's graphs, put there by
    `push` through its digest-authenticated Graph Store endpoint."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as endpoint:
        push_to(ROOT, endpoint)
        yield endpoint


@pytest.fixture(scope="session")
def serve_endpoint():
    """`coalition-kg serve` over the repository."""
    with coalition_serve(ROOT, "--time-limit", "5", "--max-rows", "5000") as endpoint:
        yield endpoint


# --- the sentinels: a secret file and a listening socket that no input may reach -----------------

@dataclass
class Sentinel:
    marker: str  # a unique text, in a file of its own: no output may contain it
    marker_file: Path
    port: int  # a socket listening on 127.0.0.1: no connection may arrive
    closed_port: int  # a port nothing listens on
    connections: list
    rounds: list  # [how many times the listening thread has gone round its loop]
    turned: threading.Condition

    def arrived(self) -> list:
        """Every connection made so far: two more rounds of the listening thread (10 ms each at
        most) and any that had reached the socket has been accepted and counted."""
        with self.turned:
            start = self.rounds[0]
            assert self.turned.wait_for(lambda: self.rounds[0] >= start + 2, timeout=5), "the listener stopped"
        return list(self.connections)

    def fill(self, data: bytes) -> bytes:
        for name, value in (("marker", self.marker_file), ("port", self.port), ("closed", self.closed_port)):
            data = data.replace(b"{%s}" % name.encode(), str(value).encode())
        return data


@pytest.fixture
def sentinel(tmp_path):
    marker = f"HOSTILE-MARKER-{uuid.uuid4().hex}"
    marker_file = tmp_path / "secret.txt"
    marker_file.write_text(marker + "\n", encoding="utf-8")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.01)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    connections: list = []
    rounds, turned = [0], threading.Condition()
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, peer = listener.accept()
            except (TimeoutError, OSError):
                pass
            else:
                connections.append(peer)
                connection.close()  # never answers: a client that waits for an answer would wait for ever
            with turned:
                rounds[0] += 1
                turned.notify_all()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield Sentinel(marker, marker_file, listener.getsockname()[1], closed_port, connections, rounds, turned)
    stop.set()  # the thread ends at its next timeout; not waited for
    listener.close()
