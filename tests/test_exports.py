"""The exports as linked data: every format, with and without the entailments, reads back as the
same graphs, in rdflib, in raptor's `rapper` and in PyLD; the JSON-LD reads like plain JSON, against a
generated context that names every term of the ontology once."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from coalition_kg.cli import main
from coalition_kg.publish.export import export_quads, jsonld
from coalition_kg.publish.jsonld_context import CONTEXT_FILE, assign_names, prefixes
from coalition_kg.repository.dataset import load
from coalition_kg.repository.vocabulary import DEFAULT as V

ROOT = Path(__file__).resolve().parents[1]
FORMATS = {"turtle": "turtle", "nt": "nt", "xml": "xml", "jsonld": "json-ld", "trig": "trig", "nquads": "nquads"}
DATASET_FORMATS = ("jsonld", "trig", "nquads")
RAPPER = {"turtle": "turtle", "nt": "ntriples", "xml": "rdfxml"}
CKG = V.ontology
NIAMEY = "id:2023-03-01-afg-plenary-niamey"


@cache
def expected(inferred: bool) -> rdflib.Dataset:
    """What the export should hold: the quads the export draws from, through N-Quads into rdflib."""
    quads = export_quads(load(ROOT), inferred)
    dataset = rdflib.Dataset()
    dataset.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    return dataset


def graph_names(dataset: rdflib.Dataset) -> set[str]:
    return {str(g.identifier) for g in dataset.graphs() if len(g)}


def merged(dataset: rdflib.Dataset) -> rdflib.Graph:
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def folded(dataset: rdflib.Dataset) -> rdflib.Graph:
    """One graph in which each predicate carries its graph's name: isomorphic only if the graphs are,
    with each blank node the same node across graphs (as the entailments' graph shares them)."""
    graph = rdflib.Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph.add((s, rdflib.URIRef(f"{p}@{g.identifier if hasattr(g, 'identifier') else g}"), o))
    return graph


def assert_same_dataset(found: rdflib.Dataset, want: rdflib.Dataset) -> None:
    """The same graph names, one per data file; each source's graph isomorphic; and the whole, folded
    into one graph, isomorphic: which implies every graph is, the entailments' graph too (on its own,
    its 43 look-alike evidence nodes take rdflib a minute to match; folded, they are told apart)."""
    names = graph_names(want)
    assert graph_names(found) == names
    sources = {V.graph(path.stem) for path in (ROOT / "data").rglob("*.ttl")}
    assert sources <= names and len(sources) >= 3
    for name in sources:
        assert isomorphic(found.graph(rdflib.URIRef(name)), want.graph(rdflib.URIRef(name))), name
    assert isomorphic(folded(found), folded(want))


def offline(url, options=None):
    raise AssertionError(f"the JSON-LD processor tried to fetch {url}")


def pyld_quads(document, loader=offline, base: str | None = None) -> rdflib.Dataset:
    from pyld import jsonld as pyld  # noqa: PLC0415 (only the test that reads the export back loads it)

    options = {"format": "application/n-quads", "documentLoader": loader}
    if base:
        options["base"] = base
    dataset = rdflib.Dataset()
    dataset.parse(data=pyld.to_rdf(document, options), format="nquads")
    return dataset


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """Each format, with and without --inferred, written once by the command line."""
    folder = tmp_path_factory.mktemp("exports")
    files = {}
    for inferred in (False, True):
        for fmt in FORMATS:
            out = folder / f"graph{'-inferred' if inferred else ''}.{fmt}"
            args = ["--root", str(ROOT), "-q", "export", "--format", fmt, "-o", str(out)]
            try:
                main(args + (["--inferred"] if inferred else []))
            except SystemExit as exit_:
                assert not exit_.code, f"export {fmt} failed"
            files[fmt, inferred] = out
    return files


@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_back_as_the_source_graphs(exports, fmt, inferred):
    path = exports[fmt, inferred]
    if fmt in DATASET_FORMATS:  # one named graph per source document, each the same up to blank nodes
        found = rdflib.Dataset()
        found.parse(path, format=FORMATS[fmt])
        assert_same_dataset(found, expected(inferred))
    else:
        assert isomorphic(rdflib.Graph().parse(path, format=FORMATS[fmt]), merged(expected(inferred)))


@pytest.fixture(scope="module")
def rapper() -> str:
    path = shutil.which("rapper")
    if path is None:
        pytest.fail("raptor's rapper is needed: install Debian's package (apt-get install raptor2-utils); .ci/run does")
    return path


@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
@pytest.mark.parametrize("fmt", RAPPER)
def test_rapper_reads_the_same_triples(exports, rapper, fmt, inferred):
    path = exports[fmt, inferred]
    run = subprocess.run([rapper, "-i", RAPPER[fmt], "-o", "ntriples", str(path), "http://example.org/base/"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "error" not in run.stderr.lower() and "warning" not in run.stderr.lower(), run.stderr
    want = merged(expected(inferred))
    assert f"returned {len(want)} triples" in run.stderr, run.stderr
    assert isomorphic(rdflib.Graph().parse(data=run.stdout, format="nt"), want)


@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
def test_pyld_reads_the_jsonld_offline_as_the_source_graphs(exports, inferred):
    document = json.loads(exports["jsonld", inferred].read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)  # embedded: nothing to fetch
    assert_same_dataset(pyld_quads(document), expected(inferred))


@pytest.fixture(scope="module")
def document(exports) -> dict:
    return json.loads(exports["jsonld", False].read_text(encoding="utf-8"))


def nodes(document: dict, graph: str) -> dict[str, dict]:
    (named,) = [g for g in document["@graph"] if g["@id"] == graph]
    return {node["@id"]: node for node in named["@graph"]}


def test_the_jsonld_reads_like_json(document):
    niamey = nodes(document, "graph:003_73e3b687882f6e77")[NIAMEY]
    assert niamey["@type"] == "PlenaryMeeting"
    assert niamey["label"] == "Plenary meeting of the Africa Focus Group, Niamey, 1 March 2023"
    assert niamey["location"] == "id:niamey"
    assert niamey["meetingOf"] == "id:africa-focus-group"
    assert niamey["follows"] == "id:2022-05-afg-plenary-africa"
    assert niamey["reportedIn"] == "src:003_73e3b687882f6e77"  # an activity: reported in, not derived from
    # ckg:date takes three datatypes, so each value says its own: never coerced to one
    assert niamey["date"] == {"@value": "2023-03-01", "@type": "xsd:date"}
    # a blank node quoted once sits inside its fact; a property with several values is always an array
    assert {"@type": "Evidence", "exact": "The plenary meeting of the Africa Focus Group happened on 1st March 2023 "
            "in Niamey"} in niamey["evidence"]
    assert niamey["agendaItem"] == ["id:daesh"]
    assert "id:003_73e3b687882f6e77/niamey-co-chair-italy" in niamey["qualifiedAssociation"]
    role = nodes(document, "graph:003_73e3b687882f6e77")["id:003_73e3b687882f6e77/niamey-co-chair-italy"]
    assert (role["agent"], role["hadRole"]) == ("id:italy", "ckg:coChair")
    count = nodes(document, "graph:003_73e3b687882f6e77")["id:003_73e3b687882f6e77/coalition-member-count"]
    assert count["memberCount"] == 85  # a JSON number
    assert count["asOf"] == "2023-03-02"  # every ckg:asOf is an xsd:date: the context says so
    assert count["countOf"] == "id:global-coalition-to-defeat-isis"
    source = nodes(document, "graph:000_28830c00cecbbf69")
    assert source["id:000_28830c00cecbbf69/coalition-member-count"]["memberCount"] == 84
    dates = [node["date"] for node in source.values() if "date" in node]
    assert {"@value": "2014-09", "@type": "xsd:gYearMonth"} in dates
    reference = nodes(document, "graph:reference")
    assert reference["id:morocco"]["prefLabel"] == "Morocco"


def test_every_key_is_a_term_of_the_context(document):
    context = document["@context"]
    terms = {name for name, definition in context.items() if not str(definition).endswith(("/", "#"))}
    keys: set[str] = set()

    def walk(value):
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            keys.update(value)
            for item in value.values():
                walk(item)

    walk(document["@graph"])
    assert keys - {"@id", "@type", "@graph", "@value", "@language"} <= terms
    text = json.dumps(document["@graph"])
    assert "https://w3id.org/coalition-kg/" not in text and "http://www.w3.org/" not in text


@cache
def ontology_terms() -> set[str]:
    """Every class and property of ours that the ontology declares."""
    store = load(ROOT, derive=False).store
    rows = store.query(f"""SELECT DISTINCT ?term WHERE {{ GRAPH <{V.ontology_graph}> {{
        ?term a ?kind VALUES ?kind {{ <http://www.w3.org/2002/07/owl#Class> <http://www.w3.org/2002/07/owl#ObjectProperty>
        <http://www.w3.org/2002/07/owl#DatatypeProperty> <http://www.w3.org/2002/07/owl#AnnotationProperty> }} }}
        FILTER STRSTARTS(STR(?term), "{CKG}") }}""")
    return {row["term"].value for row in rows}


def test_context_names_every_ontology_term_once(document):
    pairs = json.loads(json.dumps(document["@context"]), object_pairs_hook=lambda items: items)
    names = [name for name, _ in pairs]
    assert len(names) == len(set(names))  # no key twice
    context = document["@context"]

    def iri(definition) -> str:
        value = definition["@id"] if isinstance(definition, dict) else definition
        prefix, _, local = value.partition(":")
        return context[prefix] + local if prefix in context and isinstance(context[prefix], str) else value

    by_iri: dict[str, list[str]] = {}
    for name, definition in context.items():
        if name not in prefixes():
            by_iri.setdefault(iri(definition), []).append(name)
    terms = ontology_terms()
    assert len(terms) > 60
    for term in terms:
        assert len(by_iri.get(term, [])) == 1, term
        assert by_iri[term] == [term.removeprefix(CKG)], term  # our terms keep their own local names
    assert all(len(names) == 1 for names in by_iri.values())
    # the coercions: object properties are IRIs, one-datatype properties typed, labels English
    assert context["location"] == {"@id": "ckg:location", "@type": "@id"}
    assert context["date"] == "ckg:date"
    assert context["memberCount"] == {"@id": "ckg:memberCount", "@type": "xsd:integer"}
    assert context["label"] == {"@id": "rdfs:label", "@language": "en"}
    assert context["evidence"]["@container"] == "@set"
    # ours is "location"; only the entailments use this one, declared an object property (OWL 2 DL): IRIs
    assert context["schemaLocation"] == {"@id": "schema:location", "@type": "@id"}
    assert "@vocab" not in context


def test_names_resolve_clashes_deterministically():
    schema, foaf, org = "https://schema.org/", "http://xmlns.com/foaf/0.1/", "http://www.w3.org/ns/org#"
    iris = [foaf + "Person", schema + "Person", CKG + "Person", schema + "Organization", org + "Organization",
            schema + "name", CKG + "hosted-by", schema + "org", "urn:x:Thing", "http://example.org/other#Thing"]
    names = assign_names(iris, prefixes())
    assert names == assign_names(reversed(iris), prefixes())
    assert names[CKG + "Person"] == "Person"  # ours keeps the name; the others take their prefix
    assert (names[foaf + "Person"], names[schema + "Person"]) == ("foafPerson", "schemaPerson")
    assert (names[schema + "Organization"], names[org + "Organization"]) == ("schemaOrganization", "orgOrganization")
    assert names[schema + "name"] == "name"
    assert names[CKG + "hosted-by"] == "hostedBy"  # camelCase
    assert names[schema + "org"] == "schemaOrg"  # "org" is a prefix
    assert "urn:x:Thing" not in names and "http://example.org/other#Thing" not in names  # no prefix: full IRIs
    assert len(set(names.values())) == len(names)


def test_build_publishes_the_context_beside_the_jsonld(cli, tmp_path):
    out = tmp_path / "build"
    result = cli("--root", str(ROOT), "-q", "build", "--out", str(out))
    assert result.code == 0, result.out + result.err
    exported = json.loads((out / "export" / "coalition-kg.jsonld").read_text(encoding="utf-8"))
    published = json.loads((out / "export" / CONTEXT_FILE).read_text(encoding="utf-8"))
    assert published == {"@context": exported["@context"]}
    # a document of one's own that links the file, read with a loader that serves it from the folder
    linked = {"@context": CONTEXT_FILE, "@graph": exported["@graph"]}
    served = []

    def loader(url, options=None):
        assert url == (out / "export" / CONTEXT_FILE).as_uri(), url
        served.append(url)
        return {"contextUrl": None, "documentUrl": url, "document": published}

    base = (out / "export" / "coalition-kg.jsonld").as_uri()
    assert_same_dataset(pyld_quads(linked, loader, base), expected(False))
    assert served


def test_compaction_never_changes_the_graph_where_a_value_defies_its_term():
    """Values that do not fit their property's coercion, and blank nodes that must not be nested,
    are written so that the graph reads back the same."""
    ex, g1, g2 = "http://example.org/", ox.NamedNode("http://example.org/g1"), ox.NamedNode("http://example.org/g2")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    n = ox.NamedNode
    a, b, c, d, shared = (ox.BlankNode(x) for x in ("a", "b", "c", "d", "shared"))
    chain = [ox.BlankNode(f"chain{i}") for i in range(40)]
    quads = [
        ox.Quad(n(ex + "s"), n(CKG + "location"), ox.Literal("not an IRI"), g1),  # an object property's literal
        ox.Quad(n(ex + "s"), n(CKG + "memberCount"), ox.Literal("084", datatype=n(xsd + "integer")), g1),
        ox.Quad(n(ex + "t"), n(CKG + "memberCount"), ox.Literal("12", datatype=n(xsd + "integer")), g1),
        ox.Quad(n(ex + "s"), n(CKG + "asOf"), ox.Literal("2020", datatype=n(xsd + "gYear")), g1),
        ox.Quad(n(ex + "t"), n(CKG + "asOf"), ox.Literal("2020-01-01", datatype=n(xsd + "date")), g1),
        ox.Quad(n(ex + "s"), n(CKG + "flag"), ox.Literal("true", datatype=n(xsd + "boolean")), g1),
        ox.Quad(n(ex + "s"), n(CKG + "flag"), ox.Literal("1", datatype=n(xsd + "boolean")), g1),
        ox.Quad(n(ex + "s"), n(CKG + "big"), ox.Literal("123456789012345678901234567890",
                                                            datatype=n(xsd + "integer")), g1),
        ox.Quad(n(ex + "s"), n("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("un", language="fr"), g1),
        ox.Quad(n(ex + "t"), n("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("one", language="en"), g1),
        ox.Quad(n(ex + "t"), n("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("plain"), g1),
        ox.Quad(n(ex + "s"), n(CKG + "evidence"), a, g1), ox.Quad(a, n(CKG + "evidence"), b, g1),  # a cycle
        ox.Quad(b, n(CKG + "evidence"), a, g1),
        ox.Quad(n(ex + "s"), n(CKG + "evidence"), c, g1), ox.Quad(n(ex + "t"), n(CKG + "evidence"), c, g1),
        ox.Quad(c, n("http://www.w3.org/ns/oa#exact"), ox.Literal("twice"), g1),  # referenced twice
        ox.Quad(n(ex + "s"), n(CKG + "evidence"), shared, g1),  # a subject in another graph too
        ox.Quad(shared, n("http://www.w3.org/ns/oa#exact"), ox.Literal("shared"), g2),
        ox.Quad(n(ex + "s"), n(CKG + "evidence"), d, g1),  # a blank node with no properties
        ox.Quad(n(ex + "s"), n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), d, g1),  # a type that is no IRI
        ox.Quad(n(ex + "s"), n(CKG + "next"), chain[0], g1),  # nested deeper than the writer nests
        *[ox.Quad(x, n(CKG + "next"), y, g1) for x, y in itertools.pairwise(chain)],
        ox.Quad(n(ex + "s"), n(ex + "odd/path"), n(V.base + "id///x"), g1),  # no compact IRI: "id://x"
        ox.Quad(n(ex + "s"), n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(CKG + "Meeting"), g2),
        ox.Quad(n(ex + "g1"), n("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("graph one"),
                ox.DefaultGraph()),
    ]
    ontology = [ox.Quad(n(CKG + "location"), n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                        n("http://www.w3.org/2002/07/owl#ObjectProperty"), ox.DefaultGraph())]
    document = json.loads(jsonld(quads, ontology))
    want = rdflib.Dataset()
    want.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    found = pyld_quads(document)
    assert isomorphic(folded(found), folded(want))
    assert isomorphic(folded(rdflib.Dataset().parse(data=json.dumps(document), format="json-ld")), folded(want))
    graph_one = next(g for g in document["@graph"] if g["@id"] == ex + "g1")
    assert graph_one["label"] == ["graph one"]  # the graph's own node carries its @graph
    s = next(node for node in graph_one["@graph"] if node["@id"] == ex + "s")
    assert s["memberCount"] == "084"  # the context coerces to xsd:integer, and the lexical form is kept
    assert s["location"] == {"@value": "not an IRI"}
    assert s["asOf"] == {"@value": "2020", "@type": "xsd:gYear"}
