"""The main job: validate, answer every stored query with its example parameters, export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .catalogue import load_catalogue
from .dataset import Dataset
from .describe import write_description
from .export import FORMATS, export_quads, jsonld_context_of, serialise, write_atomically
from .jsonld_context import CONTEXT_FILE
from .progress import SILENT, Progress
from .results import render
from .store import EmbeddedStore, answer
from .validate import validate


def build(dataset: Dataset, out: Path, texts_dir: Path | None, echo: Callable[[str], None] = print,
          progress: Progress = SILENT) -> bool:
    """Write OUT/validation.txt, OUT/queries/<name>.{json,csv}, OUT/export/coalition-kg.<ext> (and
    context.jsonld, the JSON-LD's context), the dataset's description OUT/export/void.ttl with each
    source's graph (coalition-kg-source-<id>.<ext>).
    Returns whether the data conforms; the exports are written only if it does."""
    out.mkdir(parents=True, exist_ok=True)
    report = validate(dataset, texts_dir, progress=progress)
    write_atomically(out / "validation.txt", report.text().encode())
    quotes = f"checked against {texts_dir}" if texts_dir else "not checked: no texts folder"
    echo(f"validate: {'conforms' if report.conforms else 'DOES NOT CONFORM'} "
         f"({len(report.problems)} finding(s); quotes {quotes})")
    if not report.conforms:
        echo(report.text())
        return False
    store = EmbeddedStore(dataset)
    (out / "queries").mkdir(exist_ok=True)
    catalogue = load_catalogue(dataset.layout)
    for query in catalogue.values():
        results = answer(store, query, query.example_values())
        for fmt in ("json", "csv"):
            write_atomically(out / "queries" / f"{query.name}.{fmt}", render(results, fmt).encode())
    echo(f"queries: {len(catalogue)} answered -> {out / 'queries'}")
    (out / "export").mkdir(exist_ok=True)
    quads = export_quads(dataset)
    for fmt, (_, extension) in FORMATS.items():
        with progress.stage(f"writing {fmt}"):
            payload = serialise(quads, fmt, dataset)
            write_atomically(out / "export" / f"coalition-kg.{extension}", payload)
        if fmt == "jsonld":  # the context it embeds, as a file of its own beside it
            write_atomically(out / "export" / CONTEXT_FILE, jsonld_context_of(payload))
    inferred = serialise(export_quads(dataset, True, progress=progress), "trig")
    write_atomically(out / "export" / "coalition-kg-inferred.trig", inferred)
    echo(f"export: {len(FORMATS) + 2} files -> {out / 'export'}")
    echo(write_description(dataset, out / "export", progress=progress))  # void.ttl, and each source's graph
    return True
