"""Show 7: the DCAT-AP 3.0.1 SHACL shapes (SEMIC's own, kept unchanged in tests/fixtures/dcat-ap with
their licence), run by pySHACL over what `describe` writes: no violation, mandatory or range; and of
the recommended properties, only those the data and the repository cannot give are missing, each
listed below with the reason. A recommended property that starts missing fails the test."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import rdflib
from pyshacl import validate
from rdflib import SH

from coalition_kg.publish.dataset_description import DescriptionIris, describe, render
from coalition_kg.repository.vocabulary import DEFAULT

DCAT_AP = Path(__file__).parent / "fixtures" / "dcat-ap"
SHAPE_FILES = ("shapes.ttl", "shapes_recommended.ttl", "range.ttl")
IRIS = DescriptionIris(DEFAULT)  # the description's IRIs, at the real repository's base
R5R, DCAT, DCT, FOAF = "http://data.europa.eu/r5r/", "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/", \
    "http://xmlns.com/foaf/0.1/"

# (property, kind of focus node) -> why the description leaves it out. Each is a recommendation
# (severity Warning) whose value is in neither the data nor the repository.
MISSING_BY_CHOICE = {
    (DCAT + "contactPoint", "dataset"): "the repository names no contact (no e-mail, no page for questions); "
                                        "a maintainer who has one adds it to describe.py",
    (DCAT + "contactPoint", "service"): "as for the dataset",
    (DCAT + "theme", "dataset"): "no theme vocabulary is chosen in the repository (DCAT-AP wants the EU data "
                                 "themes); choosing one is an editorial decision",
    (DCAT + "theme", "service"): "as for the dataset",
    (DCAT + "themeTaxonomy", "catalog"): "no themes, so no taxonomy of them",
    (DCAT + "keyword", "service"): "the service's keywords would repeat the dataset's",
    (DCAT + "endpointDescription", "service"): "the endpoint's own Service Description is serve's",
    (R5R + "availability", "distribution"): "the downloads are rebuilt by each build; the repository "
                                            "promises no availability",
    (DCT + "language", "catalog"): "not stated by the repository",
    (DCT + "modified", "catalog"): "the data says nothing of when it changed",
    (DCT + "issued", "catalog"): "only when the build's date is given (describe's default gives none)",
    (FOAF + "homepage", "catalog"): "the project has no home page of its own",
    (DCT + "type", "agent"): "the publisher's type (EU publisher types) is not stated by the repository",
    (DCT + "type", "licence"): "the licence's type (EU licence types) is not stated by the repository",
    (DCAT + "bbox", "place"): "the data gives places, not coordinates",
    (DCAT + "centroid", "place"): "the data gives places, not coordinates",
}


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in SHAPE_FILES:
        graph.parse(DCAT_AP / name, format="turtle")
    return graph


def kind(graph: rdflib.Graph, focus) -> str:
    types = {str(t) for t in graph.objects(focus, rdflib.RDF.type)}
    for cls, name in ((DCAT + "Catalog", "catalog"), (DCAT + "DataService", "service"), (DCAT + "Dataset", "dataset"),
                      (DCAT + "Distribution", "distribution"), (DCT + "LicenseDocument", "licence"),
                      (DCT + "Location", "place"), (FOAF + "Agent", "agent")):
        if cls in types:
            return name
    return "other"


def results(data: rdflib.Graph, shapes: rdflib.Graph) -> list[tuple[str, str, str, str]]:
    """(severity, path, kind of focus, focus) of every result of the DCAT-AP shapes."""
    _, report, _ = validate(data, shacl_graph=shapes, allow_warnings=False)
    found = []
    for result in report.subjects(SH.resultSeverity, None):
        focus = report.value(result, SH.focusNode)
        found.append((str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[1],
                      str(report.value(result, SH.resultPath)), kind(data, focus), str(focus)))
    return found


@pytest.mark.parametrize("endpoint, issued", [(None, None), ("http://127.0.0.1:7000/sparql", date(2026, 11, 30))])
def test_describe_conforms_to_dcat_ap_3_with_only_the_explained_recommendations_missing(dataset, shapes,
                                                                                          endpoint, issued):
    triples = describe(dataset, endpoint=endpoint, issued=issued)
    data = rdflib.Graph().parse(data=render(triples, "turtle", DEFAULT), format="turtle")
    found = results(data, shapes)
    violations = [r for r in found if r[0] != "Warning"]
    assert not violations, violations[:10]
    unexplained = sorted({(path, focus_kind) for _, path, focus_kind, _ in found} - set(MISSING_BY_CHOICE))
    assert not unexplained, unexplained
    assert (rdflib.URIRef(IRIS.catalog), rdflib.RDF.type, rdflib.URIRef(DCAT + "Catalog")) in data
    assert ((rdflib.URIRef(IRIS.sparql_service), None, None) in data) == (endpoint is not None)


def test_the_dcat_ap_shapes_find_what_we_fixed(dataset, shapes):
    """The shapes are live: take away the types the range shapes want, and the recommended
    coverage, and they report it (so the zero above is a verdict, not an empty check)."""
    triples = describe(dataset)
    data = rdflib.Graph().parse(data=render(triples, "turtle", DEFAULT), format="turtle")
    for cls in (DCT + "LicenseDocument", DCT + "MediaType", DCT + "MediaTypeOrExtent", FOAF + "Agent"):
        data.remove((None, rdflib.RDF.type, rdflib.URIRef(cls)))
    for prop in (DCAT + "keyword", DCT + "temporal", DCT + "spatial"):
        data.remove((rdflib.URIRef(IRIS.dataset), rdflib.URIRef(prop), None))
    found = results(data, shapes)
    violated = {path for severity, path, _, _ in found if severity == "Violation"}
    assert {DCT + "license", DCT + "format", DCAT + "mediaType", DCT + "publisher"} <= violated
    warned = {path for severity, path, focus_kind, _ in found if severity == "Warning" and focus_kind == "dataset"}
    assert {DCAT + "keyword", DCT + "temporal", DCT + "spatial"} <= warned


def test_coverage_comes_from_the_data(dataset):
    """Temporal coverage spans the data's first and last dates; the places are the data's; the
    keywords are the labels of our classes the dataset uses."""
    triples = describe(dataset)
    assert len(triples) == len(set(triples)), "a statement made twice"
    data = rdflib.Graph().parse(data=render(triples, "turtle", DEFAULT), format="turtle")
    whole = rdflib.URIRef(IRIS.dataset)
    dates = [o for s, p, o in dataset.to_rdflib(dataset.data_graphs)
             if str(p).rsplit("#", 1)[-1] in ("date", "asOf", "notAfter")]
    period = data.value(whole, rdflib.URIRef(DCT + "temporal"))
    start = data.value(period, rdflib.URIRef(DCAT + "startDate"))
    end = data.value(period, rdflib.URIRef(DCAT + "endDate"))
    assert start in dates and end in dates
    assert str(start) == min(str(d) for d in dates)
    places = {str(o) for o in data.objects(whole, rdflib.URIRef(DCT + "spatial"))}
    assert {DEFAULT.entity("marrakech"), DEFAULT.entity("niamey")} <= places
    keywords = {str(o) for o in data.objects(whole, rdflib.URIRef(DCAT + "keyword"))}
    assert {"state", "person", "ministerial meeting"} <= keywords
