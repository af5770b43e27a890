"""Dashboard panels: the trainee's forms, partner requests, feedback and appeals; staff's classes with berkas
links, the open appeals and the class archive."""
from ..classes.service import classes_taught_by
from ..extensions import db
from ..quizzes.models import Attempt
from ..results import status as results
from . import ak01, apl02, definitions
from .permissions import classes_assessed_by, views_as_staff
from .service import status_label


def trainee_context(user) -> dict:
    apl = apl02.current_form(user.id)
    ak = ak01.find_form(ak01.KIND, user.id)
    waiting = [state for state in ak01.consent_states(ak01.versions_as_partner(user)).values() if state == "menunggu"]
    return {"apl02": status_label(apl), "ak01": status_label(ak), "partner_waiting": len(waiting),
            "titles": {k: definitions.definition(k)["title"] for k in (apl02.KIND, ak01.KIND)}}


def staff_context(user) -> dict:
    classes = {c.id: c for c in classes_taught_by(user)} if user.has_role("teacher") else {}
    for classroom in classes_assessed_by(user) if user.has_role("assessor") else []:
        classes.setdefault(classroom.id, classroom)
    return {"classes": sorted(classes.values(), key=lambda c: c.name)}


def trainee_records_context(user) -> dict:
    from . import feedback

    # The same reading of the unit result as the other panels of the page (one per request).
    unit = results.unit_result_for_page(user.id)
    form = feedback.form_of(user.id)
    attempt = db.session.get(Attempt, unit.test.attempt_id) if unit.test.attempt_id else None
    return {"trainee": user, "attempt": attempt,
            "feedback_due": unit.status != results.UnitStatus.DALAM_PROSES and (form is None or form.locked_at is None)}


def appeals_context(user) -> dict:
    from . import appeals

    return {"count": sum(1 for a in appeals.open_appeals() if views_as_staff(user, a.trainee_id))}


def teacher_records_context(user) -> dict:
    return {"classes": classes_taught_by(user)}
