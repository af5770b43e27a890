from ..classes.service import classes_taught_by
from . import service


def practicals_panel_context(user) -> dict:
    practicals = service.all_practicals(with_points=False)
    rows = []
    if user.has_role("trainee"):
        latest, partnered = service.trainee_overview(user)
        rows = [(p, latest.get(p.id), p.id in partnered) for p in practicals]
    classes = classes_taught_by(user) if user.has_role("teacher") else []
    return {"practicals": practicals, "rows": rows, "classes": classes}
