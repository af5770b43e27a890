"""A trainee takes the written test on a 360-px phone: each click is saved by quiz.js, a dropped
connection queues the answer until the network is back, a reload loses nothing, and the submit
button (after its confirm dialog) leads to the result page."""
import threading
import time
from datetime import timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from waitress.server import create_server

from courseware.accounts.service import create_user
from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.cli import run_content_sync
from courseware.extensions import db
from courseware.models_base import utcnow
from courseware.quizzes.models import Attempt
from courseware.quizzes.service import written_test
from courseware.quizzes.windows import set_window

from ..conftest import make_app
from .conftest import no_horizontal_scroll, screenshot

PASSWORD = "rahasia-123"


@pytest.fixture(scope="module")
def quiz_server(tmp_path_factory, e2e_db_url):
    """The site under waitress on a migrated database with the shipped content."""
    tmp = tmp_path_factory.mktemp("e2e-quiz")
    app = make_app(tmp, SQLALCHEMY_DATABASE_URI=e2e_db_url)
    with app.app_context():
        upgrade()
        run_content_sync(app)
        teacher, _ = create_user("guru.kuis", "Guru Kuis", ["teacher"], password=PASSWORD,
                                 must_change_password=False)
        trainee, _ = create_user("peserta.kuis", "Peserta Kuis", ["trainee"], password=PASSWORD,
                                 must_change_password=False)
        classroom = create_class(teacher, "XI KUIS", "2026/2027")
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=trainee.id))
        db.session.commit()
        set_window(classroom, written_test(), utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=1),
                   "langsung", teacher)
        db.session.remove()
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}", app
    server.close()
    with app.app_context():
        db.engine.dispose()


def _wait_saved(page, seconds=10.0):
    # Polled from Python: the CSP forbids the eval that wait_for_function would need.
    end = time.time() + seconds
    while time.time() < end:
        if page.inner_text("#save-state") == "tersimpan":
            return
        time.sleep(0.1)
    raise AssertionError(f"not saved: {page.inner_text('#save-state')!r}")


def test_trainee_takes_the_test_on_a_phone(quiz_server, page_at):
    base, app = quiz_server
    page = page_at(360)
    context = page.context
    page.goto(base + "/masuk")
    page.fill("#username", "peserta.kuis")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=Mulai tes tertulis")
    page.click("button:has-text('Mulai sekarang')")     # the start page: only its POST starts an attempt
    page.wait_for_selector("#quiz-form")
    assert page.inner_text("#countdown").startswith(("29:", "30:"))

    page.locator("#soal-1 label.option").nth(2).click()
    _wait_saved(page)
    page.locator("#soal-2 label.option").nth(0).click()
    _wait_saved(page)
    assert no_horizontal_scroll(page)
    screenshot(page, "tes-tertulis-360")

    page.reload()
    assert page.locator("input[type=radio]:checked").count() == 2

    context.set_offline(True)
    page.locator("#soal-3 label.option").nth(1).click()
    time.sleep(1.5)
    assert "belum tersimpan" in page.inner_text("#save-state")
    context.set_offline(False)
    _wait_saved(page, 25)

    # Three of twenty answered: the counter and the navigator say so, and the warning names the rest.
    assert page.inner_text("#answered-count") == "3"
    assert page.locator("[data-nav].answered").count() == 3
    page.locator("[data-nav='17']").click()
    assert page.url.endswith("#soal-17")
    messages = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.click("#submit-btn")
    page.wait_for_url("**/hasil")
    assert "Pembahasan" in page.content() and no_horizontal_scroll(page)
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert sum(1 for item in attempt.items if item.chosen_option_id) == 3
        assert attempt.submitted_how == "tombol"
        db.session.remove()
    assert messages and "Soal nomor 4, 5, 6" in messages[0] and "20 belum dijawab" in messages[0]
    assert [e for e in page.console_errors if "INTERNET_DISCONNECTED" not in e] == []
