"""Fixtures: an app on a fresh database per test, a CSRF-aware client, users per role.

The database is SQLite in a temporary folder unless DATABASE_URL points at PostgreSQL
(CI runs the suite both ways); on PostgreSQL every table is emptied between tests.
"""
import hashlib
import os
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text

from courseware import create_app
from courseware.accounts.service import create_user
from courseware.extensions import db

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
    }
    config.update(overrides)
    os.environ.setdefault("INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(config)
    app.test_client_class = CsrfClient
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.create_all()
            _empty_all_tables()
        else:
            db.create_all()
        yield app
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            _empty_all_tables()
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
