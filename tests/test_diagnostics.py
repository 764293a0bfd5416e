"""Validation as a CI product: each finding located at the file and line (of the property, and of the
node), with its severity, shape and value, in text, JSON, JUnit XML and GitHub annotations; and
--fail-on deciding which severities fail the run."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

SOURCE = "data/sources/003_73e3b687882f6e77.ttl"
NIAMEY = "id:2023-03-01-afg-plenary-niamey a ckg:PlenaryMeeting"
DATE = 'ckg:date "2023-03-01"^^xsd:date'


def line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


@pytest.fixture
def broken(repo_copy):
    """A copy with one error (the Niamey meeting's date as a plain string) and one warning (a
    one-word quote with nothing around it)."""
    source = repo_copy / SOURCE
    source.write_text(source.read_text(encoding="utf-8").replace(DATE, 'ckg:date "1 March 2023"'), encoding="utf-8")
    reference = repo_copy / "data" / "reference.ttl"
    lonely = '\nid:lonely-quote a ckg:Evidence ;\n    <http://www.w3.org/ns/oa#exact> "Niger" .\n'
    reference.write_text(reference.read_text(encoding="utf-8") + lonely, encoding="utf-8")
    return repo_copy


def run(cli, root, *args):
    return cli("--root", str(root), "validate", "--no-reasoning", *args)


def test_text_names_file_property_line_node_line_severity_shape_and_value(cli, broken):
    result = run(cli, broken)
    assert result.code == 1
    date_line = line_of(broken / SOURCE, 'ckg:date "1 March 2023"')
    node_line = line_of(broken / SOURCE, NIAMEY)
    error = next(line for line in result.out.splitlines() if "[Meeting-date]" in line)
    assert error.startswith(f"{SOURCE}:{date_line}: error: a meeting needs exactly one ckg:date")
    assert f"defined at line {node_line}" in error and '"1 March 2023"' in error
    warning = next(line for line in result.out.splitlines() if "[ShortQuoteShape]" in line)
    quote_line = line_of(broken / "data" / "reference.ttl", 'oa#exact> "Niger"')
    assert warning.startswith(f"data/reference.ttl:{quote_line - 1}: warning: a quote of one short word")
    assert result.out.splitlines()[-1] == "does not conform: 1 error(s), 1 warning(s), 0 info(s)"


def test_fail_on_sets_which_severities_fail(cli, broken):
    source = broken / SOURCE
    source.write_text(source.read_text(encoding="utf-8").replace('ckg:date "1 March 2023"', DATE), encoding="utf-8")
    only_warning = run(cli, broken)
    assert only_warning.code == 0 and only_warning.out.splitlines()[-1].startswith("conforms: 0 error(s), 1 warning")
    strict = run(cli, broken, "--fail-on", "warning")
    assert strict.code == 1 and strict.out.splitlines()[-1].startswith("does not conform")
    assert "(failing on warning and above)" in strict.out
    # an information-level shape of the maintainers' own fails the run only with --fail-on info
    (broken / "shapes" / "data-notes.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<urn:x:NoAliasShape> a sh:NodeShape ; sh:targetSubjectsOf skos:prefLabel ;\n"
        "    sh:property [ sh:path skos:altLabel ; sh:minCount 1 ; sh:severity sh:Info ; sh:message \"no alias\" ] .\n")
    assert run(cli, broken, "--fail-on", "warning").code == 1
    (broken / "data" / "reference.ttl").write_text(
        (broken / "data" / "reference.ttl").read_text(encoding="utf-8").replace('"Niger" .', '"Niger and Niamey" .'),
        encoding="utf-8")
    notes = run(cli, broken)
    assert notes.code == 0 and ": info: no alias [" in notes.out
    assert run(cli, broken, "--fail-on", "warning").code == 0
    assert run(cli, broken, "--fail-on", "info").code == 1


def test_github_annotations(cli, broken):
    result = run(cli, broken, "--format", "github")
    assert result.code == 1
    date_line = line_of(broken / SOURCE, 'ckg:date "1 March 2023"')
    lines = result.out.splitlines()
    error = next(line for line in lines if "Meeting-date" in line)
    assert error.startswith(f"::error file={SOURCE},line={date_line},title=error [Meeting-date]::a meeting needs")
    warning = next(line for line in lines if "ShortQuoteShape" in line)
    assert re.match(r"::warning file=data/reference\.ttl,line=\d+,title=warning \[ShortQuoteShape\]::", warning)
    assert all(line.startswith("::") for line in lines[:-1]) and lines[-1].startswith("does not conform")


def test_junit_report(cli, broken):
    result = run(cli, broken, "--format", "junit", "--fail-on", "warning")
    assert result.code == 1
    suites = ET.fromstring(result.out.split("\n", 1)[1])
    suite = suites.find("testsuite")
    assert (suites.get("failures"), suite.get("failures")) == ("2", "2")
    failures = {case.get("name"): (case.get("classname"), case.find("failure").get("type"))
                for case in suite.iter("testcase") if case.find("failure") is not None}
    date_line = line_of(broken / SOURCE, 'ckg:date "1 March 2023"')
    assert failures[f"Meeting-date at line {date_line}"] == (SOURCE, "error")
    assert [value for name, value in failures.items() if name.startswith("ShortQuoteShape")] == \
        [("data/reference.ttl", "warning")]
    passing = {case.get("name") for case in suite.iter("testcase") if case.get("classname") == "coalition-kg"}
    # no quotes, no reasoning: not run, not listed; the own-evidence check needs no texts, so it runs
    assert passing == {"ontology conforms", "catalogue conforms", "evidence conforms"}
    lenient = ET.fromstring(run(cli, broken, "--format", "junit").out.split("\n", 1)[1])
    assert lenient.get("failures") == "1"  # the warning is reported, not failing
    assert any(case.find("system-out") is not None for case in lenient.iter("testcase"))


def test_json_report(cli, broken):
    result = run(cli, broken, "--format", "json")
    body = json.loads(result.out)
    assert result.code == 1 and body["conforms"] is False and body["fail_on"] == "error"
    [error] = [p for p in body["problems"] if p["shape"] == "Meeting-date"]
    assert (error["file"], error["line"], error["node_line"], error["severity"]) == (
        SOURCE, line_of(broken / SOURCE, 'ckg:date "1 March 2023"'), line_of(broken / SOURCE, NIAMEY), "error")
    assert error["value"] == '"1 March 2023"'


@pytest.mark.parametrize("fmt", ["github", "junit", "json"])
def test_a_syntax_error_is_reported_in_the_ci_format_too(cli, repo_copy, fmt):
    source = repo_copy / SOURCE
    source.write_text(source.read_text(encoding="utf-8").replace(DATE, 'ckg:date "2023-03-01"^^ <'),
                      encoding="utf-8")
    result = run(cli, repo_copy, "--format", fmt)
    line = line_of(source, '"2023-03-01"^^ <')
    assert result.code == 2 and result.err.startswith(f"coalition-kg: error: {SOURCE}:{line}:")
    if fmt == "github":
        assert result.out.startswith(f"::error file={SOURCE},line={line},title=error [syntax]::")
    elif fmt == "junit":
        failure = ET.fromstring(result.out.split("\n", 1)[1]).find("testsuite/testcase/failure")
        assert failure is not None and failure.get("type") == "error"
    else:
        assert json.loads(result.out)["problems"][0]["line"] == line


def test_catalogue_findings_are_located_in_the_query_file(cli, repo_copy):
    query = repo_copy / "queries" / "aliases.rq"
    query.write_text(re.sub(r"#\+ summary:.*\n", "#+ summary: Short\n", query.read_text(encoding="utf-8")),
                     encoding="utf-8")
    result = run(cli, repo_copy, "--format", "github")
    line = line_of(query, "#+ summary: Short")
    assert result.code == 1
    assert f"::error file=queries/aliases.rq,line={line},title=error [Query-summary]::" in result.out
