"""Other people's SHACL engines, run on exactly the data graph and shapes our engines see: rudof
(pyrudof, PyPI) in process, Apache Jena's `shacl` (Debian's libapache-jena-java) in a JVM. Each
returns the same comparable keys as coalition_kg.check.shacl.result_key.

They read files, and Jena relabels the blank nodes it parses. Where the shapes cannot tell a blank
node from an IRI, blank nodes are given to them as IRIs `urn:x-bnode:<label>` and mapped back in their
reports, so results compare node by node; where the shapes can (sh:nodeKind), blank nodes stay blank
and every one compares as `[]`, the results as a multiset."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from coalition_kg.check.shacl import results

SKOLEM = "urn:x-bnode:"
JAVA_LIBRARY = Path("/usr/share/java")
# Jena's Debian dependencies bring several SLF4J bindings and bridges that refuse each other at start-up;
# slf4j-nop is the one kept (Jena's log lines would only be noise here).
_LOGGING_CLASH = ("slf4j-log4j12", "slf4j-jcl", "slf4j-jdk14", "slf4j-simple", "slf4j-migrator",
                  "log4j-over-slf4j", "jul-to-slf4j", "jcl-over-slf4j", "maven3-slf4j-provider")


def _named(term):
    if isinstance(term, ox.BlankNode):
        return ox.NamedNode(SKOLEM + term.value)
    if isinstance(term, rdflib.BNode):
        return rdflib.URIRef(SKOLEM + str(term))
    return term


def tells_blank_from_iri(shapes: rdflib.Graph) -> bool:
    kinds = {SH.BlankNode, SH.IRI, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral}
    sparql = " ".join(str(o) for p in (SH.select, SH.ask) for o in shapes.objects(None, p)).lower()
    return any(o in kinds for o in shapes.objects(None, SH.nodeKind)) or \
        any(word in sparql for word in ("isblank", "isiri", "isuri"))


def write_ntriples(data: ox.Store | rdflib.Graph, path: Path, blank_as_iri: bool) -> Path:
    """The data as N-Triples, every graph of a store merged (as our engines read a store)."""
    named = _named if blank_as_iri else (lambda term: term)
    if isinstance(data, ox.Store):
        triples = {ox.Triple(named(q.subject), q.predicate, named(q.object)) for q in data}
        ox.serialize(triples, str(path), format=ox.RdfFormat.N_TRIPLES)
    else:
        graph = rdflib.Graph()
        for s, p, o in data:
            graph.add((named(s), p, named(o)))
        graph.serialize(path, format="nt", encoding="utf-8")
    return path


def comparable(found: list[dict], blank_labels: bool) -> Counter:
    """Results as a multiset of (focus, path, value, shape, component, severity) texts; a blank node
    as its label (``blank_labels``: the data was given as IRIs) or as `[]`."""
    def text(term) -> str:
        if isinstance(term, rdflib.BNode) and not blank_labels:
            return "[]"
        return "" if term is None else str(term).removeprefix(SKOLEM)

    return Counter(tuple(text(result[name]) for name in ("focus", "path_text", "value", "shape", "component",
                                                        "severity")) for result in found)


def _report(text: str) -> list[dict]:
    return results(rdflib.Graph().parse(data=text, format="turtle"))


def rudof_results(shapes: Path, data: Path) -> list[dict]:
    import pyrudof  # noqa: PLC0415 (only the tests that run rudof load it)

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(str(data), format=pyrudof.RDFFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict)
    rudof.read_shacl(str(shapes), format=pyrudof.ShaclFormat.Turtle, reader_mode=pyrudof.ReaderMode.Strict)
    rudof.validate_shacl()
    report = rudof.serialize_shacl_validation_results(format=pyrudof.ResultShaclValidationFormat.Turtle)
    return _report(report)


def _jar_closure(package: str) -> list[str]:
    """The jars of a Debian package and of everything it depends on, as dpkg lists them."""
    seen, waiting, jars = set(), [package], set()
    while waiting:
        name = waiting.pop()
        if name in seen:
            continue
        seen.add(name)
        depends = subprocess.run(["dpkg-query", "-W", "-f", "${Depends}", name], capture_output=True, text=True)
        if depends.returncode:
            continue
        waiting += [alternative.split("|")[0].split()[0].split(":")[0]
                    for alternative in depends.stdout.split(",") if alternative.strip()]
        listed = subprocess.run(["dpkg", "-L", name], capture_output=True, text=True).stdout.split()
        jars.update(line for line in listed if line.startswith(f"{JAVA_LIBRARY}/") and line.endswith(".jar"))
    return sorted(jar for jar in jars if not any(Path(jar).name.startswith(clash) for clash in _LOGGING_CLASH))


def _xerces_messages(folder: Path) -> Path:
    """Debian's Jena 4.5 shades Xerces, which then looks for its message files at xerces/impl/...
    and dies at start-up without them: copies of libxerces2-java's files at those paths."""
    with zipfile.ZipFile(JAVA_LIBRARY / "xercesImpl.jar") as jar:
        for name in jar.namelist():
            if name.endswith(".properties") and name.startswith(("org/apache/xerces/impl/msg/",
                                                                 "org/apache/xerces/impl/xpath/regex/")):
                target = folder / name.removeprefix("org/apache/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return folder


def jena_classpath(folder: Path) -> str | None:
    """Jena's classpath, or None where Java or Debian's Jena is not installed."""
    if shutil.which("java") is None or not (JAVA_LIBRARY / "jena-shacl.jar").is_file() \
            or not (JAVA_LIBRARY / "xercesImpl.jar").is_file():
        return None
    return os.pathsep.join([str(_xerces_messages(folder)), *_jar_closure("libapache-jena-java")])


def jena_results(classpath: str, shapes: Path, data: Path) -> list[dict]:
    run = subprocess.run(["java", "-cp", classpath, "shacl.shacl", "validate", "--shapes", str(shapes),
                          "--data", str(data)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "ValidationReport" in run.stdout, run.stderr[-2000:]
    return _report(run.stdout)
