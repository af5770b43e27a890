"""Practical rules: sheets, versions, partners, and the video hooks (who may see what: permissions.py).

Used by the views here, by the media domain (through the upload-target hooks registered in
__init__), and by the assessment domain (`evidence_rule`, `visible_submission_or_404`).

The evidence rule: a LIK video is evidence only for the trainee who submits it and plays the
assessed role (LIK_1: staf administrasi, LIK_2: pimpinan). The partner is named on the version
and may see it, but is never judged from it; naming a partner never changes the partner's results.
"""
from dataclasses import dataclass, field
from typing import NamedTuple

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from ..media.quota import check_new_version
from ..accounts.models import User
from ..audit.service import record
from ..classes.models import Classroom, Enrollment
from ..classes.service import same_class, trainees_of
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from ..navigation import once_per_request
from ..text import clean_text
from .models import Practical, Submission, SubmissionVersion
from .permissions import can_view_submission, can_view_version

UPLOAD_KIND = "submission-version"
MAX_TRANSCRIPT_CHARS = 20_000


# --- sheets ------------------------------------------------------------------------------

def all_practicals(with_points: bool = True) -> list[Practical]:
    query = select(Practical).order_by(Practical.element)
    if not with_points:   # a list of names and links: the checklist points stay unread
        query = query.options(lazyload(Practical.points))
    return list(db.session.scalars(query))


def get_practical_or_404(code: str) -> Practical:
    practical = db.session.scalar(select(Practical).where(Practical.code == (code or "").upper()))
    if practical is None:
        abort(404)
    return practical


def other_practical(practical: Practical) -> Practical | None:
    return db.session.scalar(select(Practical).where(Practical.id != practical.id).order_by(Practical.element))


# --- who may see what (the rules: permissions.py) ------------------------------------------

def visible_versions(user: User, submission: Submission) -> list[SubmissionVersion]:
    """Versions `user` may see, newest first (a partner sees only the versions naming them)."""
    return [v for v in reversed(submission.versions) if can_view_version(user, v)]


def visible_submission_or_404(user: User, submission_id: int) -> Submission:
    """The submission if `user` may see it; 404 otherwise, so ids do not leak."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or not can_view_submission(user, submission):
        abort(404)
    return submission


# --- queries for this and other domains ----------------------------------------------------

def own_submission(trainee: User, practical: Practical) -> Submission | None:
    return db.session.scalar(select(Submission).where(
        Submission.practical_id == practical.id, Submission.trainee_id == trainee.id))


def partnered_versions(trainee: User, practical: Practical) -> list[SubmissionVersion]:
    """Versions of other trainees' submissions that name `trainee` as partner, newest first."""
    return list(db.session.scalars(
        select(SubmissionVersion).join(Submission)
        .where(Submission.practical_id == practical.id, SubmissionVersion.partner_id == trainee.id,
               Submission.trainee_id != trainee.id)
        .order_by(SubmissionVersion.created_at.desc(), SubmissionVersion.id.desc())))


def submissions_for_trainee(user: User, code: str) -> list[Submission]:
    """Submissions for practical `code` in which `user` is the submitter or a partner (own first)."""
    practical = db.session.scalar(select(Practical).where(Practical.code == code))
    if practical is None:
        return []
    partnered = select(SubmissionVersion.submission_id).where(SubmissionVersion.partner_id == user.id)
    rows = db.session.scalars(
        select(Submission).where(Submission.practical_id == practical.id,
                                 or_(Submission.trainee_id == user.id, Submission.id.in_(partnered)))
        .order_by(Submission.id))
    return sorted(rows, key=lambda s: (s.trainee_id != user.id, s.id))


class VersionRow(NamedTuple):
    version: SubmissionVersion
    practical_id: int
    practical_code: str
    submitter_id: int


@once_per_request
def versions_of_trainee_for_page(trainee_id: int) -> tuple[VersionRow, ...]:
    """Every version the trainee submitted or is named partner in, by (number, id), in one query.
    Read once per request for a page whose panels share it (the dashboard's practicals list, unit
    result and partner requests); write paths read afresh."""
    return tuple(VersionRow(*row) for row in db.session.execute(
        select(SubmissionVersion, Submission.practical_id, Practical.code, Submission.trainee_id)
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .join(Practical, Practical.id == Submission.practical_id)
        .where(or_(Submission.trainee_id == trainee_id, SubmissionVersion.partner_id == trainee_id))
        .order_by(SubmissionVersion.number, SubmissionVersion.id)))


def trainee_overview(trainee: User) -> tuple[dict[int, SubmissionVersion], set[int]]:
    """For the dashboard: practical id -> the trainee's newest own version, and the ids of the
    practicals in which another trainee's version names `trainee` as partner."""
    latest, partnered = {}, set()
    for row in versions_of_trainee_for_page(trainee.id):
        if row.submitter_id == trainee.id:
            latest[row.practical_id] = row.version
        else:
            partnered.add(row.practical_id)
    return latest, partnered


def latest_version(submission: Submission | None) -> SubmissionVersion | None:
    return submission.versions[-1] if submission is not None and submission.versions else None


def evidence_rule(practical: Practical) -> str:
    """The evidence rule in one sentence, for the practical page and the marking page."""
    return _("Video %(c)s menjadi bukti hanya bagi peserta yang mengirimnya dan memerankan %(r)s; pasangan "
             "(%(p)s) tidak dinilai dari video ini. Agar keduanya dinilai, bertukar peran lalu rekam dan kirim "
             "video sendiri. Siapa pun yang tampil di video tidak boleh menilainya.",
             c=practical.code, r=practical.trainee_role, p=practical.partner_role)


def classmates_of(trainee: User) -> list[User]:
    """Trainees enrolled in any class together with `trainee` (not the trainee), by name."""
    my_classes = select(Enrollment.classroom_id).where(Enrollment.user_id == trainee.id)
    users = db.session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.classroom_id.in_(my_classes), User.id != trainee.id, User.active.is_(True))
        .order_by(User.full_name).distinct())
    return [u for u in users if u.has_role("trainee")]


# --- submitting ------------------------------------------------------------------------------

def validate_partner(trainee: User, partner_id: int | None) -> User | None:
    if not partner_id:
        return None
    if partner_id == trainee.id:
        raise ServiceError(_("Anda tidak dapat memilih diri sendiri sebagai pasangan."))
    partner = db.session.get(User, partner_id)
    if partner is None or not same_class(trainee.id, partner.id):
        raise ServiceError(_("Pasangan harus peserta yang terdaftar di kelas yang sama dengan Anda."))
    if not partner.has_role("trainee") or not partner.active:
        raise ServiceError(_("Pasangan harus akun peserta yang aktif."))
    return partner


def clean_transcript(text: str | None) -> str:
    return clean_text(text, MAX_TRANSCRIPT_CHARS, _("Transkrip atau naskah"))


def berkas_block_reason(trainee: User) -> str | None:
    """Why the berkas holds this trainee's practicals back (FR.APL.02 not yet reviewed "dapat
    dilanjutkan" while the class keeps that setting on), or None."""
    from ..berkas.gates import practical_block_reason

    return practical_block_reason(trainee)


def refuse_while_berkas_blocks(trainee: User) -> None:
    reason = berkas_block_reason(trainee)
    if reason:
        raise ServiceError(reason, status=403)


def save_version(trainee: User, practical: Practical, partner_id: int | None,
                 transcript: str | None) -> tuple[SubmissionVersion, bool]:
    """Create version 1, a new version after a video was attached, or update the draft without video.

    Returns (version, created). A version that already has its video is never changed.
    """
    if not trainee.has_role("trainee"):
        raise ServiceError(_("Hanya peserta yang dapat mengirim praktik."), status=403)
    refuse_while_berkas_blocks(trainee)
    transcript = clean_transcript(transcript)
    try:
        with write_transaction() as session:
            partner = validate_partner(trainee, partner_id)
            partner_id = partner.id if partner else None
            submission = session.scalar(select(Submission).where(
                Submission.practical_id == practical.id, Submission.trainee_id == trainee.id)
                .options(lazyload("*")).with_for_update(of=Submission))
            if submission is None:
                submission = Submission(practical_id=practical.id, trainee_id=trainee.id, partner_id=partner_id)
                session.add(submission)
                session.flush()
                version = SubmissionVersion(submission_id=submission.id, number=1, partner_id=partner_id,
                                            transcript=transcript)
                session.add(version)
                session.flush()
                record("practical.submit", actor=trainee, target=f"submission:{submission.id}",
                       detail={"practical": practical.code, "version": 1, "partner": partner_id})
                return version, True
            last = session.scalar(select(SubmissionVersion).where(SubmissionVersion.submission_id == submission.id)
                                  .order_by(SubmissionVersion.number.desc()).limit(1)
                                  .options(lazyload("*")).with_for_update(of=SubmissionVersion))
            submission.partner_id = partner_id
            submission.updated_at = utcnow()
            if last is not None and last.media_file_id is None:
                last.partner_id, last.transcript = partner_id, transcript
                record("practical.draft", actor=trainee, target=f"submission:{submission.id}",
                       detail={"practical": practical.code, "version": last.number, "partner": partner_id})
                return last, False
            check_new_version(trainee, last.number if last else 0)  # media-side per-trainee limit
            number = (last.number if last else 0) + 1
            version = SubmissionVersion(submission_id=submission.id, number=number, partner_id=partner_id,
                                        transcript=transcript)
            session.add(version)
            session.flush()
            record("practical.version", actor=trainee, target=f"submission:{submission.id}",
                   detail={"practical": practical.code, "version": number, "partner": partner_id})
            return version, True
    except IntegrityError:
        raise ServiceError(_("Kiriman yang sama sedang disimpan. Muat ulang halaman lalu periksa hasilnya."),
                           status=409)


# --- the media domain's upload-target hooks --------------------------------------------------

def authorize_upload(user: User, version_id) -> bool:
    """Only the submitter may upload, and only to a version that has no video yet.

    Another trainee's (or an unknown) version is 404, like every foreign object; a version that
    already has its video is 409 with the way forward. The media domain sends both to the browser.
    """
    version = _own_version(user, version_id)
    if version.media_file_id is not None:
        raise ServiceError(_("Versi %(n)d sudah memiliki video. Buat versi baru untuk mengunggah ulang.",
                             n=version.number), status=409)
    refuse_while_berkas_blocks(user)
    return True


def _own_version(user: User, version_id) -> SubmissionVersion:
    try:
        version = db.session.get(SubmissionVersion, int(version_id))
    except (TypeError, ValueError):
        version = None
    if (version is None or user is None or not getattr(user, "is_authenticated", False)
            or version.submission.trainee_id != user.id):
        raise ServiceError(_("Versi kiriman tidak ditemukan."), status=404)
    return version


def attach_media(user: User, version_id, media_file) -> None:
    """on_complete: attach a finished upload to its version, once.

    The media domain calls this inside the transaction that commits the MediaFile row, so it
    does not commit; raising ServiceError refuses the upload (the media domain deletes the file).
    """
    version = _own_version(user, version_id)
    if version.media_file_id is not None:
        raise ServiceError(_("Versi %(n)d sudah memiliki video. Buat versi baru untuk mengunggah ulang.",
                             n=version.number), status=409)
    # Guard the race of two finishing uploads: only the update that still sees NULL wins.
    done = db.session.execute(
        SubmissionVersion.__table__.update()
        .where(SubmissionVersion.id == version.id, SubmissionVersion.media_file_id.is_(None))
        .values(media_file_id=media_file.id, attached_at=utcnow())).rowcount
    if done != 1:
        raise ServiceError(_("Versi %(n)d sudah memiliki video. Buat versi baru untuk mengunggah ulang.",
                             n=version.number), status=409)
    db.session.expire(version)
    record("practical.video", actor=user, target=f"submission:{version.submission_id}",
           detail={"version": version.number, "media_file": media_file.id})


# --- the teacher's class overview ------------------------------------------------------------

@dataclass
class OverviewCell:
    own: Submission | None = None
    latest: SubmissionVersion | None = None
    as_partner: list = field(default_factory=list)   # versions of others naming this trainee


@dataclass
class OverviewRow:
    trainee: User
    cells: dict = field(default_factory=dict)         # practical code -> OverviewCell


def class_overview(classroom: Classroom) -> tuple[list[Practical], list[OverviewRow]]:
    practicals = all_practicals()
    trainees = trainees_of(classroom)
    ids = [t.id for t in trainees]
    rows = {t.id: OverviewRow(t, {p.code: OverviewCell() for p in practicals}) for t in trainees}
    if ids:
        for submission in db.session.scalars(select(Submission).where(Submission.trainee_id.in_(ids))):
            cell = rows[submission.trainee_id].cells.get(submission.practical.code)
            if cell is not None:
                cell.own, cell.latest = submission, latest_version(submission)
        partnered = db.session.scalars(
            select(SubmissionVersion).where(SubmissionVersion.partner_id.in_(ids))
            .order_by(SubmissionVersion.id.desc()))
        for version in partnered:
            submission = version.submission
            cell = rows[version.partner_id].cells.get(submission.practical.code)
            if cell is not None and all(v.submission_id != submission.id for v in cell.as_partner):
                cell.as_partner.append(version)
    return practicals, list(rows.values())
