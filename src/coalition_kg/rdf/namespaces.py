"""The standard namespaces the code names terms in (W3C, schema.org, Dublin Core, FOAF, VoID, Wikidata),
written once. They never depend on the repository; a repository's shapes/prefixes.ttl declares the same
(tests/test_vocabulary.py), and one without that file gets these."""

from __future__ import annotations

STANDARD = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#", "prov": "http://www.w3.org/ns/prov#", "schema": "https://schema.org/",
    "oa": "http://www.w3.org/ns/oa#", "dcterms": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
    "time": "http://www.w3.org/2006/time#", "void": "http://rdfs.org/ns/void#", "dcat": "http://www.w3.org/ns/dcat#",
    "wd": "http://www.wikidata.org/entity/", "sd": "http://www.w3.org/ns/sparql-service-description#",
}
RDF, RDFS, OWL, XSD = STANDARD["rdf"], STANDARD["rdfs"], STANDARD["owl"], STANDARD["xsd"]
SKOS, ORG, PROV, SCHEMA, OA = STANDARD["skos"], STANDARD["org"], STANDARD["prov"], STANDARD["schema"], STANDARD["oa"]
DCTERMS, FOAF, TIME, VOID, DCAT = (STANDARD[p] for p in ("dcterms", "foaf", "time", "void", "dcat"))
SH, SD = STANDARD["sh"], STANDARD["sd"]

