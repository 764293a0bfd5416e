"""HTTP content negotiation for query answers: the client's Accept header (or an explicit format
name) against the formats an answer of that kind can be written in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

from coalition_kg.rdf.formats import RDF_FORMATS, RESULT_FORMATS, RESULTS_XML

if TYPE_CHECKING:
    import pyoxigraph as ox

# Per kind of answer, the formats in order of preference when the client accepts anything.
_JSON, _CSV, _TSV = (RESULT_FORMATS[name] for name in ("json", "csv", "tsv"))
# (the table types both as optional: its "table" format has neither; each of these has both)
RESULTS = cast("dict[str, ox.QueryResultsFormat]", {  # SELECT and ASK
    **{f.media_type: f.ox_format for f in (_JSON, RESULTS_XML, _CSV, _TSV)},
    "application/json": _JSON.ox_format,
    "application/xml": RESULTS_XML.ox_format,
})
GRAPHS = {  # CONSTRUCT and DESCRIBE
    **{f.media_type: f.ox_format for f in (RDF_FORMATS[name] for name in ("turtle", "nt", "xml", "jsonld", "nquads",
                                                                             "trig"))},
    "text/plain": RDF_FORMATS["nt"].ox_format,
}
# Names a client may give in ?format=, ?output= or ?results= (a browser form cannot set Accept;
# SPARQLWrapper sends all three, with its own names), per kind of answer: "xml" is a results document
# for SELECT and RDF/XML for CONSTRUCT; N3 is answered as Turtle, which N3 contains. A full media type
# is understood too. Our own format names (rdf/formats.py), and other names clients use.
RESULT_NAMES = {f.name: f.media_type for f in (_JSON, RESULTS_XML, _CSV, _TSV)}
_GRAPH_ALIASES = {"turtle": ("ttl", "n3"), "xml": ("rdfxml", "rdf+xml", "rdf"), "nt": ("ntriples", "n-triples"),
                  "jsonld": ("json-ld",), "nquads": ("n-quads",), "trig": ()}
GRAPH_NAMES = {alias: RDF_FORMATS[name].media_type for name, aliases in _GRAPH_ALIASES.items()
               for alias in (name, *aliases)}
FORMAT_PARAMETERS = ("format", "output", "results")


def accepted(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header, best first (RFC 9110: q-value, then specificity)."""
    ranges = []
    for position, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for field in fields[1:]:
            name, _, value = field.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
        specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        ranges.append((media, q, specificity, position))
    ranges.sort(key=lambda r: (-r[1], -r[2], r[3]))
    return [(media, q) for media, q, _, _ in ranges]


def choose(header: str | None, offered: Mapping[str, object]) -> str | None:
    """The media type of ``offered`` the client likes best, or None if it accepts none of them."""
    refused = {media for media, q in accepted(header) if q == 0}
    for media, q in accepted(header):
        if q == 0:
            continue
        if media == "*/*":
            return next((m for m in offered if m not in refused), None)
        if media.endswith("/*"):
            match = next((m for m in offered if m.startswith(media[:-1]) and m not in refused), None)
            if match:
                return match
        elif media in offered:
            return media
    return None


def offered_for(kind: str) -> Mapping[str, object]:
    return GRAPHS if kind in ("construct", "describe") else RESULTS


def named(fmt: str, offered: Mapping[str, object]) -> str | None:
    """The media type a format name stands for, if it is one of ``offered``."""
    name = fmt.strip().lower()
    media = (GRAPH_NAMES if "text/turtle" in offered else RESULT_NAMES).get(name, name)
    return media if media in offered else None


def pick(names: tuple[str, ...], accept: str | None, offered: Mapping[str, object]) -> str | None:
    """The first format name that fits ``offered``; else the Accept header's choice; else None."""
    return next((media for name in names if (media := named(name, offered))), None) or choose(accept, offered)


def answer_media(form: str, accept: str | None, fmt: str | tuple[str, ...] | None
                 ) -> tuple[str, None] | tuple[None, tuple[int, str]]:
    """(the media type to write an answer of this form in, None) or (None, (status, why not)). The
    first of the format names (``format=``, ``output=``, ``results=``) that this form can be written
    in wins over the Accept header; a name we do not know, or one for another form, falls back to
    Accept, as Fuseki and Virtuoso do (clients send them on every request, whatever the query)."""
    offered = offered_for(form)
    media = pick((fmt,) if isinstance(fmt, str) else fmt or (), accept, offered)
    if media is None:
        return None, (406, f"none of the accepted types ({accept}) can hold this answer; offered: {', '.join(offered)}")
    return media, None
