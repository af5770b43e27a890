"""FR.IA.05, FR.AK.03 and FR.AK.04 in a real browser (360 and 1280 px, axe, no sideways scroll):

- the trainee (phone, 360 px) reads their FR.IA.05 answer sheet, answers FR.AK.03 and signs on the
  canvas, then appeals the LIK_2 judgement and signs;
- the assessor who judged it is told someone else must decide; a second assessor (1280 px) upholds
  it and signs; the trainee's appeal page then shows the decision;
- the teacher reads the FR.AK.03 class summary and makes the class archive (progress page at 100 %).
"""
import pytest
from sqlalchemy import select

from courseware.accounts.service import create_user
from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db
from courseware.media.models import MediaFile
from courseware.models_base import utcnow
from courseware.practicals.models import Practical, Submission, SubmissionVersion
from courseware.quizzes import outcome
from courseware.quizzes import taking
from courseware.quizzes.service import written_test
from courseware.quizzes.windows import set_window

from .test_walkthrough import PASSWORD, _login, walk  # noqa: F401  (walk is a fixture)


def _version(trainee, practical):
    submission = Submission(practical_id=practical.id, trainee_id=trainee.id)
    db.session.add(submission)
    db.session.flush()
    media = MediaFile(owner_id=trainee.id, target_kind="submission-version", target_id="0",
                      original_filename="dialog.mp4", original_key=f"originals/berkas/records/{submission.id}.mp4",
                      original_size=1000, container="mov,mp4", video_codec="h264", duration=120.0, width=640,
                      height=360, status="diproses")
    db.session.add(media)
    db.session.flush()
    version = SubmissionVersion(submission_id=submission.id, number=1, media_file_id=media.id, attached_at=utcnow())
    db.session.add(version)
    db.session.commit()
    return version


@pytest.fixture(scope="module")
def school(live_server):
    from datetime import timedelta

    from courseware.assessments import judgements
    from courseware.assessments.judgements import MarkInput

    _, app = live_server
    with app.app_context():
        make = lambda name, full, roles: create_user(name, full, roles, password=PASSWORD,  # noqa: E731
                                                     must_change_password=False)[0]
        teacher = make("guru.berkas2", "Bu Berkas", ["teacher"])
        judge = make("asesor.satu2", "Pak Asesor Satu", ["assessor"])
        make("asesor.dua2", "Bu Asesor Dua", ["assessor"])
        trainee = make("peserta.berkas2", "Rina Berkas", ["trainee"])
        classroom = create_class(teacher, "XI BERKAS", "2026/2027")
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=trainee.id))
        db.session.commit()
        set_window(classroom, written_test(), utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=2),
                   "langsung", teacher)
        attempt, _ = taking.start_or_resume(trainee, written_test())
        taking.save_answers(attempt.id, trainee, {item.position: next(
            o for o in outcome.shown_options(item) if o.is_key == (item.position != 1)).id for item in attempt.items})
        taking.submit(attempt.id, trainee)
        app.config["BERKAS_GATES"] = False      # the seed judges without FR.AK.01 (feat/forms' own walk signs it)
        try:
            for code in ("LIK_1", "LIK_2"):
                practical = db.session.scalar(select(Practical).where(Practical.code == code))
                version = _version(trainee, practical)
                bk = code == "LIK_2"
                marks = {p.id: MarkInput("BK" if bk and i == 0 else "K", f"Catatan {p.uid}")
                         for i, p in enumerate(practical.active_points)}
                attitudes = {a["id"]: {"result": "K", "comment": ""} for a in practical.attitudes}
                draft = judgements.start_or_resume_draft(version, trainee, judge)
                judgements.save_marks(draft, judge, marks, "BK" if bk else "K", "Perbaiki bagian keputusan.",
                                      "Lab OTKP", attitudes)
                judgements.finalise(draft, judge)
        finally:
            app.config["BERKAS_GATES"] = True
        ids = {"class": classroom.id, "trainee": trainee.id, "attempt": attempt.id}
        db.session.remove()
    return ids


def _sign(page, pad_id, name):
    canvas = page.locator(f"#{pad_id}-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * box["width"] * 0.07,
                        box["y"] + box["height"] * (0.3 if step % 2 else 0.75), steps=4)
    page.mouse.up()
    page.fill(f"#{pad_id}-name", name)


def test_feedback_appeal_and_decision_in_the_browser(live_server, school, walk):
    base, _app = live_server

    trainee = walk.page()
    trainee.set_viewport_size({"width": 360, "height": 800})
    _login(trainee, base, "peserta.berkas2", PASSWORD)
    trainee.goto(base + "/")
    trainee.click("text=Lembar jawaban tes tertulis (FR.IA.05)")
    assert "Tercapai: tidak" in trainee.content() and "Tercapai: ya" in trainee.content()
    walk.check(trainee, "berkas2-ia05-peserta")

    trainee.goto(base + "/berkas/umpan-balik")
    for n in range(1, 8):
        trainee.check(f"input[name=jawab-q{n}][value={'tidak' if n == 5 else 'ya'}]")
    trainee.fill("#komentar-q5", "Umpan balik LIK_2 datang agak lama.")
    walk.check(trainee, "berkas2-ak03-isi")
    _sign(trainee, "ttd-ak03", "Rina Berkas")
    trainee.click("text=Kirim dan tanda tangani")
    trainee.wait_for_load_state()
    assert "tersimpan dan ditandatangani" in trainee.content() and "Sidik formulir" in trainee.content()
    walk.check(trainee, "berkas2-ak03-terkunci")

    trainee.goto(base + "/berkas/banding")
    walk.check(trainee, "berkas2-ak04-daftar")
    trainee.locator("text=Ajukan banding").last.click()
    trainee.wait_for_load_state()
    trainee.fill("#alasan", "Butir 2.1 sudah saya sebut pada menit 0:45; mohon dilihat lagi.")
    _sign(trainee, "ttd-ak04", "Rina Berkas")
    walk.check(trainee, "berkas2-ak04-isi")
    trainee.click("text=Ajukan banding dan tanda tangani")
    trainee.wait_for_load_state()
    assert "Menunggu keputusan" in trainee.content()
    appeal_url = trainee.url

    judge = walk.page()
    _login(judge, base, "asesor.satu2", PASSWORD)
    judge.goto(appeal_url)
    assert "harus diputuskan oleh asesor lain" in judge.content()
    assert judge.locator("text=Pertahankan penilaian").count() == 0

    other = walk.page()
    _login(other, base, "asesor.dua2", PASSWORD)
    other.goto(base + "/berkas/banding/masuk")
    walk.check(other, "berkas2-ak04-masuk")
    other.click("text=Putuskan")
    other.wait_for_load_state()
    walk.check(other, "berkas2-ak04-putus")
    other.fill("#catatan-tetap", "Di menit 0:45 standar belum dibandingkan dengan pesanan; penilaian tetap.")
    _sign(other, "ttd-tetap", "Bu Asesor Dua")
    other.click("text=Pertahankan penilaian")
    other.wait_for_load_state()
    assert "Penilaian dipertahankan" in other.content() and "Bu Asesor Dua" in other.content()
    walk.check(other, "berkas2-ak04-diputus")

    trainee.goto(appeal_url)
    assert "Penilaian dipertahankan" in trainee.content()
    walk.check(trainee, "berkas2-ak04-peserta")

    teacher = walk.page()
    _login(teacher, base, "guru.berkas2", PASSWORD)
    teacher.goto(base + f"/berkas/kelas/{school['class']}/umpan-balik")
    assert "1 dari 1 peserta" in teacher.content()
    walk.check(teacher, "berkas2-ak03-ringkasan")
    teacher.goto(base + f"/berkas/kelas/{school['class']}/arsip")
    teacher.click("text=Buat arsip")
    teacher.wait_for_load_state()
    teacher.locator("[data-archive-ready] a").wait_for(state="visible", timeout=60000)
    assert teacher.locator("progress").get_attribute("value") == "100"
    walk.check(teacher, "berkas2-arsip")

    for page in walk.pages:
        assert not page.console_errors, page.console_errors
    assert not walk.violations, walk.violations
