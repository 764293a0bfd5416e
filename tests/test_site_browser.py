"""The static site in a real browser: Debian's Chromium, headless, renders the pages for Morocco, the
Marrakech ministerial and the Niamey plenary from a static file server on 127.0.0.1, at a phone's size
and a wide screen's. The rendered DOM must say the key facts; the screenshots are kept in
tests/artifacts/screenshots/ for a person to look at; and every request the page made went to the
server, for a file that exists (Chromium's own NetLog shows it)."""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from coalition_kg.site.generate import build_site

from .sitecheck import BASE, MARRAKECH, MOROCCO, NIAMEY, Expectations, Page, missing

pytestmark = pytest.mark.browser  # headless Chromium renders each page

SCREENSHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"
SIZES = {"phone": (390, 844), "wide": (1400, 900)}
PAGES = {"morocco": MOROCCO, "marrakech-ministerial": MARRAKECH, "niamey-plenary": NIAMEY}
TABLE_PAGES = ("meetings.html", "states.html", "documents.html", "timeline.html")  # pages with tables
# Added to a copy of a page (the site has no script): every word of every visible table cell, split at
# spaces and hyphens, must lie on one line, and nothing may reach past the 390 px. Headless Chromium
# lays --dump-dom out at least 500 px wide whatever --window-size says, so the page itself is held to
# 390 px (both widths are under the style sheet's 40rem phone breakpoint, so the same rules apply).
WORD_CHECK = """<script>
addEventListener('load', () => {
  document.documentElement.style.width = '390px';
  const broken = [];
  for (const cell of document.querySelectorAll('td, th')) {
    if (cell.offsetParent === null) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode()); ) {
      for (const m of node.data.matchAll(/[^\\s\\u2010-]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) broken.push(m[0]);
      }
    }
  }
  const out = document.createElement('pre');
  out.id = 'wordcheck';
  const right = Math.max(...[...document.querySelectorAll('main *')].map(e => e.getBoundingClientRect().right));
  const width = document.documentElement.getBoundingClientRect().width;
  out.textContent = JSON.stringify({broken, width, page: Math.ceil(right)});
  document.body.append(out);
});
</script>"""
# Known to work here: without the background-networking flags Chromium's own connections (updates,
# accounts) are refused by the closed network and slow it down.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.fail("Chromium is needed to render the site: install Debian's package (apt-get install chromium); "
                    ".ci/run does")
    return path


class Recorder(SimpleHTTPRequestHandler):
    """Serves the site folder and records each request's client and path."""

    def __init__(self, *args, log: list, **kwargs):
        self.log = log
        super().__init__(*args, **kwargs)

    def log_message(self, format, *args):  # noqa: A002 (the name the base class gives it)
        pass

    def send_head(self):
        self.log.append((self.client_address[0], self.path))
        return super().send_head()


@pytest.fixture(scope="module")
def served(tmp_path_factory, dataset):
    """The site, built and served on 127.0.0.1 at a free port; stopped when the module's tests end."""
    site = tmp_path_factory.mktemp("browser") / "site"
    build_site(dataset, site)
    log: list[tuple[str, str]] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Recorder, directory=str(site), log=log))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def run_chromium(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    return done


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def expect(dataset) -> Expectations:
    return Expectations(dataset)


@pytest.mark.parametrize("name", PAGES)
def test_the_rendered_page_says_its_key_facts(chromium, served, expect, tmp_path, name):
    _site, root, _ = served
    iri = PAGES[name]
    url = root + iri[len(BASE):] + ".html"
    dom = run_chromium(chromium, tmp_path / "profile", "--window-size=390,844", "--dump-dom", url).stdout.decode()
    text = Page(dom).text
    wanted = expect.agent(iri) if iri == MOROCCO else expect.meeting(iri)
    assert not missing(text, wanted), url
    if iri == NIAMEY:
        assert "It was co-chaired by Morocco, the United States (US), Italy, and Niger" in text
        assert "1 March 2023" in text


@pytest.mark.servers
@pytest.mark.parametrize("page", TABLE_PAGES)
def test_tables_read_well_on_a_phone_no_word_broken_and_nothing_wider_than_the_screen(chromium, served, tmp_path,
                                                                                       page):
    site, root, _ = served
    copy = f"_wordcheck-{page}"
    (site / copy).write_text((site / page).read_text(encoding="utf-8").replace("</body>", WORD_CHECK + "</body>"),
                             encoding="utf-8")
    try:
        dom = run_chromium(chromium, tmp_path / "profile", "--window-size=390,844", "--virtual-time-budget=3000",
                           "--dump-dom", root + copy).stdout.decode()
    finally:
        (site / copy).unlink()
    found = re.search(r'<pre id="wordcheck">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-500:]
    check = json.loads(html.unescape(found.group(1)))
    assert check["width"] == 390
    assert check["broken"] == [], f"{page}: words broken across lines at 390 px: {check['broken'][:10]}"
    assert check["page"] <= check["width"], f"{page}: {check['page']} px wide in a 390 px window"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", [*PAGES, "meetings"])
def test_screenshots_at_a_phone_and_a_wide_size(chromium, served, tmp_path, name, size):
    _, root, _ = served
    width, height = SIZES[size]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}-{size}-{width}x{height}.png"
    shot.unlink(missing_ok=True)
    url = root + (PAGES[name][len(BASE):] if name in PAGES else name) + ".html"
    run_chromium(chromium, tmp_path / "profile", f"--window-size={width},{height}", f"--screenshot={shot}", url)
    print(f"screenshot: {shot}")
    assert shot.is_file() and shot.stat().st_size > 20_000, shot
    assert png_size(shot) == (width, height)


def test_the_page_asks_only_the_server_and_only_for_files_that_exist(chromium, served, tmp_path):
    """Chromium's NetLog holds every request it made; those made for the page (its network isolation
    key is the page's site, where the browser's own background requests have none) all went to the
    server on 127.0.0.1, and the server found every file asked for."""
    site, root, log = served
    netlog = tmp_path / "netlog.json"
    url = root + NIAMEY[len(BASE):] + ".html"
    before = len(log)
    run_chromium(chromium, tmp_path / "profile", "--window-size=1400,900", f"--log-net-log={netlog}",
                 f"--screenshot={tmp_path / 'shot.png'}", url)
    events = json.loads(netlog.read_text(encoding="utf-8"))
    start_job = events["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    for_page = [e["params"]["url"] for e in events["events"] if e["type"] == start_job and "url" in e.get("params", {})
                and "127.0.0.1" in e["params"].get("network_isolation_key", "")]
    assert url in for_page and root + "style.css" in for_page
    assert [u for u in for_page if not u.startswith(root)] == []
    requests = log[before:]
    assert {client for client, _ in requests} == {"127.0.0.1"}
    asked = {unquote(urlsplit(path).path).lstrip("/") for _, path in requests}
    assert {"style.css", NIAMEY[len(BASE):] + ".html"} <= asked
    assert [path for path in asked if not (site / path).is_file()] == []
