"""The base IRI of a repository whose shapes/prefixes.ttl declares none (the real one's), on its own
so that `coalition-kg --help` can show it without loading the vocabulary's RDF engine."""

from __future__ import annotations

DEFAULT_BASE = "https://w3id.org/coalition-kg/"
