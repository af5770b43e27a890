"""Item analysis (analisis butir soal) the way Indonesian teachers read it.

- Difficulty index p = share of trainees who saw the item and answered it correctly, read in
  bands: sangat sukar 0-15%, sukar 16-30, sedang 31-70, mudah 71-85, sangat mudah 86-100.
- Discrimination index D = p(upper) - p(lower), the groups being the top and bottom 27% of
  attempts ranked by score (ties broken by attempt id, so the figures are reproducible): jelek
  up to 0.20, cukup to 0.40, baik to 0.70, baik sekali above; negative: buang/ganti.
- Each option's share of the trainees who saw the item; a distractor chosen by under 5% does
  not work.
- KR-20 reliability: k/(k-1) * (1 - sum(p*q) / variance of raw scores), with the population
  variance, computed only over attempts that share one form (the same set of items): KR-20 is
  not valid across random forms, where mixing them gave values above 1. The largest group of
  attempts with one form is used, and only when it has MIN_ATTEMPTS_FOR_RELIABILITY attempts;
  on one form KR-20 can never exceed 1 (Var of a sum <= k * sum of Vars).
- An item seen by fewer than MIN_ANSWERS_PER_ITEM trainees gets no flags: "data belum cukup".
Blank answers count as wrong. Computed on first attempts unless asked to include all.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..bank.models import Question
from ..classes.models import Enrollment
from ..extensions import db
from .models import Attempt

GROUP_SHARE = 0.27
DISTRACTOR_MIN_SHARE = 0.05
MIN_ANSWERS_PER_ITEM = 10
MIN_ATTEMPTS_FOR_RELIABILITY = 20
LETTERS = "ABCDEFGH"


@dataclass
class Response:
    attempt_id: int
    answers: dict[int, int | None]          # question id -> chosen option id (None: blank)


@dataclass
class OptionStat:
    option_id: int
    letter: str
    is_key: bool
    count: int
    share: float
    working: bool | None                    # None for the key


@dataclass
class ItemStat:
    question_id: int
    seen: int
    correct: int
    p: float
    difficulty_band: str
    upper_seen: int
    upper_correct: int
    lower_seen: int
    lower_correct: int
    d: float | None
    discrimination_band: str | None
    blank: int
    options: list[OptionStat]
    flags: list[str] = field(default_factory=list)
    question: object = None
    enough_data: bool = True

    @property
    def needs_revision(self) -> bool:
        return bool(self.flags)


@dataclass
class Analysis:
    attempts: int
    group_size: int
    mean_items: float
    mean_raw: float
    variance: float
    kr20: float | None
    items: list[ItemStat]
    reliability_attempts: int = 0            # attempts of the one form KR-20 was computed on


def difficulty_band(p: float) -> str:
    percent = int(p * 100 + 0.5)
    if percent <= 15:
        return "sangat sukar"
    if percent <= 30:
        return "sukar"
    if percent <= 70:
        return "sedang"
    if percent <= 85:
        return "mudah"
    return "sangat mudah"


def discrimination_band(d: float | None) -> str | None:
    if d is None:
        return None
    if d < 0:
        return "negatif"
    if d <= 0.20:
        return "jelek"
    if d <= 0.40:
        return "cukup"
    if d <= 0.70:
        return "baik"
    return "baik sekali"


def group_size(n: int) -> int:
    return int(GROUP_SHARE * n + 0.5) if n >= 2 else 0


def analyse(responses: list[Response], keys: dict[int, int], options: dict[int, list[int]],
            min_answers: int = MIN_ANSWERS_PER_ITEM, min_attempts: int = MIN_ATTEMPTS_FOR_RELIABILITY) -> Analysis:
    """Pure computation: `keys` maps question id -> key option id, `options` -> option ids (A, B, ...)."""
    raw = {r.attempt_id: sum(1 for q, c in r.answers.items() if c is not None and c == keys[q]) for r in responses}
    percent = {r.attempt_id: raw[r.attempt_id] / len(r.answers) if r.answers else 0.0 for r in responses}
    ranked = sorted(responses, key=lambda r: (-percent[r.attempt_id], r.attempt_id))
    g = group_size(len(responses))
    upper = {r.attempt_id for r in ranked[:g]}
    lower = {r.attempt_id for r in ranked[len(ranked) - g:]} if g else set()

    items = []
    p_of: dict[int, float] = {}
    for qid in sorted({q for r in responses for q in r.answers}):
        saw = [r for r in responses if qid in r.answers]
        right = [r for r in saw if r.answers[qid] == keys[qid]]
        p = len(right) / len(saw)
        p_of[qid] = p
        up_saw = [r for r in saw if r.attempt_id in upper]
        lo_saw = [r for r in saw if r.attempt_id in lower]
        up_right = sum(1 for r in up_saw if r.answers[qid] == keys[qid])
        lo_right = sum(1 for r in lo_saw if r.answers[qid] == keys[qid])
        d = round(up_right / len(up_saw) - lo_right / len(lo_saw), 4) if up_saw and lo_saw else None
        option_stats = []
        for index, option_id in enumerate(options[qid]):
            count = sum(1 for r in saw if r.answers[qid] == option_id)
            is_key = option_id == keys[qid]
            share = count / len(saw)
            option_stats.append(OptionStat(option_id, LETTERS[index], is_key, count, round(share, 4),
                                           None if is_key else share >= DISTRACTOR_MIN_SHARE))
        stat = ItemStat(qid, len(saw), len(right), round(p, 4), difficulty_band(p), len(up_saw), up_right,
                        len(lo_saw), lo_right, d, discrimination_band(d),
                        sum(1 for r in saw if r.answers[qid] is None), option_stats)
        stat.enough_data = len(saw) >= min_answers
        stat.flags = _flags(stat) if stat.enough_data else []
        items.append(stat)

    n = len(responses)
    mean_raw = sum(raw.values()) / n if n else 0.0
    variance = sum((x - mean_raw) ** 2 for x in raw.values()) / n if n else 0.0
    mean_items = sum(len(r.answers) for r in responses) / n if n else 0.0
    forms: dict[frozenset, list[Response]] = {}
    for r in responses:
        forms.setdefault(frozenset(r.answers), []).append(r)
    same_form = max(forms.values(), key=len) if forms else []
    kr20 = _kr20(same_form, keys) if len(same_form) >= max(min_attempts, 2) else None
    return Analysis(n, g, round(mean_items, 2), round(mean_raw, 4), round(variance, 4), kr20, items,
                    reliability_attempts=len(same_form))


def _kr20(responses: list[Response], keys: dict[int, int]) -> float | None:
    """Textbook KR-20 over attempts that all had the same items."""
    items = sorted(responses[0].answers)
    k, n = len(items), len(responses)
    if k < 2:
        return None
    scores = [sum(1 for q in items if r.answers[q] is not None and r.answers[q] == keys[q]) for r in responses]
    mean = sum(scores) / n
    variance = sum((x - mean) ** 2 for x in scores) / n
    if variance == 0:
        return None
    sum_pq = 0.0
    for q in items:
        p = sum(1 for r in responses if r.answers[q] == keys[q]) / n
        sum_pq += p * (1 - p)
    return round(min(1.0, k / (k - 1) * (1 - sum_pq / variance)), 4)


def _flags(stat: ItemStat) -> list[str]:
    flags = []
    if stat.discrimination_band == "negatif":
        flags.append(_("daya beda negatif: buang/ganti"))
    elif stat.discrimination_band == "jelek":
        flags.append(_("daya beda jelek"))
    if stat.difficulty_band in ("sangat sukar", "sangat mudah"):
        flags.append(_("tingkat kesukaran %(b)s", b=stat.difficulty_band))
    dead = [o.letter for o in stat.options if o.working is False]
    if dead:
        flags.append(_("pengecoh tidak berfungsi: %(o)s", o=", ".join(dead)))
    return flags


def reliability_label(kr20: float | None) -> str:
    if kr20 is None:
        return _("data belum cukup (butuh minimal %(n)d percobaan dengan paket soal yang sama)",
                 n=MIN_ATTEMPTS_FOR_RELIABILITY)
    return _("reliabel") if kr20 >= 0.70 else _("kurang reliabel")


def analysis_for(quiz, classroom_ids: list[int], include_all: bool = False) -> Analysis:
    """Item analysis of one quiz over the trainees of the given classes."""
    query = (select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None),
                                   Attempt.user_id.in_(select(Enrollment.user_id)
                                                       .where(Enrollment.classroom_id.in_(classroom_ids))))
             .order_by(Attempt.id))
    if not include_all:
        query = query.where(Attempt.number == 1)
    attempts = list(db.session.scalars(query))
    responses = [Response(a.id, {i.question_id: i.chosen_option_id for i in a.items}) for a in attempts]
    question_ids = {q for r in responses for q in r.answers}
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(question_ids)))} \
        if question_ids else {}
    keys = {qid: q.key_option.id for qid, q in questions.items()}
    options = {qid: [o.id for o in q.options] for qid, q in questions.items()}
    result = analyse(responses, keys, options)
    for stat in result.items:
        stat.question = questions[stat.question_id]
    result.items.sort(key=lambda s: (s.question.kuk, s.question.uid, s.question.version))
    return result
