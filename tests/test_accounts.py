import re

from courseware.accounts.models import User
from courseware.extensions import db

from .conftest import TEST_PASSWORD, login_as


def _login(client, username, password):
    return client.post("/masuk", data={"username": username, "password": password})


def test_login_and_logout(client, users):
    response = _login(client, "guru1", TEST_PASSWORD)
    assert response.status_code == 302
    home = client.get("/")
    assert "Halo, Guru1" in home.get_data(as_text=True)
    client.post("/keluar")
    assert client.get("/").status_code == 302


def test_wrong_password_says_so_in_indonesian_and_gives_no_session(client, users):
    response = _login(client, "guru1", "salah-sekali")
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in response.get_data(as_text=True)
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
    assert client.get("/").status_code == 302


def test_unknown_user_gets_the_same_message(client, users):
    response = _login(client, "tidakada", TEST_PASSWORD)
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in response.get_data(as_text=True)


def test_empty_login_form_is_refused_with_field_messages(client):
    response = client.post("/masuk", data={"username": "", "password": ""})
    assert response.status_code == 400
    assert "Isi nama pengguna." in response.get_data(as_text=True)


def test_deactivated_user_cannot_log_in_and_loses_open_sessions(app, client, users):
    trainee_client = login_as(app.test_client(), users["trainee"])
    assert trainee_client.get("/").status_code == 200
    admin = login_as(client, users["admin"])
    url = f"/admin/pengguna/{users['trainee'].id}/aktif"
    assert f'href="{url}?active=0"' in admin.get(f"/admin/pengguna/{users['trainee'].id}").get_data(as_text=True)
    assert "Ya, nonaktifkan" in admin.get(url + "?active=0").get_data(as_text=True)
    assert admin.post(url, data={"active": "0"}).status_code == 400  # not confirmed: nothing happens
    assert db.session.get(User, users["trainee"].id).active is True
    assert trainee_client.get("/").status_code == 200
    assert admin.post(url, data={"active": "0", "konfirmasi": "ya"}).status_code == 302
    assert db.session.get(User, users["trainee"].id).active is False
    assert trainee_client.get("/").status_code == 302
    assert _login(app.test_client(), "peserta1", TEST_PASSWORD).status_code == 401


def test_changing_password_ends_other_sessions(app, users):
    phone = login_as(app.test_client(), users["trainee"])
    laptop = login_as(app.test_client(), users["trainee"])
    response = laptop.post("/akun/kata-sandi", data={
        "current": TEST_PASSWORD, "new": "sandi-baru-99", "confirm": "sandi-baru-99"})
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    assert _login(app.test_client(), "peserta1", "sandi-baru-99").status_code == 302


def test_password_change_rejects_wrong_current_and_short_new(as_user):
    client = as_user("trainee")
    wrong = client.post("/akun/kata-sandi", data={"current": "x", "new": "abcdefgh1", "confirm": "abcdefgh1"})
    assert wrong.status_code == 400 and "Kata sandi saat ini salah" in wrong.get_data(as_text=True)
    short = client.post("/akun/kata-sandi", data={"current": TEST_PASSWORD, "new": "abc", "confirm": "abc"})
    assert short.status_code == 400 and "minimal 8 karakter" in short.get_data(as_text=True)


def test_first_password_must_be_changed_before_anything_else(app, client):
    from courseware.accounts.service import create_user

    user, password = create_user("baru01", "Peserta Baru", ["trainee"])
    assert user.must_change_password
    _login(client, "baru01", password)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/akun/kata-sandi")


def test_login_redirect_ignores_foreign_next_url(client, users):
    response = client.post("/masuk?next=//evil.example/x", data={"username": "guru1", "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/"


def test_repeated_failed_logins_are_rate_limited_per_account_and_address(client, users):
    for _ in range(10):
        assert _login(client, "guru1", "salah").status_code == 401
    blocked = _login(client, "guru1", "salah")
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.get_data(as_text=True)
    # Another student behind the same school address is not locked out.
    assert _login(client, "peserta1", TEST_PASSWORD).status_code == 302


def test_admin_creates_user_and_sets_roles(as_user):
    admin = as_user("admin")
    response = admin.post("/admin/pengguna/baru", data={
        "username": "bu.sari", "full_name": "Bu Sari", "roles": ["teacher", "assessor"]})
    assert response.status_code == 200
    assert "Kata sandi awal" in response.get_data(as_text=True)
    user = db.session.scalar(db.select(User).where(User.username == "bu.sari"))
    assert user.roles == {"teacher", "assessor"}
    admin.post(f"/admin/pengguna/{user.id}", data={"roles": ["teacher"]})
    db.session.refresh(user)
    assert user.roles == {"teacher"}


def test_admin_cannot_create_duplicate_username(as_user):
    response = as_user("admin").post("/admin/pengguna/baru", data={
        "username": "guru1", "full_name": "Lagi", "roles": ["teacher"]})
    assert response.status_code == 409
    assert re.search(r'class="field has-error">(?:(?!</div>).)*Nama pengguna guru1 sudah dipakai',
                     response.get_data(as_text=True), re.S)


def test_admin_cannot_deactivate_self_and_is_told_inline(as_user, users):
    client = as_user("admin")
    page = client.get(f"/admin/pengguna/{users['admin'].id}").get_data(as_text=True)
    assert "Nonaktifkan akun" not in page and "Anda tidak dapat menonaktifkan akun Anda sendiri" in page
    response = client.post(f"/admin/pengguna/{users['admin'].id}/aktif", data={"active": "0", "konfirmasi": "ya"})
    assert response.status_code == 409
    assert '<p class="error" role="alert">Anda tidak dapat menonaktifkan akun Anda sendiri' in response.get_data(
        as_text=True)
    assert db.session.get(User, users["admin"].id).active is True


def test_admin_reset_password_asks_first(app, as_user, users):
    client = as_user("admin")
    url = f"/admin/pengguna/{users['trainee'].id}/reset-sandi"
    before = users["trainee"].password_hash
    assert "Ya, atur ulang kata sandi" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={}).status_code == 400
    db.session.refresh(users["trainee"])
    assert users["trainee"].password_hash == before
    page = client.post(url, data={"konfirmasi": "ya"}).get_data(as_text=True)
    password = re.search(r'<code class="big">([^<]+)</code>', page).group(1)
    assert _login(app.test_client(), "peserta1", password).status_code == 302


def test_admin_corrects_name_and_nis_with_errors_beside_fields(as_user, users):
    client = as_user("admin")
    url = f"/admin/pengguna/{users['trainee'].id}/identitas"
    taken = client.post(url, data={"full_name": "Ayu", "nis": "1002"})
    assert taken.status_code == 409
    assert re.search(r'class="field has-error">(?:(?!</div>).)*NIS 1002 sudah dipakai', taken.get_data(as_text=True),
                     re.S)
    assert client.post(url, data={"full_name": "Ayu Kartika", "nis": "1009"}).status_code == 302
    user = db.session.get(User, users["trainee"].id)
    assert (user.full_name, user.nis) == ("Ayu Kartika", "1009")


def test_password_change_errors_sit_beside_their_fields(as_user):
    response = as_user("trainee").post("/akun/kata-sandi", data={
        "current": "salah-sekali", "new": "sandi-baru-99", "confirm": "sandi-baru-99"})
    assert response.status_code == 400
    assert re.search(r'class="field has-error">(?:(?!</div>).)*Kata sandi saat ini salah',
                     response.get_data(as_text=True), re.S)


def test_one_person_can_be_teacher_and_assessor(app, make_user):
    both = make_user("ganda", ["teacher", "assessor"])
    client = login_as(app.test_client(), both)
    assert client.get("/kelas/").status_code == 200
