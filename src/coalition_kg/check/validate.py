"""Every check over a repository -> one Report, sorted by file and line.

SHACL does the checking (shapes/data*, shapes/ontology*, shapes/catalogue*); the quote, sentence
coverage and names checks, the check that every statement has its own evidence and the OWL-RL
consistency check add their problems to the same report."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from coalition_kg.check.coverage import check_coverage
from coalition_kg.check.names import check_names
from coalition_kg.check.own_evidence import check_own_evidence
from coalition_kg.check.quotes import check_quotes
from coalition_kg.check.report import DataLocator, Problem, Report, SourceCoverage, term_text
from coalition_kg.check.shacl import DEFAULT_ENGINE, run_shacl, shapes_of
from coalition_kg.progress import SILENT, Progress
from coalition_kg.query.catalogue import StoredQuery, catalogue_graph, catalogue_of, syntax_error
from coalition_kg.rdf.namespaces import DCTERMS, SCHEMA
from coalition_kg.rdf.terms import rdflib_graph, to_rdflib
from coalition_kg.reasoning.consistency import clashes
from coalition_kg.reasoning.owl_rl import DEFAULT_REASONER, axiom_files, closure
from coalition_kg.repository.dataset import Dataset

T = TypeVar("T")


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
    for result in run_shacl(store, shapes_of(dataset, kind), engine):
        file, line, node_line = locator.locate(result["focus"], result["path"])
        problems.append(Problem(file, line, result["severity"], result["message"], str(result["shape"] or ""),
                                term_text(result["focus"]), result["path_text"], term_text(result["value"]), kind,
                                node_line, dataset.layout.vocabulary.shapes))
    return problems


def check_data(dataset: Dataset, engine: str = DEFAULT_ENGINE) -> list[Problem]:
    # The ontology is merged in so that sh:targetClass sees rdfs:subClassOf, and the derived
    # shortcuts so that a constraint can compare with one founding date rather than every Founding.
    graphs = [dataset.layout.vocabulary.ontology_graph, *dataset.published_graphs]
    return _check_graphs(dataset, "data", graphs, engine)


def check_ontology(dataset: Dataset, engine: str = DEFAULT_ENGINE) -> list[Problem]:
    return _check_graphs(dataset, "ontology", [dataset.layout.vocabulary.ontology_graph], engine)


def check_catalogue(dataset: Dataset, engine: str = DEFAULT_ENGINE) -> list[Problem]:
    layout = dataset.layout
    shape_files = layout.shape_files("catalogue")
    queries = catalogue_of(dataset)
    if not shape_files or not queries:
        return []
    graph = rdflib_graph(catalogue_graph(queries))
    by_iri = {q.iri: q for q in queries.values()}
    problems = []
    graphs = layout.graphs()  # listed once: each call walks data/ (thousands of files at scale)
    for query in queries.values():
        problem = syntax_error(query, query.shown_as, graphs)
        if problem:
            where, _, message = problem.partition(": ")
            parts = where.split(":")
            line = int(parts[1]) if len(parts) > 1 else 1
            problems.append(Problem(parts[0], line, "error", message, check="catalogue"))
    for result in run_shacl(graph, shapes_of(dataset, "catalogue"), engine):
        focus = result["focus"]
        owner = focus if str(focus) in by_iri else next(
            (s for s in graph.subjects(None, focus) if str(s) in by_iri), None)
        stored = by_iri.get(str(owner)) if owner is not None else None
        file = layout.relative(stored.path) if stored else "(catalogue)"
        line = _header_line(stored, result["path"]) if stored else 0
        problems.append(Problem(file, line, result["severity"], result["message"], str(result["shape"] or ""),
                                term_text(focus) if stored is None or focus != owner else f"query {stored.name}",
                                result["path_text"], term_text(result["value"]), "catalogue",
                                shapes=layout.vocabulary.shapes))
    return problems


_HEADER_KEYS = {DCTERMS + "title": "summary", DCTERMS + "description": "description",
                SCHEMA + "keywords": "tags", str(SH.parameter): "params"}


def _header_line(query: StoredQuery, path: rdflib.term.Node | None) -> int:
    key = _HEADER_KEYS.get(str(path))
    if key:
        # lines as a file has them (LF): str.splitlines() also breaks at U+2028, U+0085, form feeds…
        for number, line in enumerate(query.text.split("\n"), start=1):
            if re.match(rf"#\+\s*{key}\s*:", line):
                return number
    return 1


def _in_background(function: Callable[..., T], *args: object) -> Future[T]:
    """Run ``function`` in a daemon thread: an interrupted `validate` (Ctrl-C, an error in another
    check) then ends at once instead of waiting for the thread, as a pool's exit would."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(function(*args))
        except BaseException as error:  # noqa: BLE001 (handed to whoever asks for the result)
            future.set_exception(error)

    threading.Thread(target=run, name=function.__name__, daemon=True).start()
    return future


def check_consistency(dataset: Dataset, reasoner: str = DEFAULT_REASONER, progress: Progress = SILENT) -> list[Problem]:
    """OWL 2 RL's inconsistency rules over the data, the standard vocabularies' own axioms
    (ontology/standards, never published) and the entailments of both; each clash is located."""
    with progress.stage(f"OWL-RL inference ({reasoner}) and consistency"), \
            axiom_files(dataset, dataset.layout.standard_files()) as standards, \
            closure(dataset, reasoner, standards) as store:
        found = clashes(store)
    locator = DataLocator(dataset)
    problems = []
    for clash in found:
        node = to_rdflib(clash.node)
        file, line, _ = locator.locate(node)
        problems.append(Problem(file, line, "error", clash.message, focus=node.n3(), check="consistency"))
    return problems


def validate(dataset: Dataset, texts_dir: Path | None = None, reasoning: bool = True,
             engine: str = DEFAULT_ENGINE, reasoner: str | None = None, progress: Progress = SILENT) -> Report:
    """Run every check. ``texts_dir`` holds the source texts for the quote, sentence coverage and names
    checks (skipped if None);
    ``engine`` is the SHACL engine, ``reasoner`` the OWL-RL reasoner (its default if None)."""
    problems = []
    checks = ["data", "ontology", "catalogue", "evidence"] + \
        (["quotes", "coverage", "names"] if texts_dir is not None else []) + (["consistency"] if reasoning else [])
    coverage: list[SourceCoverage] = []
    # The data shapes run beside the other checks: pyshacl-turbo lets go of the GIL while it
    # validates, so on two cores the quote check comes almost free. The OWL-RL inference writes
    # into the store the data shapes read, so it waits for them.
    # Not pySHACL: rdflib's SPARQL parser (pyparsing) breaks when two threads parse at once.
    data = _in_background(check_data, dataset, engine) if engine == "turbo" else None
    for name, check in (("ontology", check_ontology), ("catalogue", check_catalogue)):
        with progress.stage(f"{name} shapes ({engine})"):
            problems += check(dataset, engine)
    with progress.stage("own evidence"):
        problems += check_own_evidence(dataset)
    if texts_dir is not None:
        with progress.stage("quotes"):
            problems += check_quotes(dataset, texts_dir)
        with progress.stage("sentence coverage and names"):
            found, coverage = check_coverage(dataset, texts_dir)
            problems += found + check_names(dataset, texts_dir)
    with progress.stage(f"data shapes ({engine})"):
        problems += data.result() if data else check_data(dataset, engine)
    if reasoning:  # after the data shapes: it adds a scratch graph to the store they read
        problems += check_consistency(dataset, reasoner or DEFAULT_REASONER, progress)
    return Report(sorted(problems), checks, coverage)
