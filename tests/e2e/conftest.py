"""End-to-end fixtures: the real app under waitress on a free loopback port, and Debian's
Chromium driven by Playwright. Screenshots go to artifacts/screenshots/ (named in docs/development.md).
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from waitress.server import create_server

from courseware.cli import run_content_sync
from courseware.extensions import db

from ..conftest import make_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def e2e_db_url(tmp_path_factory):
    """A database of its own for one e2e module: SQLite in a temp folder, or a fresh PostgreSQL database."""
    import uuid

    from sqlalchemy import create_engine, text

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'e2e.sqlite3'}"
        return
    name = f"cw_e2e_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, e2e_db_url):
    """Yield (base_url, app) for a migrated, content-synced site running under waitress."""
    tmp = tmp_path_factory.mktemp("e2e")
    app = make_app(tmp, SQLALCHEMY_DATABASE_URI=e2e_db_url)
    with app.app_context():
        upgrade()
        run_content_sync(app)
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", app
    server.close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _indonesian_by_default(browser)
        yield browser
        browser.close()


def _indonesian_by_default(browser) -> None:
    """Every context speaks like a lab PC set to Indonesian (Accept-Language: id-ID).

    The site follows Accept-Language when no language was chosen, and Playwright's Chromium sends
    en-US unless a locale is given; a test that wants English passes locale="en-US" (or switches).
    """
    originals = {name: getattr(browser, name) for name in ("new_context", "new_page")}

    def _with_locale(name):
        def call(*args, **kwargs):
            kwargs.setdefault("locale", "id-ID")
            return originals[name](*args, **kwargs)
        return call

    for name in originals:
        setattr(browser, name, _with_locale(name))


@pytest.fixture
def page_at(browser):
    """page_at(width) -> a fresh page with that viewport width; console errors are collected."""
    contexts = []

    def _page(width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        return page

    yield _page
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
