"""A repository with another base IRI: the real repository copied with its base rewritten in every
file (ontology, rules, data, shapes, queries, the prefixes file) validates, answers its stored
queries, exports and builds a site with that base everywhere, and the default base nowhere."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from coalition_kg.repository.dataset import load
from coalition_kg.repository.default_base import DEFAULT_BASE
from coalition_kg.repository.layout import Layout
from coalition_kg.serve.app import make_app
from coalition_kg.serve.service import Service
from coalition_kg.site.generate import render_site

from .conftest import ROOT

OTHER_BASE = "https://example.org/other-kg/"
# (stored query, parameters at the default base): a bare slug parameter names an entity of the repository's base
QUERIES = (("groups-and-co-chairs", ()), ("source-documents", ()), ("meetings-in-date-order", ()),
           ("meeting-roles", ("meeting=2023-03-01-afg-plenary-niamey",)),
           ("roles-of-agent", (f"agent={DEFAULT_BASE}id/morocco",)))


def rebased(text: bytes) -> bytes:
    return text.replace(DEFAULT_BASE.encode(), OTHER_BASE.encode())


@pytest.fixture(scope="module")
def other(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("other-base") / "repo"
    for name in ("ontology", "data", "shapes", "queries"):
        for path in sorted((ROOT / name).rglob("*")):
            if path.is_file():
                target = copy / path.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(rebased(path.read_bytes()))
    assert not any(DEFAULT_BASE.encode() in p.read_bytes() for p in copy.rglob("*") if p.is_file())
    return copy


def assert_other_base_only(text: str, where: str) -> None:
    assert DEFAULT_BASE not in text and "w3id.org/coalition-kg" not in text, where


def every_file(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def canonical(data: bytes, fmt: ox.RdfFormat) -> list[str]:
    dataset = ox.Dataset(ox.parse(data, format=fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(str(quad) for quad in dataset)


def test_the_repository_has_the_other_base(other):
    vocabulary = Layout.at(other).vocabulary
    assert vocabulary.base == OTHER_BASE
    assert vocabulary.ontology == OTHER_BASE + "ontology#"
    assert vocabulary.ontology_graph == OTHER_BASE + "graph/ontology"


def test_it_validates(other, cli, seeds):
    result = cli("--root", str(other), "validate", "--texts", str(seeds))
    expected = cli("--root", str(ROOT), "validate", "--texts", str(seeds))
    assert (result.code, result.out, result.err) == (expected.code, expected.out, expected.err) == (0, result.out, "")
    assert_other_base_only(result.out, "validate")


def test_a_report_names_the_other_base(other, cli, seeds, tmp_path):
    """A failure names the node by the other base's IRI and the shape by its name in the other cs:."""
    broken = tmp_path / "broken"
    for name, payload in every_file(other).items():
        (broken / name).parent.mkdir(parents=True, exist_ok=True)
        (broken / name).write_bytes(payload)
    source = broken / "data" / "sources" / "003_73e3b687882f6e77.ttl"
    source.write_text(source.read_text(encoding="utf-8").replace('"2023-03-01"^^xsd:date', '"yesterday"', 1),
                      encoding="utf-8")
    result = cli("--root", str(broken), "validate", "--texts", str(seeds), "--format", "json")
    assert result.code == 1
    problems = json.loads(result.out)["problems"]
    assert problems and all(not p["shape"].startswith("http") for p in problems)
    assert any(OTHER_BASE + "id/" in p["focus"] for p in problems)
    assert_other_base_only(result.out, "validate --format json")


@pytest.mark.parametrize(("name", "params"), QUERIES, ids=[name for name, _ in QUERIES])
def test_its_stored_queries_answer_as_the_real_ones_do_with_the_other_base(other, cli, name, params):
    given = [arg for param in params for arg in ("--param", param)]
    given_there = [rebased(arg.encode()).decode() for arg in given]
    for fmt in ("json", "table"):
        result = cli("--root", str(other), "query", name, *given_there, "--format", fmt)
        expected = cli("--root", str(ROOT), "query", name, *given, "--format", fmt)
        assert result.code == expected.code == 0, result.err
        assert expected.out.count("\n") > 3  # rows, not an empty answer
        assert result.out == rebased(expected.out.encode()).decode()
        assert_other_base_only(result.out, f"query {name} --format {fmt}")
        if fmt == "json":
            assert OTHER_BASE in result.out


@pytest.mark.parametrize(("fmt", "rdf_format"), [("turtle", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD),
                                                  ("trig", ox.RdfFormat.TRIG)])
def test_it_exports_with_the_other_base(other, cli, tmp_path, fmt, rdf_format):
    result = cli("--root", str(other), "export", "--format", fmt, "-o", str(tmp_path / "other"))
    expected = cli("--root", str(ROOT), "export", "--format", fmt, "-o", str(tmp_path / "real"))
    assert result.code == expected.code == 0, result.err
    data = (tmp_path / "other").read_bytes()
    assert_other_base_only(data.decode(), f"export --format {fmt}")
    assert OTHER_BASE.encode() in data
    assert canonical(data, rdf_format) == canonical(rebased((tmp_path / "real").read_bytes()), rdf_format)


def test_its_site_has_the_other_base_everywhere(other, cli, tmp_path, seeds):
    """Every file of the site (pages, their Turtle and JSON-LD, .htaccess, the description and downloads)
    names the other base, and is the real site's file with the base rewritten."""
    # the same texts for both: the documents' pages show their sentence coverage
    assert cli("--root", str(other), "site", str(tmp_path / "other"), "--texts", str(seeds)).code == 0
    assert cli("--root", str(ROOT), "site", str(tmp_path / "real"), "--texts", str(seeds)).code == 0
    site, real = every_file(tmp_path / "other"), every_file(tmp_path / "real")
    assert set(site) == set(real)
    for name, payload in site.items():
        assert_other_base_only(payload.decode("utf-8", "replace"), name)
        suffix = Path(name).suffix
        formats = {".ttl": ox.RdfFormat.TURTLE, ".jsonld": ox.RdfFormat.JSON_LD, ".nt": ox.RdfFormat.N_TRIPLES,
                   ".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG, ".rdf": ox.RdfFormat.RDF_XML}
        if suffix in formats:  # blank-node labels differ from run to run
            assert canonical(payload, formats[suffix]) == canonical(rebased(real[name]), formats[suffix]), name
        elif name != ".coalition-kg-site":
            assert payload == rebased(real[name]), name
    assert OTHER_BASE.encode() in site[".htaccess"] and OTHER_BASE.encode() in site["export/void.ttl"]


def test_its_build_has_the_other_base_everywhere(other, cli, tmp_path, seeds):
    result = cli("--root", str(other), "build", "--out", str(tmp_path / "out"), "--texts", str(seeds))
    assert result.code == 0, result.err
    files = every_file(tmp_path / "out")
    assert "export/void.ttl" in files and any(name.startswith("queries/") for name in files)
    for name, payload in files.items():
        assert_other_base_only(payload.decode("utf-8", "replace"), name)


def test_serve_answers_with_the_other_base(other):
    """serve (its app, in process): the service description names the other base's dataset and graphs,
    and an IRI's page is negotiated from the other base's site."""
    class NoWorkers:  # neither answer needs a worker: serve answers them itself
        def run(self, job):
            raise AssertionError(f"a worker was asked: {job}")

    def get(path: str, accept: str) -> httpx.Response:
        async def go():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
                return await client.get(path, headers={"Accept": accept})
        return asyncio.run(go())

    dataset = load(other)
    layout = dataset.layout
    app = make_app(Service({}, NoWorkers(), render_site(dataset), layout.graphs(), vocabulary=layout.vocabulary),
                   log=None)
    description = get("/sparql", "text/turtle")
    assert description.status_code == 200
    assert f"<{OTHER_BASE}dataset>" in description.text and f"<{OTHER_BASE}graph/ontology>" in description.text
    assert_other_base_only(description.text, "/sparql")
    page = get("/id/morocco", "text/turtle")
    assert page.status_code == 200 and page.headers["content-location"] == "/id/morocco.ttl"
    assert OTHER_BASE in page.text
    assert_other_base_only(page.text, "/id/morocco")
