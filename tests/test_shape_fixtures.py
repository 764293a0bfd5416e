"""Each invalid fixture makes the shape it names fail on the node it names, under both SHACL engines;
every shape has one."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from coalition_kg.authoring.synth import EXPECT_LINE
from coalition_kg.check.shacl import run_shacl
from coalition_kg.publish.dataset_description import describe
from coalition_kg.query.catalogue import catalogue_graph, load_catalogue
from coalition_kg.rdf.terms import rdflib_graph
from coalition_kg.repository.dataset import graph_from_files, load
from coalition_kg.repository.vocabulary import DEFAULT as V

from .markers import SHACL_ENGINES

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "invalid").glob("*/*.ttl"))
EXPECT_NOT = re.compile(r"^#\s*expect-not:\s*<([^>]+)>\s+<([^>]+)>", re.MULTILINE)


def catalogue_graph_of(dataset) -> rdflib.Graph:
    return rdflib_graph(catalogue_graph(load_catalogue(dataset.layout)))


def results_with(fixture: Path | None, kind: str, engine: str, repo: Path, dataset) -> list[dict]:
    """The validator's results with the fixture added where a maintainer would put it."""
    return run_shacl(*validated_with(fixture, kind, repo, dataset), engine)


def validated_with(fixture: Path | None, kind: str, repo: Path, dataset) -> tuple:
    """(data graph, shapes) as validate builds them, with the fixture added where a maintainer would
    put it: a data fixture as a source document (so its shortcuts are derived), an ontology fixture in
    ontology/, a catalogue fixture into the catalogue's RDF."""
    shapes = graph_from_files(dataset.layout.shape_files(kind), dataset.layout)
    if kind == "metadata":  # the dataset's description, as `describe --endpoint` makes it, and the fixture
        graph = rdflib_graph(describe(dataset, endpoint="http://127.0.0.1:8000/sparql"))
        if fixture is not None:
            graph.parse(fixture, format="turtle")
        return graph, shapes
    if kind == "catalogue":
        graph = catalogue_graph_of(dataset)
        if fixture is not None:
            graph.parse(fixture, format="turtle")
        return graph, shapes
    if fixture is not None:
        folder = repo / ("data/sources" if kind == "data" else "ontology")
        shutil.copy(fixture, folder / f"zz-fixture-{fixture.stem}.ttl")
        dataset = load(repo)
    graphs = [V.ontology_graph] + (dataset.published_graphs if kind == "data" else [])
    store = ox.Store()
    store.extend(dataset.quads(graphs))
    return store, shapes


@pytest.mark.parametrize("engine", SHACL_ENGINES)
@pytest.mark.parametrize("kind", ["data", "ontology", "catalogue", "metadata"])
def test_the_real_repository_conforms(kind, engine, dataset, root):
    assert results_with(None, kind, engine, root, dataset) == []


@pytest.mark.parametrize("engine", SHACL_ENGINES)
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_fails_the_named_shape_on_the_named_node(fixture, engine, dataset, repo_copy):
    kind = fixture.parent.name
    expected = EXPECT_LINE.findall(fixture.read_text(encoding="utf-8"))
    assert expected, f"{fixture} has no '# expect: <shape> <focus>' line"
    found = {(str(r["shape"]), str(r["focus"])) for r in results_with(fixture, kind, engine, repo_copy, dataset)}
    for shape, focus in expected:
        assert (shape, focus) in found, f"expected {shape} to fail on {focus}; got {sorted(found)}"
    for shape, focus in EXPECT_NOT.findall(fixture.read_text(encoding="utf-8")):
        assert (shape, focus) not in found, f"{shape} must not fail on {focus}"


@pytest.fixture(scope="module")
def shapes(dataset):
    return {kind: graph_from_files(dataset.layout.shape_files(kind), dataset.layout)
            for kind in ("data", "ontology", "catalogue", "metadata")}


def test_every_shape_has_a_fixture(shapes):
    """Every shape with an IRI is named by a fixture; a node shape whose checks are all property
    shapes counts as covered when one of its own property shapes is."""
    named = {shape for fixture in FIXTURES for shape, _ in EXPECT_LINE.findall(fixture.read_text(encoding="utf-8"))}
    missing = []
    for graph in shapes.values():
        node_shapes = {s for s in graph.subjects(rdflib.RDF.type, SH.NodeShape) if isinstance(s, rdflib.URIRef)}
        property_shapes = {s for s in graph.subjects(rdflib.RDF.type, SH.PropertyShape) if isinstance(s, rdflib.URIRef)}
        assert node_shapes and property_shapes
        for shape in property_shapes:
            if str(shape) not in named:
                missing.append(str(shape))
        for shape in node_shapes:
            own = {str(p) for p in graph.objects(shape, SH.property)}
            if str(shape) not in named and not own & named:
                missing.append(str(shape))
    assert not missing, f"shapes with no invalid fixture: {sorted(missing)}"


def test_sparql_constraints_sit_on_node_shapes_with_no_message_of_their_own(shapes):
    """A SPARQL constraint's result takes the constraint's own sh:message (SHACL 5.3.2), pyshacl-turbo
    takes its shape's; Jena runs a property shape's SPARQL constraint once per value node, so reports
    one result as many. Either way the engines would disagree: each sits on a node shape alone."""
    wrong = [str(shape) for graph in shapes.values() for shape in set(graph.subjects(SH.sparql))
             if (shape, SH.message, None) in graph or (shape, SH.path, None) in graph]
    assert not wrong, f"shapes with a SPARQL constraint and a path or a message of their own: {wrong}"
