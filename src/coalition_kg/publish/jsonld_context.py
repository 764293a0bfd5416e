"""The JSON-LD context of the export: a short, unique name for every class and property of the
ontology and of the data, with the coercions that let values be plain JSON strings and numbers.

Generated, never written by hand, so that a new term gets a name of its own:

- **names** are camelCase local names (``label``, ``date``, ``PlenaryMeeting``). Where two terms share
  one, the term of our ontology keeps it and the others take their prefix (``schemaLocation`` beside
  ``location``); where none is ours, all take their prefix (``orgOrganization``, ``foafOrganization``).
  A name that is also a prefix is qualified the same way. Ties fall to the IRI's sort order.
- **coercions** say how a property's values read. ``"@type": "@id"`` for an object property (the
  ontology says so, or every value in the data is an IRI or a blank node); ``"@type": datatype`` where
  the ontology gives one ``rdfs:range`` datatype, or every value in the data has that one datatype
  (``ckg:date``, which takes xsd:date, xsd:gYearMonth and xsd:gYear, gets none: each of its values says
  its own); ``"@language"`` where every value has one language; ``"@container": "@set"`` where some node
  has several values, so that such a property is always a JSON array.
- **no @vocab**: every term has a name, and with ``@vocab`` a misspelt key in a document of one's own
  would silently become a property of ours instead of being dropped.

A value that does not fit its term's coercion is still written exactly (a value object with its own
``@type`` or ``@language``): the coercions make the document short, never different.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from coalition_kg.rdf.namespaces import OWL, RDF, RDFS, XSD
from coalition_kg.repository.vocabulary import DEFAULT, OUTPUT, Vocabulary, compact

RDF_TYPE = RDF + "type"
LANG_STRING = RDF + "langString"
XSD_STRING = XSD + "string"
IRI = "@id"  # the kind of a value that is an IRI or a blank node
Kind = str | tuple[str, str | None]  # a property's values: IRI, or a literal's (datatype, language)

CONTEXT_FILE = "context.jsonld"
PREFIXES = (*OUTPUT, "rdf", "owl", "foaf", "time", "graph")  # beside the export's: the ontology's, the graph names'
_CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
# Not owl:AnnotationProperty: the ontology declares those it uses on itself and its terms (dcterms:title,
# skos:definition: OWL 2 DL asks it), which no export holds unless its data does (then usage names them);
# except its own (ckg:statedProperty), which are terms of the ontology like any other.
_PROPERTY_TYPES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", RDF + "Property",
                   OWL + "FunctionalProperty", OWL + "TransitiveProperty", OWL + "SymmetricProperty",
                   OWL + "InverseFunctionalProperty"}
_ALIGNMENTS = {RDFS + "subClassOf", RDFS + "subPropertyOf", OWL + "equivalentClass", OWL + "equivalentProperty",
               OWL + "inverseOf"}  # their objects are the standard terms an --inferred export uses
_NAME = re.compile(r"[A-Za-z][0-9A-Za-z]*")


def prefixes(vocabulary: Vocabulary = DEFAULT) -> dict[str, str]:
    return vocabulary.prefixes(*PREFIXES)


@dataclass
class Ontology:
    """What the ontology says about its terms: which are classes and properties, which properties
    are object properties, which datatype a datatype property's range names."""

    terms: set[str] = field(default_factory=set)
    object_properties: set[str] = field(default_factory=set)
    ranges: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, quads: Iterable[ox.Quad | ox.Triple], own: str | None = None) -> Ontology:
        """``own``: the ontology's namespace, whose annotation properties are terms too."""
        ontology = cls()
        types: dict[str, set[str]] = {}
        ranges: dict[str, set[str]] = {}
        for quad in quads:
            subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
            if not isinstance(subject, ox.NamedNode) or not isinstance(obj, ox.NamedNode):
                continue
            if predicate == RDF_TYPE:
                types.setdefault(subject.value, set()).add(obj.value)
            elif predicate == RDFS + "range":
                ranges.setdefault(subject.value, set()).add(obj.value)
            elif predicate in _ALIGNMENTS:
                ontology.terms.add(obj.value)
        for term, kinds in types.items():
            if kinds & (_CLASS_TYPES | _PROPERTY_TYPES) or \
                    (own and term.startswith(own) and OWL + "AnnotationProperty" in kinds):
                ontology.terms.add(term)
            if OWL + "ObjectProperty" in kinds:
                ontology.object_properties.add(term)
        for term, datatypes in ranges.items():
            if len(datatypes) == 1 and term not in ontology.object_properties:
                (datatype,) = datatypes
                if datatype.startswith(XSD) and datatype != XSD_STRING:
                    ontology.ranges[term] = datatype
        return ontology


@dataclass
class Term:
    iri: str
    name: str
    type: str | None = None  # "@id", a datatype IRI, or None
    language: str | None = None
    multiple: bool = False  # some node has several values: always a JSON array


def local_name(iri: str) -> str | None:
    """The camelCase local name of an IRI (after its last '#', '/' or ':'), or None if it has none
    that reads as a JSON key."""
    local = iri[max(iri.rfind("#"), iri.rfind("/"), iri.rfind(":")) + 1:]
    parts = [part for part in re.split(r"[^0-9A-Za-z]+", local) if part]
    if not parts:
        return None
    name = parts[0] + "".join(part[:1].upper() + part[1:] for part in parts[1:])
    return name if _NAME.fullmatch(name) else None


def assign_names(iris: Iterable[str], prefix_map: dict[str, str], ours: str = DEFAULT.ontology) -> dict[str, str]:
    """A unique name for each IRI that has a local name: the bare local name where it is unclashed,
    else ours (the terms in the namespace ``ours``) keeps it and the others are qualified by their
    prefix (see the module's docstring)."""
    reserved = set(prefix_map)

    def qualified(iri: str, name: str) -> str | None:
        curie = compact(iri, prefix_map)
        return curie.split(":", 1)[0] + name[0].upper() + name[1:] if curie else None

    groups: dict[str, list[str]] = {}
    for iri in sorted(set(iris)):
        name = local_name(iri)
        if name is not None:
            groups.setdefault(name, []).append(iri)
    names: dict[str, str] = {}
    pending: list[tuple[str, str]] = []  # (iri, name) to qualify
    for name, members in sorted(groups.items()):
        members.sort(key=lambda iri: (not iri.startswith(ours), iri))
        if name not in reserved and (len(members) == 1 or members[0].startswith(ours)):
            names[members[0]] = name
            members = members[1:]
        pending += [(iri, name) for iri in members]
    taken = set(names.values()) | reserved
    for iri, name in pending:
        candidate = qualified(iri, name)
        if candidate is None:
            continue  # written as its full IRI
        unique, number = candidate, 2
        while unique in taken:
            unique, number = f"{candidate}{number}", number + 1
        names[iri] = unique
        taken.add(unique)
    return names


class Context:
    """The terms of one export and the document that defines them."""

    def __init__(self, ontology: Ontology, usage: Mapping[str, set[Kind]], classes: Iterable[str],
                 vocabulary: Vocabulary = DEFAULT):
        """``usage``: per property of the data, the kinds of its values (IRI for IRIs and blank
        nodes, (datatype, language) for literals); ``classes``: the classes the data's nodes have."""
        self.prefixes = prefixes(vocabulary)
        properties = set(usage) - {RDF_TYPE}
        names = assign_names(ontology.terms | properties | set(classes), self.prefixes, vocabulary.ontology)
        self.terms: dict[str, Term] = {}
        for iri, name in names.items():
            term = Term(iri, name)
            kinds = usage.get(iri, set())
            if iri in ontology.object_properties:
                term.type = IRI
            elif iri in ontology.ranges:
                term.type = ontology.ranges[iri]
            elif len(kinds) == 1:
                (kind,) = kinds
                if kind == IRI:
                    term.type = IRI
                elif kind[0] == LANG_STRING:
                    term.language = kind[1]
                elif kind[0] != XSD_STRING:
                    term.type = kind[0]
            self.terms[iri] = term
        self._compacted: dict[str, str] = {}

    def compact(self, iri: str) -> str:
        """A compact IRI (``id:niamey``) where a prefix's namespace fits, else the IRI itself."""
        compacted = self._compacted.get(iri)
        if compacted is None:
            compacted = compact(iri, self.prefixes, absolute_safe=True) or iri
            if len(self._compacted) < 1_000_000:
                self._compacted[iri] = compacted
        return compacted

    def definitions(self) -> dict[str, str | dict[str, str]]:
        """The @context object: the prefixes, then each term by name."""
        context: dict[str, str | dict[str, str]] = dict(self.prefixes)
        for term in sorted(self.terms.values(), key=lambda t: (t.name.lower(), t.name)):
            definition = {"@id": self.compact(term.iri)}
            if term.type is not None:
                definition["@type"] = term.type if term.type == IRI else self.compact(term.type)
            if term.language is not None:
                definition["@language"] = term.language
            if term.multiple:
                definition["@container"] = "@set"
            context[term.name] = definition if len(definition) > 1 else definition["@id"]
        return context


def context_file(context: Mapping[str, object]) -> bytes:
    """The context as a file of its own, for documents that link it (``"@context": "context.jsonld"``)."""
    return (json.dumps({"@context": context}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
