"""Writing query results: a readable table, or the SPARQL 1.1 CSV, TSV and JSON result formats (their names
and media types: rdf/formats.py RESULT_FORMATS)."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox

from coalition_kg.query.store import Results, Term
from coalition_kg.rdf.namespaces import XSD
from coalition_kg.repository.vocabulary import DEFAULT, Vocabulary

SHORT = ("id", "src", "graph", "ckg", "org", "prov", "schema", "skos", "xsd")  # the prefixes a table shows


def json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def readable(term: Term, vocabulary: Vocabulary = DEFAULT) -> str:
    """A short form for people: prefixed names for IRIs, bare text for literals."""
    if isinstance(term, ox.NamedNode):
        return vocabulary.compress(term.value, SHORT) or term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def render(results: Results, fmt: str, vocabulary: Vocabulary = DEFAULT) -> str:
    if fmt == "json":
        if results.boolean is not None:
            return json.dumps({"head": {}, "boolean": results.boolean}, indent=2) + "\n"
        body = {"head": {"vars": results.variables},
                "results": {"bindings": [{k: json_term(v) for k, v in row.items()} for row in results.rows]}}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    if results.boolean is not None:
        return ("true" if results.boolean else "false") + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(results.variables)
        for row in results.rows:
            writer.writerow([row[v].value if v in row else "" for v in results.variables])
        return out.getvalue()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in results.variables)]
        for row in results.rows:
            lines.append("\t".join(str(row[v]) if v in row else "" for v in results.variables))
        return "\n".join(lines) + "\n"
    return table(results, vocabulary)


def table(results: Results, vocabulary: Vocabulary = DEFAULT) -> str:
    header = results.variables
    cells = [[readable(row[v], vocabulary) if v in row else "" for v in header] for row in results.rows]
    widths = [min(60, max([len(h)] + [len(c[i]) for c in cells])) for i, h in enumerate(header)]

    def line(values: list[str]) -> str:
        cells = ((v if len(v) <= w else v[: w - 1] + "…").ljust(w) for v, w in zip(values, widths, strict=True))
        return "  ".join(cells).rstrip()

    out = [line(header), line(["-" * w for w in widths])] + [line(c) for c in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"
