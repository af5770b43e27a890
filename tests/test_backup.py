"""Backups are taken while the site is in use and restore into a fresh instance intact."""
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from courseware.accounts.models import User
from courseware.accounts.service import create_user
from courseware.backup import BackupError, backup, restore
from courseware.classes.models import Classroom
from courseware.extensions import db

from .conftest import login_as, make_app


@pytest.fixture
def live_app(tmp_path, fresh_db_url):
    """An app on a migrated database (the backup copies real tables, revision included)."""
    (tmp_path / "live").mkdir()
    app = make_app(tmp_path / "live", SQLALCHEMY_DATABASE_URI=fresh_db_url("live"))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def _teacher(username):
    return create_user(username, username, ["teacher"], password="rahasia-123", must_change_password=False)[0]


def _writer(app, teacher_id, stop, made):
    client = app.test_client()
    with app.app_context():
        login_as(client, db.session.get(User, teacher_id))
        n = 0
        while not stop.is_set() and n < 200:
            n += 1
            response = client.post("/kelas/baru", data={"name": f"Kelas {n}", "academic_year": "2026/2027"})
            if response.status_code == 302:
                made.append(n)


def test_backup_during_writes_restores_into_fresh_instance(live_app, tmp_path, fresh_db_url):
    teacher = _teacher("guru.bk")
    (tmp_path / "live" / "media" / "asli").mkdir(parents=True)
    (tmp_path / "live" / "media" / "asli" / "video1.mp4").write_bytes(b"isi video")
    stop, made = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(live_app, teacher.id, stop, made))
    writer.start()
    while len(made) < 5:
        pass
    before_backup = set(made)
    folder = backup(live_app, tmp_path / "cadangan")
    stop.set()
    writer.join()
    assert len(made) > len(before_backup) or len(made) == 200  # writes went on during the backup

    (tmp_path / "fresh").mkdir()
    fresh = make_app(tmp_path / "fresh", SQLALCHEMY_DATABASE_URI=fresh_db_url("fresh"))
    with fresh.app_context():
        manifest = restore(fresh, folder)
        names = set(db.session.scalars(select(Classroom.name)))
        assert {f"Kelas {n}" for n in before_backup} <= names
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        assert manifest["media_files"] == 1
        assert (tmp_path / "fresh" / "media" / "asli" / "video1.mp4").read_bytes() == b"isi video"
        response = fresh.test_client().post("/masuk", data={"username": "guru.bk", "password": "rahasia-123"})
        assert response.status_code == 302
        db.session.remove()
        db.engine.dispose()


def test_restore_refuses_to_overwrite_data_without_force(live_app, tmp_path):
    _teacher("ada.isinya")
    folder = backup(live_app, tmp_path / "cadangan")
    with pytest.raises(BackupError, match="sudah berisi data"):
        restore(live_app, folder)


def test_restore_refuses_a_folder_that_is_not_a_backup(live_app, tmp_path):
    with pytest.raises(BackupError, match="bukan folder cadangan"):
        restore(live_app, tmp_path)


def test_backup_keeps_every_attempt_submission_and_judgement(app, tmp_path, fresh_db_url, assessment_school,
                                                            quizzes):
    """The evidence a school cannot lose: test attempts with answers, video versions, final judgements."""
    from datetime import timedelta

    from courseware.assessments import judgements
    from courseware.assessments.models import Judgement, JudgementMark
    from courseware.models_base import utcnow
    from courseware.practicals.models import SubmissionVersion
    from courseware.quizzes import taking, windows
    from courseware.quizzes.models import Attempt, AttemptItem

    school = assessment_school
    windows.set_window(school.a, quizzes["tes-tertulis"], utcnow() - timedelta(hours=1),
                       utcnow() + timedelta(hours=1), "langsung", school.teacher)
    attempt, _ = taking.start_or_resume(school.trainee, quizzes["tes-tertulis"])
    first = attempt.items[0]
    taking.save_answers(attempt.id, school.trainee, {first.position: first.option_order[0]})
    taking.submit(attempt.id, school.trainee)
    version = school.submit(school.trainee, "LIK_1")
    judgement = judgements.start_or_resume_draft(version, school.trainee, school.assessor)
    marks = {p.id: judgements.MarkInput(result="K", comment="Jelas dan runtut") for p in school.lik1.points
             if not p.retired}
    attitudes = {a["id"]: {"result": "K", "comment": "Santun"} for a in school.lik1.attitudes}
    judgements.save_marks(judgement, school.assessor, marks, "K", "Bagus", "Lab MPLB SMK", attitudes)
    judgements.finalise(judgement, school.assessor)

    def evidence():
        return {
            "attempts": [(a.user_id, a.score, a.submitted_at is not None) for a in db.session.scalars(select(Attempt))],
            "answers": sorted((i.question_id, i.chosen_option_id) for i in db.session.scalars(select(AttemptItem))),
            "versions": [(v.submission_id, v.number, v.media_file_id) for v in db.session.scalars(select(SubmissionVersion))],
            "judgements": [(j.trainee_id, j.state, j.recommendation) for j in db.session.scalars(select(Judgement))],
            "marks": sorted((m.point_id, m.result, m.comment) for m in db.session.scalars(select(JudgementMark))),
        }

    before = evidence()
    assert before["attempts"][0][2] and before["judgements"] == [(school.trainee.id, "final", "K")]
    folder = backup(app, tmp_path / "cadangan")
    (tmp_path / "fresh").mkdir()
    fresh = make_app(tmp_path / "fresh", SQLALCHEMY_DATABASE_URI=fresh_db_url("fresh"))
    with fresh.app_context():
        restore(fresh, folder)
        assert evidence() == before
        db.session.remove()
        db.engine.dispose()


def test_backup_copies_finished_media_but_not_unfinished_uploads_or_scratch(live_app, tmp_path):
    root = Path(live_app.config["MEDIA_ROOT"])
    for relative in ("files/ab/video.mp4", "uploads/1f2e.part", "uploads/1f2e.info", "work/transcode-9.mp4"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(b"x" * 64)
    folder = backup(live_app, tmp_path / "cadangan")
    copied = sorted(p.relative_to(folder / "media").as_posix() for p in (folder / "media").rglob("*") if p.is_file())
    assert "files/ab/video.mp4" in copied
    assert not [p for p in copied if p.startswith(("uploads/", "work/"))]
