"""Reading SPARQL text without a full parser: what is code and what sits in comments, strings and
IRIs. Enough to find a query's WHERE group, its form, and whether it asks for SERVICE."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .errors import CoalitionKGError

UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
QUERY_WORDS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_WORD = re.compile(r"[?$]?[A-Za-z_][\w.:-]*")


def code(text: str) -> Iterator[tuple[int, str]]:
    """(index, character) for every character outside comments, string literals and IRIs."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c == "<" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] not in "=":
            end = text.find(">", i)
            i = n if end < 0 else end + 1
            yield i - 1, " "  # an IRI separates words as a space would
            continue
        if c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            yield i - 1, " "
            continue
        yield i, c
        i += 1


def where_brace(text: str) -> int:
    """Index of the first '{' in code: the start of the WHERE group."""
    for i, c in code(text):
        if c == "{":
            return i
    raise CoalitionKGError("the query has no WHERE group to bind parameters into")


def keywords(text: str) -> list[str]:
    """The bare words of the code, upper-cased (prefixed names and variables keep their ':', '?')."""
    stripped = "".join(c for _, c in code(text))
    return [w.upper() for w in _WORD.findall(stripped) if ":" not in w and w[0] not in "?$"]


def form_of(text: str) -> str:
    """'select', 'ask', 'construct', 'describe', or 'update' for a SPARQL Update request; '' if neither."""
    for word in keywords(text):
        if word in QUERY_WORDS:
            return word.lower()
        if word in UPDATE_WORDS:
            return "update"
    return ""


def asks_for_service(text: str) -> bool:
    """Does the query reach out to other endpoints (SERVICE)? The engine would follow it."""
    return "SERVICE" in keywords(text)


_SERVICE = re.compile(r"(?<![\w:?$.-])SERVICE(\s+SILENT)?(?![\w:.-])", re.I)


def without_service(text: str) -> str:
    """The query with each SERVICE [SILENT] written as GRAPH, padded with spaces (line breaks kept):
    the same grammar (SERVICE SILENT? VarOrIri GroupGraphPattern), the same line and column numbers,
    and nothing the engine would fetch. For checking a query's syntax without reaching out."""
    masked = ["\0"] * len(text)  # what is not code (comments, strings, IRIs) cannot match
    for i, c in code(text):
        if i < len(text):  # an unclosed string or IRI ends past the text
            masked[i] = c
    parts, last = [], 0
    for match in _SERVICE.finditer("".join(masked)):
        rest = re.sub(r"[^\n]", " ", text[match.start() + 5 : match.end()])
        parts += [text[last : match.start()], "GRAPH", rest]
        last = match.end()
    return "".join(parts) + text[last:]
