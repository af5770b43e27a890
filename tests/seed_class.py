"""One realistic class for query budgets and bench/queries.py: N trainees, each with a submitted
written-test attempt, LIK_1 and LIK_2 videos, and a final judgement on both. Rows are inserted
directly (no password hashing, no video files), so seeding 36 trainees takes well under a second."""
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy import select

from courseware.accounts.models import User, UserRole
from courseware.assessments.models import Judgement, JudgementMark
from courseware.bank.models import Question
from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db
from courseware.media.models import MediaFile
from courseware.models_base import utcnow
from courseware.practicals.models import Practical, Submission, SubmissionVersion
from courseware.quizzes.models import Attempt, AttemptItem
from courseware.quizzes.service import written_test
from courseware.quizzes.windows import set_window


def _user(username: str, roles: tuple) -> User:
    user = User(username=username, full_name=username.replace(".", " ").title(), password_hash="-")
    user.role_rows = [UserRole(role=role) for role in roles]
    db.session.add(user)
    return user


def seed_class(n: int = 36, judged: bool = True) -> SimpleNamespace:
    """Needs the shipped content synced (bank, quizzes, sheets). Returns the class, its staff and trainees."""
    now = utcnow()
    teacher, assessor = _user("guru.besar", ("teacher",)), _user("asesor.besar", ("assessor",))
    db.session.flush()
    classroom = create_class(teacher, "XI BESAR", "2026/2027")
    set_window(classroom, written_test(), now - timedelta(hours=2), now + timedelta(hours=2), "langsung", teacher)
    school = SimpleNamespace(classroom=classroom, teacher=teacher, assessor=assessor, trainees=[], quiz=written_test())
    add_trainees(school, n, judged)
    return school


def add_trainees(school: SimpleNamespace, n: int, judged: bool = True, prefix: str = "peserta") -> list[User]:
    """n more trainees in the school's class, each with a submitted test and both LIKs (judged K)."""
    now = utcnow()
    start = len(school.trainees)
    trainees = [_user(f"{prefix}.{start + i:02d}", ("trainee",)) for i in range(n)]
    db.session.flush()
    for trainee in trainees:
        db.session.add(Enrollment(classroom_id=school.classroom.id, user_id=trainee.id))
    questions = list(db.session.scalars(select(Question).where(Question.pool == "ujian").limit(20)))
    practicals = list(db.session.scalars(select(Practical).order_by(Practical.element)))
    for number, trainee in enumerate(trainees):
        attempt = Attempt(quiz_id=school.quiz.id, user_id=trainee.id, classroom_id=school.classroom.id, number=1,
                          question_order=[q.id for q in questions], started_at=now - timedelta(hours=1),
                          deadline_at=now - timedelta(minutes=30), submitted_at=now - timedelta(minutes=40),
                          submitted_how="tombol", item_count=len(questions), correct_count=16, score=80.0)
        db.session.add(attempt)
        db.session.flush()
        for position, question in enumerate(questions, start=1):
            db.session.add(AttemptItem(attempt_id=attempt.id, question_id=question.id, position=position,
                                       option_order=[o.id for o in question.options],
                                       chosen_option_id=question.key_option.id, answered_at=now, is_correct=True))
        for practical in practicals:
            media = MediaFile(owner_id=trainee.id, target_kind="submission-version", target_id="0",
                              original_filename="dialog.mp4", original_key=f"originals/seed/{trainee.id}-{practical.id}",
                              original_size=1000, container="mov,mp4", video_codec="h264", duration=120.0,
                              width=1280, height=720, status="siap", playback_key=f"playback/seed/{trainee.id}")
            submission = Submission(practical_id=practical.id, trainee_id=trainee.id,
                                    partner_id=trainees[(number + 1) % n].id if n > 1 else None)
            db.session.add_all([media, submission])
            db.session.flush()
            version = SubmissionVersion(submission_id=submission.id, number=1, media_file_id=media.id,
                                        partner_id=submission.partner_id, attached_at=now - timedelta(days=1))
            db.session.add(version)
            db.session.flush()
            if judged:
                judgement = Judgement(version_id=version.id, trainee_id=trainee.id, assessor_id=school.assessor.id,
                                      state="final", recommendation="K", finalised_at=now, tuk="Lab",
                                      attitude_marks={a["id"]: {"result": "K", "comment": ""}
                                                      for a in practical.attitudes})
                judgement.marks = [JudgementMark(point_id=p.id, result="K") for p in practical.active_points]
                db.session.add(judgement)
    db.session.commit()
    school.trainees += trainees
    return trainees


def add_expired_attempt(school: SimpleNamespace, trainee: User, answered: int = 5) -> Attempt:
    """A second written-test attempt of `trainee` whose time ran out 10 minutes ago, never scored
    (the trainee closed the browser): `answered` items saved, the first half of them right."""
    now = utcnow()
    questions = list(db.session.scalars(select(Question).where(Question.pool == "ujian").limit(20)))
    attempt = Attempt(quiz_id=school.quiz.id, user_id=trainee.id, classroom_id=school.classroom.id, number=2,
                      question_order=[q.id for q in questions], started_at=now - timedelta(minutes=70),
                      deadline_at=now - timedelta(minutes=10), item_count=len(questions))
    db.session.add(attempt)
    db.session.flush()
    for position, question in enumerate(questions, start=1):
        chosen = None
        if position <= answered:
            right = position <= answered // 2
            chosen = question.key_option.id if right else next(o.id for o in question.options if not o.is_key)
        db.session.add(AttemptItem(attempt_id=attempt.id, question_id=question.id, position=position,
                                   option_order=[o.id for o in question.options], chosen_option_id=chosen,
                                   answered_at=now - timedelta(minutes=20) if chosen else None))
    db.session.commit()
    return attempt
