"""The tus endpoints under gunicorn (gthread, as deploy/gunicorn.conf.py), where the body streams:
a PATCH cut off by a proxy keeps the bytes that arrived, a default tus client (one PATCH) works
above MAX_FORM_BYTES, and a request without a session is 401. Linux only (gunicorn)."""
import hashlib
import os

import pytest
from sqlalchemy import select

from courseware.extensions import db
from courseware.media.models import MediaFile, Upload

from .flaky_proxy import FlakyProxy
from .live_server import live, login, new_version  # noqa: F401
from .test_media_tus_protocol import _tus_client

pytest.importorskip("gunicorn")
pytestmark = pytest.mark.skipif(os.name == "nt", reason="gunicorn does not run on Windows")


def _wait_until_released(app, timeout: float = 20) -> None:
    """The server finishes the cut request (writes, fsyncs, records) a moment after the client gave up."""
    import time

    deadline = time.time() + timeout
    with app.app_context():
        while time.time() < deadline:
            db.session.rollback()
            row = db.session.scalar(select(Upload))
            if row is not None and row.locked_until is None and row.offset > 0:
                return
            time.sleep(0.1)
    raise AssertionError("the server never recorded the bytes of the cut PATCH")


def _gunicorn(live, **env):
    server = live.server()
    server.env.update({"LIVE_WSGI": "gunicorn", **env})
    return server.start(timeout=30)


def test_under_gunicorn_a_cut_patch_keeps_what_arrived_and_resumes_byte_identical(live, media_clips):
    data = media_clips["h264_mp4"].read_bytes()
    with live.app.app_context():
        version_id = new_version(live.app, live.ids["trainee"])
    server = _gunicorn(live)
    http = login(server.url, "peserta1")
    proxy = FlakyProxy(("127.0.0.1", server.port), cut_after=len(data) // 2).start()
    try:
        tus = _tus_client(f"http://127.0.0.1:{proxy.port}", http)
        meta = {"filename": "dialog.mp4", "kind": "submission-version", "target_id": str(version_id)}
        first = tus.uploader(file_path=str(media_clips["h264_mp4"]), metadata=meta)  # one PATCH
        with pytest.raises(Exception):
            first.upload()
        _wait_until_released(live.app)
        resumed = tus.uploader(file_path=str(media_clips["h264_mp4"]), metadata=meta, url=first.url)
        # The body streamed into the app: part of the cut PATCH is on the server.
        assert 0 < resumed.offset < len(data)
        resumed.upload()
    finally:
        proxy.stop()
    assert proxy.upstream_bytes < 2 * len(data)
    with live.app.app_context():
        media = db.session.scalar(select(MediaFile))
        stored = (live.media_root / "files" / media.original_key).read_bytes()
        assert hashlib.sha256(stored).digest() == hashlib.sha256(data).digest()
        assert db.session.scalar(select(Upload)).completed_at is not None


def test_under_gunicorn_one_patch_above_the_form_limit_and_401_without_a_session(live, media_clips):
    import requests

    data = media_clips["hevc_mov"].read_bytes()
    with live.app.app_context():
        version_id = new_version(live.app, live.ids["trainee"])
    server = _gunicorn(live, MAX_FORM_BYTES=str(len(data) // 4))
    anonymous = requests.post(f"{server.url}/media/tus/", headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10"})
    assert anonymous.status_code == 401 and anonymous.headers["Tus-Resumable"] == "1.0.0"
    tus = _tus_client(server.url, login(server.url, "peserta1"))
    uploader = tus.uploader(file_path=str(media_clips["hevc_mov"]), metadata={
        "filename": "IMG_0001.MOV", "kind": "submission-version", "target_id": str(version_id)})
    uploader.upload()
    assert uploader.offset == len(data)
