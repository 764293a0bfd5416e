"""The static site's URL scheme: where each IRI's page and data files sit in the site folder, the
relative links between pages, and the .htaccess (with a type map per IRI) that serves an IRI's HTML,
Turtle or JSON-LD by Accept.

An IRI under the base maps to a file path that keeps its own path and adds an extension:
``…/id/morocco`` -> ``id/morocco.html`` (+ ``.ttl``, ``.jsonld``), ``…/source/<doc-id>`` ->
``source/<doc-id>.html``, ``…/graph/<name>`` -> ``graph/<name>.html``, ``…/ontology#Term`` ->
``ontology.html#Term``. Keeping the path means a rewrite rule can negotiate ``/id/morocco`` by
adding an extension, and a slug with a ``/`` in it (``id/003_…/niamey-co-chair-italy``) is a file in
a folder. Every link is relative, so the site works from any folder and from ``file://``."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, urlsplit

from coalition_kg.errors import UsageProblem
from coalition_kg.rdf.formats import JSON_LD, TURTLE
from coalition_kg.repository.vocabulary import UNDER_BASE, Vocabulary

# The kinds of IRI that have pages of their own, each a folder of the site: the base's id/, source/, graph/.
PAGE_FOLDERS = tuple(UNDER_BASE[prefix].rstrip("/") for prefix in ("id", "src", "graph"))
ENTITY_FOLDERS = PAGE_FOLDERS[:2]  # typed IRIs there are entities, with pages of their own
# Not a folder: Apache (mod_dir) would answer /ontology with a redirect to /ontology/ before any rewrite.
ONTOLOGY_PAGE = "ontology.html"
ONTOLOGY_FILES = "ontology"  # + .ttl, .jsonld
# A slug that can be a file path on any system and a rewrite target: no dot (so no "..", and no
# extension of its own), no empty segment, no character a URL would have to escape.
SAFE_SLUG = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")
MAX_SLUG = 200


def page_stem(iri: str, base: str) -> str | None:
    """The site path of an IRI's page without its extension (``id/morocco``), or None if the IRI
    gets no page of its own (outside the base, a hash IRI, or a slug that cannot be a file)."""
    if not iri.startswith(base):
        return None
    folder, _, slug = iri[len(base):].partition("/")
    if folder not in PAGE_FOLDERS or len(slug) > MAX_SLUG or not SAFE_SLUG.fullmatch(slug):
        return None
    return f"{folder}/{slug}"


def known_stem(iri: str, base: str) -> str:
    """``page_stem`` of an IRI the site gives a page (SiteGraph.entities() and graphs() keep only those)."""
    stem = page_stem(iri, base)
    if stem is None:
        raise ValueError(f"{iri} has no page")
    return stem


def ontology_anchor(iri: str, vocabulary: Vocabulary) -> str | None:
    """``ontology.html#Term`` for a term of our ontology, else None."""
    namespace = vocabulary.ontology
    if iri.startswith(namespace) and len(iri) > len(namespace):
        return f"{ONTOLOGY_PAGE}#{anchor_id(iri[len(namespace):])}"
    if iri == vocabulary.ontology_iri:
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


# Each IRI's representations, by media type: the site file's extension (after its stem) and the
# source quality (qs) that Apache's negotiation multiplies the client's q by. They differ by the least
# step Apache reads (0.001), so the client's q decides, and a tie (``*/*``, no Accept) goes to HTML,
# then Turtle, rather than to the smallest file.
VARIANTS = (("text/html; charset=utf-8", ".html", "1"), (f"{TURTLE.media_type}; charset=utf-8", TURTLE.suffix, "0.999"),
            (JSON_LD.media_type, JSON_LD.suffix, "0.998"))
PAGE_FORMATS = (TURTLE, JSON_LD)  # the RDF files beside each page, in this order


def page_files(stem: str) -> tuple[str, ...]:
    """The site paths of a page's RDF files (``id/morocco`` -> ``id/morocco.ttl``, ``id/morocco.jsonld``)."""
    return tuple(stem + rdf_format.suffix for rdf_format in PAGE_FORMATS)


TYPE_MAP = ".var"


def type_map(stem: str) -> tuple[str, str]:
    """(site path, text) of the mod_negotiation type map of a page stem (``id/morocco`` ->
    ``id/morocco.var``; ``ontology`` -> ``ontology.var``), listing its HTML, Turtle and JSON-LD files."""
    name = posixpath.basename(stem)
    entries = []
    for media_type, extension, quality in VARIANTS:
        file = name + extension
        entries.append(f"URI: {file}\nContent-Type: {media_type}; qs={quality}\n")
    return stem + TYPE_MAP, "\n".join(entries)


def htaccess(base: str) -> str:
    """The site's own .htaccess: each IRI (``id/morocco``) is rewritten in place to its type map
    (``id/morocco.var``), and mod_negotiation picks the HTML, Turtle or JSON-LD file by the Accept
    header's q-values, answering Vary: Accept (and 406 if none is acceptable). Only directives that
    ``AllowOverride FileInfo`` allows (no Options: mod_rewrite needs FollowSymLinks, Apache's default),
    and no redirect, so it serves the same wherever the folder is published. The w3id.org side (the
    IRIs' base redirecting to where the site is) is another file: see ``w3id_htaccess``."""
    folders = "|".join(PAGE_FOLDERS)
    lines = [
        f"# coalition-kg: content negotiation for the IRIs under {base}",
        "# /id/x, /source/x, /graph/x and /ontology are answered from their type maps (x.var) by Accept, q-values",
        "# honoured: HTML, Turtle or JSON-LD. Needs mod_rewrite, mod_negotiation, mod_mime and AllowOverride FileInfo.",
        *(f"AddType {rdf_format.media_type} {rdf_format.suffix}" for rdf_format in PAGE_FORMATS),
        "AddType text/html .html",
        f"AddCharset utf-8 .html {TURTLE.suffix}",
        f"AddHandler type-map {TYPE_MAP}",
        "RewriteEngine on",
        # a slug has no dot, so a rewritten path (x.var, x.ttl…) never matches again: no loop
        f"RewriteRule ^({folders})/([A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*)$ $1/$2{TYPE_MAP} [L]",
        f"RewriteRule ^ontology/?$ ontology{TYPE_MAP} [L]",
        "",
    ]
    return "\n".join(lines)


def w3id_htaccess(site_url: str, base: str) -> str:
    """The .htaccess for the IRIs' own base in the w3id.org repository (its folder for
    ``coalition-kg``): every IRI answers 303 See Other to the same path where the site is published,
    whose own .htaccess then negotiates the representation. Not used by the site itself."""
    target = check_base_url(site_url).rstrip("/") + "/"
    escaped = target.replace("%", "\\%")  # in a RewriteRule's target %N is a RewriteCond back-reference
    return "\n".join([
        f"# w3id.org: {base} -> {target}",
        f"# Put this file in the w3id.org repository as coalition-kg/.htaccess; the site at {target} negotiates.",
        "RewriteEngine on",
        f"RewriteRule ^(.*)$ {escaped}$1 [R=303,L]",
        "",
    ])
