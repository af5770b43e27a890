from ..classes.service import classes_taught_by
from . import service


def assessor_context(user) -> dict:
    summary = service.queue_summary(user)
    return {"count": summary["count"], "oldest": summary["oldest"], "format_waiting": service.format_waiting}


def trainee_context(user) -> dict:
    return {"unit": service.unit_result(user), "labels": service.result_labels(), "trainee": user}


def teacher_context(user) -> dict:
    return {"classes": classes_taught_by(user)}
