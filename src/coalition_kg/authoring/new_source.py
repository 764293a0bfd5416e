"""new-source: start the file of a new source document, data/sources/<doc-id>.ttl, with the document's
own metadata node, written so that the repository still validates with it in place.

The options are what shapes/data.ttl constrains on a ckg:SourceDocument: rdfs:label (here the title,
the one English label every resource has), ckg:documentId, schema:datePublished (a day),
schema:publisher (an organization) and ckg:dateline (a place); schema:inLanguage as every existing
document carries it. The publisher and the dateline are entities of data/reference.ttl, named by slug
or by one of their names, as the existing documents name theirs (``ckg:dateline id:niamey``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from coalition_kg.errors import UsageProblem
from coalition_kg.query.catalogue import is_utf8
from coalition_kg.query.store import EmbeddedStore
from coalition_kg.rdf.namespaces import ORG, SCHEMA
from coalition_kg.repository import layout as lay
from coalition_kg.repository.dataset import parse_file
from coalition_kg.repository.vocabulary import Vocabulary

# ckg:documentId's shape allows ^[0-9a-z_]+$; the id is also a file name, a graph name and an IRI
# segment, so: no path separator, no dot, no hyphen, and a letter or digit first (no "_", no "..").
DOC_ID = re.compile(r"[0-9a-z][0-9a-z_]{0,63}")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

ORG_ORGANIZATION = ORG + "Organization"
SCHEMA_PLACE = SCHEMA + "Place"


def prefixes(vocabulary: Vocabulary, doc_id: str) -> str:
    """The prefixes of the existing documents, f: the new document's own nodes (id:<doc-id>/…)."""
    own = f"@prefix {'f:'.ljust(7)} <{vocabulary.entity(doc_id + '/')}> .\n"
    return vocabulary.turtle_prefixes("ckg", "id", width=7) + own + \
        vocabulary.turtle_prefixes("src", "rdf", "rdfs", "xsd", "org", "prov", "oa", "schema", width=7)


def refuse(message: str) -> UsageProblem:
    return UsageProblem(f"new-source: {message}")


@dataclass(frozen=True)
class PublicationDate:
    """A date as given, at its precision: the lexical form and its XSD datatype's local name."""

    lexical: str
    datatype: str  # date, gYearMonth or gYear

    @property
    def last_day(self) -> date:
        parts = self.lexical.split("-")
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 12
        return date(year, month, int(parts[2]) if len(parts) > 2 else calendar.monthrange(year, month)[1])


def parse_date(text: str) -> PublicationDate:
    """YYYY-MM-DD, YYYY-MM or YYYY, a real date, kept at the precision given."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise refuse(f"--published {text!r} is not a date: give YYYY-MM-DD, YYYY-MM or YYYY")
    year = int(match.group(1))
    month, day = (int(part) if part else None for part in match.groups()[1:])
    try:
        date(year, month or 1, day or 1)
    except ValueError as error:
        raise refuse(f"--published {text!r} is not a date: {error}") from None
    kind = "date" if day else "gYearMonth" if month else "gYear"
    return PublicationDate(match.group(0), kind)


def check_doc_id(layout: lay.Layout, doc_id: str) -> Path:
    """The new file's path, once the id is safe and names no graph or file there already is."""
    if not DOC_ID.fullmatch(doc_id):
        raise refuse(f"{doc_id!r} is not a document id: lowercase letters, digits and '_', starting with a "
                     "letter or digit, at most 64 characters (like 003_73e3b687882f6e77)")
    vocabulary = layout.vocabulary
    if vocabulary.graph(doc_id) in vocabulary.reserved_graphs:  # it would share the layout's own graph
        raise refuse(f"{doc_id!r} is not a document id: the graph {vocabulary.graph(doc_id)} is reserved")
    path = layout.data_dir / "sources" / f"{doc_id}.ttl"
    if path.exists():
        raise refuse(f"{layout.relative(path)} already exists; new-source never overwrites a file")
    for other in layout.data_files():
        if other.stem == doc_id:
            raise refuse(f"{layout.relative(other)} already has the graph name {layout.graph_for(other)}; "
                         "choose another id")
    return path


class Reference:
    """The entities of data/reference.ttl, typed through the ontology's class hierarchy."""

    def __init__(self, layout: lay.Layout):
        self.layout = layout
        self.path = layout.data_dir / "reference.ttl"
        self.graph = ox.Store()
        for path in layout.ontology_files():
            parse_file(self.graph, path, layout.vocabulary.ontology_graph, layout)
        if self.path.is_file():
            parse_file(self.graph, self.path, layout.vocabulary.reference_graph, layout)

    def _names(self, cls: str) -> dict[str, set[str]]:
        """Each instance of ``cls`` (a constant of this module, never user input) with its names."""
        vocabulary = self.layout.vocabulary
        rows = EmbeddedStore.over(self.graph, []).select(vocabulary.sparql_prefixes("rdfs", "skos") + f"""
            SELECT DISTINCT ?entity ?name WHERE {{
              GRAPH <{vocabulary.reference_graph}> {{ ?entity a ?type }}
              ?type rdfs:subClassOf* <{cls}> .
              OPTIONAL {{ ?entity rdfs:label|skos:prefLabel|skos:altLabel ?name }}
            }}""").rows
        names: dict[str, set[str]] = {}
        for row in rows:
            names.setdefault(row["entity"].value, set())
            if "name" in row:
                names[row["entity"].value].add(_fold(row["name"].value))
        return names

    def _described(self, iri: str) -> bool:
        subject, graph = ox.NamedNode(iri), ox.NamedNode(self.layout.vocabulary.reference_graph)
        return next(iter(self.graph.quads_for_pattern(subject, None, None, graph)), None) is not None

    def resolve(self, option: str, given: str, cls: str, kind: str) -> str:
        """The IRI of the one ``kind`` that ``given`` names: its slug, its IRI, or one of its names."""
        article = "an" if kind[0] in "aeiou" else "a"
        shown = self.layout.relative(self.path)
        if not self.path.is_file():
            raise refuse(f"{option} {given!r}: there is no {shown} to find it in")
        entities = self._names(cls)
        vocabulary = self.layout.vocabulary
        iri = given if given.startswith(vocabulary.entities) else vocabulary.entity(given)
        if iri in entities:
            return iri
        if _is_iri(iri) and self._described(iri):
            raise refuse(f"{option} {given!r}: {_curie(iri, vocabulary)} in {shown} is not {article} {kind}")
        matches = sorted(entity for entity, names in entities.items() if _fold(given) in names)
        if len(matches) == 1:
            return matches[0]
        if matches:
            several = ", ".join(_curie(match, vocabulary) for match in matches)
            raise refuse(f"{option} {given!r} names several: {several}; give the slug")
        raise refuse(f"{option} {given!r}: no {kind} with that slug or name in {shown}; add it there first "
                     "(with its rdfs:label and skos:prefLabel) and give its slug")


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return not re.search(r"\s", text)


def _curie(iri: str, vocabulary: Vocabulary) -> str:
    local = iri.removeprefix(vocabulary.entities)
    return f"id:{local}" if local != iri and SLUG.fullmatch(local) else f"<{iri}>"


def render(doc_id: str, title: str, published: PublicationDate | None, publisher: str | None,
           dateline: str | None, language: str, vocabulary: Vocabulary) -> str:
    """The file's text: a comment header, the prefixes of the existing documents, the document node."""
    lines = [f"src:{doc_id} a ckg:SourceDocument ;",
             f"    rdfs:label {ox.Literal(title, language='en')} ;",
             f"    ckg:documentId {ox.Literal(doc_id)} ;",
             f"    schema:inLanguage {ox.Literal(language)} ;"]
    if published and published.datatype == "date":
        lines.append(f'    schema:datePublished "{published.lexical}"^^xsd:date ;')
    elif published:
        # schema:datePublished takes a day (shape SourceDocument-datePublished); a document dated to a
        # month or a year is bounded instead, as the undated document 000_… is, and says why.
        words = "the month" if published.datatype == "gYearMonth" else "the year"
        note = (f"The document is dated {published.lexical} (xsd:{published.datatype}), with no day: "
                f"ckg:notAfter is the last day of {words}.")
        lines.append(f'    ckg:notAfter "{published.last_day.isoformat()}"^^xsd:date ;')
        lines.append(f"    ckg:interpretation {ox.Literal(note)} ;")
    if publisher:
        lines.append(f"    schema:publisher {_curie(publisher, vocabulary)} ;")
    if dateline:
        lines.append(f"    ckg:dateline {_curie(dateline, vocabulary)} ;")
    lines[-1] = lines[-1].removesuffix(" ;") + " ."
    header = (f"# Source document {doc_id}: {title}\n"
              "# Started by `coalition-kg new-source`. Add what the document says below: each fact a node of\n"
              f"# its own with prov:wasDerivedFrom src:{doc_id} (a meeting or a founding: ckg:reportedIn\n"
              f"# src:{doc_id}) and at least one ckg:evidence quote, copied verbatim from the text\n"
              f"# <texts>/{doc_id}.txt; then run `coalition-kg validate`.\n")
    return header + prefixes(vocabulary, doc_id) + "\n" + "\n".join(lines) + "\n"


def new_source(root: Path | str, doc_id: str, title: str, published: str | None = None,
               publisher: str | None = None, dateline: str | None = None, language: str = "en") -> Path:
    """Write data/sources/<doc_id>.ttl and return its path; refuse (UsageProblem, nothing written)
    a bad id, an existing file, a bad date, an empty title, an unknown publisher or dateline."""
    layout = lay.Layout.at(root)
    path = check_doc_id(layout, doc_id)
    title = " ".join(title.split())
    if not title:
        raise refuse("--title is empty: give the document's title (in English: it is the rdfs:label)")
    if not is_utf8(title):  # the shell passes bytes; Python keeps those that are not UTF-8 as surrogates
        raise refuse(f"--title {title!r} holds bytes that are not UTF-8; give the title as UTF-8 text")
    if not title.isprintable():  # it is written into a comment line too
        raise refuse(f"--title {title!r} holds a control character; give the title as plain text")
    if not LANGUAGE.fullmatch(language):
        raise refuse(f"--language {language!r} is not a language tag (like en, fr, ar)")
    date_given = parse_date(published) if published is not None else None
    reference = Reference(layout) if publisher is not None or dateline is not None else None
    publisher_iri = reference.resolve("--publisher", publisher, ORG_ORGANIZATION, "organization") \
        if reference is not None and publisher is not None else None
    dateline_iri = reference.resolve("--dateline", dateline, SCHEMA_PLACE, "place") \
        if reference is not None and dateline is not None else None
    text = render(doc_id, title, date_given, publisher_iri, dateline_iri, language, layout.vocabulary)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as out:
            try:
                out.write(text)
                out.flush()
            except BaseException:  # a full disk, Ctrl-C: no half-written source left behind
                path.unlink(missing_ok=True)
                raise
    except FileExistsError:
        raise refuse(f"{layout.relative(path)} already exists; new-source never overwrites a file") from None
    except OSError as error:
        raise refuse(f"{layout.relative(path)}: cannot write: {error.strerror or error}") from None
    return path
