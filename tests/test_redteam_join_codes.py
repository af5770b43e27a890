"""Finding 8 of issue 14: join codes could be guessed without limit (161 tries a second)."""
import math

from sqlalchemy import select

from courseware.classes.models import Classroom, Enrollment
from courseware.classes.service import JOIN_CODE_ALPHABET, create_class
from courseware.extensions import db

from .conftest import login_as


def _guess(client, code="ZZZZZZZZZZ"):
    return client.post("/kelas/gabung", data={"code": code})


def test_ten_wrong_codes_per_account_then_an_indonesian_429(app, users):
    guesser = login_as(app.test_client(), users["trainee"])
    for _ in range(10):
        assert _guess(guesser).status_code == 302
    blocked = _guess(guesser)
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan kode kelas" in blocked.get_data(as_text=True)
    # Even the right code waits now: the account is out of tries.
    classroom = create_class(users["teacher"], "XI MPLB 1", "2026/2027")
    assert _guess(guesser, classroom.join_code).status_code == 429


def test_wrong_codes_from_one_address_are_limited_across_accounts(app, make_user):
    trainees = [make_user(f"tebak{n}") for n in range(4)]
    for trainee in trainees[:3]:
        client = login_as(app.test_client(), trainee)
        for _ in range(10):
            assert _guess(client).status_code == 302
    fourth = login_as(app.test_client(), trainees[3])
    assert _guess(fourth).status_code == 429


def test_a_whole_class_joining_from_one_address_is_not_limited(app, users, make_user):
    classroom = create_class(users["teacher"], "XI MPLB 2", "2026/2027")
    trainees = [make_user(f"siswa{n}") for n in range(36)]
    for trainee in trainees:
        response = _guess(login_as(app.test_client(), trainee), classroom.join_code.lower())
        assert response.status_code == 302
    enrolled = db.session.scalars(select(Enrollment).where(Enrollment.classroom_id == classroom.id)).all()
    assert len(enrolled) == 36


def test_codes_are_long_enough_that_guessing_within_the_limit_is_hopeless(as_user):
    teacher = as_user("teacher")
    teacher.post("/kelas/baru", data={"name": "XI OTKP 3", "academic_year": "2026/2027"})
    code = db.session.scalar(select(Classroom.join_code))
    assert len(code) >= 10 and set(code) <= set(JOIN_CODE_ALPHABET)
    bits = len(code) * math.log2(len(JOIN_CODE_ALPHABET))
    tries_per_year = 10 * 6 * 24 * 365  # one account at the limit, all year
    assert tries_per_year * 1000 / 2**bits < 1e-6  # a thousand open classes: still no hit expected


def test_a_code_typed_with_spaces_or_a_dash_still_joins(app, users):
    classroom = create_class(users["teacher"], "XI MPLB 4", "2026/2027")
    code = classroom.join_code
    typed = f" {code[:5].lower()}-{code[5:]} "
    response = _guess(login_as(app.test_client(), users["trainee"]), typed)
    assert response.status_code == 302
    assert db.session.scalar(select(Enrollment).where(Enrollment.user_id == users["trainee"].id)) is not None
