"""`coalition-kg diff`: what a change means in facts. A commit that only reformats a data file
diffs to nothing; a commit that adds one co-chair diffs to one readable line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time

import pytest
import rdflib

SOURCE = "data/sources/003_73e3b687882f6e77.ttl"
MEETING = "Plenary meeting of the Africa Focus Group, Niamey, 1 March 2023"


def without_italy(text: str) -> str:
    """The source file as it was before Italy's co-chair role was written down."""
    text = text.replace("f:niamey-co-chair-italy , ", "")
    return re.sub(r"f:niamey-co-chair-italy a ckg:MeetingRole ;.*?\n\n", "", text, flags=re.DOTALL)


def reformatted(path) -> str:
    """The same graph written by another serialiser: other order, indentation and blank node labels."""
    graph = rdflib.Graph()
    graph.parse(path, format="turtle")
    return graph.serialize(format="turtle")


def git(repo, *args) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def history(repo_copy):
    """A git repository with three commits: the data, the data reformatted, one co-chair added."""
    source = repo_copy / SOURCE
    original = source.read_text(encoding="utf-8")
    source.write_text(without_italy(original), encoding="utf-8")
    git(repo_copy, "init", "-q")
    git(repo_copy, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    git(repo_copy, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "data")
    source.write_text(reformatted(source), encoding="utf-8")
    git(repo_copy, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "reformat")
    source.write_text(original, encoding="utf-8")
    git(repo_copy, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "Italy co-chaired")
    return repo_copy


def test_a_reformatting_commit_diffs_to_nothing(cli, history):
    assert git(history, "diff", "--stat", "HEAD~2", "HEAD~1").strip()  # the lines did change
    result = cli("--root", str(history), "diff", "HEAD~2", "HEAD~1", "--exit-code")
    assert result.code == 0, result.out + result.err
    assert result.out.startswith("no change in the facts from HEAD~2 (")


def test_a_commit_adding_a_co_chair_diffs_to_one_readable_line(cli, history):
    result = cli("--root", str(history), "diff", "HEAD~1", "HEAD", "--exit-code")
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{SOURCE} <https://w3id.org/coalition-kg/graph/003_73e3b687882f6e77>",
        f"  + Italy co-chair of {MEETING} [003…]",
        f"1 change(s) in 1 graph(s) from HEAD~1 ({git(history, 'rev-parse', 'HEAD~1')[:10]}) "
        f"to HEAD ({git(history, 'rev-parse', 'HEAD')[:10]})"]


def test_folders_and_the_working_tree_compare_too(cli, history, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(history, old, ignore=shutil.ignore_patterns(".git"))
    source = history / SOURCE
    text = source.read_text(encoding="utf-8")
    text = text.replace('ckg:date "2023-03-01"^^xsd:date', 'ckg:date "2023-03"^^xsd:gYearMonth')
    text = text.replace("f:niamey-co-chair-niger , ", "")
    text = re.sub(r"f:niamey-co-chair-niger a ckg:MeetingRole ;.*?\n\n", "", text, flags=re.DOTALL)
    source.write_text(text, encoding="utf-8")
    result = cli("--root", str(history), "diff", str(old))  # NEW: the repository's own folder
    lines = [line.strip() for line in result.out.splitlines()[1:-1]]
    assert result.code == 0 and lines == [
        f"- Niger co-chair of {MEETING} [003…]",
        f'~ {MEETING}: date "2023-03-01" (xsd:date) → "2023-03" (xsd:gYearMonth) [003…]']
    assert cli("--root", str(history), "diff", "HEAD").out == result.out.replace(str(old), "HEAD (" + git(
        history, "rev-parse", "HEAD")[:10] + ")")


def test_markdown_and_json(cli, history):
    markdown = cli("--root", str(history), "diff", "HEAD~1", "HEAD", "--format", "markdown")
    assert f"#### `{SOURCE}` (1)\n\n```diff\n+ Italy co-chair of {MEETING} [003…]\n```" in markdown.out
    body = json.loads(cli("--root", str(history), "diff", "HEAD~1", "HEAD", "--format", "json").out)
    [graph] = body["graphs"]
    [change] = graph["changes"]
    assert body["changes"] == 1 and graph["file"] == SOURCE and change["sign"] == "+"
    subjects = {triple[0] for triple in change["triples"]}
    assert "<https://w3id.org/coalition-kg/id/003_73e3b687882f6e77/niamey-co-chair-italy>" in subjects
    assert len(change["triples"]) == 9  # the role's 6 triples, its evidence's 2, the meeting's link to it


@pytest.mark.parametrize("spec,says", [("no-such-revision", "neither a folder nor a git revision"),
                                       ("HEAD~9", "neither a folder nor a git revision")])
def test_a_bad_revision_is_one_line_and_exit_2(cli, history, spec, says):
    result = cli("--root", str(history), "diff", spec, "HEAD")
    assert result.code == 2 and says in result.err and len(result.err.strip().splitlines()) == 1


@pytest.mark.slow  # waits for its time limit
def test_hang_a_comparison_that_would_not_end_stops_at_its_time_limit(repo_copy, root, cli):
    """Blank nodes 3,000 deep: matching them by structure is quadratic (rdflib's canonical labelling
    took 7 s at 1,000 levels, and would take hours at 100,000). diff stops at --time-limit, says which
    file it was comparing, and exits 2 without a traceback."""
    chain = "[ rdfs:seeAlso " * 3_000 + "id:b" + " ]" * 3_000
    (repo_copy / "data" / "sources" / "deep.ttl").write_text(
        "@prefix id: <https://w3id.org/coalition-kg/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"id:a rdfs:seeAlso {chain} .\n", encoding="utf-8")
    started = time.monotonic()
    result = cli("--root", str(repo_copy), "diff", str(root), str(repo_copy), "--time-limit", "2")
    assert time.monotonic() - started < 30
    assert result.code == 2, result.out + result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert re.search(r"^coalition-kg: error: diff: comparing .*data/sources/deep\.ttl .*stopped after 2 s", result.err)
    assert result.out == ""
