"""The repository's vocabulary: its namespaces and prefixes, and every IRI of ours, built from one base.

A repository declares its prefixes once, in shapes/prefixes.ttl, with SHACL's ``sh:declare``
(``sh:prefix "ckg" ; sh:namespace "…"^^xsd:anyURI``); the prefix ``kg`` is its base IRI. The code
reads them from here and nowhere else: the output prefixes, the PREFIX lines of the SPARQL the code
writes, the ontology's namespace, the entity, source and graph IRIs, the graphs the machinery writes.
A repository without the file has the default base; every repository has the standard namespaces
(rdf/namespaces.py) under their usual prefixes, unless its file gives one of those prefixes to another."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from coalition_kg.errors import UsageProblem
from coalition_kg.guards.files import read_bytes
from coalition_kg.rdf.namespaces import SH, STANDARD, XSD
from coalition_kg.rdf.parse_errors import turtle_problem
from coalition_kg.repository.default_base import DEFAULT_BASE

if TYPE_CHECKING:
    import curies

PREFIXES_FILE = Path("shapes") / "prefixes.ttl"
BASE_PREFIX = "kg"
# The namespaces under the base, by prefix: what the machinery builds IRIs in.
UNDER_BASE = {"ckg": "ontology#", "id": "id/", "src": "source/", "graph": "graph/", "cs": "shapes#"}
# The prefixes the published RDF (Turtle, TriG, RDF/XML, JSON-LD, the site) abbreviates IRIs with, in order.
OUTPUT = ("ckg", "id", "src", "org", "prov", "schema", "skos", "rdfs", "xsd", "oa", "dcterms", "wd")

_XSD_ANY_URI = XSD + "anyURI"


@dataclass(frozen=True)
class Vocabulary:
    """The prefixes of one repository (``namespaces``, in the file's order) and the IRIs of its base."""

    base: str = DEFAULT_BASE
    namespaces: dict[str, str] = field(default_factory=dict)
    _prefix_maps: dict[tuple[str, ...] | None, dict[str, str]] = field(default_factory=dict, init=False, repr=False,
                                                                      compare=False)

    @classmethod
    def default(cls, base: str = DEFAULT_BASE) -> Vocabulary:
        """What a repository without a prefixes file has: the base's namespaces and the standard ones."""
        return cls(base, {BASE_PREFIX: base, **{p: base + local for p, local in UNDER_BASE.items()}, **STANDARD})

    @classmethod
    def read(cls, root: Path) -> Vocabulary:
        """The vocabulary of the repository at ``root``: its shapes/prefixes.ttl, or the default."""
        path = root / PREFIXES_FILE
        if not path.exists():
            return cls.default()
        shown = str(PREFIXES_FILE)
        store = ox.Store()
        data = read_bytes(path, root, shown).removeprefix(b"\xef\xbb\xbf")  # a byte-order mark says only "UTF-8"
        try:
            store.load(input=data, format=ox.RdfFormat.TURTLE)
        except SyntaxError as error:
            raise turtle_problem(error, shown, data) from None
        namespaces: dict[str, str] = {}
        for quad in store.quads_for_pattern(None, ox.NamedNode(SH + "declare"), None):
            declared, iri = _one(store, quad.object, "prefix", shown), _one(store, quad.object, "namespace", shown)
            if declared.datatype.value != XSD + "string" or iri.datatype.value != _XSD_ANY_URI:
                raise UsageProblem(f'{shown}: each sh:declare needs sh:prefix "…" and sh:namespace "…"^^xsd:anyURI')
            _check_declaration(declared.value, iri.value, shown)
            if namespaces.get(declared.value, iri.value) != iri.value:
                raise UsageProblem(f"{shown}: the prefix {declared.value}: is declared twice, with two namespaces")
            namespaces[declared.value] = iri.value
        base = namespaces.get(BASE_PREFIX, DEFAULT_BASE)
        for prefix, local in UNDER_BASE.items():
            if namespaces.setdefault(prefix, base + local) != base + local:
                raise UsageProblem(f"{shown}: {prefix}: is <{namespaces[prefix]}>, but the base {BASE_PREFIX}: "
                                   f"<{base}> makes it <{base + local}>")
        namespaces.setdefault(BASE_PREFIX, base)
        for prefix, namespace in STANDARD.items():  # the code names terms in these whatever the file lists
            namespaces.setdefault(prefix, namespace)
        return cls(base, dict(sorted(namespaces.items(), key=lambda item: _order(item[0]))))

    # -- the IRIs of the base

    @property
    def ontology(self) -> str:
        """The ontology's namespace, ``ckg:``."""
        return self.base + UNDER_BASE["ckg"]

    @property
    def ontology_iri(self) -> str:
        return self.base + "ontology"

    @property
    def entities(self) -> str:
        return self.base + UNDER_BASE["id"]

    @property
    def sources(self) -> str:
        return self.base + UNDER_BASE["src"]

    @property
    def graphs(self) -> str:
        return self.base + UNDER_BASE["graph"]

    @property
    def shapes(self) -> str:
        return self.base + UNDER_BASE["cs"]

    @property
    def ontology_graph(self) -> str:
        return self.graphs + "ontology"

    @property
    def derived_graph(self) -> str:
        """The shortcuts that no one graph yields, only several together (a rule that joins facts of two
        sources); each graph's own shortcuts are in ``derived_graph_of`` it."""
        return self.graphs + "derived"

    def derived_graph_of(self, graph: str) -> str:
        """The shortcuts derived from one graph's facts: graph/<name> -> graph/derived/<name>. No data
        graph is named so (a file's stem has no "/"), and each such graph also says, in itself,
        ``<graph/derived/<name>> prov:wasDerivedFrom <graph/<name>>``."""
        return f"{self.derived_graph}/{graph.removeprefix(self.graphs)}"

    def source_of_derived(self, graph: str) -> str | None:
        """The graph whose facts ``graph`` was derived from (the inverse of ``derived_graph_of``); None
        for the joint derived graph and for any graph that is not a derived one."""
        name = graph.removeprefix(self.derived_graph + "/")
        return self.graph(name) if name != graph and name else None

    def is_derived(self, graph: str) -> bool:
        """One of the graphs the rules write: the joint one or a graph's own."""
        return graph == self.derived_graph or graph.startswith(self.derived_graph + "/")

    @property
    def inferred_graph(self) -> str:
        return self.graphs + "inferred"

    @property
    def reference_graph(self) -> str:
        return self.graphs + "reference"

    @property
    def reserved_graphs(self) -> dict[str, str]:
        """Graph names the machinery writes itself, with what it writes there: a data file named after
        one would be mixed with (or wiped by) it. The reference graph is data/reference.ttl's and no other's."""
        return {self.ontology_graph: "the ontology's", self.derived_graph: "the derived shortcuts'",
                self.inferred_graph: "the OWL-RL entailments'", self.reference_graph: "data/reference.ttl's"}

    def ckg(self, local: str) -> str:
        """A term of the ontology by its local name (tests/test_vocabulary.py checks each one the code names)."""
        return self.ontology + local

    def entity(self, slug: str) -> str:
        return self.entities + slug

    def graph(self, name: str) -> str:
        return self.graphs + name

    def source(self, doc_id: str) -> str:
        return self.sources + doc_id

    # -- prefixes

    def prefixes(self, *names: str) -> dict[str, str]:
        """The namespaces of the prefixes ``names``, in that order: the prefixes one output abbreviates with."""
        missing = [name for name in names if name not in self.namespaces]
        if missing:
            raise UsageProblem(f"{PREFIXES_FILE}: no sh:declare for the prefix(es) {', '.join(missing)}")
        return {name: self.namespaces[name] for name in names}

    def sparql_prefixes(self, *names: str) -> str:
        """PREFIX lines for SPARQL the code writes itself."""
        return "".join(f"PREFIX {name}: <{namespace}>\n" for name, namespace in self.prefixes(*names).items())

    def turtle_prefixes(self, *names: str, width: int = 0) -> str:
        """@prefix lines for Turtle the code writes itself, the IRIs aligned at ``width``."""
        return "".join(f"@prefix {(name + ':').ljust(width)} <{namespace}> .\n"
                       for name, namespace in self.prefixes(*names).items())

    def expand(self, curie: str) -> str:
        """``ckg:Meeting`` -> its IRI, with this repository's prefixes."""
        return _converter(tuple(self.namespaces.items())).expand(curie, strict=True)

    def compress(self, iri: str, names: tuple[str, ...] | None = None, absolute_safe: bool = False) -> str | None:
        """``iri`` compacted with the prefixes ``names`` (every prefix if None): see ``compact``."""
        if names not in self._prefix_maps:
            self._prefix_maps[names] = self.namespaces if names is None else self.prefixes(*names)
        return compact(iri, self._prefix_maps[names], absolute_safe)


def compact(iri: str, prefixes: dict[str, str], absolute_safe: bool = False) -> str | None:
    """The compact IRI (``id:niamey``) of ``iri`` by the longest namespace of ``prefixes`` that leaves a
    local part; None if none does. ``absolute_safe``: not by a namespace that leaves a local part starting
    with "//", which would read as an absolute IRI (JSON-LD)."""
    while prefixes:
        # the defaults, spelled out: curies' first overload claims they never give None
        curie = _converter(tuple(prefixes.items())).compress(iri, strict=False, passthrough=False)
        if curie is None:
            return None
        namespace = prefixes[curie.split(":", 1)[0]]
        local = iri[len(namespace):]
        if local and not (absolute_safe and local.startswith("//")):
            return curie
        # the namespace is the whole IRI, or leaves "//…": the next shorter one that fits
        prefixes = {p: ns for p, ns in prefixes.items() if len(ns) < len(namespace)}
    return None


@functools.lru_cache(maxsize=64)
def _converter(prefixes: tuple[tuple[str, str], ...]) -> curies.Converter:
    import curies  # noqa: PLC0415 (it imports pydantic, a tenth of a second: only the commands that compact or expand pay it)

    return curies.Converter.from_prefix_map(dict(prefixes))


def _one(store: ox.Store, node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, name: str,
         shown: str) -> ox.Literal:
    """The one literal value of a declaration's sh:prefix or sh:namespace; refused if not exactly one."""
    values = [] if isinstance(node, ox.Literal) else \
        [q.object for q in store.quads_for_pattern(node, ox.NamedNode(SH + name), None)]
    if len(values) != 1 or not isinstance(values[0], ox.Literal):
        raise UsageProblem(f'{shown}: each sh:declare needs one sh:prefix "…" and one sh:namespace "…"^^xsd:anyURI')
    return values[0]


def _check_declaration(prefix: str, namespace: str, shown: str) -> None:
    """A declaration every output can use: the namespace an absolute IRI, the prefix a name that
    Turtle and SPARQL read as one (checked by Turtle's own parser, on a line that must come back as
    the one triple it spells: a name that smuggles in more text gives another)."""
    try:
        ox.NamedNode(namespace)
    except ValueError as error:
        raise UsageProblem(f"{shown}: the namespace of {prefix}: <{namespace}> is not an absolute IRI ({error})") \
            from None
    probe = "urn:coalition-kg:prefix-check#"
    text = f"@prefix {prefix}: <{probe}> .\n{prefix}:s {prefix}:p {prefix}:o .\n"
    try:
        triples = [(q.subject, q.predicate, q.object) for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)]
    except SyntaxError:
        triples = []
    if triples != [tuple(ox.NamedNode(probe + name) for name in "spo")]:
        raise UsageProblem(f"{shown}: {prefix!r} is not a prefix name Turtle and SPARQL can read "
                           "(letters, digits, '-', '_' and '.', starting with a letter)")


def _order(prefix: str) -> tuple[int, str]:
    """The base's prefixes first, then the standard ones in STANDARD's order, then the rest by name."""
    known = [BASE_PREFIX, *UNDER_BASE, *STANDARD]
    return (known.index(prefix), "") if prefix in known else (len(known), prefix)


DEFAULT = Vocabulary.default()
