"""Small lookups of AssessmentForm rows shared by IA.05, AK.03, AK.04, the berkas PDF and the dashboard."""
from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..navigation import once_per_request


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


PAGE_KINDS = ("FR.APL.02", "FR.AK.01", "FR.AK.03")


@once_per_request
def current_forms_for_page(trainee_id: int) -> Mapping:
    """kind -> the trainee's current form of each kind in PAGE_KINDS (or None), in one query: FR.APL.02
    the newest, restarts included (apl02.current_form), FR.AK.01 and FR.AK.03 the one per trainee
    (find_form). Read once per request for a page whose panels share it (the trainee's dashboard)."""
    from .models import AssessmentForm

    current = dict.fromkeys(PAGE_KINDS)
    # Signatures joined, not selectin-loaded: a trainee with signed forms costs the same one statement.
    for form in db.session.scalars(select(AssessmentForm).options(joinedload(AssessmentForm.signatures)).where(
            AssessmentForm.trainee_id == trainee_id, AssessmentForm.kind.in_(PAGE_KINDS))
            .order_by(AssessmentForm.id)).unique():
        if form.kind == "FR.APL.02" or form.subject_key is None:
            current[form.kind] = form          # the newest wins
    return MappingProxyType(current)
