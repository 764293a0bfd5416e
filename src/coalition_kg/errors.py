"""Typed errors raised by the core; the command line turns them into one line and an exit code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def one_line(text: str) -> str:
    """An error as one line: a line break or other control character in it (a parser quoting the
    byte it stopped at) is shown as its escape."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class CoalitionKGError(Exception):
    """Bad input or usage: the command exits with code 2 and prints ``str(error)``."""

    exit_code = 2


@dataclass
class SourceLocation:
    path: Path | str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = str(self.path)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class SyntaxProblem(CoalitionKGError):
    """A file that does not parse; names the file, line and column."""

    def __init__(self, location: SourceLocation, message: str):
        self.location = location
        self.message = one_line(message)
        super().__init__(one_line(f"{location}: {message}"))


class QueryProblem(CoalitionKGError):
    """An unknown stored query, a bad header, or a bad parameter; names the query and parameter."""

    def __init__(self, query: str, message: str, parameter: str | None = None):
        self.query = query
        self.parameter = parameter
        where = f"query {query}" + (f", parameter {parameter}" if parameter else "")
        super().__init__(one_line(f"{where}: {message}"))


class UsageProblem(CoalitionKGError):
    """A command given something it cannot use (a missing folder, an unknown format)."""
