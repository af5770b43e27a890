"""The app as a real server PROCESS (waitress), for the kill and multi-instance tests.

Run as `python -m tests.live_server` with DATABASE_URL, INSTANCE_PATH, MEDIA_ROOT, SECRET_KEY,
TASKS_EAGER=1 and PORT in the environment; it serves until killed. The test side uses
`LiveServer` (start, SIGKILL, restart on the same database and folders), `seed()` (users, a
small question bank, the written test open for a class, the LIK sheets) and `login()` (a real
password login with `requests`, returning a session that sends the CSRF header).
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
PASSWORD = "rahasia-123"
CSRF_RE = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def main() -> None:  # pragma: no cover - runs in the subprocess
    from courseware import create_app
    from courseware.serve import serve_site

    app = create_app({"RATELIMIT_STORAGE_URI": "memory://", "SERVER_NAME": None})
    if os.environ.get("LIVE_WSGI") == "gunicorn":  # as deploy/gunicorn.conf.py: gthread workers
        from gunicorn.app.base import BaseApplication

        class Gunicorn(BaseApplication):
            def load_config(self):
                for key, value in {"bind": f"127.0.0.1:{os.environ['PORT']}", "worker_class": "gthread",
                                   "workers": 1, "threads": 4, "timeout": 120}.items():
                    self.cfg.set(key, value)

            def load(self):
                return app

        Gunicorn().run()
        return
    # The site's own waitress settings (connection limit, idle timeouts), so live tests see them.
    serve_site(app, "127.0.0.1", int(os.environ["PORT"]), threads=int(os.environ.get("LIVE_THREADS", "4")))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """One waitress subprocess; `kill()` is SIGKILL (no clean-up code runs), `start()` restarts."""

    def __init__(self, database_url: str, media_root: Path, instance_path: Path, secret_key: str = "live-secret"):
        self.env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root),
                    "INSTANCE_PATH": str(instance_path), "SECRET_KEY": secret_key, "TASKS_EAGER": "1",
                    "PYTHONPATH": str(PROJECT)}
        self.process: subprocess.Popen | None = None
        self.port = free_port()
        self.log = instance_path / f"server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 15) -> "LiveServer":
        return self.launch().wait_ready(timeout)

    def launch(self) -> "LiveServer":
        """Start the process without waiting (start two, then wait for both)."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "tests.live_server"], cwd=PROJECT,
                                            env={**self.env, "PORT": str(self.port)}, stdout=log, stderr=log)
        return self

    def wait_ready(self, timeout: float = 15) -> "LiveServer":
        import requests

        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/masuk", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish requests, commit or clean up."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    stop = kill


def login(base_url: str, username: str, password: str = PASSWORD):
    """A real login through the form; the returned requests.Session sends X-CSRFToken."""
    import requests

    http = requests.Session()
    page = http.get(f"{base_url}/masuk")
    token = CSRF_RE.search(page.text).group(1)
    response = http.post(f"{base_url}/masuk", data={"username": username, "password": password,
                                                    "csrf_token": token}, allow_redirects=False)
    assert response.status_code == 302, response.text[:500]
    refresh_csrf(http, base_url)
    return http


def refresh_csrf(http, base_url: str) -> str:
    """Take the CSRF token from a page (login clears the session, so do this after it)."""
    page = http.get(f"{base_url}/tes/")
    token = CSRF_RE.search(page.text).group(1)
    http.headers["X-CSRFToken"] = token
    return token


def seed(app) -> dict:
    """Inside an app context on a migrated database: what the live tests need. Returns ids."""
    from datetime import timedelta

    from courseware.accounts.service import create_user
    from courseware.bank.models import KUKS, Question, QuestionOption
    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.extensions import db
    from courseware.models_base import utcnow
    from courseware.practicals.sheets import sync_sheets
    from courseware.quizzes.content import sync_quizzes
    from courseware.quizzes.service import get_quiz
    from courseware.quizzes.windows import set_window

    def user(name, role, nis=None):
        return create_user(name, name.title(), [role], password=PASSWORD, nis=nis, must_change_password=False)[0]

    teacher, trainee, trainee2 = user("guru1", "teacher"), user("peserta1", "trainee", "1001"), \
        user("peserta2", "trainee", "1002")
    for kuk in KUKS:
        for n in range(1, 4):
            uid = f"{kuk}-t{n}"
            question = Question(uid=uid, kuk=kuk, stem=f"Soal uji {uid}?", explanation=f"PEMBAHASAN-{uid}")
            question.options = [QuestionOption(position=i, text=f"Pilihan {c} soal {uid}", is_key=(i == 1))
                                for i, c in enumerate("ABCD")]
            db.session.add(question)
    db.session.commit()
    sync_quizzes(app)
    sync_sheets(app.config["CONTENT_ROOT"])
    classroom = create_class(teacher, "XI MPLB 1", "2026/2027")
    for member in (trainee, trainee2):
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=member.id))
    # The live tests upload LIK videos straight away: this class lets practicals start without
    # waiting for the self-assessment (FR.APL.02), the class setting a teacher can switch off.
    from courseware.berkas.models import ClassFormSettings

    db.session.add(ClassFormSettings(classroom_id=classroom.id, apl02_required=False))
    db.session.commit()
    now = utcnow()
    set_window(classroom, get_quiz("tes-tertulis"), now - timedelta(hours=1), now + timedelta(hours=2),
               "langsung", teacher)
    return {"trainee": trainee.id, "trainee2": trainee2.id, "teacher": teacher.id}


def new_version(app, user_id: int, code: str = "LIK_2") -> int:
    """A fresh submission version of `code` for the trainee (the tus target); returns its id."""
    from sqlalchemy import select

    from courseware.accounts.models import User
    from courseware.extensions import db
    from courseware.practicals.models import Practical
    from courseware.practicals.service import save_version

    practical = db.session.scalar(select(Practical).where(Practical.code == code))
    version, _created = save_version(db.session.get(User, user_id), practical, None, "")
    return version.id


# --- the pytest side ------------------------------------------------------------------------

@pytest.fixture
def live(tmp_path, fresh_db_url):
    """A migrated, seeded database and media folder, plus a factory of server processes on them."""
    from flask_migrate import upgrade

    from courseware.extensions import db

    from .conftest import make_app

    url = fresh_db_url("live")
    media_root, instance = tmp_path / "media", tmp_path / "instance"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url, MEDIA_ROOT=str(media_root))
    servers = []
    with app.app_context():
        upgrade()
        ids = seed(app)
        db.session.remove()

        def server(secret="live-secret"):
            instance_n = instance / str(len(servers))
            made = LiveServer(url, media_root, instance_n, secret_key=secret)
            servers.append(made)
            return made

        yield type("Live", (), {"app": app, "ids": ids, "server": staticmethod(server), "media_root": media_root,
                                "url": url})
        for made in servers:
            made.kill()
        db.session.remove()
        db.engine.dispose()


def tus_headers(http, **extra):
    from .media_tus import TUS


    return {**TUS, "X-CSRFToken": http.headers["X-CSRFToken"], **extra}


def tus_create(http, base, length, version_id, filename="dialog.mp4", kind="submission-version"):
    from .media_tus import metadata

    return http.post(f"{base}/media/tus/", headers=tus_headers(
        http, **{"Upload-Length": str(length),
                 "Upload-Metadata": metadata(filename=filename, kind=kind, target_id=version_id)}))


def tus_patch(http, url, offset, body):
    return http.patch(url, data=body, headers=tus_headers(
        http, **{"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}))


if __name__ == "__main__":  # pragma: no cover
    main()
