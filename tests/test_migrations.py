"""The Alembic revisions build exactly the schema the models describe, on SQLite and PostgreSQL."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from courseware.extensions import db

from .conftest import make_app


def _assert_head_matches_models(app):
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "user_roles", "classrooms", "enrollments", "audit_events"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


def test_sqlite_upgrades_from_empty_to_head(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'migr.sqlite3'}")
    _assert_head_matches_models(app)


def test_postgresql_upgrades_from_empty_to_head(tmp_path, fresh_db_url):
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("DATABASE_URL does not point at PostgreSQL; CI runs this on PostgreSQL")
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_db_url("migr"))
    _assert_head_matches_models(app)
