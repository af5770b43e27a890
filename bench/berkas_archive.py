"""Benchmark: the class archive (every trainee's berkas PDF + the FR.AK.05 report in one ZIP).

    .venv/bin/python bench/berkas_archive.py [--trainees 36]

What it does:
1. builds a throw-away instance (SQLite in a temporary folder): schema, the shipped content synced
   as `flask --app app init` does, one class of --trainees trainees, each with a submitted written
   test (the counted attempt, 20 items), LIK_1 and LIK_2 judged final (one BK point on LIK_2 for
   every third trainee), a signed FR.AK.03 and, for every fourth, an appeal;
2. runs the archive job exactly as the worker does (courseware/berkas/archive.run), timed;
3. prints seconds, the number of PDF pages made, pages per second, and the ZIP's size.
This is a benchmark, not a test: it prints figures and exits 0.
"""
import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("COURSEWARE_TEST_PASSWORD_HASH", "1")


def build(app, trainees: int):
    from sqlalchemy import select

    from courseware.accounts.service import create_user
    from courseware.assessments import judgements
    from courseware.assessments.judgements import MarkInput
    from courseware.berkas.appeal_models import Appeal
    from courseware.berkas.models import AssessmentForm, FormSignature
    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.cli import run_content_sync
    from courseware.extensions import db
    from courseware.media.models import MediaFile
    from courseware.models_base import utcnow
    from courseware.practicals.models import Practical, Submission, SubmissionVersion
    from courseware.quizzes import outcome
    from courseware.quizzes import taking, windows
    from courseware.quizzes.models import Quiz

    sys.path.insert(0, str(ROOT / "tests"))
    from berkas_helpers import signature_png

    db.create_all()
    run_content_sync(app)
    teacher, _ = create_user("bench.guru", "Guru Bench", ["teacher"], password="x" * 12, must_change_password=False)
    assessor, _ = create_user("bench.asesor", "Asesor Bench", ["assessor"], password="x" * 12,
                              must_change_password=False)
    classroom = create_class(teacher, "XI MPLB Bench", "2026/2027")
    quiz = db.session.scalar(select(Quiz).where(Quiz.kind == "written").order_by(Quiz.position))
    now = utcnow()
    windows.set_window(classroom, quiz, now - timedelta(hours=1), now + timedelta(hours=2), "langsung", teacher)
    practicals = {p.code: p for p in db.session.scalars(select(Practical))}
    png = signature_png()
    for n in range(1, trainees + 1):
        trainee, _ = create_user(f"bench.p{n:02d}", f"Peserta Bench {n:02d}", ["trainee"], password="x" * 12,
                                 nis=f"90{n:03d}", must_change_password=False)
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=trainee.id))
        db.session.commit()
        attempt, _ = taking.start_or_resume(trainee, quiz)
        answers = {item.position: next(o for o in outcome.shown_options(item) if o.is_key).id
                   for item in attempt.items if item.position % 7}
        taking.save_answers(attempt.id, trainee, answers)
        taking.submit(attempt.id, trainee)
        for code, practical in practicals.items():
            submission = Submission(practical_id=practical.id, trainee_id=trainee.id)
            db.session.add(submission)
            db.session.flush()
            media = MediaFile(owner_id=trainee.id, target_kind="submission-version", target_id="0",
                              original_filename="dialog.mp4", original_key=f"originals/bench/{n}-{code}.mp4",
                              original_size=1000, container="mov,mp4", video_codec="h264", audio_codec="aac",
                              duration=240.0, width=1280, height=720, status="siap",
                              playback_key=f"playback/bench/{n}-{code}.mp4")
            db.session.add(media)
            db.session.flush()
            version = SubmissionVersion(submission_id=submission.id, number=1, transcript="", media_file_id=media.id,
                                        attached_at=now, created_at=now)
            db.session.add(version)
            db.session.commit()
            bk = code == "LIK_2" and n % 3 == 0
            marks = {p.id: MarkInput("BK" if bk and i == 0 else "K", f"Catatan butir {p.uid}")
                     for i, p in enumerate(practical.active_points)}
            attitudes = {a["id"]: {"result": "K", "comment": ""} for a in practical.attitudes}
            draft = judgements.start_or_resume_draft(version, trainee, assessor)
            judgements.save_marks(draft, assessor, marks, "BK" if bk else "K", "Umpan balik untuk peserta.",
                                  "Lab OTKP", attitudes)
            final = judgements.finalise(draft, assessor)
            if bk and n % 4 == 0:
                db.session.add(Appeal(trainee_id=trainee.id, judgement_id=final.id, classroom_id=classroom.id,
                                      reasons="Bench: alasan banding yang cukup panjang."))
        form = AssessmentForm(kind="FR.AK.03", trainee_id=trainee.id, classroom_id=classroom.id,
                              content={"answers": {f"q{i}": {"answer": "ya", "comment": ""} for i in range(1, 8)},
                                       "comment": ""}, locked_at=now, fingerprint=f"{n:064x}")
        form.signatures.append(FormSignature(signer_id=trainee.id, role="peserta", typed_name=trainee.full_name,
                                             drawing=png, signed_at=now))
        db.session.add(form)
        db.session.commit()
    return classroom


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainees", type=int, default=36)
    args = parser.parse_args()
    from pypdf import PdfReader

    from courseware import create_app
    from courseware.berkas import archive
    from courseware.berkas.appeal_models import ArchiveJob
    from courseware.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["INSTANCE_PATH"] = tmp
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "b" * 40,
                          "MEDIA_ROOT": f"{tmp}/media", "TASKS_EAGER": True, "BERKAS_GATES": False})
        with app.app_context(), app.test_request_context():
            started = time.perf_counter()
            classroom = build(app, args.trainees)
            print(f"data for {args.trainees} trainees built in {time.perf_counter() - started:.1f} s")
            job = ArchiveJob(classroom_id=classroom.id, state="menunggu", total=args.trainees)
            db.session.add(job)
            db.session.commit()
            started, cpu = time.perf_counter(), time.process_time()
            archive.run(job.id)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
            db.session.expire_all()
            job = db.session.get(ArchiveJob, job.id)
            path = archive.path_of(job)
            pages = 0
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
                for name in names:
                    pages += len(PdfReader(io.BytesIO(zf.read(name))).pages)
            print(f"archive: state {job.state}, {len(names)} PDFs, {pages} pages, {path.stat().st_size / 1e6:.1f} MB")
            print(f"time: {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU, {pages / seconds:.1f} pages/s, "
                  f"{seconds / args.trainees:.2f} s per trainee")


if __name__ == "__main__":
    main()
