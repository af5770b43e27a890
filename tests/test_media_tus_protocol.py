"""tus protocol details a scripted client depends on (issue 13, point 1).

- X-HTTP-Method-Override on POST is honoured for PATCH, HEAD and DELETE;
- a request without a session is 401 with a tus-style JSON body (never a CSRF 400);
- a tus client with default settings (the whole file in one PATCH) succeeds above MAX_FORM_BYTES,
  in the test client and through the real waitress server that `python3 run.py` uses;
- an upload cut off by a proxy mid-PATCH resumes byte-identical with at most one chunk re-sent.
"""
import hashlib

import pytest
from sqlalchemy import select
from tusclient.client import TusClient

from courseware.extensions import db
from courseware.media.models import MediaFile, Upload

from .flaky_proxy import FlakyProxy
from .live_server import live, login, new_version  # noqa: F401
from .media_tus import TUS, create, metadata, patch


def test_method_override_on_post_is_honoured(app, as_user, media_clips, media_target):
    client = as_user("trainee")
    data = media_clips["h264_mp4"].read_bytes()
    location = create(client, len(data)).headers["Location"]
    token = client.csrf_token()
    half = len(data) // 2
    first = client.post(location, data=data[:half], headers={
        **TUS, "X-HTTP-Method-Override": "PATCH", "Upload-Offset": "0", "X-CSRFToken": token,
        "Content-Type": "application/offset+octet-stream"})
    assert first.status_code == 204, first.get_data(as_text=True)
    head = client.post(location, headers={**TUS, "X-HTTP-Method-Override": "HEAD", "X-CSRFToken": token})
    assert head.status_code == 200 and head.headers["Upload-Offset"] == str(half)
    rest = client.post(location, data=data[half:], headers={
        **TUS, "X-HTTP-Method-Override": "patch", "Upload-Offset": str(half), "X-CSRFToken": token,
        "Content-Type": "application/offset+octet-stream"})
    assert rest.status_code == 204 and rest.headers["Media-File-Id"]
    # DELETE through the override on a second upload; other methods are not overridden.
    second = create(client, 100).headers["Location"]
    assert client.post(second, headers={**TUS, "X-HTTP-Method-Override": "GET",
                                        "X-CSRFToken": token}).status_code == 405
    gone = client.post(second, headers={**TUS, "X-HTTP-Method-Override": "DELETE", "X-CSRFToken": token})
    assert gone.status_code == 204
    assert client.head(second, headers=TUS).status_code == 404


@pytest.mark.parametrize("method", ["POST", "PATCH", "HEAD", "DELETE", "POST+override"])
def test_no_session_is_401_with_a_tus_body_not_a_csrf_400(app, client, method):
    headers = {**TUS, "Upload-Length": "100", "Upload-Offset": "0",
               "Content-Type": "application/offset+octet-stream",
               "Upload-Metadata": metadata(filename="a.mp4", kind="uji", target_id="1")}
    if method == "POST":
        response = client.open("/media/tus/", method="POST", headers=headers, csrf=False)
    elif method == "POST+override":
        response = client.open("/media/tus/" + "a" * 32, method="POST", csrf=False,
                               headers={**headers, "X-HTTP-Method-Override": "PATCH"}, data=b"x")
    else:
        response = client.open("/media/tus/" + "a" * 32, method=method, headers=headers, data=b"x", csrf=False)
    assert response.status_code == 401
    assert response.headers["Tus-Resumable"] == "1.0.0"
    if method != "HEAD":
        assert "Masuk lagi" in response.get_json()["message"]


def test_with_a_session_but_no_csrf_token_is_400(app, as_user, media_target):
    client = as_user("trainee")
    response = client.open("/media/tus/", method="POST", csrf=False, headers={
        **TUS, "Upload-Length": "100", "Upload-Metadata": metadata(filename="a.mp4", kind="uji", target_id="1")})
    assert response.status_code == 400 and "CSRF" in response.get_json()["message"]


def test_one_patch_for_the_whole_file_passes_the_form_limit(app, as_user, media_clips, media_target):
    data = media_clips["h264_mp4"].read_bytes()
    app.config["MAX_CONTENT_LENGTH"] = len(data) // 4  # ordinary requests stay small
    client = as_user("trainee")
    location = create(client, len(data)).headers["Location"]
    response = patch(client, location, 0, data)
    assert response.status_code == 204, response.get_data(as_text=True)
    assert db.session.get(MediaFile, int(response.headers["Media-File-Id"])).original_size == len(data)
    # A form post over MAX_FORM_BYTES is still refused.
    assert client.post("/masuk", data={"x": "y" * len(data)}).status_code == 413


def _tus_client(server, http) -> TusClient:
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    return TusClient(f"{server}/media/tus/", headers={"Cookie": cookie, "X-CSRFToken": http.headers["X-CSRFToken"]})


def test_default_tuspy_one_patch_under_waitress_above_the_form_limit(live, media_clips):
    data = media_clips["hevc_mov"].read_bytes()
    with live.app.app_context():
        version_id = new_version(live.app, live.ids["trainee"])
    server = live.server()
    server.env["MAX_FORM_BYTES"] = str(len(data) // 4)
    server.start()
    tus = _tus_client(server.url, login(server.url, "peserta1"))
    uploader = tus.uploader(file_path=str(media_clips["hevc_mov"]),  # no chunk_size: one PATCH
                            metadata={"filename": "IMG_0001.MOV", "kind": "submission-version",
                                      "target_id": str(version_id)})
    uploader.upload()
    assert uploader.offset == len(data)
    with live.app.app_context():
        media = db.session.scalar(select(MediaFile))
        assert (live.media_root / "files" / media.original_key).read_bytes() == data


def test_upload_cut_by_a_proxy_resumes_byte_identical_with_at_most_one_chunk_resent(live, media_clips):
    data = media_clips["h264_mp4"].read_bytes()
    chunk = 16 * 1024
    assert len(data) > 6 * chunk
    with live.app.app_context():
        version_id = new_version(live.app, live.ids["trainee"])
    server = live.server().start()
    http = login(server.url, "peserta1")
    # The connection drops in the middle of the fourth chunk's body.
    proxy = FlakyProxy(("127.0.0.1", server.port), cut_after=int(3.5 * chunk) + 4000).start()
    try:
        tus = _tus_client(f"http://127.0.0.1:{proxy.port}", http)
        meta = {"filename": "dialog.mp4", "kind": "submission-version", "target_id": str(version_id)}
        first = tus.uploader(file_path=str(media_clips["h264_mp4"]), chunk_size=chunk, metadata=meta)
        with pytest.raises(Exception):
            first.upload()
        assert proxy.cuts == 1
        resumed = tus.uploader(file_path=str(media_clips["h264_mp4"]), chunk_size=chunk, metadata=meta,
                               url=first.url)
        assert resumed.offset == 3 * chunk  # what the server confirmed before the cut
        resumed.upload()
    finally:
        proxy.stop()
    assert resumed.offset == len(data)
    # Body bytes re-sent: the part of chunk 4 lost in the cut. Headers of ~20 requests aside,
    # the proxy carried the file plus at most one chunk.
    requests_made = len(data) // chunk + 6
    assert proxy.upstream_bytes <= len(data) + chunk + requests_made * 1200
    with live.app.app_context():
        media = db.session.scalar(select(MediaFile))
        stored = live.media_root / "files" / media.original_key
        assert hashlib.sha256(stored.read_bytes()).digest() == hashlib.sha256(data).digest()
        assert db.session.scalar(select(Upload)).completed_at is not None
