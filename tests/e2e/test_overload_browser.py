"""Issue 18 in a real browser (360 and 1280 px, axe): the server's own admission gate is full, so
the answer is refused with a real 503 + Retry-After; quiz.js shows "not saved yet", waits at least
Retry-After and saves it once slots are free. Every choice carries a rising sequence number, and a
replay of an older choice arriving late changes nothing."""
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from courseware.admission import gate_for
from courseware.extensions import db
from courseware.quizzes.models import Attempt

from .conftest import no_horizontal_scroll, screenshot
from .test_quizzes_browser import PASSWORD, _wait_saved, quiz_server  # noqa: F401

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def _axe(page, base) -> list[dict]:
    page.add_script_tag(url=base + "/__e2e__/axe.min.js")   # same origin (routed below): the CSP allows it
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ("
        "{id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def _open_test(page, base, app):
    page.route("**/__e2e__/axe.min.js", lambda route: route.fulfill(
        status=200, content_type="text/javascript", body=AXE.read_text(encoding="utf-8")))
    page.goto(base + "/masuk")
    page.fill("#username", "peserta.kuis")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    with app.app_context():
        open_one = db.session.scalar(select(Attempt.id).where(Attempt.submitted_at.is_(None)))
        db.session.remove()
    if open_one:                                         # an earlier test of this module started it
        page.goto(f"{base}/tes/percobaan/{open_one}")
    else:
        page.goto(base + "/tes/tes-tertulis/mulai")
        page.click("button:has-text('Mulai sekarang')")
    page.wait_for_selector("#quiz-form")


def _stored(app, position):
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))
        value = {i.position: i.chosen_option_id for i in attempt.items}[position]
        db.session.remove()
    return value


@pytest.mark.parametrize("width,position", [(360, 2), (1280, 4)])
def test_a_real_503_from_the_full_gate_is_retried_after_retry_after(quiz_server, page_at, width, position):
    base, app = quiz_server
    page = page_at(width)
    _open_test(page, base, app)
    sent, answered = [], []
    page.on("request", lambda r: "/jawab" in r.url and sent.append((time.monotonic(), r.post_data)))
    page.on("response", lambda r: "/jawab" in r.url and answered.append((time.monotonic(), r.status,
                                                                         r.headers.get("retry-after"))))
    gate = gate_for(app)
    held = [gate.acquire(0) for _ in range(app.config["ADMISSION_LIMIT"])]   # every write slot is taken
    assert all(held)
    try:
        label = page.locator(f"#soal-{position} label.option").nth(2)
        option_id = int(page.locator(f"#soal-{position} input[type=radio]").nth(2).get_attribute("value"))
        label.click()
        deadline = time.time() + 10
        while not answered and time.time() < deadline:
            page.wait_for_timeout(100)
        assert answered and answered[0][1] == 503, answered
        assert "belum tersimpan" in page.inner_text("#save-state")
        assert no_horizontal_scroll(page)
        screenshot(page, f"tes-sibuk-{width}")
        assert _axe(page, base) == []
        assert _stored(app, position) is None
    finally:
        for token in held:
            gate.release(token)
    _wait_saved(page, seconds=30)
    assert _stored(app, position) == option_id
    retry_after = int(answered[0][2])
    assert retry_after >= 2 and answered[-1][1] == 200
    # The retry came no earlier than Retry-After after the 503 (the jitter only adds to it).
    assert sent[1][0] - answered[0][0] >= retry_after - 0.05
    assert "urutan=" in sent[0][1] and sent[0][1] == sent[1][1]      # the same choice, the same number
    screenshot(page, f"tes-tersimpan-setelah-sibuk-{width}")
    assert page.console_errors == [] or all("503" in e for e in page.console_errors)


def test_a_late_replay_of_an_older_choice_does_not_overwrite_the_newer_one(quiz_server, page_at):
    base, app = quiz_server
    page = page_at(360)
    _open_test(page, base, app)
    bodies = []
    page.on("request", lambda r: "/jawab" in r.url and bodies.append(r.post_data))
    page.locator("#soal-3 label.option").nth(0).click()
    _wait_saved(page)
    page.locator("#soal-3 label.option").nth(3).click()
    _wait_saved(page)
    newer = int(page.locator("#soal-3 input[type=radio]").nth(3).get_attribute("value"))
    seqs = [int(dict(p.split("=", 1) for p in body.split("&"))["urutan"]) for body in bodies]
    assert len(seqs) == 2 and seqs[0] < seqs[1]
    # The first request, held up somewhere, reaches the server now (same cookies as the page).
    replay = page.request.post(base + page.locator("#quiz-form").get_attribute("data-answer-url"),
                               data=bodies[0], headers={
                                   "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json",
                                   "X-CSRFToken": page.locator("#quiz-form input[name=csrf_token]").input_value()})
    assert replay.status == 200 and replay.json()["stale"] is True
    assert _stored(app, 3) == newer
    page.reload()
    assert page.locator("#soal-3 input[type=radio]").nth(3).is_checked()
