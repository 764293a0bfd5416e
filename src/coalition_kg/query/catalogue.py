"""Stored queries: one per file in queries/, a grlc `#+` YAML header, parameters typed by grlc's
convention: the variable's name says the type (?_name a plain literal, ?_name_iri an IRI,
?_name_integer or ?_name_xsd_integer an integer, ?_name_xsd_date a date; ?__name optional). The
header's `params:` adds only what a variable name cannot say: description, example, default, and
`multiple: true` for a parameter that takes a list of values (grlc has no list convention of its own).
The allowed values of a parameter are listed in grlc's own `enumerate:` header (its fixed-list form,
`- name: [value, …]`), which grlc shows as the parameter's `enum`. This module is the one reader of
that convention: the CLI, serve's REST operations and OpenAPI all ask it."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
import yaml

from coalition_kg.errors import QueryProblem
from coalition_kg.guards.files import read_text
from coalition_kg.guards.sparql import QueryRefused, check, first_use_line
from coalition_kg.query.binding import Bindings, Bound
from coalition_kg.rdf.namespaces import DCTERMS, RDF, RDFS, SCHEMA, SH, SKOS, XSD
from coalition_kg.repository import layout as lay
from coalition_kg.repository.dataset import Dataset
from coalition_kg.repository.default_base import DEFAULT_BASE
from coalition_kg.repository.vocabulary import UNDER_BASE, Vocabulary

PARAM_TYPES = ("iri", "string", "date", "integer")
QUERIES = "query/"  # a stored query's IRI is <base>query/<name>
# grlc's own pattern (grlc/gquery.py get_parameters), so that both read the same parameters
GRLC_VARIABLE = re.compile(r"\?(?P<required>_{1,2})(?P<name>[a-zA-Z0-9]+)(_(?P<type>iri|number|literal|integer))?"
                           r"(_(?P<prefix>[a-zA-Z0-9]+)_(?P<userdefined>[a-zA-Z0-9]+))?(_(?P<lang>[a-zA-Z0-9]+))?")
GRLC_TYPES = {("", "", ""): "string", ("iri", "", ""): "iri", ("integer", "", ""): "integer",
              ("", "xsd_integer", ""): "integer", ("", "xsd_date", ""): "date", ("", "xsd_string", ""): "string"}
HEADER_PARAM_KEYS = ("name", "description", "example", "default", "multiple")
Values = Mapping[str, str | Sequence[str]]  # textual parameter values: one text, or a list parameter's texts
MAX_VALUES = 100  # values of one list parameter: each is a row of a VALUES block, and the answer grows with them


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str
    example: str | None = None
    default: str | None = None
    variable_name: str = ""  # as the query spells it, without '?': _meeting_iri
    required: bool = True  # grlc: ?__name is optional
    multiple: bool = False  # takes a list of values (the header's `multiple: true`)
    # the allowed values (grlc's `enumerate:`), each spelling a client may use -> the value as the header lists
    # it: an IRI also by its compact form (ckg:host), with the repository's prefixes
    choices: Mapping[str, str] = field(default_factory=dict)

    @property
    def allowed(self) -> list[str]:
        """The allowed values, each by its shortest spelling: what --help and an error message show."""
        shortest: dict[str, str] = {}
        for spelling, value in self.choices.items():
            if value not in shortest or len(spelling) < len(shortest[value]):
                shortest[value] = spelling
        return list(shortest.values())

    @property
    def variable(self) -> ox.Variable:
        return ox.Variable(self.variable_name or "_" + self.name)


@dataclass
class StoredQuery:
    name: str
    path: Path
    text: str
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    params: list[Parameter] = field(default_factory=list)
    shown_as: str = ""  # the path as reports show it, relative to the repository
    base: str = DEFAULT_BASE  # the repository's base IRI

    @property
    def form(self) -> str:
        """select, ask, construct or describe, as the SPARQL checker reads it; "select" for a query it
        refuses (validate reports that one; nothing runs it)."""
        try:
            return check(self.text, self.shown_as or str(self.path), graphs=None).form
        except QueryRefused:
            return "select"

    @property
    def iri(self) -> str:
        return self.base + QUERIES + self.name

    def example_values(self) -> dict[str, str]:
        values = {p.name: p.default if p.default is not None else p.example for p in self.params}
        return {name: value for name, value in values.items() if value is not None}

    def bind(self, values: Values) -> Bindings:
        """Turn textual parameter values (one text, or a list of texts for a list parameter) into typed
        RDF terms. Nothing is spliced into the query text: the engine receives the terms as variable
        bindings, a list as one VALUES row per distinct value."""
        known = {p.name: p for p in self.params}
        for name in values:
            if name not in known:
                listed = ", ".join(known) or "none"
                raise QueryProblem(self.name, f"unknown parameter (this query takes: {listed})", name)
        bound: Bindings = {}
        for param in self.params:
            given = values.get(param.name, param.default)
            if given is None and not param.required:
                continue  # grlc leaves an optional parameter's variable unbound
            if given is None:
                raise QueryProblem(self.name, f"missing value (type {param.type}, e.g. {param.example})", param.name)
            texts = [given] if isinstance(given, str) else list(given)
            if not texts:
                raise QueryProblem(self.name, "an empty list: give at least one value", param.name)
            if len(texts) > 1 and not param.multiple:
                raise QueryProblem(self.name, "given more than once: this parameter takes one value", param.name)
            if len(texts) > MAX_VALUES:
                raise QueryProblem(self.name, f"{len(texts)} values: a list parameter takes at most {MAX_VALUES}",
                                   param.name)
            # a value given twice counts once: a VALUES block with a repeated row would repeat the answer's rows
            terms = list(dict.fromkeys(to_term(self.name, param, text, self.base) for text in texts))
            bound[param.variable] = tuple(terms) if param.multiple else terms[0]
        return bound


def _iri_pattern() -> str:
    """An ASCII IRI as RFC 3987 writes one, or an entity slug: the binder accepts exactly what this
    matches, and OpenAPI gives the same pattern, so a client's schema admits what serve takes."""
    pct = "%[0-9A-Fa-f]{2}"
    pchar = f"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|{pct})"
    authority = (f"(?:(?:[A-Za-z0-9._~!$&'()*+,;=:-]|{pct})*@)?(?:[A-Za-z0-9._~!$&'()*+,;=-]|{pct})*"
                 "(?::[0-9]{0,5})?")
    hier = f"(?://{authority}(?:/{pchar}*)*|/?(?:{pchar}+(?:/{pchar}*)*)?)"
    tail = f"(?:\\?(?:{pchar}|[/?])*)?(?:#(?:{pchar}|[/?])*)?"
    return f"^(?:{SLUG}|[A-Za-z][A-Za-z0-9+.-]*:{hier}{tail})$"


SLUG = "[A-Za-z0-9][A-Za-z0-9_./-]*"  # an entity's name under …/id/ (no ':', so no IRI is read as one)
PATTERNS = {  # what the binder accepts, as regular expressions OpenAPI hands to clients too
    "iri": _iri_pattern(),
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",  # and a real day of the calendar (format: date)
    "integer": r"^[+-]?[0-9]+$",
}


def to_term(query: str, param: Parameter, value: str, base: str = DEFAULT_BASE) -> Bound:
    def bad(reason: str) -> QueryProblem:
        return QueryProblem(query, f"{value!r} is not {reason}", param.name)

    if param.choices:
        if value not in param.choices:
            shown = value if is_utf8(value) else value.encode("utf-8", "backslashreplace").decode()
            raise QueryProblem(query, f"{shown!r} is not an allowed value; allowed: {', '.join(param.allowed)}",
                               param.name)
        value = param.choices[value]
    if not is_utf8(value):  # the shell passes bytes; Python keeps those that are not UTF-8 as surrogates
        raise bad("text: it holds bytes that are not UTF-8")
    if param.type == "iri":
        if re.fullmatch(SLUG, value):
            value = base + UNDER_BASE["id"] + value  # a bare slug names an entity
        elif not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value):
            raise bad("an absolute IRI or an entity slug")
        elif not re.fullmatch(PATTERNS["iri"], value):
            raise bad("a valid IRI (ASCII, with other characters %-encoded, as RFC 3987 writes it)")
        try:
            return ox.NamedNode(value)
        except ValueError as error:  # the pattern admits only what an IRI parser takes; this is a last guard
            raise bad(f"a valid IRI ({error})") from None
    if param.type == "string":
        try:
            return ox.Literal(value)
        except ValueError:  # a lone surrogate (from undecodable bytes): no RDF string holds it
            raise bad("text (it holds a character no RDF string can)") from None
    if param.type == "date":
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise bad("a date of the form YYYY-MM-DD") from None
        if not re.fullmatch(PATTERNS["date"], value):
            raise bad("a date of the form YYYY-MM-DD")
        return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))
    if param.type == "integer":
        # canonical by hand: int() refuses more than 4,300 digits, and xsd:integer has no such limit
        if not re.fullmatch(PATTERNS["integer"], value):
            raise bad("an integer")
        digits = value.lstrip("+-").lstrip("0") or "0"
        sign = "-" if value.startswith("-") and digits != "0" else ""
        return ox.Literal(sign + digits, datatype=ox.NamedNode(XSD + "integer"))
    raise QueryProblem(query, f"unknown parameter type {param.type!r}", param.name)


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def syntax_error(query: StoredQuery, shown_as: str, graphs: list[str] | None = None) -> str | None:
    """Why the SPARQL checker refuses the query, as 'file:line:col: message', or None if it passes.
    Only parsed, never run: pyoxigraph parses only to run, and running is what a hostile query wants.
    ``graphs``: the graphs a FROM may name (the repository's); None refuses every FROM."""
    try:
        checked = check(query.text, shown_as, graphs=graphs or ())
        if checked.undeclared:  # rdflib's parser lends its own default prefixes; SPARQL and pyoxigraph do not
            names = sorted(checked.undeclared)
            raise QueryRefused(shown_as, f"it uses {', '.join(name + ':' for name in names)}, which its PREFIX "
                                         "lines do not declare (SPARQL 1.1, section 4.1.1)",
                               first_use_line(query.text))
    except QueryRefused as error:
        return str(error)
    return None


class _HeaderLoader(yaml.SafeLoader):
    """safe_load without aliases: a header needs none, and nine nested lists of nine aliases each
    (a "billion laughs") would take for ever to print as a summary."""

    # (PyYAML's stubs leave peek_event untyped)
    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed",
                                              self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        return super().compose_node(parent, index)


def read_query(path: Path, shown_as: str | None = None, root: Path | None = None,
               base: str = DEFAULT_BASE, vocabulary: Vocabulary | None = None) -> StoredQuery:
    """Parse one stored query file; a bad header names the file and line. The file is read through
    the jail: a regular file, inside ``root`` if given. ``base``: the repository's base IRI;
    ``vocabulary``: its prefixes, which give an enumerated IRI its compact spelling too."""
    shown_as = shown_as or str(path)
    try:
        ox.NamedNode(base + QUERIES + path.stem)
    except ValueError as error:  # the query is named after the file, in its IRI and in serve's URLs
        raise QueryProblem(path.stem, f"{shown_as}: the file's name gives no valid query IRI ({error}); "
                                      "rename the file") from None
    try:
        text = read_text(path, root, shown_as)
    except (OSError, UnicodeDecodeError) as error:
        raise QueryProblem(path.stem, f"{shown_as}: cannot read: {error}") from None
    header_lines = []
    for line in text.split("\n"):  # lines as SPARQL counts them: U+2028 or a form feed ends none
        line = line.removesuffix("\r")
        if not line.startswith("#+"):
            break
        header_lines.append(line[2:].removeprefix(" "))
    try:
        header = yaml.load("\n".join(header_lines), Loader=_HeaderLoader) or {}  # noqa: S506 (a SafeLoader, aliases off)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{shown_as}:{mark.line + 1}" if mark else shown_as
        raise QueryProblem(path.stem, f"{where}: bad #+ header: {getattr(error, 'problem', error)}") from None
    if not isinstance(header, dict):
        raise QueryProblem(path.stem, f"{shown_as}:1: the #+ header must be a YAML mapping")
    params = read_parameters(path.stem, shown_as, text, header_lines, header.get("params"))
    params = read_enumerations(path.stem, shown_as, params, header_lines, header.get("enumerate"),
                               vocabulary or Vocabulary.default(base), base)
    tags = header.get("tags") or []
    return StoredQuery(
        name=path.stem, path=path, text=text,
        summary=str(header.get("summary") or "").strip(),
        description=str(header.get("description") or "").strip(),
        tags=[str(t) for t in (tags if isinstance(tags, list) else [tags])],
        params=params, shown_as=shown_as, base=base,
    )


def variable_parameters(query: str, shown_as: str, body: str) -> dict[str, tuple[str, str, bool]]:
    """name -> (type, variable, required), read from the variables as grlc reads them."""
    found: dict[str, tuple[str, str, bool]] = {}
    for match in GRLC_VARIABLE.finditer(body):
        name = match.group("name")
        if re.match(r"\w", body[match.end():match.end() + 1]):  # ?_a_iriX: grlc would read ?_a_iri and bind nothing
            word = body[match.end():].split(maxsplit=1)[0]
            raise QueryProblem(query, f"{shown_as}: {match.group(0)}{word}: grlc reads "
                                      f"only {match.group(0)} of this variable; rename it", name)
        datatype = f"{match.group('prefix')}_{match.group('userdefined')}" if match.group("prefix") else ""
        key = (match.group("type") or "", datatype, match.group("lang") or "")
        if key not in GRLC_TYPES:
            raise QueryProblem(query, f"{shown_as}: {match.group(0)}: a type coalition-kg does not bind; name the "
                                      f"variable ?_{name} (text), ?_{name}_iri, ?_{name}_integer or ?_{name}_xsd_date",
                               name)
        seen = (GRLC_TYPES[key], match.group(0)[1:], len(match.group("required")) == 1)
        if found.setdefault(name, seen) != seen:
            raise QueryProblem(query, f"{shown_as}: ?{found[name][1]} and {match.group(0)} name one parameter "
                                      "two ways", name)
    return found


def read_parameters(query: str, shown_as: str, text: str, header_lines: list[str],
                    raw_params: object) -> list[Parameter]:
    """The parameters the variables declare, with what the header's params: adds to them."""
    body = "\n".join(text.split("\n")[len(header_lines):])
    variables = variable_parameters(query, shown_as, body)
    given = raw_params or []
    if not isinstance(given, list):
        raise QueryProblem(query, f"{shown_as}: the #+ header's params must be a list of parameters")
    notes: dict[str, dict[str, object]] = {}  # a parameter's header entry, as YAML read it
    for index, raw in enumerate(given):
        if not isinstance(raw, dict) or "name" not in raw:
            raise QueryProblem(query, f"{shown_as}: params[{index}] needs at least a name")
        name = str(raw["name"])
        if not re.fullmatch(r"[A-Za-z0-9]+", name):  # grlc reads no other names from a variable
            raise QueryProblem(query, f"{shown_as}: params[{index}]: the name {name!r} is not letters and digits")
        extra = [key for key in raw if key not in HEADER_PARAM_KEYS]
        if extra:
            said = ("the variable's name gives the type (?_x text, ?_x_iri, ?_x_integer, ?_x_xsd_date)"
                    if extra[0] == "type" else f"a parameter has only {', '.join(HEADER_PARAM_KEYS)}")
            raise QueryProblem(query, f"{shown_as}: params[{index}]: {extra[0]!r} is not for the header: {said}",
                               name)
        if name not in variables:
            raise QueryProblem(query, f"{shown_as}: params[{index}]: the query has no variable ?_{name} (or "
                                      f"?_{name}_iri, …) for it", name)
        if not isinstance(raw.get("multiple", False), bool):
            raise QueryProblem(query, f"{shown_as}:{header_line(header_lines, 'params', index, 'multiple')}: "
                                      f"params[{index}]: multiple is true or false, not {raw['multiple']!r}", name)
        notes[name] = raw
    params = []
    # the required parameters first (a usage line reads better so); else in the order the query uses them
    for name, (kind, variable, required) in sorted(variables.items(), key=lambda item: not item[1][2]):
        raw = notes.get(name, {})
        params.append(Parameter(
            name=name, type=kind, description=str(raw.get("description", "")),
            example=None if raw.get("example") is None else str(raw["example"]),
            default=None if raw.get("default") is None else str(raw["default"]),
            variable_name=variable, required=required, multiple=bool(raw.get("multiple", False)),
        ))
    return params


def header_line(header_lines: list[str], *path: str | int) -> int:
    """The file's line of the header entry at ``path`` (keys and list indexes), as YAML's own parser
    places it: the line of the deepest entry found. The header is the file's first lines."""
    node = yaml.compose("\n".join(header_lines), Loader=_HeaderLoader)
    line = 0
    for step in path:
        found = None
        if isinstance(node, yaml.MappingNode):
            found = next((value for key, value in node.value if key.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            found = node.value[step]
        if found is None:
            break
        node, line = found, found.start_mark.line
    return line + 1


def read_enumerations(query: str, shown_as: str, params: list[Parameter], header_lines: list[str],
                      raw: object, vocabulary: Vocabulary, base: str) -> list[Parameter]:
    """The parameters with the allowed values grlc's `enumerate:` lists for them: `- name: [v1, v2]`.
    grlc's other form, a bare name it fills by querying the endpoint, is refused: the values are data
    of the query, reviewed with it, and --help and OpenAPI give them without a store."""
    if raw is None:
        return params
    if not isinstance(raw, list):
        raise QueryProblem(query, f"{shown_as}:{header_line(header_lines, 'enumerate')}: enumerate is a list "
                                  "of `- name: [value, …]`")
    by_name = {p.name: p for p in params}
    lists: dict[str, list[str]] = {}
    lines: dict[str, int] = {}  # each enumerated parameter's entry, by its line in the file
    for index, entry in enumerate(raw):
        where = f"{shown_as}:{header_line(header_lines, 'enumerate', index)}: enumerate[{index}]"
        if isinstance(entry, str):
            raise QueryProblem(query, f"{where}: list the allowed values (`- {entry}: [value, …]`); grlc's form "
                                      "that asks the endpoint for them is not supported", entry)
        if not isinstance(entry, dict) or len(entry) != 1:
            raise QueryProblem(query, f"{where}: one `name: [value, …]` per entry")
        (name, values), = entry.items()
        name = str(name)
        if name not in by_name:
            raise QueryProblem(query, f"{where}: the query has no parameter {name!r} "
                                      f"(it takes: {', '.join(by_name) or 'none'})", name)
        if name in lists:
            raise QueryProblem(query, f"{where}: {name} is enumerated twice", name)
        if not isinstance(values, list) or not values or not all(isinstance(v, str | int) for v in values):
            raise QueryProblem(query, f"{where}: {name}: a non-empty list of values", name)
        if len(values) > MAX_VALUES:
            raise QueryProblem(query, f"{where}: {name}: {len(values)} values, more than {MAX_VALUES}", name)
        lists[name], lines[name] = [str(v) for v in values], header_line(header_lines, "enumerate", index)
    enumerated = []
    for param in params:
        if param.name not in lists:
            enumerated.append(param)
            continue
        choices: dict[str, str] = {}
        where = f"{shown_as}:{lines[param.name]}: enumerate: {param.name}"
        for value in lists[param.name]:
            try:
                term = to_term(query, param, value, base)  # each allowed value binds as the parameter's type
            except QueryProblem as error:
                reason = str(error).removeprefix(f"query {query}, parameter {param.name}: ")
                raise QueryProblem(query, f"{where}: {reason}", param.name) from None
            choices[value] = value
            short = vocabulary.compress(term.value) if isinstance(term, ox.NamedNode) else None
            if short is not None:
                choices.setdefault(short, value)
        for key in ("example", "default"):
            given = getattr(param, key)
            if given is not None and given not in choices:
                raise QueryProblem(query, f"{where}: the parameter's {key}, {given!r}, is not one of these values",
                                   param.name)
        enumerated.append(replace(param, choices=choices))
    return enumerated


def load_catalogue(layout: lay.Layout) -> dict[str, StoredQuery]:
    vocabulary = layout.vocabulary
    return {p.stem: read_query(p, layout.relative(p), layout.root, vocabulary.base, vocabulary)
            for p in layout.query_files()}


def catalogue_of(dataset: Dataset) -> dict[str, StoredQuery]:
    """The stored queries of the loaded repository, parsed once per load (validate and build both ask)."""
    return dataset.once("catalogue", lambda: load_catalogue(dataset.layout))


def get_query(layout: lay.Layout, name: str) -> StoredQuery:
    catalogue = load_catalogue(layout)
    if name not in catalogue:
        close = [n for n in catalogue if name in n or n in name]
        hint = f"; did you mean {', '.join(close)}?" if close else "; `coalition-kg queries` lists them"
        raise QueryProblem(name, f"no such stored query in {layout.relative(layout.queries_dir)}/{hint}")
    return catalogue[name]


def catalogue_graph(queries: dict[str, StoredQuery]) -> list[ox.Triple]:
    """The catalogue as RDF, in SHACL's vocabulary for SPARQL executables, so shapes can check it."""
    sh, rdfs, dct = SH, RDFS, DCTERMS
    rdf_type = ox.NamedNode(RDF + "type")
    triples: list[ox.Triple] = []

    def add(s: ox.NamedNode | ox.BlankNode, p: str | ox.NamedNode, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
        triples.append(ox.Triple(s, ox.NamedNode(p) if isinstance(p, str) else p, o))

    for query in queries.values():
        node = ox.NamedNode(query.iri)
        add(node, rdf_type, ox.NamedNode(sh + "SPARQLExecutable"))
        kind = {"select": "SPARQLSelectExecutable", "ask": "SPARQLAskExecutable",
                "construct": "SPARQLConstructExecutable"}.get(query.form, "SPARQLExecutable")
        add(node, rdf_type, ox.NamedNode(sh + kind))
        add(node, rdfs + "label", ox.Literal(query.name))
        if query.summary:
            add(node, dct + "title", ox.Literal(query.summary))
        if query.description:
            add(node, dct + "description", ox.Literal(query.description))
        for tag in query.tags:
            add(node, SCHEMA + "keywords", ox.Literal(tag))
        add(node, sh + query.form, ox.Literal(query.text))
        for param in query.params:
            blank = ox.BlankNode()
            add(node, sh + "parameter", blank)
            add(blank, rdf_type, ox.NamedNode(sh + "Parameter"))
            add(blank, sh + "path", ox.NamedNode(f"{query.iri}#{param.name}"))
            add(blank, sh + "name", ox.Literal(param.name))
            if param.description:
                add(blank, sh + "description", ox.Literal(param.description))
            if param.example is not None:
                add(blank, SKOS + "example", ox.Literal(param.example))
            if param.type == "iri":
                add(blank, sh + "nodeKind", ox.NamedNode(sh + "IRI"))
            else:
                add(blank, sh + "datatype", ox.NamedNode(XSD + param.type))
            # how many values it takes (1, or a list's limit), and its allowed ones as an RDF list
            add(blank, sh + "maxCount", ox.Literal(str(MAX_VALUES if param.multiple else 1),
                                                    datatype=ox.NamedNode(XSD + "integer")))
            if param.choices:
                cells = [ox.BlankNode() for _ in dict.fromkeys(param.choices.values())]
                add(blank, sh + "in", cells[0])
                for cell, value, rest in zip(cells, dict.fromkeys(param.choices.values()), [*cells[1:], None],
                                             strict=True):
                    add(cell, RDF + "first", to_term(query.name, replace(param, choices={}), value, query.base))
                    add(cell, RDF + "rest", rest if rest is not None else ox.NamedNode(RDF + "nil"))
    return triples
