"""Progress on standard error for the steps that take long on a large graph (loading, validating,
inferring, exporting): shown when standard error is a terminal, silent when it is not (a pipe, a
CI log) or with --quiet. tqdm is imported only when something is shown."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


class Progress:
    def __init__(self, enabled: bool = False):
        self.enabled = enabled

    @classmethod
    def for_terminal(cls, quiet: bool) -> Progress:
        return cls(not quiet and sys.stderr.isatty())

    def iterate(self, items: Iterable[T], description: str, total: int | None = None, unit: str = "it") -> Iterable[T]:
        if not self.enabled:
            return items
        from tqdm import tqdm  # noqa: PLC0415 (only on a terminal: 0.1 s off every other start)

        columns, lines = _size()
        return tqdm(items, desc=description, total=total, unit=unit, file=sys.stderr, leave=False, ncols=columns,
                    nrows=lines)

    @contextmanager
    def stage(self, description: str) -> Iterator[None]:
        """One step with no count of its own: its name while it runs, and its time when done."""
        if not self.enabled:
            yield
            return
        from tqdm import tqdm  # noqa: PLC0415 (only on a terminal: 0.1 s off every other start)

        columns, lines = _size()
        bar = tqdm(total=1, desc=description, file=sys.stderr, leave=True, bar_format="{desc}: {elapsed}",
                   ncols=columns, nrows=lines)
        try:
            yield
        finally:
            bar.update(1)
            bar.close()


def _size() -> tuple[int, int]:
    """The terminal's size; one that reports none (0 x 0, as a bare pseudo-terminal does) gets
    80 x 24, since tqdm draws nothing on a terminal of no size."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
        return size.columns or 80, size.lines or 24
    except (OSError, ValueError):
        return 80, 24


SILENT = Progress(False)
