"""An OpenAPI 3 description of `serve`, generated from the stored queries in the spirit of grlc: one
GET operation per query, its parameters read by catalogue.py from the query's variables, each with a
schema as strict as the binder (the same patterns), real response schemas and every error serve gives."""

from __future__ import annotations

from collections.abc import Iterable

from coalition_kg import __version__
from coalition_kg.query.catalogue import MAX_VALUES, PATTERNS, StoredQuery
from coalition_kg.serve.negotiation import GRAPHS
from coalition_kg.serve.negotiation import RESULTS as RESULT_TYPES

SCHEMAS = {  # a parameter's type -> its JSON schema: what catalogue.to_term accepts, no more, no less
    "iri": {"type": "string", "pattern": PATTERNS["iri"],
            "description": "an absolute IRI (ASCII, other characters %-encoded), or an entity slug such as `morocco`"},
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date", "pattern": PATTERNS["date"]},
    "integer": {"type": "string", "pattern": PATTERNS["integer"],
                "description": "an integer of any length, in decimal digits"},
}
TERM = {  # one RDF term in SPARQL 1.1 Query Results JSON Format, section 3.2.2
    "type": "object", "required": ["type", "value"],
    "properties": {"type": {"type": "string", "enum": ["uri", "literal", "bnode", "triple"]},
                   "value": {}, "xml:lang": {"type": "string"}, "datatype": {"type": "string"}},
}
SPARQL_JSON = {  # SELECT (head.vars, results.bindings) or ASK (boolean)
    "type": "object", "required": ["head"],
    "properties": {
        "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}},
                                                  "link": {"type": "array", "items": {"type": "string"}}}},
        "results": {"type": "object", "required": ["bindings"],
                    "properties": {"bindings": {"type": "array",
                                                "items": {"type": "object", "additionalProperties": TERM}}}},
        "boolean": {"type": "boolean"},
    },
}
TEXT = {"type": "string"}
PROBLEM = {"text/plain": {"schema": TEXT}}
ERRORS = {  # every status serve answers with one line of text/plain
    "400": "a missing, unknown, repeated or badly typed parameter, a value outside a parameter's enumeration, "
           "an empty list or one of more values than its maxItems, or malformed SPARQL",
    "404": "no such stored query",
    "405": "a method this resource does not allow (the Allow header lists those it does)",
    "406": "no format the Accept header allows",
    "422": "the answer exceeds the server's row or byte cap",
    "503": "the query ran past the server's time or memory limit",
}

Responses = dict[str, dict[str, object]]  # an operation's responses, by status code


def _errors(*codes: str, **extra: str) -> Responses:
    answers: Responses = {code: {"description": ERRORS[code], "content": PROBLEM} for code in codes}
    answers.update({code: {"description": text, "content": PROBLEM} for code, text in extra.items()})
    answers["405"]["headers"] = {"Allow": {"description": "the methods allowed", "schema": TEXT}}
    return answers


def _content(media_types: Iterable[str]) -> dict[str, object]:
    return {media: {"schema": SPARQL_JSON if media.endswith("json") and "ld+" not in media else
                    ({} if media == "application/ld+json" else TEXT)} for media in media_types}


def _operation(query: StoredQuery) -> dict[str, object]:
    parameters = []
    for param in query.params:
        schema: dict[str, object] = dict(SCHEMAS[param.type])
        if param.choices:  # every spelling the binder takes (an IRI also by its compact form), no other
            schema = {"type": "string", "enum": list(param.choices)}
        if param.multiple:  # ?role=a&role=b (form style, exploded): a VALUES row each
            schema = {"type": "array", "items": schema, "minItems": 1, "maxItems": MAX_VALUES}
        if param.default is not None:
            schema["default"] = [param.default] if param.multiple else param.default
        entry = {"name": param.name, "in": "query", "required": param.required and param.default is None,
                 "description": param.description or param.name, "schema": schema}
        if param.multiple:
            entry.update(style="form", explode=True)
        if param.example is not None:
            entry["example"] = [param.example] if param.multiple else param.example
        parameters.append(entry)
    return {
        "operationId": query.name.replace("-", "_"),
        "summary": query.summary or query.name,
        "description": query.description,
        "tags": query.tags,
        "parameters": parameters,
        "responses": {
            "200": {"description": "the answer, as SPARQL JSON results or CSV (by the Accept header)",
                    "content": _content(["application/sparql-results+json", "application/json", "text/csv"])},
            **_errors("400", "404", "405", "406", "422", "503"),
        },
    }


def _sparql(method: str) -> dict[str, object]:
    answers: Responses = {"200": {"description": "the answer, in the negotiated format (results for SELECT and ASK, "
                                      "a graph for CONSTRUCT and DESCRIBE)",
                       "content": _content([*RESULT_TYPES, *GRAPHS])},
               **_errors("400", "405", "406", "422", "503", **{"403": "an update: the endpoint is read-only"})}
    graphs = {"type": "array", "items": {"type": "string"}}
    operation: dict[str, object] = {"operationId": f"sparql_{method}", "responses": answers,
                 "summary": "SPARQL 1.1 Protocol query endpoint (read-only)"}
    if method == "get":
        operation["parameters"] = [
            {"name": "query", "in": "query", "required": False, "schema": TEXT,
             "description": "the SPARQL query (any text is schema-valid; serve refuses malformed SPARQL with 400)"},
            {"name": "default-graph-uri", "in": "query", "schema": graphs, "explode": True},
            {"name": "named-graph-uri", "in": "query", "schema": graphs, "explode": True},
        ]
    else:
        answers["413"] = {"description": "a request body over the size limit", "content": PROBLEM}
        answers["415"] = {"description": "a body that is neither a form nor application/sparql-query",
                          "content": PROBLEM}
        operation["requestBody"] = {"required": True, "content": {
            "application/sparql-query": {"schema": TEXT},
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["query"],
                "properties": {"query": TEXT, "default-graph-uri": graphs, "named-graph-uri": graphs}}},
        }}
    return operation


def describe(catalogue: dict[str, StoredQuery]) -> dict[str, object]:
    paths = {f"/queries/{name}": {"get": _operation(query)} for name, query in sorted(catalogue.items())}
    paths["/sparql"] = {"get": _sparql("get"), "post": _sparql("post")}
    return {
        "openapi": "3.0.3",
        "info": {"title": "coalition-kg stored queries", "version": __version__,
                 "description": "The knowledge graph of the diplomacy around the Global Coalition to Defeat "
                                "ISIS: each stored query as a REST operation."},
        "servers": [{"url": "/", "description": "this server (the description is served by the API it describes)"}],
        "paths": paths,
    }
