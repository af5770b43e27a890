"""Authorisation and CSRF rules of the foundation, each tried from the wrong side."""
import pytest


# (method, path, roles allowed). Every other role gets 403; anonymous is sent to log in.
GUARDED = [
    ("GET", "/kelas/", {"teacher", "admin"}),
    ("GET", "/admin/pengguna", {"admin"}),
    ("GET", "/admin/pengguna/baru", {"admin"}),
    ("GET", "/admin/audit/", {"admin"}),
]
ROLES = ["admin", "teacher", "assessor", "trainee"]


@pytest.mark.parametrize("method,path,allowed", GUARDED)
@pytest.mark.parametrize("role", ROLES)
def test_role_guard(as_user, method, path, allowed, role):
    response = as_user(role).open(path, method=method)
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("method,path,allowed", GUARDED + [("GET", "/", set()), ("GET", "/akun/kata-sandi", set())])
def test_anonymous_is_sent_to_login(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 302
    assert "/masuk" in response.headers["Location"]


def test_join_is_for_trainees_only(as_user):
    assert as_user("teacher").post("/kelas/gabung", data={"code": "ABCDEF"}).status_code == 403


def test_post_without_csrf_token_is_refused(client, users):
    response = client.post("/masuk", data={"username": "guru1", "password": "x"}, csrf=False)
    assert response.status_code == 400
    assert "kedaluwarsa atau tidak sah" in response.get_data(as_text=True)


def test_csrf_refused_on_state_changing_admin_post(as_user, users):
    response = as_user("admin").post(f"/admin/pengguna/{users['trainee'].id}/aktif",
                                     data={"active": "0"}, csrf=False)
    assert response.status_code == 400


def test_error_pages_are_indonesian(client):
    response = client.get("/tidak-ada-halaman-ini")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_session_cookie_flags(app, client, users):
    response = client.post("/masuk", data={"username": "guru1", "password": "rahasia-123"})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers_on_pages(client):
    response = client.get("/masuk")
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
