"""Who may judge a version, and who may see a trainee's results, records and class reports.

Defined once here; views, templates and the authorisation matrix ask these predicates."""
from flask import abort
from flask_babel import gettext as _

from ..accounts.models import User
from ..classes.models import Classroom
from ..auth import signed_in
from ..classes.permissions import can_see_class, teaches_trainee
from ..errors import ServiceError
from ..extensions import db
from ..practicals import service as practicals_service
from ..practicals.models import SubmissionVersion
from .models import Judgement

evidence_rule = practicals_service.evidence_rule


def can_judge(user) -> bool:
    """Assessors and admins judge practical evidence (which version: can_judge_version)."""
    return signed_in(user) and user.has_role("assessor", "admin")


def appears_in(user, version: SubmissionVersion) -> bool:
    """True when `user` is in the video: its submitter or the partner named on that version."""
    return user is not None and user.id in (version.submission.trainee_id, version.partner_id)


def can_judge_version(user, version: SubmissionVersion) -> bool:
    """Assessors and admins judge a version, unless they appear in it (nobody judges themselves)."""
    return can_judge(user) and not appears_in(user, version)


def role_in_version(version: SubmissionVersion, trainee_id: int) -> str | None:
    """"pengirim" for the submitter, "pasangan" for the partner named on that version, else None."""
    if version.submission.trainee_id == trainee_id:
        return "pengirim"
    if version.partner_id is not None and version.partner_id == trainee_id:
        return "pasangan"
    return None


def version_and_trainee_or_404(version_id: int, trainee_id: int) -> tuple[SubmissionVersion, User]:
    """The version and a trainee named on it (submitter or partner); 404 otherwise. Whether the
    trainee may be judged from it is check_judgeable's question."""
    version = db.session.get(SubmissionVersion, version_id)
    if version is None or role_in_version(version, trainee_id) is None:
        abort(404)
    trainee = db.session.get(User, trainee_id)
    if trainee is None:
        abort(404)
    return version, trainee


# --- judging and records -----------------------------------------------------------------


def check_judgeable(actor: User, version: SubmissionVersion, trainee_id: int) -> None:
    """May `actor` open, save, finalise or correct a judgement of `trainee_id` on `version`?"""
    if not can_judge(actor):
        raise ServiceError(_("Hanya asesor yang dapat menilai."), status=403)
    role = role_in_version(version, trainee_id)
    if role is None:
        raise ServiceError(_("Peserta ini tidak tercantum pada versi kiriman tersebut."), status=404)
    if role == "pasangan":
        raise ServiceError(evidence_rule(version.submission.practical), status=403)
    if appears_in(actor, version):
        raise ServiceError(_("Anda tampil di video ini (sebagai pengirim atau pasangan), jadi tidak boleh "
                             "menilainya. Penilaian ini harus dilakukan asesor lain."), status=403)
    if version.media_file_id is None:
        raise ServiceError(_("Versi ini belum memiliki video; belum dapat dinilai."), status=409)

def can_see_trainee_records(user: User, trainee_id: int) -> bool:
    """The trainee, a teacher of their class, assessors and admins see a trainee's results and records."""
    if not signed_in(user):
        return False
    if user.id == trainee_id or user.has_role("assessor", "admin"):
        return True
    return teaches_trainee(user, trainee_id)


def can_see_class_report(user: User, classroom: Classroom) -> bool:
    """The FR.AK.05 class report: whoever may see the class (its teacher, admins), and assessors."""
    return can_see_class(user, classroom) or can_judge(user)


def trainee_for_records_or_404(user: User, trainee_id: int) -> User:
    """The trainee if `user` is that trainee, a teacher of their class, an assessor or an admin; else 404."""
    trainee = db.session.get(User, trainee_id)
    if trainee is None or not trainee.has_role("trainee") or not can_see_trainee_records(user, trainee_id):
        abort(404)
    return trainee


def judgement_for_viewer_or_404(user: User, judgement_id: int) -> Judgement:
    """A final judgement for anyone who may see the judged trainee's records; drafts only for assessors."""
    judgement = db.session.get(Judgement, judgement_id)
    if judgement is None or not can_see_trainee_records(user, judgement.trainee_id):
        abort(404)
    if not judgement.is_final and not can_judge(user):
        abort(404)
    return judgement


def class_for_report_or_404(user: User, class_id: int) -> Classroom:
    """A class report: the class's teacher, assessors and admins; 404 otherwise."""
    classroom = db.session.get(Classroom, class_id)
    if classroom is None or not can_see_class_report(user, classroom):
        abort(404)
    return classroom


# Jinja tests (`current_user is can_judge_version(version)`) and the authorisation matrix use these.
PREDICATES = (can_judge_version, can_see_trainee_records, can_see_class_report)
