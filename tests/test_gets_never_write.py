"""Every GET route, as every role, on one seeded site: no INSERT, UPDATE or DELETE (issue 11.2).

The site: a class of 4 trainees, each with a submitted written test, LIK_1 and LIK_2 videos (the
first trainee's is a real PyAV clip) and final judgements; the first trainee also has an attempt
whose time ran out and that nothing has scored yet, and a written product (PNG) on LIK_1. Each GET
is sent with every value the seed has for its URL parameters, by admin, teacher, assessor,
trainee, a teacher who is also an assessor, and an anonymous visitor.

Allowed writes on GET: none. (Logging in writes its login_sessions row, but that is a POST; the
session loader only reads, and nothing records a "last seen" time.) A new GET route whose URL
parameter the table below does not know fails `test_every_get_route_is_covered` by name.
"""
import itertools

import pytest
from sqlalchemy import event, select

from courseware.accounts.service import create_user
from courseware.cli import run_content_sync
from courseware.extensions import db
from courseware.lessons.models import Lesson
from courseware.media.storage import get_storage
from courseware.practicals.models import Submission, SubmissionAttachment, SubmissionVersion
from courseware.quizzes.models import Attempt
from courseware.assessments.models import Judgement
from courseware.bank.models import Question

from courseware.berkas.appeal_models import Appeal, ArchiveJob
from courseware.berkas.models import AssessmentForm, FormSignature

from .conftest import _empty_all_tables, login_as, make_app
from .seed_class import add_expired_attempt, seed_class

ROLES = ("admin", "teacher", "assessor", "trainee", "teacher+assessor", "anonymous")
WRITES = ("INSERT", "UPDATE", "DELETE")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
                    "9c6300010000000500010d0a2db40000000049454e44ae426082")


@pytest.fixture(scope="module")
def site(tmp_path_factory, media_clips):
    """One app and one seeded database for every test of this module."""
    folder = tmp_path_factory.mktemp("gets")
    app = make_app(folder)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.create_all()
            _empty_all_tables()
        else:
            db.create_all()
        run_content_sync(app)
        school = seed_class(4)
        trainee = school.trainees[0]
        admin, _ = create_user("admin.besar", "Admin Besar", ["admin"], password="rahasia-123",
                               must_change_password=False)
        dual, _ = create_user("guru.asesor", "Guru Asesor", ["teacher", "assessor"], password="rahasia-123",
                              must_change_password=False)
        expired = add_expired_attempt(school, trainee)
        storage = get_storage()
        versions = list(db.session.scalars(select(SubmissionVersion).join(Submission).where(
            Submission.trainee_id == trainee.id)))
        for version in versions:
            storage.put_file(version.media_file.playback_key, media_clips["h264_mp4"])
        png = folder / "produk.png"
        png.write_bytes(PNG)
        storage.put_file("attachments/seed/produk.png", png)
        attachment = SubmissionAttachment(version_id=versions[0].id, uploader_id=trainee.id,
                                          storage_key="attachments/seed/produk.png", content_type="image/png",
                                          size=len(PNG), sha256="0" * 64, original_filename="produk.png")
        db.session.add(attachment)
        db.session.commit()
        form = AssessmentForm(kind="FR.APL.02", trainee_id=trainee.id, classroom_id=school.classroom.id,
                              content={"kuk": []})
        form.signatures.append(FormSignature(signer_id=trainee.id, role="peserta", typed_name=trainee.full_name,
                                             drawing=PNG))
        db.session.add(form)
        db.session.commit()
        submitted = db.session.scalar(select(Attempt).where(Attempt.user_id == trainee.id, Attempt.number == 1))
        judgement = db.session.scalar(select(Judgement).where(Judgement.trainee_id == trainee.id))
        appeal = Appeal(trainee_id=trainee.id, judgement_id=judgement.id, classroom_id=school.classroom.id,
                        reasons="Alasan banding untuk uji GET.")
        job = ArchiveJob(classroom_id=school.classroom.id, requested_by_id=school.teacher.id, state="berjalan",
                         total=4)
        db.session.add_all([appeal, job])
        db.session.commit()
        users = {"admin": admin, "teacher": school.teacher, "assessor": school.assessor, "trainee": trainee,
                 "teacher+assessor": dual}
        values = {
            "user_id": [trainee.id],
            "trainee_id": [trainee.id],
            "class_id": [school.classroom.id],
            "attempt_id": [expired.id, submitted.id],
            "question_id": [db.session.scalar(select(Question.id).where(Question.pool == "ujian").limit(1))],
            "lesson_id": [db.session.scalar(select(Lesson.id).order_by(Lesson.element, Lesson.position).limit(1))],
            "file_id": [versions[0].media_file_id],
            "judgement_id": [judgement.id],
            "version_id": [versions[0].id],
            "submission_id": [versions[0].submission_id],
            "attachment_id": [attachment.id],
            "form_id": [form.id],
            "signature_id": [form.signatures[0].id],
            "appeal_id": [appeal.id],
            "job_id": [job.id],
            "filename": ["css/app.css"],
            "fmt": ["gift", "moodlexml"],
        }
        codes = {"quizzes": ["tes-tertulis"], "assessments": ["LIK_1", "LIK_2"], "practicals": ["LIK_1", "LIK_2"]}
        yield app, users, values, codes, expired.id
        db.session.remove()
        db.engine.dispose()


def _urls(app, values, codes):
    """(endpoint, url) for every GET route with every combination of the seeded values."""
    from flask import url_for

    out = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods:
                continue
            names = sorted(rule.arguments)
            choices = [codes[rule.endpoint.split(".")[0]] if n == "code" else values[n] for n in names]
            for combo in itertools.product(*choices):
                out.append((rule.endpoint, url_for(rule.endpoint, **dict(zip(names, combo)))))
    return out


def test_every_get_route_is_covered(site):
    app, _users, values, codes, _expired = site
    unknown = {f"{r.endpoint}: <{n}>" for r in app.url_map.iter_rules() if "GET" in r.methods
               for n in r.arguments if n not in values and not (n == "code" and r.endpoint.split(".")[0] in codes)}
    assert not unknown, f"GET routes whose URL parameters this test cannot fill: {sorted(unknown)}"
    assert len(_urls(app, values, codes)) > 60


@pytest.mark.parametrize("role", ROLES)
def test_no_get_writes(site, role):
    app, users, values, codes, expired_id = site
    client = app.test_client()
    if role != "anonymous":
        login_as(client, users[role])
    seen: list[str] = []

    def _before(_conn, _cursor, statement, _params, _context, _many):
        if statement.lstrip().split(None, 1)[0].upper() in WRITES:
            seen.append(statement)

    failures, errors = [], []
    event.listen(db.engine, "before_cursor_execute", _before)
    try:
        for endpoint, url in _urls(app, values, codes):
            seen.clear()
            response = client.get(url)
            response.close()
            if seen:
                failures.append(f"{role} GET {url} ({endpoint}): " + "; ".join(" ".join(s.split())[:90] for s in seen))
            if response.status_code >= 500:
                errors.append(f"{role} GET {url} ({endpoint}): HTTP {response.status_code}")
    finally:
        event.remove(db.engine, "before_cursor_execute", _before)
    assert not failures, "GETs that wrote:\n" + "\n".join(failures)
    assert not errors, "GETs that failed:\n" + "\n".join(errors)
    # The expired attempt was read, never scored, by all those pages.
    assert db.session.get(Attempt, expired_id).submitted_at is None


def test_the_worker_scores_expired_attempts_every_minute(site):
    """The worker (`flask worker`, started by run.py, periodic=True) asks huey every minute which
    periodic tasks are due: the scoring of expired attempts is due at any minute."""
    from datetime import datetime

    from courseware.tasks import huey

    for minute in (datetime(2026, 12, 2, 7, 0), datetime(2026, 12, 2, 7, 13)):
        assert "close_expired_attempts" in {t.name for t in huey.read_periodic(minute)}
