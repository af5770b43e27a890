from ..classes.service import classes_taught_by
from . import service


def practicals_panel_context(user) -> dict:
    practicals = service.all_practicals()
    rows = []
    if user.has_role("trainee"):
        for practical in practicals:
            latest = service.latest_version(service.own_submission(user, practical))
            rows.append((practical, latest, bool(service.partnered_versions(user, practical))))
    classes = classes_taught_by(user) if user.has_role("teacher") else []
    return {"practicals": practicals, "rows": rows, "classes": classes}
