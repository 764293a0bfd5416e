"""The pieces of the site's pages that say what the graph says: a term as a link, a qualified fact as
a readable sentence with its date, source document and quoted evidence, and plain statements as a
definition list. Each piece is written for one page, so its links are relative to that page."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from html import escape

import pyoxigraph as ox

from coalition_kg.check.coverage import DocumentCoverage
from coalition_kg.rdf.namespaces import DCTERMS, ORG, OWL, PROV, RDFS, SCHEMA, SKOS
from coalition_kg.repository.vocabulary import OUTPUT, Vocabulary
from coalition_kg.site.graph import QUALIFIED_ASSOCIATION, SAME_AS, SCHEMA_SAME_AS, Node, SiteGraph, Term, local_name
from coalition_kg.site.html import is_date, link, literal_html, time_element

SEP = '<span class="sep">—</span>'
PREFIXES = (*OUTPUT, "foaf", "owl", "time", "rdf")  # the prefixes an IRI of no page is shown with
OUTSIDE_HOSTS = ("http://www.wikidata.org/", "https://www.wikidata.org/")

# Names for the properties of other vocabularies (ours take their rdfs:label from the ontology).
PROPERTY_NAMES = {
    PROV + "agent": "agent", PROV + "hadRole": "role", PROV + "wasDerivedFrom": "source",
    PROV + "qualifiedAssociation": "role played in it", ORG + "member": "member", ORG + "organization": "organization",
    ORG + "role": "role", ORG + "postIn": "post in", ORG + "holds": "holds", ORG + "heldBy": "held by",
    SCHEMA + "datePublished": "published", SCHEMA + "publisher": "publisher", SCHEMA + "creditText": "credit",
    SCHEMA + "inLanguage": "language",
    SCHEMA + "foundingDate": "founding date", SCHEMA + "sameAs": "same as", OWL + "sameAs": "same as",
    DCTERMS + "source": "source", RDFS + "label": "label", SKOS + "prefLabel": "name", SKOS + "altLabel": "also called",
}
# The order of statements in a list; the rest follow by name.
FIRST = ["ckg:date", "ckg:relativeDate", "ckg:dateResolvedAgainst", "ckg:asOf", "ckg:notAfter", "ckg:location",
         "ckg:meetingOf", "ckg:heldUnderUmbrellaOf", "ckg:ordinal", "ckg:seriesDescription", "ckg:focus",
         "ckg:agendaItem", "ckg:follows"]

# How a group of facts linked to an entity is headed, by the property that links them: facts that
# point at the entity (key ``(property, "in")``) or that the entity points at (``(property, "out")``).
HEADINGS = [
    (("prov:qualifiedAssociation", "out"), "Roles in this meeting"),
    (("prov:qualifiedAssociation", "in"), "The meeting"),
    (("prov:agent", "in"), "Roles in meetings"),
    (("ckg:delegationOf", "in"), "Delegations to meetings"),
    (("org:member", "in"), "Roles in organizations and groups"),
    (("org:organization", "in"), "Roles played in it"),
    (("ckg:playedBy", "in"), "Roles for organizations it is not a member of"),
    (("ckg:playedFor", "in"), "Roles played for it"),
    (("ckg:holder", "in"), "Posts held"),
    (("ckg:post", "in"), "Holders of this post"),
    (("ckg:foundedOrganization", "in"), "Founding"),
    (("ckg:announcedBy", "in"), "Foundings it announced"),
    (("ckg:describes", "in"), "Mandate"),
    (("ckg:countOf", "in"), "Member counts"),
    (("ckg:meetingOf", "in"), "Meetings"),
    (("ckg:heldUnderUmbrellaOf", "in"), "Meetings held under its umbrella"),
    (("ckg:location", "in"), "Meetings held here"),
    (("ckg:focus", "in"), "Meetings that focused on it"),
    (("ckg:agendaItem", "in"), "Meetings with it on the agenda"),
    (("ckg:follows", "out"), "Follows"),
    (("ckg:follows", "in"), "Followed by"),
]
# Shown elsewhere on an entity's page than in its list of statements.
NOT_STATEMENTS = ("rdf:type", "rdfs:label", "skos:prefLabel", "skos:altLabel", "prov:wasDerivedFrom", "ckg:reportedIn",
                  "ckg:evidence", "ckg:interpretation", "schema:sameAs", "owl:sameAs")


@dataclass
class Site:
    """The graph and which IRIs have pages: what every page's links may point at; and the tables above
    with their terms' IRIs, in the repository's vocabulary."""

    graph: SiteGraph
    pages: set[str] = field(default_factory=set)
    heading: dict[tuple[str, str], str] = field(default_factory=dict)
    order: dict[tuple[str, str], int] = field(default_factory=dict)
    first: list[str] = field(default_factory=list)
    not_statements: set[str] = field(default_factory=set)
    differences: dict[str, list[Mapping[str, object]]] = field(default_factory=dict)  # by subject: differences.py
    coverage: dict[str, DocumentCoverage] | None = None  # by document, site/coverage.py; None: built without texts

    @classmethod
    def of(cls, graph: SiteGraph) -> Site:
        expand = graph.vocabulary.expand
        headings = [((expand(curie), way), heading) for (curie, way), heading in HEADINGS]
        return cls(graph, {e.value for e in graph.entities()} | set(graph.graphs()), dict(headings),
                   {key: number for number, (key, _) in enumerate(headings)}, [expand(c) for c in FIRST],
                   {expand(c) for c in NOT_STATEMENTS})


class Writer:
    """HTML fragments for the page at site path ``path``."""

    def __init__(self, site: Site, path: str):
        self.site = site
        self.graph = site.graph
        self.path = path

    # -- terms

    def page_of(self, term: Node) -> str | None:
        if isinstance(term, ox.NamedNode) and term.value in self.site.pages:
            return self.graph.known_stem(term.value) + ".html"
        return None

    def term(self, term: Node | ox.DefaultGraph | None) -> str:
        if term is None:
            return ""
        if isinstance(term, ox.Literal):
            return literal_html(term)
        if isinstance(term, ox.Triple | ox.DefaultGraph):  # never: see Node; the site's quads are all in named graphs
            return escape(str(term))
        name = self.graph.label(term)
        target = self.page_of(term)
        if target == self.path:  # the page's own subject: named, not linked
            return f'<strong class="self">{escape(name)}</strong>'
        if target:
            return link(self.path, target, name)
        if isinstance(term, ox.BlankNode):
            return escape(name)
        anchor = self.graph.ontology_anchor(term.value)
        if anchor and self.graph.defined_in_ontology(term.value):
            return link(self.path, anchor, name)
        if term.value.startswith(OUTSIDE_HOSTS):
            shown = escape(readable_outside(term.value))
            return f'<a class="iri" rel="external" href="{escape(term.value)}">{shown}</a>'
        shown = escape(short(term.value, self.graph.vocabulary))
        return f'<span class="iri" title="{escape(term.value)}">{shown}</span>'

    def terms(self, subject: Term, predicate: str) -> str:
        return ", ".join(self.term(v) for v in self.graph.values(subject, predicate))

    def property_name(self, predicate: str) -> str:
        if predicate in PROPERTY_NAMES:
            return PROPERTY_NAMES[predicate]
        if self.graph.defined_in_ontology(predicate):
            return self.graph.label(ox.NamedNode(predicate))
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local_name(predicate)).lower()

    def property(self, predicate: str) -> str:
        name = self.property_name(predicate)
        anchor = self.graph.ontology_anchor(predicate)
        if anchor and self.graph.defined_in_ontology(predicate):
            return link(self.path, anchor, name)
        return f'<span title="{escape(predicate)}">{escape(name)}</span>'

    # -- qualified facts

    def claim(self, fact: Term) -> str:
        """The fact as a sentence: agent — role — what, holder — post, organization — N members…"""
        g, t = self.graph, self.terms
        if g.is_a(fact, g.ckg("MeetingRole")):
            role = t(fact, PROV + "hadRole")
            if g.values(fact, g.ckg("delegationOf")):
                role += " for " + t(fact, g.ckg("delegationOf"))
            meetings = g.referrers(fact, QUALIFIED_ASSOCIATION)
            parts = [t(fact, PROV + "agent"), role, ", ".join(self.term(m) for m in meetings)]
        elif g.is_a(fact, g.ckg("OrganizationRole")):
            role = t(fact, ORG + "role")
            count = g.value(fact, g.ckg("termCount"))
            if count is not None:
                role += f" for {escape(count.value)} terms"
            parts = [t(fact, ORG + "member"), role, t(fact, ORG + "organization")]
        elif g.is_a(fact, g.ckg("RoleForOrganization")):
            parts = [t(fact, g.ckg("playedBy")), t(fact, g.ckg("rolePlayed")), t(fact, g.ckg("playedFor"))]
        elif g.is_a(fact, g.ckg("PostHolding")):
            parts = [t(fact, g.ckg("holder")), t(fact, g.ckg("post"))]
        elif g.is_a(fact, g.ckg("Founding")):
            founded = "founded" + (" (announced by " + t(fact, g.ckg("announcedBy")) + ")"
                                   if g.values(fact, g.ckg("announcedBy")) else "")
            parts = [t(fact, g.ckg("foundedOrganization")), founded]
        elif g.is_a(fact, g.ckg("MemberCountObservation")):
            count = g.value(fact, g.ckg("memberCount"))
            kinds = g.value(fact, g.ckg("memberKinds"))
            members = (f"{escape(count.value)} members" if count else "members") + \
                (f" ({escape(kinds.value)})" if kinds else "")
            parts = [t(fact, g.ckg("countOf")), members]
        elif g.is_a(fact, g.ckg("MandateStatement")):
            parts = [t(fact, g.ckg("describes")), "mandate"]
        else:
            parts = [self.term(fact)]
        parts = [part for part in parts if part]
        if len(parts) > 1 and parts[-1].startswith('<strong class="self">') and parts[-1].endswith("</strong>"):
            parts.pop()  # "Morocco — co-chair" on the meeting's own page, not its title again
        return SEP.join(parts)

    def role_name(self, fact: Term) -> str:
        roles = self.graph.values(fact, PROV + "hadRole") + self.graph.values(fact, ORG + "role")
        return self.graph.label(roles[0]) if roles else ""

    def dating(self, fact: Term) -> tuple[str, str]:
        """When a fact holds, as the source gives it (HTML), and a key to sort facts by."""
        g = self.graph
        date = g.value(fact, g.ckg("date"))
        if date is None and g.is_a(fact, g.ckg("MeetingRole")):
            date = next((g.value(m, g.ckg("date")) for m in g.referrers(fact, QUALIFIED_ASSOCIATION)
                         if g.value(m, g.ckg("date")) is not None), None)
        shown, keys = [], []
        if isinstance(date, ox.Literal):
            shown.append(time_element(date) if is_date(date) else escape(date.value))
            keys.append(date.value)
        relative = g.value(fact, g.ckg("relativeDate"))
        if relative is not None:
            shown.append(f"“{escape(relative.value)}”")
        for predicate, words in ((self.graph.ckg("asOf"), "as of"), (self.graph.ckg("notAfter"), "not after")):
            value = g.value(fact, predicate)
            if isinstance(value, ox.Literal):
                shown.append(f"{words} {time_element(value) if is_date(value) else escape(value.value)}")
                keys.append(value.value)
        return ", ".join(shown), (keys[0] if keys else "~")

    def sources(self, subject: Term) -> str:
        return ", ".join(self.term(s) for s in self.graph.sources(subject))

    def evidence(self, subject: Term) -> str:
        out = []
        for quote in self.graph.quotes(subject):
            before = f'<span class="context">…{escape(quote.prefix)}</span>' if quote.prefix else ""
            after = f'<span class="context">{escape(quote.suffix)}…</span>' if quote.suffix else ""
            out.append(f"<blockquote>{before}<q>{escape(quote.exact)}</q>{after}</blockquote>")
        return "".join(out)

    def notes(self, subject: Term) -> str:
        return "".join(f'<p class="note">{escape(note)}</p>' for note in self.graph.notes(subject))

    def fact_item(self, fact: Term, quotes: bool = True) -> str:
        """One fact: its sentence; its date, source and own page; its quotes and notes."""
        dating, _ = self.dating(fact)
        meta = [dating] if dating else []
        if any(self.page_of(source) != self.path for source in self.graph.sources(fact)):  # not on its own page
            meta.append("source: " + self.sources(fact))
        own = self.page_of(fact)
        if own and own != self.path:
            meta.append(link(self.path, own, "about this fact"))
        details = ""
        if self.graph.is_a(fact, self.graph.ckg("MandateStatement")):
            details = self.statements(fact, skip={self.graph.ckg("describes")})
        meta_html = f'<p class="meta">{" · ".join(meta)}</p>' if meta else ""
        body = details + (self.evidence(fact) + self.notes(fact) if quotes else "")
        return f'<li class="fact"><p class="claim">{self.claim(fact)}</p>{meta_html}{body}</li>'

    def fact_list(self, facts: Sequence[Term], quotes: bool = True) -> str:
        ordered = sorted(facts, key=lambda f: (self.dating(f)[1], self.role_name(f), self.graph.label(f)))
        return '<ul class="facts">' + "".join(self.fact_item(f, quotes) for f in ordered) + "</ul>"

    def linked_facts(self, subject: Term) -> list[tuple[str, list[Term]]]:
        """The qualified facts that point at the subject or that it points at, grouped under
        headings by the property that links them."""
        groups: dict[tuple[str, str], list[Term]] = {}
        for quad in self.graph.by_object.get(subject, ()):
            fact = quad.subject
            if self.graph.graph_kind(quad.graph_name) != "derived" and fact != subject \
                    and not isinstance(fact, ox.Triple) and quad.predicate.value not in self.site.not_statements \
                    and self.graph.is_fact(fact):
                groups.setdefault((quad.predicate.value, "in"), []).append(fact)
        for quad in self.graph.by_subject.get(subject, ()):
            if quad.predicate.value not in self.site.not_statements and isinstance(quad.object, ox.NamedNode) \
                    and self.graph.graph_kind(quad.graph_name) != "derived" and self.graph.is_fact(quad.object):
                groups.setdefault((quad.predicate.value, "out"), []).append(quad.object)
        order = self.site.order
        ordered = sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
        return [(self.heading(key), list(dict.fromkeys(facts))) for key, facts in ordered]

    def heading(self, key: tuple[str, str]) -> str:
        if key in self.site.heading:
            return self.site.heading[key]
        name = self.property_name(key[0])
        return f"Facts with it as {name}" if key[1] == "in" else name[:1].upper() + name[1:]

    # -- attributed claims

    def claims_about(self, subject: Term) -> str:
        """The claims about the subject, by source (each links to the source's page): each with its
        kind, stance and quotes."""
        by_source: dict[ox.NamedNode, list[Term]] = {}
        for claim in self.graph.referrers(subject, SCHEMA + "about"):
            if self.graph.is_claim(claim):
                for source in self.graph.sources(claim):
                    by_source.setdefault(source, []).append(claim)
        return "".join(f"<h3>Per {self.term(source)}</h3>{self.claim_list(by_source[source])}"
                       for source in sorted(by_source, key=lambda s: (self.graph.label(s), s.value)))

    def claim_list(self, claims: Sequence[Term]) -> str:
        ordered = sorted(claims, key=lambda c: (self.graph.label(c), str(c)))
        return '<ul class="claims">' + "".join(self.claim_item(c) for c in ordered) + "</ul>"

    def claim_item(self, claim: Term) -> str:
        """One claim: its paraphrase, linked to its own page; its kind and stance; its quotes."""
        g = self.graph
        meta = " · ".join(part for part in (self.terms(claim, g.ckg("claimKind")), self.terms(claim, g.ckg("stance")))
                          if part)
        return (f'<li class="fact"><p class="claim">{self.term(claim)}</p><p class="meta">{meta}</p>'
                f"{self.evidence(claim)}{self.notes(claim)}</li>")

    # -- plain statements

    def statements(self, subject: Term, skip: AbstractSet[str] = frozenset(), facts_shown: bool = False) -> str:
        """The subject's other statements as a definition list, each value with where it comes from
        when that is not the subject's own source."""
        own_sources = set(self.graph.sources(subject)) | {subject}  # a document's own graph says what it is
        grouped: dict[str, list[ox.Quad]] = {}
        for quad in self.graph.by_subject.get(subject, ()):
            predicate = quad.predicate.value
            if predicate in self.site.not_statements or predicate in skip or \
                    self.graph.graph_kind(quad.graph_name) == "derived":
                continue
            if facts_shown and isinstance(quad.object, ox.NamedNode) and self.graph.is_fact(quad.object):
                continue  # listed among the facts
            grouped.setdefault(predicate, []).append(quad)
        if not grouped:
            return ""
        first = self.site.first
        order = sorted(grouped, key=lambda p: (first.index(p) if p in first else len(first), self.property_name(p)))
        rows = []
        for predicate in order:
            values = "".join(f"<dd>{self.term(q.object)}{self.provenance(q, own_sources)}</dd>"
                             for q in _distinct_objects(grouped[predicate]))
            rows.append(f"<dt>{self.property(predicate)}</dt>{values}")
        return f'<dl class="statements">{"".join(rows)}</dl>'

    def provenance(self, quad: ox.Quad, own_sources: AbstractSet[Term] = frozenset()) -> str:
        """Where a statement comes from, when the page does not already say so."""
        kind = self.graph.graph_kind(quad.graph_name)
        if kind == "source" and isinstance(quad.graph_name, ox.NamedNode):  # a source's graph is named
            document = self.graph.document_of_graph(quad.graph_name.value)
            return "" if document in own_sources else f' <span class="from">(per {self.term(document)})</span>'
        if kind == "other" and quad.graph_name not in own_sources:
            return f' <span class="from">(outside the documents: {self.term(quad.graph_name)})</span>'
        return ""

    def referred_by(self, subject: Term) -> str:
        """Statements pointing at the subject from things that are not qualified facts or claims."""
        items = []
        for quad in self.graph.by_object.get(subject, ()):
            if self.graph.graph_kind(quad.graph_name) == "derived" or quad.subject == subject \
                    or self.graph.is_fact(quad.subject) or self.graph.is_claim(quad.subject) \
                    or quad.predicate.value in self.site.not_statements:
                continue
            items.append(self.statement(self.term(quad.subject), quad, escape(self.graph.label(subject)),
                                        self.provenance(quad)))
        return f'<ul class="plain">{"".join(dict.fromkeys(items))}</ul>' if items else ""

    def statement(self, subject_html: str, quad: ox.Quad, object_html: str, after: str = "") -> str:
        """One statement as a list item: subject — property — object."""
        return f"<li>{subject_html} {SEP} {self.property(quad.predicate.value)} {SEP} {object_html}{after}</li>"

    def shortcuts(self, subject: Term) -> str:
        """The derived shortcut triples about the subject, both ways, each once, with the number of
        source documents that state it (one derived graph per source holds it: see shortcut_rules)."""
        items = []
        for quad in self.graph.by_subject.get(subject, ()):
            if self.graph.graph_kind(quad.graph_name) == "derived":
                items.append(self.statement(escape(self.graph.label(subject)), quad, self.term(quad.object),
                                            self.corroboration(quad)))
        for quad in self.graph.by_object.get(subject, ()):
            if self.graph.graph_kind(quad.graph_name) == "derived":
                items.append(self.statement(self.term(quad.subject), quad, escape(self.graph.label(subject)),
                                            self.corroboration(quad)))
        return f'<ul class="plain">{"".join(dict.fromkeys(items))}</ul>' if items else ""

    def corroboration(self, quad: ox.Quad) -> str:
        """How many source documents state a derived triple, and which."""
        documents = self.graph.stated_by(quad)
        if not documents:
            return ' <span class="from">(from the shared graphs, not one document)</span>'
        count = f"{len(documents)} source" + ("s" if len(documents) > 1 else "")
        names = ", ".join(self.term(d) for d in documents)
        return f' <span class="sources" title="independent sources that state it">(stated by {count}: {names})</span>'


    def outside_identifiers(self, subject: Term) -> str:
        items = []
        for quad in self.graph.by_subject.get(subject, ()):
            if quad.predicate.value in (SCHEMA_SAME_AS, SAME_AS):
                items.append(f"<li>{self.term(quad.object)}{self.provenance(quad)}</li>")
        return f'<ul class="plain">{"".join(items)}</ul>' if items else ""


def short(iri: str, vocabulary: Vocabulary) -> str:
    """A prefixed name for an IRI of a known vocabulary, else the IRI."""
    return vocabulary.compress(iri, PREFIXES) or iri


def readable_outside(iri: str) -> str:
    for prefix in OUTSIDE_HOSTS:
        if iri.startswith(prefix + "entity/"):
            return "Wikidata " + iri[len(prefix + "entity/"):]
    return iri


def _distinct_objects(quads: list[ox.Quad]) -> list[ox.Quad]:
    seen, out = set(), []
    for quad in quads:
        if quad.object not in seen:
            seen.add(quad.object)
            out.append(quad)
    return out
