"""The static site's URL scheme: where each IRI's page and data files sit in the site folder, the
relative links between pages, and the .htaccess that serves an IRI's HTML, Turtle or JSON-LD.

An IRI under the base maps to a file path that keeps its own path and adds an extension:
``…/id/morocco`` -> ``id/morocco.html`` (+ ``.ttl``, ``.jsonld``), ``…/source/<doc-id>`` ->
``source/<doc-id>.html``, ``…/graph/<name>`` -> ``graph/<name>.html``, ``…/ontology#Term`` ->
``ontology/index.html#Term``. Keeping the path means a rewrite rule can negotiate ``/id/morocco`` by
adding an extension, and a slug with a ``/`` in it (``id/003_…/niamey-co-chair-italy``) is a file in
a folder. Every link is relative, so the site works from any folder and from ``file://``."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, urlsplit

from . import layout as lay
from .errors import UsageProblem

# The kinds of IRI that have pages of their own, each a folder of the site.
PAGE_FOLDERS = ("id", "source", "graph")
ONTOLOGY_PAGE = "ontology/index.html"
ONTOLOGY_FILES = "ontology/coalition-kg"  # + .ttl, .jsonld
# A slug that can be a file path on any system and a rewrite target: no dot (so no "..", and no
# extension of its own), no empty segment, no character a URL would have to escape.
SAFE_SLUG = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")
MAX_SLUG = 200


def page_stem(iri: str, base: str = lay.BASE) -> str | None:
    """The site path of an IRI's page without its extension (``id/morocco``), or None if the IRI
    gets no page of its own (outside the base, a hash IRI, or a slug that cannot be a file)."""
    if not iri.startswith(base):
        return None
    folder, _, slug = iri[len(base):].partition("/")
    if folder not in PAGE_FOLDERS or len(slug) > MAX_SLUG or not SAFE_SLUG.fullmatch(slug):
        return None
    return f"{folder}/{slug}"


def ontology_anchor(iri: str) -> str | None:
    """``ontology/index.html#Term`` for a term of our ontology, else None."""
    if iri.startswith(lay.ONTOLOGY_NS) and len(iri) > len(lay.ONTOLOGY_NS):
        return f"{ONTOLOGY_PAGE}#{anchor_id(iri[len(lay.ONTOLOGY_NS):])}"
    if iri == lay.BASE + "ontology":
        return ONTOLOGY_PAGE
    return None


def anchor_id(name: str) -> str:
    """An HTML id for a local name: the name itself where it is plain, as our terms' names are."""
    return name if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", name) else "t-" + quote(name, safe="").replace("%", "_")


def href(from_page: str, target: str) -> str:
    """The relative link from one site file to another (both site paths, the target maybe with a
    #fragment), escaped for a URL."""
    path, hash_, fragment = target.partition("#")
    relative = posixpath.relpath(path, posixpath.dirname(from_page) or ".")
    return quote(relative, safe="/") + (hash_ + quote(fragment, safe="") if hash_ else "")


# Every character RFC 3986 allows in a URI (unreserved, reserved, and % for percent-escapes), but "$":
# in a RewriteRule's target "$1" is a back-reference. No space, control character or non-ASCII.
_URI_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!&'()*+,;=%]+")


def check_base_url(url: str) -> str:
    """``url`` if it is a plain absolute http(s) URL that can be a redirect target in .htaccess (it is
    written there verbatim): parsed by urllib.parse, every character one RFC 3986 allows, a host, no
    user name, query or fragment; anything else is refused (a newline would start a directive)."""
    def refuse(why: str) -> UsageProblem:
        return UsageProblem(f"--base-url {url!r}: {why}; give a plain http:// or https:// URL such as "
                            "https://example.org/coalition-kg/")

    if not _URI_CHARACTERS.fullmatch(url):
        raise refuse("holds a character a URL may not (a space, a control character, a non-ASCII letter, $)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError as error:
        raise refuse(f"not a URL ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise refuse("not an http:// or https:// URL")
    if not parts.hostname or "@" in parts.netloc:
        raise refuse("no host, or a user name before it")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise refuse("a query or fragment: the site's paths are appended to it")
    if re.search(r"%(?![0-9A-Fa-f]{2})", url):
        raise refuse("a % that is not a percent-escape")
    return url


def htaccess(redirect_base: str | None) -> str:
    """Rewrite rules in the style of w3id.org: each IRI's Turtle, JSON-LD or (by default) HTML by the
    Accept header. With ``redirect_base`` (where the site is published) they answer 303 See Other to
    the file there, as w3id.org's own redirects do; without it they serve the file in place, for a
    site published at the IRIs' own base."""
    target = check_base_url(redirect_base).rstrip("/") + "/" if redirect_base else ""
    flags = "[R=303,L]" if redirect_base else "[L]"
    turtle = "RewriteCond %{HTTP_ACCEPT} text/turtle"
    jsonld = r"RewriteCond %{HTTP_ACCEPT} application/ld\+json"
    lines = [
        f"# coalition-kg: content negotiation for the IRIs under {lay.BASE}",
        "# Turtle for Accept: text/turtle, JSON-LD for Accept: application/ld+json, HTML otherwise.",
        "Options +FollowSymLinks",
        "AddType text/turtle .ttl",
        "AddType application/ld+json .jsonld",
        "AddType text/html .html",
        "<IfModule mod_headers.c>",
        '  Header append Vary "Accept"',
        "</IfModule>",
        "RewriteEngine on",
        "",
    ]
    for folder in PAGE_FOLDERS:  # a slug has no dot, so a rewritten path never matches again
        pattern = f"^{folder}/([A-Za-z0-9_/-]+)$"
        lines += [f"# /{folder}/…",
                  turtle, f"RewriteRule {pattern} {target}{folder}/$1.ttl {flags}",
                  jsonld, f"RewriteRule {pattern} {target}{folder}/$1.jsonld {flags}",
                  f"RewriteRule {pattern} {target}{folder}/$1.html {flags}", ""]
    pattern = "^ontology/?$"
    lines += ["# /ontology (its terms are ontology#Term)",
              turtle, f"RewriteRule {pattern} {target}{ONTOLOGY_FILES}.ttl {flags}",
              jsonld, f"RewriteRule {pattern} {target}{ONTOLOGY_FILES}.jsonld {flags}",
              f"RewriteRule {pattern} {target}{ONTOLOGY_PAGE} {flags}", ""]
    if redirect_base:  # the site's other files (index, style sheet, timeline) are there too
        lines += ["# everything else", f"RewriteRule ^(.*)$ {target}$1 [R=302,L]", ""]
    return "\n".join(lines)
