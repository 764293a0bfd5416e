"""Shared fixtures: the repository, its loaded dataset, writable copies, and an in-process CLI."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from coalition_kg.cli import main
from coalition_kg.dataset import load

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
def synthetic(tmp_path_factory) -> Path:
    """A small synthetic repository that conforms: 12 generated documents, their texts in texts/."""
    from coalition_kg.synth import generate

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
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    if endpoint.user:
        env.update(COALITION_KG_USER=endpoint.user, COALITION_KG_PASSWORD=endpoint.password)
    done = subprocess.run([sys.executable, "-m", "coalition_kg.cli", "--root", str(root), "-q", "push", "--endpoint",
                           endpoint.store], capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="session")
def oxigraph_endpoint():
    """An Oxigraph server holding the repository's graphs, put there by `push`."""
    from .servers import oxigraph_server

    with oxigraph_server() as endpoint:
        push_to(ROOT, endpoint)
        yield endpoint


@pytest.fixture(scope="session")
def virtuoso_endpoint(tmp_path_factory):
    """A Virtuoso server (Debian's virtuoso-opensource) holding the repository's graphs, put there by
    `push` through its digest-authenticated Graph Store endpoint."""
    from .virtuoso import virtuoso_server

    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as endpoint:
        push_to(ROOT, endpoint)
        yield endpoint


@pytest.fixture(scope="session")
def serve_endpoint():
    """`coalition-kg serve` over the repository."""
    from .servers import coalition_serve

    with coalition_serve(ROOT, "--time-limit", "5", "--max-rows", "5000") as endpoint:
        yield endpoint
