"""Authorisation matrix: every route of the app x every kind of visitor -> the expected status code.

The route list comes from app.url_map, so a new route that is missing from EXPECTED fails the test
by name. One world is built per module (a class with its teacher, trainees A and B, a LIK_1 submission
by A with a video, a quiz attempt by A, a final judgement on A, a tus upload by A, ...). Before every
request the SQLite database is put back to that world, so a POST that succeeds (deactivating a user,
removing a trainee, submitting an attempt) cannot change what the next visitor sees.

The forms sent are empty (plus CSRF): the point is the access decision, not success. A 400/200/302
for a role that may use the route means "allowed, the empty form was refused or accepted"; 302 for
anonymous is the login redirect (checked separately), 403 a wrong role, 404 somebody else's object.
Runs on SQLite even when DATABASE_URL points at PostgreSQL (the decision does not depend on it).

Set AUTHZ_MATRIX_PRINT=1 to print the observed table (to review and paste after adding a route).
"""
import os
import sqlite3
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import event, select

from courseware.extensions import db

from .conftest import login_as, make_app

ROLES = ("anon", "trainee", "other_trainee", "other_teacher", "teacher", "assessor", "admin")


def row(anon, trainee, other_trainee, other_teacher, teacher, assessor, admin):
    return dict(zip(ROLES, (anon, trainee, other_trainee, other_teacher, teacher, assessor, admin)))


# (endpoint, method) -> expected status per visitor. Review every change: a 200/302/400 where the
# column should be refused is an authorisation bug.
EXPECTED = {
    #                                      anon trainee other_tr other_te teacher assessor admin
    ("accounts.change_password", "GET"): row(302, 200, 200, 200, 200, 200, 200),
    ("accounts.change_password", "POST"): row(302, 400, 400, 400, 400, 400, 400),
    ("accounts.login", "GET"): row(200, 302, 302, 302, 302, 302, 302),
    ("accounts.login", "POST"): row(400, 302, 302, 302, 302, 302, 302),
    ("accounts.logout", "POST"): row(302, 302, 302, 302, 302, 302, 302),
    # the language switch: anyone, logged in or not (the empty form is refused with a flash, then 303)
    ("accounts.choose_language", "POST"): row(303, 303, 303, 303, 303, 303, 303),
    ("accounts.logout_everywhere", "POST"): row(302, 302, 302, 302, 302, 302, 302),
    ("admin.create_user", "GET"): row(302, 403, 403, 403, 403, 403, 200),
    ("admin.create_user", "POST"): row(302, 403, 403, 403, 403, 403, 400),
    ("admin.edit_user", "GET"): row(302, 403, 403, 403, 403, 403, 200),
    ("admin.edit_user", "POST"): row(302, 403, 403, 403, 403, 403, 400),
    ("admin.edit_identity", "POST"): row(302, 403, 403, 403, 403, 403, 400),
    ("admin.reset_password", "GET"): row(302, 403, 403, 403, 403, 403, 200),
    ("admin.reset_password", "POST"): row(302, 403, 403, 403, 403, 403, 400),  # unconfirmed
    ("admin.toggle_active", "GET"): row(302, 403, 403, 403, 403, 403, 200),
    ("admin.toggle_active", "POST"): row(302, 403, 403, 403, 403, 403, 400),  # unconfirmed
    ("admin.users", "GET"): row(302, 403, 403, 403, 403, 403, 200),
    ("berkas.ak01_agree", "POST"): row(302, 409, 404, 403, 403, 403, 403),
    ("berkas.ak01_page", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("berkas.ak01_plan", "POST"): row(302, 403, 403, 403, 403, 400, 403),
    ("berkas.apl02_page", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("berkas.apl02_page", "POST"): row(302, 400, 404, 404, 403, 403, 403),
    ("berkas.apl02_restart", "POST"): row(302, 303, 404, 403, 403, 403, 403),
    ("berkas.apl02_review", "POST"): row(302, 403, 403, 403, 403, 400, 403),
    ("berkas.check", "GET"): row(200, 200, 200, 200, 200, 200, 200),  # public: valid/invalid + kind + date only
    ("berkas.class_assessor", "POST"): row(302, 403, 403, 404, 303, 403, 303),
    ("berkas.class_page", "GET"): row(302, 404, 404, 404, 200, 200, 200),
    ("berkas.class_settings", "POST"): row(302, 403, 403, 404, 302, 403, 302),
    ("berkas.form_page", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("berkas.index", "GET"): row(302, 200, 200, 200, 200, 200, 200),
    ("berkas.partner_decide", "POST"): row(302, 404, 404, 403, 403, 403, 403),
    ("berkas.partner_list", "GET"): row(302, 200, 200, 403, 403, 403, 403),
    ("berkas.signature_image", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("assessments.class_report", "GET"): row(302, 403, 403, 404, 200, 200, 200),
    ("assessments.comment", "POST"): row(302, 403, 403, 403, 403, 400, 400),  # no text; 409 with one (final)
    ("assessments.correct", "POST"): row(302, 403, 403, 403, 403, 400, 400),
    ("assessments.mark", "GET"): row(302, 403, 403, 403, 403, 200, 200),
    ("assessments.mark", "POST"): row(302, 403, 403, 403, 403, 409, 409),
    ("assessments.next_in_queue", "GET"): row(302, 403, 403, 403, 403, 302, 302),
    ("assessments.observation", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("assessments.queue", "GET"): row(302, 403, 403, 403, 403, 200, 200),
    ("assessments.recap", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("assessments.recap_csv", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("assessments.recap_xlsx", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("assessments.record", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("assessments.record_pdf", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("assessments.results", "GET"): row(302, 200, 200, 403, 403, 403, 403),
    ("audit.index", "GET"): row(302, 403, 403, 403, 403, 403, 200),
    ("bank.create", "GET"): row(302, 403, 403, 200, 200, 403, 200),
    ("bank.create", "POST"): row(302, 403, 403, 400, 400, 403, 400),
    ("bank.edit", "GET"): row(302, 403, 403, 200, 200, 403, 200),
    ("bank.edit", "POST"): row(302, 403, 403, 400, 400, 403, 400),
    ("bank.export", "GET"): row(302, 403, 403, 200, 200, 403, 200),
    ("bank.import_gift", "GET"): row(302, 403, 403, 200, 200, 403, 200),
    ("bank.import_gift", "POST"): row(302, 403, 403, 400, 400, 403, 400),
    ("bank.index", "GET"): row(302, 403, 403, 200, 200, 403, 200),
    ("bank.reactivate", "POST"): row(302, 403, 403, 302, 302, 403, 302),
    ("bank.retire", "GET"): row(302, 403, 403, 200, 200, 403, 200),
    ("bank.retire", "POST"): row(302, 403, 403, 400, 400, 403, 400),  # unconfirmed
    ("classes.create", "POST"): row(302, 403, 403, 400, 400, 403, 400),
    ("classes.credentials_csv", "POST"): row(302, 403, 403, 404, 200, 403, 200),
    ("classes.detail", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("classes.import_roster", "POST"): row(302, 403, 403, 404, 302, 403, 302),
    ("classes.index", "GET"): row(302, 403, 403, 200, 200, 403, 200),
    ("classes.join", "POST"): row(302, 302, 302, 403, 403, 403, 403),
    ("classes.new_code", "POST"): row(302, 403, 403, 404, 302, 403, 302),
    ("classes.remove", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("classes.remove", "POST"): row(302, 403, 403, 404, 400, 403, 400),  # unconfirmed
    ("classes.add_trainee", "POST"): row(302, 403, 403, 404, 400, 403, 400),
    ("classes.archive", "POST"): row(302, 403, 403, 404, 302, 403, 302),
    ("classes.credentials_sheet", "POST"): row(302, 403, 403, 404, 200, 403, 200),
    ("classes.edit", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("classes.edit", "POST"): row(302, 403, 403, 404, 400, 403, 400),
    ("classes.edit_member", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("classes.edit_member", "POST"): row(302, 403, 403, 404, 400, 403, 400),
    ("classes.reset_member_password", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("classes.reset_member_password", "POST"): row(302, 403, 403, 404, 400, 403, 400),  # unconfirmed
    ("dashboard.home", "GET"): row(302, 200, 200, 200, 200, 200, 200),
    ("lessons.glossary", "GET"): row(302, 200, 200, 200, 200, 200, 200),
    ("lessons.mark_done", "POST"): row(302, 302, 302, 403, 403, 403, 403),
    ("lessons.overview", "GET"): row(302, 200, 200, 200, 200, 200, 200),
    ("lessons.plan", "GET"): row(302, 403, 403, 200, 200, 403, 200),
    ("lessons.progress_grid", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("lessons.references", "GET"): row(302, 200, 200, 200, 200, 200, 200),
    ("lessons.show", "GET"): row(302, 200, 200, 200, 200, 200, 200),
    ("offline.manifest", "GET"): row(200, 200, 200, 200, 200, 200, 200),
    ("offline.page", "GET"): row(200, 200, 200, 200, 200, 200, 200),
    ("offline.reading_list", "GET"): row(302, 200, 200, 200, 200, 200, 200),
    ("offline.service_worker", "GET"): row(200, 200, 200, 200, 200, 200, 200),
    ("media.play", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("media.poster", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("media.status", "GET"): row(401, 200, 404, 404, 200, 200, 200),
    ("media.tus_create", "POST"): row(401, 400, 400, 400, 400, 400, 400),
    ("media.tus_upload", "DELETE"): row(401, 204, 404, 404, 404, 404, 404),
    ("media.tus_upload", "HEAD"): row(401, 200, 404, 404, 404, 404, 404),
    ("media.tus_upload", "PATCH"): row(401, 204, 404, 404, 404, 404, 404),
    ("practicals.class_overview", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("practicals.index", "GET"): row(302, 200, 200, 200, 200, 200, 200),
    ("practicals.save_version", "POST"): row(302, 302, 302, 403, 403, 403, 403),
    ("practicals.sheet", "GET"): row(302, 200, 200, 200, 200, 200, 200),
    ("practicals.submission", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("practicals.attach", "POST"): row(302, 400, 404, 403, 403, 403, 403),
    ("practicals.attachment", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("quizzes.answer", "POST"): row(302, 302, 404, 403, 403, 403, 403),
    ("quizzes.close_window", "POST"): row(302, 403, 403, 404, 302, 403, 302),
    ("quizzes.index", "GET"): row(302, 200, 200, 403, 403, 403, 403),
    ("quizzes.item_analysis", "GET"): row(302, 403, 403, 200, 200, 403, 200),
    ("quizzes.manage", "GET"): row(302, 403, 403, 200, 200, 403, 200),
    ("quizzes.result", "GET"): row(302, 200, 404, 403, 403, 403, 403),
    ("quizzes.results", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("quizzes.results_csv", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("quizzes.results_xlsx", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("quizzes.save", "POST"): row(302, 302, 404, 403, 403, 403, 403),
    # The quiz defaults are shared by every class: only an admin edits them.
    ("quizzes.settings", "GET"): row(302, 403, 403, 403, 403, 403, 200),
    ("quizzes.settings", "POST"): row(302, 403, 403, 403, 403, 403, 400),
    ("quizzes.start", "GET"): row(302, 200, 200, 403, 403, 403, 403),
    ("quizzes.start", "POST"): row(302, 302, 302, 403, 403, 403, 403),
    ("quizzes.submit", "POST"): row(302, 302, 404, 403, 403, 403, 403),
    ("quizzes.take", "GET"): row(302, 302, 404, 403, 403, 403, 403),
    ("quizzes.time_left", "GET"): row(302, 200, 404, 403, 403, 403, 403),
    ("quizzes.teacher_review", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("quizzes.window", "GET"): row(302, 403, 403, 404, 200, 403, 200),
    ("quizzes.window", "POST"): row(302, 403, 403, 404, 400, 403, 400),
    ("static", "GET"): row(200, 200, 200, 200, 200, 200, 200),
}

# FR.IA.05, FR.AK.03, FR.AK.04, the berkas PDF and the class archive (courseware/berkas/record_views.py).
# The world's appeal is A's, on the LIK_1 judgement `assessor` made: that assessor may not decide it
# (403); an admin may (400: the empty form names no decision). The archive job is still running, so
# its ZIP is 404 for everyone who may see the job. An admin holds no assessor role, so does not sign
# the FR.IA.05 feedback as asesor (403).
EXPECTED.update({
    ("berkas_records.ak03", "GET"): row(302, 200, 200, 403, 403, 403, 403),
    ("berkas_records.ak03", "POST"): row(302, 409, 409, 403, 403, 403, 403),
    ("berkas_records.ak03_of", "GET"): row(302, 403, 403, 404, 200, 200, 200),
    ("berkas_records.ak03_summary", "GET"): row(302, 403, 403, 404, 200, 200, 200),
    ("berkas_records.appeal_decide", "POST"): row(302, 403, 403, 403, 403, 403, 400),
    ("berkas_records.appeal_inbox", "GET"): row(302, 403, 403, 403, 403, 200, 200),
    ("berkas_records.appeal_index", "GET"): row(302, 200, 200, 403, 403, 403, 403),
    ("berkas_records.appeal_new", "GET"): row(302, 302, 404, 403, 403, 403, 403),
    ("berkas_records.appeal_new", "POST"): row(302, 302, 404, 403, 403, 403, 403),
    ("berkas_records.appeal_show", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("berkas_records.archive_download", "GET"): row(302, 403, 403, 404, 404, 404, 404),
    ("berkas_records.archive_progress", "GET"): row(302, 403, 403, 404, 200, 200, 200),
    ("berkas_records.archive_start", "GET"): row(302, 403, 403, 404, 200, 200, 200),
    ("berkas_records.archive_start", "POST"): row(302, 403, 403, 404, 302, 302, 302),
    ("berkas_records.archive_status", "GET"): row(302, 403, 403, 404, 200, 200, 200),
    ("berkas_records.berkas_pdf", "GET"): row(302, 200, 404, 404, 200, 200, 200),
    ("berkas_records.ia05_feedback", "POST"): row(302, 403, 403, 403, 403, 303, 403),
    ("berkas_records.ia05_of", "GET"): row(302, 302, 404, 404, 302, 302, 302),
    ("berkas_records.ia05_sheet", "GET"): row(302, 200, 404, 404, 200, 200, 200),
})


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("authz")
    db_path = tmp_path / "authz.sqlite3"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}", RATELIMIT_ENABLED=False)
    with app.app_context():
        # Durability is irrelevant here and fsyncs dominate the run time: relax it after the app's pragmas.
        event.listen(db.engine, "connect", lambda conn, _record: conn.execute("PRAGMA synchronous=OFF"))
        db.create_all()
        ids = _build_world(app)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
        snapshot = sqlite3.connect(":memory:")
        source = sqlite3.connect(db_path)
        source.backup(snapshot)
        source.close()

        def restore():
            db.session.remove()
            db.engine.dispose()
            target = sqlite3.connect(db_path)
            snapshot.backup(target)
            target.close()
            from courseware.media.files import partial_path

            partial_path(ids["upload_id"]).touch()

        yield app, ids, restore
        db.session.remove()
        db.engine.dispose()
        snapshot.close()


def _build_world(app) -> dict:
    from courseware.accounts.service import create_user
    from courseware.assessments import judgements
    from courseware.assessments.judgements import MarkInput
    from courseware.bank.models import KUKS, Question, QuestionOption
    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.lessons.models import Lesson
    from courseware.lessons.sync import sync_content
    from courseware.media.models import MediaFile, Upload
    from courseware.media.files import partial_path
    from courseware.media.storage import get_storage
    from courseware.models_base import utcnow
    from courseware.practicals.models import Practical, Submission, SubmissionVersion
    from courseware.practicals.sheets import sync_sheets
    from courseware.quizzes.content import sync_quizzes
    from courseware.quizzes.models import Quiz
    from courseware.quizzes.taking import start_or_resume
    from courseware.quizzes.taking import submit as submit_attempt
    from courseware.quizzes.windows import set_window

    def user(username, roles, nis=None):
        return create_user(username, username.title(), roles, password="rahasia-123", nis=nis,
                           must_change_password=False)[0]

    u = {
        "admin": user("admin1", ["admin"]),
        "teacher": user("guru1", ["teacher"]),
        "other_teacher": user("guru2", ["teacher"]),
        "assessor": user("asesor1", ["assessor"]),
        "trainee": user("peserta1", ["trainee"], "1001"),
        "other_trainee": user("peserta2", ["trainee"], "1002"),
        "victim": user("korban", ["trainee"], "1003"),  # target of admin actions / class removal
        # Two-role visitors for the integrity rules: "dual" plays the partner in A's LIK_1 video.
        "dual": user("dua.peran", ["trainee", "assessor"], "1004"),
        "teacher_trainee": user("guru.peserta", ["teacher", "trainee"], "1005"),
    }
    class_a = create_class(u["teacher"], "XI MPLB 1", "2026/2027")
    create_class(u["other_teacher"], "XI MPLB 2", "2026/2027")  # the other teacher has a class of their own
    for key in ("trainee", "other_trainee", "victim", "dual"):
        db.session.add(Enrollment(classroom_id=class_a.id, user_id=u[key].id))
    db.session.commit()

    sync_sheets(app.config["CONTENT_ROOT"])
    practicals = {p.code: p for p in db.session.scalars(select(Practical))}
    sync_content(app.config["CONTENT_ROOT"])
    lesson = db.session.scalars(select(Lesson).order_by(Lesson.id)).first()

    for kuk in KUKS:
        for n in range(1, 4):
            uid = f"{kuk}-t{n}"
            question = Question(uid=uid, kuk=kuk, pool="ujian", stem=f"Soal {uid}?", explanation=f"Pembahasan {uid}")
            question.options = [QuestionOption(position=i, text=f"Pilihan {i}", is_key=(i == 1)) for i in range(4)]
            db.session.add(question)
    db.session.commit()
    sync_quizzes(app)
    quiz = db.session.scalar(select(Quiz).where(Quiz.code == "tes-tertulis"))
    now = utcnow()
    set_window(class_a, quiz, now - timedelta(hours=1), now + timedelta(hours=2), "langsung", u["teacher"])
    attempt, _ = start_or_resume(u["trainee"], quiz)
    submit_attempt(attempt.id, u["trainee"])  # submitted, so the teacher's review page exists

    # A's LIK_1 submission: one version with a finished video (file present in storage).
    storage = get_storage()
    for key in ("playback/authz.mp4", "posters/authz.jpg"):
        path = storage.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * 64)
    media = MediaFile(owner_id=u["trainee"].id, target_kind="submission-version", target_id="0",
                      original_filename="dialog.mp4", original_key="originals/authz.mp4", original_size=64,
                      container="mov,mp4", video_codec="h264", audio_codec="aac", duration=240.0, width=1280,
                      height=720, status="siap", playback_key="playback/authz.mp4",
                      poster_key="posters/authz.jpg")
    db.session.add(media)
    db.session.flush()
    submission = Submission(practical_id=practicals["LIK_1"].id, trainee_id=u["trainee"].id,
                            created_at=now - timedelta(days=1))
    db.session.add(submission)
    db.session.flush()
    version = SubmissionVersion(submission_id=submission.id, number=1, transcript="", media_file_id=media.id,
                                partner_id=u["dual"].id,
                                attached_at=now - timedelta(days=1), created_at=now - timedelta(days=1))
    db.session.add(version)
    db.session.flush()
    media.target_id = str(version.id)
    db.session.commit()

    draft = judgements.start_or_resume_draft(version, u["trainee"], u["assessor"])
    marks = {p.id: MarkInput(result="K", comment="") for p in practicals["LIK_1"].active_points}
    attitudes = {a["id"]: {"result": "K", "comment": ""} for a in practicals["LIK_1"].attitudes}
    judgements.save_marks(draft, u["assessor"], marks, "K", "Umpan balik", "Lab", attitudes)
    judgement = judgements.finalise(draft, u["assessor"])

    from courseware.practicals.models import SubmissionAttachment

    attachment_path = storage.path("attachments/authz.pdf")
    attachment_path.parent.mkdir(parents=True, exist_ok=True)
    attachment_path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    attachment = SubmissionAttachment(version_id=version.id, uploader_id=u["trainee"].id,
                                      storage_key="attachments/authz.pdf", content_type="application/pdf", size=14,
                                      sha256="0" * 64, original_filename="tabel.pdf")
    db.session.add(attachment)
    db.session.commit()

    # A's FR.APL.02, filled and signed by A (waiting for the assessor's review).
    from courseware.berkas.models import AssessmentForm, FormSignature

    form = AssessmentForm(kind="FR.APL.02", trainee_id=u["trainee"].id, classroom_id=class_a.id,
                          content={"kuk": []})
    form.signatures.append(FormSignature(signer_id=u["trainee"].id, role="peserta", typed_name="Peserta1",
                                         drawing=b"\x89PNG\r\n\x1a\n"))
    db.session.add(form)
    db.session.commit()

    upload = Upload(id="a" * 32, owner_id=u["trainee"].id, target_kind="submission-version",
                    target_id=str(practicals["LIK_1"].id), filename="dialog.mp4", length=100, offset=0,
                    created_at=now, updated_at=now, expires_at=now + timedelta(days=1))
    db.session.add(upload)
    db.session.commit()
    partial_path(upload.id).touch()

    # FR.AK.04 and the class archive (courseware/berkas/record_views.py): an open appeal by A on the
    # LIK_1 judgement, and a finished archive job of class A.
    from courseware.berkas.appeal_models import Appeal, ArchiveJob

    appeal = Appeal(trainee_id=u["trainee"].id, judgement_id=judgement.id, classroom_id=class_a.id,
                    reasons="Alasan banding untuk matriks.")
    job = ArchiveJob(classroom_id=class_a.id, requested_by_id=u["teacher"].id, state="berjalan", total=4)
    db.session.add_all([appeal, job])
    db.session.commit()

    return {
        "users": {key: value.id for key, value in u.items()},
        "class_id": class_a.id, "user_id": u["victim"].id, "trainee_id": u["trainee"].id,
        "version_id": version.id, "judgement_id": judgement.id, "attempt_id": attempt.id,
        "attachment_id": attachment.id, "form_id": form.id, "signature_id": form.signatures[0].id,
        "appeal_id": appeal.id, "job_id": job.id,
        "file_id": media.id, "submission_id": submission.id, "question_id": question.id,
        "lesson_id": lesson.id, "option_id": attempt.items[0].question.options[0].id, "upload_id": upload.id,
        "code": {"assessments.results": "LIK_1", "practicals.sheet": "LIK_1", "practicals.save_version": "LIK_1",
                 "quizzes.settings": "tes-tertulis", "quizzes.start": "tes-tertulis"},
        "fmt": "gift", "filename": "css/app.css",
    }


def _url(app, rule, ids):
    from flask import url_for

    values = {}
    for arg in rule.arguments:
        value = ids[arg]
        values[arg] = value[rule.endpoint] if isinstance(value, dict) else value
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _methods(rule):
    methods = set(rule.methods) - {"OPTIONS"}
    if "GET" in methods:
        methods.discard("HEAD")  # HEAD of a GET route is the GET decision
    return sorted(methods)


def _form(endpoint, ids):
    """A minimal form where an empty one would be refused before the access decision is reached."""
    if endpoint == "quizzes.answer":  # an unparsable choice is refused before the attempt is looked up
        return {"posisi": "1", "pilihan": str(ids["option_id"])}
    return {}


def _request(client, method, url, form):
    if method in ("POST",):
        if url.startswith("/media/tus"):
            return client.open(url, method=method, headers={"Tus-Resumable": "1.0.0"})
        return client.open(url, method=method, data=form)
    if method in ("PATCH", "DELETE", "HEAD"):
        headers = {"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "X-CSRFToken": client.csrf_token(),
                   "Content-Type": "application/offset+octet-stream"}
        return client.open(url, method=method, headers=headers, data=b"")
    return client.open(url, method=method)


def _matrix_gaps(app) -> tuple[list, list]:
    """(routes of the app missing from EXPECTED, EXPECTED rows without a route)."""
    keys = {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in _methods(rule)}
    return sorted(keys - EXPECTED.keys()), sorted(EXPECTED.keys() - keys)


def test_a_new_route_cannot_escape_the_matrix(tmp_path):
    app = make_app(tmp_path)
    assert _matrix_gaps(app) == ([], [])

    @app.route("/rahasia/<int:item_id>", methods=["GET", "POST"])
    def rahasia(item_id):
        return "x"

    missing, _ = _matrix_gaps(app)
    assert missing == [("rahasia", "GET"), ("rahasia", "POST")]


def test_every_route_is_in_the_matrix_and_gets_the_expected_status(world):
    app, ids, restore = world
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
    missing, stale = _matrix_gaps(app)
    printing = bool(os.environ.get("AUTHZ_MATRIX_PRINT"))
    if not printing:
        assert not missing, (f"routes missing from the authorisation matrix (add a row to EXPECTED in "
                             f"tests/test_authz_matrix.py after deciding who may use them): {missing}")
        assert not stale, f"matrix rows for routes that no longer exist: {stale}"

    from courseware.accounts.models import User

    observed, mismatches = {}, []
    with app.app_context():
        for rule in rules:
            url = _url(app, rule, ids)
            for method in _methods(rule):
                statuses = {}
                for role in ROLES:
                    if method != "GET":
                        restore()
                    g.__dict__.clear()
                    client = app.test_client()
                    if role != "anon":
                        login_as(client, db.session.get(User, ids["users"][role]))
                    response = _request(client, method, url, _form(rule.endpoint, ids))
                    statuses[role] = response.status_code
                    if role == "anon" and response.status_code == 302:
                        assert "/masuk" in response.headers["Location"], (rule.endpoint, method)
                observed[(rule.endpoint, method)] = statuses
                want = EXPECTED.get((rule.endpoint, method))
                if want is not None and want != statuses:
                    diff = {r: (want[r], statuses[r]) for r in ROLES if want[r] != statuses[r]}
                    mismatches.append(f"{method} {rule.endpoint} ({url}): expected/got {diff}")
    if printing:
        for (endpoint, method), s in sorted(observed.items()):
            print(f'    ("{endpoint}", "{method}"): row({", ".join(str(s[r]) for r in ROLES)}),')
    assert not mismatches, "\n".join(mismatches)


# Visitors holding two roles, on the routes the integrity rules guard. "dual" (trainee + assessor) is
# the partner in A's video: it may not open, save or correct A's judgement. "teacher_trainee" may not
# see written-test keys (bank, exports, item analysis, another trainee's review).
TWO_ROLE_EXPECTED = {
    "dual": {("assessments.mark", "GET"): 403, ("assessments.mark", "POST"): 403,
             ("berkas_records.appeal_decide", "POST"): 403,   # an assessor of the class, but in the video
             ("assessments.correct", "POST"): 403, ("assessments.queue", "GET"): 200},
    "teacher_trainee": {("bank.index", "GET"): 403, ("bank.edit", "GET"): 403, ("bank.export", "GET"): 403,
                        ("bank.create", "POST"): 403, ("bank.import_gift", "GET"): 403,
                        ("quizzes.item_analysis", "GET"): 403, ("quizzes.manage", "GET"): 200},
}


# Routes whose decision is an object permission: the predicate (the same function the view asks)
# and how to get its object from the world. For every visitor the matrix row must agree with it:
# predicate True <=> the row lets the visitor in. A predicate changed without the matrix (or the
# other way round) fails here by name, before any request is sent.
REFUSED = {302, 401, 403, 404}     # 302 only ever appears for anonymous visitors (the login redirect)


def _predicate_routes():
    from courseware.assessments.models import Judgement
    from courseware.assessments.permissions import (can_judge_version, can_see_class_report,
                                                    can_see_trainee_records)
    from courseware.classes.models import Classroom
    from courseware.classes.permissions import can_see_class
    from courseware.practicals.models import Submission, SubmissionVersion
    from courseware.practicals.permissions import can_view_submission, can_view_version
    from courseware.quizzes.models import Attempt
    from courseware.quizzes.permissions import can_review_attempt

    def get(model, key):
        return lambda ids: db.session.get(model, ids[key])

    classroom, version = get(Classroom, "class_id"), get(SubmissionVersion, "version_id")
    records = (lambda user, trainee_id: can_see_trainee_records(user, trainee_id), lambda ids: ids["trainee_id"])
    judged = (lambda user, judgement: can_see_trainee_records(user, judgement.trainee_id), get(Judgement, "judgement_id"))
    routes = {
        ("practicals.submission", "GET"): (can_view_submission, get(Submission, "submission_id")),
        ("practicals.attachment", "GET"): (can_view_version, version),
        ("media.play", "GET"): (can_view_version, version),
        ("media.poster", "GET"): (can_view_version, version),
        ("assessments.mark", "GET"): (can_judge_version, version),
        ("assessments.class_report", "GET"): (can_see_class_report, classroom),
        ("assessments.record", "GET"): records,
        ("assessments.record_pdf", "GET"): records,
        ("assessments.observation", "GET"): judged,
        ("quizzes.teacher_review", "GET"): (can_review_attempt, get(Attempt, "attempt_id")),
    }
    for endpoint in ("classes.detail", "classes.edit", "classes.remove", "classes.edit_member",
                     "classes.reset_member_password", "lessons.progress_grid", "practicals.class_overview",
                     "quizzes.results", "quizzes.results_csv", "quizzes.results_xlsx", "quizzes.window",
                     "assessments.recap", "assessments.recap_csv", "assessments.recap_xlsx"):
        routes[(endpoint, "GET")] = (can_see_class, classroom)
    return routes


def _predicate_mismatches(routes, ids, users: dict, expected_for) -> list[str]:
    """Where a route's expected status and its predicate disagree, for each visitor in `users`."""
    mismatches = []
    for key, (predicate, obj) in sorted(routes.items()):
        target = obj(ids)
        for name, user in users.items():
            want = expected_for(name, key)
            if want is None:
                continue
            allowed = predicate(user, target)
            if allowed is (want in REFUSED):
                mismatches.append(f"{key} {name}: predicate says {allowed}, matrix says {want}")
    return mismatches


def test_object_routes_in_the_matrix_follow_the_permission_predicates(world):
    from flask_login import AnonymousUserMixin

    from courseware.accounts.models import User

    app, ids, _restore = world
    routes = _predicate_routes()
    assert routes.keys() <= EXPECTED.keys(), sorted(routes.keys() - EXPECTED.keys())
    with app.test_request_context():
        users = {role: db.session.get(User, ids["users"][role]) for role in ROLES if role != "anon"}
        users["anon"] = AnonymousUserMixin()
        assert _predicate_mismatches(routes, ids, users, lambda name, key: EXPECTED[key][name]) == []
        two_role = {name: db.session.get(User, ids["users"][name]) for name in TWO_ROLE_EXPECTED}
        assert _predicate_mismatches(routes, ids, two_role,
                                     lambda name, key: TWO_ROLE_EXPECTED[name].get(key)) == []
        # The check itself bites: a predicate that lets every signed-in user in disagrees with the matrix.
        loose = {key: (lambda user, _obj: bool(getattr(user, "is_authenticated", False)), obj)
                 for key, (_p, obj) in routes.items()}
        assert _predicate_mismatches(loose, ids, users, lambda name, key: EXPECTED[key][name])


def test_two_role_visitors_are_refused_where_the_integrity_rules_say(world):
    app, ids, restore = world
    from courseware.accounts.models import User

    rules = {(rule.endpoint, method): rule for rule in app.url_map.iter_rules() for method in _methods(rule)}
    mismatches = []
    with app.app_context():
        for visitor, expected in TWO_ROLE_EXPECTED.items():
            for (endpoint, method), status in expected.items():
                restore()
                g.__dict__.clear()
                client = login_as(app.test_client(), db.session.get(User, ids["users"][visitor]))
                url = _url(app, rules[(endpoint, method)], ids)
                got = _request(client, method, url, _form(endpoint, ids)).status_code
                if got != status:
                    mismatches.append(f"{visitor} {method} {url}: expected {status}, got {got}")
        # The queue the dual visitor sees never lists the video they are in.
        restore()
        g.__dict__.clear()
        client = login_as(app.test_client(), db.session.get(User, ids["users"]["dual"]))
        assert f"/penilaian/versi/{ids['version_id']}/" not in client.get("/penilaian/antrean").get_data(as_text=True)
    assert not mismatches, "\n".join(mismatches)
