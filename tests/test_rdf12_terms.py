"""RDF 1.2 terms in the data, which the code's types had left out (mypy found both): a directional
language string is written in JSON-LD with its @direction, and a triple term, which no page of the
site can show, is refused in one line instead of a traceback."""

from __future__ import annotations

import json

import pyoxigraph as ox

from coalition_kg.publish.export import jsonld

EX = "https://example.org/"
TRIPLE_TERM = (f"<{EX}a> <{EX}says> <<( <{EX}a> <{EX}knows> <{EX}b> )>> .\n"
               "<https://w3id.org/coalition-kg/id/morocco> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
               f"<<( <{EX}a> <{EX}knows> <{EX}b> )>> .\n")


def test_a_directional_language_string_is_written_with_its_direction():
    said = ox.Literal("مرحبا", language="ar", direction=ox.BaseDirection.RTL)
    quad = ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "says"), said, ox.NamedNode(EX + "graph"))
    document = json.loads(jsonld([quad]))
    graph = next(node for node in document["@graph"] if "@graph" in node)["@graph"]
    values = [value for node in graph for key, value in node.items() if not key.startswith("@")]
    assert values == [{"@value": "مرحبا", "@language": "ar", "@direction": "rtl"}], values


def test_the_site_refuses_a_triple_term_in_one_line(cli, repo_copy, tmp_path):
    source = min((repo_copy / "data" / "sources").glob("*.ttl"))
    with source.open("a", encoding="utf-8") as file:
        file.write("\n" + TRIPLE_TERM)
    outcome = cli("--root", str(repo_copy), "-q", "site", str(tmp_path / "site"))
    lines = outcome.err.splitlines()
    assert outcome.code == 2 and len(lines) == 1, outcome.err
    assert lines[0].startswith("coalition-kg: error: the site cannot show a triple term: ") and "<<(" in lines[0]
    assert "Traceback" not in outcome.err
