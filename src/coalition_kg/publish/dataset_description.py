"""The dataset's own description, in VoID and DCAT: the whole graph (what `export` publishes: the data
graphs and the derived shortcuts) and one subset per source document, each with its title, licence,
publisher, counts, partitions by class and by property, vocabularies and downloads (one per export
format). Every number is counted from the data. shapes/metadata*.ttl check the description before
it is written: a description that fails them is never published."""

from __future__ import annotations

import functools
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pyoxigraph as ox

from coalition_kg.errors import CoalitionKGError, UsageProblem, one_line
from coalition_kg.guards.atomic_write import write_atomically
from coalition_kg.progress import SILENT, Progress
from coalition_kg.publish.export import export_quads, serialise
from coalition_kg.rdf.formats import RDF_FORMATS
from coalition_kg.rdf.namespaces import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, SCHEMA, VOID, XSD
from coalition_kg.repository import layout as lay
from coalition_kg.repository.dataset import Dataset, graph_from_files
from coalition_kg.repository.vocabulary import OUTPUT, Vocabulary

if TYPE_CHECKING:  # imported when it runs (check): rdflib is 0.3 s that serve does not need
    from coalition_kg.check.shacl import Result


@dataclass(frozen=True)
class DescriptionIris:
    """The IRIs the description names, all under the repository's base."""

    vocabulary: Vocabulary

    @property
    def base(self) -> str:
        return self.vocabulary.base

    @property
    def dataset(self) -> str:
        """The whole graph; each source's subset is named by its graph's IRI."""
        return self.base + "dataset"

    @property
    def catalog(self) -> str:
        """DCAT-AP's catalogue: the one dataset (and the endpoint, if any)."""
        return self.base + "catalog"

    @property
    def sparql_service(self) -> str:
        return self.dataset + "/sparql"

    @property
    def distributions(self) -> str:
        return self.dataset + "/distribution/"

    @property
    def entity_space(self) -> str:
        """An entity is an IRI in the entity namespace (…/id/, which holds the qualified-fact nodes too, under
        …/id/<doc-id>/) that is the subject of at least one triple: void:uriSpace says so to VoID readers.
        Documents (…/source/), terms of the vocabularies and blank nodes (the evidence quotes) are not."""
        return self.vocabulary.entities

    @property
    def publisher(self) -> str:
        """The project, named as the ontology names its creator."""
        return self.base

    @property
    def export(self) -> str:
        """Where `build`'s OUT/export/ folder is published, unless --base says otherwise."""
        return self.base + EXPORT_FOLDER


# `site` writes the same files (published_files) into its own export/ folder, so the site at the IRIs'
# base serves them where the description's default download URLs say.
EXPORT_FOLDER = "export/"

# The data's licence. The code is Apache-2.0 (pyproject.toml), a software licence that says nothing
# fit for facts and quotes; CC BY 4.0 is the usual licence for open data, and the ontology already
# carries it (ontology/coalition.ttl), so everything published as RDF is under one set of terms.
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PUBLISHER_NAME = "The coalition-kg maintainers"
TITLE = "coalition-kg: the diplomacy around the Global Coalition to Defeat ISIS"
DESCRIPTION = ("Who met where and when, who hosted, convened and co-chaired, who belongs to which group, who "
               "held which post, and which source says so, with the exact quote. One named graph per source "
               "document, the shared entities and their names, outside identifiers with their own source, "
               "and the shortcut triples derived from the qualified facts.")

IANA = "https://www.iana.org/assignments/media-types/"
# beside the export's prefixes: what the description uses
PREFIXES = (*OUTPUT, "rdf", "void", "dcat", "foaf", "graph")


def prefixes(vocabulary: Vocabulary) -> dict[str, str]:
    return {**vocabulary.prefixes(*PREFIXES), "dist": DescriptionIris(vocabulary).distributions}
EXPORT_STEM = "coalition-kg"  # build writes OUT/export/coalition-kg.<ext>


def export_file(extension: str, doc_id: str | None = None) -> str:
    """The name of an export file in OUT/export/: the whole graph, or one source's graph."""
    return f"{EXPORT_STEM}-source-{doc_id}.{extension}" if doc_id else f"{EXPORT_STEM}.{extension}"


class DescriptionProblem(CoalitionKGError):
    """The generated description fails shapes/metadata*.ttl: exit code 1, like data that does not conform."""

    exit_code = 1


@dataclass
class Counts:
    """What VoID counts about one dataset: triples, entities (see entity_space), distinct subjects and
    objects, and per class (instances, entities) and per property (triples)."""

    triples: int = 0
    entities: int = 0
    subjects: int = 0
    objects: int = 0
    classes: dict[str, tuple[int, int]] = field(default_factory=dict)
    properties: dict[str, int] = field(default_factory=dict)

    @property
    def vocabularies(self) -> list[str]:
        """The namespaces of the classes and properties used: the IRI up to its last '#' or '/'."""
        return sorted({re.sub(r"[^#/]*$", "", term) for term in [*self.classes, *self.properties]})


_ENTITY = 'BIND(IF(isIRI(?s) && STRSTARTS(STR(?s), "{entities}"), ?s, ?none) AS ?e)'
# (projection, pattern, group); {triples} is each graph's triples, or the distinct triples of the merge
_TOTALS = ("(COUNT(*) AS ?triples) (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?s) AS ?subjects) "
           "(COUNT(DISTINCT ?o) AS ?objects)", "{triples} " + _ENTITY, "")
_CLASSES = ("?c (COUNT(DISTINCT ?s) AS ?instances) (COUNT(DISTINCT ?e) AS ?entities)", "?s a ?c . " + _ENTITY, "?c")
_PROPERTIES = ("?p (COUNT(*) AS ?triples)", "{triples}", "?p")


def count(store: ox.Store, graphs: list[str], per_graph: bool, entities: str) -> dict[str | None, Counts]:
    """Counts over ``graphs``: each graph on its own (keyed by its IRI), or their RDF merge (key None),
    where a triple asserted in two graphs counts once, as in the triple formats of the export.
    ``entities``: the entity namespace."""
    found: dict[str | None, Counts] = defaultdict(Counts)
    if not graphs:
        return found
    nodes: list[ox.NamedNode | ox.BlankNode] = [ox.NamedNode(g) for g in graphs]
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [*nodes]

    def rows(select: str, pattern: str, group: str) -> ox.QuerySolutions:
        pattern = pattern.replace("{entities}", entities)
        if per_graph:
            pattern = pattern.replace("{triples}", "?s ?p ?o .")
            text = f"SELECT ?g {select} WHERE {{ GRAPH ?g {{ {pattern} }} }} GROUP BY ?g {group}"
            return cast("ox.QuerySolutions", store.query(text, named_graphs=nodes))
        # a store's default graph made of several graphs repeats a triple each graph holds (Oxigraph does)
        pattern = pattern.replace("{triples}", "{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
        text = f"SELECT {select} WHERE {{ {pattern} }}" + (f" GROUP BY {group}" if group else "")
        return cast("ox.QuerySolutions", store.query(text, default_graph=default))

    def key(row: ox.QuerySolution) -> str | None:
        return row["g"].value if per_graph else None

    def number(row: ox.QuerySolution, name: str) -> int:
        return int(row[name].value)

    for row in rows(*_TOTALS):
        counts = found[key(row)]
        counts.triples, counts.entities = number(row, "triples"), number(row, "entities")
        counts.subjects, counts.objects = number(row, "subjects"), number(row, "objects")
    for row in rows(*_CLASSES):
        if isinstance(row["c"], ox.NamedNode):
            found[key(row)].classes[row["c"].value] = (number(row, "instances"), number(row, "entities"))
    for row in rows(*_PROPERTIES):
        found[key(row)].properties[row["p"].value] = number(row, "triples")
    return found


@dataclass(frozen=True)
class Source:
    doc_id: str
    graph: str
    document: str


def sources(dataset: Dataset) -> list[Source]:
    """The source documents' graphs, as loaded: data/sources/<doc-id>.ttl -> graph/<doc-id>."""
    loaded = set(dataset.graph_files)
    layout = dataset.layout
    return [Source(path.stem, layout.graph_for(path), layout.vocabulary.source(path.stem))
            for path in layout.source_files() if layout.graph_for(path) in loaded]


def _absolute(url: str, what: str) -> str:
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*@", url):  # not echoed: it may hold a password
        raise UsageProblem(f"{what}: the URL holds a user name (and perhaps a password), which the description "
                           "would publish; give the URL without it")
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", url):
        raise UsageProblem(f"{what} {url!r} is not an absolute URL")
    try:
        ox.NamedNode(url)
    except ValueError as error:
        raise UsageProblem(f"{what} {url!r} is not a valid IRI ({error})") from None
    return url


def check_format(fmt: str) -> str:
    if fmt not in RDF_FORMATS:
        raise UsageProblem(f"unknown format {fmt!r} (one of {', '.join(RDF_FORMATS)})")
    return fmt


_iri = functools.cache(ox.NamedNode)  # the same few predicates, over and over


class _Writer:
    """Collects the description's triples, in a stable order (so that void.ttl diffs well)."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []
        self.blanks = 0

    def add(self, subject: ox.NamedNode | ox.BlankNode, predicate: str,
            obj: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        self.triples.append(ox.Triple(subject, _iri(predicate), obj))

    def blank(self) -> ox.BlankNode:
        self.blanks += 1
        return ox.BlankNode(f"p{self.blanks}")


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _english(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


@dataclass
class Coverage:
    """What a dataset is about, from its data: keywords (the labels of our classes it uses), the places
    its meetings were held in or its topics are about, and the first and last dates it gives."""

    keywords: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    start: ox.Literal | None = None
    end: ox.Literal | None = None


# DCAT-AP 3 (its range shapes) wants each outside IRI the description uses typed with the class of
# the property's range; these are the classes those IRIs are, by what they are.
LICENSE_CLASS = DCTERMS + "LicenseDocument"
MEDIA_TYPE_CLASS = DCTERMS + "MediaType"
FORMAT_CLASS = DCTERMS + "MediaTypeOrExtent"
STANDARD_CLASS = DCTERMS + "Standard"
# The data's statements of place and time (ontology/coalition.ttl): where a meeting was held, the place
# a topic is about; when a meeting or founding took place, and the dates a fact holds at or before.
PLACE_PROPERTIES = ("ckg:location", "ckg:relatedPlace")
DATE_PROPERTIES = ("ckg:date", "ckg:asOf", "ckg:notAfter")
_DATE_TYPES = {XSD + "date": 10, XSD + "gYearMonth": 7, XSD + "gYear": 4}  # length of the lexical form


def _span(literal: ox.Literal) -> tuple[str, str]:
    """The first and last day a date, month or year covers, as ISO text that sorts by time."""
    text = literal.value
    return (text + "-01-01")[:10], (text + "-12-31")[:10] if len(text) == 4 else (text + "-31")[:10]


def coverage(store: ox.Store, graphs: list[str], counts: Counts, vocabulary: Vocabulary) -> Coverage:
    """The Coverage of ``graphs``, from their data and the ontology's labels."""
    found = Coverage()
    nodes = [ox.NamedNode(g) for g in graphs]
    ontology = ox.NamedNode(vocabulary.ontology_graph)
    for cls in sorted(counts.classes):
        if cls.startswith(vocabulary.ontology):
            labels = [q.object for q in store.quads_for_pattern(ox.NamedNode(cls), _iri(RDFS + "label"), None, ontology)
                      if isinstance(q.object, ox.Literal) and q.object.language in ("en", None)]
            found.keywords += [labels[0].value] if labels else []
    places, dates = set(), []
    for graph in nodes:
        for prop in PLACE_PROPERTIES:
            places |= {q.object.value for q in store.quads_for_pattern(None, _iri(vocabulary.expand(prop)), None, graph)
                       if isinstance(q.object, ox.NamedNode)}
        for prop in DATE_PROPERTIES:
            dates += [q.object for q in store.quads_for_pattern(None, _iri(vocabulary.expand(prop)), None, graph)
                      if isinstance(q.object, ox.Literal)
                      and len(q.object.value) == _DATE_TYPES.get(q.object.datatype.value)]
    found.places = sorted(places)
    if dates:
        found.start = min(dates, key=lambda d: _span(d)[0])
        found.end = max(dates, key=lambda d: _span(d)[1])
    return found


def _coverage(w: _Writer, later: _Writer, node: ox.NamedNode, about: Coverage) -> None:
    """DCAT-AP's recommended keyword, spatial and temporal statements of a dataset."""
    for keyword in about.keywords:
        w.add(node, DCAT + "keyword", _english(keyword))
    for place in about.places:
        w.add(node, DCTERMS + "spatial", ox.NamedNode(place))  # typed dct:Location once, by _types
    if about.start is not None and about.end is not None:  # found together
        period = later.blank()
        w.add(node, DCTERMS + "temporal", period)
        later.add(period, RDF + "type", ox.NamedNode(DCTERMS + "PeriodOfTime"))
        later.add(period, DCAT + "startDate", about.start)
        later.add(period, DCAT + "endDate", about.end)


def _dataset(w: _Writer, node: ox.NamedNode, title: str, description: str, counts: Counts, about: Coverage,
             downloads: list[tuple[str, str]], base: str, extra: list[tuple[str, ox.NamedNode | ox.Literal]],
             iris: DescriptionIris) -> None:
    """The statements every dataset gets, the whole and each subset alike, then ``extra`` (predicate,
    object) pairs; the dataset's own statements first, then its partitions' and distributions'."""
    a = RDF + "type"
    later = _Writer()
    later.blanks = w.blanks
    w.add(node, a, ox.NamedNode(VOID + "Dataset"))
    w.add(node, a, ox.NamedNode(DCAT + "Dataset"))
    w.add(node, DCTERMS + "title", _english(title))
    w.add(node, DCTERMS + "description", _english(description))
    w.add(node, DCTERMS + "license", ox.NamedNode(LICENSE))
    w.add(node, DCTERMS + "publisher", ox.NamedNode(iris.publisher))
    for predicate, obj in extra:
        w.add(node, predicate, obj)
    _coverage(w, later, node, about)
    w.add(node, VOID + "uriSpace", ox.Literal(iris.entity_space))
    for name, value in (("triples", counts.triples), ("entities", counts.entities),
                        ("distinctSubjects", counts.subjects), ("distinctObjects", counts.objects),
                        ("properties", len(counts.properties)), ("classes", len(counts.classes))):
        w.add(node, VOID + name, _integer(value))
    for vocabulary in counts.vocabularies:
        w.add(node, VOID + "vocabulary", ox.NamedNode(vocabulary))
    for cls, (instances, entities) in sorted(counts.classes.items()):
        part = later.blank()
        w.add(node, VOID + "classPartition", part)
        later.add(part, VOID + "class", ox.NamedNode(cls))
        later.add(part, VOID + "entities", _integer(entities))
        later.add(part, VOID + "distinctSubjects", _integer(instances))
    for prop, triples in sorted(counts.properties.items()):
        part = later.blank()
        w.add(node, VOID + "propertyPartition", part)
        later.add(part, VOID + "property", ox.NamedNode(prop))
        later.add(part, VOID + "triples", _integer(triples))
    for fmt, file in downloads:
        rdf_format = RDF_FORMATS[fmt]
        distribution = ox.NamedNode(iris.distributions + file)
        url = ox.NamedNode(base + file)
        w.add(node, DCAT + "distribution", distribution)
        w.add(node, VOID + "dataDump", url)
        later.add(distribution, a, ox.NamedNode(DCAT + "Distribution"))
        graphs = "each graph named" if rdf_format.holds_graphs else "the named graphs merged"
        later.add(distribution, DCTERMS + "title", _english(f"{title}, in {rdf_format.label} ({graphs})"))
        later.add(distribution, DCTERMS + "description", _english(
            f"One file in {rdf_format.label} ({rdf_format.media_type}) holding the dataset's triples, {graphs}."))
        later.add(distribution, DCAT + "mediaType", ox.NamedNode(IANA + rdf_format.media_type))
        later.add(distribution, DCTERMS + "format", ox.NamedNode(rdf_format.w3c))
        later.add(distribution, DCAT + "downloadURL", url)
        later.add(distribution, DCAT + "accessURL", url)
        later.add(distribution, DCTERMS + "license", ox.NamedNode(LICENSE))
    w.triples += later.triples
    w.blanks = later.blanks


def _types(w: _Writer) -> None:
    """The classes of the outside IRIs the description uses (DCAT-AP's ranges), once each, at the end."""
    typed: dict[str, str] = {}
    for triple in w.triples:
        if isinstance(triple.object, ox.Triple):  # the writer writes none
            continue
        predicate, obj = triple.predicate.value, triple.object.value
        if predicate == DCTERMS + "license":
            typed[obj] = LICENSE_CLASS
        elif predicate == DCAT + "mediaType":
            typed[obj] = MEDIA_TYPE_CLASS
        elif predicate == DCTERMS + "format":
            typed[obj] = FORMAT_CLASS
        elif predicate == DCTERMS + "conformsTo":
            typed[obj] = STANDARD_CLASS
        elif predicate == DCTERMS + "spatial":
            typed[obj] = DCTERMS + "Location"
    for iri, cls in typed.items():
        w.add(ox.NamedNode(iri), RDF + "type", ox.NamedNode(cls))


def _label(store: ox.Store, source: Source) -> str | None:
    labels = {quad.object.language: quad.object.value for quad in store.quads_for_pattern(
        ox.NamedNode(source.document), ox.NamedNode(RDFS + "label"),
        None, ox.NamedNode(source.graph)) if isinstance(quad.object, ox.Literal)}
    return labels.get("en") or labels.get(None) or next(iter(sorted(labels.values())), None)


def _published(store: ox.Store, source: Source) -> ox.Literal | None:
    """The document's schema:datePublished, as its graph gives it: only a full xsd:date."""
    for quad in store.quads_for_pattern(ox.NamedNode(source.document), ox.NamedNode(SCHEMA + "datePublished"),
                                        None, ox.NamedNode(source.graph)):
        if isinstance(quad.object, ox.Literal) and quad.object.datatype.value == XSD + "date":
            return quad.object
    return None


def describe(dataset: Dataset, base: str | None = None, endpoint: str | None = None,
             issued: date | None = None) -> list[ox.Triple]:
    """The description, as triples. ``base`` is where the export files are published (download URLs
    are ``base`` + file name; by default the base IRI's export/);
    ``endpoint`` the SPARQL endpoint serving the graph, if any; ``issued``
    the date this version is published (the build's date), if known. The data says nothing of when
    it was made, so no other date of the dataset is given; a subset's source document carries its
    own publication date (dcterms:issued, from schema:datePublished), where the document gives one."""
    vocabulary = dataset.layout.vocabulary
    iris = DescriptionIris(vocabulary)
    base = _absolute(base or iris.export, "base URL")
    base = base if base.endswith("/") else base + "/"
    endpoint = _absolute(endpoint, "SPARQL endpoint") if endpoint else None
    store = dataset.store
    whole = dataset.published_graphs
    documents = sources(dataset)
    merged = count(store, whole, per_graph=False, entities=iris.entity_space)[None]
    each = count(store, [s.graph for s in documents], per_graph=True, entities=iris.entity_space)

    w = _Writer()
    node = ox.NamedNode(iris.dataset)
    extra: list[tuple[str, ox.NamedNode | ox.Literal]] = []
    if issued is not None:
        extra.append((DCTERMS + "issued", ox.Literal(issued.isoformat(), datatype=ox.NamedNode(XSD + "date"))))
    if endpoint:
        extra.append((VOID + "sparqlEndpoint", ox.NamedNode(endpoint)))
    for source in documents:
        extra += [(VOID + "subset", ox.NamedNode(source.graph)), (DCTERMS + "hasPart", ox.NamedNode(source.graph))]
    about = coverage(store, whole, merged, vocabulary)
    _dataset(w, node, TITLE, DESCRIPTION, merged, about,
             [(f.name, export_file(f.extension)) for f in RDF_FORMATS.values()], base, extra, iris)
    if endpoint:
        service, url = ox.NamedNode(iris.sparql_service), ox.NamedNode(endpoint)
        w.add(service, RDF + "type", ox.NamedNode(DCAT + "DataService"))
        w.add(service, DCTERMS + "title", _english("SPARQL endpoint of coalition-kg"))
        w.add(service, DCAT + "endpointURL", url)
        w.add(service, DCAT + "servesDataset", node)
        w.add(service, DCTERMS + "conformsTo", ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"))
        w.add(service, DCTERMS + "license", ox.NamedNode(LICENSE))
        w.add(service, DCTERMS + "publisher", ox.NamedNode(iris.publisher))
        w.add(service, DCTERMS + "description", _english("The SPARQL 1.1 Protocol endpoint that answers queries over "
                                                        "the dataset."))
    catalog = ox.NamedNode(iris.catalog)
    w.add(catalog, RDF + "type", ox.NamedNode(DCAT + "Catalog"))
    w.add(catalog, DCTERMS + "title", _english("The coalition-kg catalogue"))
    w.add(catalog, DCTERMS + "description", _english("The coalition-kg dataset, its downloads and (where there is "
                                                     "one) its SPARQL endpoint."))
    w.add(catalog, DCTERMS + "publisher", ox.NamedNode(iris.publisher))
    w.add(catalog, DCTERMS + "license", ox.NamedNode(LICENSE))
    w.add(catalog, DCAT + "dataset", node)
    for place in about.places:
        w.add(catalog, DCTERMS + "spatial", ox.NamedNode(place))
    if endpoint:
        w.add(catalog, DCAT + "service", ox.NamedNode(iris.sparql_service))
    if issued is not None:
        w.add(catalog, DCTERMS + "issued", ox.Literal(issued.isoformat(), datatype=ox.NamedNode(XSD + "date")))
    # DCAT-AP's range of dct:publisher is foaf:Agent; FOAF makes every foaf:Organization one
    publisher = ox.NamedNode(iris.publisher)
    w.add(publisher, RDF + "type", ox.NamedNode(FOAF + "Agent"))
    w.add(publisher, RDF + "type", ox.NamedNode(FOAF + "Organization"))
    w.add(publisher, FOAF + "name", ox.Literal(PUBLISHER_NAME))
    for source in documents:
        subset, document = ox.NamedNode(source.graph), ox.NamedNode(source.document)
        label = _label(store, source)
        named = f"the source document {source.doc_id}" + (f" ({label})" if label and source.doc_id not in label else "")
        _dataset(w, subset, f"coalition-kg: {label or 'source document ' + source.doc_id}",
                 f"What {named} says, as one named graph: each meeting, role, membership, post or founding a "
                 "node of its own, with the document as its source (prov:wasDerivedFrom; ckg:reportedIn for a "
                 "meeting or a founding) and a verbatim quote.",
                 each.get(source.graph, Counts()),
                 coverage(store, [source.graph], each.get(source.graph, Counts()), vocabulary),
                 [(f.name, export_file(f.extension, source.doc_id)) for f in RDF_FORMATS.values()], base,
                 # prov:wasDerivedFrom as the data says it; DCAT-AP keeps dct:source for a source *dataset*
                 [(PROV + "wasDerivedFrom", document), (DCTERMS + "isPartOf", node)], iris)
        published = _published(store, source)
        if published is not None:
            w.add(document, DCTERMS + "issued", published)
    for graph in dataset.data_graphs:  # each derived graph (where there is one) says what it derives from
        derived = vocabulary.derived_graph_of(graph)
        if next(store.quads_for_pattern(None, None, None, ox.NamedNode(derived)), None) is not None:
            w.add(ox.NamedNode(derived), PROV + "wasDerivedFrom", ox.NamedNode(graph))
    _types(w)
    return w.triples


def render(triples: list[ox.Triple], fmt: str, vocabulary: Vocabulary) -> bytes:
    """The description in one of the export formats; in TriG and N-Quads, in the default graph."""
    rdf_format = RDF_FORMATS[check_format(fmt)]
    items: list[ox.Quad] | list[ox.Triple]
    if rdf_format.holds_graphs:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    else:
        items = triples
    shown = prefixes(vocabulary) if rdf_format.takes_prefixes else None
    # no output given: the bytes
    return cast("bytes", ox.serialize(items, format=rdf_format.ox_format, prefixes=shown))


def check(triples: list[ox.Triple], layout: lay.Layout, engine: str | None = None) -> list[Result]:
    """shapes/metadata*.ttl over the description: the validator's results (none if it conforms)."""
    from coalition_kg.check.shacl import DEFAULT_ENGINE, run_shacl  # noqa: PLC0415 (rdflib, 0.3 s: serve imports this module)

    shape_files = layout.shape_files("metadata")
    if not shape_files:
        return []
    store = ox.Store()  # pyshacl-turbo reads a store directly, where an rdflib Graph would be converted
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return run_shacl(store, graph_from_files(shape_files, layout), engine or DEFAULT_ENGINE)


def checked(dataset: Dataset, base: str | None = None, endpoint: str | None = None,
            issued: date | None = None) -> list[ox.Triple]:
    """The description, once it has passed its shapes; else DescriptionProblem, naming the first failure."""
    triples = describe(dataset, base, endpoint, issued)
    failures = check(triples, dataset.layout)
    if failures:
        first = failures[0]
        shape = str(first["shape"] or "").removeprefix(dataset.layout.vocabulary.shapes)
        raise DescriptionProblem(one_line(
            f"the dataset description does not conform to shapes/metadata*.ttl: {len(failures)} problem(s); "
            f"first: {first['message']} [{shape}] (focus {first['focus']})"))
    return triples


def build_date() -> date:
    """Today (UTC), or the date of SOURCE_DATE_EPOCH when set, for a reproducible build."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return datetime.now(UTC).date()


def source_files(dataset: Dataset, progress: Progress = SILENT) -> Iterator[tuple[str, bytes]]:
    """(file name, payload) of each source's graph in every export format, as the description names them."""
    documents = sources(dataset)
    for source in progress.iterate(documents, "writing each source's graph", total=len(documents), unit="graph"):
        quads = dataset.quads([source.graph])
        for fmt, rdf_format in RDF_FORMATS.items():
            yield export_file(rdf_format.extension, source.doc_id), serialise(quads, fmt, dataset)


def write_description(dataset: Dataset, folder: Path, base: str | None = None, endpoint: str | None = None,
                      issued: date | None = None, progress: Progress = SILENT) -> str:
    """Write FOLDER/void.ttl and what it offers for download besides the whole graph, which `build`
    writes: each source's graph, in every export format. Returns a line saying what was written."""
    triples = checked(dataset, base, endpoint, issued or build_date())
    written = 0
    for name, payload in source_files(dataset, progress):
        write_atomically(folder / name, payload)
        written += 1
    write_atomically(folder / "void.ttl", render(triples, "turtle", dataset.layout.vocabulary))
    return f"describe: void.ttl and {written} per-source file(s) -> {folder}"


def published_files(dataset: Dataset, progress: Progress = SILENT) -> dict[str, bytes]:
    """Every file the description (at its default base, the base IRI's export/) offers for download, and the
    description itself as void.ttl, by name in the export folder: what `site` publishes in its
    EXPORT_FOLDER, so that each download URL the description names is a file of the site."""
    files = {"void.ttl": render(checked(dataset, None, None, build_date()), "turtle", dataset.layout.vocabulary)}
    whole = export_quads(dataset)
    for fmt, rdf_format in RDF_FORMATS.items():
        files[export_file(rdf_format.extension)] = serialise(whole, fmt, dataset)
    files.update(source_files(dataset, progress))
    return files
