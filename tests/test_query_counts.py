"""Pages that show a whole class read it in a fixed number of statements: seeding more trainees must
not add a single one (an N+1 fails here by name), and none of these GETs writes."""
import pytest

from courseware.cli import run_content_sync

from .conftest import login_as
from .seed_class import add_trainees, seed_class
from .statement_counter import counting_statements, writes

PAGES = {
    "rekap": ("teacher", "/penilaian/kelas/{c}/rekap"),
    "rekap.csv": ("teacher", "/penilaian/kelas/{c}/rekap.csv"),
    "FR.AK.05": ("teacher", "/penilaian/kelas/{c}/laporan"),
    "antrean": ("assessor", "/penilaian/antrean"),
    "hasil tes kelas": ("teacher", "/tes/kelas/{c}/hasil"),
    "dasbor guru": ("teacher", "/"),
    "dasbor asesor": ("assessor", "/"),
}


def _count(app, user, path):
    client = login_as(app.test_client(), user)
    client.get(path)   # warm caches (templates, the user's own rows)
    with counting_statements() as seen:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(seen), writes(seen)


@pytest.mark.parametrize("judged", [False, True], ids=["waiting", "judged"])
@pytest.mark.parametrize("page", list(PAGES))
def test_a_class_page_costs_the_same_for_8_or_36_trainees(app, page, judged):
    run_content_sync(app)
    role, template = PAGES[page]
    school = seed_class(8, judged=judged)
    path = template.format(c=school.classroom.id)
    small, written = _count(app, getattr(school, role), path)
    assert written == []
    add_trainees(school, 28, judged=judged, prefix="tambahan")   # 36 trainees, all with tests and both LIKs
    big, written = _count(app, getattr(school, role), path)
    assert written == [] and big == small, f"{page}: {small} statements for 8 trainees, {big} for 36"
