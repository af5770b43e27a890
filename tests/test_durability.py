"""Durability: the server process is SIGKILLed mid-work and restarted; nothing saved is lost.

The kill tests run the app under waitress in a subprocess (tests/live_server.py) on a migrated
database (a file SQLite database, or a fresh PostgreSQL database when DATABASE_URL points at
PostgreSQL), and talk to it over loopback with `requests` after a real password login.
The transcode crash test runs in-process with a monkeypatched encoder.
"""
import hashlib
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courseware.extensions import db
from courseware.media.models import MediaFile

from .live_server import live, login, new_version, refresh_csrf, tus_create, tus_headers, tus_patch  # noqa: F401

requests = pytest.importorskip("requests")


# --- 1a: SIGKILL during a tus upload ---------------------------------------------------------

def test_upload_survives_a_killed_server_and_resumes_byte_identical(live, media_clips):
    data = media_clips["h264_mp4"].read_bytes()
    chunk = 16 * 1024
    assert len(data) > 4 * chunk
    with live.app.app_context():
        version_id = new_version(live.app, live.ids["trainee"])
    server = live.server().start()
    http = login(server.url, "peserta1")
    created = tus_create(http, server.url, len(data), version_id)
    assert created.status_code == 201, created.text
    location = server.url + created.headers["Location"]
    offset = 0
    for _ in range(3):
        response = tus_patch(http, location, offset, data[offset:offset + chunk])
        assert response.status_code == 204, response.text
        offset = int(response.headers["Upload-Offset"])
    assert offset == 3 * chunk

    server.kill()
    server.start()  # same database, same MEDIA_ROOT, same SECRET_KEY: the session cookie still works

    head = http.head(location, headers=tus_headers(http))
    assert head.status_code == 200 and int(head.headers["Upload-Offset"]) == offset
    while offset < len(data):
        response = tus_patch(http, location, offset, data[offset:offset + chunk])
        assert response.status_code == 204, response.text
        offset = int(response.headers["Upload-Offset"])
    media_id = int(response.headers["Media-File-Id"])

    with live.app.app_context():
        media = db.session.get(MediaFile, media_id)
        stored = live.media_root / "files" / media.original_key
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
        assert media.status == "siap", media.status_reason  # processed (TASKS_EAGER in the server)
        assert (live.media_root / "files" / media.playback_key).stat().st_size > 0
    assert list((live.media_root / "uploads").iterdir()) == []
    status = http.get(f"{server.url}/media/{media_id}/status").json()
    assert status["ready"] is True
    assert http.get(f"{server.url}/media/{media_id}/putar", headers={"Range": "bytes=0-99"}).status_code == 206


# --- 1b: SIGKILL during the written test -------------------------------------------------------

def _attempt_page(http, base):
    started = http.post(f"{base}/tes/tes-tertulis/mulai", allow_redirects=False)
    assert started.status_code == 302, started.text[:300]
    attempt_id = int(re.search(r"/tes/percobaan/(\d+)$", started.headers["Location"]).group(1))
    return attempt_id


def _keys_and_wrongs(app, attempt_id):
    """{position: (key option id, a wrong option id)} read from the database."""
    from courseware.quizzes.models import Attempt

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        result = {item.position: (item.question.key_option.id,
                                  next(o.id for o in item.question.options if not o.is_key))
                  for item in attempt.items}
        db.session.remove()
        return result


def test_saved_answers_survive_a_killed_server_and_submit_counts_them(live):
    from courseware.audit.models import AuditEvent
    from courseware.quizzes.models import Attempt

    server = live.server().start()
    http = login(server.url, "peserta1")
    attempt_id = _attempt_page(http, server.url)
    options = _keys_and_wrongs(live.app, attempt_id)
    assert len(options) == 20
    chosen = {}
    for position in range(1, 9):  # 8 answers, each saved by its own click: 6 right, 2 wrong
        key, wrong = options[position]
        chosen[position] = wrong if position in (7, 8) else key
        response = http.post(f"{server.url}/tes/percobaan/{attempt_id}/jawab",
                             data={"posisi": position, "pilihan": chosen[position]},
                             headers={"Accept": "application/json"})
        assert response.status_code == 200 and response.json()["saved"], response.text
    assert response.json()["answered"] == 8

    server.kill()
    server.start()

    page = http.get(f"{server.url}/tes/percobaan/{attempt_id}")
    assert page.status_code == 200
    for position, option_id in chosen.items():
        assert f'value="{option_id}" checked>' in page.text, position
    assert page.text.count(" checked>") == 8
    refresh_csrf(http, server.url)
    first = http.post(f"{server.url}/tes/percobaan/{attempt_id}/kumpulkan", allow_redirects=False)
    second = http.post(f"{server.url}/tes/percobaan/{attempt_id}/kumpulkan", allow_redirects=False)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"].endswith(f"/tes/percobaan/{attempt_id}/hasil")
    assert "6 dari 20 benar" in http.get(f"{server.url}/tes/percobaan/{attempt_id}/hasil").text
    with live.app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.correct_count == 6 and attempt.score == 30.0 and attempt.submitted_how == "tombol"
        assert sum(1 for i in attempt.items if i.chosen_option_id) == 8
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "quiz.submit")) == 1
        db.session.remove()


# --- 2: a crash in the middle of a transcode ---------------------------------------------------

def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.mark.parametrize("last_attempt", [True, False])
def test_crash_mid_transcode_leaves_no_half_written_playback_and_a_retry_succeeds(
        app, as_user, media_clips, media_target, monkeypatch, last_attempt):
    from courseware.media import files, transcoding, work
    from courseware.media.models import MediaFile as Media

    real_transcode = transcoding.transcode
    calls = []

    def crashing(source, playback_path, poster_path, **kwargs):
        calls.append(Path(playback_path))
        Path(playback_path).write_bytes(b"\x00\x00\x00\x18ftypisom" + b"half" * 1000)  # a partial MP4
        Path(poster_path).write_bytes(b"\xff\xd8\xff" + b"half")
        raise RuntimeError("encoder killed mid-file")

    # The upload itself must not process (keep the file waiting), so the crash is our own call.
    monkeypatch.setattr(files, "enqueue_processing", lambda file_id: None)
    client = as_user("trainee")
    data = media_clips["h264_mp4"].read_bytes()
    from .media_tus import upload

    _, last = upload(client, data)
    assert last.status_code == 204, last.get_data(as_text=True)
    media_id = int(last.headers["Media-File-Id"])
    monkeypatch.setattr(transcoding, "transcode", crashing)
    root = Path(app.config["MEDIA_ROOT"])

    if last_attempt:
        work.process(media_id, last_attempt=True)
    else:
        with pytest.raises(RuntimeError):  # huey sees the error and retries later
            work.process(media_id, last_attempt=False)
    assert calls and not calls[0].exists()
    media = db.session.get(Media, media_id)
    assert media.playback_key is None and media.poster_key is None and media.playback_size is None
    assert media.status == ("gagal" if last_attempt else "menunggu")
    assert "dicoba lagi" in media.status_reason if not last_attempt else (
        "Rekam ulang" in media.status_reason and "encoder killed" not in media.status_reason)
    assert _files(root / "files" / "playback") == [] and _files(root / "files" / "posters") == []
    assert _files(root / "work") == []
    assert client.get(f"/media/{media_id}/putar").status_code == 409
    assert client.get(f"/media/{media_id}/status").get_json()["ready"] is False

    # The retry: the media command (what an admin runs) on the same file, with a working encoder.
    monkeypatch.setattr(transcoding, "transcode", real_transcode)
    result = app.test_cli_runner().invoke(args=["media", "process", str(media_id)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    media = db.session.get(Media, media_id)
    assert media.status == "siap" and media.attempts == 2
    assert [p.name for p in _files(root / "files" / "playback")] == [Path(media.playback_key).name]
    assert client.get(f"/media/{media_id}/putar").status_code == 200


def test_upload_resumes_after_the_server_is_killed_in_the_middle_of_a_patch(live, media_clips):
    """The kill lands while a PATCH body is still arriving: its bytes were never acknowledged, the
    offset stays at the last acknowledged byte and the resumed PATCH completes the file."""
    import socket
    import time
    from urllib.parse import urlsplit

    data = media_clips["h264_mp4"].read_bytes()
    with live.app.app_context():
        version_id = new_version(live.app, live.ids["trainee"])
    server = live.server().start()
    http = login(server.url, "peserta1")
    created = tus_create(http, server.url, len(data), version_id)
    location = server.url + created.headers["Location"]
    first = tus_patch(http, location, 0, data[:20_000])
    assert first.status_code == 204
    upload_id = location.rsplit("/", 1)[-1]
    partial = live.media_root / "uploads" / f"{upload_id}.part"

    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    rest = data[20_000:]
    head = (f"PATCH {urlsplit(location).path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Tus-Resumable: 1.0.0\r\nContent-Type: application/offset+octet-stream\r\nUpload-Offset: 20000\r\n"
            f"Content-Length: {len(rest)}\r\nX-CSRFToken: {http.headers['X-CSRFToken']}\r\nCookie: {cookie}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head.encode() + rest[: len(rest) // 2])
        time.sleep(0.5)  # half the body is in the server (waitress buffers a body before the app sees it)
        server.kill()
    assert partial.stat().st_size == 20_000  # nothing unacknowledged reached the partial file
    server.start()

    head_response = http.head(location, headers=tus_headers(http))
    assert head_response.status_code == 200 and head_response.headers["Upload-Offset"] == "20000"
    resumed = tus_patch(http, location, 20_000, rest)
    assert resumed.status_code == 204, resumed.text
    with live.app.app_context():
        media = db.session.get(MediaFile, int(resumed.headers["Media-File-Id"]))
        stored = live.media_root / "files" / media.original_key
        assert hashlib.sha256(stored.read_bytes()).digest() == hashlib.sha256(data).digest()
        assert media.status == "siap"
