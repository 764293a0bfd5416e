"""The static site's pages, one function each: an entity, a source document, a named graph, an index
of a class, the roles, the timeline of meetings, the home page. Each returns (site path, HTML)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

import pyoxigraph as ox

from coalition_kg.rdf.namespaces import ORG, PROV, SCHEMA, SKOS, XSD
from coalition_kg.site.coverage import coverage_section
from coalition_kg.site.differences import differences_section
from coalition_kg.site.facts import SEP, Site, Writer
from coalition_kg.site.graph import (
    LABEL,
    PREF_LABEL,
    QUALIFIED_ASSOCIATION,
    TYPE,
    SiteGraph,
    Term,
    local_name,
)
from coalition_kg.site.html import link, page, time_element, when
from coalition_kg.site.paths import ONTOLOGY_PAGE, PAGE_FORMATS, page_files


@dataclass(frozen=True)
class Index:
    """An index page of the entities of some classes of our ontology."""

    name: str  # its site path is <name>.html
    title: str
    classes: tuple[str, ...]  # of our ontology, as ckg: CURIEs
    blurb: str


INDEXES = (
    Index("states", "States", ("ckg:State",), "Sovereign countries, as parties to diplomacy."),
    Index("persons", "Persons", ("ckg:Person",), "People the sources name: ministers, heads of delegation, a king."),
    Index("organizations", "Organizations",
          ("ckg:Coalition", "ckg:InternationalOrganization", "ckg:MultilateralForum", "ckg:GovernmentBody",
           "ckg:MediaOrganization", "ckg:TerroristGroup"),
          "Coalitions, forums, offices, ministries, publishers and armed groups."),
    Index("groups", "Groups", ("ckg:Group",), "Bodies set up within a coalition."),
    Index("meetings", "Meetings", ("ckg:Meeting",),
          "Every meeting the sources mention, by kind; see also the timeline."),
    Index("posts", "Posts", ("ckg:Post",), "Positions that persons hold."),
    Index("roles", "Roles", ("ckg:MeetingRole", "ckg:OrganizationRole", "ckg:RoleForOrganization"),
          "Who played which role (host, convener, co-chair, head of delegation, host state…) in or for which "
          "meeting or body."),
    Index("places", "Places", ("ckg:City", "ckg:Region"),
          "Cities and regions where meetings were held or that they were about."),
    Index("topics", "Topics", ("ckg:Topic",), "Subjects on meetings' agendas, in the words of the sources."),
    Index("claims", "Claims", ("ckg:AttributedClaim",),
          "Judgements the sources make in their own voice (praise, framing, characterisation), each attributed "
          "to its source and quoted: what a source says, never a fact about the world."),
    Index("facts", "Other facts",
          ("ckg:PostHolding", "ckg:Founding", "ckg:MandateStatement", "ckg:MemberCountObservation"),
          "Posts held, foundings, mandates and member counts, as each source states them."),
    Index("documents", "Documents", ("ckg:SourceDocument",), "The source documents every fact is drawn from."),
)
OTHER = Index("other", "Other entities", (), "Entities of no class listed elsewhere.")


def _types(writer: Writer, subject: ox.NamedNode) -> str:
    return "".join(writer.term(ox.NamedNode(t)) for t in writer.graph.types(subject))


def _downloads(writer: Writer, stem: str, iri: str) -> str:
    return (f'<p class="downloads"><span class="iri">{escape(iri)}</span> · this page\'s data as '
            + " · ".join(link(writer.path, stem + f.suffix, f.label) for f in PAGE_FORMATS) + "</p>")


def entity_page(site: Site, iri: ox.NamedNode) -> tuple[str, str]:
    """An entity's page: names, types, details, its source and quotes, the facts about it, what refers
    to it, its outside identifiers and the shortcuts derived for it."""
    stem = site.graph.known_stem(iri.value)
    path = stem + ".html"
    w, g = Writer(site, path), site.graph
    title = g.label(iri)
    body = [f"<h1>{escape(title)}</h1>"]
    aliases = g.aliases(iri)
    if aliases:
        body.append(f'<p class="lede">Also called: {escape(", ".join(aliases))}</p>')
    body.append(f'<p class="types">{_types(w, iri)}</p>')
    body.append(_glance(w, iri))
    if g.is_claim(iri):
        body.append(f'<p class="lede">A judgement {w.sources(iri)} makes in its own voice, attributed to it: what '
                    "the source says, not a fact about the world.</p>")
    if g.is_fact(iri) and not g.is_a(iri, g.ckg("Meeting")):
        body.append(f'<ul class="facts"><li class="fact"><p class="claim">{w.claim(iri)}</p></li></ul>')
    details = w.statements(iri, facts_shown=True)
    if details:
        body.append(f"<h2>Details</h2>{details}")
    if g.sources(iri) or g.quotes(iri) or g.notes(iri):
        dating, _ = w.dating(iri) if g.is_fact(iri) else ("", "")
        meta = " · ".join(x for x in (dating, "source: " + w.sources(iri) if g.sources(iri) else "") if x)
        body.append("<h2>Source and evidence</h2>" + (f'<p class="meta">{meta}</p>' if meta else "")
                    + w.evidence(iri) + w.notes(iri))
    if g.is_a(iri, g.ckg("SourceDocument")):
        body.append(_document_facts(w, iri))
        body.append(coverage_section(w, iri))
    for heading, facts in w.linked_facts(iri):
        body.append(f"<h2>{escape(heading)}</h2>{w.fact_list(facts)}")
    claims = w.claims_about(iri)
    if claims:
        body.append('<h2 id="claims">What the sources say of it</h2><p class="meta">Judgements the sources make in '
                    f"their own voice, attributed to each: not facts.</p>{claims}")
    if iri.value in site.differences:
        body.append(differences_section(w, site.differences[iri.value]))
    referred = w.referred_by(iri)
    if referred:
        body.append(f"<h2>Referred to by</h2>{referred}")
    outside = w.outside_identifiers(iri)
    if outside:
        body.append("<h2>Outside identifiers</h2><p class=\"meta\">From outside the source documents: links kept "
                    f"in a graph of their own, which names its source.</p>{outside}")
    shortcuts = w.shortcuts(iri)
    if shortcuts:
        count = shortcuts.count("<li>")
        body.append(f"<details><summary>Shortcut statements derived from these facts ({count})</summary>"
                    f"{shortcuts}</details>")
    body.append("<h2>Data</h2>" + _downloads(w, stem, iri.value))
    return path, page(path, title, "\n".join(body), page_files(stem))


def _glance(w: Writer, subject: ox.NamedNode) -> str:
    """A meeting at a glance, under its title: when, where, of what, and who played which role."""
    g = w.graph
    if not g.is_a(subject, g.ckg("Meeting")):
        return ""
    dating, _ = w.dating(subject)
    where = [w.terms(subject, g.ckg("location")), w.terms(subject, g.ckg("meetingOf"))]
    first = " · ".join(x for x in (dating, *where) if x)
    roles: dict[str, list[str]] = {}
    for fact in g.values(subject, QUALIFIED_ASSOCIATION):
        for agent in g.values(fact, PROV + "agent"):
            roles.setdefault(w.role_name(fact), []).append(w.term(agent))
    second = "; ".join(f"{escape(role)}: {', '.join(sorted(agents, key=_text))}"
                       for role, agents in sorted(roles.items()))
    return "".join(f'<p class="glance">{line}</p>' for line in (first, second) if line)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


FACT_GROUPS = (  # how a document's facts are grouped, by class
    ("ckg:Meeting", "Meetings"), ("ckg:MeetingRole", "Roles in meetings"),
    ("ckg:OrganizationRole", "Roles in organizations"), ("ckg:RoleForOrganization", "Roles for organizations"),
    ("ckg:PostHolding", "Posts held"), ("ckg:Founding", "Foundings"), ("ckg:MandateStatement", "Mandates"),
    ("ckg:MemberCountObservation", "Member counts"),
)


def _document_facts(w: Writer, document: ox.NamedNode) -> str:
    """Every fact drawn from the document, by kind, and the other statements of its graph."""
    g = w.graph
    drawn = g.facts_from(document)
    facts = [fact for fact in drawn if not g.is_claim(fact) and not g.is_left_out(fact)]
    claims = [fact for fact in drawn if g.is_claim(fact)]
    left_out = [fact for fact in drawn if g.is_left_out(fact)]
    groups: dict[str, list[Term]] = {}
    for fact in facts:
        heading = next((h for c, h in FACT_GROUPS if g.is_a(fact, g.vocabulary.expand(c))), None) or \
            ", ".join(g.label(ox.NamedNode(t)) for t in g.types(fact)) or "Other facts"
        groups.setdefault(heading, []).append(fact)
    order = [h for _, h in FACT_GROUPS] + sorted(h for h in groups if h not in dict(FACT_GROUPS).values())
    out = [f"<h2>Facts drawn from this document ({len(facts)})</h2>"]
    for heading in order:
        if heading in groups:
            out.append(f"<h3>{escape(heading)}</h3>{w.fact_list(groups[heading])}")
    if claims:
        out.append(f'<h2 id="claims">What it says in its own voice ({len(claims)})</h2><p class="meta">Judgements '
                   f"attributed to this document, not facts.</p>{w.claim_list(claims)}")
    if left_out:
        out.append(f'<h2 id="left-out">Sentences read and left out ({len(left_out)})</h2><p class="meta">Read and '
                   f"deliberately not modelled, each with its reason: not facts.</p>{w.fact_list(left_out)}")
    graph_iri = g.vocabulary.graph(document.value[len(g.vocabulary.sources):])
    shown = set(drawn) | {document}
    others: dict[ox.NamedNode, list[ox.Quad]] = {}
    for quad in g.quads:
        if getattr(quad.graph_name, "value", None) == graph_iri and quad.subject not in shown \
                and isinstance(quad.subject, ox.NamedNode) and quad.predicate.value not in (LABEL, PREF_LABEL):
            others.setdefault(quad.subject, []).append(quad)
    interpretation = g.ckg("interpretation")
    if others:
        items = []
        for subject in sorted(others, key=lambda s: g.label(s).lower()):
            kinds = "".join(f" {w.term(q.object)}" for q in others[subject] if q.predicate.value == TYPE)
            lines = "".join(f"<li>{w.property(q.predicate.value)} {SEP} {w.term(q.object)}</li>"
                            for q in others[subject] if q.predicate.value not in (TYPE, interpretation))
            notes = "".join(f'<p class="note">{escape(q.object.value)}</p>'
                            for q in others[subject]
                            if q.predicate.value == interpretation and not isinstance(q.object, ox.Triple))
            items.append(f'<li class="fact"><p class="claim">{w.term(subject)}'
                         f'<span class="types">{kinds}</span></p><ul>{lines}</ul>{notes}</li>')
        out.append("<h3>Other statements in its graph</h3>"
                   f'<p class="meta">About things that are not facts of their own: topics, posts, groups.</p>'
                   f'<ul class="facts">{"".join(items)}</ul>')
    if graph_iri in w.site.pages:
        out.append(f'<p class="meta">The document\'s whole graph: {w.term(ox.NamedNode(graph_iri))}</p>')
    return "\n".join(out)


def graph_page(site: Site, graph_iri: str) -> tuple[str, str]:
    """A named graph's page: what it is, which file it comes from, and the things it describes."""
    stem = site.graph.known_stem(graph_iri)
    path = stem + ".html"
    w, g = Writer(site, path), site.graph
    node = ox.NamedNode(graph_iri)
    document = g.document_of_graph(graph_iri)
    kind = g.graph_kind(node)
    title = g.label(node)
    quads = [q for q in g.quads if q.graph_name == node]
    what = {"source": "what one source document says", "reference": "the entities the documents share: their "
            "types, names and aliases", "derived": "the shortcut statements derived by rules from the qualified "
            "facts", "other": "statements from outside the source documents"}[kind]
    body = [f"<h1>{escape(title)}</h1>", f'<p class="lede">A named graph: {escape(what)}; '
            f"{len(quads)} statements.</p>", _downloads(w, stem, graph_iri)]
    file = g.dataset.file_of(graph_iri)
    if file is not None:
        body.append(f"<p>From the file <code>{escape(g.dataset.layout.relative(file))}</code>.</p>")
    if document is not None:
        body.append(f"<p>The document and every fact drawn from it: {w.term(document)}.</p>")
    details = w.statements(node)
    if details:
        body.append(f"<h2>Details</h2>{details}")
    subjects = sorted({q.subject for q in quads if w.page_of(q.subject)}, key=lambda s: g.label(s).lower())
    if subjects:
        items = "".join(f"<li>{w.term(s)}</li>" for s in subjects)
        body.append(f'<h2>What it describes ({len(subjects)})</h2><ul class="names">{items}</ul>')
    return path, page(path, title, "\n".join(body), page_files(stem))


def classify(site: Site) -> dict[str, list[ox.NamedNode]]:
    """The entities of each index page; those no index takes go to ``other``."""
    g = site.graph
    out: dict[str, list[ox.NamedNode]] = {index.name: [] for index in (*INDEXES, OTHER)}
    for entity in g.entities():
        names = [i.name for i in INDEXES if any(g.is_a(entity, g.vocabulary.expand(c)) for c in i.classes)]
        for name in names or [OTHER.name]:
            out[name].append(entity)
    for entities in out.values():
        entities.sort(key=lambda e: g.label(e).lower())
    return out


def index_page(site: Site, index: Index, entities: list[ox.NamedNode]) -> tuple[str, str]:
    path = index.name + ".html"
    w, g = Writer(site, path), site.graph
    body = [f"<h1>{escape(index.title)} ({len(entities)})</h1>", f'<p class="lede">{escape(index.blurb)}</p>']
    if index.name == "meetings":
        body.append(_meetings_by_kind(w, entities))
    elif index.name == "roles":
        body.append(_roles(w, entities))
    elif index.name == "facts":
        body.append(w.fact_list(entities, quotes=False))
    elif index.name == "documents":
        body.append(_documents(w, entities))
    else:
        items = []
        for entity in entities:
            aliases = g.aliases(entity)
            also = f'<br><span class="meta">also: {escape(", ".join(aliases))}</span>' if aliases else ""
            kinds = ", ".join(g.label(ox.NamedNode(t)) for t in g.types(entity))
            items.append(f'<li>{w.term(entity)}<br><span class="meta">{escape(kinds)}</span>{also}</li>')
        body.append(f'<ul class="cards">{"".join(items)}</ul>')
    return path, page(path, index.title, "\n".join(body))


def _meeting_row(w: Writer, meeting: ox.NamedNode) -> str:
    g = w.graph
    date = g.value(meeting, g.ckg("date"))
    when = time_element(date) if isinstance(date, ox.Literal) else ""
    kinds = ", ".join(w.term(ox.NamedNode(t)) for t in g.types(meeting))
    place = w.terms(meeting, g.ckg("location"))
    of = w.terms(meeting, g.ckg("meetingOf"))
    return (f"<tr><td>{when}</td><td>{w.term(meeting)}</td><td class=optional>{kinds}</td>"
            f"<td>{place}</td><td class=optional>{of}</td></tr>")


def _meetings_by_kind(w: Writer, meetings: list[ox.NamedNode]) -> str:
    g = w.graph
    by_kind: dict[str, list[ox.NamedNode]] = {}
    for meeting in meetings:
        for kind in g.types(meeting):
            by_kind.setdefault(kind, []).append(meeting)
    head = ("<tr><th>date</th><th>meeting</th><th class=optional>kind</th><th>place</th>"
            "<th class=optional>meeting of</th></tr>")
    out = [f'<p>In date order on the {link(w.path, "timeline.html", "timeline")}.</p>']
    for kind in sorted(by_kind, key=lambda k: g.label(ox.NamedNode(k))):
        rows = sorted(by_kind[kind], key=_date_key(g))
        anchor = g.ontology_anchor(kind)
        name = g.label(ox.NamedNode(kind))
        name = name[:1].upper() + name[1:]
        heading = link(w.path, anchor, name) if anchor and g.defined_in_ontology(kind) else escape(name)
        out.append(f"<h2>{heading} ({len(rows)})</h2><table>{head}"
                   + "".join(_meeting_row(w, m) for m in rows) + "</table>")
    return "\n".join(out)


def _date_key(g: SiteGraph) -> Callable[[ox.NamedNode], tuple[str, str]]:
    def key(meeting: ox.NamedNode) -> tuple[str, str]:
        date = g.value(meeting, g.ckg("date"))
        return (date.value if isinstance(date, ox.Literal) else "~", meeting.value)
    return key


def _roles(w: Writer, facts: list[ox.NamedNode]) -> str:
    """The role facts, one section per role (the roles are individuals of the ontology)."""
    g = w.graph
    by_role: dict[Term, list[ox.NamedNode]] = {}
    for fact in facts:
        for role in g.values(fact, PROV + "hadRole") + g.values(fact, ORG + "role"):
            by_role.setdefault(role, []).append(fact)
    out = []
    for role in sorted(by_role, key=g.label):
        definition = g.values(role, SKOS + "definition", ontology=True)
        blurb = f'<p class="lede">{escape(definition[0].value)}</p>' if definition else ""
        name = g.label(role)
        out.append(f"<h2>{w.term(role) if w.term(role).startswith('<a') else escape(name)} "
                   f"({len(by_role[role])})</h2>{blurb}{w.fact_list(by_role[role], quotes=False)}")
    return "\n".join(out)


def _documents(w: Writer, documents: list[ox.NamedNode]) -> str:
    g = w.graph
    rows = []
    for document in documents:
        dating = []
        for predicate, words in ((SCHEMA + "datePublished", "published"), (g.ckg("notAfter"), "not after")):
            value = g.value(document, predicate)
            if isinstance(value, ox.Literal):
                dating.append(f"{words} {time_element(value)}")
        publisher = w.terms(document, SCHEMA + "publisher")
        count = sum(not g.is_claim(fact) and not g.is_left_out(fact) for fact in g.facts_from(document))
        rows.append(f"<tr><td>{w.term(document)}</td><td>{', '.join(dating)}</td>"
                    f"<td class=optional>{publisher}</td><td>{count}</td></tr>")
    graphs = "".join(f"<li>{w.term(ox.NamedNode(iri))}</li>" for iri in sorted(g.graphs()))
    return ("<table><tr><th>document</th><th>date</th><th class=optional>publisher</th><th>facts</th></tr>"
            + "".join(rows) + "</table>"
            + '<h2>Named graphs</h2><p class="meta">One per source document; the reference graph holds the '
            "entities the documents share; links to outside identifiers and the derived shortcuts have their own."
            f'</p><ul class="names">{graphs}</ul>')


def timeline_page(site: Site, meetings: list[ox.NamedNode]) -> tuple[str, str]:
    """The meetings ordered by the interval their date stands for, by year; a meeting whose interval
    shares days with another's says that their order is uncertain."""
    path = "timeline.html"
    w, g = Writer(site, path), site.graph
    ordered = sorted(meetings, key=_interval_key(g))
    uncertain = _overlapping(g, ordered)
    body = ["<h1>Timeline of meetings</h1>",
            '<p class="lede">Ordered by the days each date can stand for: the earliest, then the latest. A date '
            "shows only what its source says: a day, a month or a year. Where two meetings' dates share days "
            "(May 2022 and 11 May 2022), which came first is not known, and the timeline says so.</p>"]
    year = None
    items: list[str] = []

    def flush() -> None:
        if items:
            body.append(f'<h2>{escape(year or "Undated")}</h2><ol class="timeline">{"".join(items)}</ol>')
            items.clear()

    for meeting in ordered:
        date = g.value(meeting, g.ckg("date"))
        this_year = date.value[:4] if isinstance(date, ox.Literal) else None
        if this_year != year:
            flush()
            year = this_year
        when = time_element(date) if isinstance(date, ox.Literal) else ""
        place = w.terms(meeting, g.ckg("location"))
        kinds = ", ".join(g.label(ox.NamedNode(t)) for t in g.types(meeting))
        span = _span(g, meeting)
        order = "order uncertain: its date shares days with another meeting's" if meeting in uncertain else ""
        meta = " · ".join(x for x in (escape(kinds), place, "source: " + w.sources(meeting), span, order) if x)
        items.append(f'<li id="{escape(local_name(meeting.value))}">{when}{w.term(meeting)}'
                     f'<p class="meta">{meta}</p></li>')
    flush()
    return path, page(path, "Timeline", "\n".join(body))


def _bounds(g: SiteGraph, node: ox.NamedNode) -> tuple[str | None, str | None]:
    """The interval a node's date stands for (ckg:earliestDate, ckg:latestDate), as ISO days or None."""
    earliest, latest = g.value(node, g.ckg("earliestDate")), g.value(node, g.ckg("latestDate"))
    return (earliest.value if isinstance(earliest, ox.Literal) else None,
            latest.value if isinstance(latest, ox.Literal) else None)


def _interval_key(g: SiteGraph) -> Callable[[ox.NamedNode], tuple[str, str, str]]:
    """Earliest day, then latest day: the order of meetings-in-date-order; undated last."""
    def key(meeting: ox.NamedNode) -> tuple[str, str, str]:
        earliest, latest = _bounds(g, meeting)
        return (earliest or "~", latest or "~", meeting.value)
    return key


def _overlapping(g: SiteGraph, ordered: list[ox.NamedNode]) -> set[ox.NamedNode]:
    """The meetings whose interval shares a day with another's, in one pass over the sorted list: one
    overlaps an earlier meeting when the latest day seen so far reaches its earliest, and a later one
    when the next meeting's earliest day comes before its latest."""
    bounds = [_bounds(g, m) for m in ordered]
    found: set[ox.NamedNode] = set()
    reach: str | None = None
    for i, (meeting, (earliest, latest)) in enumerate(zip(ordered, bounds, strict=True)):
        if earliest is None or latest is None:
            continue
        after = bounds[i + 1][0] if i + 1 < len(bounds) else None
        if (reach is not None and reach >= earliest) or (after is not None and after <= latest):
            found.add(meeting)
        reach = latest if reach is None else max(reach, latest)
    return found


def _span(g: SiteGraph, meeting: ox.NamedNode) -> str:
    """The days an imprecise date stands for, in words ("between 1 May 2022 and 31 May 2022")."""
    earliest, latest = _bounds(g, meeting)
    if earliest is None or latest is None or earliest == latest:
        return ""
    first, last = (escape(when(ox.Literal(d, datatype=ox.NamedNode(XSD + "date")))) for d in (earliest, latest))
    return f"between {first} and {last}"


def home_page(site: Site, counts: dict[str, int]) -> tuple[str, str]:
    path = "index.html"
    entities = escape(site.graph.vocabulary.entities)
    cards = "".join(f"<li>{link(path, i.name + '.html', i.title)} ({counts.get(i.name, 0)})"
                    f'<br><span class="meta">{escape(i.blurb)}</span></li>'
                    for i in (*INDEXES, OTHER) if counts.get(i.name) or i is not OTHER)
    statements = len(site.graph.quads)
    body = f"""<h1>The diplomacy around the Global Coalition to Defeat ISIS</h1>
<p class="lede">A knowledge graph of who met where and when, who hosted, convened and co-chaired, who belongs to
which group and who held which post, drawn from {counts.get("documents", 0)} source documents.</p>
<p>Every fact is a statement of one source document, and its page shows the words it rests on, quoted. Dates
keep the precision the source gives (a day, a month or a year); where a text is silent, so is the graph.
{len(site.graph.entities())} entities, {statements} statements.</p>
<ul class="cards">
<li>{link(path, "timeline.html", "Timeline")}<br><span class="meta">The meetings in date order.</span></li>
{cards}
<li>{link(path, ONTOLOGY_PAGE, "Ontology")}<br><span class="meta">The classes, properties and roles the graph
uses, aligned to W3C ORG, schema.org, PROV-O, FOAF and SKOS.</span></li>
</ul>
<h2>The data</h2>
<p>Each page has its entity's statements beside it as Turtle and JSON-LD (the links under its title, and
<code>&lt;link rel="alternate"&gt;</code> in its head); each document's graph has a page of its own. Published at
its IRIs (<code>{entities}…</code>), the site's <code>.htaccess</code> answers an IRI with its HTML, Turtle
or JSON-LD by the request's <code>Accept</code> header.</p>
<p>The whole graph, and each document's, for download in six RDF formats, described in VoID and DCAT:
{link(path, "export/void.ttl", "the dataset's description")}, which names each file.</p>
"""
    return path, page(path, "Home", body)
