"""load(root) -> Dataset: every file parsed once into one pyoxigraph store, one named graph per file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import pyoxigraph as ox

from coalition_kg.errors import SourceLocation, SyntaxProblem, UsageProblem
from coalition_kg.guards.files import read_bytes
from coalition_kg.progress import SILENT, Progress
from coalition_kg.rdf.parse_errors import turtle_problem
from coalition_kg.repository import layout as lay
from coalition_kg.repository.shortcut_rules import derive_shortcuts

if TYPE_CHECKING:  # rdflib is loaded only when a graph is converted (to_rdflib)
    import rdflib

T = TypeVar("T")


@dataclass
class Dataset:
    """The loaded repository: the store, and which file each named graph came from; and what else is
    parsed from the repository (the query catalogue, the shapes), once per load, on first use."""

    layout: lay.Layout
    store: ox.Store  # pyoxigraph's store: in memory, or the on-disk store (--store) opened read only
    graph_files: dict[str, Path] = field(default_factory=dict)
    # Filled by the layers above, which own the parsing: query.catalogue.catalogue_of, check.shacl.shapes_of.
    parsed: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def once(self, key: str, parse: Callable[[], T]) -> T:
        """What ``parse()`` returns, parsed the first time ``key`` is asked for and kept with this load."""
        if key not in self.parsed:
            self.parsed[key] = parse()
        return cast("T", self.parsed[key])  # kept under ``key`` by this method alone: what parse() returned

    @property
    def data_graphs(self) -> list[str]:
        return [g for g in self.graph_files if g != self.layout.vocabulary.ontology_graph]

    @property
    def derived_graphs(self) -> list[str]:
        """The graphs the shortcut rules write: each data graph's own, then the joint one (see
        repository/shortcut_rules.py); some may be empty."""
        vocabulary = self.layout.vocabulary
        return [*(vocabulary.derived_graph_of(g) for g in self.data_graphs), vocabulary.derived_graph]

    @property
    def published_graphs(self) -> list[str]:
        """What `export` publishes: the data graphs and their derived shortcuts."""
        return [*self.data_graphs, *self.derived_graphs]

    def file_of(self, graph: str) -> Path | None:
        return self.graph_files.get(graph)

    def quads(self, graphs: list[str] | None = None) -> list[ox.Quad]:
        if graphs is None:
            return list(self.store)
        return [q for g in graphs for q in self.store.quads_for_pattern(None, None, None, ox.NamedNode(g))]

    def to_rdflib(self, graphs: list[str]) -> rdflib.Graph:
        """The given graphs merged into one rdflib Graph, blank-node labels kept."""
        from coalition_kg.rdf.terms import rdflib_graph  # noqa: PLC0415 (rdflib, 0.3 s: not for every load)

        return rdflib_graph(self.quads(graphs))


def parse_file(store: ox.Store, path: Path, graph: str, layout: lay.Layout) -> None:
    """Load one Turtle file into a named graph; a syntax error names file, line and column (the
    path as shown is worked out only then: resolving it for each of thousands of files costs).
    The bytes are read through the jail (a regular file inside the repository, checked on the open
    descriptor) and handed to the parser: the parser never opens a path itself."""
    try:
        target = ox.NamedNode(graph)
    except ValueError as error:  # the graph is named after the file: data/sources/my notes.ttl cannot be
        raise SyntaxProblem(SourceLocation(layout.relative(path)),
                            f"the file's name gives no valid graph IRI <{graph}> ({error}); rename the file") from None
    data = read_bytes(path, layout.root, layout.shown(path))
    # A UTF-8 byte-order mark (as Windows editors write) says nothing but "UTF-8": skip it. Columns
    # count characters of the text, which the mark is not.
    data = data.removeprefix(_UTF8_BOM)
    try:
        store.load(input=data, format=ox.RdfFormat.TURTLE, to_graph=target)
    except SyntaxError as error:
        raise turtle_problem(error, layout.relative(path), data) from None
    except MemoryError as error:  # pyoxigraph's parser holds one term at most 16 MiB long
        reason = "a literal or IRI longer than the parser's limit" if "buffer maximal size" in str(error) else \
            "out of memory"
        raise SyntaxProblem(SourceLocation(layout.relative(path)), f"cannot parse: {reason} ({error})") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SyntaxProblem(SourceLocation(layout.relative(path)), f"cannot read: {error}") from None


_UTF8_BOM = b"\xef\xbb\xbf"


def load(root: Path | str, derive: bool = True, progress: Progress = SILENT) -> Dataset:
    """Parse the ontology and every data file; then materialise the shortcut triples."""
    layout = lay.Layout.at(root)
    store = ox.Store()
    dataset = Dataset(layout, store)
    ontology_graph = layout.vocabulary.ontology_graph
    for path in layout.ontology_files():
        parse_file(store, path, ontology_graph, layout)
    dataset.graph_files[ontology_graph] = layout.ontology_dir
    files = layout.data_files()
    graphs = graph_names(layout, files)
    for path, graph in progress.iterate(zip(files, graphs, strict=True), "loading", total=len(files), unit="file"):
        parse_file(store, path, graph, layout)
        dataset.graph_files[graph] = path
    if derive:
        with progress.stage("deriving shortcuts"):
            derive_shortcuts(store, layout, dataset.data_graphs)
    return dataset


def graph_names(layout: lay.Layout, files: list[Path]) -> list[str]:
    """Each data file's graph name, checked before anything is parsed: no two files share one, and
    none takes a name the machinery reserves (a data/derived.ttl would be wiped by the rules)."""
    owners: dict[str, Path] = {layout.vocabulary.ontology_graph: layout.ontology_dir}
    for path in files:
        graph = layout.graph_for(path)
        if graph in owners:
            other = layout.relative(owners[graph])
            raise UsageProblem(f"{layout.relative(path)}: same graph name as {other} ({graph}); rename one file")
        owners[graph] = path
    for path in files:
        layout.check_graph_name(path, layout.graph_for(path))
    return [layout.graph_for(path) for path in files]


def graph_from_files(paths: list[Path], layout: lay.Layout) -> rdflib.Graph:
    """Turtle files (shapes, fixtures) into one rdflib Graph, with syntax errors located by
    pyoxigraph's parser."""
    store = ox.Store()
    scratch = "urn:coalition-kg:scratch"
    for path in paths:
        parse_file(store, path, scratch, layout)
    return Dataset(layout, store, {scratch: paths[0] if paths else layout.root}).to_rdflib([scratch])
