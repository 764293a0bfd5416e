"""An OpenAPI 3 description of `serve`, generated from the stored queries' `#+` headers in the spirit
of grlc: one GET operation per query, its parameters typed as the header types them."""

from __future__ import annotations

from . import __version__
from .catalogue import StoredQuery

SCHEMAS = {  # a parameter's header type -> its JSON schema
    "iri": {"type": "string", "description": "an absolute IRI, or an entity slug such as `morocco`"},
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "integer": {"type": "integer"},
}
RESULTS = {"application/sparql-results+json": {"schema": {"type": "object"}},
           "text/csv": {"schema": {"type": "string"}}}
PROBLEM = {"text/plain": {"schema": {"type": "string"}}}


def _operation(query: StoredQuery) -> dict:
    parameters = []
    for param in query.params:
        entry = {"name": param.name, "in": "query", "required": param.default is None,
                 "description": param.description or param.name, "schema": dict(SCHEMAS[param.type])}
        if param.default is not None:
            entry["schema"]["default"] = param.default
        if param.example is not None:
            entry["example"] = param.example
        parameters.append(entry)
    return {
        "operationId": query.name.replace("-", "_"),
        "summary": query.summary or query.name,
        "description": query.description,
        "tags": query.tags,
        "parameters": parameters,
        "responses": {
            "200": {"description": "the answer, as SPARQL JSON results or CSV (by the Accept header)",
                    "content": RESULTS},
            "400": {"description": "a missing, unknown or badly typed parameter", "content": PROBLEM},
            "406": {"description": "no acceptable format", "content": PROBLEM},
            "422": {"description": "the answer exceeds the server's row cap", "content": PROBLEM},
            "503": {"description": "the query ran past the server's time limit", "content": PROBLEM},
        },
    }


def describe(catalogue: dict[str, StoredQuery]) -> dict:
    paths = {f"/queries/{name}": {"get": _operation(query)} for name, query in sorted(catalogue.items())}
    paths["/sparql"] = {"get": {
        "operationId": "sparql",
        "summary": "SPARQL 1.1 Protocol query endpoint (read-only; POST is accepted too)",
        "parameters": [
            {"name": "query", "in": "query", "required": True, "schema": {"type": "string"}},
            {"name": "default-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "named-graph-uri", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
        ],
        "responses": {"200": {"description": "the answer, in the negotiated format"},
                      "400": {"description": "a malformed query", "content": PROBLEM},
                      "403": {"description": "an update: the endpoint is read-only", "content": PROBLEM}},
    }}
    return {
        "openapi": "3.0.3",
        "info": {"title": "coalition-kg stored queries", "version": __version__,
                 "description": "The knowledge graph of the diplomacy around the Global Coalition to Defeat "
                                "ISIS: each stored query as a REST operation."},
        "paths": paths,
    }
