"""The background task queue (huey), shared by every domain.

Backend, chosen in init_app() from the settings:
- TASKS_EAGER true (the tests): tasks run immediately, inside the caller;
- REDIS_URL set: RedisHuey (several web hosts and workers share it);
- otherwise: SqliteHuey in INSTANCE_PATH/tasks.sqlite3 (one lab PC, no extra service).

Run the consumer with `flask --app app worker` (run.py starts it for you). Tasks are plain
functions decorated with @huey.task(); each runs inside an app context (see `in_app_context`).
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import click
from flask import current_app, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

huey = Huey("courseware", storage_class=MemoryStorage, immediate=True, results=False)
_state: dict = {"app": None}


def init_app(app) -> None:
    """Point the queue at the app's backend and register the worker command (idempotent)."""
    _state["app"] = app
    if app.config.get("TASKS_EAGER"):
        huey.immediate = True
    else:
        if app.config.get("REDIS_URL"):
            huey.storage_class = RedisStorage
            huey.storage_kwargs = {"url": app.config["REDIS_URL"]}
        else:
            Path(app.instance_path).mkdir(parents=True, exist_ok=True)
            huey.storage_class = SqliteStorage
            huey.storage_kwargs = {"filename": os.path.join(app.instance_path, "tasks.sqlite3")}
        huey._immediate = False
        huey.storage = huey.create_storage()
    if "worker" not in app.cli.commands:
        app.cli.add_command(worker_command)


def in_app_context(func):
    """Run a task inside an app context: the caller's (eager mode) or the worker's app."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return func(*args, **kwargs)
        app = _state["app"]
        if app is None:
            from . import create_app

            app = create_app()
        with app.app_context():
            return func(*args, **kwargs)

    return wrapper


@click.command("worker")
@click.option("--workers", "-w", type=int, default=lambda: int(os.environ.get("WORKER_THREADS", "1")), show_default="1",
              help="Jumlah thread pekerja (transkode memakai banyak CPU; 1 cukup untuk satu PC).")
def worker_command(workers: int):
    """Run the background worker (video processing, periodic clean-up) until Ctrl+C."""
    from huey.consumer_options import ConsumerConfig

    app = current_app._get_current_object()
    if huey.immediate:
        raise click.ClickException("TASKS_EAGER aktif: tugas dijalankan langsung, pekerja tidak diperlukan.")
    _state["app"] = app
    config = ConsumerConfig(workers=workers, worker_type="thread", periodic=True, check_worker_health=True)
    config.validate()
    config.setup_logger()
    click.echo(f"Pekerja latar berjalan ({workers} thread, antrean: {huey.storage.__class__.__name__}).")
    huey.create_consumer(**config.values).run()
