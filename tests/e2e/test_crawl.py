"""Crawl every page as every role in a real browser, on a world with a class, an open written test, a
submitted attempt, a LIK_1 submission with a video and a final judgement (the authorisation matrix's
world). For every page reached by following links (GET only: buttons that change things are forms and
are never clicked; confirmation pages are GETs that change nothing and are checked too):

- at 360 px the page does not scroll sideways, and no table hides columns in a sideways scroller
  (tables fit, or turn into cards, so their actions stay visible);
- the text never says "UTC";
- axe-core (tests/e2e/vendor/axe.min.js) reports no "serious" or "critical" violation.

Pages of one shape (e.g. /bank-soal/<id>) are checked for the first two ids, so the crawl stays bounded.
The new pages of this round are photographed at 360 and 1280 px into artifacts/screenshots/.
"""
import re
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from courseware.extensions import db

from ..test_authz_matrix import _build_world
from .conftest import screenshot

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_PATH = "/__e2e__/axe.min.js"
PASSWORD = "rahasia-123"
ROLES = {"admin": "admin1", "teacher": "guru1", "assessor": "asesor1", "trainee": "peserta1"}
SKIP = re.compile(r"(\.csv|\.xlsx|\.pdf|/ekspor/|/media/|/praktik/lampiran/|/static/|/keluar$|/__e2e__/)")
PER_SHAPE = 2
NEW_PAGES = re.compile(r"^/(kelas/\d+(/ubah|/peserta/\d+/(ubah|reset-sandi|keluarkan))?|kelas/|materi/kamus|"
                       r"admin/pengguna/\d+(/aktif)?|bank-soal/\d+/pensiunkan|tes/kelas/\d+/jadwal|)$")

TOO_WIDE_TABLES = """() => Array.from(document.querySelectorAll('.table-scroll, table'))
    .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== 'inline')
    .map(e => (e.closest('section, main').querySelector('h1, h2') || {}).textContent || e.className)"""


@pytest.fixture(scope="module")
def world(live_server):
    _, app = live_server
    with app.app_context():
        ids = _build_world(app)
        db.session.commit()
        db.session.remove()
    return ids


LESSON = re.compile(r"^/materi/(?!kamus$|referensi$|rencana$|kelas/)[a-z0-9-]+$")


def _shape(path: str, role: str = "") -> str:
    """Pages of one shape; the trainee, who reads them, gets every lesson, the other roles two."""
    if role != "trainee" and LESSON.match(path):
        return "/materi/<lesson>"
    return re.sub(r"/\d+", "/<n>", path)


def _login(page, base, username):
    page.goto(base + "/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/masuk" not in page.url, f"{username} could not log in"


def _links(page, base) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    out = []
    for href in hrefs:
        href = urldefrag(href)[0]
        if href.startswith(base) and not SKIP.search(urlsplit(href).path):
            out.append(href[len(base):] or "/")
    return out


def _axe(page, base) -> list[dict]:
    page.add_script_tag(url=base + AXE_PATH)
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ("
        "{id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def _crawl(browser, base, role, username):
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.route(base + AXE_PATH, lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=AXE.read_text(encoding="utf-8")))
    page = context.new_page()
    _login(page, base, username)
    problems, seen, shapes, visited = [], set(), Counter(), []
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        shape = _shape(urlsplit(path).path, role)
        if path in seen or shapes[shape] >= PER_SHAPE:
            continue
        seen.add(path)
        shapes[shape] += 1
        response = page.goto(base + path)
        if response is None or response.status >= 400 or not page.url.startswith(base):
            continue  # links to what this role may not open are the matrix test's business
        current = urlsplit(page.url).path
        visited.append(current)
        page.set_viewport_size({"width": 360, "height": 800})
        if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"):
            problems.append(f"{role} {current}: scrolls sideways at 360 px")
        for table in page.evaluate(TOO_WIDE_TABLES):
            problems.append(f"{role} {current}: table '{table.strip()[:40]}' scrolls sideways at 360 px")
        if "UTC" in page.inner_text("body"):
            problems.append(f"{role} {current}: says UTC")
        if NEW_PAGES.match(current):
            screenshot(page, f"crawl-{role}{_shape(current).replace('/', '-').replace('<n>', 'n')}-360")
        page.set_viewport_size({"width": 1280, "height": 900})
        if NEW_PAGES.match(current):
            screenshot(page, f"crawl-{role}{_shape(current).replace('/', '-').replace('<n>', 'n')}-1280")
        for violation in _axe(page, base):
            problems.append(f"{role} {current}: axe {violation['id']} ({violation['impact']}) {violation['nodes']}")
        menu = page.locator("nav.nav-wide > ul")
        if menu.count() and menu.evaluate("ul => ul.getBoundingClientRect().height") > 60:
            problems.append(f"{role} {current}: the menu wraps at 1280 px")
        queue.extend(_links(page, base))
    context.close()
    return visited, problems


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_as_every_role(browser, live_server, world, role):
    base, _ = live_server
    visited, problems = _crawl(browser, base, role, ROLES[role])
    assert len(visited) >= 8, visited
    assert problems == [], "\n".join(problems)


def test_menu_of_a_user_with_every_role_stays_on_one_line(browser, live_server, world):
    base, app = live_server
    from courseware.accounts.service import create_user

    with app.app_context():
        create_user("semua.peran", "Semua Peran", ["admin", "teacher", "assessor", "trainee"], password=PASSWORD,
                    must_change_password=False)
        db.session.remove()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, base, "semua.peran")
    assert page.locator("nav.nav-wide > ul").evaluate("ul => ul.getBoundingClientRect().height") <= 60
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.click("details.account summary")
    assert page.locator("details.account button", has_text="Keluar").is_visible()
    context.close()
