"""Every check over a repository -> one Report, sorted by file and line.

SHACL does the checking (shapes/data*, shapes/ontology*, shapes/catalogue*); the quote check and
the OWL-RL consistency check add their problems to the same report."""

from __future__ import annotations

import re
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

from . import layout as lay
from .catalogue import catalogue_graph, load_catalogue
from .dataset import Dataset
from .locate import Locator
from .progress import SILENT, Progress
from .shacl import DEFAULT_ENGINE, load_shapes, run_shacl

SHAPES_NS = lay.BASE + "shapes#"
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}


@dataclass(frozen=True, order=True)
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

    @property
    def shape_name(self) -> str:
        return self.shape.removeprefix(SHAPES_NS) if self.shape else self.check

    @property
    def details(self) -> str:
        focus = self.focus + (f", defined at line {self.node_line}" if self.node_line not in (0, self.line) else "")
        return "; ".join(f"{name} {value}" for name, value in (("focus", focus), ("path", self.path),
                                                                ("value", self.value)) if value)

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: {self.severity}: {self.message} [{self.shape_name}]"
        return text + (f" ({self.details})" if self.details else "")


@dataclass
class Report:
    problems: list[Problem]
    checks: list[str] = field(default_factory=list)  # the checks that ran, for reports that list them

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
        return "".join(f"{p}\n" for p in sorted(self.problems)) + self.summary(fail_on) + "\n"


def _term(node) -> str:
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
        frontier, found = [node], None
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
                    if parent not in came_from:
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

    def _file_of(self, subject: ox.NamedNode, predicate=None) -> Path | None:
        """The file that asserts the failing property, else the one that types the node, else any."""
        store = self.dataset.store
        quads = []
        if isinstance(predicate, rdflib.URIRef):
            quads = list(store.quads_for_pattern(subject, ox.NamedNode(str(predicate)), None, None))
        quads = quads or list(store.quads_for_pattern(subject, ox.NamedNode(str(RDF.type)), None, None))
        quads = quads or list(store.quads_for_pattern(subject, None, None, None))
        for quad in quads:
            path = self.dataset.file_of(quad.graph_name.value)
            if path is not None and path.is_file():
                return path
        return None

    def locate(self, focus, predicate=None) -> tuple[str, int, int]:
        """(file, line, node's line): the line of the failing property where the node has it, and
        the line where the node is defined. ``focus`` and ``predicate`` are rdflib terms, as
        validators report them."""
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


def _check_graphs(dataset: Dataset, kind: str, graphs: list[str], engine: str) -> list[Problem]:
    """Run shapes/<kind>*.ttl over the named graphs merged into one."""
    shape_files = dataset.layout.shape_files(kind)
    if not shape_files:
        return []
    store = dataset.store
    if set(graphs) != {g.value for g in store.named_graphs()}:
        store = ox.Store()
        store.extend(dataset.quads(graphs))
    locator = DataLocator(dataset)
    problems = []
    for result in run_shacl(store, load_shapes(shape_files, dataset.layout), engine):
        file, line, node_line = locator.locate(result["focus"], result["path"])
        problems.append(Problem(file, line, result["severity"], result["message"], str(result["shape"] or ""),
                                _term(result["focus"]), result["path_text"], _term(result["value"]), kind, node_line))
    return problems


def check_data(dataset: Dataset, engine: str = DEFAULT_ENGINE) -> list[Problem]:
    # The ontology is merged in so that sh:targetClass sees rdfs:subClassOf, and the derived
    # shortcuts so that a constraint can compare with one founding date rather than every Founding.
    graphs = [lay.ONTOLOGY_GRAPH, *dataset.data_graphs, lay.DERIVED_GRAPH]
    return _check_graphs(dataset, "data", graphs, engine)


def check_ontology(dataset: Dataset, engine: str = DEFAULT_ENGINE) -> list[Problem]:
    return _check_graphs(dataset, "ontology", [lay.ONTOLOGY_GRAPH], engine)


def check_catalogue(dataset: Dataset, engine: str = DEFAULT_ENGINE) -> list[Problem]:
    from .terms import rdflib_graph

    layout = dataset.layout
    shape_files = layout.shape_files("catalogue")
    queries = load_catalogue(layout)
    if not shape_files or not queries:
        return []
    graph = rdflib_graph(catalogue_graph(queries))
    by_iri = {q.iri: q for q in queries.values()}
    problems = []
    from .catalogue import syntax_error

    graphs = layout.graphs()  # listed once: each call walks data/ (thousands of files at scale)
    for query in queries.values():
        problem = syntax_error(query, query.shown_as, graphs)
        if problem:
            where, _, message = problem.partition(": ")
            parts = where.split(":")
            line = int(parts[1]) if len(parts) > 1 else 1
            problems.append(Problem(parts[0], line, "error", message, check="catalogue"))
    for result in run_shacl(graph, load_shapes(shape_files, layout), engine):
        focus = result["focus"]
        owner = focus if str(focus) in by_iri else next(
            (s for s in graph.subjects(None, focus) if str(s) in by_iri), None)
        query = by_iri.get(str(owner)) if owner is not None else None
        file = layout.relative(query.path) if query else "(catalogue)"
        line = _header_line(query, result["path"]) if query else 0
        problems.append(Problem(file, line, result["severity"], result["message"], str(result["shape"] or ""),
                                _term(focus) if query is None or focus != owner else f"query {query.name}",
                                result["path_text"], _term(result["value"]), "catalogue"))
    return problems


_HEADER_KEYS = {"http://purl.org/dc/terms/title": "summary", "http://purl.org/dc/terms/description": "description",
                "https://schema.org/keywords": "tags", str(SH.parameter): "params"}


def _header_line(query, path) -> int:
    key = _HEADER_KEYS.get(str(path))
    if key:
        # lines as a file has them (LF): str.splitlines() also breaks at U+2028, U+0085, form feeds…
        for number, line in enumerate(query.text.split("\n"), start=1):
            if re.match(rf"#\+\s*{key}\s*:", line):
                return number
    return 1


def _in_background(function, *args) -> Future:
    """Run ``function`` in a daemon thread: an interrupted `validate` (Ctrl-C, an error in another
    check) then ends at once instead of waiting for the thread, as a pool's exit would."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(function(*args))
        except BaseException as error:  # handed to whoever asks for the result
            future.set_exception(error)

    threading.Thread(target=run, name=function.__name__, daemon=True).start()
    return future


def validate(dataset: Dataset, texts_dir: Path | None = None, reasoning: bool = True,
             engine: str = DEFAULT_ENGINE, reasoner: str | None = None, progress: Progress = SILENT) -> Report:
    """Run every check. ``texts_dir`` holds the source texts for the quote check (skipped if None);
    ``engine`` is the SHACL engine, ``reasoner`` the OWL-RL reasoner (its default if None)."""
    problems = []
    entailed = None
    checks = ["data", "ontology", "catalogue"] + (["quotes"] if texts_dir is not None else []) + \
        (["consistency"] if reasoning else [])
    # The data shapes run beside the other checks: pyshacl-turbo lets go of the GIL while it
    # validates, so on two cores the quote check and the OWL-RL inference come almost free.
    # Not pySHACL: rdflib's SPARQL parser (pyparsing) breaks when two threads parse at once.
    data = _in_background(check_data, dataset, engine) if engine == "turbo" else None
    for name, check in (("ontology", check_ontology), ("catalogue", check_catalogue)):
        with progress.stage(f"{name} shapes ({engine})"):
            problems += check(dataset, engine)
    if texts_dir is not None:
        from .quotes import check_quotes

        with progress.stage("quotes"):
            problems += check_quotes(dataset, texts_dir)
    if reasoning:
        from .reasoning import DEFAULT_REASONER, entailments

        reasoner = reasoner or DEFAULT_REASONER
        with progress.stage(f"OWL-RL inference ({reasoner})"):
            entailed = entailments(dataset, reasoner)
    with progress.stage(f"data shapes ({engine})"):
        problems += data.result() if data else check_data(dataset, engine)
    if entailed is not None:  # after the data shapes: it adds a scratch graph to the store they read
        from .reasoning import check_consistency

        with progress.stage("OWL-RL consistency"):
            problems += check_consistency(dataset, entailed)
    return Report(sorted(problems), checks)
