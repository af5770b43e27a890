"""The one place the unit-result rule is written.

Unit N.821100.046 for one trainee:
- **Kompeten** when the written test is passed and the effective LIK_1 and LIK_2 results are K;
- **Belum Kompeten** only when something decides it: a final BK judgement stands as the
  effective LIK_1 or LIK_2 result, or the written test was failed with no attempts left;
- **Dalam proses** otherwise, with what is still missing. Nothing assessed yet is never BK.

Effective LIK result: on the trainee's newest *own* submission version that has a video (the
trainee submitted it and played the assessed role), the newest final judgement that no valid
correction superseded. A partner is never judged from someone else's video, and void judgements
(see assessments.models.Judgement.void_reason) never count.

Written test: the attempt counted by the class's counting rule (highest or last), against the
KKTP of the class window the trainee sat it in. An attempt whose time ran out counts as submitted
with the answers it saved even before anything scored it: nothing here writes.
"""
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import lazyload

from ..assessments.models import Judgement, JudgementState
from ..bank.models import QuestionOption
from ..extensions import db
from ..formats import decimal_comma
from ..practicals.models import Practical, Submission, SubmissionVersion
from ..quizzes import windows
from ..models_base import utcnow
from ..quizzes.models import Attempt, AttemptItem, Quiz

LIK_CODES = ("LIK_1", "LIK_2")
WRITTEN_TEST_CODE = "tes-tertulis"


class UnitStatus(StrEnum):
    KOMPETEN = "kompeten"
    BELUM_KOMPETEN = "belum-kompeten"
    DALAM_PROSES = "dalam-proses"


class TestStatus(StrEnum):
    BELUM_IKUT = "belum-ikut"
    SEDANG_MENGERJAKAN = "sedang-mengerjakan"
    LULUS = "lulus"
    BELUM_LULUS = "belum-lulus"        # failed, but an attempt is left
    TIDAK_LULUS = "tidak-lulus"        # failed with no attempt left: this decides the unit


class LikStatus(StrEnum):
    BELUM_MENGUMPULKAN = "belum-mengumpulkan"
    BELUM_DINILAI = "belum-dinilai"
    K = "K"
    BK = "BK"


def unit_labels() -> dict:
    return {UnitStatus.KOMPETEN: _("Kompeten"), UnitStatus.BELUM_KOMPETEN: _("Belum Kompeten"),
            UnitStatus.DALAM_PROSES: _("Dalam proses")}


def test_labels() -> dict:
    return {TestStatus.BELUM_IKUT: _("Belum ikut"), TestStatus.SEDANG_MENGERJAKAN: _("Sedang mengerjakan"),
            TestStatus.LULUS: _("Lulus"), TestStatus.BELUM_LULUS: _("Belum lulus"),
            TestStatus.TIDAK_LULUS: _("Tidak lulus (kesempatan habis)")}


def test_label(status: TestStatus | str) -> str:
    """The one wording of a written-test status (Jinja global `test_status_label`)."""
    return test_labels().get(status, status)


def test_tag_class(status: TestStatus | str) -> str:
    """The tag colour of a written-test status (Jinja global `test_status_class`)."""
    if status == TestStatus.LULUS:
        return "tag-ok"
    return "tag-bad" if status in (TestStatus.BELUM_LULUS, TestStatus.TIDAK_LULUS) else ""


def lik_labels() -> dict:
    return {LikStatus.K: _("Kompeten (K)"), LikStatus.BK: _("Belum Kompeten (BK)"),
            LikStatus.BELUM_DINILAI: _("Belum dinilai"), LikStatus.BELUM_MENGUMPULKAN: _("Belum mengumpulkan"),
            None: _("Belum ditandai")}


@dataclass(frozen=True)
class TestResult:
    status: TestStatus
    score: float | None = None
    pass_mark: int | None = None
    attempt_id: int | None = None
    attempts_left: int | None = None      # None: unlimited
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class LikResult:
    code: str
    status: LikStatus
    version: SubmissionVersion | None = None
    judgement: Judgement | None = None


@dataclass
class UnitResult:
    trainee_id: int
    status: UnitStatus
    test: TestResult
    liks: dict                              # code -> LikResult
    missing: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return unit_labels()[self.status]

    @property
    def lik1(self) -> LikStatus:
        return self.liks["LIK_1"].status

    @property
    def lik2(self) -> LikStatus:
        return self.liks["LIK_2"].status

    @property
    def recommendation(self) -> str:
        """FR.AK.05 wording: K, BK, or "Belum dinilai" while the unit is still in process."""
        return {UnitStatus.KOMPETEN: "K", UnitStatus.BELUM_KOMPETEN: "BK"}.get(self.status, _("Belum dinilai"))


# --- LIK evidence ------------------------------------------------------------------------

def evidence_version(trainee_id: int, code: str) -> SubmissionVersion | None:
    """The trainee's newest own version of `code` with a video: the only evidence for them."""
    return _evidence([trainee_id]).get((trainee_id, code))


def _evidence(trainee_ids: list[int]) -> dict[tuple[int, str], SubmissionVersion]:
    """(trainee, LIK code) -> newest own version with a video, for many trainees in one query."""
    rows = db.session.execute(
        select(SubmissionVersion, Submission.trainee_id, Practical.code)
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .join(Practical, Practical.id == Submission.practical_id)
        .where(Submission.trainee_id.in_(trainee_ids), SubmissionVersion.media_file_id.is_not(None))).all()
    return newest_evidence(rows)


def newest_evidence(rows) -> dict[tuple[int, str], SubmissionVersion]:
    """(trainee, LIK code) -> newest version with a video, from (version, submitter, code) rows of the
    trainees' own submissions read in any order."""
    with_video = sorted((row for row in rows if row[0].media_file_id is not None),
                        key=lambda row: (row[0].created_at, row[0].id))
    return {(trainee_id, code): version for version, trainee_id, code in with_video}   # the newest wins


def _counting_finals():
    """Final judgements that count: not void. A void correction supersedes nothing."""
    return (Judgement.state == JudgementState.FINAL, Judgement.void_reason.is_(None))


def current_final(version_id: int, trainee_id: int) -> Judgement | None:
    """The newest counting final judgement of (version, trainee) that no counting correction superseded."""
    return current_finals([version_id]).get((version_id, trainee_id))


def current_finals(version_ids: list[int], with_marks: bool = True) -> dict[tuple[int, int], Judgement]:
    """(version, trainee) -> its current counting final judgement, for many versions in one query
    (plus one for their marks unless with_marks=False: a status needs only the recommendation)."""
    if not version_ids:
        return {}
    query = select(Judgement).where(Judgement.version_id.in_(version_ids), *_counting_finals()) \
        .order_by(Judgement.finalised_at, Judgement.id)
    if not with_marks:
        query = query.options(lazyload(Judgement.marks))
    finals = list(db.session.scalars(query))
    superseded = {j.supersedes_id for j in finals if j.supersedes_id is not None}
    return {(j.version_id, j.trainee_id): j for j in finals if j.id not in superseded}


def lik_result(trainee_id: int, code: str) -> LikResult:
    return lik_results([trainee_id])[trainee_id][code]


def lik_results(trainee_ids: list[int], with_marks: bool = True) -> dict[int, dict[str, LikResult]]:
    evidence = _evidence(trainee_ids)
    return liks_from(trainee_ids, evidence, current_finals([v.id for v in evidence.values()], with_marks))


def liks_from(trainee_ids: list[int], evidence: dict, finals: dict) -> dict[int, dict[str, LikResult]]:
    """The effective LIK results on evidence (newest_evidence) and finals (current_finals) already read."""
    results = {}
    for trainee_id in trainee_ids:
        results[trainee_id] = {}
        for code in LIK_CODES:
            version = evidence.get((trainee_id, code))
            judgement = finals.get((version.id, trainee_id)) if version is not None else None
            if version is None:
                result = LikResult(code, LikStatus.BELUM_MENGUMPULKAN)
            elif judgement is None:
                result = LikResult(code, LikStatus.BELUM_DINILAI, version)
            else:
                result = LikResult(code, LikStatus(judgement.recommendation), version, judgement)
            results[trainee_id][code] = result
    return results


# --- the written test -------------------------------------------------------------------

def written_test_quiz() -> Quiz | None:
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == WRITTEN_TEST_CODE))
    return quiz or db.session.scalar(select(Quiz).where(Quiz.kind == "written").order_by(Quiz.position))


@dataclass(frozen=True)
class Sitting:
    """One attempt as the rules read it: an attempt whose time ran out counts as submitted at its
    deadline with the answers it saved, whether or not anything has scored it yet (reads never write).
    It has the fields of an Attempt that quizzes.service.quiz_state reads, so the dashboard's test
    panel takes the trainee's state from the sittings its unit result read."""
    id: int
    number: int
    classroom_id: int | None
    score: float | None
    submitted_at: datetime | None
    deadline_at: datetime | None


def counted(attempts, counting: str):
    """The attempt the counting rule takes (highest or last) among the submitted ones, or None."""
    done = [a for a in attempts if a.submitted_at is not None and a.score is not None]
    if not done:
        return None
    if counting == "last":
        return max(done, key=lambda a: a.number)
    return max(done, key=lambda a: (a.score, -a.number))


def sittings_of(user_ids: list[int], quiz: Quiz, now: datetime) -> dict[int, list[Sitting]]:
    rows = db.session.execute(
        select(Attempt.id, Attempt.user_id, Attempt.number, Attempt.classroom_id, Attempt.score,
               Attempt.submitted_at, Attempt.deadline_at, Attempt.item_count)
        .where(Attempt.user_id.in_(user_ids), Attempt.quiz_id == quiz.id).order_by(Attempt.number)).all()
    expired = [r.id for r in rows if r.submitted_at is None and r.deadline_at is not None and r.deadline_at <= now]
    correct = _saved_correct(expired)
    sittings: dict[int, list[Sitting]] = {uid: [] for uid in user_ids}
    for r in rows:
        if r.id in correct:
            score = round(100 * correct[r.id] / r.item_count, 2) if r.item_count else 0.0
            sittings[r.user_id].append(Sitting(r.id, r.number, r.classroom_id, score, r.deadline_at, r.deadline_at))
        else:
            sittings[r.user_id].append(Sitting(r.id, r.number, r.classroom_id, r.score, r.submitted_at, r.deadline_at))
    return sittings


def _saved_correct(attempt_ids: list[int]) -> dict[int, int]:
    """attempt -> number of saved answers that are keys, for attempts not scored yet."""
    if not attempt_ids:
        return {}
    rows = db.session.execute(
        select(AttemptItem.attempt_id, func.count(QuestionOption.id))
        .outerjoin(QuestionOption, (QuestionOption.id == AttemptItem.chosen_option_id)
                   & QuestionOption.is_key.is_(True))
        .where(AttemptItem.attempt_id.in_(attempt_ids)).group_by(AttemptItem.attempt_id)).all()
    return {attempt_id: count for attempt_id, count in rows}


def test_result(user_id: int, quiz: Quiz | None = None) -> TestResult:
    return test_results([user_id], quiz)[user_id]


def test_results(user_ids: list[int], quiz: Quiz | None = None) -> dict[int, TestResult]:
    quiz = quiz or written_test_quiz()
    if quiz is None:
        return {uid: TestResult(TestStatus.BELUM_IKUT) for uid in user_ids}
    sittings = sittings_of(user_ids, quiz, utcnow())
    settings = windows.settings_for_trainees(user_ids, quiz, {uid: s[-1].classroom_id for uid, s in sittings.items()
                                                               if s})
    return {uid: test_status_of(sittings[uid], settings[uid]) for uid in user_ids}


def test_status_of(sittings: list[Sitting], settings) -> TestResult:
    left = None if settings.attempts_allowed is None else max(0, settings.attempts_allowed - len(sittings))
    best = counted(sittings, settings.counting)
    if best is None:
        running = any(s.submitted_at is None for s in sittings)
        status = TestStatus.SEDANG_MENGERJAKAN if running else TestStatus.BELUM_IKUT
        return TestResult(status, pass_mark=settings.pass_mark, attempts_left=left)
    if best.score >= settings.pass_mark:
        status = TestStatus.LULUS
    elif left == 0 and all(s.submitted_at is not None for s in sittings):
        status = TestStatus.TIDAK_LULUS
    else:
        status = TestStatus.BELUM_LULUS
    return TestResult(status, best.score, settings.pass_mark, best.id, left, best.submitted_at)


# --- the unit ---------------------------------------------------------------------------

def format_score(value) -> str:
    """82.5 -> "82,5", 75.0 -> "75", None -> "-" (the decimal comma of Indonesian documents)."""
    if value is None:
        return "-"
    return decimal_comma(value, None if float(value).is_integer() else 1)


def _missing(test: TestResult, liks: dict) -> list[str]:
    missing = []
    if test.status == TestStatus.BELUM_IKUT:
        missing.append(_("Tes tertulis belum diikuti."))
    elif test.status == TestStatus.SEDANG_MENGERJAKAN:
        missing.append(_("Tes tertulis sedang dikerjakan."))
    elif test.status == TestStatus.BELUM_LULUS:
        missing.append(_("Tes tertulis belum lulus (nilai %(s)s, KKTP %(p)s); masih ada kesempatan mengulang.",
                         s=format_score(test.score), p=format_score(test.pass_mark)))
    elif test.status == TestStatus.TIDAK_LULUS:
        missing.append(_("Tes tertulis tidak lulus (nilai %(s)s, KKTP %(p)s) dan kesempatan sudah habis.",
                         s=format_score(test.score), p=format_score(test.pass_mark)))
    for code in LIK_CODES:
        status = liks[code].status
        if status == LikStatus.BELUM_MENGUMPULKAN:
            missing.append(_("%(c)s belum dikumpulkan.", c=code))
        elif status == LikStatus.BELUM_DINILAI:
            missing.append(_("Menunggu penilaian %(c)s oleh asesor.", c=code))
        elif status == LikStatus.BK:
            missing.append(_("%(c)s Belum Kompeten: perbaiki lalu kirim versi baru.", c=code))
    return missing


def decide(test: TestResult, liks: dict) -> UnitStatus:
    """The rule of the module docstring, on values already read."""
    if test.status == TestStatus.TIDAK_LULUS or any(r.status == LikStatus.BK for r in liks.values()):
        return UnitStatus.BELUM_KOMPETEN
    if test.status == TestStatus.LULUS and all(r.status == LikStatus.K for r in liks.values()):
        return UnitStatus.KOMPETEN
    return UnitStatus.DALAM_PROSES


def unit_result(trainee_id: int) -> UnitResult:
    return unit_results([trainee_id])[trainee_id]


def unit_results(trainee_ids: list[int], quiz: Quiz | None = None, with_marks: bool = True,
                 tests: dict[int, TestResult] | None = None,
                 liks: dict[int, dict[str, LikResult]] | None = None) -> dict[int, UnitResult]:
    """Where each of these trainees stands, in a fixed number of queries whatever their number.
    `quiz`: the written test, when the caller has already read it; `tests` / `liks`: the test or LIK
    results, when the caller knows they have not changed (a judgement changes only the LIK side, a
    submitted test only the test side)."""
    tests = tests if tests is not None else test_results(trainee_ids, quiz)
    liks = liks if liks is not None else lik_results(trainee_ids, with_marks)
    return {tid: unit_from(tid, tests[tid], liks[tid]) for tid in trainee_ids}


def unit_from(trainee_id: int, test: TestResult, liks: dict) -> UnitResult:
    """The unit result on a test result and LIK results already worked out."""
    return UnitResult(trainee_id, decide(test, liks), test, liks, _missing(test, liks))
