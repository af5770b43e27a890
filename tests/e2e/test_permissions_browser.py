"""Links follow the permission definitions, in a real browser at 360 and 1280 px with axe:

- an assessor on a submission page gets "Nilai versi 1" (can_judge_version) and it opens the marking
  screen; the partner in the video (a trainee who is also an assessor) and the class's teacher see the
  same page without it;
- the video's state reads with the one wording (video_status_label);
- the 5-JP plan link shows to a teacher, not to a trainee; the quiz-settings link to an admin, not to a
  teacher (can_open reads the view's own role list).
"""
import pytest
from sqlalchemy import select

from courseware.accounts.service import create_user
from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db
from courseware.practicals.models import Practical, SubmissionVersion

from .test_integrity_browser import _video
from .test_walkthrough import PASSWORD, _login, walk  # noqa: F401  (walk is a fixture)


@pytest.fixture(scope="module")
def school(live_server):
    _, app = live_server
    with app.app_context():
        def make(name, full, roles):
            return create_user(name, full, roles, password=PASSWORD, must_change_password=False)[0]

        teacher = make("guru.izin", "Bu Izin", ["teacher"])
        make("asesor.izin", "Pak Asesor Izin", ["assessor"])
        make("admin.izin", "Admin Izin", ["admin"])
        trainee = make("peserta.izin", "Rina Pengirim", ["trainee"])
        partner = make("pasangan.izin", "Dewi Dua Peran", ["trainee", "assessor"])
        classroom = create_class(teacher, "XI IZIN", "2026/2027")
        for user in (trainee, partner):
            db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id))
        db.session.commit()
        lik1 = db.session.scalar(select(Practical).where(Practical.code == "LIK_1"))
        version = db.session.get(SubmissionVersion, _video(trainee, lik1, partner))
        ids = {"submission": version.submission_id, "version": version.id, "trainee": trainee.id}
        db.session.remove()
    return ids


def test_links_follow_the_permission_definitions(live_server, school, walk):
    base, _app = live_server
    submission_url = base + f"/praktik/kiriman/{school['submission']}"
    mark_path = f"/penilaian/versi/{school['version']}/peserta/{school['trainee']}"

    assessor = walk.page()
    _login(assessor, base, "asesor.izin", PASSWORD)
    assessor.goto(submission_url)
    assert "Sedang diproses" in assessor.locator("main").inner_text()
    link = assessor.locator(f"a[href='{mark_path}']")
    assert link.count() == 1 and link.inner_text() == "Nilai versi 1"
    walk.check(assessor, "izin-kiriman-asesor")
    link.click()
    assessor.wait_for_load_state()
    assert assessor.url.endswith(mark_path) and "Rina Pengirim" in assessor.locator("main").inner_text()
    walk.check(assessor, "izin-menilai-dari-kiriman")

    for username, name in (("pasangan.izin", "izin-kiriman-pasangan"), ("guru.izin", "izin-kiriman-guru")):
        page = walk.page()
        _login(page, base, username, PASSWORD)
        response = page.goto(submission_url)
        assert response.status == 200
        assert page.locator(f"a[href='{mark_path}']").count() == 0, username
        walk.check(page, name)
        if username == "guru.izin":
            page.goto(base + "/materi/")
            assert page.locator("a[href='/materi/rencana']").count() == 1
            page.goto(base + "/tes/kelola")
            assert page.locator("a[href^='/tes/kelola/']").count() == 0
            walk.check(page, "izin-kelola-tes-guru")

    trainee = walk.page()
    _login(trainee, base, "peserta.izin", PASSWORD)
    trainee.goto(base + "/materi/")
    assert trainee.locator("a[href='/materi/rencana']").count() == 0
    walk.check(trainee, "izin-materi-peserta")

    admin = walk.page()
    _login(admin, base, "admin.izin", PASSWORD)
    admin.goto(base + "/tes/kelola")
    assert admin.locator("a[href^='/tes/kelola/']").count() >= 1
    walk.check(admin, "izin-kelola-tes-admin")

    assert walk.violations == {}, walk.violations
    errors = [e for p in walk.pages for e in p.console_errors]
    assert errors == [], errors
