"""The lessons whose content grew (tables, checklists, the spot-check case) read on a 360-px phone:
no sideways scroll, no console error, no serious axe-core violation, answers open on request."""
import pytest

from courseware.accounts.service import create_user
from courseware.extensions import db

from .test_walkthrough import PASSWORD, Walk, _login

LESSONS = ["e2-01-memantau-standar-pelayanan", "e2-05-perbaikan-pelayanan", "e2-00-pengantar",
           "e2-07-penutup", "e1-00-pengantar", "e1-05-penutup"]


@pytest.fixture(scope="module")
def reader(live_server):
    _, app = live_server
    with app.app_context():
        create_user("peserta.baca", "Peserta Baca", ["trainee"], password=PASSWORD, must_change_password=False)
        db.session.remove()


def test_changed_lessons_read_well_on_a_phone(browser, live_server, reader):
    base = live_server[0]
    walk = Walk(browser, base)
    try:
        page = walk.page()
        page.set_viewport_size({"width": 360, "height": 800})
        _login(page, base, "peserta.baca", PASSWORD)
        for lesson in LESSONS:
            page.goto(f"{base}/materi/{lesson}")
            assert page.locator("h1").count() == 1, lesson
            walk.check(page, f"materi-{lesson}")
            answer = page.locator("main details").first
            answer.locator("summary").click()
            assert answer.evaluate("d => d.open"), lesson
        body = page.locator("main").inner_text() if page.locator("main").count() else ""
        assert body
        assert walk.violations == {}, walk.violations
        assert [e for p in walk.pages for e in p.console_errors] == []
    finally:
        walk.close()
