"""The media tasks on the shared huey queue (courseware/tasks.py)."""
from huey import crontab

from ..tasks import huey, in_app_context


@huey.task(retries=2, retry_delay=60, context=True)
@in_app_context
def process_media_file(file_id: int, task=None):
    """Transcode one upload; a crash is retried twice, the last failure is recorded as gagal."""
    from . import work

    last = task is None or huey.immediate or task.retries == 0
    work.process(file_id, last_attempt=last)


@huey.periodic_task(crontab(minute="*/30"))
@in_app_context
def sweep_media():
    """Every 30 minutes: expired partial uploads, orphans, processing a dead worker left."""
    from . import work

    return work.sweep()
