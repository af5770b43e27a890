"""The real upload widget (static/js/upload.js + tus-js-client) in Chromium, through a local
proxy that limits bandwidth and cuts the connection (issue 13, point 1).

- While paused the bar shows what the server confirmed (its Upload-Offset), not what was sent;
- a cut mid-PATCH is retried automatically with a smaller chunk and the file ends byte-identical,
  having re-sent at most one chunk.
"""
import hashlib
import time

import pytest
from sqlalchemy import select

from courseware.extensions import db
from courseware.media.models import MediaFile, Upload

from ..flaky_proxy import FlakyProxy
from .conftest import screenshot
from ..media_tus import padded_video

SIZE = 3 * 1024 * 1024
RATE = 512 * 1024  # bytes per second: chunks stay near 1 MiB, the upload takes about 6 s


@pytest.fixture(scope="module")
def trainee_with_version(live_server):
    from courseware.accounts.service import create_user
    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.practicals.models import Practical
    from courseware.practicals.service import save_version

    _base, app = live_server
    with app.app_context():
        teacher = create_user("guru.unggah", "Guru Unggah", ["teacher"], password="rahasia-123",
                              must_change_password=False)[0]
        trainee = create_user("peserta.unggah", "Peserta Unggah", ["trainee"], password="rahasia-123", nis="9001",
                              must_change_password=False)[0]
        classroom = create_class(teacher, "XI MPLB 9", "2026/2027")
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=trainee.id))
        db.session.commit()
        practical = db.session.scalar(select(Practical).where(Practical.code == "LIK_1"))
        save_version(trainee, practical, None, "")
        db.session.remove()
    return "peserta.unggah"


@pytest.fixture
def video(tmp_path):
    from courseware.media.transcoding import make_clip

    clip = make_clip(tmp_path / "clip.mp4", seconds=2, size=(320, 240), audio=True)
    path = tmp_path / "dialog-panjang.mp4"
    padded_video(path, SIZE, clip)
    return path


def _server_upload(app):
    with app.app_context():
        row = db.session.scalar(select(Upload))
        result = (row.offset, row.completed_at is not None, row.media_file_id) if row else (0, False, None)
        db.session.remove()
    return result


def _practical_page(page, base: str, username: str, code: str):
    """Log in through the form and open the practical's page with its upload widget."""
    page.goto(base + "/masuk")
    page.fill("#username", username)
    page.fill("#password", "rahasia-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/praktik/{code}")
    page.wait_for_selector("[data-upload-widget]")
    return page


def _poll(predicate, seconds, what):
    end = time.time() + seconds
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out: {what}")


def test_widget_resumes_through_a_flaky_link_and_shows_the_confirmed_offset(live_server, trainee_with_version,
                                                                            page_at, video):
    base, app = live_server
    port = int(base.rsplit(":", 1)[1])
    proxy = FlakyProxy(("127.0.0.1", port), rate=RATE).start()
    try:
        via = f"http://127.0.0.1:{proxy.port}"
        page = _practical_page(page_at(360), via, trainee_with_version, "LIK_1")
        sent_before = proxy.upstream_bytes
        page.set_input_files("[data-upload-widget] input[type=file]", str(video))

        # Pause once the server holds at least one chunk: the bar then shows the server's offset.
        _poll(lambda: _server_upload(app)[0] > 0, 30, "a first chunk on the server")
        page.click("[data-upload-pause]")
        # A PATCH already on its way may still land after the pause; the widget asks the server
        # (HEAD) and shows what it holds.
        def shows_server_offset():
            offset = _server_upload(app)[0]
            shown = page.locator("[data-upload-percent]").inner_text()
            return offset if shown == f"{offset * 100 // SIZE}%" else None
        time.sleep(2)
        offset = _poll(shows_server_offset, 10, "the bar to show the server's offset")
        assert 0 < offset < SIZE
        assert "tersimpan di server" in page.locator("[data-upload-bytes]").inner_text()

        # Resume; cut the connection in the middle of a later PATCH.
        proxy.cut_after = proxy.upstream_bytes + (SIZE - offset) // 2
        page.click("[data-upload-resume]")
        _poll(lambda: _server_upload(app)[1], 60, "the upload to complete")
        assert proxy.cuts == 1
        _poll(lambda: page.locator("video.media-player").count(), 30, "the player after the reload")
    finally:
        proxy.stop()

    _offset, _done, media_id = _server_upload(app)
    with app.app_context():
        media = db.session.get(MediaFile, media_id)
        stored = app.config["MEDIA_ROOT"] + "/files/" + media.original_key
        db.session.remove()
    with open(stored, "rb") as handle:
        assert hashlib.sha256(handle.read()).digest() == hashlib.sha256(video.read_bytes()).digest()
    # The pause aborts one PATCH and the cut another: at most one chunk (<= 2 MiB at this rate)
    # lost each time, plus request headers and the page loads through the proxy.
    resent = proxy.upstream_bytes - sent_before - SIZE
    assert resent <= 2 * 2 * 1024 * 1024, resent


def test_widget_has_the_server_finish_when_the_last_step_failed_after_every_byte_arrived(
        live_server, trainee_with_version, page_at, video, monkeypatch):
    """The last PATCH lands (offset = size) but making the file fails once (here: the database is
    busy, 503). tus-js-client's retry asks HEAD, sees the full offset and reports success with no
    file id; the widget must then ask the server to finish (an empty PATCH at the end) instead of
    saying "done" over a version with no video."""
    from courseware.errors import Busy
    from courseware.media import files
    from courseware.practicals.models import Practical
    from courseware.practicals.service import save_version
    from courseware.accounts.models import User

    base, app = live_server
    with app.app_context():
        trainee = db.session.scalar(select(User).where(User.username == trainee_with_version))
        save_version(trainee, db.session.scalar(select(Practical).where(Practical.code == "LIK_2")), None, "")
        db.session.remove()
    real_complete, calls = files.complete_upload, []

    def busy_the_first_time(upload, user):
        calls.append(upload.id)
        if len(calls) == 1:
            raise Busy()
        return real_complete(upload, user)

    monkeypatch.setattr(files, "complete_upload", busy_the_first_time)
    page = _practical_page(page_at(1280), base, trainee_with_version, "LIK_2")
    page.set_input_files("[data-upload-widget] input[type=file]", str(video))

    def newest_upload():
        with app.app_context():
            row = db.session.scalar(select(Upload).order_by(Upload.created_at.desc()).limit(1))
            result = (row.offset, row.media_file_id) if row else (0, None)
            db.session.remove()
        return result

    _poll(lambda: len(calls) >= 2, 60, "the widget to ask the server to finish")
    offset, media_id = _poll(lambda: newest_upload()[1] and newest_upload(), 30, "the stored file")
    assert offset == SIZE and len(set(calls)) == 1          # the same upload, finished on the second try
    _poll(lambda: page.locator("video.media-player").count(), 30, "the player after the reload")
    screenshot(page, "unggah-selesai-setelah-server-sibuk-1280")
    with app.app_context():
        media = db.session.get(MediaFile, media_id)
        stored = app.config["MEDIA_ROOT"] + "/files/" + media.original_key
        db.session.remove()
    with open(stored, "rb") as handle:
        assert hashlib.sha256(handle.read()).digest() == hashlib.sha256(video.read_bytes()).digest()
