"""FR.IA.05: the counted attempt's answer sheet, its gates, and the assessor's signed feedback."""
from datetime import timedelta

from sqlalchemy import select

from courseware.berkas.models import AssessmentForm
from courseware.extensions import db
from courseware.models_base import utcnow
from courseware.quizzes.models import Quiz

from .berkas2_fixtures import as_client, berkas_school, sit_test, text  # noqa: F401
from .berkas_helpers import signed


def test_staff_see_every_item_as_shown_with_key_and_tercapai(app, berkas_school):
    s = berkas_school
    page = text(as_client(app, s.teacher).get(f"/berkas/ia05/{s.attempt.id}"))
    assert "FR.IA.05" in page and "Pertanyaan Tertulis Pilihan Ganda" in page and s.trainee.full_name in page
    assert page.count("Tercapai: ya") == s.attempt.item_count - 2 and page.count("Tercapai: tidak") == 2
    assert "KKTP kelas" in page and "75" in page
    first = s.attempt.items[0]
    shown = [o.text for o in first.question.options if o.id in first.option_order]
    ordered = sorted(shown, key=lambda t: page.index(t))
    by_id = {o.id: o.text for o in first.question.options}
    assert ordered == [by_id[i] for i in first.option_order]       # options in the order shown
    assert as_client(app, s.assessor).get(f"/berkas/ia05/{s.attempt.id}").status_code == 200


def test_other_class_teacher_and_other_trainee_get_404(app, berkas_school):
    s = berkas_school
    for user in (s.teacher2, s.trainee2, s.budi):
        assert as_client(app, user).get(f"/berkas/ia05/{s.attempt.id}").status_code == 404, user.username


def test_practice_and_not_counted_attempts_have_no_sheet(app, berkas_school):
    from courseware.quizzes import taking

    s = berkas_school
    practice = db.session.scalar(select(Quiz).where(Quiz.kind == "practice").limit(1))
    attempt, _ = taking.start_or_resume(s.trainee2, practice)
    taking.submit(attempt.id, s.trainee2)
    assert as_client(app, s.teacher).get(f"/berkas/ia05/{attempt.id}").status_code == 404
    second = sit_test(s.trainee, s.quiz, wrong=6)       # lower: the highest still counts
    assert as_client(app, s.teacher).get(f"/berkas/ia05/{second.id}").status_code == 404
    assert as_client(app, s.teacher).get(f"/berkas/ia05/{s.attempt.id}").status_code == 200


def test_trainee_sees_keys_only_when_the_window_review_allows(app, berkas_school):
    from courseware.quizzes.models import QuizWindow

    s = berkas_school
    window = db.session.scalar(select(QuizWindow).where(QuizWindow.classroom_id == s.a.id))
    window.review_policy = "setelah-ditutup"
    db.session.commit()
    key_text = next(o.text for o in s.attempt.items[0].question.options if o.is_key)
    page = text(as_client(app, s.trainee).get(f"/berkas/ia05/{s.attempt.id}"))
    assert "Tercapai: ya" not in page and "Tercapai: tidak" not in page and "tag-ok\">kunci" not in page
    assert "setelah tes ditutup" in page and key_text in page     # options shown, key not marked
    assert "is-key" not in page
    # the staff sheet is not gated
    assert "Tercapai: ya" in text(as_client(app, s.teacher).get(f"/berkas/ia05/{s.attempt.id}"))
    window.closes_at = utcnow() - timedelta(minutes=1)
    window.opens_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    page = text(as_client(app, s.trainee).get(f"/berkas/ia05/{s.attempt.id}"))
    assert "Tercapai: ya" in page and "is-key" in page


def test_assessor_signs_feedback_and_the_form_locks(app, berkas_school):
    s = berkas_school
    url = f"/berkas/ia05/{s.attempt.id}/umpan-balik"
    assert as_client(app, s.teacher).post(url, data={"umpan_balik": "Bagus", **signed()}).status_code == 403
    bad = as_client(app, s.assessor).post(url, data={"umpan_balik": "Bagus", "typed_name": "A", "drawing": "x"})
    assert bad.status_code == 303
    assert db.session.scalar(select(AssessmentForm).where(AssessmentForm.kind == "FR.IA.05")) is None
    response = as_client(app, s.assessor).post(url, data={"umpan_balik": "Pelajari lagi KUK 2.5.",
                                                          **signed("Asesor Satu")})
    assert response.status_code == 302
    form = db.session.scalar(select(AssessmentForm).where(AssessmentForm.kind == "FR.IA.05"))
    assert form.subject_key == f"attempt:{s.attempt.id}" and form.is_locked and form.fingerprint
    page = text(as_client(app, s.trainee).get(f"/berkas/ia05/{s.attempt.id}"))
    assert "Pelajari lagi KUK 2.5." in page and form.fingerprint in page
    again = as_client(app, s.assessor2).post(url, data={"umpan_balik": "Ganti", **signed("Asesor Dua")})
    assert again.status_code == 303
    db.session.refresh(form)
    assert form.content["feedback"] == "Pelajari lagi KUK 2.5."
