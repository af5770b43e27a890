"""Dashboard panels: the trainee's forms, partner requests, feedback and appeals; staff's classes with berkas
links, the open appeals and the class archive."""
from ..classes.service import classes_taught_by
from ..practicals.service import versions_of_trainee_for_page
from ..results.page import unit_result_for_page
from ..results.status import UnitStatus
from . import ak01, apl02, definitions
from .forms_data import current_forms_for_page
from .permissions import classes_assessed_by, views_as_staff
from .service import status_label


def trainee_context(user) -> dict:
    # The forms and versions the other panels of the page read too (one reading each per request).
    forms = current_forms_for_page(user.id)
    as_partner = [row.version for row in versions_of_trainee_for_page(user.id) if row.version.partner_id == user.id]
    waiting = [state for state in ak01.consent_states(as_partner).values() if state == "menunggu"]
    return {"apl02": status_label(forms[apl02.KIND]), "ak01": status_label(forms[ak01.KIND]),
            "partner_waiting": len(waiting),
            "titles": {k: definitions.definition(k)["title"] for k in (apl02.KIND, ak01.KIND)}}


def staff_context(user) -> dict:
    classes = {c.id: c for c in classes_taught_by(user)} if user.has_role("teacher") else {}
    for classroom in classes_assessed_by(user) if user.has_role("assessor") else []:
        classes.setdefault(classroom.id, classroom)
    return {"classes": sorted(classes.values(), key=lambda c: c.name)}


def trainee_records_context(user) -> dict:
    from . import feedback

    # The same readings of the unit result and the forms as the other panels of the page (one per request).
    unit = unit_result_for_page(user.id)
    form = current_forms_for_page(user.id)[feedback.KIND]
    return {"trainee": user, "attempt_id": unit.test.attempt_id,
            "feedback_due": unit.status != UnitStatus.DALAM_PROSES and (form is None or form.locked_at is None)}


def appeals_context(user) -> dict:
    from . import appeals

    return {"count": sum(1 for a in appeals.open_appeals() if views_as_staff(user, a.trainee_id))}


def teacher_records_context(user) -> dict:
    return {"classes": classes_taught_by(user)}
