from ..classes.service import classes_taught_by
from ..results.page import unit_result_for_page
from . import assessor_queue, lookups


def assessor_context(user) -> dict:
    summary = assessor_queue.queue_summary(user)
    return {"count": summary["count"], "oldest": summary["oldest"], "format_waiting": assessor_queue.format_waiting}


def trainee_context(user) -> dict:
    return {"unit": unit_result_for_page(user.id), "labels": lookups.result_labels(), "trainee": user}


def teacher_context(user) -> dict:
    return {"classes": classes_taught_by(user)}
