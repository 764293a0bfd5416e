"""Every command against every hostile input of the corpus (issue 12): whatever a command is given,
it ends by itself with exit 0, 1 or 2, one readable line when it refuses, no traceback, no signal,
no connection out, no secret in its output, and the repository as it found it.

The corpus (tests/fixtures/hostile/cases.yaml) says, for each input, what the one command it was
written for must answer; this walk puts the same input before every command that reads the folder
the input lands in. A command added to the CLI without an entry in COMMANDS fails
`test_the_walk_covers_every_command`, so nothing escapes the walk by being new."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from coalition_kg.cli import cli as command_group

from .conftest import ROOT, SEEDS
from .test_hostile import CASES, digest, place

pytestmark = pytest.mark.walk

# what a command that loads the graph reads (rules: ontology/rules/; prefixes: shapes/prefixes.ttl, which
# gives every command its base IRI and namespaces)
GRAPH = {"ontology", "data", "rules", "prefixes"}


@dataclass(frozen=True)
class Command:
    args: tuple[str, ...]  # {out}: a scratch folder outside the repository; {root}, {pristine}, {closed}
    reads: frozenset[str]  # the repository's folders it reads ("texts" for the source texts)
    loads_graph: bool = True  # so a file of the graph that cannot be read must stop it with exit 2


COMMANDS = {
    "validate": Command(("validate", "--texts", "{texts}"), frozenset(GRAPH | {"shapes", "queries", "texts"})),
    "check-quotes": Command(("check-quotes", "{texts}"), frozenset(GRAPH | {"texts"})),
    "check-coverage": Command(("check-coverage", "{texts}"), frozenset(GRAPH | {"texts"})),
    "queries": Command(("queries",), frozenset({"queries", "prefixes"}), loads_graph=False),
    "query": Command(("query", "meetings-in-date-order", "--format", "json"), frozenset(GRAPH | {"queries"})),
    # {query}: the case's ad hoc query (adhoc/), or else one that counts the triples
    "sparql": Command(("sparql", "{query}"), frozenset(GRAPH | {"adhoc"})),
    "export": Command(("export", "--format", "trig", "-o", "{out}/export.trig"), frozenset(GRAPH)),
    "push": Command(("push", "--endpoint", "http://127.0.0.1:{closed}/store", "--timeout", "5"), frozenset(GRAPH)),
    "serve": Command(("serve", "--port", "0", "--workers", "1"), frozenset(GRAPH | {"queries", "adhoc"})),
    "stats": Command(("stats", "--format", "json"), frozenset(GRAPH | {"queries"})),
    # diff reads no rules (it compares the facts as written); its time limit is the walk's to wait for
    "diff": Command(("diff", "{pristine}", "{root}", "--time-limit", "20"),
                    frozenset({"ontology", "data", "prefixes"})),
    "build": Command(("build", "--out", "{out}/build", "--texts", "{texts}"),
                     frozenset(GRAPH | {"shapes", "queries", "texts"})),
    "synth": Command(("synth", "{out}/synth", "--documents", "2", "--texts", "{texts}"),
                     frozenset({"ontology", "rules", "shapes", "queries", "prefixes"}), loads_graph=False),
    # new-source reads the ontology and data/reference.ttl, for names
    "new-source": Command(("new-source", "999_walk", "--title", "A walk"),
                          frozenset({"ontology", "data", "prefixes"}), loads_graph=False),
    "describe": Command(("describe", "-o", "{out}/void.ttl"), frozenset(GRAPH)),
    "site": Command(("site", "{out}/site", "--texts", "{texts}"), frozenset(GRAPH | {"texts"})),
}


def folder_of(case: dict) -> str | None:
    """Which folder of the repository the case's input lands in ("rules" for ontology/rules/): its
    file's, or else that of the last special file it makes (a link, a FIFO…; the ones before it are
    what it points to, outside the repository)."""
    made = [next(v for k, v in thing.items() if k in ("symlink", "fifo", "device", "folder", "copy"))
            for thing in case.get("make", [])]
    where = case.get("to") or (made[-1] if made else None)
    if where is None or where.startswith("..") or "/" not in where:  # outside, or beside the folders
        return None
    if where == "shapes/prefixes.ttl":  # read by every command, not only those that read shapes/
        return "prefixes"
    return "rules" if where.startswith("ontology/rules/") else where.split("/", 1)[0]


def unreadable_graph_file(case: dict) -> bool:
    """A file of the graph that its own command refused as unreadable (exit 2 under the default run):
    every command that loads the graph must refuse it too, never work around it."""
    return case["code"] == 2 and "run" not in case and folder_of(case) in GRAPH


PAIRS = [(case, name) for case in CASES for name, command in COMMANDS.items()
         if folder_of(case) in command.reads]


def test_the_walk_covers_every_command():
    assert set(COMMANDS) == set(command_group.commands), "a command of the CLI has no entry in the walk"
    assert {folder_of(c) for c in CASES} - {None} <= set().union(*(c.reads for c in COMMANDS.values()))
    assert len(PAIRS) > 5 * len(COMMANDS)  # the filter lets a real walk through, not a handful


def args_for(command: Command, root: Path, out: Path, sentinel, case: dict) -> list[str]:
    texts = root / "texts" if folder_of(case) == "texts" else SEEDS
    query = f"@{root}/{case['to']}" if folder_of(case) == "adhoc" else "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    fill = {"{root}": str(root), "{out}": str(out), "{pristine}": str(ROOT), "{texts}": str(texts),
            "{closed}": str(sentinel.closed_port), "{query}": query}
    args = []
    for arg in command.args:
        for key, value in fill.items():
            arg = arg.replace(key, value)
        args.append(arg)
    return ["--root", str(root), *args]


def run(args: list[str], cwd: Path, serve: bool, query: bytes | None = None) -> tuple[int, str, str]:
    """The command in a child process, so a hang or a signal fails the test; `serve`, once it says it
    is serving, answers one query (``query``, the case's ad hoc one, must get no 5xx) and is stopped
    as a user stops it."""
    process = subprocess.Popen([sys.executable, "-m", "coalition_kg.cli", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        if serve:
            first = process.stdout.readline().decode(errors="replace")  # ends when serving, or at exit
            address = re.search(r"serving (http://\S+?)/ ", first)
            if address and query is None:
                ask = urllib.parse.quote("ASK { ?s ?p ?o }")
                with urllib.request.urlopen(f"{address.group(1)}/sparql?query={ask}", timeout=60) as answer:
                    assert answer.status == 200
            elif address:
                request = urllib.request.Request(f"{address.group(1)}/sparql", data=query,
                                                 headers={"Content-Type": "application/sparql-query"})
                try:
                    with urllib.request.urlopen(request, timeout=60) as answer:
                        status = answer.status
                except urllib.error.HTTPError as error:
                    status = error.code
                assert status < 500, f"serve answered {status} to the case's query"
            if address:
                process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=120)
            return process.returncode, first + out.decode(errors="replace"), err.decode(errors="replace")
        out, err = process.communicate(timeout=120)
        return process.returncode, out.decode(errors="replace"), err.decode(errors="replace")
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"coalition-kg {' '.join(args)} still running after 120 s")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize(("case", "name"), PAIRS, ids=[f"{c['id']}-{n}" for c, n in PAIRS])
def test_every_command_meets_every_hostile_input(case, name, repo_copy, tmp_path, sentinel):
    command = COMMANDS[name]
    place(case, repo_copy, sentinel)
    before = digest(repo_copy)
    out = tmp_path / "out"
    out.mkdir()
    started = time.monotonic()
    query = (repo_copy / case["to"]).read_bytes() if name == "serve" and folder_of(case) == "adhoc" else None
    code, stdout, stderr = run(args_for(command, repo_copy, out, sentinel, case), repo_copy, name == "serve", query)
    shown = (f"{name}: exit {code} after {time.monotonic() - started:.1f} s\n--- stdout\n{stdout[-2000:]}\n"
             f"--- stderr\n{stderr[-2000:]}")
    assert code >= 0, f"killed by signal {-code}\n{shown}"
    assert "Traceback" not in stdout + stderr, shown
    assert code in (0, 1, 2), shown
    assert sentinel.marker not in stdout + stderr, shown
    if code == 2:
        errors = [line for line in stderr.splitlines() if line.startswith("coalition-kg: error: ")]
        notices = ("coalition-kg: ", "validate: ")
        others = [line for line in stderr.splitlines() if line and not line.startswith(notices)]
        assert len(errors) == 1 and not others, shown
    if unreadable_graph_file(case) and command.loads_graph:
        assert code == 2, f"the graph holds a file it cannot read, and {name} went on\n{shown}"
    after = digest(repo_copy)
    if name == "new-source":  # the one command that writes into the repository: its own new file only
        after.pop(str(Path("data", "sources", "999_walk.ttl")), None)
    assert after == before, f"{name} changed a file of the repository\n{shown}"
    assert sentinel.arrived() == [], f"{name}: connections arrived from {sentinel.arrived()}"
