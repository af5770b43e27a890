"""Dashboard panels: the trainee's forms and partner requests; staff's classes with berkas links."""
from ..classes.service import classes_taught_by
from . import ak01, apl02, definitions
from .permissions import classes_assessed_by
from .service import status_label


def trainee_context(user) -> dict:
    apl = apl02.current_form(user.id)
    ak = ak01.find_form(ak01.KIND, user.id)
    waiting = [v for v in ak01.versions_as_partner(user) if ak01.consent_state(v) == "menunggu"]
    return {"apl02": status_label(apl), "ak01": status_label(ak), "partner_waiting": len(waiting),
            "titles": {k: definitions.definition(k)["title"] for k in (apl02.KIND, ak01.KIND)}}


def staff_context(user) -> dict:
    classes = {c.id: c for c in classes_taught_by(user)} if user.has_role("teacher") else {}
    for classroom in classes_assessed_by(user) if user.has_role("assessor") else []:
        classes.setdefault(classroom.id, classroom)
    return {"classes": sorted(classes.values(), key=lambda c: c.name)}
