"""Find the line of a Turtle file where a node is defined and where it has a property.

pyoxigraph and rdflib keep no positions, so this reads the file as text: a subject block starts
with a term at column 0; prefixed names are expanded with the file's own @prefix lines."""

from __future__ import annotations

import re
from pathlib import Path

from coalition_kg.guards.files import read_text
from coalition_kg.rdf.namespaces import RDF

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z0-9_.-]*):\s*<([^>]*)>", re.IGNORECASE)
_SUBJECT = re.compile(r"^(<[^>]*>|[A-Za-z0-9_.-]*:[^\s;,]*)")


class TurtleIndex:
    def __init__(self, path: Path, root: Path | None = None):
        # A byte-order mark is no text; a byte that is not UTF-8 in a comment, which the Turtle parser
        # skips unread, must not stop the report that points at other lines.
        # Lines as Turtle counts them, ended by LF (CR LF too): not str.splitlines(), which also ends a
        # line at U+2028, U+0085 or a form feed inside a literal and so shifts every line after it.
        # Read through the jail: a regular file (the file was listed and loaded already).
        text = read_text(path, root, encoding="utf-8-sig", errors="replace")
        self.lines = [line.removesuffix("\r") for line in text.split("\n")]
        if self.lines and not self.lines[-1]:
            self.lines.pop()
        self.prefixes: dict[str, str] = {}
        self.subject_lines: dict[str, int] = {}
        self.block_starts: list[int] = []
        for number, text in enumerate(self.lines, start=1):
            declared = _PREFIX.match(text)
            if declared:
                self.prefixes[declared.group(1)] = declared.group(2)
                continue
            if not text or text[0] in " \t#@[(" or text.upper().startswith(("PREFIX", "BASE")):
                continue
            match = _SUBJECT.match(text)
            if match:
                self.block_starts.append(number)
                self.subject_lines.setdefault(self.expand(match.group(1)), number)

    def expand(self, token: str) -> str:
        if token.startswith("<"):
            return token[1:-1]
        prefix, _, local = token.partition(":")
        return self.prefixes.get(prefix, prefix + ":") + local

    def spellings(self, iri: str) -> list[str]:
        names = [f"<{iri}>"]
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                names.append(f"{prefix}:{iri[len(namespace):]}")
        if iri == RDF + "type":
            names.append(" a ")
        return names

    def subject_line(self, iri: str) -> int | None:
        return self.subject_lines.get(iri)

    def property_line(self, subject_line: int, predicate: str) -> int | None:
        """The first line of the subject's block that names the predicate."""
        later = [start for start in self.block_starts if start > subject_line]
        end = later[0] if later else len(self.lines) + 1
        names = self.spellings(predicate)
        for number in range(subject_line, end):
            text = " " + self.lines[number - 1]
            if any(re.search(re.escape(name) + r"(?![A-Za-z0-9_-])", text) for name in names):
                return number
        return None

    def text_line(self, literal: str, start: int = 1) -> int | None:
        """The first line at or after ``start`` that contains a literal's text (for blank nodes)."""
        needle = literal.replace("\\", "\\\\").replace('"', '\\"')[:80]
        for number in range(start, len(self.lines) + 1):
            if needle and needle in self.lines[number - 1]:
                return number
        return None


class Locator:
    """Indexes each file once per run; files may change between runs, so nothing is global."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self._indexes: dict[Path, TurtleIndex] = {}

    def index(self, path: Path) -> TurtleIndex:
        if path not in self._indexes:
            self._indexes[path] = TurtleIndex(path, self.root)
        return self._indexes[path]
