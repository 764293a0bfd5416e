"""Links to Wikidata: only the identifiers ../shared/wikidata.tsv lists as seen next to the entity's
label, as schema:sameAs (never owl:sameAs; nor skos:exactMatch, which makes its subject a SKOS concept),
in a graph of their own that names where they come from, never in a source document's graph."""

from __future__ import annotations

import csv

import pyoxigraph as ox

from coalition_kg.repository.vocabulary import DEFAULT as V

WD = "http://www.wikidata.org/entity/"
LINKS = V.base + "graph/wikidata"
MATCH = ("https://schema.org/sameAs",)


def verified(seeds) -> dict[str, str]:
    """Each name the table gives an entity ("Daesh / ISIS" gives two) -> its QID."""
    rows = (line for line in (seeds.parent / "wikidata.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#"))
    return {name.strip(): row["qid"] for row in csv.DictReader(rows, delimiter="\t")
            for name in row["entity"].split(" / ")}


def labels(dataset, entity: ox.NamedNode) -> set[str]:
    found = set()
    for predicate in ("http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label",
                      "http://www.w3.org/2004/02/skos/core#altLabel"):
        found |= {q.object.value for q in dataset.store.quads_for_pattern(entity, ox.NamedNode(predicate), None, None)}
    return found


def test_every_link_is_a_verified_identifier_of_an_entity_so_named(dataset, seeds):
    table = verified(seeds)
    links = [q for p in MATCH for q in dataset.store.quads_for_pattern(None, ox.NamedNode(p), None, None)
             if q.object.value.startswith(WD)]
    assert links
    for quad in links:
        qid = quad.object.value.removeprefix(WD)
        names = [name for name, listed in table.items() if listed == qid]
        assert names, f"{quad.subject} -> {qid}: not in wikidata.tsv"
        assert set(names) & labels(dataset, quad.subject), f"{quad.subject} is not named {names}"
        assert quad.graph_name == ox.NamedNode(LINKS)


def test_every_verified_identifier_of_an_entity_the_documents_name_is_linked(dataset, seeds):
    linked = {q.object.value.removeprefix(WD) for q in dataset.store.quads_for_pattern(
        None, ox.NamedNode(MATCH[0]), None, ox.NamedNode(LINKS))}
    names = {q.object.value for p in ("http://www.w3.org/2004/02/skos/core#prefLabel",
                                      "http://www.w3.org/2004/02/skos/core#altLabel")
             for q in dataset.store.quads_for_pattern(None, ox.NamedNode(p), None, None)}
    by_qid: dict[str, set[str]] = {}
    for name, qid in verified(seeds).items():
        by_qid.setdefault(qid, set()).add(name)
    for qid, listed in by_qid.items():
        named = bool(listed & names)
        assert named == (qid in linked), f"{listed} ({qid}): named in the data {named}, linked {qid in linked}"


# No owl:sameAs anywhere is a data shape (shapes/data.ttl, cs:NoSameAs, with its invalid fixture), so
# that `validate` enforces it for every maintainer.
def test_the_links_graph_names_its_source(dataset):
    source = list(dataset.store.quads_for_pattern(ox.NamedNode(LINKS), ox.NamedNode("http://purl.org/dc/terms/source"),
                                                  None, ox.NamedNode(LINKS)))
    assert source and "wikidata.tsv" in source[0].object.value
