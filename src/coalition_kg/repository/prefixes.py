"""The prefixes our outputs (Turtle, TriG, RDF/XML, JSON-LD, the site) abbreviate IRIs with."""

from __future__ import annotations

from coalition_kg.repository import layout as lay

PREFIXES = {
    "ckg": lay.ONTOLOGY_NS, "id": lay.BASE + "id/", "src": lay.BASE + "source/",
    "org": "http://www.w3.org/ns/org#", "prov": "http://www.w3.org/ns/prov#", "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#", "oa": "http://www.w3.org/ns/oa#",
    "dcterms": "http://purl.org/dc/terms/", "wd": "http://www.wikidata.org/entity/",
}
