"""Assessment integrity in a real browser, as each role meets it (360 and 1280 px, axe, no sideways scroll):

- a user who is both trainee and assessor finds their own video missing from the queue and is refused
  with the reason when they open it by address;
- the partner reads on the practical page and their results that the video is not their evidence;
- the assessor marks the submitter with the rule above the checklist;
- the teacher closes the test while a trainee's test page is open: the page's next answer lands on
  the result, scored with what was saved;
- before anything is decided the dashboard, the recap and FR.AK.05 say "Dalam proses"/"Belum dinilai".
"""
from datetime import timedelta

import pytest
from sqlalchemy import select

from courseware.accounts.service import create_user
from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db
from courseware.media.models import MediaFile
from courseware.models_base import utcnow
from courseware.practicals.models import Practical, Submission, SubmissionVersion
from courseware.quizzes.models import Attempt
from courseware.quizzes.service import written_test
from courseware.quizzes.windows import set_window

from .test_quizzes_browser import _wait_saved
from .test_walkthrough import PASSWORD, _login, walk  # noqa: F401  (walk is a fixture)


def _video(trainee, practical, partner=None):
    """A submission version whose video is still being processed (no player needed for these pages)."""
    submission = Submission(practical_id=practical.id, trainee_id=trainee.id, partner_id=partner.id if partner else None)
    db.session.add(submission)
    db.session.flush()
    media = MediaFile(owner_id=trainee.id, target_kind="submission-version", target_id="0",
                      original_filename="dialog.mp4", original_key=f"originals/integrity/{submission.id}.mp4",
                      original_size=1000, container="mov,mp4", video_codec="h264", duration=120.0, width=640,
                      height=360, status="diproses")
    db.session.add(media)
    db.session.flush()
    version = SubmissionVersion(submission_id=submission.id, number=1, partner_id=partner.id if partner else None,
                                media_file_id=media.id, attached_at=utcnow())
    db.session.add(version)
    db.session.commit()
    return version.id


@pytest.fixture(scope="module")
def school(live_server):
    _, app = live_server
    with app.app_context():
        make = lambda name, full, roles: create_user(name, full, roles, password=PASSWORD,  # noqa: E731
                                                     must_change_password=False)[0]
        teacher = make("guru.integritas", "Bu Integritas", ["teacher"])
        make("asesor.integritas", "Pak Asesor", ["assessor"])
        dual = make("dua.peran", "Dewi Dua Peran", ["trainee", "assessor"])
        partner = make("pasangan.satu", "Putri Pasangan", ["trainee"])
        taker = make("peserta.tes", "Tono Peserta", ["trainee"])
        classroom = create_class(teacher, "XI INTEGRITAS", "2026/2027")
        for user in (dual, partner, taker):
            db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id))
        db.session.commit()
        set_window(classroom, written_test(), utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=2),
                   "langsung", teacher)
        lik1 = db.session.scalar(select(Practical).where(Practical.code == "LIK_1"))
        ids = {"class": classroom.id, "dual": dual.id, "partner": partner.id, "taker": taker.id,
               "version": _video(dual, lik1, partner)}
        db.session.remove()
    return ids


def test_integrity_as_each_role_sees_it(live_server, school, walk):
    base, app = live_server

    # The trainee+assessor: their own video is not in the queue and cannot be opened.
    dual = walk.page()
    _login(dual, base, "dua.peran", PASSWORD)
    dual.goto(base + "/penilaian/antrean")
    assert f"/versi/{school['version']}/" not in dual.content()
    walk.check(dual, "integritas-antrean-dua-peran")
    response = dual.goto(base + f"/penilaian/versi/{school['version']}/peserta/{school['dual']}")
    assert response.status == 403 and "tidak boleh menilainya" in dual.content()
    walk.check(dual, "integritas-tolak-menilai-diri")

    # The partner: told the video is not their evidence; their unit is in process, not BK.
    partner = walk.page()
    _login(partner, base, "pasangan.satu", PASSWORD)
    partner.goto(base + "/praktik/LIK_1")
    assert "pasangan (Pimpinan) tidak dinilai dari video ini" in partner.content()
    walk.check(partner, "integritas-lembar-pasangan")
    partner.goto(base + "/penilaian/hasil/LIK_1")
    assert "bukan untukmu" in partner.content()
    walk.check(partner, "integritas-hasil-pasangan")
    partner.goto(base + "/")
    assert "Dalam proses" in partner.content() and 'tag-bad">Belum Kompeten' not in partner.content()
    walk.check(partner, "integritas-dasbor-pasangan")

    # The assessor marks the submitter with the rule stated above the checklist.
    assessor = walk.page()
    _login(assessor, base, "asesor.integritas", PASSWORD)
    assessor.goto(base + "/penilaian/antrean")
    assert assessor.locator(f"a[href='/penilaian/versi/{school['version']}/peserta/{school['dual']}']").count() == 1
    assert assessor.locator(f"a[href*='/peserta/{school['partner']}']").count() == 0
    assessor.goto(base + f"/penilaian/versi/{school['version']}/peserta/{school['dual']}")
    assert "Siapa pun yang tampil di video tidak boleh menilainya" in assessor.content()
    walk.check(assessor, "integritas-menilai")

    # A trainee has the test open; the teacher closes it; the page's next answer lands on the result.
    taker = walk.page()
    taker.set_viewport_size({"width": 360, "height": 800})
    _login(taker, base, "peserta.tes", PASSWORD)
    taker.goto(base + "/tes/tes-tertulis/mulai")
    taker.click("button:has-text('Mulai sekarang')")
    taker.wait_for_selector("#quiz-form")
    first = taker.locator(".question").first
    first.locator("input[type=radio]").first.check()
    _wait_saved(taker)
    teacher = walk.page()
    _login(teacher, base, "guru.integritas", PASSWORD)
    teacher.goto(base + f"/tes/kelas/{school['class']}/jadwal")
    walk.check(teacher, "integritas-jadwal-kelas")
    teacher.check("input[name=konfirmasi]")
    teacher.click("button:has-text('Tutup tes sekarang')")
    teacher.wait_for_load_state()
    assert "1 percobaan yang sedang berjalan dikumpulkan" in teacher.content()
    taker.locator(".question").nth(1).locator("input[type=radio]").first.click(no_wait_after=True)
    _wait_url(taker, "/hasil")
    assert "Nilai" in taker.content()
    walk.check(taker, "integritas-tes-ditutup")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == school["taker"]))
        assert attempt.submitted_how == "ditutup-guru"
        assert sum(1 for item in attempt.items if item.chosen_option_id is not None) == 1
        db.session.remove()

    # The teacher's recap and FR.AK.05 say the truth before anything is assessed.
    teacher.goto(base + f"/penilaian/kelas/{school['class']}/rekap")
    assert "Dalam proses" in teacher.content() and 'tag-bad">Belum Kompeten' not in teacher.content()
    walk.check(teacher, "integritas-rekap")
    teacher.goto(base + f"/penilaian/kelas/{school['class']}/laporan")
    assert "Belum dinilai" in teacher.content()
    walk.check(teacher, "integritas-fr-ak-05")

    assert walk.violations == {}, walk.violations
    # The refused self-judgement (403) and the late answer (409) are the rules at work, not faults.
    errors = [e for p in walk.pages for e in p.console_errors if "403" not in e and "409" not in e]
    assert errors == [], errors


def _wait_url(page, part, seconds=15.0):
    page.wait_for_url(f"**{part}", timeout=seconds * 1000)
    page.wait_for_load_state()
