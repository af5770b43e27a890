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


def test_0008_voids_partner_and_self_judgements_with_an_audit_entry_each(tmp_path, fresh_db_url, make_user):
    """Existing data: judgements given to partners, or by someone in the video, stay but stop counting."""
    from sqlalchemy import text

    from courseware.assessments.models import Judgement
    from courseware.media.models import MediaFile
    from courseware.practicals.models import Submission, SubmissionVersion
    from courseware.practicals.sheets import sync_sheets
    from courseware.quizzes.models import Quiz, QuizWindow
    from courseware.accounts.service import create_user
    from courseware.classes.service import create_class
    from courseware.models_base import utcnow

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_db_url("void"))
    with app.app_context():
        upgrade()
        people = {name: create_user(name, name.title(), roles, password="x" * 12, must_change_password=False)[0]
                  for name, roles in (("sari", ["trainee"]), ("budi", ["trainee", "assessor"]),
                                      ("asesor", ["assessor"]), ("guru", ["teacher"]))}
        practical = sync_sheets(app.config["CONTENT_ROOT"]) and db.session.scalar(
            text("SELECT id FROM practicals WHERE code = 'LIK_1'"))
        media = MediaFile(owner_id=people["sari"].id, target_kind="submission-version", target_id="0",
                          original_filename="a.mp4", original_key="originals/a.mp4", original_size=1,
                          container="mov,mp4", video_codec="h264", duration=60.0, width=640, height=360,
                          status="siap")
        db.session.add(media)
        db.session.flush()
        submission = Submission(practical_id=practical, trainee_id=people["sari"].id)
        db.session.add(submission)
        db.session.flush()
        version = SubmissionVersion(submission_id=submission.id, number=1, partner_id=people["budi"].id,
                                    media_file_id=media.id)
        db.session.add(version)
        db.session.flush()
        now = utcnow()
        rows = {"ok": (people["sari"], people["asesor"]), "partner": (people["budi"], people["asesor"]),
                "self": (people["sari"], people["budi"])}
        ids = {}
        for key, (trainee, assessor) in rows.items():
            judgement = Judgement(version_id=version.id, trainee_id=trainee.id, assessor_id=assessor.id,
                                  state="final", recommendation="K", finalised_at=now)
            db.session.add(judgement)
            db.session.flush()
            ids[key] = judgement.id
        quiz = Quiz(code="tes-tertulis", kind="written", title="Tes", kuks=["1.1"], kuk_weights={"1.1": 1},
                    items_per_attempt=12, time_limit_minutes=25, attempts_allowed=3, pass_mark=80)
        db.session.add(quiz)
        db.session.flush()
        classroom = create_class(people["guru"], "XI A", "2026/2027")
        db.session.add(QuizWindow(quiz_id=quiz.id, classroom_id=classroom.id, opens_at=now, closes_at=now))
        db.session.commit()
        db.session.remove()

        downgrade(revision="0007")
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events"))
        upgrade()
        with db.engine.connect() as conn:
            void = dict(conn.execute(text("SELECT id, void_reason FROM judgements")).all())
            audit = conn.execute(text("SELECT target FROM audit_events WHERE action = 'assessment.void' "
                                      "ORDER BY target")).scalars().all()
            window = conn.execute(text("SELECT items_per_attempt, time_limit_minutes, attempts_allowed, pass_mark "
                                       "FROM quiz_windows")).one()
        assert void == {ids["ok"]: None, ids["partner"]: "pasangan", ids["self"]: "menilai-diri-sendiri"}
        assert audit == sorted([f"judgement:{ids['partner']}", f"judgement:{ids['self']}"])
        # The class window carries the quiz's settings of the day, so no class result changes.
        assert tuple(window) == (12, 25, 3, 80)
        db.engine.dispose()
