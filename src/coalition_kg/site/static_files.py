"""A site folder that `coalition-kg site` wrote, read as the mapping of paths to bytes that `serve`
answers from: a path outside the folder (``..``, a link out) is not in it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from coalition_kg.guards.files import OutsideFile, read_bytes


class SiteFolder(Mapping[str, bytes]):
    def __init__(self, folder: Path):
        self.folder = folder.resolve()

    def _file(self, name: str) -> Path | None:
        path = (self.folder / name).resolve()
        return path if path.is_relative_to(self.folder) and path.is_file() else None

    def __getitem__(self, name: str) -> bytes:
        path = self._file(name)
        if path is None:
            raise KeyError(name)
        try:  # one safe open: a file swapped for a FIFO or a link out since _file looked is not read
            return read_bytes(path, self.folder)
        except OutsideFile:
            raise KeyError(name) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._file(name) is not None

    def __iter__(self) -> Iterator[str]:
        return (str(p.relative_to(self.folder)) for p in self.folder.rglob("*") if p.is_file())

    def __len__(self) -> int:
        return sum(1 for _ in self)
