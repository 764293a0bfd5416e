"""The one gate for SPARQL text we did not write (stored queries, rules, the queries in shapes,
`sparql`, serve's /sparql): bounded, parsed by a real SPARQL 1.1 parser, and refused unless the parse
shows nothing that reaches out of the repository. It fails closed: what it cannot parse is refused.

1. Before any parser runs: a length bound, and a bracket-nesting bound on the raw text and on the text
   after the grammar's \\u escapes are expanded (brackets inside strings and comments are counted too,
   which can only refuse more). pyoxigraph's parser is recursive in Rust: 5,000 nested brackets
   overflow its stack (SIGSEGV); this bound keeps every text that reaches it shallow. An escape of an
   ASCII character is refused: the two parsers expand escapes in different places (see _bounded).
2. rdflib's SPARQL 1.1 parser (pyparsing) reads the text, its \\u escapes expanded as the grammar
   says. It recurses per nesting level and per triple pattern of a group (about 11 frames each), so it
   runs in a thread of its own, with a large stack and recursion limit: the bounds in 1 keep it well
   inside both. Any exception is a refusal.
3. The parse tree is walked (without recursion): SERVICE in any spelling, with an IRI or a variable,
   is refused; so is a FROM / FROM NAMED on anything but the caller's own graphs.

The algebra (rdflib's translateQuery) is not built: it adds nothing the parse tree lacks for these
checks and takes seconds, quadratic in the length of an object list."""

from __future__ import annotations

import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar, cast

import pyoxigraph as ox

from coalition_kg.errors import CoalitionKGError, one_line

if TYPE_CHECKING:  # rdflib's parser is loaded by _parse, when a query is checked
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.plugins.sparql.sparql import Prologue

T = TypeVar("T")

# Limits, measured (benchmarks/attack.py, tests/test_sparql_guard.py): this repository's queries,
# rules and shapes nest at most 5 deep and are at most 2 KB long. rdflib parses 16 KiB of the worst
# flat constructs in about 4 s and 3,000 nested brackets in 1.6 s (in the thread below); pyoxigraph
# parses 400 nested brackets in a millisecond and crashes near 5,000.
MAX_DEPTH = 64
MAX_LENGTH = 16_384  # characters
_RECURSION_LIMIT = 40_000  # Python frames in the parser's thread: ~11 per level or triple pattern
_STACK_BYTES = 64 * 1024 * 1024  # that thread's C stack: a frame used under 300 bytes of it (measured)
_OPEN, _CLOSE = "({[", ")}]"
# An escaped backslash is matched first and left alone: "\\\\u0041" is a backslash then "u0041", as the
# engine reads it (and rdflib's own expansion does not).
_ESCAPE = re.compile(r"\\\\|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")
_FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}
# pyparsing's grammar objects are shared and not safe to use from two threads at once.
_PARSER_LOCK = threading.Lock()


class QueryRefused(CoalitionKGError):
    """SPARQL text the guard will not let through: names where (file:line:column if known) and why.
    ``status`` is the HTTP answer serve gives for it."""

    def __init__(self, where: str, reason: str, line: int | None = None, column: int | None = None,
                 status: int = 400):
        self.where, self.reason, self.line, self.column, self.status = where, one_line(reason), line, column, status
        location = where + (f":{line}" if line is not None else "") + (f":{column}" if column is not None else "")
        self.location = location
        super().__init__(one_line(f"{location}: {reason}"))


@dataclass(frozen=True)
class Checked:
    form: str  # select, ask, construct, describe; update only where the caller allows it
    parts: frozenset[str]  # the grammar's productions the text uses (VALUES is InlineData/ValuesClause)
    # Prefixes of prefixed names the text uses but its PREFIX lines do not declare ("" for ":x"): an
    # error for SPARQL (section 4.1.1), which engines that resolve names at parse time refuse.
    undeclared: frozenset[str] = frozenset()


def first_use_line(text: str) -> int | None:
    """The line (from 1) where pyoxigraph's parser, which lends no prefixes, stops at the first
    undeclared prefixed name of ``text``; only to point an error at: the parse tree decides what is
    undeclared. Parsed only, never run (_engine_syntax_error)."""
    engine = _engine_syntax_error(text)
    return engine[0] if engine else None


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting of ( { [ in the text, counting every bracket wherever it stands."""
    depth = deepest = 0
    for c in text:
        if c in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif c in _CLOSE and depth:
            depth -= 1
    return deepest


def _expanded(text: str) -> str:
    """The text with the grammar's \\u and \\U escapes expanded (an invalid code point left as it is:
    the parser refuses it)."""
    def expand(match: re.Match[str]) -> str:
        if match.group() == "\\\\":
            return match.group()
        try:
            return chr(int(match.group()[2:], 16))  # noqa: FURB166 (the prefix is \\u, not 0x)
        except (ValueError, OverflowError):
            return match.group()

    return _ESCAPE.sub(expand, text)


def _line_and_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _bounded(text: str, where: str, max_length: int) -> str:
    """The text with its \\u escapes expanded, once it is within the bounds."""
    if len(text) > max_length:
        raise QueryRefused(where, f"the query is {len(text)} characters long; at most {max_length} are allowed")
    for escape in _ESCAPE.finditer(text):
        if escape.group() == "\\\\":
            continue
        # pyoxigraph expands escapes only inside strings and IRIs, rdflib everywhere: an escaped printable
        # ASCII character (a quote, '#', '<', '\\', a bracket, a letter of SERVICE) could be read one way
        # by the checker and another by the engine. Nobody needs one: write the character itself.
        # a control character is never syntax: allowed
        if 0x20 <= int(escape.group()[2:], 16) < 0x7F:  # noqa: FURB166 (the prefix is \\u, not 0x)
            raise QueryRefused(where, f"{escape.group()} escapes an ASCII character; write the character itself",
                               *_line_and_column(text, escape.start()))
    expanded = _expanded(text)
    for shown, candidate in (("", text), (" once its \\u escapes are expanded", expanded)):
        depth = nesting_depth(candidate)
        if depth > MAX_DEPTH:
            raise QueryRefused(where, f"the query nests brackets {depth} deep{shown}; at most {MAX_DEPTH} are allowed")
    return expanded


def _in_parser_thread(function: Callable[[str], T], text: str) -> T:
    """function(text) in a thread of its own, with room to recurse; its exception is raised here."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = function(text)
        except BaseException as error:  # noqa: BLE001 (anything the parser raises is a refusal, here)
            outcome["error"] = error

    with _PARSER_LOCK:
        old_stack, old_limit = threading.stack_size(), sys.getrecursionlimit()
        threading.stack_size(_STACK_BYTES)
        try:
            worker = threading.Thread(target=run, name="sparql-guard", daemon=True)
            sys.setrecursionlimit(max(old_limit, _RECURSION_LIMIT))
            try:
                worker.start()
            except RuntimeError as no_room:  # no room for the thread's stack: a memory limit, not a bad query
                raise MemoryError(f"the SPARQL checker's thread cannot start: {no_room}") from None
            worker.join()
        finally:
            sys.setrecursionlimit(old_limit)
            threading.stack_size(old_stack)
    error = outcome.get("error")
    if isinstance(error, BaseException):
        raise error
    return cast("T", outcome["value"])  # what function returned


def _parse_once(text: str, where: str, allow_update: bool) -> tuple[str | None, ParseResults | CompValue]:
    """_parse, remembered per text: a process checks the same stored queries several times (validate
    binds and checks each one three times, build once more), at about 35 ms a parse. The tree is only
    read, never changed, so one parse serves every check. A refusal is not remembered (it names
    ``where``), and at most _PARSES_KEPT texts are, the least recently used forgotten first."""
    key = (text, allow_update)
    with _PARSES_LOCK:
        if key in _PARSES:
            _PARSES.move_to_end(key)
            return _PARSES[key]
    parsed = _parse(text, where, allow_update)
    with _PARSES_LOCK:
        _PARSES[key] = parsed
        while len(_PARSES) > _PARSES_KEPT:
            _PARSES.popitem(last=False)
    return parsed


_PARSES_KEPT = 128  # texts of at most MAX_LENGTH each: a few MB of trees at worst
_PARSES: OrderedDict[tuple[str, bool], tuple[str | None, ParseResults | CompValue]] = OrderedDict()
_PARSES_LOCK = threading.Lock()


def _parse(text: str, where: str, allow_update: bool) -> tuple[str | None, ParseResults | CompValue]:
    """(form, parse tree). A text that parses as neither a query nor an update is refused with the
    query parser's reason and position."""
    from pyparsing import ParseBaseException  # noqa: PLC0415 (with rdflib's parser)
    from rdflib.plugins.sparql.parser import Query, UpdateUnit  # noqa: PLC0415 (0.35 s to import: only for a query to check)

    def parse_query(text: str) -> ParseResults:
        return Query.parse_string(text, parse_all=True)

    def parse_update(text: str) -> CompValue:
        update: CompValue = UpdateUnit.parse_string(text, parse_all=True)[0]
        return update

    try:
        return None, _in_parser_thread(parse_query, text)
    except ParseBaseException as error:
        query_error = error
    except RecursionError:
        raise QueryRefused(where, "the query is too deeply nested or too long for the SPARQL checker") from None
    except MemoryError:  # the process's limit, not the query's syntax: the caller says so
        raise
    except Exception as error:  # noqa: BLE001 (fail closed: whatever the checker cannot read is refused)
        raise QueryRefused(where, f"SPARQL syntax error: {error}") from None
    try:
        update = _in_parser_thread(parse_update, text)
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 (not an update either: the query parser's reason is the one to give)
        engine = _engine_syntax_error(text)
        if engine is not None:
            raise QueryRefused(where, f"SPARQL syntax error: {engine[2]}", engine[0], engine[1]) from None
        message = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)\s*$", "", str(query_error))
        raise QueryRefused(where, f"SPARQL syntax error: {message}", query_error.lineno, query_error.col) from None
    if not allow_update:
        raise QueryRefused(where, "SPARQL updates are refused: this is read-only", status=403)
    return "update", update


def _engine_syntax_error(text: str) -> tuple[int, int, str] | None:
    """pyoxigraph's syntax error for text the checker refused: it says where and what it expected more
    precisely than pyparsing. It is given the text followed by a line holding NUL, which is valid
    nowhere in SPARQL (outside a string it is no token; inside one, the string never closes): the
    engine parses the whole text before it evaluates anything, so this text is never run. None if
    the engine's error is at that NUL (the text ended too early, or only the checker refuses it)."""
    try:
        ox.Store().query(text + "\n\0")
    except SyntaxError as error:
        found = re.match(r"error at (\d+):(\d+): (.*)", " ".join(str(error).split()))
        if found and int(found.group(1)) <= text.count("\n") + 1:
            return int(found.group(1)), int(found.group(2)), found.group(3)
        return None
    except Exception:  # noqa: BLE001 (anything else: the checker's own reason is given)
        return None
    raise AssertionError("a text ending in NUL was accepted by the engine")  # cannot be: never reached


def _nodes(tree: object) -> Iterator[CompValue]:
    """Every CompValue of rdflib's parse tree, depth first, without recursion."""
    from pyparsing import ParseResults  # noqa: PLC0415 (with rdflib's parser, loaded by _parse)
    from rdflib.plugins.sparql.parserutils import CompValue  # noqa: PLC0415 (with rdflib's parser, loaded by _parse)

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


def _prologue(tree: ParseResults | CompValue) -> Prologue:
    from rdflib.plugins.sparql.algebra import translatePrologue  # noqa: PLC0415 (with rdflib's parser, loaded by _parse)

    return translatePrologue(tree[0], None)


def check(text: str, where: str = "query", graphs: Iterable[str] | None = (), allow_update: bool = False,
          max_length: int = MAX_LENGTH) -> Checked:
    """Check SPARQL text before any engine sees it. ``graphs``: the IRIs a FROM or FROM NAMED may name
    (the repository's own, Layout.graphs()); None allows any (a caller that runs no FROM at all).
    Raises QueryRefused naming ``where`` and the reason."""
    if not isinstance(text, str):
        raise QueryRefused(where, "the query is not text")
    # rdflib's own parseQuery expands lower-case \\u escapes only; the grammar allows either case, and
    # \\U too, as pyoxigraph does: so the checker parses the text as the engine will read it.
    form, tree = _parse_once(_bounded(text, where, max_length), where, allow_update)
    parts = set()
    datasets = []
    used: set[str] = set()
    declared: set[str] = set()
    for node in _nodes(tree):
        parts.add(node.name)
        if node.name in ("pname", "PrefixDecl"):
            (used if node.name == "pname" else declared).add(dict.get(node, "prefix") or "")
        if node.name in _FORMS and form is None:
            form = _FORMS[node.name]
        if node.name == "ServiceGraphPattern":
            raise QueryRefused(where, "SERVICE is not allowed: queries here read only the repository's own graphs, "
                                      "never another endpoint")
        if node.name == "DatasetClause":
            datasets.append(node)
        if node.name in ("Load", "Create", "Drop", "Clear", "Add", "Move", "Copy") and not allow_update:
            raise QueryRefused(where, "SPARQL updates are refused: this is read-only", status=403)
    if form is None:
        raise QueryRefused(where, "not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
    if datasets and graphs is not None:
        allowed = set(graphs)
        prologue = _prologue(tree) if form != "update" else None
        for clause in datasets:
            iri = dict.get(clause, "default", dict.get(clause, "named"))  # CompValue.get resolves, dict's does not
            try:
                named = str(prologue.absolutize(iri)) if prologue is not None else str(iri)
            except Exception:  # noqa: BLE001 (an undeclared prefix: not one of ours either)
                named = f"{dict.get(iri, 'prefix')}:{dict.get(iri, 'localname')}" if isinstance(iri, dict) else str(iri)
            if named not in allowed:
                raise QueryRefused(where, f"FROM <{named}> is not allowed: a query reads only the repository's "
                                          "own graphs")
    return Checked(form, frozenset(parts), frozenset(used - declared))
