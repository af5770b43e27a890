"""The marking screen in a real browser, on real videos (PyAV clips uploaded through tus and
transcoded by the real pipeline):

the assessor marks three time-stamped comments at different times ("C" pauses the player, a
point's own "Tandai waktu" ties the comment to that point, saving resumes playback), saves the
draft WITHOUT a reload (no navigation happens, the player keeps its position), and "Berikutnya"
opens the next trainee in the queue; after the judgement is final, the trainee sees the comments on
a timeline under the video and a click seeks the player there.

Screenshots at 360 and 1280 px (artifacts/screenshots/marking-*.png), no sideways scroll at 360 px,
axe-core without a serious or critical violation, no console error.
"""
import time
from pathlib import Path

import pytest

from courseware.accounts.service import create_user
from courseware.extensions import db

from ..conftest import login_as
from ..media_tus import upload
from .conftest import no_horizontal_scroll, screenshot

PASSWORD = "rahasia-123"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_PATH = "/__e2e__/axe.min.js"


@pytest.fixture(scope="module")
def world(live_server, tmp_path_factory):
    """An assessor and two trainees of one class, each with a LIK_1 version whose real video is ready."""
    from sqlalchemy import select

    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.media.transcoding import make_clip
    from courseware.practicals.models import Practical
    from courseware.practicals.service import save_version

    _, app = live_server
    clip = make_clip(tmp_path_factory.mktemp("marking-clip") / "dialog.mp4", codec="libx264", seconds=24,
                     size=(320, 240), audio=True)
    with app.app_context():
        def user(username, name, roles):
            return create_user(username, name, roles, password=PASSWORD, must_change_password=False)[0]

        teacher = user("guru.nilai", "Bu Guru Nilai", ["teacher"])
        user("asesor.nilai", "Pak Asesor Nilai", ["assessor"])
        trainees = [user("sari.nilai", "Sari Rahmawati", ["trainee"]), user("budi.nilai", "Budi Prasetyo", ["trainee"])]
        classroom = create_class(teacher, "XI MPLB 3", "2026/2027")
        for trainee in trainees:
            db.session.add(Enrollment(classroom_id=classroom.id, user_id=trainee.id))
        db.session.commit()
        practical = db.session.scalar(select(Practical).where(Practical.code == "LIK_1"))
        ids = {}
        for trainee in trainees:   # Sari first: she waits longest, so she heads the queue
            version, _ = save_version(trainee, practical, None, "")
            _, last = upload(login_as(app.test_client(), trainee), clip.read_bytes(), kind="submission-version",
                             target_id=str(version.id))
            assert last.status_code == 204, last.get_data(as_text=True)
            ids[trainee.username] = (version.id, trainee.id, version.submission_id)
            time.sleep(1.1)
        db.session.remove()
    return ids


class Checks:
    """Screenshots at both widths, no sideways scroll at 360 px, axe from the page's own origin."""

    def __init__(self, browser, base):
        self.browser, self.base, self.contexts, self.violations = browser, base, [], {}
        self.axe = AXE.read_text(encoding="utf-8")

    def page(self):
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        self.contexts.append(context)
        context.route(self.base + AXE_PATH, lambda route: route.fulfill(status=200, content_type="text/javascript",
                                                                       body=self.axe))
        page = context.new_page()
        page.errors = []
        page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    def check(self, page, name):
        page.set_viewport_size({"width": 360, "height": 800})
        assert no_horizontal_scroll(page), f"{name} scrolls sideways at 360 px"
        screenshot(page, f"marking-{name}-360")
        page.set_viewport_size({"width": 1280, "height": 900})
        screenshot(page, f"marking-{name}-1280")
        page.add_script_tag(url=self.base + AXE_PATH)
        result = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ("
            "{id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))")
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        if bad:
            self.violations[name] = bad

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def checks(browser, live_server):
    checks = Checks(browser, live_server[0])
    yield checks
    checks.close()


def _login(page, base, username):
    page.goto(base + "/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _poll(page, script, wanted, seconds=15.0):
    """Evaluate `script` until it returns `wanted` (polled from Python: the CSP forbids wait_for_function)."""
    end = time.time() + seconds
    value = None
    while time.time() < end:
        value = page.evaluate(script)
        if value == wanted:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{script} stayed {value!r}, wanted {wanted!r}")


def _video_at(page, seconds):
    page.evaluate(f"""() => new Promise(done => {{
        const v = document.querySelector('.video-box video');
        v.addEventListener('seeked', () => done(), {{once: true}});
        v.currentTime = {seconds};
    }})""")


def _play(page):
    page.evaluate("() => { const v = document.querySelector('.video-box video'); v.muted = true; return v.play(); }")
    _poll(page, "() => !document.querySelector('.video-box video').paused", True)


def _paused(page) -> bool:
    return page.evaluate("() => document.querySelector('.video-box video').paused")


def _current(page) -> float:
    return page.evaluate("() => document.querySelector('.video-box video').currentTime")


def test_marking_with_time_stamped_comments(live_server, world, checks):
    base, _ = live_server
    sari_version, sari_id, sari_submission = world["sari.nilai"]
    budi_version, budi_id, _ = world["budi.nilai"]

    assessor = checks.page()
    _login(assessor, base, "asesor.nilai")
    assessor.goto(base + "/penilaian/antrean")
    assessor.locator("tr", has_text="Sari Rahmawati").locator("a.btn").click()
    assessor.wait_for_selector("[data-comments] [data-mark-time]")
    assert f"/penilaian/versi/{sari_version}/peserta/{sari_id}" in assessor.url
    _poll(assessor, "() => document.querySelector('.video-box video').readyState >= 1", True)

    # 1. "C" while the video plays: it pauses, the composer gets the time and the focus.
    _video_at(assessor, 3)
    _play(assessor)
    assessor.locator("h1").click()            # focus outside any text field
    assessor.keyboard.press("c")
    assert _paused(assessor)
    stamped = assessor.locator("[data-composer-time]").input_value()
    assert stamped in ("0:03", "0:04"), stamped
    assert assessor.evaluate("() => document.activeElement.name") == "komentar_baru_teks"
    assessor.keyboard.type("Salam pembuka jelas dan ramah.")
    assessor.click("[data-composer-save]")
    assessor.wait_for_selector("[data-comment-list] li:has-text('Salam pembuka jelas')")
    # Saving resumes the playback that "C" paused.
    _poll(assessor, "() => !document.querySelector('.video-box video').paused", True)

    # 2. A point's own "Tandai waktu": the composer opens at that point with the point chosen.
    assessor.evaluate("() => document.querySelector('.video-box video').pause()")
    _video_at(assessor, 15)
    second_point = assessor.locator("[data-point]").nth(1)
    point_id = second_point.get_attribute("data-point-id")
    second_point.locator("[data-stamp]").click()
    assert second_point.locator("[data-composer]").count() == 1
    assert assessor.locator("[data-composer-point]").input_value() == point_id
    assert assessor.locator("[data-composer-time]").input_value() == "0:15"
    assessor.keyboard.type("Menanyakan kebutuhan pelanggan dengan pertanyaan terbuka.")
    assessor.click("[data-composer-save]")
    assessor.wait_for_selector("[data-comment-list] li:has-text('pertanyaan terbuka')")
    assert _paused(assessor)                  # it was paused when the time was marked: stays paused

    # 3. The visible button, at 0:09 (between the two others).
    _video_at(assessor, 9)
    assessor.click("[data-mark-time]")
    assessor.keyboard.type("Nada bicara tetap tenang saat ada keluhan.")
    assessor.click("[data-composer-save]")
    assessor.wait_for_selector("[data-comment-list] li:has-text('tetap tenang')")
    seconds = assessor.locator("[data-comment-list] li[data-comment]").evaluate_all(
        "items => items.map(li => parseInt(li.dataset.seconds, 10))")
    assert seconds == [3, 9, 15], seconds
    assert "butir" in assessor.locator("[data-comment-list] li").nth(2).inner_text()
    assert assessor.locator("[data-timeline-bar] .timeline-marker").count() == 3
    # Clicking a listed time seeks the player there.
    assessor.locator("[data-comment-list] li").nth(1).locator("a.time-link").click()
    _poll(assessor, "() => Math.round(document.querySelector('.video-box video').currentTime) >= 9", True)
    assessor.evaluate("() => document.querySelector('.video-box video').pause()")

    # 4. Draft save WITHOUT reload: no navigation, the player keeps its position.
    points = assessor.locator("[data-point]")
    for i in range(points.count()):
        points.nth(i).locator("input[value=K]").check()
    assessor.check("input[name=rekomendasi][value=K]")
    _video_at(assessor, 12)
    navigations = []
    assessor.on("framenavigated", lambda frame: navigations.append(frame.url))
    assessor.evaluate("() => { window.__stillHere = 'ya'; }")
    url_before = assessor.url
    assessor.click("button[data-save-draft]")
    _poll(assessor, "() => document.querySelector('[data-save-status]').textContent.includes('tersimpan')", True)
    assert navigations == [] and assessor.url == url_before
    assert assessor.evaluate("() => window.__stillHere") == "ya"
    assert abs(_current(assessor) - 12) < 0.5, _current(assessor)
    assert assessor.locator("form[data-marking-form] [data-draft-tag]").is_visible()
    assert not assessor.errors, assessor.errors
    checks.check(assessor, "penilaian-komentar")

    # 5. "Berikutnya": the next trainee in the queue.
    assessor.click("a[data-next]")
    assessor.wait_for_selector("[data-comments]")
    assert f"/penilaian/versi/{budi_version}/peserta/{budi_id}" in assessor.url
    assert "Budi Prasetyo" in assessor.locator("h1").inner_text()
    # The TUK is prefilled from the assessor's last judgement (the draft just saved: none typed,
    # so it is empty here; typed on Budi's and saved, it fills the next one).
    checks.check(assessor, "penilaian-berikutnya")

    # 6. Finalise Sari's judgement (a normal POST), then the trainee's timeline.
    assessor.goto(base + f"/penilaian/versi/{sari_version}/peserta/{sari_id}")
    assessor.check("input[name=yakin]")
    assessor.click("button[name=aksi][value=final]")
    assessor.wait_for_selector("text=Penilaian final")
    assert assessor.locator(".marking-sheet [data-comment]").count() == 3

    trainee = checks.page()
    _login(trainee, base, "sari.nilai")
    trainee.goto(base + "/penilaian/hasil/LIK_1")
    timeline = trainee.locator(".trainee-timeline")
    assert timeline.locator("li[data-comment]").count() == 3
    assert "Menanyakan kebutuhan pelanggan" in timeline.inner_text()
    _poll(trainee, "() => document.querySelectorAll('.trainee-timeline .timeline-marker').length", 3)
    timeline.locator("li[data-comment]").nth(2).locator("a.time-link").click()
    _poll(trainee, "() => Math.round(document.querySelector('.judged-version video').currentTime) >= 15", True)
    # The markers on the bar seek too.
    trainee.evaluate("() => document.querySelector('.judged-version video').pause()")
    timeline.locator(".timeline-marker").first.click()
    _poll(trainee, "() => Math.round(document.querySelector('.judged-version video').currentTime) <= 4", True)
    trainee.evaluate("() => document.querySelector('.judged-version video').pause()")
    assert not trainee.errors, trainee.errors
    checks.check(trainee, "hasil-linimasa")
    # The same timeline under the video on the trainee's own submission page.
    trainee.goto(base + f"/praktik/kiriman/{sari_submission}")
    timeline = trainee.locator(".trainee-timeline")
    assert timeline.locator("li[data-comment]").count() == 3
    timeline.locator("li[data-comment]").nth(1).locator("a.time-link").click()
    _poll(trainee, "() => Math.round(document.querySelector('.pr-version video').currentTime) >= 9", True)
    trainee.evaluate("() => document.querySelector('.pr-version video').pause()")
    assert not trainee.errors, trainee.errors
    checks.check(trainee, "kiriman-linimasa")
    assert not checks.violations, checks.violations
