"""The command line: exit codes, one-line errors that name file, line and column, whole outputs."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from coalition_kg.authoring.synth import generate
from coalition_kg.errors import CoalitionKGError
from coalition_kg.guards import atomic_write
from coalition_kg.publish import export as export_module

from . import readme_commands


def test_validate_conforms_on_the_real_repository(cli, root):
    result = cli("--root", str(root), "validate")
    assert result.code == 0, result.out + result.err
    assert "conforms: 0 error(s)" in result.out


def test_syntax_error_names_file_line_and_column(cli, repo_copy):
    path = repo_copy / "data" / "sources" / "003_73e3b687882f6e77.ttl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(30, "id:broken ckg:date ")  # a statement with no object, and no final dot
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("--root", str(repo_copy), "validate")
    assert result.code == 2
    assert re.match(r"^coalition-kg: error: data/sources/003_73e3b687882f6e77\.ttl:\d+:\d+: ", result.err)
    line = int(result.err.split(":")[3])
    assert 31 <= line <= 33  # the error is reported where the broken statement is
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_meeting_without_a_date_fails_validation_naming_the_file(cli, repo_copy):
    path = repo_copy / "data" / "sources" / "003_73e3b687882f6e77.ttl"
    text = path.read_text(encoding="utf-8")
    assert '    ckg:date "2023-03-01"^^xsd:date ;\n' in text
    path.write_text(text.replace('    ckg:date "2023-03-01"^^xsd:date ;\n', "", 1), encoding="utf-8")
    result = cli("--root", str(repo_copy), "validate", "--no-reasoning")
    assert result.code == 1
    failing = [line for line in result.out.splitlines() if "2023-03-01-afg-plenary-niamey" in line and "error" in line]
    assert failing, result.out
    assert failing[0].startswith("data/sources/003_73e3b687882f6e77.ttl:")


def test_report_is_sorted_by_file_and_line(cli, repo_copy):
    for name in ("000_28830c00cecbbf69", "003_73e3b687882f6e77"):
        path = repo_copy / "data" / "sources" / f"{name}.ttl"
        path.write_text(path.read_text(encoding="utf-8").replace("ckg:date ", "ckg:dateX "), encoding="utf-8")
    result = cli("--root", str(repo_copy), "validate", "--no-reasoning")
    assert result.code == 1
    places = [(m.group(1), int(m.group(2))) for m in re.finditer(r"^([^:\n]+):(\d+): ", result.out, re.MULTILINE)]
    assert len(places) >= 4 and places == sorted(places)


def test_not_a_repository_is_exit_2(cli, tmp_path):
    result = cli("--root", str(tmp_path), "validate")
    assert result.code == 2 and "not a coalition-kg repository" in result.err


def test_unknown_query_and_bad_parameters_are_exit_2(cli, root):
    assert cli("--root", str(root), "query", "no-such-query").code == 2
    unknown = cli("--root", str(root), "query", "meeting-roles", "--param", "colour=red")
    assert unknown.code == 2 and "parameter colour" in unknown.err
    malformed = cli("--root", str(root), "query", "meeting-roles", "--param", "meeting")
    assert malformed.code == 2 and "name=value" in malformed.err


def test_queries_lists_every_stored_query(cli, root):
    result = cli("--root", str(root), "queries")
    assert result.code == 0
    names = {line.split(":")[0] for line in result.out.splitlines()}
    assert names == {p.stem for p in (root / "queries").glob("*.rq")}


@pytest.mark.parametrize("fmt,rdflib_format", [("turtle", "turtle"), ("nt", "nt"), ("xml", "xml"),
                                                ("jsonld", "json-ld"), ("trig", "trig"), ("nquads", "nquads")])
def test_every_export_format_parses_back_to_the_same_triples(cli, root, tmp_path, dataset, fmt, rdflib_format):
    out = tmp_path / f"graph.{fmt}"
    result = cli("--root", str(root), "export", "--format", fmt, "-o", str(out))
    assert result.code == 0, result.err
    quads = export_module.export_quads(dataset)
    expected = rdflib.Dataset()
    expected.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS), format="nquads")
    if fmt in ("trig", "nquads", "jsonld"):  # one named graph per source, each the same up to blank nodes
        found = rdflib.Dataset()
        found.parse(out, format=rdflib_format)
        names = {q.graph_name.value for q in quads}
        assert {str(g.identifier) for g in found.graphs() if len(g)} == names
        for name in names:
            assert isomorphic(found.graph(rdflib.URIRef(name)), expected.graph(rdflib.URIRef(name))), name
    else:
        merged = rdflib.Graph()
        for s, p, o, _ in expected.quads((None, None, None, None)):
            merged.add((s, p, o))
        assert isomorphic(rdflib.Graph().parse(out, format=rdflib_format), merged)


def test_jsonld_export_has_a_context(cli, root):
    result = cli("--root", str(root), "export", "--format", "jsonld")
    document = json.loads(result.out)
    assert document["@context"]["ckg"] == "https://w3id.org/coalition-kg/ontology#"
    assert "ckg:MinisterialMeeting" in result.out


def test_inferred_export_adds_standard_vocabulary(cli, root, tmp_path):
    out = tmp_path / "inferred.nq"
    assert cli("--root", str(root), "export", "--format", "nquads", "--inferred", "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8")
    assert "<https://schema.org/Event> <https://w3id.org/coalition-kg/graph/inferred>" in text


def test_failed_export_leaves_no_partial_file(cli, root, tmp_path, monkeypatch):
    out = tmp_path / "graph.ttl"

    def fail_on_rename(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(atomic_write.os, "replace", fail_on_rename)
    with pytest.raises(CoalitionKGError, match="cannot write: disk full"):
        atomic_write.write_atomically(out, b"@prefix x: <http://x/> .")
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    result = cli("--root", str(root), "export", "-o", str(tmp_path / "missing" / "graph.ttl"))
    assert result.code == 2 and "no such folder" in result.err
    assert list(tmp_path.iterdir()) == []
    result = cli("--root", str(root), "export", "-o", str(tmp_path))
    assert result.code == 2 and "is a folder" in result.err
    assert list(tmp_path.iterdir()) == []


def test_stats_counts_graphs_and_classes(cli, root):
    result = cli("--root", str(root), "stats", "--format", "json")
    assert result.code == 0
    numbers = json.loads(result.out)
    assert numbers["instances"]["https://w3id.org/coalition-kg/ontology#State"] == 4
    graphs = numbers["graphs"]
    # each source's shortcuts in its own derived graph (17 and 12, each with the line naming its source:
    # roles, post holdings both ways, founding dates, and the stated links, two org:postIn and a
    # ckg:groupOf in 000, one of each in 003), and the date intervals of its dated nodes: in 000, two
    # full intervals of meetings, one of the coalition's founding, ten "not after" bounds (latest only:
    # the document, its count, the Group's creation and its announcement, three roles, three post
    # holdings); in 003, seven dated nodes with both ends. None that only the sources together give.
    assert graphs["https://w3id.org/coalition-kg/graph/derived/000_28830c00cecbbf69"] == 18 + 16
    assert graphs["https://w3id.org/coalition-kg/graph/derived/003_73e3b687882f6e77"] == 13 + 14
    assert graphs["https://w3id.org/coalition-kg/graph/derived"] == 0


def test_help_lists_every_command(cli):
    result = cli("--help")
    assert result.code == 0
    listed = re.findall(r"^  ([a-z][a-z-]*)  ", result.out.partition("Commands:")[2], re.MULTILINE)
    assert listed == readme_commands.commands() and len(listed) >= 15
    for command in listed:  # and each one's own help names it and exits 0
        own = cli(command, "--help")
        assert own.code == 0 and own.out.startswith(f"Usage: coalition-kg {command} "), (command, own.out, own.err)


def test_readme_command_summary_is_made_from_the_help():
    """README.md's synopsis of every command is made from click's help records; after a change of the
    options, `python -m tests.readme_commands` rewrites it."""
    text = readme_commands.README.read_text(encoding="utf-8")
    assert readme_commands.readme_block(text) == readme_commands.block(), \
        "README.md's command summary differs from --help: run `python -m tests.readme_commands`"
    summary = readme_commands.synopsis()
    for command in readme_commands.commands():
        assert re.search(rf"^coalition-kg {command}\b", summary, re.MULTILINE), command


def test_build_writes_validation_queries_and_exports(cli, root, tmp_path):
    out = tmp_path / "build"
    result = cli("--root", str(root), "build", "--out", str(out))
    assert result.code == 0, result.out + result.err
    assert (out / "validation.txt").read_text().splitlines()[-1].startswith("conforms")  # after the coverage lines
    assert len(list((out / "queries").glob("*.json"))) == len(list((root / "queries").glob("*.rq")))
    assert {p.suffix for p in (out / "export").iterdir()} >= {".ttl", ".nt", ".rdf", ".jsonld", ".trig", ".nq"}


def test_a_stored_query_with_a_syntax_error_is_named(cli, repo_copy):
    path = repo_copy / "queries" / "aliases.rq"
    path.write_text(path.read_text(encoding="utf-8").replace("ORDER BY STR(?alias)", "ORDER BY STR(?alias))"),
                    encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("ORDER BY"))
    result = cli("--root", str(repo_copy), "query", "aliases", "--param", "entity=daesh")
    assert result.code == 2
    # the parser stops at the token after the stray parenthesis: the end of that line, or the next
    where = rf"queries/aliases.rq:({line}|{line + 1})"
    assert re.match(rf"coalition-kg: error: query aliases: {where}:\d+: SPARQL", result.err)
    report = cli("--root", str(repo_copy), "validate", "--no-reasoning")
    assert report.code == 1 and re.search(rf"^{where}: error: SPARQL syntax error", report.out, re.MULTILINE)


def test_an_unusable_shape_is_exit_2_without_traceback(cli, repo_copy):
    (repo_copy / "shapes" / "data-broken.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:x:BrokenShape> a sh:NodeShape ; sh:targetClass <https://w3id.org/coalition-kg/ontology#State> ;\n"
        "    sh:property [ sh:path <urn:x:p> ; sh:minCount \"many\" ] .\n",
        encoding="utf-8")
    result = cli("--root", str(repo_copy), "validate", "--no-reasoning")
    assert result.code == 2 and "a shape cannot be used" in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_a_data_file_that_is_not_text_is_exit_2(cli, repo_copy):
    (repo_copy / "data" / "sources" / "zz_binary.ttl").write_bytes(b"\xff\xfe\x00garbage")
    result = cli("--root", str(repo_copy), "validate")
    assert result.code == 2
    assert result.err.startswith("coalition-kg: error: data/sources/zz_binary.ttl:")


def test_two_data_files_with_one_graph_name_are_exit_2(cli, repo_copy):
    (repo_copy / "data" / "links" / "reference.ttl").write_text("", encoding="utf-8")
    result = cli("--root", str(repo_copy), "stats")
    assert result.code == 2 and "same graph name" in result.err


def test_a_violation_points_at_the_file_that_asserts_the_property(cli, repo_copy):
    # Morocco is named in reference.ttl; a second label, asserted in 000's graph, is located there.
    path = repo_copy / "data" / "sources" / "000_28830c00cecbbf69.ttl"
    broken = path.read_text(encoding="utf-8") + '\nid:morocco rdfs:label "Maroc"@en .\n'
    path.write_text(broken, encoding="utf-8")
    line = next(n for n, t in enumerate(broken.splitlines(), 1) if t.startswith("id:morocco rdfs:label"))
    result = cli("--root", str(repo_copy), "validate", "--no-reasoning")
    assert result.code == 1
    assert f"data/sources/000_28830c00cecbbf69.ttl:{line}: error: needs exactly one English rdfs:label" in result.out


def test_ad_hoc_sparql_from_text_and_file(cli, root, tmp_path):
    question = ("PREFIX ckg: <https://w3id.org/coalition-kg/ontology#> "
                "SELECT ?place WHERE { <https://w3id.org/coalition-kg/id/2018-06-coalition-political-directors> "
                "ckg:location ?place }")
    result = cli("--root", str(root), "sparql", question, "--format", "csv")
    assert result.code == 0 and result.out.splitlines() == ["place"]  # the text names no place
    (tmp_path / "q.rq").write_text(question.replace("2018-06-coalition-political-directors",
                                                    "2023-03-01-afg-plenary-niamey"), encoding="utf-8")
    result = cli("--root", str(root), "sparql", f"@{tmp_path / 'q.rq'}", "--format", "csv")
    assert result.out.splitlines() == ["place", "https://w3id.org/coalition-kg/id/niamey"]
    bad = cli("--root", str(root), "sparql", "SELECT WHERE {")
    assert bad.code == 2 and "SPARQL syntax error" in bad.err and "Traceback" not in bad.err
    missing = cli("--root", str(root), "sparql", f"@{tmp_path / 'none.rq'}")
    assert missing.code == 2 and "cannot read the query" in missing.err


@pytest.mark.slow  # a child process, interrupted
def test_an_interrupted_validate_ends_with_one_line_and_130(tmp_path, root):
    # The data shapes run in a second thread; Ctrl-C must not leave a traceback or wait for it.
    generate(root, tmp_path / "repo", documents=1500)  # about 270k triples: validate takes seconds
    # The child gets Ctrl-C as a terminal gives it. A job a shell starts in the background (`cmd &`)
    # ignores SIGINT, and a child inherits that: Python then installs no handler, and the run went on
    # to exit 0 (seen when CI itself was started with `&`). A handler is reset to the default by exec.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen([sys.executable, "-m", "coalition_kg.cli", "--root", str(tmp_path / "repo"),
                                    "validate", "--texts", str(tmp_path / "repo" / "texts")], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
    finally:
        signal.signal(signal.SIGINT, inherited)
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130
    assert err.decode().strip() == "coalition-kg: aborted"


@pytest.mark.parametrize(("args", "said"), [
    (["nosuch"], r"No such command 'nosuch'\. \(see coalition-kg --help\)"),
    (["query"], r"query: Missing argument 'NAME'\. \(see coalition-kg query --help\)"),
    (["export", "--format", "zz"], r"export: Invalid value for '--format': 'zz' is not one of .*\(see coalition-kg "
                                   r"export --help\)"),
    (["serve", "--port", "70000"], r"serve: Invalid value for '--port': 70000 is not in the range"),
    (["query", "aliases", "--timeout", "nan"], r"query: Invalid value for '--timeout'"),
    (["validate", "--nope"], r"validate: No such option '--nope'"),
    (["serve", "--time-limit", "nan"], r"serve: Invalid value for '--time-limit': not a number of seconds"),
    (["diff", "HEAD", "--time-limit", "inf"], r"diff: Invalid value for '--time-limit': inf is not in the range"),
    (["serve", "--max-bytes", "lots"], r"serve: Invalid value for '--max-bytes': 'lots' is not a size in bytes"),
    (["serve", "--workers", "100000"], r"serve: Invalid value for '--workers': 100000 is not in the range"),
])
def test_class8_a_usage_error_is_one_line_and_exit_2(cli, root, args, said):
    """click prints its refusals as a usage block of several lines; ours is the one line every error is."""
    result = cli("--root", str(root), *args)
    assert result.code == 2
    assert result.out == ""
    assert result.err.count("\n") == 1 and re.match(r"coalition-kg: error: " + said, result.err), result.err
