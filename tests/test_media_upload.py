"""The tus server: creation, append, completion by content, refusals, authorisation, expiry."""
import os
import time
from datetime import timedelta
from pathlib import Path

import av
import pytest
from sqlalchemy import func, select

from courseware.audit.models import AuditEvent
from courseware.extensions import db
from courseware.media.models import MediaFile, Upload
from courseware.models_base import utcnow
from tests.media_tus import TUS, create, metadata, patch, upload


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _top_level_atoms(path: Path) -> list[str]:
    names, data = [], path.read_bytes()
    pos = 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos:pos + 4], "big")
        name = data[pos + 4:pos + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[pos + 8:pos + 16], "big")
        names.append(name)
        if size < 8:
            break
        pos += size
    return names


def test_options_announces_tus_capabilities(client, app):
    response = client.options("/media/tus/")
    assert response.status_code == 204
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) == {"creation", "termination", "expiration"}
    assert response.headers["Tus-Max-Size"] == str(app.config["MAX_VIDEO_BYTES"])


@pytest.mark.parametrize("clip, expect_audio, expect_size", [
    ("h264_mp4", True, (320, 240)),
    ("hevc_mov", False, (720, 960)),  # 1280x960 turned upright, then fitted into 720p
])
def test_phone_video_is_accepted_stored_and_transcoded(app, as_user, users, media_clips, media_target,
                                                      clip, expect_audio, expect_size):
    client = as_user("trainee")
    data = media_clips[clip].read_bytes()
    location, last = upload(client, data, chunk=len(data) // 3 + 1, filename=f"../../{media_clips[clip].name}")
    assert last.status_code == 204, last.get_data(as_text=True)
    assert last.headers["Tus-Resumable"] == "1.0.0"
    assert int(last.headers["Upload-Offset"]) == len(data)

    media = db.session.get(MediaFile, int(last.headers["Media-File-Id"]))
    assert media.owner_id == users["trainee"].id and media.target_kind == "uji" and media.target_id == "1"
    assert media.original_filename == media_clips[clip].name  # path parts stripped
    assert media.original_size == len(data) and media.duration == pytest.approx(2.0, abs=0.1)
    assert media_target == [(users["trainee"].id, "1", media.id)]
    # The queue ran eagerly: the playback file is ready.
    assert media.status == "siap", media.status_reason
    files = Path(app.config["MEDIA_ROOT"]) / "files"
    assert (files / media.original_key).read_bytes() == data  # original kept, byte for byte
    playback = files / media.playback_key
    with av.open(str(playback)) as container:
        video = container.streams.video[0]
        assert video.codec_context.name == "h264"
        assert (video.codec_context.width, video.codec_context.height) == expect_size
        assert max(expect_size) <= 1280 and min(expect_size) <= 720
        audio = [s.codec_context.name for s in container.streams.audio]
        assert audio == (["aac"] if expect_audio else [])
    atoms = _top_level_atoms(playback)
    assert atoms.index("moov") < atoms.index("mdat")  # fast start
    assert (files / media.poster_key).read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
    status = client.get(f"/media/{media.id}/status").get_json()
    assert status["status"] == "siap" and status["ready"] and status["playback_url"].endswith("/putar")
    # HEAD after completion tells a resuming client it is done, and where the file is.
    head = client.head(location, headers=TUS)
    assert head.headers["Upload-Offset"] == str(len(data)) and head.headers["Media-File-Id"] == str(media.id)
    assert head.headers["Cache-Control"] == "no-store"


def _html_then_video(clips):
    return b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>\n" + clips["h264_mp4"].read_bytes()


BAD_FILES = {
    "text renamed .mp4": lambda clips: b"Ini hanya catatan, bukan video.\n" * 200,
    "truncated video": lambda clips: clips["h264_mp4"].read_bytes()[: clips["h264_mp4"].stat().st_size // 2],
    "html/script": lambda clips: b"<html><body><script>fetch('/x')</script></body></html>" * 20,
    "polyglot html + mp4": _html_then_video,
    "random bytes": lambda clips: os.urandom(50_000),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_files_that_are_not_whole_videos_are_refused_and_nothing_is_kept(app, as_user, media_clips,
                                                                       media_target, name):
    client = as_user("trainee")
    data = BAD_FILES[name](media_clips)
    location, last = upload(client, data, filename="video.mp4")
    assert last.status_code == 422
    message = last.get_json()["message"]
    assert message.startswith("Video ditolak:")
    assert _count(MediaFile) == 0 and _count(Upload) == 0 and media_target == []
    assert _files_under(Path(app.config["MEDIA_ROOT"])) == []
    assert client.head(location, headers=TUS).status_code == 404
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "media.refused")) is not None


def test_zero_byte_file_is_refused_at_creation(app, as_user, media_target):
    response = create(as_user("trainee"), 0)
    assert response.status_code == 400 and "kosong" in response.get_json()["message"]
    assert _count(Upload) == 0


def test_video_longer_than_the_limit_is_refused(app, as_user, media_clips, media_target):
    app.config["MAX_VIDEO_SECONDS"] = 1
    _, last = upload(as_user("trainee"), media_clips["h264_mp4"].read_bytes())
    assert last.status_code == 422 and "terlalu panjang" in last.get_json()["message"]
    assert _count(MediaFile) == 0


def test_declared_size_over_the_limit_gets_413_before_any_byte(app, as_user, media_target):
    response = create(as_user("trainee"), app.config["MAX_VIDEO_BYTES"] + 1)
    assert response.status_code == 413
    assert "terlalu besar" in response.get_json()["message"]
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert _count(Upload) == 0 and _files_under(Path(app.config["MEDIA_ROOT"])) == []


def test_protocol_errors(app, as_user, media_target):
    client = as_user("trainee")
    wrong_version = client.post("/media/tus/", headers={"Tus-Resumable": "0.2.2", "Upload-Length": "10",
                                                        "X-CSRFToken": client.csrf_token()})
    assert wrong_version.status_code == 412 and wrong_version.headers["Tus-Version"] == "1.0.0"
    assert create(client, 100, **{"Upload-Length": "banyak"}).status_code == 400
    location = create(client, 100).headers["Location"]
    assert patch(client, location, 0, b"x" * 10).status_code == 204
    mismatch = patch(client, location, 0, b"y" * 10)
    assert mismatch.status_code == 409 and "10" in mismatch.get_json()["message"]
    assert patch(client, location, 10, b"z", **{"Content-Type": "application/json"}).status_code == 415
    too_much = patch(client, location, 10, b"z" * 200)
    assert too_much.status_code == 400
    head = client.head(location, headers=TUS)
    assert head.status_code == 200 and head.headers["Upload-Offset"] == "10"
    assert head.headers["Upload-Length"] == "100" and head.headers["Cache-Control"] == "no-store"
    assert "Upload-Expires" in head.headers


def test_csrf_header_is_required(app, as_user, media_target):
    client = as_user("trainee")
    response = client.post("/media/tus/", csrf=False, headers={
        **TUS, "Upload-Length": "10", "Upload-Metadata": metadata(filename="a.mp4", kind="uji", target_id="1")})
    assert response.status_code == 400 and "CSRF" in response.get_json()["message"]
    assert _count(Upload) == 0


def test_anonymous_gets_401_json(client, media_target):
    response = create(client, 100)
    assert response.status_code == 401 and "Masuk" in response.get_json()["message"]


def test_target_rules_apply_at_creation(app, as_user, media_target):
    refused = create(as_user("trainee"), 100, target_id="3")
    assert refused.status_code == 403 and "tidak berhak" in refused.get_json()["message"]
    assert create(as_user("teacher"), 100).status_code == 403
    assert create(as_user("trainee"), 100, kind="tidak_ada").status_code == 400
    assert _count(Upload) == 0


def test_another_users_upload_is_404(app, as_user, media_target):
    mine = as_user("trainee")
    location = create(mine, 100).headers["Location"]
    other = as_user("trainee2")
    assert other.head(location, headers=TUS).status_code == 404
    assert patch(other, location, 0, b"x").status_code == 404
    deleted = other.delete(location, headers=TUS)
    assert deleted.status_code == 404 and deleted.get_json()["message"] == "Unggahan tidak ditemukan."
    assert mine.head(location, headers=TUS).headers["Upload-Offset"] == "0"


def test_termination_deletes_the_partial(app, as_user, media_target):
    client = as_user("trainee")
    location = create(client, 100).headers["Location"]
    patch(client, location, 0, b"x" * 40)
    assert client.delete(location, headers=TUS).status_code == 204
    assert client.head(location, headers=TUS).status_code == 404
    assert list((Path(app.config["MEDIA_ROOT"]) / "uploads").iterdir()) == []


def test_expired_uploads_are_refused_and_swept(app, as_user, media_target):
    client = as_user("trainee")
    location = create(client, 100).headers["Location"]
    patch(client, location, 0, b"x" * 40)
    upload_row = db.session.scalar(select(Upload))
    upload_row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.head(location, headers=TUS).status_code == 410
    assert patch(client, location, 40, b"x").status_code == 410
    uploads = Path(app.config["MEDIA_ROOT"]) / "uploads"
    orphan = uploads / ("ab" * 16 + ".part")
    orphan.write_bytes(b"left behind")
    old = time.time() - 7 * 3600
    os.utime(orphan, (old, old))
    result = app.test_cli_runner().invoke(args=["media", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 unggahan kedaluwarsa" in result.output and "1 potongan yatim" in result.output
    assert _count(Upload) == 0 and list(uploads.iterdir()) == []


def test_sweep_keeps_live_uploads_and_removes_unreferenced_stored_files(app, as_user, media_clips, media_target):
    from courseware.media.work import sweep
    from courseware.media.storage import get_storage

    client = as_user("trainee")
    location = create(client, 100).headers["Location"]
    patch(client, location, 0, b"x" * 10)
    _, last = upload(client, media_clips["h264_mp4"].read_bytes())
    media = db.session.get(MediaFile, int(last.headers["Media-File-Id"]))
    storage = get_storage()
    stray = Path(app.config["MEDIA_ROOT"]) / "files" / "originals" / "zz" / "stray.mp4"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"no row points here")
    counts = sweep(orphan_age=-1)
    assert counts["orphan_objects"] == 1 and not stray.exists()
    assert all(storage.exists(k) for k in (media.original_key, media.playback_key, media.poster_key))
    assert client.head(location, headers=TUS).headers["Upload-Offset"] == "10"


def test_processing_failure_is_recorded_with_a_reason(app, as_user, media_clips, media_target, monkeypatch):
    """The trainee reads a plain Indonesian reason; the library's words go to the audit log only."""
    from courseware.media import transcoding

    def broken(*args, **kwargs):
        raise RuntimeError("encoder exploded: avcodec_send_frame() returned -22")

    monkeypatch.setattr(transcoding, "transcode", broken)
    client = as_user("trainee")
    _, last = upload(client, media_clips["h264_mp4"].read_bytes())
    assert last.status_code == 204
    media = db.session.get(MediaFile, int(last.headers["Media-File-Id"]))
    assert media.status == "gagal" and "Rekam ulang atau unggah berkas lain" in media.status_reason
    status = client.get(f"/media/{media.id}/status").get_json()
    for shown in (media.status_reason, status["reason"]):
        assert "exploded" not in shown and "avcodec" not in shown and "RuntimeError" not in shown
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "media.failed"))
    assert "encoder exploded" in str(event.detail)
    assert media.playback_key is None
    assert [p.name for p in (Path(app.config["MEDIA_ROOT"]) / "work").iterdir()] == []


def test_open_uploads_per_user_are_limited(app, as_user, media_target):
    client = as_user("trainee")
    for _ in range(5):
        assert create(client, 100).status_code == 201
    refused = create(client, 100)
    assert refused.status_code == 429 and "belum selesai" in refused.get_json()["message"]
    assert create(as_user("trainee2"), 100).status_code == 201  # per user, not global


def test_sweep_finishes_an_upload_whose_completion_was_interrupted(app, as_user, media_clips, media_target,
                                                                   monkeypatch):
    from courseware.media import files, work

    data = media_clips["h264_mp4"].read_bytes()
    client = as_user("trainee")
    location = create(client, len(data)).headers["Location"]
    # The server dies right after storing the last byte, before validating it.
    monkeypatch.setattr(files, "complete_upload", lambda upload, user: None)
    assert patch(client, location, 0, data).status_code == 204
    monkeypatch.undo()
    assert _count(MediaFile) == 0
    row = db.session.scalar(select(Upload))
    row.updated_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    counts = work.sweep()
    assert counts["completed"] == 1
    media = db.session.scalar(select(MediaFile))
    assert media is not None and media.status == "siap" and media_target[0][2] == media.id
