"""Issue 14, finding 5: when the server answers a save with 503 + Retry-After, quiz.js waits at
least that long (with jitter) and tries again, so the answer is not lost."""
import json
import time

from sqlalchemy import select

from courseware.extensions import db
from courseware.quizzes.models import Attempt

from .test_quizzes_browser import PASSWORD, _wait_saved, quiz_server  # noqa: F401

BUSY = json.dumps({"saved": False, "error": "Server sedang sibuk",
                   "message": "Server sedang melayani banyak penyimpanan sekaligus, jadi yang ini belum tersimpan."})


def test_autosave_retries_a_503_after_retry_after_and_the_answer_is_kept(quiz_server, page_at):
    base, app = quiz_server
    page = page_at(360)
    page.goto(base + "/masuk")
    page.fill("#username", "peserta.kuis")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=Mulai tes tertulis")
    page.click("button:has-text('Mulai sekarang')")     # the start page: only its POST starts an attempt
    page.wait_for_selector("#quiz-form")

    seen = []

    def busy_twice(route):
        seen.append(time.monotonic())
        if len(seen) <= 2:
            route.fulfill(status=503, headers={"Retry-After": "2", "Content-Type": "application/json"}, body=BUSY)
        else:
            route.continue_()

    page.route("**/jawab", busy_twice)
    choice = page.locator("#soal-1 input[type=radio]").nth(1)
    option_id = int(choice.get_attribute("value"))
    page.locator("#soal-1 label.option").nth(1).click()
    time.sleep(0.5)
    assert "belum tersimpan" in page.inner_text("#save-state")
    _wait_saved(page, seconds=20)
    assert len(seen) == 3
    # Retry-After: 2 with at most 25 % jitter below it: never back within 1.5 s.
    assert seen[1] - seen[0] >= 1.5 and seen[2] - seen[1] >= 1.5
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))
        chosen = {item.position: item.chosen_option_id for item in attempt.items}
        db.session.remove()
    assert chosen[1] == option_id


def test_upload_widget_retries_a_503_after_retry_after(live_server, page_at, tmp_path):
    from courseware.accounts.service import create_user
    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.media.transcoding import make_clip

    base, app = live_server
    with app.app_context():
        teacher, _ = create_user("guru.sibuk", "Guru Sibuk", ["teacher"], password=PASSWORD, must_change_password=False)
        trainee, _ = create_user("peserta.sibuk", "Peserta Sibuk", ["trainee"], password=PASSWORD,
                                 must_change_password=False)
        classroom = create_class(teacher, "XI SIBUK", "2026/2027")
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=trainee.id))
        db.session.commit()
        db.session.remove()
    clip = make_clip(tmp_path / "dialog.mp4", codec="libx264", seconds=1, size=(160, 120), audio=False)

    page = page_at(360)
    page.goto(base + "/masuk")
    page.fill("#username", "peserta.sibuk")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(base + "/praktik/LIK_1")
    page.click("#kiriman form.pr-form button[type=submit]")
    page.wait_for_selector("[data-upload-widget]")

    creations = []

    def busy_once(route):
        if route.request.method != "POST":
            route.continue_()
            return
        creations.append(time.monotonic())
        if len(creations) == 1:
            route.fulfill(status=503, body=BUSY, headers={
                "Retry-After": "2", "Tus-Resumable": "1.0.0", "Content-Type": "application/json"})
        else:
            route.continue_()

    page.route("**/media/tus/", busy_once)
    page.set_input_files("[data-upload-widget] input[type=file]", str(clip))
    page.wait_for_selector("video.media-player", timeout=30000)
    assert len(creations) == 2
    assert creations[1] - creations[0] >= 1.5  # the widget's own first retry would be immediate
