"""Hostile and broken input (issue 6): the corpus in fixtures/hostile/, each case run end to end
through the command line in a copy of the repository, and a fuzz test that mutates the real files.

Every run must end with the exit code the case names (2: input the tool cannot read, 1: data that
does not conform, 0: accepted) and one clear line naming the file; never a traceback; and it must
leave every file of the repository as it was."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coalition_kg.query.catalogue import read_query

from .conftest import ROOT, Sentinel

CORPUS = Path(__file__).parent / "fixtures" / "hostile"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
PREFIXES = ("@prefix ckg:  <https://w3id.org/coalition-kg/ontology#> .\n"
            "@prefix id:   <https://w3id.org/coalition-kg/id/> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n")
DEPTH = 100_000


# --- generated inputs, too big to keep in the repository -----------------------------------------

def huge_literal() -> bytes:
    return (PREFIXES + 'id:a rdfs:comment "' + "x" * 20_000_000 + '" .\n').encode()


def huge_literal_under_limit() -> bytes:
    return (PREFIXES + 'id:a rdfs:comment "' + "x" * 15_000_000 + '" .\n').encode()


def huge_iri() -> bytes:
    return (PREFIXES + "id:a rdfs:seeAlso <http://example.org/" + "a" * 17_000_000 + "> .\n").encode()


def deep_collection() -> bytes:
    return (PREFIXES + "id:a rdfs:seeAlso " + "(" * DEPTH + ")" * DEPTH + " .\n").encode()


def deep_blank_nodes() -> bytes:
    return (PREFIXES + "id:a rdfs:seeAlso " + "[ rdfs:seeAlso " * DEPTH + "id:b" + " ]" * DEPTH + " .\n").encode()


def deep_collection_unclosed() -> bytes:
    return (PREFIXES + "id:a rdfs:seeAlso " + "(" * DEPTH + "\n").encode()


def deep_evidence() -> bytes:
    """1,500 nested evidence nodes, none with its quote: 1,500 violations on blank nodes, each
    located through the chain of blank nodes above it."""
    levels = 1_500
    return (PREFIXES + "id:a rdfs:seeAlso " + "[ a ckg:Evidence ; rdfs:seeAlso " * levels + "id:b"
            + " ]" * levels + " .\n").encode()


def big_integer_literal() -> bytes:
    """An xsd:integer of 5,000 digits: past Python's 4,300-digit limit on int()."""
    return (PREFIXES + "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
            'id:a rdfs:comment "' + "9" * 5000 + '"^^xsd:integer .\n').encode()


NESTED = 5_000  # issue 12, class 2: 10 KB of brackets overflowed pyoxigraph's SPARQL parser (SIGSEGV)


NESTED_HEADER = ("#+ summary: A query nested 5,000 deep.\n#+ description: One of the hostile-input fixtures "
                 "(issue 12, class 2).\n#+ tags:\n#+   - hostile\n")


def nested_parens_query() -> bytes:
    return (NESTED_HEADER + "SELECT * WHERE { FILTER(" + "(" * NESTED + "1" + ")" * NESTED + ") }\n").encode()


def nested_braces_query() -> bytes:
    return (NESTED_HEADER + "SELECT * WHERE " + "{" * NESTED + " ?s ?p ?o " + "}" * NESTED + "\n").encode()


def nested_braces_rule() -> bytes:
    return ("CONSTRUCT { ?s ?p ?o } WHERE " + "{" * NESTED + " ?s ?p ?o " + "}" * NESTED + "\n").encode()


GENERATORS = {f.__name__: f for f in (huge_literal, huge_literal_under_limit, huge_iri, deep_collection,
                                      deep_blank_nodes, deep_collection_unclosed, deep_evidence,
                                      big_integer_literal, nested_parens_query, nested_braces_query,
                                      nested_braces_rule)}


# --- running a case ---------------------------------------------------------------------------------

def digest(root: Path) -> dict[str, str]:
    """Every file under root with its SHA-256: what a run must leave as it found it."""
    found = {}
    for folder, folders, files in os.walk(root):  # links not followed: they may leave the copy, or loop
        for name in folders + files:
            path = Path(folder) / name
            info = path.lstat()
            if stat.S_ISREG(info.st_mode):
                found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif not stat.S_ISDIR(info.st_mode):  # a link, a FIFO, a device: what it is, unread
                found[str(path.relative_to(root))] = os.readlink(path) if path.is_symlink() else oct(info.st_mode)
    return dict(sorted(found.items()))


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def run_cli(cli, root: Path, args: list[str], timeout: float | None) -> Outcome:
    """In process, or (timeout given) in a child process, so that a hang, an abort or a segfault
    fails the test instead of taking pytest down with it."""
    if timeout is None:
        result = cli("--root", str(root), *args)
        return Outcome(result.code, result.out, result.err)
    try:
        done = subprocess.run([sys.executable, "-m", "coalition_kg.cli", "--root", str(root), *args],
                              capture_output=True, timeout=timeout, cwd=root)
    except subprocess.TimeoutExpired:
        pytest.fail(f"coalition-kg {' '.join(args)} still running after {timeout} s")
    out, err = done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")
    assert done.returncode >= 0, f"killed by signal {-done.returncode}: {err[-2000:]}"
    return Outcome(done.returncode, out, err)


def case_input(case: dict, sentinel: Sentinel) -> bytes | None:
    if "generate" in case:
        return GENERATORS[case["generate"]]()
    if "file" not in case:
        return None
    data = (CORPUS / case["file"]).read_bytes()
    return sentinel.fill(data) if case.get("template") else data


def place(case: dict, root: Path, sentinel: Sentinel) -> None:
    """Put the case's input where it goes in the copy of the repository."""
    data = case_input(case, sentinel)
    if data is not None:
        target = root / case["to"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    make(case.get("make", []), root, sentinel)


def command(case: dict, root: Path, sentinel: Sentinel | None = None) -> list[str]:
    """The case's command line; {root} is the copy, {port} the sentinel's listening port."""
    args = [arg.replace("{root}", str(root)) for arg in case.get("run", ["validate", "--no-reasoning"])]
    return [sentinel.fill(arg.encode()).decode() if sentinel else arg for arg in args]


def own_notices_only(err: str) -> bool:
    """Standard error holds at most the command's own notices (such as "validate: the quote check did
    not run"): no library's warnings or logging (rdflib logged a traceback for each ill-typed date)."""
    return all(line.startswith(("validate: ", "coalition-kg: ")) for line in err.splitlines())


def check(outcome: Outcome, case: dict, sentinel: Sentinel) -> None:
    shown = f"exit {outcome.code}\n--- stdout\n{outcome.out[-3000:]}\n--- stderr\n{outcome.err[-3000:]}"
    everything = outcome.out + outcome.err
    assert "Traceback" not in everything, shown
    assert sentinel.marker not in everything, shown
    assert outcome.code == case["code"], shown
    pattern = re.compile(case["message"])
    if case["code"] == 2:
        lines = [line for line in outcome.err.strip().splitlines() if not line.startswith("validate: ")]
        assert len(lines) == 1 and lines[0].startswith("coalition-kg: error: "), shown
        assert pattern.search(lines[0]), shown
        assert outcome.out == "", shown  # nothing half-written
        return
    assert own_notices_only(outcome.err), shown
    assert any(pattern.search(line) for line in outcome.out.splitlines()), shown
    if case["code"] == 1:
        errors = [line for line in outcome.out.splitlines() if re.match(r"^\S+:\d+: error: ", line)]
        assert len(errors) == case["errors"], shown
        assert outcome.out.splitlines()[-1].startswith("does not conform"), shown


def make(things: list[dict], root: Path, sentinel: Sentinel) -> None:
    """The case's special files (see `make` in cases.yaml): links, FIFOs, device nodes, folders."""
    for thing in things:
        kind = next(key for key in ("symlink", "fifo", "device", "folder", "copy") if key in thing)
        path = root / thing[kind]
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind != "copy" and path.is_file() and not path.is_symlink():
            path.unlink()  # a file of the repository (shapes/prefixes.ttl) that the case replaces
        if kind == "symlink":
            path.symlink_to(sentinel.fill(thing["to"].encode()).decode())
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "device":
            try:
                os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
            except PermissionError:
                pytest.skip("making a device node needs root")
        elif kind == "folder":
            path.mkdir()
        else:
            shutil.copyfile(CORPUS / thing["from"], path)


def as_params(cases: list[dict]) -> list:
    """The cases as parameters: those run in a child process (`subprocess:` in cases.yaml) are slow."""
    return [pytest.param(case, id=case["id"], marks=[pytest.mark.slow] if case.get("subprocess") else [])
            for case in cases]


@pytest.mark.parametrize("case", as_params(CASES))
def test_hostile_case(case, cli, repo_copy, sentinel):
    place(case, repo_copy, sentinel)
    before = digest(repo_copy)
    outcome = run_cli(cli, repo_copy, command(case, repo_copy, sentinel), case.get("subprocess"))
    check(outcome, case, sentinel)
    assert digest(repo_copy) == before, "the run changed a file of the repository"
    assert sentinel.arrived() == [], f"connections arrived from {sentinel.arrived()}"


FIXABLE = [c for c in CASES if "fix" in c]


@pytest.mark.parametrize("case", as_params(FIXABLE))
def test_mended_case_is_accepted(case, cli, repo_copy, sentinel):
    """Each case fails for the reason it names: mend that one thing and the same run exits 0."""
    old, new = (part.encode() for part in case["fix"])
    data = case_input(case, sentinel)
    assert data.count(old) == 1, f"{case['file']} should hold {old!r} once"
    (repo_copy / case["to"]).write_bytes(data.replace(old, new))
    outcome = run_cli(cli, repo_copy, command(case, repo_copy), case.get("subprocess"))
    assert outcome.code == 0, outcome.out + outcome.err
    assert "Traceback" not in outcome.out + outcome.err


def test_every_corpus_file_is_a_case():
    used = {c["file"] for c in CASES if "file" in c} | {m["from"] for c in CASES for m in c.get("make", [])
                                                         if "from" in m}
    kept = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file()} - {"cases.yaml", ".gitattributes"}
    assert kept == used
    assert {c["generate"] for c in CASES if "generate" in c} <= set(GENERATORS)
    assert len({c["id"] for c in CASES}) == len(CASES)


@pytest.mark.slow  # the command line in a child process
def test_a_literal_under_the_parser_limit_loads(repo_copy, sentinel):
    """The other side of huge-literal: 15 MB in one string is read, and validate conforms (in data/, not
    a document's graph, where a bare triple is an error of its own)."""
    (repo_copy / "data" / "huge.ttl").write_bytes(huge_literal_under_limit())
    outcome = run_cli(None, repo_copy, ["validate", "--no-reasoning"], timeout=120)
    check(outcome, {"code": 0, "message": "^conforms: 0 error"}, sentinel)


def test_class1_service_stored_query_is_refused_before_it_runs(cli, repo_copy, sentinel):
    """Answering a stored query whose SERVICE endpoint is down gave a traceback; then "the query
    failed" after the engine had tried the endpoint. Now the checker refuses it: nothing is called."""
    text = (CORPUS / "queries" / "service.rq").read_bytes().replace(b"{port}", str(sentinel.port).encode())
    (repo_copy / "queries" / "remote.rq").write_bytes(text)
    outcome = run_cli(cli, repo_copy, ["query", "remote"], timeout=60)
    check(outcome, {"code": 2, "message": r"^coalition-kg: error: query remote: queries/remote\.rq: SERVICE is "
                                          r"not allowed"}, sentinel)


# --- RDF/XML: no code path reads it; the parsers the project has would not resolve entities ------

def test_no_code_path_parses_rdf_xml():
    """Only Turtle is ever read: the data, ontology and shape files through pyoxigraph's Turtle
    parser (dataset.parse_file), and serve's pages converted from the site's own Turtle (serve_rdf);
    RDF/XML is only written (export, serve)."""
    package = ROOT / "src" / "coalition_kg"
    source = {p.relative_to(package).as_posix(): p.read_text(encoding="utf-8") for p in package.rglob("*.py")}
    loads = {name: re.findall(r"(?<!yaml)\.load\((.*)", text) for name, text in source.items()}
    loads = {name: calls for name, calls in loads.items() if calls}
    assert set(loads) == {"repository/dataset.py", "repository/vocabulary.py"}  # the files; shapes/prefixes.ttl
    assert all("RdfFormat.TURTLE" in call for calls in loads.values() for call in calls)
    for name, text in source.items():
        assert not re.search(r"\bguess_format\b|\bparse\(\s*(data|source|location|file)=", text), name
        assert all("format=ox.RdfFormat.TURTLE" in call for call in re.findall(r"\box\.parse\((.*)", text)), name


def test_the_rdf_xml_parsers_at_hand_resolve_no_external_entity(sentinel):
    """Should RDF/XML ever be read: pyoxigraph refuses external entities, rdflib leaves them empty."""
    payload = sentinel.fill((CORPUS / "xxe" / "rdfxml-external-entity.rdf").read_bytes())
    with pytest.raises(SyntaxError):
        list(ox.parse(payload, format=ox.RdfFormat.RDF_XML))
    graph = rdflib.Graph().parse(data=payload, format="xml")
    assert sentinel.marker not in graph.serialize(format="nt")
    assert sentinel.arrived() == []


def test_the_sentinels_would_see_a_leak(sentinel):
    """The checks above can fail: a connection to the port is seen, and the marker file is where the
    fixtures point."""
    assert sentinel.arrived() == []
    socket.create_connection(("127.0.0.1", sentinel.port)).close()
    assert len(sentinel.arrived()) == 1
    pointed = sentinel.fill(b"file://{marker}").decode().removeprefix("file://")
    assert sentinel.marker in Path(pointed).read_text(encoding="utf-8")


# --- fuzzing the real files ----------------------------------------------------------------------

TURTLE_FILES = [*sorted((ROOT / "data" / "sources").glob("*.ttl")), ROOT / "data" / "reference.ttl"]
QUERY_FILES = sorted((ROOT / "queries").glob("*.rq"))
PUNCTUATION = [b".", b";", b",", b"[", b"]", b"(", b")", b"{", b"}", b'"', b'"""', b"'", b"<", b">", b"@",
               b"^^", b":", b"_:", b"#", b"\\", b"\\u", b"a ", b"1e", b"-", b"\n", b" ", b"\x00", b"\xff",
               b"\xef\xbb\xbf", b"\xc3", b"?x", b"$", b"#+ ", b"#+   - name: ", b"SELECT", b"WHERE", b"FILTER(",
               b"OPTIONAL", b"UNION", b"GRAPH", b"VALUES", b"SERVICE", b"LIMIT -1", b"&a", b"*a", b"!!"]

mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(1, 255)),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 40)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.sampled_from(PUNCTUATION)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6), st.just(0)),
    st.tuples(st.just("duplicate-line"), st.integers(0, 10**6), st.just(0)),
)


def mutate(data: bytes, mutations: list[tuple]) -> bytes:
    for kind, where, arg in mutations:
        at = where % (len(data) + 1)
        if kind == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ arg]) + data[at + 1:]
        elif kind == "delete":
            data = data[:at] + data[at + arg:]
        elif kind == "insert":
            data = data[:at] + arg + data[at:]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "duplicate-line":
            lines = data.splitlines(keepends=True)
            if lines:
                i = where % len(lines)
                data = b"".join(lines[: i + 1] + lines[i:])
    return data


def parses(data: bytes) -> bool:
    """Does pyoxigraph's Turtle parser, the one validate uses, accept these bytes (a UTF-8
    byte-order mark aside, which validate skips)?"""
    try:
        list(ox.parse(data.removeprefix(b"\xef\xbb\xbf"), format=ox.RdfFormat.TURTLE))
    except (SyntaxError, ValueError):
        return False
    return True


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory) -> Path:
    """One copy for every example: each puts its mutant in place and the original back."""
    copy = tmp_path_factory.mktemp("fuzz") / "repo"
    for name in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(ROOT / name, copy / name)
    return copy


def run_mutant(cli, root: Path, relative: str, mutant: bytes, args: list[str]) -> Outcome:
    target = root / relative
    original = target.read_bytes()
    target.write_bytes(mutant)
    try:
        before = digest(root)
        outcome = run_cli(cli, root, args, None)
        assert digest(root) == before, "the run changed a file of the repository"
    finally:
        target.write_bytes(original)
    everything = outcome.out + outcome.err
    assert "Traceback" not in everything, everything[-3000:]
    assert outcome.code in (0, 1, 2), everything[-3000:]
    if outcome.code == 2:
        lines = [line for line in outcome.err.strip().splitlines() if not line.startswith("validate: ")]
        assert len(lines) == 1 and lines[0].startswith("coalition-kg: error: ") and len(lines[0]) > 25, everything
    elif outcome.code == 1:
        assert re.search(r"^\S+:\d+: error: ", outcome.out, re.MULTILINE) and own_notices_only(outcome.err), \
            everything[-3000:]
    return outcome


# Fuzzing settings. derandomize=True: hypothesis draws the same examples on every run, from a seed
# derived from the test's name, so CI is repeatable and a failure seen once is seen again (a random
# run would find new inputs, and fail some unrelated pull request). No example database: a failure
# comes back from the seed, not from a file (hypothesis's own cache in .hypothesis/ is ignored by git
# through the .gitignore it writes there). deadline=None: a mutant that still parses runs
# every check (about 0.4 s), one that does not stops at once; their times are not comparable.
# function_scoped_fixture: `cli` captures output per call and each example restores the file it
# mutated, so sharing the fixtures between examples is safe. Most Turtle mutants stop at the parser
# (about 0.05 s), so they get more examples than the queries, each of which runs twice: about 10 s
# and 15 s on this project's 2-core machine. (Random runs of 800 examples each, of up to 6 mutations,
# found nothing the corpus does not hold.)
FUZZ = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.slow  # fuzzing: hundreds of runs
@settings(FUZZ, max_examples=150)
@given(source=st.sampled_from(TURTLE_FILES), mutations=st.lists(mutation, min_size=1, max_size=4))
def test_fuzz_turtle_files(cli, fuzz_root, source, mutations):
    relative = str(source.relative_to(ROOT))
    mutant = mutate(source.read_bytes(), mutations)
    outcome = run_mutant(cli, fuzz_root, relative, mutant, ["validate", "--no-reasoning"])
    # pyoxigraph's parser is the oracle: exit 2 exactly when it refuses the mutant, naming the file
    if parses(mutant):
        assert outcome.code in (0, 1), outcome.err
        assert outcome.code == 1 or outcome.out.splitlines()[-1].startswith("conforms"), outcome.out
    else:
        assert outcome.code == 2 and relative in outcome.err, outcome.out + outcome.err


@pytest.mark.slow  # fuzzing: hundreds of runs
@FUZZ
@given(source=st.sampled_from(QUERY_FILES), mutations=st.lists(mutation, min_size=1, max_size=4))
def test_fuzz_stored_queries(cli, fuzz_root, source, mutations):
    relative = str(source.relative_to(ROOT))
    mutant = mutate(source.read_bytes(), mutations)
    checked = run_mutant(cli, fuzz_root, relative, mutant, ["validate", "--no-reasoning"])
    if checked.code == 2:
        assert relative in checked.err, checked.err
    args = ["query", source.stem]
    for name, value in read_query(source).example_values().items():
        args += ["--param", f"{name}={value}"]
    answered = run_mutant(cli, fuzz_root, relative, mutant, args)
    assert answered.code in (0, 2), answered.out + answered.err  # a query does not judge the data
    if answered.code == 2:
        assert f"query {source.stem}" in answered.err, answered.err
    if checked.code == 0:  # a query the checks accept is answered, unless its parameters changed
        assert answered.code == 0 or re.search(r"query \S+, parameter ", answered.err), answered.err
