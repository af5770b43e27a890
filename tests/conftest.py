"""Fixtures: an app on a fresh database per test, a CSRF-aware client, users per role.

The database is SQLite in a temporary folder unless DATABASE_URL points at PostgreSQL
(CI runs the suite both ways); on PostgreSQL every table is emptied between tests.
"""
import hashlib
import os
from pathlib import Path

# A cheap password hash for the thousands of accounts the suite makes (set before the app imports).
os.environ.setdefault("COURSEWARE_TEST_PASSWORD_HASH", "1")

import pytest
from flask import g
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text

from courseware import create_app
from courseware.accounts.service import create_user
from courseware.extensions import db
from courseware.i18n import compile_catalogs

# A fresh clone has no compiled catalog (*.mo is not in git); compiling only when missing or older
# than the .po costs nothing on later runs.
compile_catalogs()

TEST_PASSWORD = "rahasia-123"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _database_url(tmp_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql") else f"sqlite:///{tmp_path / 'test.sqlite3'}"


class CsrfClient(FlaskClient):
    """A test client that adds a valid CSRF token to form posts unless csrf=False."""

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, csrf=True, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method in ("POST", "PUT", "PATCH", "DELETE"):
            data = kwargs.get("data")
            if isinstance(data, dict) and "csrf_token" not in data:
                kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
            elif data is None and "json" not in kwargs:
                headers = dict(kwargs.get("headers") or {})
                headers.setdefault("X-CSRFToken", self.csrf_token())
                kwargs["headers"] = headers
        # The test's app context stays pushed, and Flask reuses it for each test request, so
        # `g` (Flask-Login's cached user, Flask-WTF's token) would leak between clients.
        g.__dict__.clear()
        response = super().open(*args, **kwargs)
        # Requests run in their own app context and session; let the test's session re-read.
        db.session.expire_all()
        return response


def make_app(tmp_path: Path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "TASKS_EAGER": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
        # The berkas gates (practicals wait for FR.APL.02, finalising waits for FR.AK.01) are on in
        # the site; tests written before the berkas existed run without them. The berkas tests
        # switch them on (tests/test_berkas_*.py, tests/e2e/test_berkas_browser.py).
        "BERKAS_GATES": False,
    }
    config.update(overrides)
    os.environ.setdefault("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(config)
    app.test_client_class = CsrfClient
    return app


_POSTGRES_SCHEMAS_READY: set[str] = set()


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # One shared database: create the tables once per run, empty them before each test.
            url = db.engine.url.render_as_string(hide_password=False)
            if url not in _POSTGRES_SCHEMAS_READY:
                db.create_all()
                _POSTGRES_SCHEMAS_READY.add(url)
            _empty_all_tables()
        else:
            db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def _empty_all_tables():
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    if names:
        with db.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    counter = {"n": 0}

    def _make(username=None, roles=("trainee",), name=None, nis=None, password=TEST_PASSWORD):
        counter["n"] += 1
        username = username or f"user{counter['n']}"
        user, _ = create_user(username, name or username.title(), list(roles), password=password, nis=nis,
                              must_change_password=False)
        return user

    return _make


def login_as(client, user):
    """Sign a client in as `user` without paying for a password hash."""
    from courseware.accounts.service import start_login_session

    start_login_session(user)
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return client


@pytest.fixture
def users(make_user):
    """One user per role, plus a second trainee and a second teacher."""
    return {
        "admin": make_user("admin1", ["admin"]),
        "teacher": make_user("guru1", ["teacher"]),
        "teacher2": make_user("guru2", ["teacher"]),
        "assessor": make_user("asesor1", ["assessor"]),
        "trainee": make_user("peserta1", ["trainee"], nis="1001"),
        "trainee2": make_user("peserta2", ["trainee"], nis="1002"),
    }


@pytest.fixture
def as_user(app, users):
    """as_user("teacher") -> a fresh client logged in as that fixture user."""

    def _client(role):
        return login_as(app.test_client(), users[role])

    return _client


# --- fresh databases (migration, backup and multi-instance tests) --------------------------

@pytest.fixture
def fresh_db_url(tmp_path):
    """fresh_db_url("name") -> URL of a new empty database of the kind under test, dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine

    base = os.environ.get("DATABASE_URL", "")
    created = []

    def _make(name: str) -> str:
        if not base.startswith("postgresql"):
            folder = tmp_path / name
            folder.mkdir(exist_ok=True)
            return f"sqlite:///{folder / 'db.sqlite3'}"
        db_name = f"cw_{name}_{uuid.uuid4().hex[:8]}"
        with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{db_name}"'))
        created.append(db_name)
        return base.rsplit("/", 1)[0] + "/" + db_name

    yield _make
    if created:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for db_name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


# --- practicals: the shipped LIK_1/LIK_2 sheets loaded into the test database ---------------

@pytest.fixture
def practicals(app):
    """{"LIK_1": Practical, "LIK_2": Practical} after syncing checklists/*.yml."""
    from sqlalchemy import select

    from courseware.practicals.models import Practical
    from courseware.practicals.sheets import sync_sheets

    sync_sheets(app.config["CONTENT_ROOT"])
    return {p.code: p for p in db.session.scalars(select(Practical))}


# --- lessons domain: the shipped lessons loaded into the test database -------------------

@pytest.fixture
def lessons(app):
    """Run the lessons content sync on the shipped content; returns the sync result."""
    from courseware.lessons.sync import sync_content

    return sync_content(app.config["CONTENT_ROOT"])


# --- quizzes: a small bank made with the bank models, the shipped quiz definitions, a class --

@pytest.fixture
def quiz_bank(app):
    """Per KUK three `ujian` questions (t1-t3) and two `latihan` ones (t4, t5); the key is always
    option B; explanations read PEMBAHASAN-<uid>."""
    from courseware.bank.models import KUKS, Question, QuestionOption

    questions = []
    for kuk in KUKS:
        for n in range(1, 6):
            uid = f"{kuk}-t{n}"
            question = Question(uid=uid, kuk=kuk, pool="ujian" if n <= 3 else "latihan", stem=f"Soal uji {uid}?",
                                explanation=f"PEMBAHASAN-{uid}")
            question.options = [QuestionOption(position=i, text=f"Pilihan {letter} soal {uid}", is_key=(i == 1))
                                for i, letter in enumerate("ABCD")]
            db.session.add(question)
            questions.append(question)
    db.session.commit()
    return questions


@pytest.fixture
def quizzes(app, quiz_bank):
    """{code: Quiz} after syncing quizzes/quizzes.yml."""
    from sqlalchemy import select

    from courseware.quizzes.content import sync_quizzes
    from courseware.quizzes.models import Quiz

    sync_quizzes(app)
    return {q.code: q for q in db.session.scalars(select(Quiz))}


@pytest.fixture
def quiz_class(app, users, quizzes):
    """The teacher's class with both fixture trainees, the written test open now (review: langsung)."""
    from datetime import timedelta

    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.models_base import utcnow
    from courseware.quizzes.windows import set_window

    classroom = create_class(users["teacher"], "XI MPLB 1", "2026/2027")
    for role in ("trainee", "trainee2"):
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=users[role].id))
    db.session.commit()
    now = utcnow()
    set_window(classroom, quizzes["tes-tertulis"], now - timedelta(hours=1), now + timedelta(hours=2), "langsung",
               users["teacher"])
    return classroom


# --- media (video uploads): real clips made once per session, a dummy upload target -------

@pytest.fixture(scope="session")
def media_clips(tmp_path_factory):
    """Real clips made with PyAV: an H.264 MP4 with audio and a rotated HEVC MOV above 720p."""
    from courseware.media.transcoding import make_clip

    folder = tmp_path_factory.mktemp("clips")
    return {
        "h264_mp4": make_clip(folder / "rekaman.mp4", codec="libx264", seconds=2, size=(320, 240), audio=True),
        # 1280x960 stored sideways with a 90-degree display flag, as phones record portrait video.
        "hevc_mov": make_clip(folder / "IMG_0001.MOV", codec="libx265", seconds=2, size=(1280, 960),
                              audio=False, container_format="mov", rotation=90),
    }


@pytest.fixture
def media_target(app):
    """Register the upload target kind "uji": trainees upload for target "1" or "2"; assessors view."""
    from courseware.media.targets import register_upload_target, unregister_upload_target

    completed = []

    def authorize(user, target_id):
        return user.has_role("trainee") and target_id in ("1", "2")

    def on_complete(user, target_id, media_file):
        completed.append((user.id, target_id, media_file.id))

    def can_view(user, media_file):
        return user.has_role("assessor", "admin")

    register_upload_target("uji", authorize, on_complete, can_view)
    yield completed
    unregister_upload_target("uji")


# --- assessments: a school with classes, trainees and LIK submissions that carry videos ----

@pytest.fixture
def assessment_school(app, users, make_user, practicals):
    """Class A (teacher): trainee, trainee2, ani. Class B (teacher2): budi.

    school.submit(trainee, "LIK_1", partner=None, status="siap") -> a new SubmissionVersion with a
    MediaFile attached (each call is one second newer than the last).
    """
    import itertools
    from datetime import timedelta
    from types import SimpleNamespace

    from sqlalchemy import select

    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.media.models import MediaFile
    from courseware.models_base import utcnow
    from courseware.practicals.models import Submission, SubmissionVersion

    extra = {"ani": make_user("ani", ["trainee"], name="Ani Wulandari", nis="1003"),
             "budi": make_user("budi", ["trainee"], name="Budi Santoso", nis="1004")}
    class_a = create_class(users["teacher"], "XI MPLB 1", "2026/2027")
    class_b = create_class(users["teacher2"], "XI MPLB 2", "2026/2027")
    for user in (users["trainee"], users["trainee2"], extra["ani"]):
        db.session.add(Enrollment(classroom_id=class_a.id, user_id=user.id))
    db.session.add(Enrollment(classroom_id=class_b.id, user_id=extra["budi"].id))
    db.session.commit()
    counter = itertools.count(1)
    start = utcnow() - timedelta(days=2)

    def submit(trainee, code="LIK_1", partner=None, status="siap"):
        n = next(counter)
        at = start + timedelta(seconds=n)
        practical = practicals[code]
        submission = db.session.scalar(select(Submission).where(
            Submission.practical_id == practical.id, Submission.trainee_id == trainee.id))
        if submission is None:
            submission = Submission(practical_id=practical.id, trainee_id=trainee.id, created_at=at)
            db.session.add(submission)
            db.session.flush()
        submission.partner_id = partner.id if partner else None
        media = MediaFile(owner_id=trainee.id, target_kind="submission-version", target_id="0",
                          original_filename="dialog.mp4", original_key=f"originals/assess/{n}.mp4",
                          original_size=1000, container="mov,mp4", video_codec="h264", audio_codec="aac",
                          duration=240.0, width=1280, height=720, status=status,
                          playback_key=f"playback/assess/{n}.mp4" if status == "siap" else None)
        db.session.add(media)
        db.session.flush()
        number = len(submission.versions) + 1
        version = SubmissionVersion(submission_id=submission.id, number=number,
                                    partner_id=partner.id if partner else None, transcript="",
                                    media_file_id=media.id, attached_at=at, created_at=at)
        db.session.add(version)
        db.session.commit()
        db.session.expire(submission)
        return version

    return SimpleNamespace(a=class_a, b=class_b, submit=submit, lik1=practicals["LIK_1"],
                           lik2=practicals["LIK_2"], **users, **extra)
