"""The landing page of `serve`: the stored queries with their summaries, and a form for SPARQL."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from coalition_kg.query.catalogue import StoredQuery
from coalition_kg.rdf.namespaces import SKOS
from coalition_kg.serve.workers import Limits

EXAMPLE = f"""PREFIX skos: <{SKOS}>
SELECT ?entity ?label WHERE {{ ?entity skos:prefLabel ?label }} ORDER BY ?label LIMIT 20"""

STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:auto;padding:1rem;color:#222}
textarea{width:100%;font:14px monospace}code{background:#f3f3f3;padding:0 .2em}
li{margin:.4em 0}.tags{color:#666;font-size:90%}"""


def page(catalogue: dict[str, StoredQuery], limits: Limits, pages: bool = False) -> bytes:
    items = []
    for name, query in sorted(catalogue.items()):
        example = query.example_values()
        link = f"/queries/{name}.csv" + (f"?{urlencode(example)}" if example else "")
        params = ", ".join(f"<code>{escape(p.name)}</code> ({escape(' | '.join(p.allowed) or p.type)}"
                           f"{', repeatable' if p.multiple else ''})" for p in query.params)
        items.append(
            f'<li><a href="{escape(link)}"><strong>{escape(name)}</strong></a> — {escape(query.summary)}'
            + (f"<br>parameters: {params}" if params else "")
            + (f'<br><span class="tags">{escape(", ".join(query.tags))}</span>' if query.tags else "") + "</li>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>coalition-kg</title><style>{STYLE}</style></head><body>
<h1>coalition-kg</h1>
<p>A knowledge graph of the diplomacy around the Global Coalition to Defeat ISIS. Every fact names its
source document and quotes it.</p>
{'<p>Browse it: <a href="/index.html">the pages</a> of every entity, meeting and source document. Each IRI '
 '(<code>/id/…</code>) answers with HTML, Turtle or JSON-LD by the Accept header.</p>' if pages else ''}
<h2>Stored queries</h2>
<p>Each is a REST operation: <code>/queries/NAME?param=value</code>, JSON or CSV by the Accept header
(or <code>.json</code>/<code>.csv</code> after the name). Described in <a href="/openapi.json">OpenAPI</a>.</p>
<ul>{"".join(items)}</ul>
<h2>SPARQL</h2>
<p>The SPARQL 1.1 Protocol endpoint is <code>/sparql</code> (GET or POST, read-only). The default graph is the
union of every graph; <code>GRAPH ?g</code> tells which source said what. Queries stop after
{limits.seconds:g} s and answers are capped at {limits.rows} rows and {limits.bytes} bytes.</p>
<form action="/sparql" method="get">
<textarea name="query" rows="8">{escape(EXAMPLE)}</textarea>
<p><label>format <select name="format"><option>csv</option><option>json</option><option>xml</option>
<option>tsv</option><option>turtle</option><option>jsonld</option></select></label>
<button type="submit">Run</button></p></form>
</body></html>
""".encode()
