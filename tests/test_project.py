"""The project's own promises: the layout, and the README's commands are the ones CI runs."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    first_screen = "\n".join(ROOT.joinpath("README.md").read_text(encoding="utf-8").splitlines()[:30])
    return re.findall(r"```sh\n(.+?)\n```", first_screen)


def test_top_level_layout():
    for name in ("ontology", "data", "queries", "shapes", "src", "tests", "pyproject.toml", "README.md", ".ci/run"):
        assert (ROOT / name).exists(), name


def test_readme_first_screen_has_the_two_commands_and_ci_runs_the_test_one():
    commands = readme_commands()
    assert len(commands) == 2
    run, test = commands
    assert "coalition-kg build" in run and "venv" in run
    assert test == "bash .ci/run"  # the README's test command is CI's script itself
    ci = ROOT.joinpath(".ci/run").read_text(encoding="utf-8")
    assert "apt-get install" in ci and "virtuoso-opensource-7-bin" in ci  # the servers the tests start
    # every test, the ones plain pytest leaves out (every marker) too: -m '' replaces pyproject's -m
    assert any("venv" in line and "pip install" in line and line.endswith("pytest -m ''")
               for line in ci.splitlines())


def test_plain_pytest_leaves_out_every_registered_marker_and_nothing_else():
    pyproject = tomllib.loads(ROOT.joinpath("pyproject.toml").read_text(encoding="utf-8"))
    options = pyproject["tool"]["pytest"]["ini_options"]
    registered = {line.split(":", 1)[0] for line in options["markers"]}
    selection = re.fullmatch(r".*-m 'not \(([a-z ]+)\)'", options["addopts"]).group(1)
    assert set(selection.split(" or ")) == registered
    assert "--strict-markers" in options["addopts"].split()


def test_every_dependency_has_a_lower_bound():
    project = tomllib.loads(ROOT.joinpath("pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    names = {re.split(r"[<>=!~ \[]", r)[0].lower() for r in requirements}
    assert {"rdflib", "pyshacl", "sparqlwrapper", "pytest", "pyoxigraph"} <= names
    assert all(">=" in r for r in requirements), requirements


def test_console_script_points_at_a_real_function():
    project = tomllib.loads(ROOT.joinpath("pyproject.toml").read_text(encoding="utf-8"))["project"]
    module, _, function = project["scripts"]["coalition-kg"].partition(":")
    assert callable(getattr(importlib.import_module(module), function))
