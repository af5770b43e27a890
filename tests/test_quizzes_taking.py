"""Taking a quiz: windows, stratified and shuffled items, autosave, the server's clock,
exactly-once submission, and no key or explanation in the browser before submission."""
import re
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from courseware.audit.models import AuditEvent
from courseware.bank.models import Question
from courseware.extensions import db
from courseware.models_base import utcnow
from courseware.quizzes import outcome, selection, taking, windows
from courseware.results import status as results
from courseware.quizzes.models import Attempt, AttemptItem, QuizWindow

from .conftest import login_as

JSON = {"Accept": "application/json"}


def _start(client, code="tes-tertulis") -> Attempt:
    response = client.post(f"/tes/{code}/mulai")
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/tes/percobaan/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return db.session.get(Attempt, int(match.group(1)))


def _key_id(item: AttemptItem) -> int:
    return item.question.key_option.id


def _wrong_id(item: AttemptItem) -> int:
    return next(o.id for o in item.question.options if not o.is_key)


def _answer(client, attempt, position, option_id, **kwargs):
    return client.post(f"/tes/percobaan/{attempt.id}/jawab", data={"posisi": position, "pilihan": option_id},
                       headers=JSON, **kwargs)


# --- starting -----------------------------------------------------------------------------

def test_written_test_needs_an_open_window_of_the_trainees_class(as_user, users, quizzes):
    client = as_user("trainee")
    response = client.post("/tes/tes-tertulis/mulai")
    assert response.status_code == 302
    assert "belum dibuka" in client.get("/tes/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_closed_window_refuses_start(as_user, quiz_class, quizzes):
    window = db.session.scalar(select(QuizWindow))
    window.opens_at, window.closes_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1)
    db.session.commit()
    as_user("trainee").post("/tes/tes-tertulis/mulai")
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_attempt_is_stratified_and_its_shuffle_is_stored(as_user, quiz_class):
    attempt = _start(as_user("trainee"))
    assert attempt.item_count == 20 and len(attempt.items) == 20
    per_kuk = Counter(item.question.kuk for item in attempt.items)
    # quizzes.yml: 3 for the critical KUKs 2.1 and 2.5, 1 for 2.3 and 2.4, 2 for the others.
    assert per_kuk == {"1.1": 2, "1.2": 2, "1.3": 2, "1.4": 2, "2.1": 3, "2.2": 2, "2.3": 1, "2.4": 1,
                       "2.5": 3, "2.6": 2}
    assert [i.question_id for i in attempt.items] == attempt.question_order
    for item in attempt.items:
        assert sorted(item.option_order) == sorted(o.id for o in item.question.options)
    # The page shows the stored order: questions by position, options as stored.
    page = as_user("trainee").get(f"/tes/percobaan/{attempt.id}").get_data(as_text=True)
    stems = [page.index(item.question.stem) for item in attempt.items]
    assert stems == sorted(stems)
    first = attempt.items[0]
    texts = {o.id: o.text for o in first.question.options}
    places = [page.index(texts[i]) for i in first.option_order]
    assert places == sorted(places)


def test_allocation_keeps_every_kuk_and_favours_critical_ones():
    weights = {"1.1": 2, "1.2": 2, "1.3": 2, "1.4": 2, "2.1": 3, "2.2": 2, "2.3": 1, "2.4": 1, "2.5": 3, "2.6": 2}
    plenty = {k: 7 for k in weights}
    assert sum(selection.allocate(20, weights, plenty).values()) == 20
    twelve = selection.allocate(12, weights, plenty)
    assert all(twelve[k] >= 1 for k in weights) and twelve["2.1"] == 2 and twelve["2.5"] == 2
    assert set(selection.allocate(2, weights, plenty)) == {"2.1", "2.5"}
    # Never more than the bank holds; the rest goes elsewhere.
    short = selection.allocate(20, weights, {**plenty, "2.1": 1})
    assert short["2.1"] == 1 and sum(short.values()) == 20


def test_reopening_resumes_the_same_attempt(as_user, quiz_class):
    client = as_user("trainee")
    first = _start(client)
    again = _start(client)
    assert first.id == again.id
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


# --- who may open what --------------------------------------------------------------------

def test_another_trainee_cannot_open_or_touch_an_attempt(as_user, quiz_class):
    attempt = _start(as_user("trainee"))
    item = attempt.items[0]
    other = as_user("trainee2")
    assert other.get(f"/tes/percobaan/{attempt.id}").status_code == 404
    assert other.get(f"/tes/percobaan/{attempt.id}/hasil").status_code == 404
    assert _answer(other, attempt, 1, _key_id(item)).status_code == 404
    assert other.post(f"/tes/percobaan/{attempt.id}/simpan", data={"jawaban-1": _key_id(item)}).status_code == 404
    assert other.post(f"/tes/percobaan/{attempt.id}/kumpulkan").status_code == 404
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).submitted_at is None
    assert db.session.get(AttemptItem, item.id).chosen_option_id is None


@pytest.mark.parametrize("path", ["/tes/", "/tes/percobaan/{id}", "/tes/percobaan/{id}/hasil"])
def test_wrong_role_is_403_and_anonymous_goes_to_login(app, as_user, quiz_class, path):
    attempt = _start(as_user("trainee"))
    assert as_user("teacher").get(path.format(id=attempt.id)).status_code == 403
    response = app.test_client().get(path.format(id=attempt.id))
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


# --- no key before submission -------------------------------------------------------------

def test_page_source_before_submission_holds_no_key_and_no_explanation(as_user, quiz_class):
    client = as_user("trainee")
    attempt = _start(client)
    saved = _answer(client, attempt, 1, _wrong_id(attempt.items[0]))
    assert saved.get_json()["saved"] is True and saved.get_json()["feedback"] is None
    assert "PEMBAHASAN" not in saved.get_data(as_text=True)
    page = client.get(f"/tes/percobaan/{attempt.id}").get_data(as_text=True)
    assert "PEMBAHASAN" not in page
    assert "is-key" not in page and "is_key" not in page and "kunci" not in page.lower()
    for item in attempt.items:
        key = item.question.key_option
        # The key's option is written exactly like every other option.
        assert f'value="{key.id}">' in page or f'value="{key.id}" checked>' in page
    # After submission (review "langsung") the key and the explanation are shown.
    client.post(f"/tes/percobaan/{attempt.id}/kumpulkan")
    result = client.get(f"/tes/percobaan/{attempt.id}/hasil").get_data(as_text=True)
    assert "PEMBAHASAN-" in result and "kunci" in result


def test_review_waits_for_the_window_to_close_when_the_teacher_says_so(as_user, quiz_class):
    window = db.session.scalar(select(QuizWindow))
    window.review_policy = "setelah-ditutup"
    db.session.commit()
    client = as_user("trainee")
    attempt = _start(client)
    client.post(f"/tes/percobaan/{attempt.id}/kumpulkan")
    page = client.get(f"/tes/percobaan/{attempt.id}/hasil").get_data(as_text=True)
    assert "Nilai" in page and "setelah tes ditutup" in page
    assert "PEMBAHASAN" not in page
    window = db.session.scalar(select(QuizWindow))
    window.opens_at, window.closes_at = utcnow() - timedelta(hours=3), utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "PEMBAHASAN-" in client.get(f"/tes/percobaan/{attempt.id}/hasil").get_data(as_text=True)


# --- saving answers -----------------------------------------------------------------------

def test_each_answer_is_saved_when_chosen_and_survives_a_reload(as_user, quiz_class):
    client = as_user("trainee")
    attempt = _start(client)
    item = attempt.items[3]
    response = _answer(client, attempt, 4, _wrong_id(item))
    data = response.get_json()
    assert response.status_code == 200 and data["saved"] and data["answered"] == 1
    assert 0 < data["seconds_left"] <= 30 * 60
    # Changing one's mind in the written test is allowed until submission.
    _answer(client, attempt, 4, _key_id(item))
    assert db.session.get(AttemptItem, item.id).chosen_option_id == _key_id(item)
    page = client.get(f"/tes/percobaan/{attempt.id}").get_data(as_text=True)
    assert f'value="{_key_id(item)}" checked>' in page


def test_answer_without_csrf_or_with_a_foreign_option_is_refused(as_user, quiz_class):
    client = as_user("trainee")
    attempt = _start(client)
    first, second = attempt.items[0], attempt.items[1]
    assert _answer(client, attempt, 1, _key_id(first), csrf=False).status_code == 400
    response = _answer(client, attempt, 1, _key_id(second))    # an option of another question
    assert response.status_code == 400 and "tidak dikenal" in response.get_json()["error"]
    assert _answer(client, attempt, 99, _key_id(first)).status_code == 400
    assert db.session.get(AttemptItem, first.id).chosen_option_id is None


def test_form_without_javascript_saves_and_submits(as_user, quiz_class):
    client = as_user("trainee")
    attempt = _start(client)
    answers = {f"jawaban-{i.position}": _key_id(i) for i in attempt.items[:10]}
    assert client.post(f"/tes/percobaan/{attempt.id}/simpan", data=answers).status_code == 302
    assert sum(1 for i in db.session.get(Attempt, attempt.id).items if i.chosen_option_id) == 10
    more = {f"jawaban-{i.position}": _key_id(i) for i in attempt.items[10:15]}
    response = client.post(f"/tes/percobaan/{attempt.id}/kumpulkan", data=more)
    assert response.headers["Location"].endswith(f"/tes/percobaan/{attempt.id}/hasil")
    done = db.session.get(Attempt, attempt.id)
    assert done.correct_count == 15 and done.score == 75.0 and done.submitted_how == "tombol"
    page = client.get(f"/tes/percobaan/{attempt.id}/hasil").get_data(as_text=True)
    assert "Lulus" in page and "15 dari 20 benar" in page


# --- the server's clock -------------------------------------------------------------------

def _expire(attempt):
    row = db.session.get(Attempt, attempt.id)
    row.deadline_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


def test_answer_after_the_time_limit_is_refused_and_the_attempt_closes(as_user, quiz_class):
    client = as_user("trainee")
    attempt = _start(client)
    first, second = attempt.items[0], attempt.items[1]
    _answer(client, attempt, 1, _key_id(first))
    _expire(attempt)
    late = _answer(client, attempt, 2, _key_id(second))
    assert late.status_code == 409
    body = late.get_json()
    assert body["saved"] is False and body["closed"] is True and "Waktu habis" in body["error"]
    assert body["redirect"].endswith(f"/tes/percobaan/{attempt.id}/hasil")
    closed = db.session.get(Attempt, attempt.id)
    assert closed.submitted_how == "waktu-habis" and closed.correct_count == 1 and closed.score == 5.0
    assert db.session.get(AttemptItem, second.id).chosen_option_id is None
    # A late "Kumpulkan" with answers in it does not sneak them in either.
    client.post(f"/tes/percobaan/{attempt.id}/kumpulkan", data={"jawaban-3": _key_id(attempt.items[2])})
    assert db.session.get(AttemptItem, attempt.items[2].id).chosen_option_id is None


def test_an_expired_attempt_reads_closed_on_any_page_and_the_periodic_task_scores_it(as_user, quiz_class):
    from courseware.quizzes.tasks import close_expired_attempts

    client = as_user("trainee")
    attempt = _start(client)
    _answer(client, attempt, 1, _key_id(attempt.items[0]))
    _expire(attempt)
    response = client.get(f"/tes/percobaan/{attempt.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/hasil")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "1 dari 20 benar" in page.get_data(as_text=True)
    assert "waktu habis" in page.get_data(as_text=True)
    assert db.session.get(Attempt, attempt.id).submitted_at is None   # pages read, they never write
    assert "nilai 5" in client.get("/tes/").get_data(as_text=True)
    close_expired_attempts.call_local()                               # the worker's minute tick
    closed = db.session.get(Attempt, attempt.id)
    assert closed.submitted_how == "waktu-habis" and closed.submitted_at is not None and closed.score == 5.0
    assert "1 dari 20 benar" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_deadline_never_passes_the_window_close(as_user, quiz_class):
    window = db.session.scalar(select(QuizWindow))
    window.closes_at = utcnow() + timedelta(minutes=10)
    db.session.commit()
    attempt = _start(as_user("trainee"))
    assert attempt.deadline_at == window.closes_at


# --- submitting exactly once --------------------------------------------------------------

def test_double_press_records_one_submission_and_shows_the_result(as_user, quiz_class):
    client = as_user("trainee")
    attempt = _start(client)
    first = client.post(f"/tes/percobaan/{attempt.id}/kumpulkan")
    second = client.post(f"/tes/percobaan/{attempt.id}/kumpulkan")
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].endswith("/hasil")
    assert client.get(second.headers["Location"]).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "quiz.submit")) == 1


def test_two_concurrent_submits_record_one_submission(app, users, quiz_class):
    trainee = users["trainee"]
    attempt = _start(login_as(app.test_client(), trainee))
    item = attempt.items[0]
    key = _key_id(item)
    barrier = threading.Barrier(4)
    statuses, errors = [], []

    def press():
        try:
            with app.app_context():
                client = login_as(app.test_client(), trainee)
                barrier.wait(timeout=10)
                response = client.post(f"/tes/percobaan/{attempt.id}/kumpulkan", data={"jawaban-1": key})
                statuses.append((response.status_code, response.headers.get("Location", "")))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=press) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(statuses) == 4
    assert all(code == 302 and location.endswith("/hasil") for code, location in statuses)
    db.session.rollback()   # end this thread's read snapshot; see what the other threads committed
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "quiz.submit")) == 1
    done = db.session.get(Attempt, attempt.id)
    assert done.correct_count == 1 and done.score == 5.0


def test_service_submit_races_in_threads(app, users, quiz_class):
    """The same race one level down: the service call, each thread on its own connection."""
    trainee_id = users["trainee"].id
    attempt = _start(login_as(app.test_client(), users["trainee"]))
    barrier = threading.Barrier(6)
    results = []

    def race():
        with app.app_context():
            from courseware.accounts.models import User

            user = db.session.get(User, trainee_id)
            barrier.wait(timeout=10)
            results.append(taking.submit(attempt.id, user))
            db.session.remove()

    threads = [threading.Thread(target=race) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False] * 5 + [True]


# --- attempts and the counting rule -------------------------------------------------------

def _take(client, correct: int) -> Attempt:
    attempt = _start(client)
    answers = {f"jawaban-{i.position}": (_key_id(i) if n < correct else _wrong_id(i))
               for n, i in enumerate(attempt.items)}
    client.post(f"/tes/percobaan/{attempt.id}/kumpulkan", data=answers)
    return db.session.get(Attempt, attempt.id)


def test_attempts_allowed_and_the_highest_counts(as_user, users, quiz_class):
    client = as_user("trainee")
    assert results.test_result(users["trainee"].id).status == "belum-ikut"
    first = _take(client, 18)
    second = _take(client, 10)
    assert (first.score, second.score) == (90.0, 50.0)
    status = results.test_result(users["trainee"].id)
    assert (status.status, status.score, status.attempt_id, status.pass_mark) == ("lulus", 90.0, first.id, 75)
    client.post("/tes/tes-tertulis/mulai")
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2
    assert "sudah habis" in client.get("/tes/").get_data(as_text=True)


def test_last_attempt_counts_when_the_teacher_says_so(as_user, users, quiz_class, quizzes):
    window = windows.window_for(quizzes["tes-tertulis"].id, quiz_class.id)
    window.counting = "last"
    db.session.commit()
    client = as_user("trainee")
    _take(client, 18)
    second = _take(client, 10)
    status = results.test_result(users["trainee"].id)
    # Failed with both attempts used: this now decides the unit (no attempt left).
    assert (status.status, status.score, status.attempt_id) == ("tidak-lulus", 50.0, second.id)


def test_result_page_breaks_the_score_down_per_kuk(as_user, quiz_class):
    client = as_user("trainee")
    attempt = _start(client)
    answers = {f"jawaban-{i.position}": _key_id(i) for i in attempt.items if i.question.kuk == "2.1"}
    client.post(f"/tes/percobaan/{attempt.id}/kumpulkan", data=answers)
    rows = outcome.kuk_breakdown(db.session.get(Attempt, attempt.id))
    by_kuk = {r["kuk"]: (r["correct"], r["total"]) for r in rows}
    assert by_kuk["2.1"] == (3, 3) and by_kuk["1.1"] == (0, 2) and len(rows) == 10
    assert "Belum lulus" in client.get(f"/tes/percobaan/{attempt.id}/hasil").get_data(as_text=True)


# --- practice quizzes ---------------------------------------------------------------------

def test_practice_gives_key_and_explanation_only_after_each_item_is_locked(as_user, quizzes):
    client = as_user("trainee")
    attempt = _start(client, "latihan-elemen-1")
    assert attempt.deadline_at is None and attempt.item_count == 8
    assert {i.question.kuk for i in attempt.items} == {"1.1", "1.2", "1.3", "1.4"}
    page = client.get(f"/tes/percobaan/{attempt.id}").get_data(as_text=True)
    assert "PEMBAHASAN" not in page
    first, second = attempt.items[0], attempt.items[1]
    data = _answer(client, attempt, 1, _wrong_id(first)).get_json()
    assert data["feedback"] == {"correct": False, "key_option_id": _key_id(first),
                                "chosen_option_id": _wrong_id(first),
                                "explanation": f"PEMBAHASAN-{first.question.uid}"}
    # The answer is locked: a second try on the same item is refused.
    again = _answer(client, attempt, 1, _key_id(first))
    assert again.status_code == 409 and db.session.get(AttemptItem, first.id).chosen_option_id == _wrong_id(first)
    page = client.get(f"/tes/percobaan/{attempt.id}").get_data(as_text=True)
    assert f"PEMBAHASAN-{first.question.uid}" in page
    assert f"PEMBAHASAN-{second.question.uid}" not in page


def test_practice_is_open_without_window_and_unlimited(as_user, quizzes):
    client = as_user("trainee")
    for _ in range(3):
        attempt = _start(client, "latihan-elemen-2")
        assert {i.question.kuk for i in attempt.items} == {"2.1", "2.2", "2.3", "2.4", "2.5", "2.6"}
        client.post(f"/tes/percobaan/{attempt.id}/kumpulkan")
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 3


def test_questions_shown_in_an_attempt_count_as_used_for_the_bank(as_user, quiz_class, quiz_bank):
    from courseware.bank.service import is_answered

    attempt = _start(as_user("trainee"))
    shown = set(attempt.question_order)
    unseen = next(q.id for q in db.session.scalars(select(Question)) if q.id not in shown)
    assert is_answered(attempt.question_order[0]) and not is_answered(unseen)
