"""The embedded store on disk (`--store PATH`): the graph is loaded once into a pyoxigraph database
in PATH and reopened in milliseconds afterwards. A stamp in the folder records the files (path,
size, modification time) it was built from; when the repository changes, the next command builds
it again, so a stale store is never answered from."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from coalition_kg.errors import UsageProblem
from coalition_kg.guards.atomic_write import replaced_folder
from coalition_kg.progress import SILENT, Progress
from coalition_kg.repository import layout as lay
from coalition_kg.repository.dataset import Dataset, load
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


def _stamp_of(path: Path) -> dict[str, object] | None:
    try:
        return cast("dict[str, object]", json.loads((path / STAMP).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def open_read_only(path: Path) -> ox.Store:
    try:
        return ox.Store.read_only(str(path))
    except OSError as error:
        raise UsageProblem(f"{path}: cannot open the store: {error}") from None


def open_store(layout: lay.Layout, path: Path, progress: Progress = SILENT,
               prepare: Callable[[Dataset], None] | None = None) -> Dataset:
    """The repository's graph from the store in ``path``, built there first if missing or stale.
    ``prepare`` adds to the loaded graph before it is written (the entailments: the reasoner is a layer
    above this one); a store built with it is rebuilt for a command without it, and the other way."""
    path = path.resolve()
    files = fingerprint(layout)
    current = {"root": str(layout.root), "files": files, "prepared": prepare is not None}
    if _stamp_of(path) != current:
        _build(layout, path, current, progress, prepare)
    data = [layout.root / name for name in files if name.startswith("data" + os.sep)]
    graph_files = {layout.vocabulary.ontology_graph: layout.ontology_dir} | {layout.graph_for(p): p for p in data}
    return Dataset(layout, open_read_only(path), graph_files)


def _build(layout: lay.Layout, path: Path, stamp: Mapping[str, object], progress: Progress,
           prepare: Callable[[Dataset], None] | None) -> None:
    """Load in memory (so a syntax error names its file and line), write to a new folder beside
    ``path``, then swap it in (guards.atomic_write): a reader of the old store, or an interrupted
    build, sees a whole one."""
    with replaced_folder(path, _check_store_target) as fresh:
        dataset = load(layout.root, progress=progress)
        if prepare is not None:
            prepare(dataset)
        try:
            with progress.stage(f"writing the store {path}"):
                write_store(dataset.store, fresh)
            (fresh / STAMP).write_text(json.dumps(stamp), encoding="utf-8")
        except OSError as error:
            raise UsageProblem(f"{path}: cannot write the store: {error}") from None


def _check_store_target(path: Path) -> None:
    """A store is built only where there is nothing, an empty folder, or a store of ours."""
    if path.exists() and not (path.is_dir() and (_stamp_of(path) is not None or not any(path.iterdir()))):
        raise UsageProblem(f"{path}: exists and is not a coalition-kg store; name a new or empty folder")


def write_store(graph: ox.Store, folder: Path) -> None:
    """Every quad of ``graph`` into a new on-disk store in ``folder``, closed once written."""
    disk = ox.Store(str(folder))
    disk.bulk_extend(graph)
    disk.flush()
    del disk  # closes the database before it is moved or opened elsewhere


@contextmanager
def shared_copy(dataset: Dataset, disk_store: Path | None = None) -> Iterator[Path]:
    """The loaded graph as an on-disk store other processes open read only (serve's workers), so that
    none of them loads the repository again: ``disk_store`` itself (--store, which ``dataset`` was
    opened from), or else a copy of the graph in memory, written once to a temporary folder and
    removed at the end."""
    if disk_store is not None:
        yield disk_store.resolve()
        return
    _remove_orphans()
    folder = Path(tempfile.mkdtemp(prefix=f"{_COPY_PREFIX}{os.getpid()}-"))
    try:
        try:
            write_store(dataset.store, folder / "store")
        except OSError as error:
            raise UsageProblem(f"{folder}: cannot write the graph for the workers: {error}") from None
        yield folder / "store"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_COPY_PREFIX = "coalition-kg-graph-"


def _remove_orphans() -> None:
    """The copies a serve killed outright (SIGKILL, the kernel's OOM killer) could not remove: each is
    named after the process that made it, and is removed once that process is gone. A folder of
    another user's, or of a process that still runs, is left alone."""
    for folder in Path(tempfile.gettempdir()).glob(_COPY_PREFIX + "*-*"):
        owner = folder.name.removeprefix(_COPY_PREFIX).split("-", 1)[0]
        try:
            info = folder.lstat()  # the entry itself: a link is never followed, nor removed
            if not owner.isdigit() or info.st_uid != os.getuid() or not stat.S_ISDIR(info.st_mode):
                continue
            os.kill(int(owner), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # gone meanwhile, or a process of another user's: not ours to judge
            continue
