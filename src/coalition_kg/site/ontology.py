"""The ontology's documentation page for the static site: every term of our namespace with its label,
definition and place in the hierarchy, under an anchor named after the term (``#State``), which the
entity pages link their types and properties to.

Our own page rather than pyLODE's: pyLODE 3.3.4 runs offline on this ontology, but its page puts a
<script> in, links every outside term to its vocabulary's host, names its anchors after labels
(``#groupwithinacoalition``) and leaves out the role individuals the entity pages link to; 3.4.1 does
not import."""

from __future__ import annotations

from html import escape

import pyoxigraph as ox

from coalition_kg.rdf.namespaces import DCTERMS, ORG, OWL, RDF, RDFS, SKOS
from coalition_kg.site.facts import Writer
from coalition_kg.site.graph import local_name
from coalition_kg.site.html import literal_html, page
from coalition_kg.site.paths import ONTOLOGY_FILES, ONTOLOGY_PAGE, PAGE_FORMATS, anchor_id, href, page_files

RDF_TYPE = RDF + "type"
ORG_ROLE_PROPERTY = ORG + "roleProperty"
SECTIONS = (
    ("classes", "Classes", OWL + "Class"),
    ("object-properties", "Object properties", OWL + "ObjectProperty"),
    ("datatype-properties", "Datatype properties", OWL + "DatatypeProperty"),
    ("roles", "Roles", "ckg:Role"),
)
# Statements about a term, in the order shown, with their names.
FIELDS = (
    (RDFS + "subClassOf", "subclass of"), (RDFS + "subPropertyOf", "subproperty of"), (RDFS + "domain", "domain"),
    (RDFS + "range", "range"), (OWL + "inverseOf", "inverse of"), (OWL + "disjointWith", "disjoint with"),
    (ORG_ROLE_PROPERTY, "shortcut property"), (SKOS + "inScheme", "in scheme"),
)


def ontology_page(writer: Writer) -> str:
    graph = writer.graph
    ours = graph.vocabulary.ontology
    terms = sorted({q.subject for q in graph.ontology
                    if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ours)},
                   key=lambda t: local_name(t.value).lower())
    ontology = ox.NamedNode(graph.vocabulary.ontology_iri)
    title = graph.label(ontology) if ontology in graph.ontology_by_subject else "Ontology"
    about = _about(writer, ontology)
    body = [f"<h1>{escape(title)}</h1>", about,
            '<p class="downloads">The ontology as ' + " · ".join(
                f'<a href="{href(ONTOLOGY_PAGE, ONTOLOGY_FILES + f.suffix)}">{f.label}</a>' for f in PAGE_FORMATS)
            + "</p>"]
    contents, sections, shown = [], [], set()
    for anchor, heading, kind in SECTIONS:
        kind = graph.vocabulary.expand(kind) if kind.startswith("ckg:") else kind
        members = [t for t in terms if ox.NamedNode(kind) in graph.values(t, RDF_TYPE, ontology=True)]
        if not members:
            continue
        shown.update(members)
        contents.append(f'<li><a href="#{anchor}">{escape(heading)}</a> ({len(members)})</li>')
        sections.append(f'<h2 id="{anchor}">{escape(heading)}</h2>' + "".join(_term(writer, t) for t in members))
    rest = [t for t in terms if t not in shown]
    if rest:
        contents.append(f'<li><a href="#other-terms">Other terms</a> ({len(rest)})</li>')
        sections.append('<h2 id="other-terms">Other terms</h2>' + "".join(_term(writer, t) for t in rest))
    body.append(f'<ul>{"".join(contents)}</ul>')
    body.extend(sections)
    return page(ONTOLOGY_PAGE, title, "\n".join(body), page_files(ONTOLOGY_FILES))


def _about(writer: Writer, ontology: ox.NamedNode) -> str:
    graph = writer.graph
    rows = []
    for predicate, name in ((DCTERMS + "description", None), (OWL + "versionInfo", "version"),
                            (DCTERMS + "created", "created"), (DCTERMS + "creator", "creator"),
                            (DCTERMS + "license", "licence")):
        for value in graph.values(ontology, predicate, ontology=True):
            text = literal_html(value) if isinstance(value, ox.Literal) else f"<code>{escape(value.value)}</code>"
            rows.append(f'<p class="lede">{text}</p>' if name is None else f"<dt>{name}</dt><dd>{text}</dd>")
    lede = [r for r in rows if r.startswith("<p")]
    fields = [r for r in rows if not r.startswith("<p")]
    return "".join(lede) + (f'<dl class="statements">{"".join(fields)}</dl>' if fields else "") + (
        f"<p>IRI: <code>{escape(ontology.value)}</code>; each term is "
        f"<code>{escape(graph.vocabulary.ontology)}Name</code>.</p>")


def _term(writer: Writer, term: ox.NamedNode) -> str:
    graph = writer.graph
    name = local_name(term.value)
    label = graph.label(term)
    definition = "".join(f"<p>{escape(d.value)}</p>" for d in graph.values(term, SKOS + "definition", ontology=True))
    aliases = [v.value for v in graph.values(term, SKOS + "altLabel", ontology=True)]
    rows = []
    for predicate, field in FIELDS:
        values = graph.values(term, predicate, ontology=True)
        if values:
            ours = graph.vocabulary.ontology
            ordered = sorted(values, key=lambda v: (not v.value.startswith(ours), v.value))  # ours first
            rows.append(f"<dt>{field}</dt><dd>{', '.join(writer.term(v) for v in ordered)}</dd>")
    subclasses = sorted({q.subject for q in graph.ontology if q.predicate.value == RDFS + "subClassOf"
                         and q.object == term and isinstance(q.subject, ox.NamedNode)}, key=lambda t: t.value)
    if subclasses:
        rows.append(f"<dt>subclasses</dt><dd>{', '.join(writer.term(s) for s in subclasses)}</dd>")
    also = f'<p class="lede">also: {escape(", ".join(aliases))}</p>' if aliases else ""
    fields = f'<dl class="statements">{"".join(rows)}</dl>' if rows else ""
    return (f'<section class="term" id="{anchor_id(name)}"><h3>{escape(label)} <code>ckg:{escape(name)}</code></h3>'
            f"{also}{definition}{fields}</section>")
