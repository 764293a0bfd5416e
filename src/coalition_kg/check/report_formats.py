"""A validation report in the formats CI systems read: text for people, JSON for tools, JUnit XML
(shown by most CI servers as test results), and GitHub Actions workflow commands (annotations on
the pull request's lines). Each carries the sentence coverage of every source, where it was measured."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from coalition_kg.check.report import Problem, Report
from coalition_kg.errors import SyntaxProblem

FORMATS = ("text", "json", "junit", "github")


def render(report: Report, fmt: str, fail_on: str = "error") -> str:
    if fmt == "text":
        return report.text(fail_on)
    return {"json": _json, "junit": _junit, "github": _github}[fmt](report, fail_on)


def unreadable(error: SyntaxProblem) -> Report:
    """A file that does not parse, as a report of one error, so that CI formats show it too."""
    where = error.location
    return Report([Problem(str(where.path), where.line or 1, "error", error.message, check="syntax")], ["syntax"])


def _json(report: Report, fail_on: str) -> str:
    problems = [{**{k: v for k, v in vars(p).items() if k != "shapes"}, "shape": p.shape_name}
                for p in sorted(report.problems)]
    coverage = [{"document": c.document, "file": c.file, "sentences": c.sentences, "quoted_by_facts": c.facts,
                 "attributed_as_claims": c.claims, "left_out_with_a_reason": c.left_out, "uncovered": c.uncovered,
                 "percent": float(c.percent)} for c in report.coverage]
    body = {"conforms": not report.failures(fail_on), "fail_on": fail_on, "summary": report.summary(fail_on),
            "problems": problems, "coverage": coverage}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _junit(report: Report, fail_on: str) -> str:
    failing = set(map(id, report.failures(fail_on)))
    suite = ET.Element("testsuite", name="coalition-kg validate")
    if report.coverage:  # the schema's place for what is measured rather than passed or failed
        properties = ET.SubElement(suite, "properties")
        for coverage in report.coverage:
            ET.SubElement(properties, "property", name=f"coverage of {coverage.document}", value=coverage.line())
    cases = 0
    for problem in sorted(report.problems):
        case = ET.SubElement(suite, "testcase", classname=problem.file,
                             name=f"{problem.shape_name} at line {problem.line}", file=problem.file,
                             line=str(problem.line))
        text = f"{problem}\n"
        if id(problem) in failing:
            ET.SubElement(case, "failure", message=problem.message, type=problem.severity).text = text
        else:  # below --fail-on: reported, not failing
            ET.SubElement(case, "system-out").text = text
        cases += 1
    reported = {p.check for p in report.problems}
    for check in report.checks:  # a check that ran and found nothing is a passing test case
        if check not in reported:
            ET.SubElement(suite, "testcase", classname="coalition-kg", name=f"{check} conforms")
            cases += 1
    suite.set("tests", str(cases))
    suite.set("failures", str(len(failing)))
    suite.set("errors", "0")
    root = ET.Element("testsuites", name="coalition-kg", tests=str(cases), failures=str(len(failing)))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _escape(text: str, in_property: bool = False) -> str:
    """GitHub's workflow-command escaping: %, CR and LF always; ':' and ',' inside properties."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if in_property else text


COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _github(report: Report, fail_on: str) -> str:
    lines = []
    for problem in sorted(report.problems):
        properties = [f"file={_escape(problem.file, True)}"]
        if problem.line:
            properties.append(f"line={problem.line}")
        properties.append(f"title={_escape(f'{problem.severity} [{problem.shape_name}]', True)}")
        message = problem.message + (f" ({problem.details})" if problem.details else "")
        lines.append(f"::{COMMAND[problem.severity]} {','.join(properties)}::{_escape(message)}")
    lines += [coverage.line() for coverage in report.coverage]  # plain lines: the job's log, not annotations
    lines.append(report.summary(fail_on))
    return "\n".join(lines) + "\n"
