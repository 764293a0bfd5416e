"""The vocabulary written once: shapes/prefixes.ttl declares every namespace, every PREFIX line of the
repository agrees with it, every ontology term the code names exists, and the base IRI is the
repository's own (tests/test_other_base.py runs a whole repository at another base)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from coalition_kg.authoring.synth import generate
from coalition_kg.rdf.namespaces import STANDARD
from coalition_kg.repository.default_base import DEFAULT_BASE
from coalition_kg.repository.layout import Layout
from coalition_kg.repository.vocabulary import BASE_PREFIX, DEFAULT, PREFIXES_FILE, UNDER_BASE, Vocabulary
from coalition_kg.site.facts import FIRST, HEADINGS, NOT_STATEMENTS
from coalition_kg.site.pages import FACT_GROUPS, INDEXES

from .conftest import ROOT

SRC = ROOT / "src" / "coalition_kg"
PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z0-9_.-]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
# A term of the ontology as the code names it: a CURIE in a string ("ckg:Meeting", also in SPARQL and
# Turtle the code writes) or a call of the vocabulary's ckg("Meeting").
CURIE = re.compile(r"(?<![\w/#:.-])ckg:([A-Za-z_][A-Za-z0-9_-]*)")
CALL = re.compile(r"""\bckg\(["']([^"']+)["']\)""")


def repository_files() -> list[Path]:
    """Every file of the repository that declares prefixes: queries, rules, shapes, ontology, data."""
    return [*sorted((ROOT / "queries").glob("*.rq")), *sorted((ROOT / "ontology" / "rules").glob("*.rq")),
            *sorted((ROOT / "shapes").glob("*.ttl")), *sorted((ROOT / "ontology").glob("*.ttl")),
            *sorted((ROOT / "data").rglob("*.ttl"))]


# -- the prefixes file

def test_the_prefixes_file_is_the_code_s_vocabulary():
    """The real repository's file declares the default base, its namespaces, and every standard
    namespace the code names terms in, the same (so the code's constants and the file never drift)."""
    read = Vocabulary.read(ROOT)
    assert (ROOT / PREFIXES_FILE).is_file()
    assert read.base == DEFAULT_BASE
    assert read.namespaces == DEFAULT.namespaces
    assert {p: read.namespaces[p] for p in STANDARD} == STANDARD
    assert {p: read.namespaces[p] for p in UNDER_BASE} == {p: DEFAULT_BASE + local for p, local in UNDER_BASE.items()}


def test_the_prefixes_file_uses_shacl_s_declare_form():
    """SHACL 5.2.1: one sh:prefix string and one sh:namespace of datatype xsd:anyURI per declaration,
    each prefix once, as the shapes' own declarations (and sparql-examples' prefixes.ttl) are."""
    graph = rdflib.Graph().parse(ROOT / PREFIXES_FILE)
    declarations = list(graph.objects(None, SH.declare))
    prefixes = [str(graph.value(d, SH.prefix)) for d in declarations]
    assert len(prefixes) == len(set(prefixes)) == len(DEFAULT.namespaces)
    for declaration in declarations:
        assert len(list(graph.objects(declaration, SH.prefix))) == 1
        (namespace,) = graph.objects(declaration, SH.namespace)
        assert namespace.datatype == rdflib.XSD.anyURI


@pytest.mark.parametrize("path", repository_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_prefix_line_agrees_with_the_prefixes_file(path):
    """The queries, rules and shapes keep their own PREFIX lines (each valid on its own, for grlc and the
    SHACL engines); each one names the namespace the prefixes file gives that prefix. A data file's f:
    is its own nodes' namespace, under id:."""
    declared = PREFIX_LINE.findall(path.read_text(encoding="utf-8"))
    assert declared or path.parent.name == "rules" or path.suffix == ".rq"
    for prefix, namespace in declared:
        if prefix == "f" and ROOT / "data" in path.parents:
            assert namespace == DEFAULT.entity(path.stem + "/"), path
        else:
            assert DEFAULT.namespaces.get(prefix) == namespace, f"{path}: {prefix}: <{namespace}>"


def test_every_shape_declaration_agrees_with_the_prefixes_file():
    """What a shape's SPARQL sees (its sh:prefixes' sh:declare) is the prefixes file's: the shapes point
    sh:prefixes at cs:prefixes there, and any declaration of their own agrees with it."""
    merged = rdflib.Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        graph = rdflib.Graph().parse(path)
        for declaration in graph.objects(None, SH.declare):
            prefix, namespace = str(graph.value(declaration, SH.prefix)), str(graph.value(declaration, SH.namespace))
            assert DEFAULT.namespaces.get(prefix) == namespace, f"{path.name}: {prefix}: <{namespace}>"
        merged += graph
    owners = set(merged.objects(None, SH.prefixes))
    assert owners == {rdflib.URIRef(DEFAULT.shapes + "prefixes")}
    assert len(list(merged.objects(None, SH.declare))) == len(DEFAULT.namespaces)  # none but the file's


def test_a_repository_without_the_file_has_the_default_base(tmp_path):
    for name in ("ontology", "data", "shapes", "queries"):
        (tmp_path / name).mkdir()
    assert Layout.at(tmp_path).vocabulary == Vocabulary.default()


def test_a_file_that_declares_only_the_base_has_every_namespace_the_code_needs(repo_copy):
    (repo_copy / PREFIXES_FILE).write_text(
        '@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
        '[] sh:declare [ sh:prefix "kg" ; sh:namespace "https://example.org/kg/"^^xsd:anyURI ] .\n', encoding="utf-8")
    vocabulary = Layout.at(repo_copy).vocabulary
    assert vocabulary == Vocabulary.default("https://example.org/kg/")
    assert vocabulary.expand("ckg:Meeting") == "https://example.org/kg/ontology#Meeting"
    assert vocabulary.expand("prov:agent") == STANDARD["prov"] + "agent"


def test_a_namespace_that_contradicts_the_base_is_refused(repo_copy, cli):
    path = repo_copy / PREFIXES_FILE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"ckg" ; sh:namespace "https://w3id.org/coalition-kg/ontology#"',
                                 '"ckg" ; sh:namespace "https://example.org/elsewhere#"'), encoding="utf-8")
    result = cli("--root", str(repo_copy), "stats")
    assert result.code == 2
    assert result.err == ("coalition-kg: error: shapes/prefixes.ttl: ckg: is <https://example.org/elsewhere#>, "
                          f"but the base {BASE_PREFIX}: <{DEFAULT_BASE}> makes it <{DEFAULT_BASE}ontology#>\n")


def _declaring(prefix: str, namespace: str) -> str:
    return ('@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
            f'[] sh:declare [ sh:prefix "{prefix}" ; sh:namespace "{namespace}"^^xsd:anyURI ] .\n')


@pytest.mark.parametrize("prefix,namespace,complaint", [
    ("kg", "https://example.org/a b/", "the namespace of kg: <https://example.org/a b/> is not an absolute IRI"),
    ("kg", "kg/", "the namespace of kg: <kg/> is not an absolute IRI"),
    ("ex", "urn:x:\\u003E", "the namespace of ex: <urn:x:>> is not an absolute IRI"),
    ("sk os", "https://example.org/s#", "'sk os' is not a prefix name Turtle and SPARQL can read"),
    ("1ex", "https://example.org/s#", "'1ex' is not a prefix name Turtle and SPARQL can read"),
    # a name that would smuggle a triple into every Turtle file the prefixes head
    ("ex: <urn:e:> . ex:a ex:b ex:c . @prefix ex", "https://example.org/s#", "is not a prefix name"),
])
def test_a_declaration_no_output_could_use_names_the_prefixes_file(repo_copy, cli, prefix, namespace, complaint):
    """The base and every namespace become IRIs in every output, the prefix names prefix lines in
    Turtle and SPARQL: both are checked where they are declared, not where they would break."""
    (repo_copy / PREFIXES_FILE).write_text(_declaring(prefix, namespace), encoding="utf-8")
    result = cli("--root", str(repo_copy), "stats")
    assert result.code == 2
    assert result.err.startswith("coalition-kg: error: shapes/prefixes.ttl: ") and complaint in result.err
    assert result.err.count("\n") == 1


def test_a_broken_prefixes_file_names_its_line(repo_copy, cli):
    (repo_copy / PREFIXES_FILE).write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n[ sh:prefix \n",
                                           encoding="utf-8")
    result = cli("--root", str(repo_copy), "stats")
    assert result.code == 2
    assert result.err.startswith("coalition-kg: error: shapes/prefixes.ttl:3:1: ")
    assert result.err.count("\n") == 1


def test_the_converter_compacts_by_the_longest_namespace_and_expands_back():
    iri = DEFAULT.entity("003_73e3b687882f6e77/niamey-host")
    assert DEFAULT.compress(iri) == "id:003_73e3b687882f6e77/niamey-host"  # not kg:id/…
    assert DEFAULT.expand(DEFAULT.compress(iri)) == iri
    assert DEFAULT.compress(DEFAULT.entities, ("id",)) is None  # the namespace itself has no local part
    assert DEFAULT.compress(DEFAULT.entities + "//x", ("id", "kg"), absolute_safe=True) == "kg:id///x"
    assert DEFAULT.compress("http://example.org/x") is None


# -- every term the code names

def named_terms() -> dict[str, set[str]]:
    """The ontology terms the code names, with the modules that name them."""
    found: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for name in {*CURIE.findall(text), *CALL.findall(text)}:
            found.setdefault(name, set()).add(str(path.relative_to(SRC)))
    return found


def declared_terms(dataset) -> set[str]:
    return {q.subject.value for q in dataset.quads([DEFAULT.ontology_graph]) if isinstance(q.subject, ox.NamedNode)}


def test_every_ontology_term_the_code_names_exists(dataset):
    named = named_terms()
    assert len(named) >= 54  # the site alone names this many; a scan that finds none proves nothing
    declared = declared_terms(dataset)
    missing = {f"ckg:{name}": sorted(where) for name, where in named.items() if DEFAULT.ckg(name) not in declared}
    assert not missing


def test_the_scan_sees_the_site_s_tables():
    """The tables of the site (headings, statement order, indexes, fact groups) are among what is scanned."""
    curies = {*FIRST, *(c for (c, _), _ in HEADINGS), *NOT_STATEMENTS, *(c for c, _ in FACT_GROUPS),
              *(c for index in INDEXES for c in index.classes)}
    ours = {c.removeprefix("ckg:") for c in curies if c.startswith("ckg:")}
    assert len(ours) > 30
    assert ours <= set(named_terms())


def test_a_term_the_ontology_lacks_is_caught(dataset):
    assert DEFAULT.ckg("Meeting") in declared_terms(dataset)
    assert DEFAULT.ckg("Meting") not in declared_terms(dataset)
    assert CURIE.findall('g.is_a(x, "ckg:Meting") "prov:hadRole ckg:host" <https://w3id.org/ckg:no>') == \
        ["Meting", "host"]
    assert CALL.findall('g.ckg("Meting")') == ["Meting"]


def test_every_term_synth_writes_exists(tmp_path, dataset):
    """synth names terms in templates (a ckg:{kind} per class of reference entity): what it writes is checked."""
    out = tmp_path / "synthetic"
    generate(ROOT, out, documents=2)
    used = set()
    for path in (out / "data").rglob("*.ttl"):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            used |= {t.value for t in (triple.predicate, triple.object) if isinstance(t, ox.NamedNode)}
    ours = {iri for iri in used if iri.startswith(DEFAULT.ontology)}
    assert len(ours) > 20
    assert ours <= declared_terms(dataset)


def test_every_kind_of_shapes_loads_with_the_prefixes_file_and_only_beside_shapes(repo_copy):
    """shapes/prefixes.ttl comes with each kind's shapes (their sh:prefixes point there), and is no kind
    of its own: without shapes of a kind, nothing is loaded for it."""
    layout = Layout.at(repo_copy)
    for kind in ("data", "ontology", "metadata", "catalogue"):
        assert [p.name for p in layout.shape_files(kind)] == [f"{kind}.ttl", PREFIXES_FILE.name]
    (repo_copy / "shapes" / "catalogue.ttl").unlink()
    assert layout.shape_files("catalogue") == []
