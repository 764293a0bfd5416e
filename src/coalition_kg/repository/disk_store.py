"""The embedded store on disk (`--store PATH`): the graph is loaded once into a pyoxigraph database
in PATH and reopened in milliseconds afterwards. A stamp in the folder records the files (path,
size, modification time) it was built from; when the repository changes, the next command builds
it again, so a stale store is never answered from."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pyoxigraph as ox

from coalition_kg.errors import UsageProblem
from coalition_kg.progress import SILENT, Progress
from coalition_kg.repository import layout as lay
from coalition_kg.repository.dataset import Dataset
from coalition_kg.repository.vocabulary import PREFIXES_FILE

STAMP = "coalition-kg-store.json"


def fingerprint(layout: lay.Layout) -> dict[str, list[int]]:
    """What the graph is built from: {path: [size, mtime]} of the ontology, its rules and every data
    file, listed by the layout's one walker (which refuses what it will not read)."""
    # the prefixes file too: its base names the graphs
    files = layout.ontology_files() + layout.rule_files() + layout.data_files() + \
        layout.files(layout.shapes_dir, PREFIXES_FILE.name)
    start = len(str(layout.root)) + 1
    found = {}
    for path in files:
        info = os.stat(path)
        found[str(path)[start:]] = [info.st_size, info.st_mtime_ns]
    return dict(sorted(found.items()))


def _stamp_of(path: Path) -> dict | None:
    try:
        return json.loads((path / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def open_read_only(path: Path) -> ox.Store:
    try:
        return ox.Store.read_only(str(path))
    except OSError as error:
        raise UsageProblem(f"{path}: cannot open the store: {error}") from None


def open_store(layout: lay.Layout, path: Path, progress: Progress = SILENT) -> Dataset:
    """The repository's graph from the store in ``path``, built there first if missing or stale."""
    path = path.resolve()
    current = {"root": str(layout.root), "files": fingerprint(layout)}
    if _stamp_of(path) != current:
        _build(layout, path, current, progress)
    data = [layout.root / name for name in current["files"] if name.startswith("data" + os.sep)]
    graph_files = {layout.vocabulary.ontology_graph: layout.ontology_dir} | {layout.graph_for(p): p for p in data}
    return Dataset(layout, open_read_only(path), graph_files)


def _build(layout: lay.Layout, path: Path, stamp: dict, progress: Progress) -> None:
    """Load in memory (so a syntax error names its file and line), write to a new folder beside
    ``path``, then swap it in: a reader of the old store, or an interrupted build, sees a whole one."""
    from coalition_kg.repository.dataset import load

    if path.exists() and not (path.is_dir() and (_stamp_of(path) is not None or not any(path.iterdir()))):
        raise UsageProblem(f"{path}: exists and is not a coalition-kg store; name a new or empty folder")
    dataset = load(layout.root, progress=progress)
    fresh = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    try:
        with progress.stage(f"writing the store {path}"):
            disk = ox.Store(str(fresh))
            disk.bulk_extend(dataset.store)
            disk.flush()
            del disk  # closes the database before it is moved
        (fresh / STAMP).write_text(json.dumps(stamp), encoding="utf-8")
        old = path.with_name(f".{path.name}.old-{uuid.uuid4().hex[:8]}")
        if path.exists():
            path.rename(old)
        fresh.rename(path)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as error:
        raise UsageProblem(f"{path}: cannot write the store: {error}") from None
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
