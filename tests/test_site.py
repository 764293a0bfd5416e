"""`coalition-kg site`: the static linked-data site, crawled whole. No broken link or anchor, nothing
loaded from another host, no script; one page per entity with its Turtle and JSON-LD beside it, each
holding the entity's statements; the key pages say their key facts (worked out from the dataset with
the stored queries); the timeline is in date order; the .htaccess negotiates every IRI."""

from __future__ import annotations

import json
import os
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from coalition_kg.rdf.terms import rdflib_graph
from coalition_kg.repository.dataset import load
from coalition_kg.site.generate import MANIFEST, build_site

from .sitecheck import BASE, MARRAKECH, MOROCCO, NIAMEY, Expectations, Page, human_date, missing, normal

ALLOWED_LINK_HOSTS = {"w3id.org", "www.wikidata.org", "wikidata.org"}


@pytest.fixture(scope="module")
def site(tmp_path_factory, dataset) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(dataset, out)
    return out


@pytest.fixture(scope="module")
def pages(site) -> dict[str, Page]:
    return {p.relative_to(site).as_posix(): Page(p.read_text(encoding="utf-8")) for p in site.rglob("*.html")}


@pytest.fixture(scope="module")
def expect(dataset) -> Expectations:
    return Expectations(dataset)


def page_path(iri: str) -> str:
    return iri[len(BASE):] + ".html"


def resolve(page: str, reference: str) -> tuple[str, str]:
    """The site path and fragment a relative reference on a page points at."""
    parts = urlsplit(reference)
    path = unquote(parts.path)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
    return target, unquote(parts.fragment)


# -- the crawl


def test_every_link_resolves_to_a_file_and_every_anchor_exists(site, pages):
    broken = []
    for name, page in pages.items():
        for tag, attribute, value in page.refs:
            parts = urlsplit(value)
            if parts.scheme or value.startswith("//"):
                continue  # checked below
            target, fragment = resolve(name, value)
            if target.startswith("../") or not (site / target).is_file():
                broken.append(f"{name}: <{tag} {attribute}={value!r}> -> {target}")
            elif fragment and target.endswith(".html") and fragment not in pages[target].ids:
                broken.append(f"{name}: <{tag} {attribute}={value!r}>: no id {fragment!r} in {target}")
    assert not broken, "\n".join(broken[:20])


def test_every_page_is_reachable_from_the_home_page(site, pages):
    seen, todo = {"index.html"}, ["index.html"]
    while todo:
        name = todo.pop()
        for _, _, value in pages[name].refs:
            if not urlsplit(value).scheme:
                target, _ = resolve(name, value)
                if target.endswith(".html") and target not in seen and target in pages:
                    seen.add(target)
                    todo.append(target)
    assert set(pages) - seen == set()


def test_nothing_is_loaded_from_another_host_and_there_is_no_script(site, pages):
    problems = []
    for name, page in pages.items():
        if "script" in page.tags or any(t in page.tags for t in ("iframe", "object", "embed")):
            problems.append(f"{name}: has a script or an embedded object")
        for tag, attribute, value in page.refs:
            parts = urlsplit(value)
            if not (parts.scheme or value.startswith("//")):
                continue
            if tag != "a":
                problems.append(f"{name}: <{tag} {attribute}={value!r}> loads from outside")
            elif parts.scheme not in ("http", "https") or parts.hostname not in ALLOWED_LINK_HOSTS:
                problems.append(f"{name}: link to {value!r}")
        for style in page.styles:
            if "@import" in style or re.search(r"url\(", style):
                problems.append(f"{name}: a style loads something: {style[:80]!r}")
        for handler in ("onload", "onclick", "javascript:"):
            if handler in (site / name).read_text(encoding="utf-8"):
                problems.append(f"{name}: {handler}")
    css = "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.css"))
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    assert not problems, "\n".join(problems[:20])


def test_every_page_is_made_for_phones_and_wide_screens(site, pages):
    for name, page in pages.items():
        assert page.meta.get("viewport") == "width=device-width, initial-scale=1", name
        assert any(tag == "link" and value.endswith("style.css") for tag, _, value in page.refs), name
    css = (site / "style.css").read_text(encoding="utf-8")
    assert "@media (max-width" in css and "max-width: 68rem" in css


# -- entities and their data


def test_exactly_one_page_per_entity(site, pages, expect):
    rows = expect.select(f"""SELECT DISTINCT ?e WHERE {{ ?e a ?type .
        FILTER(isIRI(?e) && (STRSTARTS(STR(?e), "{BASE}id/") || STRSTARTS(STR(?e), "{BASE}source/"))) }}""")
    entities = {row["e"].value for row in rows}
    assert len(entities) > 50
    found = {BASE + name[: -len(".html")] for name in pages if name.startswith(("id/", "source/"))}
    assert found == entities


def test_each_entity_has_its_turtle_and_json_ld_beside_its_page(site, expect):
    checked = 0
    for row in expect.select(f'SELECT DISTINCT ?e WHERE {{ ?e a ?t FILTER(STRSTARTS(STR(?e), "{BASE}id/")) }}'):
        iri = row["e"].value
        stem = site / iri[len(BASE):]
        expected = rdflib_graph(_construct(expect, iri))
        turtle = list(ox.parse(path=str(stem.with_suffix(".ttl")), format=ox.RdfFormat.TURTLE))
        jsonld = list(ox.parse(path=str(stem.with_suffix(".jsonld")), format=ox.RdfFormat.JSON_LD))
        assert isomorphic(rdflib_graph(turtle), expected), iri
        assert isomorphic(rdflib_graph(jsonld), expected), iri
        checked += 1
    assert checked > 50


def _construct(expect: Expectations, iri: str) -> list[ox.Triple]:
    """The entity's statements (with its blank nodes') and those pointing at it, over the data and the
    derived shortcuts (the ontology has nothing about entities)."""
    query = f"""CONSTRUCT {{ <{iri}> ?p ?o . ?o ?p2 ?o2 . ?s ?p3 <{iri}> }} WHERE {{
        {{ <{iri}> ?p ?o . OPTIONAL {{ ?o ?p2 ?o2 FILTER(isBlank(?o)) }} }} UNION {{ ?s ?p3 <{iri}> }} }}"""
    answer = expect.store.graph.query(query, use_default_graph_as_union=True)
    return list(answer)


def test_a_fact_iri_with_a_slash_gets_a_page_in_a_folder(site):
    assert (site / "id/003_73e3b687882f6e77/niamey-co-chair-italy.html").is_file()
    assert (site / "id/003_73e3b687882f6e77/niamey-co-chair-italy.ttl").is_file()


# -- what the key pages say


def test_the_niamey_plenary_page(pages, expect):
    page = pages[page_path(NIAMEY)]
    assert not missing(page.text, expect.meeting(NIAMEY))
    # the facts a reader comes for, spelled out
    for words in ("1 March 2023", "Niamey", "Morocco", "United States", "Italy", "Niger", "co-chair",
                  "It was co-chaired by Morocco, the United States (US), Italy, and Niger"):
        assert words in page.text
    assert "2023-03-01" in page.times


def test_the_marrakech_ministerial_page(pages, expect):
    page = pages[page_path(MARRAKECH)]
    assert not missing(page.text, expect.meeting(MARRAKECH))
    assert "11 May 2022" in page.text and "Marrakech" in page.text and "host" in page.text


def test_the_morocco_page(pages, expect):
    page = pages[page_path(MOROCCO)]
    wanted = expect.agent(MOROCCO)
    assert len(wanted) > 15
    assert not missing(page.text, wanted)
    assert "the Kingdom" in page.text  # its alias
    assert any(value == "http://www.wikidata.org/entity/Q1028" for _, _, value in page.refs)
    assert "outside the source documents" in page.text


@pytest.mark.parametrize("kind", ["meetings", "agents"])
def test_every_meeting_and_agent_page_says_its_facts(pages, expect, kind):
    if kind == "meetings":
        rows = expect.ask("meetings-in-date-order")
        found = {row["meeting"].value: missing(pages[page_path(row["meeting"].value)].text,
                                               expect.meeting(row["meeting"].value)) for row in rows}
    else:
        rows = expect.select("PREFIX prov: <http://www.w3.org/ns/prov#> SELECT DISTINCT ?a WHERE { ?f prov:agent ?a }")
        found = {row["a"].value: missing(pages[page_path(row["a"].value)].text, expect.agent(row["a"].value))
                 for row in rows}
    assert len(found) >= 4
    assert {iri: gaps for iri, gaps in found.items() if gaps} == {}


def test_each_source_page_lists_every_fact_drawn_from_it(pages, expect):
    for row in expect.ask("source-documents"):
        document = row["document"].value
        page = pages[page_path(document)]
        facts = expect.ask("facts-from-source", source=document)
        assert len(facts) > 5
        targets = {resolve(page_path(document), value)[0] for _, _, value in page.refs}
        for fact in facts:
            assert page_path(fact["fact"].value) in targets, fact["fact"].value
            assert not missing(page.text, expect.quotes(fact["fact"].value))


def test_dates_show_their_precision(pages, expect):
    rows = expect.ask("meetings-in-date-order")
    months = [row for row in rows if row["date"].datatype.value.endswith("gYearMonth")]
    assert months
    for row in months:
        page = pages[page_path(row["meeting"].value)]
        assert human_date(row["date"]) in page.text
        assert row["date"].value in page.times
        assert page.time_texts[row["date"].value] == {human_date(row["date"])}  # no day made up


def test_the_timeline_lists_the_meetings_in_date_order(pages, expect):
    rows = expect.ask("meetings-in-date-order")
    page = pages["timeline.html"]
    assert page.times == [row["date"].value for row in rows]
    text = page.text
    positions = [text.index(normal(row["label"].value)) for row in rows]
    assert positions == sorted(positions)


def test_the_ontology_page_has_an_anchor_for_every_term(pages, dataset):
    page = pages["ontology.html"]
    terms = {q.subject.value for q in dataset.quads(["https://w3id.org/coalition-kg/graph/ontology"])
             if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(BASE + "ontology#")}
    assert len(terms) > 60
    assert {t.rsplit("#", 1)[1] for t in terms} <= page.ids


def test_the_class_indexes(pages):
    for name in ("states", "persons", "organizations", "groups", "meetings", "posts", "roles", "documents"):
        assert f"{name}.html" in pages
    states = pages["states.html"].text
    for state in ("Morocco", "United States", "Italy", "Niger"):
        assert state in states


# -- content negotiation


def test_each_iri_has_a_type_map_of_its_three_files_and_the_htaccess_needs_only_fileinfo(site):
    """What Apache negotiates (tests/test_site_apache.py runs a real one): each IRI's type map names its
    HTML, Turtle and JSON-LD files, which exist; the .htaccess uses no directive ``AllowOverride
    FileInfo`` refuses (Options gave 500 on every URL) and redirects nowhere."""
    htaccess = (site / ".htaccess").read_text(encoding="utf-8")
    directives = {line.split()[0] for line in htaccess.splitlines() if line.strip() and not line.startswith("#")}
    assert directives <= {"AddType", "AddCharset", "AddHandler", "RewriteEngine", "RewriteRule"}
    assert "[R" not in htaccess
    for iri in (MOROCCO, NIAMEY, BASE + "id/003_73e3b687882f6e77/niamey-co-chair-italy",
                BASE + "source/003_73e3b687882f6e77", BASE + "graph/reference", BASE + "ontology"):
        stem = iri[len(BASE):]
        listed = re.findall(r"^URI: (\S+)$", (site / (stem + ".var")).read_text(encoding="utf-8"), re.MULTILINE)
        assert sorted(listed) == sorted(posixpath.basename(stem) + e for e in (".html", ".jsonld", ".ttl"))
        assert all((site / (stem + e)).is_file() for e in (".html", ".jsonld", ".ttl"))


def test_with_a_base_url_the_w3id_side_redirects_there_and_the_site_does_not(tmp_path, dataset, site):
    build_site(dataset, tmp_path / "site", "https://example.org/kg%20x/")
    assert (tmp_path / "site" / ".htaccess").read_bytes() == (site / ".htaccess").read_bytes()
    w3id = (tmp_path / "site" / "w3id.htaccess").read_text(encoding="utf-8")
    # a % in the target is escaped: %2 would be a RewriteCond back-reference
    assert "RewriteRule ^(.*)$ https://example.org/kg\\%20x/$1 [R=303,L]" in w3id
    assert not (site / "w3id.htaccess").exists()


# -- the command


def test_the_command_writes_a_site_and_rewrites_its_own(cli, tmp_path):
    out = tmp_path / "site"
    run = cli("site", str(out))
    assert run.code == 0, run.err
    assert re.match(r"site: \d+ pages \(\d+ entities\), \d+ files -> ", run.out)
    manifest = json.loads((out / MANIFEST).read_text())
    assert "id/morocco.html" in manifest["files"]
    (out / "id" / "morocco.html").write_text("stale")
    assert cli("site", str(out)).code == 0  # a site it wrote is replaced whole
    assert (out / "id" / "morocco.html").read_text() != "stale"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # nothing left beside it


def test_the_command_never_deletes_other_files(cli, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    run = cli("site", str(mine))
    assert run.code == 2 and "not empty" in run.err
    assert (mine / "notes.txt").read_text() == "keep"
    out = tmp_path / "site"
    assert cli("site", str(out)).code == 0
    (out / "notes.txt").write_text("keep")
    run = cli("site", str(out))
    assert run.code == 2 and "notes.txt" in run.err
    assert (out / "notes.txt").read_text() == "keep" and (out / "index.html").is_file()
    file = tmp_path / "file"
    file.write_text("x")
    assert cli("site", str(file)).code == 2 and file.read_text() == "x"
    assert cli("site", str(tmp_path / "other"), "--base-url", "ftp://x").code == 2


def test_a_site_folder_others_can_read(cli, tmp_path):
    out = tmp_path / "site"
    assert cli("site", str(out)).code == 0
    umask = os.umask(0o022)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~umask  # not mkdtemp's private 0700: a web server reads it


def test_names_from_the_data_are_text_not_markup(cli, repo_copy, tmp_path):
    with (repo_copy / "data" / "reference.ttl").open("a", encoding="utf-8") as file:
        file.write('\nid:evil a ckg:State ; rdfs:label "Evil <script>alert(1)</script> & \\"co\\""@en ;\n'
                   '    skos:prefLabel "Evil <script>alert(1)</script> & \\"co\\""@en ;\n'
                   '    skos:altLabel "<img src=x onerror=alert(1)>"@en .\n')
    out = tmp_path / "site"
    run = cli("--root", str(repo_copy), "site", str(out))
    assert run.code == 0, run.err
    page = Page((out / "id" / "evil.html").read_text(encoding="utf-8"))
    assert "script" not in page.tags and "img" not in page.tags
    assert 'Evil <script>alert(1)</script> & "co"' in page.text


def test_every_download_the_description_names_is_a_file_of_the_site(site):
    """The VoID/DCAT description the site publishes (export/void.ttl) names its downloads under
    …/export/: each is a file of the site at that path, and is the data it says it is."""
    description = ox.Store()
    description.load(path=str(site / "export" / "void.ttl"), format=ox.RdfFormat.TURTLE)
    urls = [row["u"].value for row in description.query(
        "SELECT DISTINCT ?u { { ?d <http://www.w3.org/ns/dcat#downloadURL> ?u } UNION "
        "{ ?d <http://rdfs.org/ns/void#dataDump> ?u } }")]
    assert len(urls) >= 6
    for url in urls:
        assert url.startswith(BASE + "export/")
        path = site / url[len(BASE):]
        assert path.is_file(), url
        if url.endswith(".nt"):
            assert list(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))


def test_no_page_names_a_source_by_its_placeholder_and_source_pages_say_publisher_place_and_date(pages, expect):
    """A source document is named for readers (publisher, place, date where the data has them), never
    as "Source document <id>", on every page."""
    placeholders = [path for path, page in pages.items() if re.search(r"Source document [0-9]{3}_", page.text)]
    assert not placeholders
    for path, page in pages.items():
        if path.startswith("source/"):
            source = BASE + path.removesuffix(".html")
            assert not missing(page.text, expect.source_names(source)), path
            assert not missing(pages["documents.html"].text, expect.source_names(source))


def test_where_the_sources_differ_is_on_the_page_of_what_they_differ_about(pages):
    # Computed by hand: document 000 gives 84 members with no date of its own (on or before the
    # 11 May 2022 meeting it announces), 003 gives 85 as of its publication, 2 March 2023. Those days
    # cannot overlap: a change over time, not a conflict. Nothing else is disputed.
    coalition = pages[page_path(BASE + "id/global-coalition-to-defeat-isis")].text
    section = coalition[coalition.index("Where the sources differ"):]
    assert "member count: 84 (on or before 2022-05-11)" in section
    assert "member count: 85 (2023-03-02)" in section
    assert section.count("— change over time") == 2 and "— conflict at the same time" not in section
    assert [p for p, page in pages.items() if "Where the sources differ" in page.text] == \
        [page_path(BASE + "id/global-coalition-to-defeat-isis")]


def test_a_repository_without_the_disagreements_query_has_no_such_section(repo_copy, tmp_path):
    (repo_copy / "queries" / "source-disagreements.rq").unlink()
    out = tmp_path / "site"
    build_site(load(repo_copy), out)
    assert "Where the sources differ" not in (out / "id" / "global-coalition-to-defeat-isis.html").read_text()
