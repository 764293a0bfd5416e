"""The ontology is OWL 2 DL by an independent tool's verdict: the OWL API (Debian's libowlapi-java)
runs its profile checker, Profiles.OWL2_DL, over the ontology file and over the ontology graph as
every command loads it (all of ontology/*.ttl, what `site` publishes)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from coalition_kg.repository.vocabulary import DEFAULT as V

from .outside_engines import JAVA_LIBRARY

CHECKER = Path(__file__).parent / "java" / "Owl2DlProfile.java"
SCHEMA_PLACE = "https://schema.org/Place"


@pytest.fixture(scope="module")
def owl2_dl(tmp_path_factory):
    """A function: files -> {file: [violations]}, by the OWL API in one JVM."""
    if shutil.which("javac") is None or not (JAVA_LIBRARY / "owlapi-distribution.jar").is_file():
        pytest.skip("the OWL API (Debian's libowlapi-java) and a JDK are not installed")  # .ci/run installs them
    classes = tmp_path_factory.mktemp("owlapi")
    classpath = os.pathsep.join([str(classes), str(JAVA_LIBRARY / "*")])
    subprocess.run(["javac", "-d", str(classes), "-cp", classpath, str(CHECKER)], check=True, timeout=120)

    def check(*files: Path) -> dict[str, list[str]]:
        run = subprocess.run(["java", "-cp", classpath, "Owl2DlProfile", *map(str, files)],
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        found: dict[str, list[str]] = {}
        for line in run.stdout.splitlines():
            kind, _, rest = line.partition(" ")
            path, _, what = rest.partition(" ")
            if kind == "VIOLATION":
                found.setdefault(path, []).append(what)
            elif kind == "CHECKED":
                assert int(what) == len(found.setdefault(path, []))
        assert set(found) == {str(f) for f in files}, run.stdout[-2000:]
        return found

    return check


@pytest.mark.servers  # starts a JVM
def test_the_ontology_is_in_the_owl2_dl_profile(owl2_dl, dataset, root, tmp_path):
    merged = tmp_path / "ontology-graph.ttl"
    ox.serialize((q.triple for q in dataset.quads([V.ontology_graph])), str(merged), format=ox.RdfFormat.TURTLE)
    # The control: one outside term's declaration taken out, and the checker names that term.
    undeclared = tmp_path / "one-undeclared.ttl"
    text = (root / "ontology" / "coalition.ttl").read_text(encoding="utf-8")
    assert text.count(" schema:Place a owl:Class .") == 1
    undeclared.write_text(text.replace(" schema:Place a owl:Class .", ""), encoding="utf-8")
    files = sorted(root.glob("ontology/*.ttl"))
    found = owl2_dl(*files, merged, undeclared)
    assert {path: violations for path, violations in found.items() if violations and path != str(undeclared)} == {}
    assert found[str(undeclared)] and all(SCHEMA_PLACE in v for v in found[str(undeclared)]), found[str(undeclared)]
