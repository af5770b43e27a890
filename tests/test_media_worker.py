"""One worker per instance, stopped with its server (issue 13, point 3).

Real processes: `python -m courseware.serve` (what `python3 run.py` runs) with its worker child,
and `flask --app app worker` started twice on one instance folder. Linux only (reads /proc).
"""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from courseware.extensions import db
from courseware.media.models import MediaFile

from .live_server import free_port
from .media_tus import upload

PROJECT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")


def _env(tmp_path: Path, **extra) -> dict:
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path / "instance"), "MEDIA_ROOT": str(tmp_path / "media"),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}", "SECRET_KEY": "worker-test",
           "TASKS_EAGER": "0", "PYTHONPATH": str(PROJECT)}
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def _alive(pid: int) -> bool:
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                     if line.startswith("State:"))
    except (FileNotFoundError, ProcessLookupError):
        return False
    return " Z " not in state + " "


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _worker_child(pid: int):
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for child in children:
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        if b"worker" in cmdline:
            return int(child)
    return None


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def site(tmp_path):
    """Start `python -m courseware.serve` and yield (process, worker pid)."""
    port = free_port()
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "courseware.serve", "--port", str(port)], cwd=PROJECT,
                              env=_env(tmp_path), stdout=log, stderr=log)
    try:
        _wait(lambda: _listening(port) or server.poll() is not None, 120, "the server to listen")
        assert server.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
        worker = _wait(lambda: _worker_child(server.pid), 30, "the worker child")
        yield server, worker
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)
        log.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_server_stops_its_worker(site, sig):
    server, worker = site
    assert _alive(worker)
    server.send_signal(sig)
    assert server.wait(40) == 0
    assert not _alive(worker)


def test_a_killed_server_leaves_no_worker_behind(site):
    server, worker = site
    server.send_signal(signal.SIGKILL)
    server.wait(10)
    _wait(lambda: not _alive(worker), 20, "the orphaned worker to exit")


def test_a_second_worker_for_the_same_instance_refuses_and_says_why(tmp_path):
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=PROJECT, env=env,
                   check=True, capture_output=True)
    first = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=PROJECT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: (tmp_path / "instance" / "worker.lock").exists()
              and (tmp_path / "instance" / "worker.lock").read_text().strip() == str(first.pid), 30, "the lock")
        second = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=PROJECT, env=env,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode != 0
        assert f"Pekerja lain (PID {first.pid}) sudah berjalan" in second.stderr
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(30)
    # The lock goes with the process: a new worker may start now.
    third = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=PROJECT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: (tmp_path / "instance" / "worker.lock").read_text().strip() == str(third.pid), 30,
              "the new worker's lock")
    finally:
        third.send_signal(signal.SIGTERM)
        third.wait(30)


def test_worker_start_requeues_a_file_a_killed_worker_left_in_diproses(app, tmp_path, as_user, media_clips,
                                                                        media_target, monkeypatch):
    from courseware.media import files
    from courseware.models_base import utcnow

    monkeypatch.setattr(files, "enqueue_processing", lambda file_id: None)
    _, last = upload(as_user("trainee"), media_clips["h264_mp4"].read_bytes(), chunk=1 << 20)
    media_id = int(last.headers["Media-File-Id"])
    media = db.session.get(MediaFile, media_id)
    media.status, media.processing_started_at, media.attempts = "diproses", utcnow(), 1
    db.session.commit()

    env = _env(tmp_path / "w", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               MEDIA_ROOT=app.config["MEDIA_ROOT"])
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], cwd=PROJECT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def ready():
            db.session.rollback()
            db.session.expire_all()
            return db.session.get(MediaFile, media_id).status == "siap"
        _wait(ready, 120, "the re-queued file to be processed")
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    assert "1 video yang terhenti saat diproses diantrekan ulang" in output


def test_media_process_force_reruns_one_file(app, as_user, media_clips, media_target):
    _, last = upload(as_user("trainee"), media_clips["h264_mp4"].read_bytes(), chunk=1 << 20)
    media = db.session.get(MediaFile, int(last.headers["Media-File-Id"]))
    assert media.status == "siap"
    old_key = media.playback_key
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["media", "process", str(media.id)])
    assert refused.exit_code != 0 and "--force" in refused.output
    done = runner.invoke(args=["media", "process", str(media.id), "--force"])
    assert done.exit_code == 0 and f"Video {media.id}: siap" in done.output
    db.session.expire_all()
    media = db.session.get(MediaFile, media.id)
    assert media.status == "siap" and media.playback_key != old_key and media.attempts == 2
    files = Path(app.config["MEDIA_ROOT"]) / "files"
    assert not (files / old_key).exists() and (files / media.playback_key).exists()
    assert runner.invoke(args=["media", "process", "999999"]).exit_code != 0
