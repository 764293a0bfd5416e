"""The main job: validate, answer every stored query with its example parameters, export."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from coalition_kg.check.validate import validate
from coalition_kg.errors import CoalitionKGError, UsageProblem
from coalition_kg.guards.atomic_write import replaced_folder, write_atomically
from coalition_kg.guards.time_limit import run_with_time_limit
from coalition_kg.progress import SILENT, Progress
from coalition_kg.publish.dataset_description import write_description
from coalition_kg.publish.export import export_quads, jsonld_context_of, serialise
from coalition_kg.publish.jsonld_context import CONTEXT_FILE
from coalition_kg.query.catalogue import StoredQuery, catalogue_of
from coalition_kg.query.result_formats import render
from coalition_kg.query.store import EmbeddedStore, answer
from coalition_kg.rdf.formats import JSON_LD, RDF_FORMATS
from coalition_kg.reasoning.owl_rl import materialise_entailments
from coalition_kg.repository.dataset import Dataset

DEFAULT_QUERY_TIME_LIMIT = 60.0  # seconds for each stored query: the real ones answer in well under one
BUILD_FILES = {"validation.txt", "queries", "export"}  # what a build folder holds


def build(dataset: Dataset, out: Path, texts_dir: Path | None, echo: Callable[[str], None] = print,
          progress: Progress = SILENT, query_time_limit: float = DEFAULT_QUERY_TIME_LIMIT,
          entailments: bool = True) -> bool:
    """Write OUT/validation.txt, OUT/queries/<name>.{json,csv}, OUT/export/coalition-kg.<ext> (and
    context.jsonld, the JSON-LD's context), the dataset's description OUT/export/void.ttl with each
    source's graph (coalition-kg-source-<id>.<ext>).
    Returns whether the data conforms; the exports are written only if it does. OUT is replaced whole
    (written beside it, then swapped in): a failure leaves the old OUT as it was. Each stored query
    runs with ``query_time_limit`` seconds at most; with ``entailments``, the stored queries see the
    OWL-RL entailments (graph <base>graph/inferred), drawn once validate has checked the asserted graphs."""
    with replaced_folder(out, check_build_target) as staging:
        try:
            return _write(dataset, staging, out, texts_dir, echo, progress, query_time_limit, entailments)
        except CoalitionKGError as error:  # named as the user knows it: OUT, not the folder beside it
            raise UsageProblem(str(error).replace(str(staging), str(out))) from None


def check_build_target(out: Path) -> None:
    """OUT may be new, empty, or a folder a build wrote (nothing but its files): it is replaced whole."""
    if out.is_symlink():
        raise UsageProblem(f"{out}: is a symbolic link; give the folder itself")
    if out.exists() and not out.is_dir():
        raise UsageProblem(f"{out}: is not a folder; give a folder for the build")
    if out.is_dir():
        foreign = sorted(entry.name for entry in os.scandir(out) if entry.name not in BUILD_FILES)
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise UsageProblem(f"{out}: holds files a build did not write ({shown}); it is replaced whole, so "
                               "move them or give another folder")


def _write(dataset: Dataset, staging: Path, out: Path, texts_dir: Path | None, echo: Callable[[str], None],
           progress: Progress, query_time_limit: float, entailments: bool) -> bool:
    report = validate(dataset, texts_dir, progress=progress)
    write_atomically(staging / "validation.txt", report.text().encode())
    quotes = f"checked against {texts_dir}" if texts_dir else "not checked: no texts folder"
    echo(f"validate: {'conforms' if report.conforms else 'DOES NOT CONFORM'} "
         f"({len(report.problems)} finding(s); quotes {quotes})")
    if not report.conforms:
        echo(report.text())
        return False
    if entailments:
        with progress.stage("OWL-RL inference (in-store)"):
            materialise_entailments(dataset)
    store = EmbeddedStore(dataset)
    (staging / "queries").mkdir()
    catalogue = catalogue_of(dataset)  # as validate parsed it
    for query in catalogue.values():
        def answered(query: StoredQuery = query) -> dict[str, bytes]:
            results = answer(store, query, query.example_values())
            return {fmt: render(results, fmt).encode() for fmt in ("json", "csv")}

        what = f"query {query.name} (raise --query-time-limit if it must run longer)"
        for fmt, payload in run_with_time_limit(answered, query_time_limit, what).items():
            write_atomically(staging / "queries" / f"{query.name}.{fmt}", payload)
    echo(f"queries: {len(catalogue)} answered -> {out / 'queries'}")
    (staging / "export").mkdir()
    quads = export_quads(dataset)
    for fmt, rdf_format in RDF_FORMATS.items():
        with progress.stage(f"writing {fmt}"):
            payload = serialise(quads, fmt, dataset)
            write_atomically(staging / "export" / f"coalition-kg.{rdf_format.extension}", payload)
        if rdf_format is JSON_LD:  # the context it embeds, as a file of its own beside it
            write_atomically(staging / "export" / CONTEXT_FILE, jsonld_context_of(payload))
    inferred = serialise(export_quads(dataset, True, progress=progress), "trig", dataset)
    write_atomically(staging / "export" / "coalition-kg-inferred.trig", inferred)
    echo(f"export: {len(RDF_FORMATS) + 2} files -> {out / 'export'}")
    said = write_description(dataset, staging / "export", progress=progress)  # void.ttl, each source's graph
    echo(said.replace(str(staging / "export"), str(out / "export")))
    return True
