"""The dataset's description (VoID and DCAT): it passes its own shapes, its numbers are the data's
(counted again here, another way), it has one subset per source document and a download per export
format, and `build` and `describe` write it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from coalition_kg.authoring.synth import EXPECT_LINE
from coalition_kg.check.shacl import run_shacl
from coalition_kg.publish import dataset_description as describe_module
from coalition_kg.publish.dataset_description import IANA, DescriptionIris, check, describe, render
from coalition_kg.rdf.formats import RDF_FORMATS as FORMATS
from coalition_kg.rdf.terms import rdflib_graph
from coalition_kg.repository.dataset import graph_from_files, load
from coalition_kg.repository.vocabulary import DEFAULT as V

from .markers import SHACL_ENGINES

# plain Namespaces: rdflib's closed ones warn when pytest looks through the module's names
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
RDF = rdflib.Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
XSD = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")
ENDPOINT = "http://127.0.0.1:8000/sparql"
IRIS = DescriptionIris(V)
DEFAULT_BASE = IRIS.export  # where the description says the downloads are
WHOLE = rdflib.URIRef(IRIS.dataset)
METADATA_FIXTURES = sorted((Path(__file__).parent / "fixtures" / "invalid" / "metadata").glob("*.ttl"))


def parsed(triples, fmt: str = "turtle") -> rdflib.Graph:
    """The description as a reader gets it: serialised, then parsed back by rdflib."""
    rdflib_format = {"turtle": "turtle", "jsonld": "json-ld", "nt": "nt", "xml": "xml"}[fmt]
    return rdflib.Graph().parse(data=render(triples, fmt, V), format=rdflib_format)


@pytest.fixture(scope="module")
def description(dataset) -> rdflib.Graph:
    return parsed(describe(dataset))


def number(graph: rdflib.Graph, node, predicate) -> int:
    values = list(graph.objects(node, predicate))
    assert len(values) == 1, (node, predicate, values)
    assert values[0].datatype == XSD.integer
    return int(values[0])


def sparql_number(graph: rdflib.Graph, query: str) -> int:
    return int(next(iter(graph.query(query)))[0])


def independent_counts(graph: rdflib.Graph) -> dict:
    """Counted by rdflib's SPARQL over an rdflib copy of the graphs (the description uses Oxigraph's)."""
    entities = f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{V.base}id/"))'
    return {
        "triples": sparql_number(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        "entities": sparql_number(graph, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o {entities} }}"),
        "subjects": sparql_number(graph, "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"),
        "classes": {str(row[0]) for row in graph.query("SELECT DISTINCT ?c WHERE { ?s a ?c }")},
        "properties": {str(row[0]) for row in graph.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")},
        "class entities": {str(c): int(n) for c, n in graph.query(
            f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c {entities} }} GROUP BY ?c")},
        "property triples": {str(p): int(n) for p, n in graph.query(
            "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")},
    }


def described_counts(description: rdflib.Graph, node) -> dict:
    classes = {str(description.value(part, VOID["class"])): int(description.value(part, VOID.entities))
               for part in description.objects(node, VOID.classPartition)}
    properties = {str(description.value(part, VOID.property)): int(description.value(part, VOID.triples))
                  for part in description.objects(node, VOID.propertyPartition)}
    assert number(description, node, VOID.classes) == len(classes)
    assert number(description, node, VOID.properties) == len(properties)
    return {
        "triples": number(description, node, VOID.triples),
        "entities": number(description, node, VOID.entities),
        "subjects": number(description, node, VOID.distinctSubjects),
        "classes": set(classes),
        "properties": set(properties),
        "class entities": {c: n for c, n in classes.items() if n},
        "property triples": properties,
    }


@pytest.mark.parametrize("engine", SHACL_ENGINES)
@pytest.mark.parametrize("endpoint", [None, ENDPOINT])
def test_the_description_conforms_to_its_shapes(dataset, engine, endpoint):
    triples = describe(dataset, endpoint=endpoint, issued=date(2026, 1, 2))
    assert check(triples, dataset.layout, engine) == []


def test_the_numbers_are_the_datas(dataset, description):
    whole = dataset.to_rdflib(dataset.published_graphs)  # what `export` publishes
    assert described_counts(description, WHOLE) == independent_counts(whole)
    sources = dataset.layout.source_files()
    assert sources
    for path in sources:
        graph = V.graph(path.stem)
        found = described_counts(description, rdflib.URIRef(graph))
        expected = independent_counts(dataset.to_rdflib([graph]))
        assert found == expected, path.name
        assert found["triples"] == len(dataset.quads([graph])) > 0


def test_the_numbers_follow_the_data(repo_copy):
    """Nothing is hard-coded: a new entity in one source document moves that document's counts and
    the whole's, and no other document's."""
    before = parsed(describe(load(repo_copy)))
    path = repo_copy / "data" / "sources" / "003_73e3b687882f6e77.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\nid:fixture-new-city a ckg:City ;\n"
                    '    rdfs:label "Fixture city"@en .\n', encoding="utf-8")
    after = parsed(describe(load(repo_copy)))
    changed, other = (rdflib.URIRef(V.base + "graph/" + name) for name in ("003_73e3b687882f6e77",
                                                                              "000_28830c00cecbbf69"))
    for node, delta in ((WHOLE, 1), (changed, 1), (other, 0)):
        old, new = described_counts(before, node), described_counts(after, node)
        assert new["triples"] == old["triples"] + 2 * delta
        assert new["entities"] == old["entities"] + delta
        city = V.ontology + "City"
        assert new["class entities"].get(city, 0) == old["class entities"].get(city, 0) + delta


def test_one_subset_per_source_document(dataset, description):
    sources = {p.stem for p in dataset.layout.source_files()}
    subsets = set(description.objects(WHOLE, VOID.subset))
    assert subsets == {rdflib.URIRef(V.base + "graph/" + s) for s in sources}
    assert set(description.objects(WHOLE, DCTERMS.hasPart)) == subsets
    for subset in subsets:
        doc_id = str(subset).rsplit("/", 1)[1]
        assert list(description.objects(subset, PROV.wasDerivedFrom)) == [rdflib.URIRef(V.source(doc_id))]
        assert (subset, RDF.type, VOID.Dataset) in description and (subset, RDF.type, DCAT.Dataset) in description
        assert description.value(subset, DCTERMS.isPartOf) == WHOLE
    datasets = set(description.subjects(RDF.type, VOID.Dataset))
    assert datasets == subsets | {WHOLE}


def test_every_dataset_has_its_licence_publisher_and_vocabularies(description):
    for node in description.subjects(RDF.type, VOID.Dataset):
        assert list(description.objects(node, DCTERMS.license)) == [rdflib.URIRef(describe_module.LICENSE)]
        assert list(description.objects(node, DCTERMS.publisher)) == [rdflib.URIRef(IRIS.publisher)]
        vocabularies = {str(v) for v in description.objects(node, VOID.vocabulary)}
        used = {str(p) for p in description.objects(None, VOID.property)} | \
            {str(c) for c in description.objects(None, VOID["class"])}
        assert vocabularies and all(any(term.startswith(v) for term in used) for v in vocabularies)
    whole = {str(v) for v in description.objects(WHOLE, VOID.vocabulary)}
    for namespace in ("http://www.w3.org/ns/org#", "http://www.w3.org/ns/prov#", "https://schema.org/",
                      "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/ns/oa#", V.ontology):
        assert namespace in whole
    assert "http://www.w3.org/2006/time#" not in whole  # the ontology aligns to OWL-Time; the data uses none of it


def test_every_distribution_has_a_media_type_and_a_download(description):
    media_types = {rdflib.URIRef(IANA + rdf_format.media_type) for rdf_format in FORMATS.values()}
    assert len(media_types) == len(FORMATS)
    for node in description.subjects(RDF.type, VOID.Dataset):
        distributions = list(description.objects(node, DCAT.distribution))
        assert len(distributions) == len(FORMATS)
        assert {description.value(d, DCAT.mediaType) for d in distributions} == media_types
        for distribution in distributions:
            assert (distribution, RDF.type, DCAT.Distribution) in description
            url = description.value(distribution, DCAT.downloadURL)
            assert str(url).startswith(DEFAULT_BASE)
            assert (node, VOID.dataDump, url) in description
            assert description.value(distribution, DCTERMS["format"]) is not None


def test_the_endpoint_is_described_only_when_given(dataset):
    without = parsed(describe(dataset))
    assert not list(without.objects(None, VOID.sparqlEndpoint))
    assert not list(without.subjects(RDF.type, DCAT.DataService))
    with_endpoint = parsed(describe(dataset, endpoint=ENDPOINT))
    assert list(with_endpoint.objects(WHOLE, VOID.sparqlEndpoint)) == [rdflib.URIRef(ENDPOINT)]
    services = list(with_endpoint.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    assert with_endpoint.value(services[0], DCAT.endpointURL) == rdflib.URIRef(ENDPOINT)
    assert with_endpoint.value(services[0], DCAT.servesDataset) == WHOLE


def test_dates_come_from_the_build_and_the_documents_never_invented(dataset, description, monkeypatch):
    issued = set(description.subject_objects(DCTERMS.issued))
    published = {(rdflib.URIRef(str(s)), o) for s, o in dataset.to_rdflib(dataset.data_graphs).subject_objects(
        rdflib.URIRef("https://schema.org/datePublished"))}
    assert issued == published  # the documents that give a publication date, and nothing else
    assert (rdflib.URIRef(V.source("003_73e3b687882f6e77")),
            rdflib.Literal("2023-03-02", datatype=XSD.date)) in issued
    assert description.value(rdflib.URIRef(V.source("000_28830c00cecbbf69")), DCTERMS.issued) is None
    for predicate in (DCTERMS.created, DCTERMS.modified, DCTERMS.date):
        assert not list(description.subject_objects(predicate))
    dated = parsed(describe(dataset, issued=date(2026, 1, 2)))
    assert dated.value(WHOLE, DCTERMS.issued) == rdflib.Literal("2026-01-02", datatype=XSD.date)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")  # 2026-01-02T00:00:00Z
    assert describe_module.build_date() == date(2026, 1, 2)


def test_build_writes_void_ttl_and_every_file_it_offers(cli, root, tmp_path, monkeypatch, dataset):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")
    out = tmp_path / "build"
    result = cli("--root", str(root), "build", "--out", str(out))
    assert result.code == 0, result.out + result.err
    assert "void.ttl" in result.out
    void = rdflib.Graph().parse(out / "export" / "void.ttl", format="turtle")
    assert void.value(WHOLE, DCTERMS.issued) == rdflib.Literal("2026-01-02", datatype=XSD.date)
    assert isomorphic(void, parsed(describe(dataset, issued=date(2026, 1, 2))))
    offered = {str(u) for u in void.objects(None, DCAT.downloadURL)}
    assert len(offered) == len(FORMATS) * (1 + len(dataset.layout.source_files()))
    for url in offered:
        assert (out / "export" / url.removeprefix(DEFAULT_BASE)).is_file(), url
    parsers = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld", "trig": "trig", "nq": "nquads"}
    assert set(parsers) == {rdf_format.extension for rdf_format in FORMATS.values()}
    for subset in void.objects(WHOLE, VOID.subset):  # each source's file, in every format, holds what it counts
        for distribution in void.objects(subset, DCAT.distribution):
            file = out / "export" / str(void.value(distribution, DCAT.downloadURL)).removeprefix(DEFAULT_BASE)
            read = rdflib.Dataset()
            read.parse(file, format=parsers[file.suffix[1:]])
            triples = {(s, p, o) for s, p, o, _ in read.quads((None, None, None, None))}
            assert len(triples) == number(void, subset, VOID.triples), file.name


@pytest.mark.parametrize("fmt", ["jsonld", "nt", "xml"])
def test_describe_command_writes_every_format(cli, root, tmp_path, fmt, description):
    out = tmp_path / f"void.{fmt}"
    assert cli("--root", str(root), "describe", "--format", fmt, "-o", str(out)).code == 0
    rdflib_format = {"jsonld": "json-ld", "nt": "nt", "xml": "xml"}[fmt]
    assert isomorphic(rdflib.Graph().parse(out, format=rdflib_format), description)


def test_describe_command_prints_turtle(cli, root, description):
    result = cli("--root", str(root), "describe")
    assert result.code == 0, result.err
    assert isomorphic(rdflib.Graph().parse(data=result.out, format="turtle"), description)


def test_describe_command_takes_base_and_endpoint(cli, root):
    result = cli("--root", str(root), "describe", "--format", "nt", "--base", "https://example.org/kg",
                 "--endpoint", ENDPOINT)
    assert result.code == 0, result.err
    graph = rdflib.Graph().parse(data=result.out, format="nt")
    urls = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
    assert urls and all(u.startswith("https://example.org/kg/") for u in urls)
    assert "https://example.org/kg/coalition-kg.ttl" in urls
    assert list(graph.objects(WHOLE, VOID.sparqlEndpoint)) == [rdflib.URIRef(ENDPOINT)]


def test_describe_help_shows_the_default_base(cli):
    result = cli("describe", "--help")
    assert result.code == 0
    assert DEFAULT_BASE.replace("-", "") in re.sub(r"\s+", "", result.out).replace("-", "")


@pytest.mark.parametrize("args,message", [
    (["--format", "yaml"], "unknown format 'yaml'"),
    (["-o", "{tmp}/missing/void.ttl"], "no such folder"),
    (["-o", "{tmp}"], "is a folder"),
    (["--base", "export/"], "is not an absolute URL"),
    (["--endpoint", "http://host/spa rql"], "is not a valid IRI"),
])
def test_describe_command_errors_are_one_line_and_exit_2(cli, root, tmp_path, args, message):
    result = cli("--root", str(root), "describe", *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.code == 2
    assert result.err.startswith("coalition-kg: error: ") and message in result.err
    assert len(result.err.strip().splitlines()) == 1 and not result.out
    assert list(tmp_path.iterdir()) == []


def test_a_description_that_fails_its_shapes_is_not_written(cli, repo_copy, tmp_path):
    (repo_copy / "shapes" / "metadata-stricter.ttl").write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix void: <http://rdfs.org/ns/void#> .
<https://w3id.org/coalition-kg/shapes#Dataset-creator> a sh:NodeShape ; sh:targetClass void:Dataset ;
    sh:property [ sh:path dcterms:creator ; sh:minCount 1 ; sh:message "a dataset needs a creator" ] .
""", encoding="utf-8")
    out = tmp_path / "void.ttl"
    result = cli("--root", str(repo_copy), "describe", "-o", str(out))
    assert result.code == 1
    assert len(result.err.strip().splitlines()) == 1
    assert "does not conform" in result.err and "a dataset needs a creator" in result.err
    assert not out.exists()


@pytest.mark.parametrize("engine", SHACL_ENGINES)
@pytest.mark.parametrize("fixture", METADATA_FIXTURES, ids=lambda p: p.stem)
def test_metadata_fixture_breaks_exactly_the_shapes_it_declares(fixture, engine, dataset):
    expected = set(EXPECT_LINE.findall(fixture.read_text(encoding="utf-8")))
    assert expected
    graph = rdflib_graph(describe(dataset, endpoint=ENDPOINT))
    graph.parse(fixture, format="turtle")
    shapes = graph_from_files(dataset.layout.shape_files("metadata"), dataset.layout)
    found = {(str(r["shape"]), str(r["focus"])) for r in run_shacl(graph, shapes, engine)}
    assert found == expected


def test_there_are_metadata_fixtures():
    assert len(METADATA_FIXTURES) >= 5


def test_counts_of_a_merge_count_a_triple_once():
    """A triple asserted in two graphs is one triple of the whole, as in the N-Triples download."""
    store = ox.Store()
    triple = (ox.NamedNode(V.base + "id/a"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
              ox.Literal("a"))
    for name in ("g1", "g2"):
        store.add(ox.Quad(*triple, ox.NamedNode(V.base + "graph/" + name)))
    graphs = [V.base + "graph/g1", V.base + "graph/g2"]
    merged = describe_module.count(store, graphs, per_graph=False, entities=V.entities)[None]
    assert (merged.triples, merged.entities, merged.properties) == (1, 1, {triple[1].value: 1})
    each = describe_module.count(store, graphs, per_graph=True, entities=V.entities)
    assert [each[g].triples for g in graphs] == [1, 1]


@pytest.mark.parametrize("option", ["--endpoint", "--base"])
def test_class6_a_password_in_a_url_is_neither_published_nor_shown(cli, root, option):
    result = cli("--root", str(root), "describe", option, "http://bob:s3cret-pw@127.0.0.1:1/sparql")
    assert result.code == 2 and result.out == ""
    assert "s3cret-pw" not in result.err and result.err.startswith("coalition-kg: error: ")
