"""One load per process: what `load` returns carries the query catalogue and the shapes, parsed once
however many checks and commands ask; serve's workers open the graph serve loaded, never the
repository's files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter

from coalition_kg.build import build
from coalition_kg.check import shacl
from coalition_kg.check.validate import validate
from coalition_kg.query import catalogue
from coalition_kg.repository.dataset import load
from coalition_kg.repository.disk_store import shared_copy
from coalition_kg.serve.workers import Job, Limits, Pool, StoredJob


def test_validate_and_build_parse_the_catalogue_and_each_kind_of_shapes_once(repo_copy, tmp_path, monkeypatch):
    parsed: Counter[str] = Counter()
    load_catalogue, load_shapes = catalogue.load_catalogue, shacl.load_shapes

    def counted_catalogue(layout):
        parsed["catalogue"] += 1
        return load_catalogue(layout)

    def counted_shapes(paths, layout):
        parsed[" ".join(sorted(path.name for path in paths))] += 1
        return load_shapes(paths, layout)

    monkeypatch.setattr(catalogue, "load_catalogue", counted_catalogue)
    monkeypatch.setattr(shacl, "load_shapes", counted_shapes)
    dataset = load(repo_copy)
    assert build(dataset, tmp_path / "out", None, echo=lambda _line: None)  # validates, then answers every query
    validate(dataset, None, reasoning=False)
    assert parsed["catalogue"] == 1
    assert len(parsed) >= 3 and set(parsed.values()) == {1}, parsed  # data, ontology and catalogue shapes


def test_serve_workers_answer_from_what_serve_loaded_not_from_the_files(repo_copy):
    dataset = load(repo_copy)
    stored, graphs = catalogue.catalogue_of(dataset), tuple(dataset.layout.graphs())
    with shared_copy(dataset) as disk_store:
        shutil.rmtree(repo_copy / "data")  # a worker that loaded the repository would find no data
        shutil.rmtree(repo_copy / "queries")
        pool = Pool(disk_store, 1, Limits(seconds=30), stored)
        try:
            counted = pool.run(Job("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", fmt="csv"))
            name, query = next((name, query) for name, query in stored.items() if query.example_values())
            answered = pool.run(StoredJob(name, tuple(query.example_values().items()), "csv", graphs))
        finally:
            pool.close()
    assert counted.status == 200 and int(counted.body.decode().split()[1]) == len(dataset.store)
    assert answered.status == 200 and answered.body.count(b"\n") > 1, answered.body
    assert not disk_store.exists()  # the copy is removed once serve is done with it


def test_a_copy_left_by_a_serve_killed_outright_is_removed_by_the_next(tmp_path, monkeypatch, dataset):
    """SIGKILL (the OOM killer's) leaves serve's temporary copy behind: the next serve removes each
    copy whose process is gone, and leaves a running process's copy, a link and a stranger's name."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    orphan = tmp_path / f"coalition-kg-graph-{gone}-abc"
    (orphan / "store").mkdir(parents=True)
    running = tmp_path / f"coalition-kg-graph-{os.getpid()}-def"
    running.mkdir()
    target = tmp_path / "not-ours"
    target.mkdir()
    link = tmp_path / f"coalition-kg-graph-{gone}-link"
    link.symlink_to(target)
    stranger = tmp_path / "coalition-kg-graph-notapid-x"
    stranger.mkdir()
    with shared_copy(dataset) as path:
        assert path.parent.name.startswith(f"coalition-kg-graph-{os.getpid()}-")
        assert not orphan.exists()
        assert running.is_dir() and link.is_symlink() and target.is_dir() and stranger.is_dir()
    assert not path.parent.exists()
