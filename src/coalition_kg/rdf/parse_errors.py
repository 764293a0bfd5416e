"""A Turtle syntax error as one line naming the file, line and column, in the parser's words or, for a
file that is not Turtle at all, in plainer ones."""

from __future__ import annotations

from coalition_kg.errors import SourceLocation, SyntaxProblem


def turtle_problem(error: SyntaxError, shown: str, data: bytes = b"") -> SyntaxProblem:
    """pyoxigraph's SyntaxError for the file ``shown`` (whose bytes are ``data``) as a SyntaxProblem."""
    line, column = _position(error)
    message = str(error.args[0]) if error.args else str(error)
    message = message.split(": ", 1)[1] if message.startswith("Parser error ") else message
    if line == 1:  # a file in another encoding or format says so at once; the parser's words would not
        message = next((what for signature, what in _NOT_TURTLE if data.startswith(signature)), message)
    return SyntaxProblem(SourceLocation(shown, line, column), message)


_NOT_TURTLE = (*((bom, f"the file is {name} (it starts with a {name} byte-order mark); Turtle must be UTF-8")
                  for name, bom in (("UTF-32", b"\xff\xfe\x00\x00"), ("UTF-32", b"\x00\x00\xfe\xff"),
                                    ("UTF-16", b"\xff\xfe"), ("UTF-16", b"\xfe\xff"))),
               (b"<?xml", "the file is XML (RDF/XML?), not Turtle"), (b"<rdf:RDF", "the file is RDF/XML, not Turtle"))


def _position(error: SyntaxError) -> tuple[int | None, int | None]:
    if len(error.args) > 1 and isinstance(error.args[1], tuple) and len(error.args[1]) >= 3:
        return error.args[1][1], error.args[1][2]
    return getattr(error, "lineno", None), getattr(error, "offset", None)
