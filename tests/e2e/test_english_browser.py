"""A trainee switches the interface to English and walks the main pages at 360 and 1280 px:
login switch (cookie), dashboard, lessons overview, the written test's start page, the account page
(saved choice). Each page: <html lang="en">, English text, the content note once, axe, screenshots.
Then another browser (Indonesian Accept-Language) gets English from the account, and switching back
gives Indonesian again."""
from datetime import timedelta

import pytest

from courseware.accounts.service import create_user
from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db
from courseware.models_base import utcnow
from courseware.quizzes.service import written_test
from courseware.quizzes.windows import set_window

from .test_walkthrough import PASSWORD, Walk

NOTE = "Course content is in Indonesian, the language of the unit."


@pytest.fixture(scope="module")
def english_trainee(live_server):
    _, app = live_server
    with app.app_context():
        teacher, _ = create_user("guru.inggris", "Guru Inggris", ["teacher"], password=PASSWORD,
                                 must_change_password=False)
        trainee, _ = create_user("peserta.inggris", "Peserta Inggris", ["trainee"], password=PASSWORD,
                                 must_change_password=False)
        classroom = create_class(teacher, "XI ENGLISH", "2026/2027")
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=trainee.id))
        db.session.commit()
        set_window(classroom, written_test(), utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1),
                   "langsung", teacher)
        db.session.remove()
    return "peserta.inggris"


def _lang(page) -> str:
    return page.evaluate("document.documentElement.lang")


def _main_text(page) -> str:
    return page.locator("main").inner_text()


def test_trainee_switches_to_english_and_walks_the_site(browser, live_server, english_trainee):
    base = live_server[0]
    walk = Walk(browser, base)
    try:
        page = walk.page()
        page.goto(base + "/masuk")
        assert _lang(page) == "id" and page.locator("h1").inner_text() == "Masuk"

        # Anonymous: the switch under the login card stores a cookie.
        page.click("form.lang-switch button[lang=en]")
        page.wait_for_load_state()
        assert _lang(page) == "en" and page.locator("h1").inner_text() == "Sign in"
        assert page.locator("form.lang-switch button[aria-pressed=true]").inner_text() == "English"
        walk.check(page, "en-login")
        page.fill("#username", english_trainee)
        page.fill("#password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert "/masuk" not in page.url

        # Dashboard
        assert _lang(page) == "en"
        nav = page.locator("nav.nav-wide").inner_text()
        assert "Home" in nav and "Beranda" not in nav
        assert "Start the written test" in _main_text(page)
        walk.check(page, "en-dashboard")

        # Account page: save English on the account itself.
        page.goto(base + "/akun/kata-sandi")
        assert page.locator("#bahasa h2").inner_text() == "Interface language"
        page.check("#bahasa input[value=en]")
        page.click("#bahasa button[type=submit]")
        page.wait_for_load_state()
        assert "Interface language: English." in _main_text(page)
        assert page.locator("h1").inner_text() == "Change password"
        walk.check(page, "en-account")

        # Lessons overview: interface in English, content note once, offline.js speaks English.
        page.goto(base + "/materi/")
        assert _lang(page) == "en" and page.locator("h1").inner_text() == "Learning materials"
        assert page.locator(".content-language").count() == 1
        assert page.locator(".content-language").inner_text() == NOTE
        label = page.locator("[data-offline-label]")
        if label.count():
            page.wait_for_timeout(1500)
            text = label.inner_text()
            assert not text or "lesson" in text.lower() or "file" in text.lower() or "offline" in text.lower(), text
            assert "materi" not in text.lower(), text
        walk.check(page, "en-lessons")

        # The written test's start page
        page.goto(base + "/")
        page.click("text=Start the written test")
        page.wait_for_load_state()
        assert _lang(page) == "en"
        assert page.get_by_role("button", name="Start now").count() == 1
        assert page.locator(".content-language").count() == 1
        facts = page.locator(".quiz-facts").inner_text()
        assert "questions" in facts and "soal" not in facts, facts
        walk.check(page, "en-quiz-start")

        # Another device, Indonesian browser, no cookie: the saved choice wins.
        other = walk.page()
        other.goto(base + "/masuk")
        assert _lang(other) == "id"
        other.fill("#username", english_trainee)
        other.fill("#password", PASSWORD)
        other.click("main button[type=submit]")
        other.wait_for_load_state()
        assert _lang(other) == "en"

        # ...and back to Indonesian from the account page.
        other.goto(base + "/akun/kata-sandi")
        other.check("#bahasa input[value=id]")
        other.click("#bahasa button[type=submit]")
        other.wait_for_load_state()
        assert _lang(other) == "id" and "Bahasa antarmuka: Bahasa Indonesia." in _main_text(other)
        other.goto(base + "/materi/")
        assert other.locator(".content-language").count() == 0

        assert walk.violations == {}, walk.violations
        assert [e for p in walk.pages for e in p.console_errors] == []
    finally:
        walk.close()
