"""A school for the FR.IA.05 / AK.03 / AK.04 / berkas PDF tests: class A with a written-test window,
counted attempts and final LIK judgements (assessment_school from conftest underneath)."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from courseware.extensions import db
from courseware.models_base import utcnow

from .test_assessments_service import judge


def sit_test(trainee, quiz, wrong: int = 0):
    """Start, answer (the first `wrong` items wrong, the rest right) and submit one attempt."""
    from courseware.quizzes import outcome
    from courseware.quizzes import taking

    attempt, _created = taking.start_or_resume(trainee, quiz)
    answers = {}
    for item in attempt.items:
        options = outcome.shown_options(item)
        key = next(o for o in options if o.is_key)
        other = next(o for o in options if not o.is_key)
        answers[item.position] = (other if item.position <= wrong else key).id
    taking.save_answers(attempt.id, trainee, answers)
    taking.submit(attempt.id, trainee)
    db.session.expire_all()
    return db.session.get(type(attempt), attempt.id)


@pytest.fixture
def berkas_school(app, assessment_school, quizzes, make_user):
    """trainee: test passed (attempt 1), LIK_1 K, LIK_2 BK by `assessor` -> unit Belum Kompeten.
    trainee2: a practice attempt only. assessor2: a second assessor. ganda: trainee+assessor in class A."""
    from courseware.classes.models import Enrollment
    from courseware.quizzes.windows import set_window

    app.config["BERKAS_GATES"] = False          # the APL.02/AK.01 gates are feat/forms' tests
    s = assessment_school
    quiz = quizzes["tes-tertulis"]
    now = utcnow()
    set_window(s.a, quiz, now - timedelta(hours=1), now + timedelta(hours=2), "langsung", s.teacher)
    s.quiz = quiz
    s.attempt = sit_test(s.trainee, quiz, wrong=2)
    s.j1 = judge(s.submit(s.trainee, "LIK_1"), s.trainee, s.assessor, s.lik1, "K")
    s.j2 = judge(s.submit(s.trainee, "LIK_2"), s.trainee, s.assessor, s.lik2, "BK")
    s.assessor2 = make_user("asesor2", ["assessor"], name="Asesor Kedua")
    s.ganda = make_user("ganda", ["trainee", "assessor"], name="Gita Ganda", nis="1009")
    db.session.add(Enrollment(classroom_id=s.a.id, user_id=s.ganda.id))
    db.session.commit()
    return s


def as_client(app, user):
    from .conftest import login_as

    return login_as(app.test_client(), user)


def text(response) -> str:
    return response.get_data(as_text=True)


__all__ = ["SimpleNamespace", "as_client", "berkas_school", "sit_test", "text"]
