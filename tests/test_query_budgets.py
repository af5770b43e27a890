"""Query budgets (issue 11.3): what the busiest pages and writes may cost, for a class of 36
trainees that all have a written test, both LIK videos and final judgements.

A budget counts the statements the request sends: SELECT, INSERT, UPDATE and DELETE (and WITH).
Transaction control (BEGIN, BEGIN IMMEDIATE, COMMIT, ROLLBACK, SAVEPOINT, RELEASE) and SQLite's
PRAGMAs on a new connection are noise of the driver, not work of the page, and are not counted.
The same budgets hold on SQLite and on PostgreSQL (DATABASE_URL). Each page is requested once to
warm caches, then counted; a failure prints the page and every statement it sent, so an N+1
shows itself by name. bench/queries.py prints the same figures as a table.
"""
import pytest
from sqlalchemy import select

from courseware.accounts.service import create_user
from courseware.classes.models import Enrollment
from courseware.cli import run_content_sync
from courseware.extensions import db
from courseware.lessons.models import Lesson
from courseware.practicals.models import Submission, SubmissionVersion
from courseware.quizzes.models import Attempt

from .conftest import _empty_all_tables, login_as, make_app
from .seed_class import add_trainees, seed_class
from .statement_counter import counting_statements

COUNTED = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")

# name: (role, method, path template, budget). {c}: the class, {lesson}, {attempt}, {version}, {trainee}.
BUDGETS = {
    "rekap": ("teacher", "GET", "/penilaian/kelas/{c}/rekap", 15),
    "FR.AK.05": ("teacher", "GET", "/penilaian/kelas/{c}/laporan", 15),
    "antrean asesor": ("assessor", "GET", "/penilaian/antrean", 10),
    "dasbor admin": ("admin", "GET", "/", 10),
    "dasbor guru": ("teacher", "GET", "/", 10),
    "dasbor asesor": ("assessor", "GET", "/", 10),
    "dasbor peserta": ("trainee", "GET", "/", 10),
    "halaman materi": ("trainee", "GET", "/materi/{lesson}", 6),
    "simpan satu jawaban": ("taker", "POST", "/tes/percobaan/{attempt}/jawab", 9),
    "finalkan penilaian": ("assessor", "POST", "/penilaian/versi/{version}/peserta/{trainee}", 30),
}


def counted(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().split(None, 1)[0].upper() in COUNTED]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = make_app(tmp_path_factory.mktemp("budgets"))
    with app.app_context():
        db.create_all()
        if db.engine.dialect.name == "postgresql":
            _empty_all_tables()
        run_content_sync(app)
        school, users, params = _seed()
        yield app, school, users, params
        db.session.remove()
        db.engine.dispose()


def _seed():
    school = seed_class(36, judged=True)
    admin, _ = create_user("admin.besar", "Admin Besar", ["admin"], password="rahasia-123", must_change_password=False)
    taker, _ = create_user("peserta.tes", "Peserta Tes", ["trainee"], password="rahasia-123",
                           must_change_password=False)
    db.session.add(Enrollment(classroom_id=school.classroom.id, user_id=taker.id))
    db.session.commit()
    waiting = add_trainees(school, 1, judged=False, prefix="menunggu")[0]
    version = db.session.scalar(select(SubmissionVersion).join(Submission).where(Submission.trainee_id == waiting.id)
                                .order_by(SubmissionVersion.id).limit(1))
    users = {"admin": admin, "teacher": school.teacher, "assessor": school.assessor, "trainee": school.trainees[0],
             "taker": taker}
    params = {"c": school.classroom.id, "version": version.id, "trainee": waiting.id,
              "lesson": db.session.scalar(select(Lesson.id).order_by(Lesson.element, Lesson.position).limit(1))}
    return school, users, params


def _finalise_form(app, version_id: int) -> dict:
    from courseware.practicals.models import SubmissionVersion as V

    practical = db.session.get(V, version_id).submission.practical
    data = {"aksi": "final", "yakin": "1", "rekomendasi": "K", "umpan_balik": "Dialog lengkap dan sopan.",
            "tuk": "Lab OTKP 1"}
    for attitude in practical.attitudes or []:
        data[f"sikap-{attitude['id']}"] = "K"
    for point in practical.active_points:
        data[f"hasil-{point.id}"] = "K"
    return data


def measure(app, school, users, params, name: str) -> list[str]:
    """The statements one request of `name` sends, warm (see the module docstring)."""
    role, method, template, _budget = BUDGETS[name]
    client = login_as(app.test_client(), users[role])
    if name == "simpan satu jawaban":
        client.post("/tes/tes-tertulis/mulai")
        attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == users["taker"].id,
                                                          Attempt.submitted_at.is_(None)))
        path = template.format(attempt=attempt.id)
        item = attempt.items[0]
        client.post(path, data={"posisi": 1, "pilihan": item.option_order[0]})   # warm
        with counting_statements() as seen:
            response = client.post(path, data={"posisi": 1, "pilihan": item.option_order[1]},
                                   headers={"Accept": "application/json"})
        assert response.status_code == 200 and response.get_json()["saved"], response.get_data(as_text=True)
        return counted(seen)
    path = template.format(**params)
    if method == "POST":
        client.get(path)                     # warm: the marking screen
        data = _finalise_form(app, params["version"])
        with counting_statements() as seen:
            response = client.post(path, data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return counted(seen)
    client.get(path)
    with counting_statements() as seen:
        response = client.get(path)
    assert response.status_code == 200, path
    return counted(seen)


# Budgets not met yet (issue 11.3), measured on SQLite and PostgreSQL alike. strict: the day one is
# met, XPASS fails and the entry must go.
NOT_MET: dict[str, str] = {}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=NOT_MET[n]))
                                  if n in NOT_MET else n for n in BUDGETS])
def test_query_budget(site, name):
    app, school, users, params = site
    statements = measure(app, school, users, params, name)
    budget = BUDGETS[name][3]
    listing = "\n".join(f"  {i + 1:2d}. {' '.join(s.split())[:160]}" for i, s in enumerate(statements))
    assert len(statements) <= budget, f"{name}: {len(statements)} statements, budget {budget}:\n{listing}"
