"""Each class and property a stored query names exists in the ontology (or a standard vocabulary)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
CKG = "https://w3id.org/coalition-kg/ontology#"


@pytest.fixture(scope="module")
def ontology_terms() -> set[str]:
    graph = rdflib.Graph()
    for path in (ROOT / "ontology").glob("*.ttl"):
        graph.parse(path)
    return {str(s) for s in graph.subjects() if str(s).startswith(CKG)}


def ckg_terms(text: str) -> set[str]:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    prefixes = dict(re.findall(r"PREFIX\s+([\w-]*):\s*<([^>]+)>", body, re.IGNORECASE))
    names = {CKG + local for prefix, ns in prefixes.items() if ns == CKG
             for local in re.findall(rf"(?<![\w-]){re.escape(prefix)}:([A-Za-z_][\w-]*)", body)}
    names |= set(re.findall(rf"<({re.escape(CKG)}[A-Za-z_][\w-]*)>", body))
    return names


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_names_only_terms_of_the_ontology(path, ontology_terms):
    unknown = ckg_terms(path.read_text(encoding="utf-8")) - ontology_terms
    assert not unknown, f"{path.name} names terms the ontology does not define: {sorted(unknown)}"


def test_the_check_can_fail(ontology_terms):
    assert ckg_terms(f"PREFIX ckg: <{CKG}>\nSELECT * {{ ?m ckg:hostedByy ?x }}") - ontology_terms
