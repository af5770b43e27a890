import csv
import io

from sqlalchemy import func, select

from courseware.accounts.models import User
from courseware.accounts.passwords import verify_password
from courseware.classes.models import Classroom, Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db


def _class_of(teacher, name="XI OTKP 1"):
    return create_class(teacher, name, "2026/2027")


def test_teacher_creates_class_with_join_code(as_user):
    client = as_user("teacher")
    response = client.post("/kelas/baru", data={"name": "XI OTKP 1", "academic_year": "2026/2027"})
    assert response.status_code == 302
    classroom = db.session.scalar(select(Classroom))
    assert classroom.name == "XI OTKP 1" and len(classroom.join_code) == 10


def test_bad_academic_year_is_explained(as_user):
    response = as_user("teacher").post("/kelas/baru", data={"name": "XI", "academic_year": "2026"})
    assert response.status_code == 400
    assert "Tahun ajaran ditulis seperti 2026/2027" in response.get_data(as_text=True)


def test_teacher_sees_only_own_classes(as_user, users):
    mine = _class_of(users["teacher"], "XI OTKP 1")
    theirs = _class_of(users["teacher2"], "XI OTKP 2")
    client = as_user("teacher")
    listing = client.get("/kelas/").get_data(as_text=True)
    assert "XI OTKP 1" in listing and "XI OTKP 2" not in listing
    assert client.get(f"/kelas/{mine.id}").status_code == 200
    assert client.get(f"/kelas/{theirs.id}").status_code == 404
    assert client.post(f"/kelas/{theirs.id}/kode-baru").status_code == 404
    assert as_user("admin").get(f"/kelas/{theirs.id}").status_code == 200


ROSTER = (
    "NIS;nama;username\n"
    "2425001;Ayu Lestari;\n"          # good
    "2425002;Bagus Pratama;bagus.p\n"  # good, own username
    "2425003;;\n"                      # missing name
    "2425001;Ayu Kembar;\n"            # duplicate NIS in the file
    "2425004;Citra Dewi;bagus.p\n"     # duplicate username in the file
    "1001;Sudah Ada;\n"                # NIS of an existing trainee: enrolled, no new account
    "2425005;Dodi;peserta1\n"          # username of an account with another NIS
    "2425006;Eka Putri;\n"             # good
)


def test_roster_import_keeps_good_rows_and_reports_each_bad_one(as_user, users):
    classroom = _class_of(users["teacher"])
    client = as_user("teacher")
    response = client.post(f"/kelas/{classroom.id}/impor",
                           data={"roster": (io.BytesIO(ROSTER.encode()), "daftar.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 peserta dibuat dan didaftarkan; 4 baris ditolak." in page
    assert "1 peserta sudah punya akun dan didaftarkan ke kelas ini." in page
    for message in ("Nama kosong", "muncul lebih dari sekali", "Username bagus.p muncul lebih dari sekali",
                    "Username peserta1 sudah dipakai akun dengan NIS lain (1001)",
                    "sudah punya akun – didaftarkan ke kelas ini"):
        assert message in page
    enrolled = db.session.scalars(select(User).join(Enrollment).where(Enrollment.classroom_id == classroom.id))
    assert sorted(u.nis for u in enrolled) == ["1001", "2425001", "2425002", "2425006"]
    bagus = db.session.scalar(select(User).where(User.username == "bagus.p"))
    assert bagus.must_change_password and bagus.has_role("trainee")


def test_first_passwords_download_as_csv_and_work(as_user, users):
    classroom = _class_of(users["teacher"])
    client = as_user("teacher")
    page = client.post(f"/kelas/{classroom.id}/impor",
                       data={"roster": (io.BytesIO(b"NIS,nama\n7001,Rina Ayu\n"), "a.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "7001" in page
    user = db.session.scalar(select(User).where(User.nis == "7001"))
    # The page carries the generated password in the form the download posts back.
    import re
    password = re.search(r'name="password" value="([^"]+)"', page).group(1)
    assert verify_password(user.password_hash, password)
    response = client.post(f"/kelas/{classroom.id}/kredensial.csv",
                           data={"username": [user.username], "password": [password]})
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["NIS", "nama", "username", "kata_sandi_awal"]
    assert rows[1] == ["7001", "Rina Ayu", user.username, password]


def test_credentials_download_only_echoes_this_class_members(as_user, users):
    classroom = _class_of(users["teacher"])
    response = as_user("teacher").post(f"/kelas/{classroom.id}/kredensial.csv",
                                       data={"username": ["peserta2"], "password": ["apa-saja"]})
    assert "peserta2" not in response.get_data(as_text=True)


def test_roster_without_required_columns_is_refused_whole(as_user, users):
    classroom = _class_of(users["teacher"])
    client = as_user("teacher")
    client.post(f"/kelas/{classroom.id}/impor", data={"roster": (io.BytesIO(b"nomor,siswa\n1,A\n"), "x.csv")},
                content_type="multipart/form-data")
    page = client.get(f"/kelas/{classroom.id}").get_data(as_text=True)
    assert "Judul kolom harus memuat NIS dan nama" in page
    assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 0


def test_roster_cells_that_look_like_formulas_are_defused_in_csv():
    from courseware.classes.roster import credentials_csv

    out = credentials_csv([{"nis": "1", "name": "=HYPERLINK(\"x\")", "username": "a.b", "password": "p"}])
    assert "'=HYPERLINK" in out


def test_join_code_enrolls_once(as_user, users):
    classroom = _class_of(users["teacher"])
    client = as_user("trainee")
    first = client.post("/kelas/gabung", data={"code": classroom.join_code.lower()}, follow_redirects=True)
    assert "Anda bergabung dengan kelas" in first.get_data(as_text=True)
    second = client.post("/kelas/gabung", data={"code": classroom.join_code}, follow_redirects=True)
    assert "Anda sudah terdaftar di kelas" in second.get_data(as_text=True)
    count = db.session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.classroom_id == classroom.id))
    assert count == 1


def test_unknown_join_code_is_explained(as_user):
    response = as_user("trainee").post("/kelas/gabung", data={"code": "ZZZZZZ"}, follow_redirects=True)
    assert "Kode kelas tidak dikenal" in response.get_data(as_text=True)


def test_new_join_code_retires_the_old_one(as_user, users):
    classroom = _class_of(users["teacher"])
    old = classroom.join_code
    as_user("teacher").post(f"/kelas/{classroom.id}/kode-baru")
    db.session.refresh(classroom)
    assert classroom.join_code != old
    response = as_user("trainee").post("/kelas/gabung", data={"code": old}, follow_redirects=True)
    assert "Kode kelas tidak dikenal" in response.get_data(as_text=True)


def test_class_page_links_to_everything_about_the_class(as_user, users):
    classroom = _class_of(users["teacher"])
    page = as_user("teacher").get(f"/kelas/{classroom.id}").get_data(as_text=True)
    for path in ("/materi/kelas/{id}/kemajuan", "/tes/kelas/{id}/jadwal", "/tes/kelas/{id}/hasil",
                 "/praktik/kelas/{id}", "/penilaian/kelas/{id}/rekap", "/penilaian/kelas/{id}/laporan"):
        assert f'href="{path.format(id=classroom.id)}"' in page
