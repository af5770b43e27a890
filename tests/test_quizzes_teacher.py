"""Teacher side of the quizzes: settings, per-class windows, results and exports, the dashboard,
and the content sync of quizzes/quizzes.yml."""
import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db
from courseware.models_base import utcnow
from courseware.quizzes import outcome, service, windows
from courseware.results import status as results
from courseware.quizzes.content import check_definitions, sync_quizzes
from courseware.quizzes.models import Attempt, Quiz, QuizWindow


def _finish(client, correct: int) -> Attempt:
    response = client.post("/tes/tes-tertulis/mulai")
    attempt = db.session.get(Attempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    answers = {f"jawaban-{i.position}": (i.question.key_option.id if n < correct else
                                         next(o.id for o in i.question.options if not o.is_key))
               for n, i in enumerate(attempt.items)}
    client.post(f"/tes/percobaan/{attempt.id}/kumpulkan", data=answers)
    return db.session.get(Attempt, attempt.id)


SETTINGS = {"items_per_attempt": 20, "time_limit_minutes": 30, "attempts_allowed": 2, "counting": "highest",
            "pass_mark": 75}


# --- settings -----------------------------------------------------------------------------

def test_admin_changes_the_defaults_and_a_teacher_cannot(as_user, quizzes):
    """Defaults are shared by every class, so only an admin edits them (a teacher sets their own
    class's settings on its window; see test_quizzes_integrity.py)."""
    assert "Tes tertulis unit" in as_user("teacher").get("/tes/kelola").get_data(as_text=True)
    form = {"items_per_attempt": 15, "time_limit_minutes": 45, "attempts_allowed": 3, "counting": "last",
            "pass_mark": 80, "review_policy": "langsung"}
    assert as_user("teacher").post("/tes/kelola/tes-tertulis", data=form).status_code == 403
    client = as_user("admin")
    assert client.post("/tes/kelola/tes-tertulis", data=form).status_code == 302
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == "tes-tertulis"))
    assert (quiz.items_per_attempt, quiz.time_limit_minutes, quiz.attempts_allowed, quiz.counting,
            quiz.pass_mark) == (15, 45, 3, "last", 80)
    # 0 means no limit.
    client.post("/tes/kelola/tes-tertulis", data={**form, "time_limit_minutes": 0, "attempts_allowed": 0})
    db.session.expire_all()
    assert quiz.time_limit_minutes is None and quiz.attempts_allowed is None


def test_bad_settings_are_explained_and_nothing_changes(as_user, quizzes):
    client = as_user("admin")
    response = client.post("/tes/kelola/tes-tertulis", data={"items_per_attempt": 20, "counting": "highest",
                                                             "pass_mark": 140})
    assert response.status_code == 400
    assert db.session.scalar(select(Quiz.pass_mark).where(Quiz.code == "tes-tertulis")) == 75


@pytest.mark.parametrize("path", ["/tes/kelola", "/tes/kelola/tes-tertulis", "/tes/analisis"])
def test_teacher_pages_refuse_trainees_and_anonymous(app, as_user, quizzes, path):
    assert as_user("trainee").get(path).status_code == 403
    assert app.test_client().get(path).status_code == 302


def test_a_new_item_count_still_covers_every_kuk(as_user, users, quiz_class, quizzes):
    window = windows.window_for(quizzes["tes-tertulis"].id, quiz_class.id)
    windows.set_window(quiz_class, quizzes["tes-tertulis"], window.opens_at, window.closes_at, "langsung",
                       users["teacher"], items_per_attempt=12)
    attempt = db.session.get(Attempt, int(as_user("trainee").post("/tes/tes-tertulis/mulai")
                                          .headers["Location"].rsplit("/", 1)[1]))
    kuks = [i.question.kuk for i in attempt.items]
    assert len(kuks) == 12 and len(set(kuks)) == 10 and kuks.count("2.1") == 2 and kuks.count("2.5") == 2


# --- windows ------------------------------------------------------------------------------

def test_window_is_entered_in_local_time_and_stored_in_utc(as_user, users, quizzes):
    classroom = create_class(users["teacher"], "XI MPLB 2", "2026/2027")
    client = as_user("teacher")
    response = client.post(f"/tes/kelas/{classroom.id}/jadwal", data={
        "opens_at": "2026-11-24T08:00", "closes_at": "2026-11-24T09:30", "review_policy": "setelah-ditutup",
        **SETTINGS})
    assert response.status_code == 302
    window = db.session.scalar(select(QuizWindow))
    # Asia/Jakarta is UTC+7.
    assert window.opens_at == datetime(2026, 11, 24, 1, 0) and window.closes_at == datetime(2026, 11, 24, 2, 30)
    assert window.review_policy == "setelah-ditutup"
    page = client.get(f"/tes/kelas/{classroom.id}/jadwal").get_data(as_text=True)
    assert 'value="2026-11-24T08:00"' in page


def test_window_closing_before_it_opens_is_refused(as_user, users, quizzes):
    classroom = create_class(users["teacher"], "XI MPLB 2", "2026/2027")
    response = as_user("teacher").post(f"/tes/kelas/{classroom.id}/jadwal", data={
        "opens_at": "2026-11-24T10:00", "closes_at": "2026-11-24T09:00", "review_policy": "langsung", **SETTINGS})
    assert response.status_code == 400 and "sesudah waktu buka" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(QuizWindow)) == 0


def test_teacher_closes_the_test_now(as_user, quiz_class):
    client = as_user("teacher")
    unconfirmed = client.post(f"/tes/kelas/{quiz_class.id}/jadwal/tutup", follow_redirects=True)
    assert "Tes belum ditutup" in unconfirmed.get_data(as_text=True)
    assert db.session.scalar(select(QuizWindow.closes_at)) > utcnow()
    assert client.post(f"/tes/kelas/{quiz_class.id}/jadwal/tutup", data={"konfirmasi": "ya"}).status_code == 302
    client = as_user("trainee")
    client.post("/tes/tes-tertulis/mulai")
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_another_teachers_class_is_404_everywhere(as_user, quiz_class, users):
    attempt = _finish(as_user("trainee"), 16)
    other = as_user("teacher2")
    for path in (f"/tes/kelas/{quiz_class.id}/jadwal", f"/tes/kelas/{quiz_class.id}/hasil",
                 f"/tes/kelas/{quiz_class.id}/hasil.csv", f"/tes/kelas/{quiz_class.id}/hasil.xlsx",
                 f"/tes/kelas/{quiz_class.id}/percobaan/{attempt.id}", f"/tes/analisis?kelas={quiz_class.id}"):
        assert other.get(path).status_code == 404, path
    assert other.post(f"/tes/kelas/{quiz_class.id}/jadwal", data={
        "opens_at": "2026-11-24T08:00", "closes_at": "2026-11-24T09:00", "review_policy": "langsung", **SETTINGS}
    ).status_code == 404
    # teacher2's own class exists but the attempt's trainee is not in it.
    theirs = create_class(users["teacher2"], "XI MPLB 9", "2026/2027")
    assert other.get(f"/tes/kelas/{theirs.id}/percobaan/{attempt.id}").status_code == 404
    assert as_user("admin").get(f"/tes/kelas/{quiz_class.id}/hasil").status_code == 200


# --- results ------------------------------------------------------------------------------

def test_results_table_shows_best_last_and_status(as_user, users, quiz_class):
    client = as_user("trainee")
    first = _finish(client, 16)
    last = _finish(client, 12)
    page = as_user("teacher").get(f"/tes/kelas/{quiz_class.id}/hasil").get_data(as_text=True)
    assert users["trainee"].full_name in page and users["trainee2"].full_name in page
    assert ">80<" in page and ">60<" in page and "Lulus" in page and "Belum ikut" in page
    rows = {r["user"].id: r for r in outcome.class_results(quiz_class, service.written_test())}
    mine = rows[users["trainee"].id]
    assert (mine["best"].id, mine["last"].id, mine["counted"].id, mine["status"]) == (first.id, last.id, first.id,
                                                                                     "lulus")
    assert rows[users["trainee2"].id]["status"] == "belum-ikut"
    review = as_user("teacher").get(f"/tes/kelas/{quiz_class.id}/percobaan/{first.id}").get_data(as_text=True)
    assert "PEMBAHASAN-" in review and "jawaban peserta" in review


def test_results_export_as_csv_and_xlsx(as_user, users, quiz_class):
    users["trainee2"].full_name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    _finish(as_user("trainee"), 15)
    client = as_user("teacher")
    response = client.get(f"/tes/kelas/{quiz_class.id}/hasil.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:2] == ["NIS", "Nama"]
    by_nis = {r[0]: r for r in rows[1:]}
    assert by_nis["1001"][3:] == ["1", "75", "75", "75", "75", "Lulus"]
    assert by_nis["1002"][1].startswith("'=") and by_nis["1002"][-1] == "Belum ikut"

    response = client.get(f"/tes/kelas/{quiz_class.id}/hasil.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][:3] == ["NIS", "Nama", "Username"]
    line = next(v for v in values[1:] if v[0] == "1001")
    assert line[3:] == [1, 75.0, 75.0, 75.0, 75, "Lulus"]
    formula = next(v for v in values[1:] if v[0] == "1002")
    assert sheet.cell(row=values.index(formula) + 2, column=2).data_type == "s"


def test_pass_mark_change_reevaluates_status(as_user, users, quiz_class, quizzes):
    _finish(as_user("trainee"), 15)
    assert results.test_result(users["trainee"].id).status == "lulus"
    window = windows.window_for(quizzes["tes-tertulis"].id, quiz_class.id)
    windows.set_window(quiz_class, quizzes["tes-tertulis"], window.opens_at, window.closes_at, "langsung",
                       users["teacher"], pass_mark=80)
    result = results.test_result(users["trainee"].id)
    assert (result.status, result.score, result.attempt_id, result.pass_mark, result.attempts_left) == (
        "belum-lulus", 75.0, db.session.scalar(select(Attempt.id)), 80, 1)


# --- dashboard ----------------------------------------------------------------------------

def test_dashboard_panel_for_trainee_and_teacher(as_user, quiz_class):
    page = as_user("trainee").get("/").get_data(as_text=True)
    assert 'id="panel-quiz"' in page and "Mulai tes tertulis" in page and "Belum ikut" in page
    assert "Bagian ini belum tersedia" not in page.split('id="panel-quiz"')[1].split("</section>")[0]
    client = as_user("trainee")
    client.post("/tes/tes-tertulis/mulai")
    assert "Lanjutkan tes" in client.get("/").get_data(as_text=True)
    teacher = as_user("teacher").get("/").get_data(as_text=True)
    assert 'id="panel-quiz-teacher"' in teacher and f"/tes/kelas/{quiz_class.id}/hasil" in teacher
    assert 'id="panel-quiz"' not in teacher


# --- content ------------------------------------------------------------------------------

def test_shipped_definitions_pass_the_check_and_sync_is_idempotent(app, users, quizzes):
    problems, info = check_definitions(app.config["CONTENT_ROOT"])
    assert problems == [] and len(info) == 3
    quiz = quizzes["tes-tertulis"]
    assert (quiz.kind, quiz.items_per_attempt, quiz.time_limit_minutes, quiz.attempts_allowed, quiz.counting,
            quiz.pass_mark) == ("written", 20, 30, 2, "highest", 75)
    assert sum(quiz.kuk_weights.values()) == 20
    practice = quizzes["latihan-elemen-1"]
    assert practice.kind == "practice" and practice.attempts_allowed is None and practice.time_limit_minutes is None
    windows.update_defaults(quiz, users["admin"], {"items_per_attempt": 20, "time_limit_minutes": 40,
                                                   "attempts_allowed": 2, "counting": "highest", "pass_mark": 70,
                                                   "review_policy": "langsung"})
    assert sync_quizzes(app) == "0 kuis baru, 0 diperbarui"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Quiz)) == 3
    assert (quiz.pass_mark, quiz.time_limit_minutes) == (70, 40)


def test_check_reports_a_broken_definition(tmp_path):
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "quizzes.yml").write_text(
        "quizzes:\n  - code: x\n    kind: exam\n    title: X\n    items_per_attempt: 0\n"
        "    kuk_weights: {'3.1': 1}\n", encoding="utf-8")
    problems, _info = check_definitions(tmp_path)
    text = " ".join(problems)
    assert "kind" in text and "kuk_weights" in text and "items_per_attempt" in text


def test_service_refuses_bad_window_for_practice(users, quizzes):
    from courseware.errors import ServiceError

    classroom = create_class(users["teacher"], "XI MPLB 3", "2026/2027")
    with pytest.raises(ServiceError):
        windows.set_window(classroom, quizzes["latihan-elemen-1"], utcnow(), utcnow() + timedelta(hours=1),
                           "langsung", users["teacher"])
    db.session.add(Enrollment(classroom_id=classroom.id, user_id=users["trainee"].id))
    db.session.commit()
    assert windows.open_window_for(users["trainee"], quizzes["tes-tertulis"]) is None
