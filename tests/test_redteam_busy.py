"""Finding 5 of issue 14: "database is locked" surfaced as HTTP 500.

Against a live waitress (the site's own settings): four trainees creating uploads at the same
moment, and a teacher's 200-row roster import racing 20 autosaves: 0 errors, 0 lost answers.
In-process: when a write truly cannot get the lock, the answer is 503 + Retry-After with an
Indonesian message (JSON for tus and autosave, a page for forms).
"""
import re
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from courseware import database
from courseware.extensions import db

from .live_server import PASSWORD, live, login, new_version, refresh_csrf, tus_create  # noqa: F401

SERVER_STATUS = re.compile(r"^5")


def _add_trainees(app, names):
    from courseware.accounts.service import create_user
    from courseware.classes.models import Classroom, Enrollment

    with app.app_context():
        classroom = db.session.scalar(select(Classroom))
        ids = []
        for n, name in enumerate(names):
            user = create_user(name, name.title(), ["trainee"], password=PASSWORD, nis=f"20{n:02d}",
                               must_change_password=False)[0]
            db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id))
            ids.append(user.id)
        db.session.commit()
        class_id = classroom.id
        db.session.remove()
    return ids, class_id


def test_four_trainees_creating_uploads_at_the_same_moment_all_succeed(live):
    extra, _class_id = _add_trainees(live.app, ["peserta3", "peserta4"])
    server = live.server().start()
    names = ["peserta1", "peserta2", "peserta3", "peserta4"]
    user_ids = [live.ids["trainee"], live.ids["trainee2"], *extra]
    sessions = [login(server.url, name) for name in names]
    statuses = []
    for _round in range(3):  # three bursts of four: the race shows on the first one or never
        with live.app.app_context():
            versions = [new_version(live.app, uid, code="LIK_1" if _round % 2 else "LIK_2") for uid in user_ids]
            db.session.remove()
        gate = threading.Barrier(4)

        def create(i, gate=gate, versions=versions):
            gate.wait()
            return tus_create(sessions[i], server.url, 1000, versions[i])

        with ThreadPoolExecutor(4) as pool:
            responses = list(pool.map(create, range(4)))
        statuses += [r.status_code for r in responses]
        assert all(r.status_code == 201 for r in responses), [(r.status_code, r.text[:200]) for r in responses]
    print(f"\nupload creations: {len(statuses)}, statuses: {sorted(set(statuses))}")


def _roster(rows: int) -> bytes:
    lines = ["NIS;nama"] + [f"9{n:04d};Peserta Impor {n}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_a_200_row_import_racing_20_autosaves_loses_nothing(live):
    from courseware.accounts.models import User
    from courseware.quizzes.models import Attempt, AttemptItem

    server = live.server()
    # The real Argon2 cost in this server: the import must take as long as it does in a school.
    server.env["COURSEWARE_TEST_PASSWORD_HASH"] = "0"
    server.start()
    teacher = login(server.url, "guru1")
    trainee = login(server.url, "peserta1")
    started = trainee.post(f"{server.url}/tes/tes-tertulis/mulai", allow_redirects=False)
    attempt_id = int(re.search(r"/tes/percobaan/(\d+)$", started.headers["Location"]).group(1))
    page = trainee.get(f"{server.url}/tes/percobaan/{attempt_id}").text
    choices = {}
    for position, option in re.findall(r'name="jawaban-(\d+)" value="(\d+)"', page):
        choices.setdefault(int(position), int(option))
    assert len(choices) == 20
    with live.app.app_context():
        from courseware.classes.models import Classroom

        class_id = db.session.scalar(select(Classroom.id))
        db.session.remove()
    token = refresh_csrf(teacher, server.url)
    marks = {}

    def run_import():
        marks["import_start"] = time.monotonic()
        response = teacher.post(f"{server.url}/kelas/{class_id}/impor",
                                files={"roster": ("daftar.csv", _roster(200), "text/csv")},
                                data={"csrf_token": token})
        marks["import_end"] = time.monotonic()
        return response

    def autosave(position):
        began = time.monotonic()
        response = trainee.post(f"{server.url}/tes/percobaan/{attempt_id}/jawab",
                                data={"posisi": position, "pilihan": choices[position]},
                                headers={"Accept": "application/json"})
        return response, began, time.monotonic() - began

    with ThreadPoolExecutor(5) as pool:
        importing = pool.submit(run_import)
        while "import_start" not in marks:
            time.sleep(0.01)
        time.sleep(0.5)  # the import is well under way (hashing, writing rows)
        saves = list(pool.map(autosave, sorted(choices)))
        imported = importing.result()

    assert imported.status_code == 200, imported.text[:500]
    assert "200 peserta dibuat" in imported.text
    errors = [(r.status_code, r.text[:200]) for r, _b, _t in saves if r.status_code != 200 or not r.json()["saved"]]
    assert errors == []
    overlapping = sum(1 for _r, began, _t in saves if began < marks["import_end"])
    assert overlapping > 0, "the autosaves did not race the import"
    waits = sorted(t for _r, _b, t in saves)
    print(f"\nimport: {marks['import_end'] - marks['import_start']:.1f} s; {overlapping}/20 autosaves during it; "
          f"autosave wait median {waits[10] * 1000:.0f} ms, max {waits[-1] * 1000:.0f} ms")
    with live.app.app_context():
        saved = dict(db.session.execute(select(AttemptItem.position, AttemptItem.chosen_option_id)
                                        .where(AttemptItem.attempt_id == attempt_id)).all())
        assert saved == choices  # 0 lost answers
        assert db.session.get(Attempt, attempt_id).submitted_at is None
        assert db.session.scalar(select(db.func.count()).select_from(User).where(User.nis.like("9%"))) == 200
        db.session.remove()


# --- in-process: the 503 itself -----------------------------------------------------------

@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("holds SQLite's file lock; PostgreSQL lock errors map through the same handler")
    return Path(db.engine.url.database)


def test_a_database_locked_elsewhere_is_a_503_with_retry_after_not_a_500(sqlite_only, as_user, media_target):
    trainee, teacher = as_user("trainee"), as_user("teacher")
    db.session.remove()
    holder = sqlite3.connect(sqlite_only, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process (the worker, a backup) holds the write lock
    try:
        created = trainee.post("/media/tus/", headers={
            "Tus-Resumable": "1.0.0", "Upload-Length": "100", "X-CSRFToken": trainee.csrf_token(),
            "Upload-Metadata": "kind dWpp,target_id MQ=="})
        form = teacher.post("/kelas/baru", data={"name": "XI OTKP 9", "academic_year": "2026/2027"})
    finally:
        holder.rollback()
        holder.close()
    assert created.status_code == 503 and int(created.headers["Retry-After"]) >= 1
    assert "belum tersimpan" in created.get_json()["message"]
    assert form.status_code == 503 and int(form.headers["Retry-After"]) >= 1
    assert "Server sedang sibuk" in form.get_data(as_text=True)
    # Nothing half-written, and the same request succeeds once the lock is free.
    again = teacher.post("/kelas/baru", data={"name": "XI OTKP 9", "academic_year": "2026/2027"})
    assert again.status_code == 302


def test_a_full_writer_queue_is_a_503_for_autosave(sqlite_only, as_user, monkeypatch, media_target):
    monkeypatch.setattr(database, "WRITE_WAIT_SECONDS", 0.2)
    held, release = threading.Event(), threading.Event()

    def hold():
        with database._sqlite_writers:
            held.set()
            release.wait(10)

    trainee = as_user("trainee")
    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        response = trainee.post("/media/tus/", headers={
            "Tus-Resumable": "1.0.0", "Upload-Length": "100", "X-CSRFToken": trainee.csrf_token(),
            "Upload-Metadata": "kind dWpp,target_id MQ=="})
    finally:
        release.set()
        holder.join()
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    assert SERVER_STATUS.match(str(response.status_code)) and response.get_json()["error"] == "Server sedang sibuk"
