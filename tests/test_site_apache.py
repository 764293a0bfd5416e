"""The static site served by a real Apache httpd (Debian's apache2, started here on 127.0.0.1), as a
host would publish it: under ``AllowOverride FileInfo`` (what shared hosts allow) and ``All``, at the
IRIs' own paths and at the --base-url it was built for. Every IRI answers HTML, Turtle and JSON-LD
with the right file, q-values decide, nothing redirects (no loop), and the w3id.org-side file
redirects each IRI to the site, where it is negotiated."""

from __future__ import annotations

import http.client
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from coalition_kg.site.generate import W3ID_HTACCESS, build_site
from coalition_kg.site.paths import PAGE_FOLDERS, TYPE_MAP

from .apache import APACHE, apache, readable_folder
from .servers import free_port
from .sitecheck import BASE

pytestmark = pytest.mark.servers

# Accept headers, and the file each must get (by its extension)
ACCEPTS = [
    ("text/turtle", ".ttl"),
    ("application/ld+json", ".jsonld"),
    ("text/html", ".html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ".html"),  # a browser
    ("*/*", ".html"),
    ("", ".html"),  # no Accept at all
    ("text/turtle;q=0.5, application/ld+json", ".jsonld"),  # q-values, not the first substring, decide
    ("application/ld+json;q=0.2, text/turtle;q=0.4, text/html;q=0.1", ".ttl"),
    ("text/html;q=0, */*", ".ttl"),  # HTML refused: one of the others (Turtle, the smaller file in a tie)
    ("text/html;q=0.1, text/turtle;q=0.3", ".ttl"),
]
MEDIA_TYPES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".html": "text/html"}


def iris(site: Path) -> dict[str, str]:
    """Every IRI the site negotiates, as its path under the site -> its files' stem (the type maps)."""
    found = {"ontology": "ontology"}
    for folder in PAGE_FOLDERS:
        for var in (site / folder).rglob("*" + TYPE_MAP):
            stem = var.relative_to(site).as_posix().removesuffix(TYPE_MAP)
            found[stem] = stem
    assert len(found) > 50
    return found


def get(connection: http.client.HTTPConnection, path: str, accept: str) -> http.client.HTTPResponse:
    headers = {"Accept": accept} if accept else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()
    return response


@pytest.fixture(scope="module")
def published(dataset):
    """A world-readable folder holding the site twice: at its root (built without --base-url) and at
    /kg/ (built for http://127.0.0.1:PORT/kg/), and the w3id.org-side file in /w3id/."""
    if not Path(APACHE).is_file():
        pytest.fail("Apache httpd is needed to serve the site: install Debian's package (apt-get install apache2); "
                    ".ci/run does")
    root, port = readable_folder(), free_port()
    base_url = f"http://127.0.0.1:{port}/kg/"
    build_site(dataset, root / "plain")
    build_site(dataset, root / "built")
    for item in (root / "plain").iterdir():  # the site at the document root
        shutil.move(str(item), root / item.name)
    (root / "plain").rmdir()
    build_site(dataset, root / "kg-new", base_url)
    shutil.rmtree(root / "built")
    (root / "kg-new").rename(root / "kg")
    (root / "w3id").mkdir()
    (root / "w3id" / ".htaccess").write_bytes((root / "kg" / W3ID_HTACCESS).read_bytes())
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    yield root, port
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("override", ["FileInfo", "All"])
def test_apache_serves_every_iri_in_each_media_type_by_q_values(published, override):
    root, port = published
    with apache(root, override, port) as (_url, error_log):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        wrong = []
        for prefix, site in (("/", root), ("/kg/", root / "kg")):
            for path, stem in iris(site).items():
                for accept, extension in ACCEPTS:
                    response = get(connection, prefix + path, accept)
                    expected = (site / (stem + extension)).read_bytes()
                    media_type = response.getheader("Content-Type", "").split(";")[0]
                    if (response.status, media_type, response.body) != (200, MEDIA_TYPES[extension], expected):
                        wrong.append(f"{prefix}{path} Accept {accept!r}: {response.status} {media_type} "
                                     f"{response.getheader('Location')}")
                    elif "accept" not in response.getheader("Vary", "").lower():
                        wrong.append(f"{prefix}{path}: no Vary: Accept")
        log = error_log.read_text(errors="replace")[-2000:]
        assert not wrong, f"{len(wrong)} wrong answers, e.g. {wrong[:5]}\n{log}"


@pytest.mark.parametrize("override", ["FileInfo", "All"])
def test_apache_answers_406_when_nothing_is_acceptable_and_serves_the_other_files(published, override):
    root, port = published
    with apache(root, override, port):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        assert get(connection, "/id/morocco", "image/png").status == 406
        for path in ("/", "/kg/", "/kg/style.css", "/kg/id/morocco.ttl", "/kg/timeline.html"):
            assert get(connection, path, "").status == 200, path
        assert get(connection, "/kg/id/no-such-thing", "text/turtle").status == 404


@pytest.mark.parametrize("override", ["FileInfo", "All"])
def test_the_w3id_side_redirects_each_iri_once_to_the_site_which_negotiates(published, override):
    root, port = published
    with apache(root, override, port):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for path in ("id/morocco", "source/003_73e3b687882f6e77", "graph/reference", "ontology"):
            response = get(connection, "/w3id/" + path, "text/turtle;q=0.5, application/ld+json")
            assert response.status == 303
            location = response.getheader("Location")
            assert location == f"http://127.0.0.1:{port}/kg/{path}"
            followed = get(connection, urlsplit(location).path, "text/turtle;q=0.5, application/ld+json")
            assert followed.status == 200  # no second redirect: the site negotiates in place
            assert followed.getheader("Content-Type").startswith("application/ld+json")
    assert BASE.endswith("/")
