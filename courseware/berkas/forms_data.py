"""Small lookups of AssessmentForm rows shared by IA.05, AK.03, AK.04 and the berkas PDF."""
from sqlalchemy import select

from ..extensions import db


def find_form(kind: str, trainee_id: int, subject_key: str | None):
    from .models import AssessmentForm

    query = select(AssessmentForm).where(AssessmentForm.kind == kind, AssessmentForm.trainee_id == trainee_id)
    query = query.where(AssessmentForm.subject_key.is_(None) if subject_key is None
                        else AssessmentForm.subject_key == subject_key)
    return db.session.scalar(query.order_by(AssessmentForm.id.desc()).limit(1))


def forms_of_kind(kind: str, trainee_ids: list[int], subject_key: str | None = None) -> dict:
    from .models import AssessmentForm

    if not trainee_ids:
        return {}
    query = select(AssessmentForm).where(AssessmentForm.kind == kind, AssessmentForm.trainee_id.in_(trainee_ids))
    if subject_key is not None:
        query = query.where(AssessmentForm.subject_key == subject_key)
    return {form.trainee_id: form for form in db.session.scalars(query.order_by(AssessmentForm.id))}
