"""`coalition-kg site DIR`: the graph as a static linked-data site. One HTML page per entity at the
path of its IRI (``id/morocco.html``) with its Turtle and JSON-LD beside it, a page per source
document and per named graph, an index per class, a timeline of the meetings, the downloads and the
dataset's description (export/, where the description says they are), the ontology's
documentation, a style sheet, and an ``.htaccess`` (with a type map per IRI) that serves an IRI's HTML,
Turtle or JSON-LD by content negotiation; with --base-url, ``w3id.htaccess`` for the w3id.org side.
Plain HTML and CSS: no script, nothing loaded from another host.

The site is written into a folder beside DIR and then put in DIR's place, so DIR holds the old site
or the new one, never half of one. DIR must be new, empty, or a site this command wrote (its
manifest, ``.coalition-kg-site``, lists the files); a folder with other files in it is refused."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from coalition_kg import __version__
from coalition_kg.errors import UsageProblem
from coalition_kg.guards.atomic_write import replaced_folder
from coalition_kg.progress import SILENT, Progress
from coalition_kg.publish.dataset_description import EXPORT_FOLDER, published_files
from coalition_kg.publish.export import serialise
from coalition_kg.repository.dataset import Dataset
from coalition_kg.repository.vocabulary import Vocabulary
from coalition_kg.site.coverage import coverage_by_document
from coalition_kg.site.differences import differences_by_subject
from coalition_kg.site.facts import Site, Writer
from coalition_kg.site.graph import TYPE, SiteGraph
from coalition_kg.site.html import CSS, FAVICON, FAVICON_SVG, STYLESHEET
from coalition_kg.site.ontology import ontology_page
from coalition_kg.site.pages import (
    INDEXES,
    OTHER,
    classify,
    entity_page,
    graph_page,
    home_page,
    index_page,
    timeline_page,
)
from coalition_kg.site.paths import (
    ENTITY_FOLDERS,
    ONTOLOGY_FILES,
    ONTOLOGY_PAGE,
    PAGE_FORMATS,
    check_base_url,
    htaccess,
    page_stem,
    type_map,
    w3id_htaccess,
)

MANIFEST = ".coalition-kg-site"
# With --base-url: the redirects for the w3id.org repository, beside the site rather than in it.
W3ID_HTACCESS = "w3id.htaccess"


@dataclass
class SiteSummary:
    pages: int = 0
    files: int = 0
    entities: int = 0
    left_out: list[str] = field(default_factory=list)  # typed IRIs whose slug cannot be a file path


def build_site(dataset: Dataset, out: Path, redirect_base: str | None = None,
               progress: Progress = SILENT, texts_dir: Path | None = None) -> SiteSummary:
    """Write the site for ``dataset`` to ``out``. ``redirect_base`` is where the site is published,
    if not at the IRIs' own base: w3id.htaccess then redirects the IRIs there (303), for w3id.org.
    ``texts_dir``, the source texts, gives each document's page its sentence coverage."""
    out = Path(out)
    if redirect_base is not None:
        check_base_url(redirect_base)
    check_target(out)
    files = render_site(dataset, redirect_base, progress, texts_dir)
    with progress.stage(f"writing {len(files)} files"):
        publish(out, files)
    folders = tuple(folder + "/" for folder in ENTITY_FOLDERS)
    graph_entities = [p for p in files if p.endswith(".html") and p.startswith(folders)]
    summary = SiteSummary(pages=sum(p.endswith(".html") for p in files), files=len(files) + 1,
                          entities=len(graph_entities))
    summary.left_out = left_out(dataset)
    return summary


def render_site(dataset: Dataset, redirect_base: str | None = None, progress: Progress = SILENT,
                texts_dir: Path | None = None) -> dict[str, bytes]:
    """Every file of the site, by its path in the site folder."""
    graph = SiteGraph.of(dataset)
    site = Site.of(graph)
    site.differences = differences_by_subject(dataset)
    site.coverage = coverage_by_document(dataset, texts_dir)
    vocabulary = graph.vocabulary
    files: dict[str, bytes] = {STYLESHEET: CSS.encode(), FAVICON: FAVICON_SVG.encode(),
                               ".htaccess": htaccess(vocabulary.base).encode()}
    if redirect_base is not None:
        files[W3ID_HTACCESS] = w3id_htaccess(redirect_base, vocabulary.base).encode()

    def put(path: str, html: str) -> None:
        files[path] = html.encode()

    entities = graph.entities()
    for entity in progress.iterate(entities, "entity pages", total=len(entities), unit="page"):
        put(*entity_page(site, entity))
        stem = graph.known_stem(entity.value)
        description = graph.description(entity)
        files.update(_page_files(stem, description, vocabulary))
        put(*type_map(stem))
    for graph_iri in graph.graphs():
        put(*graph_page(site, graph_iri))
        stem = graph.known_stem(graph_iri)
        quads = [q for q in graph.quads if getattr(q.graph_name, "value", None) == graph_iri]
        files.update(_page_files(stem, quads, vocabulary))
        put(*type_map(stem))
    classes = classify(site)
    for index in (*INDEXES, OTHER):
        if classes[index.name] or index is not OTHER:
            put(*index_page(site, index, classes[index.name]))
    put(*timeline_page(site, classes["meetings"]))
    put(*home_page(site, {name: len(members) for name, members in classes.items()}))
    put(ONTOLOGY_PAGE, ontology_page(Writer(site, ONTOLOGY_PAGE)))
    files.update(_page_files(ONTOLOGY_FILES, graph.ontology, vocabulary))
    put(*type_map(ONTOLOGY_FILES))
    for name, payload in published_files(dataset, progress).items():  # the downloads void.ttl names
        files[EXPORT_FOLDER + name] = payload
    return files


def _page_files(stem: str, quads: list[ox.Quad], vocabulary: Vocabulary) -> dict[str, bytes]:
    """A page's RDF files (paths.page_files), by site path, with the repository's prefixes."""
    return {stem + rdf_format.suffix: serialise(quads, rdf_format.name, vocabulary=vocabulary)
            for rdf_format in PAGE_FORMATS}


def left_out(dataset: Dataset) -> list[str]:
    """Typed IRIs under id/ or source/ that get no page: their slug cannot be a file path."""
    typed = {q.subject.value for q in dataset.quads(dataset.data_graphs)
             if q.predicate.value == TYPE and isinstance(q.subject, ox.NamedNode)}
    vocabulary = dataset.layout.vocabulary
    return sorted(iri for iri in typed if iri.startswith((vocabulary.entities, vocabulary.sources))
                  and page_stem(iri, vocabulary.base) is None)


def check_target(out: Path) -> None:
    """DIR may be new, empty, or a site this command wrote with nothing else added; never anything else."""
    if out.is_symlink():
        raise UsageProblem(f"{out}: is a symbolic link; give the folder itself")
    if out.exists() and not out.is_dir():
        raise UsageProblem(f"{out}: is a file; give a folder for the site")
    if not out.is_dir() or not any(out.iterdir()):
        return
    manifest = out / MANIFEST
    if not manifest.is_file():
        raise UsageProblem(f"{out}: not empty, and not a site written by `coalition-kg site`; give a new or "
                           "empty folder")
    try:
        listed = set(json.loads(manifest.read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageProblem(f"{manifest}: unreadable site manifest ({error}); give a new or empty folder") from None
    found = {p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir()} - {MANIFEST}
    foreign = sorted(found - listed)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise UsageProblem(f"{out}: holds files the site did not write ({shown}); move them or give another folder")


def publish(out: Path, files: dict[str, bytes]) -> None:
    """Write the files into a folder beside ``out``, then put it in ``out``'s place."""
    with replaced_folder(out, check_target) as staging:
        for path, payload in files.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(payload)
        manifest = {"generator": f"coalition-kg {__version__} site", "files": sorted(files)}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
