"""What a check finds: a Problem located by file and line, the Report of one run, and the locator
that finds the file and line of a node a validator or reasoner names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF

from coalition_kg.repository.dataset import Dataset
from coalition_kg.repository.locate import Locator

SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    severity: str
    message: str
    shape: str = ""
    focus: str = ""
    path: str = ""
    value: str = ""
    check: str = field(default="data", compare=False)
    node_line: int = field(default=0, compare=False)  # where the failing node is defined, if not ``line``
    shapes: str = field(default="", compare=False, repr=False)  # the repository's shapes namespace (cs:)

    def _key(self) -> tuple[object, ...]:
        # numbers in a message in their order: sentence 9 of 15 before sentence 10 of 15
        words = tuple((int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", self.message))
        return self.file, self.line, self.severity, words, self.shape, self.focus, self.path, self.value

    def __lt__(self, other: Problem) -> bool:
        return self._key() < other._key()

    @property
    def shape_name(self) -> str:
        return self.shape.removeprefix(self.shapes) if self.shape else self.check

    @property
    def details(self) -> str:
        focus = self.focus + (f", defined at line {self.node_line}" if self.node_line not in (0, self.line) else "")
        return "; ".join(f"{name} {value}" for name, value in (("focus", focus), ("path", self.path),
                                                                ("value", self.value)) if value)

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.severity}: {self.message} [{self.shape_name}]"
        return text + (f" ({self.details})" if self.details else "")


@dataclass(frozen=True)
class SourceCoverage:
    """How one source document's sentences are accounted for (check/coverage.py counts them)."""
    document: str  # the doc id
    file: str  # its Turtle file, as reports show files
    sentences: int
    facts: int  # quoted by a fact
    claims: int  # attributed as a claim, quoted by no fact
    left_out: int  # left out with a reason, quoted by no fact or claim
    uncovered: int

    @property
    def percent(self) -> str:
        """Covered sentences in per cent, rounded down to a tenth: 99.96 % must not read as 100 %."""
        tenths = (self.sentences - self.uncovered) * 1000 // self.sentences if self.sentences else 1000
        return f"{tenths // 10}.{tenths % 10}"

    def line(self) -> str:
        return (f"coverage of {self.document} ({self.file}): {self.sentences} sentences: {self.facts} quoted by "
                f"facts, {self.claims} attributed as claims, {self.left_out} left out with a reason, "
                f"{self.uncovered} uncovered: {self.percent} %")


@dataclass
class Report:
    problems: list[Problem]
    checks: list[str] = field(default_factory=list)  # the checks that ran, for reports that list them
    coverage: list[SourceCoverage] = field(default_factory=list)  # one per source with its text, if checked

    def failures(self, fail_on: str = "error") -> list[Problem]:
        """The problems that fail the run: those at ``fail_on``'s severity or above."""
        return [p for p in self.problems if SEVERITY_RANK[p.severity] >= SEVERITY_RANK[fail_on]]

    @property
    def conforms(self) -> bool:
        return not self.failures("error")

    def summary(self, fail_on: str = "error") -> str:
        counts = {name: sum(p.severity == name for p in self.problems) for name in ("error", "warning", "info")}
        verdict = "does not conform" if self.failures(fail_on) else "conforms"
        return f"{verdict}: " + ", ".join(f"{n} {name}(s)" for name, n in counts.items()) + \
            (f" (failing on {fail_on} and above)" if fail_on != "error" else "")

    def text(self, fail_on: str = "error") -> str:
        return "".join(f"{p}\n" for p in sorted(self.problems)) + \
            "".join(f"{c.line()}\n" for c in self.coverage) + self.summary(fail_on) + "\n"


def term_text(node: rdflib.term.Node | None) -> str:
    if node is None:
        return ""
    return node.n3() if not isinstance(node, rdflib.BNode) else "[]"


class DataLocator:
    """Finds the file and line of a node reported by a validator or reasoner, in the loaded store."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.files = Locator(dataset.layout.root)
        self._parents: dict[ox.BlankNode, ox.NamedNode | None] = {}

    def _named_parent(self, node: ox.BlankNode) -> ox.NamedNode | None:
        """The nearest named node above a blank node. Breadth first and without recursion: blank
        nodes may nest 100,000 deep (tests/fixtures/hostile); each chain walked is remembered."""
        cache = self._parents
        came_from: dict[ox.BlankNode, ox.BlankNode | None] = {node: None}
        frontier: list[ox.BlankNode] = [node]
        found: ox.NamedNode | None = None
        last: ox.BlankNode | None = None
        while frontier and found is None:
            following = []
            for child in frontier:
                if child in cache:
                    found, last = cache[child], child
                    break
                for quad in self.dataset.store.quads_for_pattern(None, None, child, None):
                    parent = quad.subject
                    if isinstance(parent, ox.NamedNode):
                        found, last = parent, child
                        break
                    if isinstance(parent, ox.BlankNode) and parent not in came_from:  # not a triple term
                        came_from[parent] = child
                        following.append(parent)
                if found is not None:
                    break
            frontier = following
        if found is not None:
            while last is not None:  # every blank node on the way up has the same nearest named parent
                cache[last] = found
                last = came_from[last]
        cache[node] = found
        return found

    def _file_of(self, subject: ox.NamedNode, predicate: rdflib.term.Node | None = None) -> Path | None:
        """The file that asserts the failing property, else the one that types the node, else any."""
        store = self.dataset.store
        quads = []
        if isinstance(predicate, rdflib.URIRef):
            quads = list(store.quads_for_pattern(subject, ox.NamedNode(str(predicate)), None, None))
        quads = quads or list(store.quads_for_pattern(subject, ox.NamedNode(str(RDF.type)), None, None))
        quads = quads or list(store.quads_for_pattern(subject, None, None, None))
        for quad in quads:
            if isinstance(quad.graph_name, ox.DefaultGraph):  # no file: the repository's triples are in graphs
                continue
            path = self.dataset.file_of(quad.graph_name.value)
            if path is not None and path.is_file():
                return path
        return None

    def locate(self, focus: rdflib.term.Node | None, predicate: rdflib.term.Node | None = None) -> tuple[str, int, int]:
        """(file, line, node's line): the line of the failing property where the node has it, and
        the line where the node is defined. ``focus`` and ``predicate`` are rdflib terms, as
        validators report them."""
        anchor: ox.NamedNode | None
        if isinstance(focus, rdflib.URIRef):
            anchor = ox.NamedNode(str(focus))
        elif isinstance(focus, rdflib.BNode):
            anchor = self._named_parent(ox.BlankNode(str(focus)))
        else:
            anchor = None
        if anchor is None:
            return "(unknown file)", 0, 0
        named = isinstance(focus, rdflib.URIRef)
        path = self._file_of(anchor, predicate if named else None)
        if path is None:
            ontology = [p for p in self.dataset.layout.ontology_files()
                        if self.files.index(p).subject_line(anchor.value)]
            path = ontology[0] if ontology else None
        if path is None:
            return "(unknown file)", 0, 0
        index = self.files.index(path)
        node_line = line = index.subject_line(anchor.value) or 1
        if not named:
            blank = ox.BlankNode(str(focus))
            for quad in self.dataset.store.quads_for_pattern(blank, None, None, None):
                if isinstance(quad.object, ox.Literal):
                    found = index.text_line(quad.object.value, line)
                    if found:
                        return self.dataset.layout.relative(path), found, node_line
        elif isinstance(predicate, rdflib.URIRef):
            line = index.property_line(line, str(predicate)) or line
        return self.dataset.layout.relative(path), line, node_line


