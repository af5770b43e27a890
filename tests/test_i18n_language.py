"""Choosing the interface language: account setting, login-page cookie, Accept-Language, <html lang>."""
import re

from courseware.extensions import db

from .conftest import login_as


def _html_lang(response) -> str:
    return re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True)).group(1)


def test_default_is_indonesian_and_accept_language_picks_english(client):
    page = client.get("/masuk")
    assert _html_lang(page) == "id" and "Masuk" in page.get_data(as_text=True)
    page = client.get("/masuk", headers={"Accept-Language": "en-GB,en;q=0.9,id;q=0.5"})
    text = page.get_data(as_text=True)
    assert _html_lang(page) == "en"
    assert "Sign in" in text and "Kata sandi" not in text
    # A language the site does not offer falls back to Indonesian.
    assert _html_lang(client.get("/masuk", headers={"Accept-Language": "fr, de;q=0.8"})) == "id"
    # Indonesian preferred over English by the browser.
    assert _html_lang(client.get("/masuk", headers={"Accept-Language": "id, en;q=0.5"})) == "id"


def test_login_page_switch_stores_a_cookie_for_anonymous_visitors(client):
    response = client.post("/bahasa", data={"language": "en", "next": "/masuk?next=/materi"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/masuk?next=/materi")
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "en" and cookie.http_only
    page = client.get("/masuk", headers={"Accept-Language": "id"})
    assert _html_lang(page) == "en"
    assert "Interface language: English." in page.get_data(as_text=True)
    # The cookie beats the browser; switching back works the same way.
    client.post("/bahasa", data={"language": "id"})
    page = client.get("/masuk", headers={"Accept-Language": "en"})
    assert _html_lang(page) == "id" and "Bahasa antarmuka: Bahasa Indonesia." in page.get_data(as_text=True)


def test_unknown_language_or_foreign_next_is_refused_without_change(client):
    response = client.post("/bahasa", data={"language": "fr", "next": "//evil.example/"})
    assert response.status_code == 303 and response.headers["Location"] == "/masuk"
    assert client.get_cookie("lang") is None
    page = client.get("/masuk").get_data(as_text=True)
    assert "Pilih Bahasa Indonesia atau English." in page
    # Without the CSRF token nothing is stored either.
    response = client.post("/bahasa", data={"language": "en"}, csrf=False)
    assert response.status_code == 400 and client.get_cookie("lang") is None


def test_saved_choice_follows_the_user_to_any_browser(app, client, users):
    trainee = users["trainee"]
    login_as(client, trainee)
    client.get("/akun/kata-sandi")
    response = client.post("/bahasa", data={"language": "en", "next": "/akun/kata-sandi#bahasa"})
    assert response.status_code == 303
    db.session.refresh(trainee)
    assert trainee.language == "en"
    # Another browser, Indonesian Accept-Language, no cookie: the account decides.
    other = app.test_client()
    login_as(other, trainee)
    home = other.get("/", headers={"Accept-Language": "id"})
    assert _html_lang(home) == "en"
    # The saved choice beats a cookie left by the login-page switch.
    other.set_cookie("lang", "id")
    assert _html_lang(other.get("/", headers={"Accept-Language": "id"})) == "en"
    # Another user in the same browser is not affected.
    login_as(other, users["trainee2"])
    assert _html_lang(other.get("/", headers={"Accept-Language": "en"})) == "id"


def test_account_page_shows_the_current_choice(client, users):
    login_as(client, users["teacher"])
    page = client.get("/akun/kata-sandi").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="id"|<input[^>]*value="id"[^>]*checked', page)
    client.post("/bahasa", data={"language": "en"})
    page = client.get("/akun/kata-sandi").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="en"|<input[^>]*value="en"[^>]*checked', page)
    assert "Interface language" in page


def test_english_login_redirect_message_and_dates(app, client, users):
    client.set_cookie("lang", "en")
    response = client.get("/materi", follow_redirects=True)
    assert "Please sign in first." in response.get_data(as_text=True)
    from datetime import datetime

    from courseware.formats import local_datetime

    from flask_babel import refresh

    # The test's app context (and so Flask-Babel's per-request cache in `g`) spans both requests.
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        refresh()
        assert local_datetime(datetime(2026, 12, 3, 2, 15)) == "3 Dec 2026, 09.15 WIB"
    with app.test_request_context():
        refresh()
        assert local_datetime(datetime(2026, 12, 3, 2, 15)) == "3 Des 2026, 09.15 WIB"


def test_counts_use_english_plurals_and_stay_indonesian_by_default(app):
    from flask import render_template_string
    from flask_babel import ngettext, refresh

    template = '{{ ngettext("%(n)d soal", "%(n)d soal", k, n=k) }}'
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        refresh()
        assert [ngettext("%(n)d peserta", "%(n)d peserta", k, n=k) for k in (1, 2)] == ["1 trainee", "2 trainees"]
        assert [render_template_string(template, k=k) for k in (1, 20)] == ["1 question", "20 questions"]
    with app.test_request_context():
        refresh()
        assert [render_template_string(template, k=k) for k in (1, 20)] == ["1 soal", "20 soal"]


def test_content_note_appears_once_in_english_only(client, users):
    login_as(client, users["trainee"])
    note = "Course content is in Indonesian, the language of the unit."
    pages = ["/materi/", "/praktik/"]
    for url in pages:
        assert "content-language" not in client.get(url).get_data(as_text=True), url
    client.set_cookie("lang", "en")
    for url in pages:
        text = client.get(url).get_data(as_text=True)
        assert text.count(note) == 1, url
        assert '<html lang="en">' in text


def test_compile_writes_only_a_missing_or_stale_catalog(tmp_path, monkeypatch):
    """What run.py install, `flask init` and the conftest call on a fresh clone (no .mo in git)."""
    import os
    import shutil

    from babel.support import Translations

    from courseware import i18n

    po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    shutil.copy(i18n.TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po", po)
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    mo = po.with_suffix(".mo")
    assert i18n.compile_catalogs() == [mo]
    assert i18n.compile_catalogs() == []  # up to date: nothing written
    later = mo.stat().st_mtime + 10
    os.utime(po, (later, later))  # the .po was edited after the last compile
    assert i18n.compile_catalogs() == [mo]
    translations = Translations.load(str(tmp_path), ["en"])
    assert translations.gettext("Masuk") == "Sign in"
    assert translations.ngettext("%(n)d soal", "%(n)d soal", 2) == "%(n)d questions"


def test_a_user_with_a_first_password_can_switch_the_password_page_to_english(client, make_user):
    user = make_user("baru.sekali", ["trainee"])
    user.must_change_password = True
    db.session.commit()
    login_as(client, user)
    response = client.post("/bahasa", data={"language": "en", "next": "/akun/kata-sandi"})
    assert response.status_code == 303
    page = client.get("/akun/kata-sandi")
    assert _html_lang(page) == "en"
    assert "You are still using your initial password." in page.get_data(as_text=True)
    # Everything else stays closed until the password is changed.
    assert client.post("/materi/e1-00-pengantar/selesai", data={"done": "1"}).status_code == 403
