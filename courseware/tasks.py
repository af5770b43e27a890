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
import signal
import threading
import time
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


def on_worker_start(app, func) -> None:
    """Register func(app), run by the worker once it holds the instance lock, before the queue."""
    hooks = app.extensions.setdefault("worker_start", [])
    if func not in hooks:
        hooks.append(func)


class WorkerLock:
    """One worker per instance folder: an exclusive OS lock on INSTANCE_PATH/worker.lock.

    The OS drops the lock when the process dies (even by SIGKILL), so a stale file never blocks.
    """

    def __init__(self, instance_path: str):
        self.path = Path(instance_path) / "worker.lock"
        self.handle = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            if os.name == "nt":  # pragma: no cover - Windows
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"


def _exit_with_parent(parent_pid: int) -> None:
    """Started by the server: stop when the server is gone, even if it was killed (SIGKILL)."""
    def watch():
        while os.getppid() == parent_pid:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM if hasattr(signal, "SIGTERM") else signal.SIGINT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


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
@click.option("--parent-pid", type=int, default=None, hidden=True)
def worker_command(workers: int, parent_pid: int | None):
    """Run the background worker (video processing, periodic clean-up) until Ctrl+C or SIGTERM."""
    from huey.consumer_options import ConsumerConfig

    app = current_app._get_current_object()
    if huey.immediate:
        raise click.ClickException("TASKS_EAGER aktif: tugas dijalankan langsung, pekerja tidak diperlukan.")
    lock = WorkerLock(app.instance_path)
    if not lock.acquire():
        raise click.ClickException(
            f"Pekerja lain (PID {lock.holder()}) sudah berjalan untuk instance ini ({lock.path}); "
            "satu instance hanya boleh punya satu pekerja. Hentikan yang lama dulu.")
    if parent_pid and os.name != "nt":
        _exit_with_parent(parent_pid)
    _state["app"] = app
    for hook in app.extensions.get("worker_start", []):
        hook(app)
    config = ConsumerConfig(workers=workers, worker_type="thread", periodic=True, check_worker_health=True)
    config.validate()
    config.setup_logger()
    click.echo(f"Pekerja latar berjalan ({workers} thread, antrean: {huey.storage.__class__.__name__}).")
    huey.create_consumer(**config.values).run()
