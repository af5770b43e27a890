"""The quizzes' task on the shared huey queue (courseware/tasks.py).

Pages never write, so an attempt whose time ran out is scored by the trainee's next write
(answer, submit, start) or, if the trainee never comes back, by this task within a minute.
Until then every page reads it as closed (service.ClosedByTime, results/status.py)."""
from huey import crontab

from ..tasks import huey, in_app_context


@huey.periodic_task(crontab(minute="*"))
@in_app_context
def close_expired_attempts():
    """Every minute: score every attempt whose deadline has passed (each in its own transaction)."""
    from . import taking

    return taking.close_expired()
