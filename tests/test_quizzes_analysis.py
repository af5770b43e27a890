"""Item analysis against a small example computed by hand.

Ten trainees (attempts 1-10), four items Q1-Q4, options A-D in bank order.
1 = correct, 0 = wrong:

            Q1 Q2 Q3 Q4   raw
    A1       1  1  1  0    3
    A2       1  1  1  1    4
    A3       1  1  1  0    3
    A4       1  1  0  0    2
    A5       1  0  1  0    2
    A6       1  1  0  0    2
    A7       1  0  0  1    2
    A8       1  0  0  0    1
    A9       0  0  0  1    1
    A10      0  0  0  0    0   (A10 left Q4 blank)

Ranking by score, ties by attempt id: A2, A1, A3 | A4 A5 A6 A7 | A8, A9, A10.
27% of 10 = 2.7 -> 3 per group. Upper = {A2, A1, A3}, lower = {A8, A9, A10}.

    Q1: p = 8/10 = 0.80 (mudah);  upper 3/3, lower 1/3 -> D = 1 - 0.3333 = 0.6667 (baik)
    Q2: p = 5/10 = 0.50 (sedang); upper 3/3, lower 0/3 -> D = 1.0 (baik sekali)
    Q3: p = 4/10 = 0.40 (sedang); upper 3/3, lower 0/3 -> D = 1.0 (baik sekali)
    Q4: p = 3/10 = 0.30 (sukar);  upper 1/3, lower 1/3 -> D = 0.0 (jelek)

Wrong answers: Q1: A9 and A10 both chose B -> A 80%, B 20%, C 0%, D 0%: C and D do not work.
Q4: A1 A, A3 B, A4 C, A5 A, A6 B, A8 C, A10 blank -> A 20%, B 20%, C 20%, D (key) 30%.

KR-20: k = 4; sum(pq) = .8*.2 + .5*.5 + .4*.6 + .3*.7 = .16 + .25 + .24 + .21 = 0.86
raw scores 3,4,3,2,2,2,2,1,1,0: mean 2.0, squared deviations 1,4,1,0,0,0,0,1,1,4 = 12,
population variance 12/10 = 1.2.  KR-20 = 4/3 * (1 - 0.86/1.2) = 4/3 * 0.283333 = 0.377778.
"""
import pytest

from courseware.bank.models import Question, QuestionOption
from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db
from courseware.models_base import utcnow
from courseware.quizzes import analysis
from courseware.quizzes.models import Attempt, AttemptItem, Quiz

# Option ids: Q1 -> 11..14, Q2 -> 21..24, ...; keys: Q1 A, Q2 B, Q3 C, Q4 D.
KEYS = {1: 11, 2: 22, 3: 33, 4: 44}
OPTIONS = {q: [q * 10 + i for i in range(1, 5)] for q in (1, 2, 3, 4)}
CHOICES = {   # attempt -> chosen option per item (None: blank)
    1: {1: 11, 2: 22, 3: 33, 4: 41},
    2: {1: 11, 2: 22, 3: 33, 4: 44},
    3: {1: 11, 2: 22, 3: 33, 4: 42},
    4: {1: 11, 2: 22, 3: 31, 4: 43},
    5: {1: 11, 2: 21, 3: 33, 4: 41},
    6: {1: 11, 2: 22, 3: 32, 4: 42},
    7: {1: 11, 2: 21, 3: 34, 4: 44},
    8: {1: 11, 2: 23, 3: 31, 4: 43},
    9: {1: 12, 2: 24, 3: 32, 4: 44},
    10: {1: 12, 2: 24, 3: 34, 4: None},
}


def _check_hand_figures(result, ids=lambda q: q, kr20=0.377778):
    assert result.attempts == 10 and result.group_size == 3
    assert result.mean_raw == 2.0 and result.variance == 1.2 and result.mean_items == 4
    assert result.kr20 == (None if kr20 is None else pytest.approx(kr20, abs=1e-4))
    stats = {s.question_id: s for s in result.items}
    q1, q2, q3, q4 = (stats[ids(q)] for q in (1, 2, 3, 4))
    assert (q1.p, q1.difficulty_band, q1.upper_correct, q1.lower_correct) == (0.8, "mudah", 3, 1)
    assert q1.d == pytest.approx(0.6667, abs=1e-4) and q1.discrimination_band == "baik"
    assert (q2.p, q2.difficulty_band, q2.d, q2.discrimination_band) == (0.5, "sedang", 1.0, "baik sekali")
    assert (q3.p, q3.difficulty_band, q3.d, q3.discrimination_band) == (0.4, "sedang", 1.0, "baik sekali")
    assert (q4.p, q4.difficulty_band, q4.d, q4.discrimination_band) == (0.3, "sukar", 0.0, "jelek")
    assert [(o.letter, o.share, o.working) for o in q1.options] == [
        ("A", 0.8, None), ("B", 0.2, True), ("C", 0.0, False), ("D", 0.0, False)]
    assert [(o.letter, o.count) for o in q4.options] == [("A", 2), ("B", 2), ("C", 2), ("D", 3)] and q4.blank == 1
    assert q1.needs_revision and any("C, D" in f for f in q1.flags)
    assert not q2.needs_revision and not q3.needs_revision
    assert q4.needs_revision and any("jelek" in f for f in q4.flags)


def test_pure_computation_matches_the_hand_example(app):
    responses = [analysis.Response(a, dict(c)) for a, c in CHOICES.items()]
    # The hand example has 10 attempts: below the site's minimum of 20 for KR-20, so lower it here.
    _check_hand_figures(analysis.analyse(responses, KEYS, OPTIONS, min_attempts=10))
    assert analysis.analyse(responses, KEYS, OPTIONS).kr20 is None


@pytest.mark.parametrize("p, band", [(0.0, "sangat sukar"), (0.15, "sangat sukar"), (0.16, "sukar"),
                                     (0.30, "sukar"), (0.31, "sedang"), (0.70, "sedang"), (0.71, "mudah"),
                                     (0.85, "mudah"), (0.86, "sangat mudah"), (1.0, "sangat mudah")])
def test_difficulty_bands(p, band):
    assert analysis.difficulty_band(p) == band


@pytest.mark.parametrize("d, band", [(-0.01, "negatif"), (0.0, "jelek"), (0.20, "jelek"), (0.21, "cukup"),
                                     (0.40, "cukup"), (0.41, "baik"), (0.70, "baik"), (0.71, "baik sekali"),
                                     (None, None)])
def test_discrimination_bands(d, band):
    assert analysis.discrimination_band(d) == band


def test_negative_discrimination_says_discard(app):
    # Upper group (A1) wrong, lower group (A2) right on the same item.
    responses = [analysis.Response(1, {1: 11, 2: 21}), analysis.Response(2, {1: 12, 2: 22})]
    keys = {1: 11, 2: 22}
    stat = next(s for s in analysis.analyse(responses, keys, {1: [11, 12], 2: [21, 22]}, min_answers=2).items
                if s.question_id == 2)
    assert stat.d == -1.0 and stat.discrimination_band == "negatif" and "buang/ganti" in stat.flags[0]


@pytest.fixture
def hand_example(app, users, make_user):
    """The hand example stored as real attempts of ten trainees in the teacher's class."""
    questions = {}
    for q in (1, 2, 3, 4):
        question = Question(uid=f"AN-{q}", kuk="1.1", stem=f"Butir analisis {q}", explanation="-")
        question.options = [QuestionOption(position=i, text=f"Opsi {i}", is_key=(q * 10 + i + 1 == KEYS[q]))
                            for i in range(4)]
        db.session.add(question)
        questions[q] = question
    quiz = Quiz(code="uji-analisis", kind="written", title="Uji analisis", kuks=["1.1"], kuk_weights={"1.1": 4},
                items_per_attempt=4, time_limit_minutes=None, attempts_allowed=None, pass_mark=75)
    db.session.add(quiz)
    classroom = create_class(users["teacher"], "XI ANALISIS", "2026/2027")
    db.session.flush()
    option_id = {q * 10 + i + 1: o.id for q, question in questions.items() for i, o in enumerate(question.options)}
    attempts = {}
    for number, choices in CHOICES.items():
        trainee = make_user(f"analisis{number}")
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=trainee.id))
        attempt = Attempt(quiz_id=quiz.id, user_id=trainee.id, number=1, submitted_at=utcnow(),
                          question_order=[questions[q].id for q in (1, 2, 3, 4)], item_count=4)
        db.session.add(attempt)
        db.session.flush()
        for position, q in enumerate((1, 2, 3, 4), start=1):
            chosen = choices[q]
            db.session.add(AttemptItem(attempt_id=attempt.id, question_id=questions[q].id, position=position,
                                       option_order=[o.id for o in questions[q].options],
                                       chosen_option_id=option_id[chosen] if chosen else None,
                                       is_correct=chosen == KEYS[q]))
        attempts[number] = attempt
    # A10 tried again and got everything right: only counted when all attempts are included.
    retry = Attempt(quiz_id=quiz.id, user_id=attempts[10].user_id, number=2, submitted_at=utcnow(),
                    question_order=[questions[q].id for q in (1, 2, 3, 4)], item_count=4)
    db.session.add(retry)
    db.session.flush()
    for position, q in enumerate((1, 2, 3, 4), start=1):
        db.session.add(AttemptItem(attempt_id=retry.id, question_id=questions[q].id, position=position,
                                   option_order=[o.id for o in questions[q].options],
                                   chosen_option_id=option_id[KEYS[q]], is_correct=True))
    db.session.commit()
    return {"quiz": quiz, "classroom": classroom, "questions": questions}


def test_stored_attempts_give_the_hand_figures_on_first_attempts(hand_example):
    ids = {q: question.id for q, question in hand_example["questions"].items()}
    result = analysis.analysis_for(hand_example["quiz"], [hand_example["classroom"].id])
    _check_hand_figures(result, ids=lambda q: ids[q], kr20=None)   # 10 attempts < 20: no reliability
    everything = analysis.analysis_for(hand_example["quiz"], [hand_example["classroom"].id], include_all=True)
    assert everything.attempts == 11


def test_analysis_page_shows_figures_and_revision_flags(as_user, hand_example):
    client = as_user("teacher")
    page = client.get(f"/tes/analisis?kuis=uji-analisis&kelas={hand_example['classroom'].id}").get_data(as_text=True)
    assert "10 percobaan dianalisis" in page and 'id="kr20">–<' in page and "data belum cukup" in page
    assert "Perlu revisi" in page and "pengecoh tidak berfungsi: C, D" in page and "daya beda jelek" in page
    assert "80%" in page and "baik sekali" in page
    assert "11 percobaan dianalisis" in client.get("/tes/analisis?kuis=uji-analisis&semua=1").get_data(as_text=True)
    # Another teacher's class is not there for them; with no class of their own they see nothing.
    other = as_user("teacher2")
    assert other.get(f"/tes/analisis?kuis=uji-analisis&kelas={hand_example['classroom'].id}").status_code == 404
    assert "0 percobaan dianalisis" in other.get("/tes/analisis?kuis=uji-analisis").get_data(as_text=True)


def test_reliability_never_misleads_on_random_forms_or_little_data(app):
    """Two attempts on different forms once gave KR-20 = 1.028 "reliabel" and every item red."""
    keys = {q: q * 10 + 1 for q in range(1, 7)}
    options = {q: [q * 10 + i for i in range(1, 5)] for q in range(1, 7)}
    responses = [analysis.Response(1, {1: 11, 2: 21, 3: 31, 4: 42}), analysis.Response(2, {3: 32, 4: 41, 5: 51, 6: 62})]
    result = analysis.analyse(responses, keys, options)
    assert result.kr20 is None and "data belum cukup" in analysis.reliability_label(result.kr20)
    assert all(not s.needs_revision and not s.enough_data for s in result.items)
    # 40 attempts on one form with strongly related answers: KR-20 is computed and stays <= 1.
    form = [analysis.Response(n, {q: (keys[q] if q <= n % 7 else keys[q] + 1) for q in range(1, 7)})
            for n in range(40)]
    strong = analysis.analyse(form, keys, options)
    assert strong.reliability_attempts == 40 and strong.kr20 is not None and 0.7 <= strong.kr20 <= 1.0
