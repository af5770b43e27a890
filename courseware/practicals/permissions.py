"""Who may see a trainee's practical work: the definitions, written once.

Views (through service.visible_submission_or_404), the media domain (can_view_media, the upload
target's hook), the assessment domain, templates (as Jinja tests, `current_user is
can_view_submission(submission)`) and tests/test_authz_matrix.py all use these.
"""
from sqlalchemy import select

from ..auth import signed_in
from ..extensions import db
from ..classes.permissions import teaches_trainee
from .models import Submission, SubmissionVersion


def _staff_viewer(user) -> bool:
    return user.has_role("assessor", "admin")


def can_view_version(user, version: SubmissionVersion) -> bool:
    """The submitter, that version's partner, a teacher of either one's class, assessors and admins."""
    if not signed_in(user):
        return False
    submission = version.submission
    if user.id in (submission.trainee_id, version.partner_id) or _staff_viewer(user):
        return True
    return teaches_trainee(user, submission.trainee_id) or teaches_trainee(user, version.partner_id)


def can_view_submission(user, submission: Submission) -> bool:
    """Whoever may see at least one of its versions (a partner sees only the versions naming them);
    the submitter, assessors and admins also before any version exists."""
    if not signed_in(user):
        return False
    if user.id == submission.trainee_id or _staff_viewer(user):
        return True
    return any(can_view_version(user, v) for v in submission.versions)


def can_view_media(user, media_file) -> bool:
    """The media domain's question for a video uploaded to a version: whoever may see that version."""
    version = db.session.scalar(select(SubmissionVersion).where(SubmissionVersion.media_file_id == media_file.id))
    return version is not None and can_view_version(user, version)


PREDICATES = (can_view_submission, can_view_version)
