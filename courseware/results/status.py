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
KKTP of the class window the trainee sat it in. Nothing here writes.
"""
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import select

from ..assessments.models import Judgement
from ..extensions import db
from ..practicals.models import Practical, Submission, SubmissionVersion
from ..quizzes import windows
from ..quizzes.models import Attempt, Quiz

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
    return db.session.scalar(
        select(SubmissionVersion).join(Submission).join(Practical)
        .where(Practical.code == code, Submission.trainee_id == trainee_id,
               SubmissionVersion.media_file_id.is_not(None))
        .order_by(SubmissionVersion.created_at.desc(), SubmissionVersion.id.desc()).limit(1))


def _counting_finals():
    """Final judgements that count: not void. A void correction supersedes nothing."""
    return (Judgement.state == "final", Judgement.void_reason.is_(None))


def current_final(version_id: int, trainee_id: int) -> Judgement | None:
    """The newest counting final judgement of (version, trainee) that no counting correction superseded."""
    superseded = select(Judgement.supersedes_id).where(Judgement.supersedes_id.is_not(None), *_counting_finals())
    return db.session.scalar(
        select(Judgement).where(Judgement.version_id == version_id, Judgement.trainee_id == trainee_id,
                                *_counting_finals(), Judgement.id.not_in(superseded))
        .order_by(Judgement.finalised_at.desc(), Judgement.id.desc()).limit(1))


def lik_result(trainee_id: int, code: str) -> LikResult:
    version = evidence_version(trainee_id, code)
    if version is None:
        return LikResult(code, LikStatus.BELUM_MENGUMPULKAN)
    judgement = current_final(version.id, trainee_id)
    if judgement is None:
        return LikResult(code, LikStatus.BELUM_DINILAI, version)
    return LikResult(code, LikStatus(judgement.recommendation), version, judgement)


# --- the written test -------------------------------------------------------------------

def written_test_quiz() -> Quiz | None:
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == WRITTEN_TEST_CODE))
    return quiz or db.session.scalar(select(Quiz).where(Quiz.kind == "written").order_by(Quiz.position))


def counted(attempts: list[Attempt], counting: str) -> Attempt | None:
    done = [a for a in attempts if a.submitted_at is not None and a.score is not None]
    if not done:
        return None
    if counting == "last":
        return max(done, key=lambda a: a.number)
    return max(done, key=lambda a: (a.score, -a.number))


def test_result(user_id: int, quiz: Quiz | None = None) -> TestResult:
    quiz = quiz or written_test_quiz()
    if quiz is None:
        return TestResult(TestStatus.BELUM_IKUT)
    attempts = list(db.session.scalars(select(Attempt).where(Attempt.user_id == user_id, Attempt.quiz_id == quiz.id)
                                       .order_by(Attempt.number)))
    settings = windows.settings_for_trainee(user_id, quiz, attempts[-1] if attempts else None)
    left = None if settings.attempts_allowed is None else max(0, settings.attempts_allowed - len(attempts))
    best = counted(attempts, settings.counting)
    if best is None:
        running = any(a.submitted_at is None for a in attempts)
        status = TestStatus.SEDANG_MENGERJAKAN if running else TestStatus.BELUM_IKUT
        return TestResult(status, pass_mark=settings.pass_mark, attempts_left=left)
    if best.score >= settings.pass_mark:
        status = TestStatus.LULUS
    elif left == 0 and all(a.submitted_at is not None for a in attempts):
        status = TestStatus.TIDAK_LULUS
    else:
        status = TestStatus.BELUM_LULUS
    return TestResult(status, best.score, settings.pass_mark, best.id, left, best.submitted_at)


# --- the unit ---------------------------------------------------------------------------

def _score(value) -> str:
    if value is None:
        return "-"
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:.1f}".replace(".", ",")


def _missing(test: TestResult, liks: dict) -> list[str]:
    missing = []
    if test.status == TestStatus.BELUM_IKUT:
        missing.append(_("Tes tertulis belum diikuti."))
    elif test.status == TestStatus.SEDANG_MENGERJAKAN:
        missing.append(_("Tes tertulis sedang dikerjakan."))
    elif test.status == TestStatus.BELUM_LULUS:
        missing.append(_("Tes tertulis belum lulus (nilai %(s)s, KKTP %(p)s); masih ada kesempatan mengulang.",
                         s=_score(test.score), p=_score(test.pass_mark)))
    elif test.status == TestStatus.TIDAK_LULUS:
        missing.append(_("Tes tertulis tidak lulus (nilai %(s)s, KKTP %(p)s) dan kesempatan sudah habis.",
                         s=_score(test.score), p=_score(test.pass_mark)))
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


def unit_result(trainee_id: int, test: TestResult | None = None) -> UnitResult:
    test = test if test is not None else test_result(trainee_id)
    liks = {code: lik_result(trainee_id, code) for code in LIK_CODES}
    return UnitResult(trainee_id, decide(test, liks), test, liks, _missing(test, liks))


def unit_results(trainee_ids: list[int]) -> dict[int, UnitResult]:
    quiz = written_test_quiz()
    return {tid: unit_result(tid, test_result(tid, quiz)) for tid in trainee_ids}
