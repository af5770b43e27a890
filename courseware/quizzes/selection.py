"""Choosing a quiz's items: how many per KUK (the blueprint), whether the pool can give them, and
a stratified random draw that prefers items the trainee has not seen."""
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from ..bank.models import CRITICAL_KUKS, Question
from ..errors import ServiceError
from ..extensions import db
from .models import Quiz

_random = secrets.SystemRandom()


def allocate(n: int, weights: dict[str, int], available: dict[str, int]) -> dict[str, int]:
    """How many items per KUK: at least one each (when n allows), the rest in proportion to the
    weights, critical KUKs first on ties, never more than the bank holds."""
    kuks = [k for k in sorted(weights) if available.get(k, 0) > 0]
    n = min(n, sum(available[k] for k in kuks))
    priority = sorted(kuks, key=lambda k: (k not in CRITICAL_KUKS, -weights[k], k))
    alloc = {k: 0 for k in kuks}
    if n < len(kuks):
        for k in priority[:n]:
            alloc[k] = 1
        return {k: v for k, v in alloc.items() if v}
    for k in kuks:
        alloc[k] = 1
    total_weight = sum(weights[k] for k in kuks)
    target = {k: n * weights[k] / total_weight for k in kuks}
    for _step in range(n - len(kuks)):
        open_kuks = [k for k in kuks if alloc[k] < available[k]]
        best = max(open_kuks, key=lambda k: (target[k] - alloc[k], -priority.index(k)))
        alloc[best] += 1
    return alloc


def _pool_ids_by_kuk(quiz: Quiz) -> dict[str, list[int]]:
    rows = db.session.execute(
        select(Question.id, Question.kuk).where(Question.retired.is_(False), Question.pool == quiz.pool,
                                                Question.kuk.in_(quiz.kuks))
    ).all()
    by_kuk: dict[str, list[int]] = {}
    for qid, kuk in rows:
        by_kuk.setdefault(kuk, []).append(qid)
    return by_kuk


MAX_ITEMS = 100   # the most items one attempt may hold (the settings refuse more)


def blueprint_shortfall(weights: dict[str, int], items: int, available: dict[str, int]) -> list[tuple]:
    """(kuk, needed, available) for every KUK whose pool cannot give what the blueprint asks."""
    items = max(1, min(int(items), MAX_ITEMS))   # allocate() steps once per item
    wanted = allocate(items, weights, {k: items for k in weights})
    return [(k, n, available.get(k, 0)) for k, n in sorted(wanted.items()) if available.get(k, 0) < n]


def shortfall_message(quiz: Quiz, shortfall: list[tuple]) -> str:
    parts = ", ".join(_("KUK %(k)s butuh %(n)d, ada %(a)d", k=k, n=n, a=a) for k, n, a in shortfall)
    return _("Bank soal %(p)s belum cukup untuk %(t)s (%(d)s). Tes belum dapat dimulai; guru perlu menambah "
             "soal atau mengurangi jumlah soal per percobaan.", p=quiz.pool, t=quiz.title, d=parts)


def pool_shortfall(quiz: Quiz, items: int) -> list[tuple]:
    return blueprint_shortfall(quiz.kuk_weights, items, {k: len(v) for k, v in _pool_ids_by_kuk(quiz).items()})


def pick_questions(quiz: Quiz, items: int, seen: set[int] = frozenset()) -> list[Question]:
    """A stratified random draw from the quiz's own pool; refused when the pool cannot fill it.
    Items in `seen` (the trainee's earlier attempts) are drawn only when a KUK has no fresh ones left."""
    by_kuk = _pool_ids_by_kuk(quiz)
    available = {k: len(v) for k, v in by_kuk.items()}
    shortfall = blueprint_shortfall(quiz.kuk_weights, items, available)
    if shortfall:
        raise ServiceError(shortfall_message(quiz, shortfall), 409)
    counts = allocate(items, quiz.kuk_weights, available)
    chosen = [qid for kuk, n in counts.items() for qid in _fresh_first(by_kuk[kuk], n, seen)]
    _random.shuffle(chosen)
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(chosen)))}
    return [questions[qid] for qid in chosen]


def _fresh_first(ids: list[int], n: int, seen) -> list[int]:
    fresh = [qid for qid in ids if qid not in seen]
    if len(fresh) >= n:
        return _random.sample(fresh, n)
    return fresh + _random.sample([qid for qid in ids if qid in seen], n - len(fresh))
