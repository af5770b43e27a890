"""Migration 0014: every old per-point time stamp becomes a time-stamped comment tied to its point."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from courseware.extensions import db

from .conftest import make_app


def test_0014_copies_each_per_point_time_into_a_comment(tmp_path, fresh_db_url):
    from courseware.accounts.service import create_user
    from courseware.assessments.models import Judgement, JudgementMark
    from courseware.media.models import MediaFile
    from courseware.models_base import utcnow
    from courseware.practicals.models import Practical, Submission, SubmissionVersion
    from courseware.practicals.sheets import sync_sheets

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=fresh_db_url("comments"))
    with app.app_context():
        upgrade()
        sari = create_user("sari", "Sari", ["trainee"], password="x" * 12, must_change_password=False)[0]
        asesor = create_user("asesor", "Asesor", ["assessor"], password="x" * 12, must_change_password=False)[0]
        sync_sheets(app.config["CONTENT_ROOT"])
        practical = db.session.scalar(db.select(Practical).where(Practical.code == "LIK_1"))
        media = MediaFile(owner_id=sari.id, target_kind="submission-version", target_id="0", original_filename="a.mp4",
                          original_key="originals/a.mp4", original_size=1, container="mov,mp4", video_codec="h264",
                          duration=240.0, width=640, height=360, status="siap")
        db.session.add(media)
        db.session.flush()
        submission = Submission(practical_id=practical.id, trainee_id=sari.id)
        db.session.add(submission)
        db.session.flush()
        version = SubmissionVersion(submission_id=submission.id, number=1, media_file_id=media.id)
        db.session.add(version)
        db.session.flush()
        points = practical.active_points
        expected = []
        for state in ("final", "draft"):
            judgement = Judgement(version_id=version.id, trainee_id=sari.id, assessor_id=asesor.id, state=state,
                                  recommendation="K" if state == "final" else None,
                                  finalised_at=utcnow() if state == "final" else None)
            judgement.marks = [JudgementMark(point_id=points[0].id, result="K", comment="Salam jelas", video_seconds=83),
                               JudgementMark(point_id=points[1].id, result="K", comment="", video_seconds=5),
                               JudgementMark(point_id=points[2].id, result="K", comment="tanpa waktu")]
            db.session.add(judgement)
            db.session.flush()
            expected += [(judgement.id, 5, points[1].id, "", asesor.id),
                         (judgement.id, 83, points[0].id, "Salam jelas", asesor.id)]
        db.session.commit()
        db.session.remove()

        downgrade(revision="0011")
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT judgement_id, seconds, point_id, text, author_id FROM judgement_comments "
                                     "ORDER BY judgement_id, seconds")).all()
        assert [tuple(r) for r in rows] == sorted(expected)
        db.engine.dispose()
