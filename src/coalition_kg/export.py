"""Serialising the graph in every standard RDF format; files are written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyoxigraph as ox

from . import layout as lay
from .dataset import Dataset
from .errors import UsageProblem
from .progress import SILENT, Progress

FORMATS = {
    "turtle": (ox.RdfFormat.TURTLE, "ttl"),
    "nt": (ox.RdfFormat.N_TRIPLES, "nt"),
    "xml": (ox.RdfFormat.RDF_XML, "rdf"),
    "jsonld": (ox.RdfFormat.JSON_LD, "jsonld"),
    "trig": (ox.RdfFormat.TRIG, "trig"),
    "nquads": (ox.RdfFormat.N_QUADS, "nq"),
}
PREFIXES = {
    "ckg": lay.ONTOLOGY_NS, "id": lay.BASE + "id/", "src": lay.BASE + "source/",
    "org": "http://www.w3.org/ns/org#", "prov": "http://www.w3.org/ns/prov#", "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "oa": "http://www.w3.org/ns/oa#",
    "dcterms": "http://purl.org/dc/terms/", "wd": "http://www.wikidata.org/entity/",
}


def export_quads(dataset: Dataset, inferred: bool = False, reasoner: str | None = None,
                 progress: Progress = SILENT) -> list[ox.Quad]:
    """The data graphs and the derived shortcuts; with ``inferred``, the OWL-RL entailments too,
    in a graph of their own. The ontology is published on its own, not mixed into the data."""
    graphs = dataset.data_graphs + [lay.DERIVED_GRAPH]
    quads = dataset.quads(graphs)
    if inferred:
        from .reasoning import DEFAULT_REASONER, entailments

        graph = ox.NamedNode(lay.INFERRED_GRAPH)
        reasoner = reasoner or DEFAULT_REASONER
        with progress.stage(f"OWL-RL inference ({reasoner})"):
            quads += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in entailments(dataset, reasoner)]
    return quads


def serialise(quads: list[ox.Quad], fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise UsageProblem(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    rdf_format, _ = FORMATS[fmt]
    if fmt == "jsonld":
        return jsonld(quads)
    if rdf_format.supports_datasets:
        items = quads
    else:  # a triple format holds no graph names: merge, once per distinct triple
        items = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    prefixes = PREFIXES if fmt in ("turtle", "trig", "xml") else None
    return ox.serialize(items, format=rdf_format, prefixes=prefixes)


def jsonld(quads: list[ox.Quad]) -> bytes:
    """JSON-LD with our prefixes as its @context, one @graph per named graph. pyoxigraph writes
    expanded JSON-LD (in Rust, so a million triples take seconds, where rdflib takes minutes); each
    IRI in it is then shortened to a compact IRI, which the context expands back."""
    import json

    expanded = json.loads(ox.serialize(quads, format=ox.RdfFormat.JSON_LD))
    namespaces = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))  # longest namespace wins

    def compact(iri: str) -> str:
        for prefix, namespace in namespaces:
            # a compact IRI whose local part starts with "//" would read as an absolute IRI
            if iri.startswith(namespace) and iri != namespace and not iri[len(namespace):].startswith("//"):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    def node(value):
        if isinstance(value, list):
            return [node(item) for item in value]
        if not isinstance(value, dict):
            return value
        out = {}
        for key, item in value.items():
            if key in ("@id", "@type"):
                item = [compact(i) for i in item] if isinstance(item, list) else compact(item)
            elif key not in ("@value", "@language", "@direction"):
                item = node(item)
            out[compact(key) if not key.startswith("@") else key] = item
        return out

    document = {"@context": PREFIXES, "@graph": node(expanded)}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_atomically(path: Path, payload: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a partial output file."""
    path = Path(path)
    if not path.parent.is_dir():
        raise UsageProblem(f"{path.parent}: no such folder for the output file")
    if path.is_dir():
        raise UsageProblem(f"{path}: is a folder; give a file name")
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise UsageProblem(f"{path}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise UsageProblem(f"{path}: cannot write: {error.strerror or error}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
