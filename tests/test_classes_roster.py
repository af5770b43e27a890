"""Rosters as schools keep them: existing accounts enrolled by import or by NIS/username, names and
NIS corrected, classes renamed and archived, passwords reset with a printable slip, and every
irreversible step confirmed on a page of its own (no JavaScript)."""
import io
import re

from sqlalchemy import select

from courseware.accounts.models import User
from courseware.accounts.passwords import verify_password
from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db

from .conftest import TEST_PASSWORD


def _class(users, name="XI OTKP 1", who="teacher"):
    return create_class(users[who], name, "2026/2027")


def _members(classroom):
    return sorted(db.session.scalars(select(User.username).join(Enrollment)
                                     .where(Enrollment.classroom_id == classroom.id)))


def _import(client, classroom, text):
    return client.post(f"/kelas/{classroom.id}/impor", data={"roster": (io.BytesIO(text.encode()), "d.csv")},
                       content_type="multipart/form-data")


def _field_error(page, text):
    """The message sits inside the field's own block, not only in a flash."""
    return re.search(r'<div class="field has-error">(?:(?!</div>).)*' + re.escape(text), page, re.S)


def test_same_roster_in_a_second_class_enrols_the_accounts(as_user, users):
    first, second = _class(users, "XI OTKP 1"), _class(users, "XI OTKP 2")
    client = as_user("teacher")
    roster = "NIS;nama\n5001;Rina Ayu\n5002;Sigit Hadi\n"
    assert "2 peserta dibuat" in _import(client, first, roster).get_data(as_text=True)
    accounts = db.session.scalar(select(db.func.count()).select_from(User))
    page = _import(client, second, roster).get_data(as_text=True)
    assert "0 peserta dibuat dan didaftarkan; 0 baris ditolak." in page
    assert page.count("sudah punya akun – didaftarkan ke kelas ini") == 2
    assert "Kata sandi awal" not in page
    assert db.session.scalar(select(db.func.count()).select_from(User)) == accounts
    assert _members(first) == _members(second) and len(_members(second)) == 2
    again = _import(client, second, roster).get_data(as_text=True)
    assert "2 peserta sudah ada di kelas ini." in again and "ditolak.</p>" not in again.replace(
        "0 baris ditolak.", "")


def test_import_refuses_to_enrol_staff_or_mismatched_accounts(as_user, users):
    classroom = _class(users)
    users["teacher2"].nis = "9001"
    db.session.commit()
    page = _import(as_user("teacher"), classroom, "NIS;nama;username\n9001;Guru;\n1001;X;peserta2\n").get_data(
        as_text=True)
    assert "bukan akun peserta" in page and "NIS 1001 milik akun peserta1" in page
    assert _members(classroom) == []


def test_add_existing_trainee_by_nis_or_username(as_user, users):
    classroom = _class(users)
    client = as_user("teacher")
    response = client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "1001"}, follow_redirects=True)
    assert "Peserta1 didaftarkan ke kelas ini." in response.get_data(as_text=True)
    client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "PESERTA2"})
    assert _members(classroom) == ["peserta1", "peserta2"]
    again = client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "peserta2"}, follow_redirects=True)
    assert "sudah terdaftar di kelas ini" in again.get_data(as_text=True)


def test_add_unknown_or_staff_is_explained_beside_the_field(as_user, users):
    classroom = _class(users)
    client = as_user("teacher")
    unknown = client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "tidak.ada"})
    assert unknown.status_code == 404
    assert _field_error(unknown.get_data(as_text=True), "Tidak ada akun dengan NIS atau nama pengguna tidak.ada")
    staff = client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "guru2"})
    assert staff.status_code == 409 and "bukan akun peserta" in staff.get_data(as_text=True)
    empty = client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": ""})
    assert empty.status_code == 400 and _field_error(empty.get_data(as_text=True), "Isi NIS atau nama pengguna")
    other = _class(users, "XI Lain", who="teacher2")
    assert client.post(f"/kelas/{other.id}/tambah", data={"identifier": "1001"}).status_code == 404
    assert _members(classroom) == [] and _members(other) == []


def test_removal_asks_first_and_the_teacher_can_put_the_trainee_back(as_user, users):
    classroom = _class(users)
    client = as_user("teacher")
    client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "1001"})
    url = f"/kelas/{classroom.id}/peserta/{users['trainee'].id}/keluarkan"
    detail = client.get(f"/kelas/{classroom.id}").get_data(as_text=True)
    assert f'href="{url}"' in detail  # a link to the confirmation page, not a one-tap form
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Ya, keluarkan dari kelas" in confirm.get_data(as_text=True)
    assert _members(classroom) == ["peserta1"]
    unconfirmed = client.post(url, data={})
    assert unconfirmed.status_code == 400 and _members(classroom) == ["peserta1"]
    assert client.post(url, data={"konfirmasi": "ya"}).status_code == 302
    assert _members(classroom) == []
    client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "peserta1"})
    assert _members(classroom) == ["peserta1"]


def test_teacher_corrects_name_and_nis_and_the_record_shows_it(as_user, users):
    classroom = _class(users)
    client = as_user("teacher")
    client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "1001"})
    url = f"/kelas/{classroom.id}/peserta/{users['trainee'].id}/ubah"
    assert 'value="1001"' in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"full_name": "  Putri   Ayuningtyas ", "nis": "240101"})
    assert response.status_code == 302
    db.session.refresh(users["trainee"])
    assert (users["trainee"].full_name, users["trainee"].nis) == ("Putri Ayuningtyas", "240101")
    record = client.get(f"/penilaian/rekaman/{users['trainee'].id}").get_data(as_text=True)
    assert "Putri Ayuningtyas" in record and "240101" in record
    taken = client.post(url, data={"full_name": "Putri", "nis": "1002"})
    assert taken.status_code == 409 and _field_error(taken.get_data(as_text=True), "NIS 1002 sudah dipakai akun lain")
    db.session.refresh(users["trainee"])
    assert users["trainee"].nis == "240101"


def test_name_edits_are_limited_to_the_class_teacher_and_trainees(as_user, users):
    classroom = _class(users)
    client = as_user("teacher")
    client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "1001"})
    url = f"/kelas/{classroom.id}/peserta/{users['trainee'].id}/ubah"
    assert as_user("teacher2").post(url, data={"full_name": "X", "nis": "1"}).status_code == 404
    assert as_user("trainee").get(url).status_code == 403
    not_member = f"/kelas/{classroom.id}/peserta/{users['trainee2'].id}/ubah"
    assert client.get(not_member).status_code == 404
    assert as_user("admin").post(url, data={"full_name": "Oleh Admin", "nis": "1001"}).status_code == 302


def test_teacher_resets_a_password_after_confirming_and_gets_a_slip(app, as_user, users):
    classroom = _class(users)
    client = as_user("teacher")
    client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "1001"})
    url = f"/kelas/{classroom.id}/peserta/{users['trainee'].id}/reset-sandi"
    old_hash = users["trainee"].password_hash
    assert "Ya, atur ulang kata sandi" in client.get(url).get_data(as_text=True)
    assert client.post(url, data={}).status_code == 400
    db.session.refresh(users["trainee"])
    assert users["trainee"].password_hash == old_hash
    response = client.post(url, data={"konfirmasi": "ya"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="big">([^<]+)</code>', page).group(1)
    assert "Peserta1" in page and "1001" in page and "/masuk" in page
    db.session.refresh(users["trainee"])
    assert verify_password(users["trainee"].password_hash, password)
    assert users["trainee"].must_change_password
    login = app.test_client().post("/masuk", data={"username": "peserta1", "password": TEST_PASSWORD})
    assert login.status_code == 401


def test_teacher_cannot_reset_a_staff_account_enrolled_as_trainee(as_user, users):
    classroom = _class(users)
    users["admin"].role_rows.append(type(users["admin"].role_rows[0])(role="trainee"))
    db.session.add(Enrollment(classroom_id=classroom.id, user_id=users["admin"].id))
    db.session.commit()
    old_hash = users["admin"].password_hash
    response = as_user("teacher").post(f"/kelas/{classroom.id}/peserta/{users['admin'].id}/reset-sandi",
                                       data={"konfirmasi": "ya"}, follow_redirects=True)
    assert "hanya dapat diatur ulang oleh admin" in response.get_data(as_text=True)
    db.session.refresh(users["admin"])
    assert users["admin"].password_hash == old_hash


def test_credentials_sheet_prints_slips_for_members_only(app, as_user, users):
    app.config["LAN_URLS"] = ["http://192.168.10.5:5000/"]  # under run.py --lan the slip names the lab address
    classroom = _class(users)
    client = as_user("teacher")
    client.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "1001"})
    page = client.post(f"/kelas/{classroom.id}/lembar-akun",
                       data={"username": ["peserta1", "peserta2"], "password": ["abcd-efgh", "zzzz-zzzz"]}
                       ).get_data(as_text=True)
    assert page.count('class="card slip"') == 1 and "abcd-efgh" in page and "zzzz-zzzz" not in page
    assert "http://192.168.10.5:5000/masuk" in page


def test_rename_class_with_errors_beside_the_fields(as_user, users):
    classroom = _class(users)
    _class(users, "XI OTKP 2")
    client = as_user("teacher")
    clash = client.post(f"/kelas/{classroom.id}/ubah", data={"name": "XI OTKP 2", "academic_year": "2026/2027"})
    assert clash.status_code == 409 and _field_error(clash.get_data(as_text=True), "sudah punya kelas XI OTKP 2")
    bad = client.post(f"/kelas/{classroom.id}/ubah", data={"name": "XI", "academic_year": "2026"})
    assert bad.status_code == 400 and _field_error(bad.get_data(as_text=True), "Tahun ajaran ditulis seperti")
    ok = client.post(f"/kelas/{classroom.id}/ubah", data={"name": "XI MPLB 1", "academic_year": "2026/2027"})
    assert ok.status_code == 302
    db.session.refresh(classroom)
    assert classroom.label == "XI MPLB 1 (2026/2027)"
    assert "XI MPLB 1" in client.get(f"/penilaian/kelas/{classroom.id}/laporan").get_data(as_text=True)


def test_create_class_errors_sit_beside_the_fields(as_user, users):
    _class(users, "XI OTKP 1")
    response = as_user("teacher").post("/kelas/baru", data={"name": "XI OTKP 1", "academic_year": "2026/2027"})
    assert response.status_code == 409
    assert _field_error(response.get_data(as_text=True), "Anda sudah punya kelas XI OTKP 1")


def test_archived_class_leaves_menus_and_dashboards_and_keeps_records(as_user, users):
    classroom = _class(users, "XI Arsip")
    teacher = as_user("teacher")
    teacher.post(f"/kelas/{classroom.id}/tambah", data={"identifier": "1001"})
    assert "diarsipkan" in teacher.post(f"/kelas/{classroom.id}/arsip", data={"archived": "1"},
                                        follow_redirects=True).get_data(as_text=True)
    listing = teacher.get("/kelas/").get_data(as_text=True)
    assert "Arsip (1 kelas)" in listing
    active_part = listing.split("Arsip (1 kelas)")[0]
    assert "XI Arsip" not in active_part
    for client in (teacher, as_user("trainee")):
        assert "XI Arsip" not in client.get("/").get_data(as_text=True)
    assert "XI Arsip" not in teacher.get("/tes/kelola").get_data(as_text=True)
    assert teacher.get(f"/kelas/{classroom.id}").status_code == 200
    assert teacher.get(f"/penilaian/kelas/{classroom.id}/rekap").status_code == 200
    assert _members(classroom) == ["peserta1"]
    joined = as_user("trainee2").post("/kelas/gabung", data={"code": classroom.join_code}, follow_redirects=True)
    assert "Kode kelas tidak dikenal" in joined.get_data(as_text=True)
    teacher.post(f"/kelas/{classroom.id}/arsip", data={"archived": "0"})
    assert "XI Arsip" in teacher.get("/").get_data(as_text=True)
