"""A real interrupted upload, resumed by an independent tus client (tuspy) over a real socket."""
import hashlib
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from tusclient.client import TusClient
from werkzeug.serving import make_server

from courseware.extensions import db
from courseware.media.models import MediaFile, Upload


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def _session_headers(app, client) -> dict:
    token = client.csrf_token()  # also stores the raw token in the session cookie
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return {"Cookie": f"{cookie.key}={cookie.value}", "X-CSRFToken": token}


def _drop_connection_mid_patch(url: str, headers: dict, offset: int, body: bytes, send: int) -> None:
    """Start a PATCH announcing all of `body`, send only `send` bytes, then cut the connection."""
    parts = urlsplit(url)
    head = (f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTus-Resumable: 1.0.0\r\n"
            f"Content-Type: application/offset+octet-stream\r\nUpload-Offset: {offset}\r\n"
            f"Content-Length: {len(body)}\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n")
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.sendall(head.encode() + body[:send])
        time.sleep(0.3)
        sock.shutdown(socket.SHUT_RDWR)


def _wait_for_release(upload_id: str, past: int, timeout: float = 20) -> Upload:
    deadline = time.time() + timeout
    while time.time() < deadline:
        db.session.rollback()  # end the read snapshot: other threads wrote since
        row = db.session.get(Upload, upload_id)
        if row.offset > past and row.locked_until is None:
            return row
        time.sleep(0.1)
    raise AssertionError("the server never recorded the bytes of the dropped request")


def test_interrupted_upload_resumes_with_tuspy_and_is_byte_identical(app, as_user, users, media_clips,
                                                                      media_target, live_server):
    source = media_clips["h264_mp4"]
    data = source.read_bytes()
    browser = as_user("trainee")
    tus = TusClient(f"{live_server}/media/tus/", headers=_session_headers(app, browser))
    chunk = 8 * 1024
    metadata = {"filename": "dialog LIK_1.mp4", "kind": "uji", "target_id": "2"}

    first = tus.uploader(file_path=str(source), chunk_size=chunk, metadata=metadata)
    first.upload(stop_at=len(data) // 3)  # the first third arrives, then the trainee loses signal
    assert first.url.startswith(f"{live_server}/media/tus/")
    upload_id = first.url.rstrip("/").rsplit("/", 1)[-1]
    half_way = first.offset
    assert 0 < half_way < len(data)

    # A PATCH cut off in the middle: the bytes that did arrive are kept.
    remaining = data[half_way:]
    _drop_connection_mid_patch(first.url, tus.headers, half_way, remaining, send=len(remaining) // 2)
    row = _wait_for_release(upload_id, half_way)
    assert row.offset <= half_way + len(remaining) // 2 and row.completed_at is None
    assert db.session.scalar(select(MediaFile)) is None  # nothing visible while incomplete

    # A new client resumes from what the server reports (HEAD) and sends only the rest.
    second = tus.uploader(file_path=str(source), url=first.url, chunk_size=chunk, metadata=metadata)
    assert second.offset == row.offset > half_way
    second.upload()
    assert second.offset == len(data)

    db.session.rollback()
    media = db.session.scalar(select(MediaFile))
    assert media is not None and media.target_id == "2" and media.owner_id == users["trainee"].id
    stored = Path(app.config["MEDIA_ROOT"]) / "files" / media.original_key
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert media.status == "siap"
    assert media_target == [(users["trainee"].id, "2", media.id)]
    assert list((Path(app.config["MEDIA_ROOT"]) / "uploads").iterdir()) == []
