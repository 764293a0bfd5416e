"""Helpers the site tests share: reading a page as a crawler and as a reader does, and what a page
must say, worked out from the dataset with the stored queries (not copied from the site's code)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pyoxigraph as ox

from coalition_kg.query.catalogue import load_catalogue
from coalition_kg.query.store import EmbeddedStore, answer

BASE = "https://w3id.org/coalition-kg/"
XSD = "http://www.w3.org/2001/XMLSchema#"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
NIAMEY = BASE + "id/2023-03-01-afg-plenary-niamey"
MARRAKECH = BASE + "id/2022-05-11-coalition-ministerial-marrakech"
MOROCCO = BASE + "id/morocco"


class Page(HTMLParser):
    """One HTML page: its links and resources (tag, attribute, value), its ids, its visible text."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.styles: list[str] = []
        self.times: list[str] = []
        self.time_texts: dict[str, set[str]] = {}  # datetime -> the texts shown for it
        self._time: str | None = None
        self.meta: dict[str, str] = {}
        self._text: list[str] = []
        self._in_style = False
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        for name in ("href", "src", "srcset", "poster", "data", "action", "formaction", "cite", "background"):
            if attributes.get(name) is not None:
                self.refs.append((tag, name, attributes[name]))
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.ids.add(attributes["name"])
        if attributes.get("style"):
            self.styles.append(attributes["style"])
        if tag == "time" and attributes.get("datetime"):
            self.times.append(attributes["datetime"])
            self._time = attributes["datetime"]
        if tag == "meta" and attributes.get("name"):
            self.meta[attributes["name"]] = attributes.get("content") or ""
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False
        if tag == "time":
            self._time = None

    def handle_data(self, data):
        if self._time is not None:
            self.time_texts.setdefault(self._time, set()).add(normal(data))
        (self.styles if self._in_style else self._text).append(data)

    @property
    def text(self) -> str:
        return normal(" ".join(self._text))


def normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def human_date(date: ox.Literal) -> str:
    """How a reader expects a date at its precision: 1 March 2023, May 2022, 2021."""
    kind = date.datatype.value
    parts = date.value.split("-")
    if kind == XSD + "date":
        return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    if kind == XSD + "gYearMonth":
        return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
    return date.value


class Expectations:
    """What a page must say, from the stored queries over the dataset."""

    def __init__(self, dataset):
        self.store = EmbeddedStore(dataset)
        self.catalogue = load_catalogue(dataset.layout)

    def ask(self, name: str, **values: str) -> list[dict]:
        return answer(self.store, self.catalogue[name], values).rows

    def select(self, sparql: str) -> list[dict]:
        return self.store.select(sparql).rows

    def label(self, iri: str) -> str:
        rows = self.select(f"SELECT ?l WHERE {{ <{iri}> <http://www.w3.org/2004/02/skos/core#prefLabel>|"
                           f"<http://www.w3.org/2000/01/rdf-schema#label> ?l }} ORDER BY ?l LIMIT 1")
        return rows[0]["l"].value

    def source_names(self, source: str) -> list[str]:
        """What a page that names a source document must say of it: who published it, where, and
        when, as far as the data says (not the placeholder "Source document <id>")."""
        rows = self.select(f"""PREFIX schema: <https://schema.org/> PREFIX ckg: <https://w3id.org/coalition-kg/ontology#>
            SELECT ?publisher ?place ?date ?notAfter WHERE {{
              OPTIONAL {{ <{source}> schema:publisher ?p . ?p <http://www.w3.org/2000/01/rdf-schema#label> ?publisher }}
              OPTIONAL {{ <{source}> ckg:dateline ?d . ?d <http://www.w3.org/2000/01/rdf-schema#label> ?place }}
              OPTIONAL {{ <{source}> schema:datePublished ?date }}
              OPTIONAL {{ <{source}> ckg:notAfter ?notAfter }} }}""")
        row = rows[0]
        names = [row[k].value for k in ("publisher", "place") if k in row]
        dated = row["date"] if "date" in row else row.get("notAfter")
        return names + ([human_date(dated)] if dated is not None else [])

    def quotes(self, fact: str) -> list[str]:
        return [row["quote"].value for row in self.ask("evidence-for-fact", fact=fact)]

    def meeting(self, iri: str) -> list[str]:
        """A meeting's page: its name, date at its precision, place, what it is a meeting of and under
        whose umbrella, every role played in it with the quotes, and its own quotes."""
        [details] = self.ask("meeting-details", meeting=iri)
        wanted = [details["label"].value, human_date(details["date"]), *self.source_names(details["source"].value)]
        for key in ("location", "meetingOf", "umbrella"):
            if key in details:
                wanted.append(self.label(details[key].value))
        for row in self.ask("meeting-roles", meeting=iri):
            wanted += [row["agentLabel"].value, row["roleLabel"].value, row["quote"].value]
        return wanted + self.quotes(iri)

    def agent(self, iri: str) -> list[str]:
        """An agent's page: every role it played, in what, and the quotes for each."""
        wanted = [self.label(iri)]
        for row in self.ask("roles-of-agent", agent=iri):
            wanted += [row["roleLabel"].value, row["inLabel"].value]
        facts = self.select(f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX org: <http://www.w3.org/ns/org#>
            SELECT DISTINCT ?fact WHERE {{ {{ ?fact prov:agent <{iri}> }} UNION {{ ?fact org:member <{iri}> }} }}""")
        for row in facts:
            wanted += self.quotes(row["fact"].value)
        return wanted


def missing(text: str, wanted: list[str]) -> list[str]:
    return [w for w in dict.fromkeys(wanted) if normal(w) not in text]
