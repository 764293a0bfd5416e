"""Each invalid fixture makes the shape it names fail on the node it names; every shape has one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from coalition_kg import layout as lay
from coalition_kg.catalogue import catalogue_graph, load_catalogue
from coalition_kg.dataset import graph_from_files
from coalition_kg.validate import run_shacl

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "invalid").glob("*/*.ttl"))
EXPECT = re.compile(r"^#\s*expect:\s*<([^>]+)>\s+<([^>]+)>", re.M)
EXPECT_NOT = re.compile(r"^#\s*expect-not:\s*<([^>]+)>\s+<([^>]+)>", re.M)


def base_graph(kind: str, dataset) -> rdflib.Graph:
    if kind == "data":
        return dataset.to_rdflib([lay.ONTOLOGY_GRAPH, *dataset.data_graphs])
    if kind == "ontology":
        return dataset.to_rdflib([lay.ONTOLOGY_GRAPH])
    import pyoxigraph as ox

    payload = ox.serialize(catalogue_graph(load_catalogue(dataset.layout)), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=payload, format="nt")


@pytest.fixture(scope="module")
def shapes(dataset):
    return {kind: graph_from_files(dataset.layout.shape_files(kind), dataset.layout)
            for kind in ("data", "ontology", "catalogue")}


@pytest.mark.parametrize("kind", ["data", "ontology", "catalogue"])
def test_the_real_repository_conforms(kind, dataset, shapes):
    assert run_shacl(base_graph(kind, dataset), shapes[kind]) == []


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_fails_the_named_shape_on_the_named_node(fixture, dataset, shapes):
    kind = fixture.parent.name
    expected = EXPECT.findall(fixture.read_text(encoding="utf-8"))
    assert expected, f"{fixture} has no '# expect: <shape> <focus>' line"
    graph = base_graph(kind, dataset)
    graph.parse(fixture, format="turtle")
    found = {(str(r["shape"]), str(r["focus"])) for r in run_shacl(graph, shapes[kind])}
    for shape, focus in expected:
        assert (shape, focus) in found, f"expected {shape} to fail on {focus}; got {sorted(found)}"
    for shape, focus in EXPECT_NOT.findall(fixture.read_text(encoding="utf-8")):
        assert (shape, focus) not in found, f"{shape} must not fail on {focus}"


def test_every_shape_has_a_fixture(shapes):
    """Every shape with an IRI is named by a fixture; a node shape whose checks are all property
    shapes counts as covered when one of its own property shapes is."""
    named = {shape for fixture in FIXTURES for shape, _ in EXPECT.findall(fixture.read_text(encoding="utf-8"))}
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
