"""Red-team findings 1-4 of issue 14: logout, copied cookies, open redirects, first passwords.

Every login here goes through the real form (POST /masuk), as a browser would.
"""
import pytest

from courseware.accounts.service import create_user

from .conftest import TEST_PASSWORD, make_app

REMEMBER = "remember_token"


def _login(client, username="peserta1", password=TEST_PASSWORD, remember=False, next_url=None):
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/masuk", data=data, query_string={"next": next_url} if next_url is not None else None)


def _set_cookie_headers(response, name):
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


def _only_cookie(app, name, value):
    """A second browser holding nothing but one copied cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def _days_left(header: str) -> float:
    from datetime import datetime, timezone
    from email.utils import parsedate_to_datetime

    expires = header.split("Expires=", 1)[1].split(";", 1)[0]
    return (parsedate_to_datetime(expires) - datetime.now(timezone.utc)).total_seconds() / 86400


def _logged_in(client) -> bool:
    return client.get("/").status_code == 200


# --- 1. logout ends the login --------------------------------------------------------------

def test_logout_deletes_the_remember_cookie_and_the_browser_stays_out(app, client, users):
    _login(client, remember=True)
    assert client.get_cookie(REMEMBER) is not None
    response = client.post("/keluar")
    deleted = _set_cookie_headers(response, REMEMBER)
    assert deleted and ("Max-Age=0" in deleted[0] or "1970" in deleted[0])
    assert client.get_cookie(REMEMBER) is None
    assert not _logged_in(client)


def test_a_copied_remember_cookie_stops_working_after_logout(app, client, users):
    _login(client, remember=True)
    copied = client.get_cookie(REMEMBER).value
    assert _logged_in(_only_cookie(app, REMEMBER, copied))  # the copy works while the login lasts
    client.post("/keluar")
    assert not _logged_in(_only_cookie(app, REMEMBER, copied))


def test_a_copied_session_cookie_stops_working_after_logout(app, client, users):
    _login(client)
    copied = client.get_cookie("session").value
    assert _logged_in(_only_cookie(app, "session", copied))
    client.post("/keluar")
    assert not _logged_in(_only_cookie(app, "session", copied))


def test_logout_on_one_device_leaves_the_other_logged_in(app, users):
    lab_pc, phone = app.test_client(), app.test_client()
    _login(lab_pc)
    _login(phone)
    lab_pc.post("/keluar")
    assert not _logged_in(lab_pc) and _logged_in(phone)


def test_logout_everywhere_ends_every_session_including_remembered_ones(app, users):
    lab_pc, phone = app.test_client(), app.test_client()
    _login(lab_pc, remember=True)
    _login(phone, remember=True)
    remembered = lab_pc.get_cookie(REMEMBER).value
    page = phone.get("/akun/kata-sandi").get_data(as_text=True)
    assert "Keluar dari semua perangkat" in page
    response = phone.post("/keluar/semua")
    assert response.status_code == 302 and response.headers["Location"].endswith("/masuk")
    assert not _logged_in(phone) and not _logged_in(lab_pc)
    assert not _logged_in(_only_cookie(app, REMEMBER, remembered))
    assert _login(app.test_client()).status_code == 302  # a new login works again


def test_remember_cookie_lasts_the_documented_30_days_httponly_and_samesite(app, client, users):
    response = _login(client, remember=True)
    header = _set_cookie_headers(response, REMEMBER)[0]
    assert 29.9 < _days_left(header) <= 30
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header


def test_remember_days_setting_and_secure_under_force_https(tmp_path, monkeypatch, users):
    monkeypatch.setenv("REMEMBER_COOKIE_DAYS", "7")
    monkeypatch.setenv("FORCE_HTTPS", "1")
    strict = make_app(tmp_path, SECRET_KEY="k" * 48)
    with strict.app_context():
        response = _login(strict.test_client(), remember=True)
    header = _set_cookie_headers(response, REMEMBER)[0]
    assert 6.9 < _days_left(header) <= 7 and "Secure" in header and "SameSite=Lax" in header


# --- 2. redirects stay on the site ---------------------------------------------------------

BYPASSES = [
    "//evil.example", "///evil.example", "/\t/evil.example", "/%09/evil.example", "\t//evil.example",
    " //evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "/%5Cevil.example",
    "/%5C%5Cevil.example", "/%2F%2Fevil.example", "/%252F%252Fevil.example", "%2F%2Fevil.example",
    "https://evil.example", "https:/evil.example", "http:evil.example", "HTTPS://evil.example",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "evil.example",
    "/\r\n/evil.example", "/\nSet-Cookie: x=1", "/%0d%0aSet-Cookie:x=1", "/%00/evil.example",
    "/\x00/evil.example", "/ /evil.example", "/\u3000/evil.example", "/\uff0f\uff0fevil.example",
    "//evil.example@sekolah.sch.id", "/%E3%80%80/evil.example",
]


@pytest.mark.parametrize("target", BYPASSES)
def test_login_never_redirects_off_the_site(client, users, target):
    response = _login(client, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/kelas/", "/materi/?elemen=1", "/tes/#bagian"])
def test_login_follows_a_local_next(client, users, target):
    response = _login(client, "guru1", next_url=target)
    assert response.headers["Location"] == target


# --- 3. first password first ---------------------------------------------------------------

@pytest.fixture
def first_timer(app, client):
    user, password = create_user("baru01", "Peserta Baru", ["trainee"])
    assert user.must_change_password
    assert _login(client, "baru01", password).status_code == 302
    return client, password


def test_first_password_refuses_every_post_but_the_password_change(first_timer):
    client, password = first_timer
    for path, data in [("/kelas/gabung", {"code": "ABCDEFGHJK"}), ("/materi/1-1/selesai", {"done": "1"})]:
        refused = client.post(path, data=data)
        assert refused.status_code == 403
        assert "Ganti kata sandi dulu" in refused.get_data(as_text=True)
    assert client.get("/materi/").headers["Location"].endswith("/akun/kata-sandi")
    changed = client.post("/akun/kata-sandi", data={"current": password, "new": "sandi-sendiri-1",
                                                    "confirm": "sandi-sendiri-1"})
    assert changed.status_code == 302
    assert client.post("/kelas/gabung", data={"code": "ABCDEFGHJK"}).status_code == 302


def test_first_password_user_may_still_log_out(first_timer):
    client, _password = first_timer
    assert client.post("/keluar").status_code == 302
    assert client.get("/").status_code == 302
