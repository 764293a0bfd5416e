"""Serialising the graph in every standard RDF format (rdf/formats.py lists them)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import cast

import pyoxigraph as ox

from coalition_kg.errors import UsageProblem
from coalition_kg.progress import SILENT, Progress
from coalition_kg.publish.jsonld_context import (
    IRI,
    LANG_STRING,
    RDF_TYPE,
    XSD_STRING,
    Context,
    Kind,
    Ontology,
    context_file,
)
from coalition_kg.rdf.formats import JSON_LD, RDF_FORMATS
from coalition_kg.rdf.namespaces import XSD
from coalition_kg.reasoning.owl_rl import DEFAULT_REASONER, entailments
from coalition_kg.repository.dataset import Dataset
from coalition_kg.repository.vocabulary import DEFAULT, OUTPUT, Vocabulary


def export_quads(dataset: Dataset, inferred: bool = False, reasoner: str | None = None,
                 progress: Progress = SILENT) -> list[ox.Quad]:
    """The data graphs and the derived shortcuts; with ``inferred``, the OWL-RL entailments too,
    in a graph of their own (the dataset's, if drawn already by the default reasoner). The ontology
    is published on its own, not mixed into the data."""
    vocabulary = dataset.layout.vocabulary
    quads = dataset.quads(dataset.published_graphs)
    if inferred:
        graph = ox.NamedNode(vocabulary.inferred_graph)
        reasoner = reasoner or DEFAULT_REASONER
        if reasoner != DEFAULT_REASONER or graph not in set(dataset.store.named_graphs()):
            with progress.stage(f"OWL-RL inference ({reasoner})"):
                entailed = entailments(dataset, reasoner)
            quads += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in entailed]
        else:
            quads += dataset.quads([vocabulary.inferred_graph])
    return quads


def serialise(quads: list[ox.Quad], fmt: str, dataset: Dataset | None = None,
              vocabulary: Vocabulary | None = None) -> bytes:
    """``quads`` in format ``fmt``; JSON-LD names the terms of ``dataset``'s ontology too, if given.
    The prefixes are ``vocabulary``'s (by default the dataset's)."""
    if fmt not in RDF_FORMATS:
        raise UsageProblem(f"unknown export format {fmt!r} (one of {', '.join(RDF_FORMATS)})")
    rdf_format = RDF_FORMATS[fmt]
    vocabulary = vocabulary or (dataset.layout.vocabulary if dataset is not None else DEFAULT)
    if rdf_format is JSON_LD:
        return jsonld(quads, dataset.quads([vocabulary.ontology_graph]) if dataset is not None else (), vocabulary)
    items: list[ox.Quad] | list[ox.Triple]
    if rdf_format.holds_graphs:
        items = quads
    else:  # a triple format holds no graph names: merge, once per distinct triple
        items = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    prefixes = vocabulary.prefixes(*OUTPUT) if rdf_format.takes_prefixes else None
    # no output given: the bytes
    return cast("bytes", ox.serialize(items, format=rdf_format.ox_format, prefixes=prefixes))


# A value in one pass of jsonld(): an IRI or "_:label" as a string, a literal as (lexical, datatype,
# language, direction); a node: property -> its values; a property as written: (key, type, language, array)
Value = str | tuple[str, str, str | None, str | None]
Node = dict[str, list[Value]]
Property = tuple[str, str | None, str | None, bool]


def jsonld(quads: list[ox.Quad], ontology: Iterable[ox.Quad] = (), vocabulary: Vocabulary = DEFAULT) -> bytes:
    """JSON-LD compacted against our context (jsonld_context.py), which the document embeds, so that
    it reads offline with no loader: one object per node in each named graph, the terms' short names
    as keys, compact IRIs, and plain JSON strings and numbers wherever the term's coercion says what a
    value is. A blank node referenced once, in its own graph, is written inside the node that
    references it (an evidence quote inside its fact). Written in one pass over the quads, not by a
    JSON-LD processor: rdflib's or PyLD's compaction take minutes on a million triples."""
    graphs: dict[str, dict[str, dict[str, list[Value]]]] = {}  # graph -> subject -> property -> values
    usage: dict[str, set[Kind]] = {}  # property -> kinds of its values
    classes: set[str] = set()
    multiple: set[str] = set()  # properties with several values on some node
    references: dict[str, int] = {}  # blank node -> how many times it is an object
    referenced_in: dict[str, str] = {}  # blank node -> the graph of (its last) reference
    subject_in: dict[str, set[str]] = {}  # blank node -> the graphs it is a subject in
    # Values: an IRI or "_:label" as a string (no absolute IRI starts with "_:"), a literal as a tuple.
    for quad in quads:
        graph = quad.graph_name
        key = graph.value if type(graph) is ox.NamedNode else "_:" + graph.value if type(graph) is ox.BlankNode else ""
        nodes = graphs.get(key)
        if nodes is None:
            nodes = graphs[key] = {}
        term = quad.subject
        if type(term) is ox.NamedNode:
            subject = term.value
        elif type(term) is ox.BlankNode:
            subject = "_:" + term.value
        else:
            raise UsageProblem(f"JSON-LD cannot write a triple term as a subject: {term}")
        node = nodes.get(subject)
        if node is None:
            node = nodes[subject] = {}
            if subject.startswith("_:"):
                subject_in.setdefault(subject, set()).add(key)
        predicate = quad.predicate.value
        obj = quad.object
        value: Value
        kind: Kind
        if type(obj) is ox.NamedNode:
            value = obj.value
            kind = IRI
            if predicate == RDF_TYPE:
                classes.add(value)
        elif type(obj) is ox.BlankNode:
            value = "_:" + obj.value
            kind = IRI
            references[value] = references.get(value, 0) + 1
            referenced_in[value] = key
        elif type(obj) is ox.Literal:
            language = obj.language
            if language:
                # "rtl" or "ltr" as JSON-LD writes it (pyoxigraph's BaseDirection is no JSON value)
                value = (obj.value, LANG_STRING, language, str(obj.direction) if obj.direction else None)
                kind = (LANG_STRING, language)
            else:
                datatype = obj.datatype.value
                value = (obj.value, datatype, None, None)
                kind = (datatype, None)
        else:
            raise UsageProblem(f"JSON-LD cannot write a triple term as an object: {obj}")
        kinds = usage.get(predicate)
        if kinds is None:
            usage[predicate] = {kind}
        else:
            kinds.add(kind)
        values = node.get(predicate)
        if values is None:
            node[predicate] = [value]
        else:
            values.append(value)
            multiple.add(predicate)

    context = Context(Ontology.of(ontology, vocabulary.ontology), usage, classes, vocabulary)
    for predicate in multiple:
        if predicate in context.terms:
            context.terms[predicate].multiple = True
    compact, terms = context.compact, context.terms
    graph_names = {key for key in graphs if key.startswith("_:")}
    embeddable = {node for node, count in references.items()
                  if count == 1 and subject_in.get(node) == {referenced_in[node]} and node not in graph_names}
    visited: set[str] = set()
    properties: dict[str, Property] = {}

    def describe(predicate: str) -> Property:
        term = terms.get(predicate)
        if term is None:
            properties[predicate] = (compact(predicate), None, None, False)
        else:
            properties[predicate] = (term.name, term.type, term.language, term.multiple)
        return properties[predicate]

    def class_name(iri: str) -> str:
        term = terms.get(iri)
        return term.name if term is not None else compact(iri)

    def write_node(subject: str, node: Node, nodes: dict[str, Node], depth: int, inside: bool) -> dict[str, object]:
        out: dict[str, object] = {} if inside else {"@id": subject if subject.startswith("_:") else compact(subject)}
        types = node.get(RDF_TYPE, ())
        iri_types = sorted(class_name(t) for t in types if type(t) is str and not t.startswith("_:"))
        if iri_types:
            out["@type"] = iri_types[0] if len(iri_types) == 1 else iri_types
        entries = []
        for predicate, values in node.items():
            if predicate == RDF_TYPE:
                values = [t for t in values if type(t) is not str or t.startswith("_:")]
                if not values:
                    continue
            entries.append((properties.get(predicate) or describe(predicate), values))
        entries.sort(key=lambda entry: entry[0][0])
        for (key, coercion, language, always_array), values in entries:
            written: list[object] = []  # JSON values: strings, numbers, booleans, objects
            for value in values:
                if isinstance(value, str):
                    if value.startswith("_:"):
                        if value in embeddable and value not in visited and depth < MAX_NESTING:
                            visited.add(value)
                            written.append(write_node(value, nodes[value], nodes, depth + 1, True))
                            continue
                    else:
                        value = compact(value)
                    written.append(value if coercion == IRI else {"@id": value})
                    continue
                lexical, datatype, tag, direction = value
                if tag:
                    if direction:
                        written.append({"@value": lexical, "@language": tag, "@direction": direction})
                    else:
                        written.append(lexical if tag == language else {"@value": lexical, "@language": tag})
                elif datatype == XSD_STRING:
                    written.append(lexical if coercion is None and language is None else {"@value": lexical})
                elif datatype == coercion or (coercion is None and language is None and datatype in NATIVE):
                    native = NATIVE.get(datatype)
                    plain = native(lexical) if native else None  # a JSON number or boolean, if canonical
                    if plain is not None:
                        written.append(plain)
                    elif datatype == coercion:
                        written.append(lexical)
                    else:
                        written.append({"@value": lexical, "@type": compact(datatype)})
                else:
                    written.append({"@value": lexical, "@type": compact(datatype)})
            if len(written) > 1:  # in a fixed order, whatever the blank nodes' labels
                written.sort(key=lambda v: v if type(v) is str else json.dumps(v, ensure_ascii=False, sort_keys=True))
            out[key] = written if always_array or len(written) != 1 else written[0]
        return out

    def write_graph(nodes: dict[str, Node]) -> list[dict[str, object]]:
        written = [write_node(s, nodes[s], nodes, 0, False) for s in sorted(nodes) if s not in embeddable]
        while True:  # blank nodes left over: in a cycle, or nested too deep; each keeps its @id
            left = sorted(s for s in nodes if s in embeddable and s not in visited)
            if not left:
                return written
            for subject in left:
                if subject not in visited:
                    visited.add(subject)
                    written.append(write_node(subject, nodes[subject], nodes, 0, False))

    default = write_graph(graphs.pop("", {}))
    by_id = {node["@id"]: node for node in default}
    for name in sorted(graphs):
        identifier = name if name.startswith("_:") else compact(name)
        if identifier in by_id:  # the graph's own node in the default graph carries its @graph
            by_id[identifier]["@graph"] = write_graph(graphs[name])
        else:
            default.append({"@id": identifier, "@graph": write_graph(graphs[name])})
    document = {"@context": context.definitions(), "@graph": default}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


MAX_NESTING = 32  # blank nodes nested deeper are written at the top of their graph, by @id
_INTEGER = re.compile(r"-?[1-9][0-9]{0,14}|0")  # canonical, and exact in a JavaScript number
# datatypes whose canonical values JSON writes natively (JSON-LD reads them back the same)
NATIVE: dict[str, Callable[[str], int | bool | None]] = {
    XSD + "integer": lambda lexical: int(lexical) if _INTEGER.fullmatch(lexical) else None,
    XSD + "boolean": {"true": True, "false": False}.get,
}


def jsonld_context_of(document: bytes) -> bytes:
    """The context a JSON-LD export embeds, as a file of its own (``context.jsonld``) for documents
    that link it rather than repeat it."""
    text = document.decode("utf-8")
    context, _ = json.JSONDecoder().raw_decode(text, text.index(":", text.index('"@context"') + 10) + 1)
    return context_file(context)
