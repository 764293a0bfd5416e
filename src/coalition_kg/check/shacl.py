"""The SHACL engines. pySHACL is the reference; pyshacl-turbo, a Rust engine with pySHACL's API,
is the default because it validates a million triples in seconds rather than hours and gives the
same results on our shapes (tests/test_engines.py shows it on the real data, every invalid fixture
and synthetic data with injected violations).

Both return one dict per sh:ValidationResult, with rdflib terms whose blank-node labels are the
store's, so the locator can find a failing node again."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypedDict

import pyoxigraph as ox
import rdflib
import rdflib.collection
from rdflib.namespace import RDF, SH, XSD

from coalition_kg.errors import UsageProblem
from coalition_kg.guards.sparql import QueryRefused, check, first_use_line
from coalition_kg.rdf.terms import rdflib_graph
from coalition_kg.repository import layout as lay
from coalition_kg.repository.dataset import Dataset, graph_from_files

ENGINES = ("turbo", "pyshacl")
DEFAULT_ENGINE = "turbo"
SEVERITIES: dict[rdflib.term.Node | None, str] = {SH.Violation: "error", SH.Warning: "warning", SH.Info: "info"}


class Result(TypedDict):
    """One validation result, the same from either engine; the terms as the report gives them."""

    focus: rdflib.term.Node | None
    path: rdflib.term.Node | None
    path_text: str  # the path in SPARQL's syntax
    value: rdflib.term.Node | None
    shape: rdflib.term.Node | None
    component: rdflib.term.Node | None
    severity: str  # error, warning or info
    message: str


def run_shacl(data: ox.Store | rdflib.Graph, shapes: rdflib.Graph, engine: str = DEFAULT_ENGINE) -> list[Result]:
    """Validate ``data`` (every graph of a store, or one rdflib Graph) against ``shapes``. The SPARQL
    in the shapes is checked first, whoever loaded them (see load_shapes for the file and line)."""
    check_shape_queries(shapes)
    if engine == "turbo":
        report = _turbo(data, shapes)
    elif engine == "pyshacl":
        report = _pyshacl(data, shapes)
    else:
        raise UsageProblem(f"unknown SHACL engine {engine!r} (one of {', '.join(ENGINES)})")
    return results(report)


# The SPARQL a shape may hold, by predicate, and the form each must have (sh:update: none allowed).
SHAPE_SPARQL: dict[rdflib.term.Node, str | None] = {SH.select: "select", SH.ask: "ask", SH.construct: "construct",
                                                    SH.update: None}
# What SHACL forbids in a shape's SPARQL (section 5.2.1, pre-binding) and the engines refuse or mis-read.
FORBIDDEN_IN_SHAPES = {"InlineData": "VALUES", "ValuesClause": "VALUES", "MinusGraphPattern": "MINUS"}
_passed: set[str] = set()  # shape queries already checked: run_shacl checks again what load_shapes did


def load_shapes(paths: list[Path], layout: lay.Layout) -> rdflib.Graph:
    """Shape files into one graph, their SPARQL checked: a refusal names the file and line."""
    shapes = graph_from_files(paths, layout)
    check_shape_queries(shapes, [(layout.relative(path), path) for path in paths])
    return shapes


def shapes_of(dataset: Dataset, kind: str) -> rdflib.Graph:
    """shapes/<kind>*.ttl of the loaded repository, parsed and checked once per load."""
    return dataset.once(f"shapes:{kind}", lambda: load_shapes(dataset.layout.shape_files(kind), dataset.layout))


def _prefixes(shapes: rdflib.Graph, node: rdflib.term.Node) -> str:
    """The PREFIX lines an engine puts before a shape's query, from its sh:prefixes / sh:declare."""
    lines = []
    for owner in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(owner, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(sorted(set(lines)))


def _check_declarations(shapes: rdflib.Graph, node: rdflib.term.Node) -> None:
    """Each sh:declare the query's sh:prefixes reach is one sh:prefix string and one sh:namespace of
    datatype xsd:anyURI (SHACL 5.2.1): rudof finds no prefix in an IRI there, pySHACL and Jena take it."""
    for owner in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(owner, SH.declare):
            prefixes, namespaces = list(shapes.objects(declaration, SH.prefix)), \
                list(shapes.objects(declaration, SH.namespace))
            if len(prefixes) != 1 or not isinstance(prefixes[0], rdflib.Literal) or \
                    len(namespaces) != 1 or not isinstance(namespaces[0], rdflib.Literal) or \
                    namespaces[0].datatype != XSD.anyURI:
                raise QueryRefused("", f"a sh:declare of {owner.n3()} needs one sh:prefix and one sh:namespace "
                                       '"..."^^xsd:anyURI')


def _where(files: list[tuple[str, Path]], query: str, line: int | None) -> tuple[str, int | None]:
    """The file holding a shape's query and the line in it of the query's line ``line`` (its first
    non-blank line if None). Found by a line of the query as the file spells it (Turtle escapes can
    make some lines differ)."""
    parts = query.split("\n")
    if line is None:
        line = next((n for n, part in enumerate(parts, start=1) if part.strip()), 1)
    for shown, path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for index, part in enumerate(parts):
            unescaped = part.split("\\")[0]  # up to a backslash, which Turtle may have spelt otherwise
            at = text.find(unescaped) if len(unescaped.strip()) >= 8 else -1
            if at >= 0:
                return shown, text.count("\n", 0, at) + 1 - index + line - 1
    return "shapes/", None


def check_shape_queries(shapes: rdflib.Graph, files: Sequence[tuple[str, Path]] = ()) -> None:
    """Every sh:select, sh:ask, sh:construct of the shapes through the SPARQL checker, with the form its
    predicate names and none of what SHACL forbids there. ``files``: (as shown, path) to locate it."""
    for node, predicate, literal in shapes.triples((None, None, None)):
        if predicate not in SHAPE_SPARQL:
            continue
        query = str(literal)
        prefixes = _prefixes(shapes, node)
        if prefixes + query in _passed:
            continue
        expected = SHAPE_SPARQL[predicate]
        name = "sh:" + str(predicate).removeprefix(str(SH))
        try:
            if expected is None:
                raise QueryRefused("", f"{name} is not allowed in shapes: validation only reads the data")
            _check_declarations(shapes, node)
            checked = check(prefixes + query, "", graphs=())  # no FROM at all: the engine picks the data
            if checked.form != expected:
                raise QueryRefused("", f"{name} must hold a {expected.upper()} query, not {checked.form.upper()}")
            forbidden = sorted({FORBIDDEN_IN_SHAPES[part] for part in checked.parts if part in FORBIDDEN_IN_SHAPES})
            if forbidden:
                raise QueryRefused("", f"{' and '.join(forbidden)} not allowed in {name}: SHACL forbids it there")
            if checked.undeclared:
                raise _undeclared(sorted(checked.undeclared), prefixes + query)
        except QueryRefused as error:
            line = None if error.line is None else error.line - prefixes.count("\n")
            shown, at = _where(list(files), query, line)
            raise UsageProblem(f"{shown}{'' if at is None else f':{at}'}: a shape's {name}: {error.reason}") from None
        _passed.add(prefixes + query)


def _undeclared(prefixes: list[str], text: str) -> Exception:
    """SHACL (section 5.2.1) gives a shape's query only the prefixes its sh:prefixes declare with
    sh:declare, never the file's @prefix lines: engines that follow it (Jena, rudof) refuse the
    shapes, and those that do not (pySHACL) read the file's. Refused here, at the first use in
    ``text`` (the query after its PREFIX lines)."""
    shown = ", ".join(f"{prefix}:" for prefix in prefixes)
    return QueryRefused("", f"it uses {shown}, which its sh:prefixes do not declare with sh:declare "
                            "(SHACL 5.2.1: a shape's query sees only those)", first_use_line(text))


def _unusable(error: Exception) -> UsageProblem:
    message = " ".join(str(getattr(error, "message", error)).split())
    return UsageProblem(f"shapes/: a shape cannot be used: {message}")


def _turbo(data: ox.Store | rdflib.Graph, shapes: rdflib.Graph) -> rdflib.Graph:
    import pyshacl_turbo  # noqa: PLC0415 (each engine loads only when it is chosen)
    from pyshacl_turbo.errors import ReportableRuntimeError  # noqa: PLC0415 (with its engine)

    return _validate(pyshacl_turbo.validate, (ReportableRuntimeError, ValueError, re.error), data, shapes)


def _pyshacl(data: ox.Store | rdflib.Graph, shapes: rdflib.Graph) -> rdflib.Graph:
    import pyshacl  # noqa: PLC0415 (the reference engine, 0.4 s to import: only when chosen)
    from pyparsing import ParseException  # noqa: PLC0415 (with its engine)
    from pyshacl.errors import ReportableRuntimeError  # noqa: PLC0415 (with its engine)

    if isinstance(data, ox.Store):
        data = rdflib_graph(data)
    # pySHACL logs its errors to stderr through a handler it re-creates on every call; we report
    # them ourselves, in one line, so its logger is switched off (a flag it does not reset).
    logging.getLogger("pyshacl-validate").disabled = True
    return _validate(pyshacl.validate, (ReportableRuntimeError, ParseException, re.error), data, shapes)


def _validate(validate: Callable[..., tuple[bool, rdflib.Graph, str]], unusable: tuple[type[Exception], ...],
              data: ox.Store | rdflib.Graph, shapes: rdflib.Graph) -> rdflib.Graph:
    """One call, the same for both engines (they share pySHACL's API); a shape the engine cannot
    use is one line, exit 2."""
    report: rdflib.Graph  # pySHACL's API: (conforms, results graph, results text)
    try:
        _, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                allow_warnings=True, allow_infos=True)
    except unusable as error:
        raise _unusable(error) from None
    return report


def results(report: rdflib.Graph) -> list[Result]:
    found: list[Result] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def one(predicate: rdflib.URIRef, result: rdflib.term.Node = result) -> rdflib.term.Node | None:
            return report.value(result, predicate)

        path = one(SH.resultPath)
        found.append({
            "focus": _plain(one(SH.focusNode)), "path": path, "path_text": path_text(report, path),
            "value": _plain(one(SH.value)),
            "shape": one(SH.sourceShape), "component": one(SH.sourceConstraintComponent),
            "severity": SEVERITIES.get(one(SH.resultSeverity), "error"),
            "message": str(one(SH.resultMessage) or one(SH.sourceConstraintComponent) or "fails its shape"),
        })
    return found


def _plain(term: rdflib.term.Node | None) -> rdflib.term.Node | None:
    """RDF 1.1 has one string literal, which rdflib spells two ways ("x" and "x"^^xsd:string), and
    the two engines pick different ones."""
    if isinstance(term, rdflib.Literal) and term.datatype == XSD.string:
        return rdflib.Literal(str(term))
    return term


def path_text(graph: rdflib.Graph, path: rdflib.term.Node | None) -> str:
    """A SHACL path in SPARQL's property-path syntax; a complex path is a structure of blank nodes,
    whose labels each engine picks for itself, so it is compared by what it says."""
    if path is None:
        return ""
    if not isinstance(path, rdflib.BNode):
        return str(path.n3())
    if (path, RDF.first, None) in graph:
        return "(" + " / ".join(path_text(graph, step) for step in rdflib.collection.Collection(graph, path)) + ")"
    for predicate, form in ((SH.alternativePath, "({})"), (SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                            (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = graph.value(path, predicate)
        if inner is None:
            continue
        if predicate == SH.alternativePath:
            return "(" + " | ".join(_alternatives(graph, inner)) + ")"
        return form.format(path_text(graph, inner))
    return "[]"


def _alternatives(graph: rdflib.Graph, members: rdflib.term.Node) -> list[str]:
    """The alternatives of an sh:alternativePath, one nested in another spelt as one (Jena reports
    (a | b | c) as ((a | b) | c): the same path)."""
    texts = []
    for step in rdflib.collection.Collection(graph, members):
        inner = graph.value(step, SH.alternativePath) if isinstance(step, rdflib.BNode) else None
        texts += _alternatives(graph, inner) if inner is not None else [path_text(graph, step)]
    return texts


def result_key(result: Result) -> tuple[str, ...]:
    """A result as comparable text: what two engines must agree on, field by field."""
    fields = (result["focus"], result["path_text"], result["value"], result["shape"], result["component"],
              result["severity"])
    return tuple("" if field is None else str(field) for field in fields)
