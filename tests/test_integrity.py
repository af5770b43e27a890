"""Assessment integrity: each rule attacked through the site with a real login.

- evidence belongs to the performer (a partner is never queued, marked or given a result);
- nobody judges evidence they appear in (a trainee+assessor account);
- written-test keys never reach a trainee (a 30-attempt practice harvest);
- test settings belong to a class (the teacher of another class);
- closing means closed (a second client holding an open attempt);
- an honest unit status before, during and after assessment, audited on every change.
"""
import re
from datetime import timedelta

from sqlalchemy import func, select

from courseware.assessments.models import Judgement
from courseware.audit.models import AuditEvent
from courseware.bank.models import Question
from courseware.classes.models import Enrollment
from courseware.extensions import db
from courseware.models_base import utcnow
from courseware.quizzes import service as quiz_service
from courseware.quizzes import windows as quiz_windows
from courseware.quizzes.models import Attempt, QuizWindow
from courseware.results import status as results

from .conftest import login_as
from .test_assessments_service import judge
from .test_assessments_views import _mark_url, form_for


def _text(response) -> str:
    return response.get_data(as_text=True)


# --- evidence belongs to the performer ------------------------------------------------------

def test_a_classmate_naming_someone_as_partner_never_changes_their_result(assessment_school, app):
    s = assessment_school
    own = s.submit(s.trainee2, "LIK_1")
    judge(own, s.trainee2, s.assessor, s.lik1, "K")
    assert results.lik_result(s.trainee2.id, "LIK_1").status == "K"
    # ani names trainee2 as partner twice; trainee2's K stands and they are never queued.
    first = s.submit(s.ani, "LIK_1", partner=s.trainee2)
    s.submit(s.ani, "LIK_1", partner=s.trainee2)
    assessor = login_as(app.test_client(), s.assessor)
    queue = _text(assessor.get("/penilaian/antrean"))
    assert queue.count(f"/peserta/{s.trainee2.id}\"") == 0 and s.ani.full_name in queue
    response = assessor.get(_mark_url(first, s.trainee2))
    assert response.status_code == 403 and "pasangan" in _text(response)
    response = assessor.post(_mark_url(first, s.trainee2), data=form_for(s.lik1, "K", action="final"))
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Judgement).where(
        Judgement.trainee_id == s.trainee2.id, Judgement.version_id == first.id)) == 0
    assert results.lik_result(s.trainee2.id, "LIK_1").status == "K"
    page = _text(login_as(app.test_client(), s.trainee2).get("/penilaian/hasil/LIK_1"))
    assert "bukan untukmu" in page
    # The rule is stated in one sentence on the practical page and the marking page.
    sheet = _text(login_as(app.test_client(), s.trainee2).get("/praktik/LIK_1"))
    assert "pasangan (Pimpinan) tidak dinilai dari video ini" in sheet
    marking = _text(assessor.get(_mark_url(first, s.ani)))
    assert "pasangan (Pimpinan) tidak dinilai dari video ini" in marking


# --- nobody judges their own evidence ----------------------------------------------------------

def test_a_trainee_assessor_cannot_judge_a_video_they_appear_in(assessment_school, app, make_user):
    s = assessment_school
    both = make_user("ganda", ["trainee", "assessor"], name="Dua Peran", nis="1099")
    db.session.add(Enrollment(classroom_id=s.a.id, user_id=both.id))
    db.session.commit()
    mine = s.submit(both, "LIK_1")
    with_me = s.submit(s.ani, "LIK_2", partner=both)
    someone_else = s.submit(s.trainee, "LIK_2")
    client = login_as(app.test_client(), both)
    queue = _text(client.get("/penilaian/antrean"))
    assert f"/versi/{mine.id}/" not in queue and f"/versi/{with_me.id}/" not in queue
    assert f"/versi/{someone_else.id}/" in queue
    for version, trainee in ((mine, both), (with_me, s.ani)):
        response = client.get(_mark_url(version, trainee))
        assert response.status_code == 403 and "tidak boleh menilainya" in _text(response)
        for action in ("draf", "final"):
            assert client.post(_mark_url(version, trainee),
                               data=form_for(version.submission.practical, "K", action=action)).status_code == 403
    # Another assessor's BK on that trainee's own video cannot be corrected by them to K.
    bk = judge(mine, both, s.assessor, s.lik1, "BK")
    data = {**form_for(s.lik1, "K"), "alasan": "Saya merasa sudah benar semua di video ini."}
    assert client.post(f"/penilaian/koreksi/{bk.id}", data=data).status_code == 403
    assert results.lik_result(both.id, "LIK_1").status == "BK"
    assert db.session.scalar(select(func.count()).select_from(Judgement).where(
        Judgement.assessor_id == both.id)) == 0
    # ...while a video they are not in is theirs to judge.
    assert client.get(_mark_url(someone_else, s.trainee)).status_code == 200


def test_no_record_ever_names_one_person_as_trainee_and_assessor(assessment_school):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    db.session.add(Judgement(version_id=version.id, trainee_id=s.trainee.id, assessor_id=s.trainee.id,
                             state="draft"))
    try:
        db.session.commit()
        raise AssertionError("a self-judgement row was stored")
    except Exception as exc:   # the ORM guard refuses it before any SQL runs
        db.session.rollback()
        assert "dirinya sendiri" in str(exc)


# --- written-test keys never leak ---------------------------------------------------------

def test_thirty_practice_attempts_never_reveal_an_ujian_item(as_user, quiz_class, quizzes):
    exam = {q.id: q for q in db.session.scalars(select(Question).where(Question.pool == "ujian"))}
    secrets = [q.explanation for q in exam.values()] + [q.stem for q in exam.values()]
    client = as_user("trainee")
    seen = []
    for n in range(30):
        code = "latihan-elemen-1" if n % 2 else "latihan-elemen-2"
        response = client.post(f"/tes/{code}/mulai")
        attempt = db.session.get(Attempt, int(response.headers["Location"].rsplit("/", 1)[1]))
        pages = [_text(client.get(f"/tes/percobaan/{attempt.id}"))]
        for item in attempt.items:
            answer = client.post(f"/tes/percobaan/{attempt.id}/jawab", headers={"Accept": "application/json"},
                                 data={"posisi": item.position, "pilihan": item.option_order[0]})
            pages.append(_text(answer))
        client.post(f"/tes/percobaan/{attempt.id}/kumpulkan")
        pages.append(_text(client.get(f"/tes/percobaan/{attempt.id}/hasil")))
        seen += [i.question_id for i in attempt.items]
        text = "\n".join(pages)
        assert "PEMBAHASAN-" in text     # practice keys and explanations do show...
        leaked = [s for s in secrets if s in text]
        assert leaked == [], leaked        # ...but never an ujian item's
    assert seen and not set(seen) & set(exam)


def test_an_old_practice_attempt_holding_a_moved_item_hides_its_key(as_user, quiz_class, quizzes):
    client = as_user("trainee")
    response = client.post("/tes/latihan-elemen-1/mulai")
    attempt = db.session.get(Attempt, int(response.headers["Location"].rsplit("/", 1)[1]))
    moved = attempt.items[0]
    moved.question.pool = "ujian"        # a teacher moves the item to the written test's pool
    db.session.commit()
    answer = client.post(f"/tes/percobaan/{attempt.id}/jawab", headers={"Accept": "application/json"},
                         data={"posisi": moved.position, "pilihan": moved.option_order[0]})
    assert answer.status_code == 200 and answer.get_json()["feedback"] is None
    client.post(f"/tes/percobaan/{attempt.id}/kumpulkan")
    assert moved.question.explanation not in _text(client.get(f"/tes/percobaan/{attempt.id}/hasil"))


def test_a_pool_that_cannot_fill_the_test_refuses_to_start(as_user, quiz_class, quizzes):
    for question in db.session.scalars(select(Question).where(Question.kuk == "2.1", Question.pool == "ujian")):
        question.pool = "latihan"
    db.session.commit()
    client = as_user("trainee")
    response = client.post("/tes/tes-tertulis/mulai", follow_redirects=True)
    assert "KUK 2.1 butuh 3, ada 0" in _text(response)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    page = _text(as_user("teacher").get(f"/tes/kelas/{quiz_class.id}/jadwal"))
    assert "belum cukup" in page


# --- settings belong to a class ------------------------------------------------------------

def test_the_teacher_of_another_class_cannot_change_this_classes_settings(app, users, as_user, quiz_class,
                                                                          quizzes, make_user):
    from courseware.classes.service import create_class

    other = create_class(users["teacher2"], "XI MPLB 9", "2026/2027")
    budi = make_user("budi", ["trainee"], nis="2001")
    db.session.add(Enrollment(classroom_id=other.id, user_id=budi.id))
    db.session.commit()
    now = utcnow()
    quizzes_ = quizzes["tes-tertulis"]
    quiz_windows.set_window(other, quizzes_, now - timedelta(hours=1), now + timedelta(hours=2), "langsung",
                       users["teacher2"])
    # budi (teacher2's class) passes with 80.
    budi_client = login_as(app.test_client(), budi)
    attempt = db.session.get(Attempt, int(budi_client.post("/tes/tes-tertulis/mulai").headers["Location"]
                                          .rsplit("/", 1)[1]))
    answers = {f"jawaban-{i.position}": (i.question.key_option.id if n < 16 else
                                         next(o.id for o in i.question.options if not o.is_key))
               for n, i in enumerate(attempt.items)}
    budi_client.post(f"/tes/percobaan/{attempt.id}/kumpulkan", data=answers)
    assert results.test_result(budi.id).status == "lulus"
    # teacher (class A) tries teacher2's class: 404; the shared defaults: 403.
    teacher = as_user("teacher")
    form = {"opens_at": "2026-11-24T08:00", "closes_at": "2026-11-24T09:00", "review_policy": "langsung",
            "items_per_attempt": 20, "time_limit_minutes": 30, "attempts_allowed": 2, "counting": "highest",
            "pass_mark": 100}
    assert teacher.post(f"/tes/kelas/{other.id}/jadwal", data=form).status_code == 404
    assert teacher.post(f"/tes/kelas/{other.id}/jadwal/tutup").status_code == 404
    assert teacher.post("/tes/kelola/tes-tertulis", data={**form, "pass_mark": 0}).status_code == 403
    # Their own class: KKTP 100 changes class A only.
    window = db.session.scalar(select(QuizWindow).where(QuizWindow.classroom_id == quiz_class.id))
    form.update(opens_at=quiz_windows.window_for(quizzes_.id, quiz_class.id).opens_at.strftime("%Y-%m-%dT%H:%M"))
    assert teacher.post(f"/tes/kelas/{quiz_class.id}/jadwal", data={**form, "closes_at": "2099-01-01T00:00"}
                        ).status_code == 302
    db.session.expire_all()
    assert db.session.get(QuizWindow, window.id).pass_mark == 100
    assert db.session.scalar(select(QuizWindow.pass_mark).where(QuizWindow.classroom_id == other.id)) == 75
    assert results.test_result(budi.id).status == "lulus"


def test_a_settings_change_that_flips_a_status_is_audited_for_that_class_only(as_user, users, quiz_class, quizzes):
    client = as_user("trainee")
    attempt = db.session.get(Attempt, int(client.post("/tes/tes-tertulis/mulai").headers["Location"]
                                          .rsplit("/", 1)[1]))
    answers = {f"jawaban-{i.position}": i.question.key_option.id for i in attempt.items[:16]}
    client.post(f"/tes/percobaan/{attempt.id}/kumpulkan", data=answers)
    window = quiz_windows.window_for(quizzes["tes-tertulis"].id, quiz_class.id)
    # KKTP 90 with one attempt allowed: the 80 is now a fail with nothing left, which decides the unit.
    quiz_windows.set_window(quiz_class, quizzes["tes-tertulis"], window.opens_at, window.closes_at, "langsung",
                       users["teacher"], pass_mark=90, attempts_allowed=1)
    assert results.test_result(users["trainee"].id).status == "tidak-lulus"
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "unit.status")))
    assert [(e.target, e.detail["from"], e.detail["to"], e.detail["cause"]) for e in events] == [
        (f"user:{users['trainee'].id}", "dalam-proses", "belum-kompeten", "pengaturan-tes")]
    assert events[0].actor_id == users["teacher"].id


# --- closing means closed ---------------------------------------------------------------

def test_closing_the_window_stops_an_attempt_another_client_holds_open(app, users, as_user, quiz_class):
    trainee = as_user("trainee")
    attempt = db.session.get(Attempt, int(trainee.post("/tes/tes-tertulis/mulai").headers["Location"]
                                          .rsplit("/", 1)[1]))
    first, second = attempt.items[0], attempt.items[1]
    saved = trainee.post(f"/tes/percobaan/{attempt.id}/jawab", headers={"Accept": "application/json"},
                         data={"posisi": first.position, "pilihan": first.question.key_option.id})
    assert saved.status_code == 200 and saved.get_json()["seconds_left"] > 29 * 60
    response = as_user("teacher").post(f"/tes/kelas/{quiz_class.id}/jadwal/tutup", data={"konfirmasi": "ya"},
                                      follow_redirects=True)
    assert "1 percobaan yang sedang berjalan dikumpulkan" in _text(response)
    # The open page learns it at its next sync or save; the late answer is refused with 409.
    assert trainee.get(f"/tes/percobaan/{attempt.id}/waktu").get_json()["closed"] is True
    late = trainee.post(f"/tes/percobaan/{attempt.id}/jawab", headers={"Accept": "application/json"},
                        data={"posisi": second.position, "pilihan": second.question.key_option.id})
    assert late.status_code == 409 and "Guru sudah menutup tes ini" in late.get_json()["error"]
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.submitted_how == "ditutup-guru" and attempt.correct_count == 1
    # One unit-status entry for that trainee (started -> in process is no change; nothing doubled).
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.in_(("quiz.submit", "unit.status")),
                                                         AuditEvent.target.in_((f"attempt:{attempt.id}",
                                                                                f"user:{users['trainee'].id}")))).all()
    assert [e.action for e in events] == ["quiz.submit"]
    assert attempt.score == round(100 / attempt.item_count, 2)
    assert db.session.get(type(second), second.id).chosen_option_id is None


def test_shortening_the_window_pulls_the_running_deadline_in(app, users, as_user, quiz_class, quizzes):
    trainee = as_user("trainee")
    attempt_id = int(trainee.post("/tes/tes-tertulis/mulai").headers["Location"].rsplit("/", 1)[1])
    window = quiz_windows.window_for(quizzes["tes-tertulis"].id, quiz_class.id)
    quiz_windows.set_window(quiz_class, quizzes["tes-tertulis"], window.opens_at, utcnow() + timedelta(minutes=5),
                       "langsung", users["teacher"])
    left = trainee.get(f"/tes/percobaan/{attempt_id}/waktu").get_json()["seconds_left"]
    assert 200 < left <= 300


# --- an honest status ----------------------------------------------------------------------

def test_status_before_during_and_after_assessment_on_every_page(assessment_school, app):
    s = assessment_school
    trainee = login_as(app.test_client(), s.trainee)
    teacher = login_as(app.test_client(), s.teacher)

    def pages():
        return [_text(trainee.get("/")), _text(teacher.get(f"/penilaian/kelas/{s.a.id}/rekap")),
                _text(teacher.get(f"/penilaian/kelas/{s.a.id}/laporan")),
                _text(teacher.get(f"/penilaian/rekaman/{s.trainee.id}"))]

    decided = 'tag-bad">Belum Kompeten'     # the unit tag, not the K/BK legend of the forms
    before = pages()
    assert all(decided not in p for p in before)
    assert "Dalam proses" in before[0] and "Belum dinilai" in before[2]
    version = s.submit(s.trainee, "LIK_2")
    during = pages()
    assert all(decided not in p for p in during) and "Menunggu penilaian LIK_2" in during[0]
    judge(version, s.trainee, s.assessor, s.lik2, "BK")
    after = pages()
    assert decided in after[0] and decided in after[1]
    assert re.search(r"<td[^>]*>BK · ", after[2])
    csv_text = _text(teacher.get(f"/penilaian/kelas/{s.a.id}/rekap.csv"))
    assert "Belum Kompeten" in csv_text and "Dalam proses" in csv_text    # ani is still in process


def test_the_shipped_ujian_pool_fills_two_attempts_without_repeats(app, users, as_user, make_user):
    """116-item bank: 7 ujian items per KUK (10 for 2.1 and 2.5) give two 20-item attempts with no repeat."""
    from courseware.cli import run_content_sync
    from courseware.classes.service import create_class

    run_content_sync(app)
    classroom = create_class(users["teacher"], "XI BANK", "2026/2027")
    db.session.add(Enrollment(classroom_id=classroom.id, user_id=users["trainee"].id))
    db.session.commit()
    now = utcnow()
    quiz_windows.set_window(classroom, quiz_service.written_test(), now - timedelta(hours=1),
                            now + timedelta(hours=2), "langsung", users["teacher"])
    client = as_user("trainee")
    drawn = []
    for _ in range(2):
        attempt_id = int(client.post("/tes/tes-tertulis/mulai").headers["Location"].rsplit("/", 1)[1])
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.item_count == 20
        assert {i.question.pool for i in attempt.items} == {"ujian"}
        drawn.append({i.question_id for i in attempt.items})
        client.post(f"/tes/percobaan/{attempt_id}/kumpulkan")
    assert drawn[0].isdisjoint(drawn[1])


def test_closing_that_decides_a_unit_is_audited_once(users, as_user, quiz_class, quizzes):
    window = quiz_windows.window_for(quizzes["tes-tertulis"].id, quiz_class.id)
    quiz_windows.set_window(quiz_class, quizzes["tes-tertulis"], window.opens_at, window.closes_at, "langsung",
                            users["teacher"], attempts_allowed=1)
    trainee = as_user("trainee")
    trainee.post("/tes/tes-tertulis/mulai")        # nothing answered: the closed attempt scores 0
    as_user("teacher").post(f"/tes/kelas/{quiz_class.id}/jadwal/tutup", data={"konfirmasi": "ya"})
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "unit.status")).all()
    assert [(e.detail["to"], e.detail["cause"]) for e in events] == [("belum-kompeten", "tes-ditutup")]
    assert results.test_result(users["trainee"].id).status == "tidak-lulus"


def test_an_absurd_item_count_on_the_window_page_is_refused_at_once(as_user, quiz_class):
    """A fuzzed 2**63 item count once made the shortfall check loop for ever inside the request."""
    response = as_user("teacher").post(f"/tes/kelas/{quiz_class.id}/jadwal", data={
        "opens_at": "2026-11-24T08:00", "closes_at": "2026-11-24T09:00", "review_policy": "langsung",
        "items_per_attempt": str(2 ** 63), "counting": "highest", "pass_mark": 75})
    assert response.status_code == 400
