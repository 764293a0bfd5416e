"""docs/github-actions-validate.yml, the example workflow: valid YAML, the steps it promises, and
commands that work on this repository."""

from __future__ import annotations

import shlex
import xml.etree.ElementTree as ET

import yaml

from .conftest import ROOT

WORKFLOW = ROOT / "docs" / "github-actions-validate.yml"


def steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["name"]
    assert "push" in workflow[True] and "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true
    [job] = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    return job["steps"]


def runs() -> list[str]:
    return [step["run"].strip() for step in steps() if "run" in step]


def test_checkout_python_install_in_order():
    uses = [step.get("uses", "") for step in steps()]
    assert uses[0].startswith("actions/checkout@")
    [setup] = [step for step in steps() if step.get("uses", "").startswith("actions/setup-python@")]
    assert setup["with"]["python-version"] == "3.11"  # a string: unquoted, 3.10 would read as 3.1
    commands = runs()
    assert commands[0].startswith("pip install ") and commands[1:] == [
        "coalition-kg validate --format github", "coalition-kg validate --format junit > validate-junit.xml"]
    assert uses.index(setup["uses"]) < next(i for i, step in enumerate(steps()) if "run" in step)


def test_the_junit_report_is_written_and_uploaded_even_when_validation_fails():
    by_run = {step.get("run", "").strip(): step for step in steps()}
    junit = by_run["coalition-kg validate --format junit > validate-junit.xml"]
    [upload] = [step for step in steps() if step.get("uses", "").startswith("actions/upload-artifact@")]
    assert upload["with"]["path"] == "validate-junit.xml"
    assert junit["if"] == upload["if"] == "${{ !cancelled() }}"
    assert steps().index(junit) < steps().index(upload)


def test_the_commands_work_here(cli, tmp_path):
    for command in runs()[1:]:
        words = shlex.split(command)
        assert words[0] == "coalition-kg"
        target = words[words.index(">") + 1] if ">" in words else None
        args = words[1:words.index(">")] if target else words[1:]
        run = cli("--root", str(ROOT), *args)
        assert run.code == 0, run.out + run.err
        if target:
            (tmp_path / target).write_text(run.out, encoding="utf-8")
            report = ET.parse(tmp_path / target).getroot()
            assert report.tag in ("testsuites", "testsuite")
