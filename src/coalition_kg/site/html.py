"""The static site's HTML frame and shared pieces: the page shell with its navigation, the style
sheet, and values written for people (dates at the precision the source gives)."""

from __future__ import annotations

import re
from html import escape

import pyoxigraph as ox

from coalition_kg.rdf.namespaces import XSD
from coalition_kg.site.paths import PAGE_FORMATS, href

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
STYLESHEET = "style.css"
FAVICON = "favicon.svg"  # declared on every page, so that no browser asks for a missing /favicon.ico
FAVICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" \
fill="#1f5f99"/><circle cx="11" cy="11" r="4" fill="#fff"/><circle cx="22" cy="21" r="4" fill="#fff"/>\
<path d="M11 11 22 21" stroke="#fff" stroke-width="2"/></svg>
"""

# The navigation on every page: (site path, text).
NAVIGATION = (
    ("index.html", "Home"), ("meetings.html", "Meetings"), ("timeline.html", "Timeline"), ("states.html", "States"),
    ("organizations.html", "Organizations"), ("persons.html", "Persons"), ("documents.html", "Documents"),
    ("ontology.html", "Ontology"),
)

CSS = """/* coalition-kg static site: plain CSS, system fonts, no outside resources. */
:root { --ink: #1d232b; --muted: #5b6470; --line: #d8dde3; --paper: #fff; --tint: #f4f6f8; --accent: #1f5f99;
  --quote: #8a5a00; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --ink: #e4e8ec; --muted: #a3adb8; --line: #3a424c; --paper: #15191e; --tint: #1e242b; --accent: #8cc4ff;
    --quote: #f0c060; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--paper); color: var(--ink);
  font: 1rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
a { color: var(--accent); text-underline-offset: .15em; }
a:hover { text-decoration-thickness: 2px; }
header.site { background: var(--tint); border-bottom: 1px solid var(--line); }
header.site nav { max-width: 68rem; margin: auto; padding: .5rem 1rem; display: flex; flex-wrap: wrap;
  gap: .1rem .9rem; font-size: .95rem; }
header.site nav a { text-decoration: none; white-space: nowrap; padding: .2rem 0; }
header.site nav a.home { font-weight: 700; color: var(--ink); margin-right: auto; }
main { max-width: 68rem; margin: auto; padding: 1rem 1rem 3rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: .6rem 0 .4rem; overflow-wrap: break-word; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
p { margin: .4rem 0; }
code, .iri { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .88em;
  overflow-wrap: anywhere; }
.lede { color: var(--muted); margin: 0 0 .3rem; }
.types a, .types span { display: inline-block; background: var(--tint); border: 1px solid var(--line);
  border-radius: 1rem; padding: 0 .6rem; margin: 0 .3rem .3rem 0; font-size: .85rem; text-decoration: none; }
.downloads { font-size: .9rem; color: var(--muted); }
ul.facts, ul.plain { list-style: none; padding: 0; margin: 0; }
li.fact { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px;
  padding: .6rem .8rem; margin: 0 0 .7rem; background: var(--paper); }
li.fact .claim { font-weight: 600; margin: 0; }
li.fact .claim a { text-decoration-color: color-mix(in srgb, currentColor 35%, transparent); }
li.fact .claim .sep { color: var(--muted); font-weight: 400; padding: 0 .15em; }
.meta { font-size: .88rem; color: var(--muted); margin: .25rem 0 0; }
.meta time { color: var(--ink); font-weight: 600; }
blockquote { margin: .5rem 0 0; padding: .35rem .8rem; border-left: 3px solid var(--quote); background: var(--tint);
  font-style: italic; overflow-wrap: break-word; }
blockquote .context { color: var(--muted); }
.note { font-size: .9rem; color: var(--muted); margin: .45rem 0 0; }
.note::before { content: "Note: "; font-weight: 600; }
dl.statements { display: grid; grid-template-columns: minmax(8rem, 14rem) 1fr; gap: .35rem 1.2rem; margin: 0; }
dl.statements dt { font-weight: 600; color: var(--muted); overflow-wrap: break-word; }
dl.statements dt a { color: inherit; text-decoration-style: dotted; text-decoration-thickness: 1px;
  text-decoration-color: color-mix(in srgb, currentColor 45%, transparent); }
.glance { margin: .2rem 0; font-size: 1.05rem; }
.glance time { font-weight: 700; }
dl.statements dd { margin: 0; overflow-wrap: anywhere; }
dl.statements dd + dd { grid-column: 2; }
.from { font-size: .8rem; color: var(--muted); white-space: nowrap; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35rem .6rem .35rem 0; border-bottom: 1px solid var(--line); }
th { font-size: .85rem; color: var(--muted); }
td time { white-space: nowrap; }
/* break-word, not anywhere: a column is as wide as its longest word, so names wrap between words */
td { overflow-wrap: break-word; }
h2 a { text-decoration-thickness: 1px; }
ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
ol.timeline li { position: relative; padding: 0 0 1rem 1.1rem; }
ol.timeline li::before { content: ""; position: absolute; left: -.5rem; top: .45rem; width: .7rem; height: .7rem;
  border-radius: 50%; background: var(--accent); }
ol.timeline time { display: block; font-weight: 700; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .8rem; padding: 0;
  list-style: none; }
.cards li { border: 1px solid var(--line); border-radius: 6px; padding: .7rem .9rem; }
.cards a { font-weight: 600; }
ul.names { display: flex; flex-wrap: wrap; gap: .45rem .5rem; list-style: none; padding: 0; margin: 0; }
ul.names li { border: 1px solid var(--line); border-radius: 1rem; padding: .1rem .7rem; }
details { margin: 1rem 0; }
ol.sentences li { margin: 0 0 .6rem; padding-left: .5rem; border-left: 4px solid var(--line); }
ol.sentences li.covered-fact { border-left-color: var(--accent); }
ol.sentences li.covered-claim { border-left-color: var(--quote); }
ol.sentences li.covered-none { border-left-color: #b3261e; }
summary { cursor: pointer; color: var(--muted); }
section.term { border-top: 1px solid var(--line); padding-top: .4rem; }
h2 + section.term { border-top: 0; padding-top: 0; }
li.fact ul { margin: .3rem 0 0; padding-left: 1.2rem; }
.claim .types { margin-left: .4rem; font-weight: 400; }
footer.site { max-width: 68rem; margin: auto; padding: 1rem; font-size: .85rem; color: var(--muted);
  border-top: 1px solid var(--line); }
@media (max-width: 40rem) {
  header.site nav { padding: .35rem .8rem; gap: 0 .7rem; font-size: .9rem; }
  main { padding: .6rem .8rem 2rem; }
  h1 { font-size: 1.3rem; }
  h2 { margin-top: 1.5rem; }
  li.fact { padding: .5rem .6rem; }
  blockquote { padding: .3rem .6rem; }
  dl.statements { grid-template-columns: 1fr; gap: 0; }
  dl.statements dt { margin-top: .5rem; }
  dl.statements dd + dd { grid-column: 1; }
  th.optional, td.optional { display: none; }
}
"""


def page(path: str, title: str, body: str, alternates: tuple[str, ...] | None = None) -> str:
    """A whole HTML page at site path ``path``: its links are relative to it. ``alternates`` is the
    site paths of the page's RDF files (paths.page_files)."""
    links = [f'<link rel="stylesheet" href="{href(path, STYLESHEET)}">',
             f'<link rel="icon" type="image/svg+xml" href="{href(path, FAVICON)}">']
    if alternates:
        links += [f'<link rel="alternate" type="{rdf_format.media_type}" href="{href(path, alternate)}">'
                  for rdf_format, alternate in zip(PAGE_FORMATS, alternates, strict=True)]
    nav = "".join(f'<a{" class=home" if target == "index.html" else ""} href="{href(path, target)}">'
                  f'{"coalition-kg" if target == "index.html" else escape(text)}</a>' for target, text in NAVIGATION)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · coalition-kg</title>
{chr(10).join(links)}
</head>
<body>
<header class="site"><nav aria-label="site">{nav}</nav></header>
<main>
{body}
</main>
<footer class="site">coalition-kg: the diplomacy around the Global Coalition to Defeat ISIS, as its sources state it.
Every fact names its source document and quotes it.</footer>
</body>
</html>
"""


def link(path: str, target: str, text: str, cls: str = "") -> str:
    """<a> from the page at ``path`` to the site path ``target``."""
    return f'<a{f" class={cls!r}" if cls else ""} href="{href(path, target)}">{escape(text)}</a>'


def when(literal: ox.Literal) -> str:
    """A date as people write it, at the precision the source gives: 1 March 2023, May 2022, 2021."""
    text = literal.value
    kind = literal.datatype.value[len(XSD):] if literal.datatype.value.startswith(XSD) else ""
    match = re.fullmatch(r"(-?\d{4,})(?:-(\d\d))?(?:-(\d\d))?(T.*)?", text)
    if not match or kind not in ("date", "gYearMonth", "gYear", "dateTime"):
        return text
    year, month, day, rest = match.groups()
    if month and not 1 <= int(month) <= 12:
        return text
    words = [str(int(day))] if day else []
    words += [MONTHS[int(month) - 1]] if month else []
    words.append(year)
    shown = " ".join(words)
    return shown + (f", {rest[1:]}" if rest else "")


def time_element(literal: ox.Literal) -> str:
    return f'<time datetime="{escape(literal.value)}">{escape(when(literal))}</time>'


def is_date(literal: ox.Literal) -> bool:
    return literal.datatype.value in (XSD + "date", XSD + "gYearMonth", XSD + "gYear", XSD + "dateTime")


def literal_html(literal: ox.Literal) -> str:
    if is_date(literal):
        return time_element(literal)
    return escape(literal.value)
