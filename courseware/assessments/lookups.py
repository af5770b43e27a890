"""Judgement look-ups: a version's open draft and final history, corrections, a trainee's versions.

Nothing here writes; the state changes (drafts, finalising, corrections) are in judgements.py.
Effective and unit results are read from courseware/results; the record pages' data is in records.py.
"""
from dataclasses import dataclass

from sqlalchemy import or_, select

from ..accounts.models import User
from ..extensions import db
from ..practicals.models import ChecklistPoint, Practical, Submission, SubmissionVersion
from ..results import status as results
from .models import Judgement, JudgementState
from .permissions import role_in_version
from .records import settled_unit_results

LIK_CODES = ("LIK_1", "LIK_2")


def result_labels() -> dict:
    return results.lik_labels()


def test_labels() -> dict:
    return results.test_labels()


def points_of(practical: Practical) -> list[ChecklistPoint]:
    return practical.active_points


# --- lookups --------------------------------------------------------------------------------

current_final = results.current_final
evidence_version = results.evidence_version


def open_draft(version_id: int, trainee_id: int) -> Judgement | None:
    return db.session.scalar(
        select(Judgement).where(Judgement.version_id == version_id, Judgement.trainee_id == trainee_id,
                                Judgement.state == JudgementState.DRAFT, Judgement.void_reason.is_(None))
        .order_by(Judgement.id.desc()).limit(1))


def final_history(version_id: int, trainee_id: int) -> list[Judgement]:
    """Every final judgement of (version, trainee), newest first: corrections, the ones they
    replaced, and void ones (shown as not counting)."""
    return list(db.session.scalars(
        select(Judgement).where(Judgement.version_id == version_id, Judgement.trainee_id == trainee_id,
                                Judgement.state == JudgementState.FINAL)
        .order_by(Judgement.finalised_at.desc(), Judgement.id.desc())))


def superseded_by(judgement: Judgement) -> Judgement | None:
    return db.session.scalar(select(Judgement).where(Judgement.supersedes_id == judgement.id,
                                                     Judgement.void_reason.is_(None)))


def superseding(rows: list[Judgement]) -> dict[int, Judgement]:
    """judgement id -> the valid correction that replaced it, for a whole page in one query."""
    ids = [j.id for j in rows]
    if not ids:
        return {}
    return {j.supersedes_id: j for j in db.session.scalars(
        select(Judgement).where(Judgement.supersedes_id.in_(ids), Judgement.void_reason.is_(None)))}


def effective_lik_result(trainee_id: int, code: str) -> str:
    """"K" | "BK" | "belum-dinilai" | "belum-mengumpulkan" (see courseware/results)."""
    return results.lik_result(trainee_id, code).status


def unit_result(trainee: User) -> results.UnitResult:
    return settled_unit_results([trainee.id])[trainee.id]


# --- the trainee's view ---------------------------------------------------------------------

@dataclass
class VersionHistory:
    version: SubmissionVersion
    role: str
    judgements: list                # final judgements about this trainee, newest first
    is_evidence: bool = False       # the version the effective result is taken from


def trainee_history(trainee: User, code: str) -> list[VersionHistory]:
    """Every version of `code` naming the trainee (own or as partner), newest first, with only the
    final judgements about this trainee (never the partner's)."""
    versions = db.session.scalars(
        select(SubmissionVersion).join(Submission).join(Practical)
        .where(Practical.code == code,
               or_(Submission.trainee_id == trainee.id, SubmissionVersion.partner_id == trainee.id))
        .order_by(SubmissionVersion.created_at.desc(), SubmissionVersion.id.desc()))
    evidence = evidence_version(trainee.id, code)
    return [VersionHistory(v, role_in_version(v, trainee.id), final_history(v.id, trainee.id),
                           evidence is not None and v.id == evidence.id) for v in versions]
