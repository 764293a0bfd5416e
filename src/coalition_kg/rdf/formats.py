"""The RDF formats and the SPARQL query-result formats, each written once: its name (as --format and
the export's file names spell it), file extension, media type, W3C format IRI
(http://www.w3.org/ns/formats/) and pyoxigraph's format. The CLI, export, content negotiation, the
dataset description, serve and the site all read these tables rather than keep lists of their own.
pyoxigraph is imported only when its format is asked for: the CLI reads the names at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import pyoxigraph as ox

W3C_FORMATS = "http://www.w3.org/ns/formats/"  # the W3C's registry of format IRIs


@dataclass(frozen=True)
class RdfFormat:
    name: str  # as --format takes it
    label: str  # as people name it (and pyoxigraph does)
    extension: str  # without the dot
    media_type: str
    w3c_name: str  # in the W3C's registry; pyoxigraph's own RdfFormat.iri is wrong for JSON-LD
    ox_name: str  # the pyoxigraph.RdfFormat member
    holds_graphs: bool  # a dataset format (named graphs), or a triple format
    takes_prefixes: bool  # the syntax has prefixed names (written with the export's prefixes)

    @property
    def suffix(self) -> str:
        return "." + self.extension

    @property
    def w3c(self) -> str:
        return W3C_FORMATS + self.w3c_name

    @property
    def ox_format(self) -> ox.RdfFormat:
        import pyoxigraph as ox  # noqa: PLC0415 (the CLI reads this table at start-up, without the engine)

        return cast("ox.RdfFormat", getattr(ox.RdfFormat, self.ox_name))


# In the order the CLI lists them and export writes them.
RDF_FORMATS: dict[str, RdfFormat] = {f.name: f for f in (
    RdfFormat("turtle", "Turtle", "ttl", "text/turtle", "Turtle", "TURTLE", False, True),
    RdfFormat("nt", "N-Triples", "nt", "application/n-triples", "N-Triples", "N_TRIPLES", False, False),
    RdfFormat("xml", "RDF/XML", "rdf", "application/rdf+xml", "RDF_XML", "RDF_XML", False, True),
    RdfFormat("jsonld", "JSON-LD", "jsonld", "application/ld+json", "JSON-LD", "JSON_LD", True, False),
    RdfFormat("trig", "TriG", "trig", "application/trig", "TriG", "TRIG", True, True),
    RdfFormat("nquads", "N-Quads", "nq", "application/n-quads", "N-Quads", "N_QUADS", True, False),
)}
BY_MEDIA_TYPE: dict[str, RdfFormat] = {f.media_type: f for f in RDF_FORMATS.values()}
TURTLE, JSON_LD = RDF_FORMATS["turtle"], RDF_FORMATS["jsonld"]


@dataclass(frozen=True)
class ResultFormat:
    """A format for SELECT and ASK answers; no media type: for people only (the table)."""

    name: str
    media_type: str | None
    w3c_name: str | None
    ox_name: str | None  # the pyoxigraph.QueryResultsFormat member

    @property
    def w3c(self) -> str | None:
        return self.w3c_name and W3C_FORMATS + self.w3c_name

    @property
    def ox_format(self) -> ox.QueryResultsFormat | None:
        import pyoxigraph as ox  # noqa: PLC0415 (the CLI reads this table at start-up, without the engine)

        return cast("ox.QueryResultsFormat", getattr(ox.QueryResultsFormat, self.ox_name)) if self.ox_name else None


# In the order the CLI lists them.
RESULT_FORMATS: dict[str, ResultFormat] = {f.name: f for f in (
    ResultFormat("table", None, None, None),
    ResultFormat("csv", "text/csv", "SPARQL_Results_CSV", "CSV"),
    ResultFormat("tsv", "text/tab-separated-values", "SPARQL_Results_TSV", "TSV"),
    ResultFormat("json", "application/sparql-results+json", "SPARQL_Results_JSON", "JSON"),
)}
RESULTS_XML = ResultFormat("xml", "application/sparql-results+xml", "SPARQL_Results_XML", "XML")  # serve only
