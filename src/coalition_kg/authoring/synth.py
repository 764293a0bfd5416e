"""Synthetic repositories for scale tests: N source documents' worth of data in our ontology, in
the proportions of the real data (per document about 2 meetings, 5 meeting roles, 1-2 roles in
organizations, 2 post holdings, a founding, a mandate, a member count, topics, ~20 quotes), that
conform to our shapes and pass the quote check, plus a known number of injected violations.

Deterministic for a given seed, so a benchmark run can be repeated."""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TypedDict

from coalition_kg.errors import UsageProblem
from coalition_kg.guards.files import read_bytes
from coalition_kg.repository import layout as lay
from coalition_kg.repository.vocabulary import Vocabulary

TRIPLES_PER_DOCUMENT = 180  # data triples per generated document (measured at 50 and 500 documents)
# the prefixes of every file written
PREFIXES = ("ckg", "id", "src", "rdf", "rdfs", "skos", "xsd", "org", "prov", "oa", "schema", "dcterms")

# One kind of violation per entry: (name, the shape that must report it, by its name in cs:).
VIOLATIONS = (
    ("meeting-without-date", "Meeting-date"),
    ("meeting-with-mistyped-date", "Meeting-date"),
    ("person-as-co-chair", "RoleAgentKindShape"),
    ("head-without-delegation", "HeadOfDelegationShape"),
    ("fact-without-evidence", "QualifiedFact-evidence"),
    ("negative-member-count", "MemberCount-count"),
    ("count-before-founding", "CountAfterFoundingShape"),
    ("meeting-at-two-places", "Meeting-location"),
    ("meeting-of-nothing", "Meeting-meetingOf"),
    ("meeting-numbered-zero", "Meeting-ordinal"),
    ("meeting-follows-a-later-one", "FollowsEarlierMeetingShape"),
    ("holding-without-post", "PostHolding-post"),
    ("fact-without-source", "QualifiedFact-source"),
    ("founding-dated-in-words", "Founding-date"),
)


def lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def en(text: str) -> str:
    return lit(text) + "@en"


@dataclass
class Pools:
    """The shared entities: states, persons, posts, places and organizations."""

    states: list[str]
    persons: list[str]
    posts: list[str]
    cities: list[str]
    regions: list[str]
    coalitions: list[str]
    groups: list[str]
    organizations: list[str]
    publishers: list[str]
    founded: dict[str, date] = field(default_factory=dict)

    @classmethod
    def sized(cls, documents: int) -> Pools:
        def names(kind: str, count: int) -> list[str]:
            return [f"synth-{kind}-{n:05d}" for n in range(count)]

        coalitions = names("coalition", 1 + documents // 500)
        return cls(
            states=names("state", 40 + documents // 10), persons=names("person", 20 + documents),
            posts=names("post", 10 + documents // 5), cities=names("city", 30 + documents // 20),
            regions=names("region", 6), coalitions=coalitions, groups=names("group", 3 * len(coalitions)),
            organizations=names("organization", 5 + documents // 50), publishers=names("publisher", 10),
        )


def _title(slug: str) -> str:
    return slug.removeprefix("synth-").replace("-", " ").title()


def reference(pools: Pools, rng: random.Random, vocabulary: Vocabulary) -> str:
    kinds = [("State", pools.states), ("Person", pools.persons), ("Post", pools.posts), ("City", pools.cities),
             ("Region", pools.regions), ("Coalition", pools.coalitions), ("Group", pools.groups),
             ("InternationalOrganization", pools.organizations), ("MediaOrganization", pools.publishers)]
    out = [vocabulary.turtle_prefixes(*PREFIXES)]
    for kind, slugs in kinds:
        for slug in slugs:
            name = _title(slug)
            alias = f" ;\n    skos:altLabel {en(name + ' alias')}" if rng.random() < 0.2 else ""
            names = f"rdfs:label {en(name)} ;\n    skos:prefLabel {en(name)}{alias}"
            out.append(f"id:{slug} a ckg:{kind} ;\n    {names} .\n")
            # an entity's type is outside knowledge, so it says where it comes from (DESIGN rule 6)
            out.append(f"[] a ckg:ReferenceStatement ;\n    rdf:subject id:{slug} ; rdf:predicate rdf:type ; "
                       f"rdf:object ckg:{kind} ;\n    dcterms:source {lit('synthetic reference data')} .\n")
    return "\n".join(out)


def group_links(document: Document, pools: Pools) -> None:
    """Which coalition each group is under, a fact the first document states (as the real data's
    documents state the Africa Focus Group's), so that every group has its coalition at every size."""
    for number, group in enumerate(pools.groups):
        coalition = pools.coalitions[number % len(pools.coalitions)]
        document.fact(f"group-link-{number}", "StatedLink", f"{_title(group)} is a group of {_title(coalition)}",
                      f"rdf:subject id:{group} ;\n    rdf:predicate ckg:groupOf ;\n    rdf:object id:{coalition}",
                      f"The {_title(group)} is a group of the {_title(coalition)} in {document.id}")


class Document:
    """One synthetic source document: its Turtle graph and the text its quotes come from."""

    def __init__(self, number: int, pools: Pools, rng: random.Random, vocabulary: Vocabulary):
        self.id = f"synth_{number:06d}"
        self.rng, self.pools = rng, pools
        self.published = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 3650))
        self.sentences: list[str] = []
        self.shapes, self.entities = vocabulary.shapes, vocabulary.entities
        self.lines: list[str] = [vocabulary.turtle_prefixes(*PREFIXES), f"@prefix f: <{self.entities}{self.id}/> .\n"]

    def quote(self, text: str) -> str:
        self.sentences.append(text + ".")
        return f"[ a ckg:Evidence ; oa:exact {lit(text)} ]"

    def fact(self, slug: str, kind: str, label: str, body: str, quote: str | None, sourced: bool = True) -> str:
        evidence = f" ;\n    ckg:evidence {self.quote(quote)}" if quote else ""
        # an event (a meeting, a founding) is reported in its document; a statement is derived from it
        link = "ckg:reportedIn" if kind == "Founding" or kind.endswith("Meeting") else "prov:wasDerivedFrom"
        source = f" ;\n    {link} src:{self.id}" if sourced else ""
        self.lines.append(f"f:{slug} a ckg:{kind} ;\n    rdfs:label {en(label)} ;\n    {body}{source}{evidence} .\n")
        return f"f:{slug}"

    def pick(self, pool: list[str]) -> str:
        return self.rng.choice(pool)

    def day_before_publication(self, within: int = 700) -> date:
        return self.published - timedelta(days=self.rng.randrange(1, within))

    def dated(self, day: date) -> str:
        precision = self.rng.random()
        if precision < 0.6:
            return f'"{day.isoformat()}"^^xsd:date'
        if precision < 0.9:
            return f'"{day.isoformat()[:7]}"^^xsd:gYearMonth'
        return f'"{day.year}"^^xsd:gYear'

    def build(self, inject: str | None = None) -> tuple[str, str, list[tuple[str, str]]]:
        rng, pools, expected = self.rng, self.pools, []
        publisher, dateline = self.pick(pools.publishers), self.pick(pools.cities)
        published = self.published.isoformat()
        header = self.quote(f"{_title(dateline)}, {published} ({_title(publisher)})")
        self.lines.append(
            f"src:{self.id} a ckg:SourceDocument ;\n    rdfs:label {en('Source document ' + self.id)} ;\n"
            f"    ckg:documentId {lit(self.id)} ;\n    schema:datePublished \"{published}\"^^xsd:date ;\n"
            f"    schema:publisher id:{publisher} ;\n    ckg:dateline id:{dateline} ;\n"
            f"    ckg:evidence {header} .\n")
        for m in range(2):
            meeting = f"{self.id}-meeting-{m}"
            group = self.pick(pools.groups)
            kind = rng.choice(["PlenaryMeeting", "MinisterialMeeting", "PoliticalDirectorsMeeting"])
            city = self.pick(pools.cities)
            roles = []
            host = self.pick(pools.states)
            roles.append(self.fact(f"m{m}-host", "MeetingRole", f"{_title(host)}, host of meeting {m}",
                                   f"prov:agent id:{host} ;\n    prov:hadRole ckg:host",
                                   f"{_title(host)} hosted the {_title(group)} meeting {m} of {self.id}"))
            for c, chair in enumerate(rng.sample(pools.states, 2)):
                agent = f"id:{chair}"
                if inject == "person-as-co-chair" and m == 0 and c == 0:
                    agent = f"id:{self.pick(pools.persons)}"
                    expected.append((self.shapes + "RoleAgentKindShape", f"{self.entities}{self.id}/m{m}-co-chair-{c}"))
                roles.append(self.fact(f"m{m}-co-chair-{c}", "MeetingRole", f"co-chair {c} of meeting {m}",
                                       f"prov:agent {agent} ;\n    prov:hadRole ckg:coChair",
                                       f"It was co-chaired by {_title(agent.removeprefix('id:'))} at meeting {m} "
                                       f"of {self.id}"))
            person, whose = self.pick(pools.persons), self.pick(pools.states)
            delegation = f" ;\n    ckg:delegationOf id:{whose}"
            if inject == "head-without-delegation" and m == 0:
                delegation = ""
                expected.append((self.shapes + "HeadOfDelegationShape", f"{self.entities}{self.id}/m{m}-head"))
            roles.append(self.fact(f"m{m}-head", "MeetingRole", f"head of a delegation to meeting {m}",
                                   f"prov:agent id:{person} ;\n    prov:hadRole ckg:headOfDelegation{delegation}",
                                   f"{_title(person)} led the {_title(whose)} delegation to meeting {m} of {self.id}"))
            if rng.random() < 0.5:
                convener = self.pick(pools.persons)
                roles.append(self.fact(f"m{m}-convener", "MeetingRole", f"convener of meeting {m}",
                                       f"prov:agent id:{convener} ;\n    prov:hadRole ckg:convener",
                                       f"at the invitation of {_title(convener)} for meeting {m} of {self.id}"))
            # a topic carries its source and quote like a fact: every statement has its own evidence
            topic = self.fact(f"topic-{m}", "Topic", f"topic {m} of {self.id}",
                              f"ckg:relatedPlace id:{self.pick(pools.regions)}",
                              f"meeting {m} of {self.id} took up topic {m}")
            date_line = f"ckg:date {self.dated(self.day_before_publication())} ;\n    "
            extra, where, of = "", f"ckg:location id:{city}", f" ;\n    ckg:meetingOf id:{group}"
            if inject == "meeting-follows-a-later-one":  # meeting 1, a year earlier, says it follows meeting 0
                day = self.published - timedelta(days=10 + 400 * m)
                date_line = f'ckg:date "{day.isoformat()}"^^xsd:date ;\n    '
                if m == 1:
                    extra = f" ;\n    ckg:follows id:{self.id}-meeting-0"
                    expected.append((self.shapes + "FollowsEarlierMeetingShape", f"{self.entities}{meeting}"))
            if m == 0 and inject == "meeting-at-two-places":
                where += f" , id:{self.pick([c for c in pools.cities if c != city])}"
                expected.append((self.shapes + "Meeting-location", f"{self.entities}{meeting}"))
            if m == 0 and inject == "meeting-of-nothing":
                of = ""
                expected.append((self.shapes + "Meeting-meetingOf", f"{self.entities}{meeting}"))
            if m == 0 and inject == "meeting-numbered-zero":
                extra = " ;\n    ckg:ordinal 0"
                expected.append((self.shapes + "Meeting-ordinal", f"{self.entities}{meeting}"))
            if inject == "meeting-without-date" and m == 0:
                date_line = ""
                expected.append((self.shapes + "Meeting-date", f"{self.entities}{meeting}"))
            if inject == "meeting-with-mistyped-date" and m == 0:
                date_line = f"ckg:date {lit(self.published.strftime('%d %B %Y'))} ;\n    "
                expected.append((self.shapes + "Meeting-date", f"{self.entities}{meeting}"))
            held = self.quote(f"The {_title(group)} meeting {m} of {self.id} was in {_title(city)}")
            self.lines.append(
                f"id:{meeting} a ckg:{kind} ;\n    rdfs:label {en(f'{_title(group)} meeting {m} of {self.id}')} ;\n"
                f"    {date_line}{where}{of}{extra} ;\n"
                f"    ckg:agendaItem {topic} ;\n    prov:qualifiedAssociation {' , '.join(roles)} ;\n"
                f"    ckg:reportedIn src:{self.id} ;\n    ckg:evidence {held} .\n")
        chair, group = self.pick(pools.states), self.pick(pools.groups)
        self.fact("group-co-chair", "OrganizationRole", f"{_title(chair)}, co-chair of {_title(group)}",
                  f"org:member id:{chair} ;\n    org:organization id:{group} ;\n    org:role ckg:coChair ;\n"
                  f"    ckg:asOf \"{self.published.isoformat()}\"^^xsd:date",
                  f"{_title(chair)} is co-chair of the {_title(group)} in {self.id}")
        if rng.random() < 0.5:
            host, office = self.pick(pools.states), self.pick(pools.organizations)
            self.fact("host-state", "RoleForOrganization", f"{_title(host)}, host of {_title(office)}",
                      f"ckg:playedBy id:{host} ;\n    ckg:playedFor id:{office} ;\n    ckg:rolePlayed ckg:hostState ;\n"
                      f"    ckg:asOf \"{self.published.isoformat()}\"^^xsd:date",
                      f"{_title(host)} hosts the {_title(office)} in {self.id}")
        for h in range(2):
            person, post = self.pick(pools.persons), self.pick(pools.posts)
            post_line = f"    ckg:post id:{post} ;\n"
            if h == 0 and inject == "holding-without-post":
                post_line = ""
                expected.append((self.shapes + "PostHolding-post", f"{self.entities}{self.id}/holding-{h}"))
            self.fact(f"holding-{h}", "PostHolding", f"{_title(person)}, {_title(post)}",
                      f"ckg:holder id:{person} ;\n{post_line}"
                      f"    ckg:asOf \"{self.published.isoformat()}\"^^xsd:date",
                      f"{_title(person)}, {_title(post)}, in {self.id} ({h})")
        coalition = self.pick(pools.coalitions)
        founded = pools.founded.setdefault(coalition, date(2014, 9, 1))
        founding_date = f'"{founded:%Y-%m}"^^xsd:gYearMonth'
        if inject == "founding-dated-in-words":
            founding_date = lit(f"{founded:%B %Y}")
            expected.append((self.shapes + "Founding-date", f"{self.entities}{self.id}/founding"))
        self.fact("founding", "Founding", f"Founding of {_title(coalition)}, per {self.id}",
                  f"ckg:foundedOrganization id:{coalition} ;\n    ckg:date {founding_date}",
                  f"The {_title(coalition)} was established in {founded:%B %Y}, says {self.id}")
        if inject == "fact-without-source":
            expected.append((self.shapes + "QualifiedFact-source", f"{self.entities}{self.id}/mandate"))
        self.fact("mandate", "MandateStatement", f"Mandate of {_title(coalition)}, per {self.id}",
                  f"ckg:describes id:{coalition} ;\n    ckg:purpose {lit('to defeat the threat, per ' + self.id)}",
                  f"its aim is to defeat the threat, per {self.id}", sourced=inject != "fact-without-source")
        count, as_of = 60 + rng.randrange(40), self.published
        if inject == "negative-member-count":
            count = -1
            expected.append((self.shapes + "MemberCount-count", f"{self.entities}{self.id}/count"))
        if inject == "count-before-founding":
            as_of = date(2010, 1, 1)
            expected.append((self.shapes + "CountAfterFoundingShape", f"{self.entities}{self.id}/count"))
        quote: str | None = f"The coalition is composed of {abs(count)} members in {self.id}"
        if inject == "fact-without-evidence":
            quote = None
            expected.append((self.shapes + "QualifiedFact-evidence", f"{self.entities}{self.id}/count"))
        self.fact("count", "MemberCountObservation", f"{_title(coalition)} has {count} members, per {self.id}",
                  f"ckg:countOf id:{coalition} ;\n    ckg:memberCount {count} ;\n"
                  f"    ckg:asOf \"{as_of.isoformat()}\"^^xsd:date", quote)
        return "\n".join(self.lines), "\n".join(self.sentences) + "\n", expected


# The repository's counter-examples: one file or more per data shape, each naming in `# expect:`
# lines the shape it breaks and on which node. Injected K times, they give every shape K violations.
EXAMPLES = Path("tests") / "fixtures" / "invalid" / "data"
EXPECT_LINE = re.compile(r"^#\s*expect:\s*<([^>]+)>\s+<([^>]+)>", re.MULTILINE)


def inject_examples(source: lay.Layout, out: Path, copies: int, texts: Path | None) -> list[tuple[str, str]]:
    """Write ``copies`` copies of every counter-example to OUT/data/injected/, their own nodes
    renamed per copy (fixture-… becomes fixture-<k>-<example>-…), with the repository's own data
    and texts, whose entities the examples point at. Returns the expected (shape, focus) pairs."""
    examples = source.files(source.root / EXAMPLES, "*.ttl")
    if not examples or not copies:
        return []
    copy_through_jail(source, source.data_dir, out / "data", "*.ttl")
    for path in source.source_files():
        text = (texts / f"{path.stem}.txt") if texts else None
        if text is None or not os.path.lexists(text):
            raise UsageProblem(f"no text of {path.stem} in {texts}: the injected examples need the repository's "
                               "own documents (give --texts)")
        (out / "texts" / text.name).write_bytes(read_bytes(text))  # outside by design: a FIFO is refused
    (out / "data" / "injected").mkdir()
    expected = []
    for example in examples:
        original = read_bytes(example, source.root, source.shown(example)).decode("utf-8")
        for copy in range(copies):
            renamed = original.replace("fixture-", f"fixture-{copy}-{example.stem}-")
            (out / "data" / "injected" / f"{example.stem}-{copy}.ttl").write_text(renamed, encoding="utf-8")
            expected += EXPECT_LINE.findall(renamed)
    return expected


def copy_through_jail(source: lay.Layout, folder: Path, target: Path, pattern: str = "*") -> None:
    """Copy the files of ``folder`` named ``pattern`` as the layout's walker lists them and the jail
    reads them: no link out of the repository is followed, no FIFO or device opened."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.files(folder, pattern, recursive=True):
        copied = target / path.relative_to(folder)
        copied.parent.mkdir(parents=True, exist_ok=True)
        copied.write_bytes(read_bytes(path, source.root, source.shown(path)))


class Summary(TypedDict):
    """What synth wrote, as OUT/expected-violations.json says it."""

    documents: int
    seed: int
    violations_per_kind: int
    expected: list[dict[str, str]]  # each injected violation: its shape and focus node


def generate(source_root: Path, out: Path, documents: int, violations: int = 0, seed: int = 1,
             texts: Path | None = None) -> Summary:
    """Write a repository at OUT: the ontology, shapes and queries of SOURCE_ROOT, synthetic data,
    the texts its quotes come from (OUT/texts), and OUT/expected-violations.json. With
    ``violations`` K, K violations of each kind below in the synthetic documents, and K copies of
    each of the repository's counter-examples, so that every data shape has violations to find."""
    if documents < 1:
        raise UsageProblem("synth needs at least one document")
    if violations and documents < violations * len(VIOLATIONS):
        raise UsageProblem(f"{violations} violation(s) of {len(VIOLATIONS)} kinds need at least "
                           f"{violations * len(VIOLATIONS)} documents")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageProblem(f"{out}: not a folder; synth writes a new repository into a new or empty folder")
    if out.exists() and any(out.iterdir()):
        raise UsageProblem(f"{out}: not empty; synth writes a new repository")
    source = lay.Layout.at(source_root)
    rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible from its seed: no secret)
    for name in ("ontology", "shapes", "queries"):
        copy_through_jail(source, source.root / name, out / name)
    (out / "data" / "sources").mkdir(parents=True)
    (out / "texts").mkdir()
    pools = Pools.sized(documents)
    # not reference.ttl: with injected examples, the repository's own reference graph comes too
    (out / "data" / "synthetic-reference.ttl").write_text(reference(pools, rng, source.vocabulary), encoding="utf-8")
    injections = [kind for kind, _ in VIOLATIONS for _ in range(violations)]
    expected = []
    for number in range(documents):
        inject = injections[number] if number < len(injections) else None
        document = Document(number, pools, rng, source.vocabulary)
        if number == 0:
            group_links(document, pools)
        turtle, text, found = document.build(inject)
        doc_id = f"synth_{number:06d}"
        (out / "data" / "sources" / f"{doc_id}.ttl").write_text(turtle, encoding="utf-8")
        (out / "texts" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        expected += found
    expected += inject_examples(source, out, violations, texts)
    summary: Summary = {"documents": documents, "seed": seed, "violations_per_kind": violations,
                        "expected": [{"shape": shape, "focus": focus} for shape, focus in expected]}
    (out / "expected-violations.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary
