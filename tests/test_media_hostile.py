"""Hostile media cannot hurt the site (issue 13, point 4). Every file is made here with PyAV.

Refused before transcoding, with a clear Indonesian reason and nothing kept:
- 8192x8192 pixels, 25,000 frames, about 1 MB (resolution), inside a 30 s probe limit;
- an MKV that declares 10 s but runs 3 hours (packets past MAX_VIDEO_SECONDS + margin);
- an MKV with 10,000 tracks (stream count);
- 240 fps (frame rate);
- a probe child that runs out of memory (plain reason, no library text).
Transcoding stops past the duration cap and at the wall-time cap; per-trainee limits on stored
bytes and versions; the web server's RSS stays within 50 MiB across three hostile uploads.
"""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courseware.extensions import db
from courseware.media.models import MediaFile, Upload
from courseware.media.transcoding import make_clip

from . import media_hostile
from .live_server import live, login, new_version, tus_create, tus_patch  # noqa: F401
from .media_tus import create, upload


@pytest.fixture(scope="session")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    return {
        "huge": media_hostile.huge_frames(folder / "besar.mp4"),
        "lying": media_hostile.lying_mkv(folder / "bohong.mkv"),
        "tracks": media_hostile.many_tracks(folder / "trek.mkv"),
        "fps": make_clip(folder / "cepat.mp4", seconds=0.5, size=(64, 48), fps=240, audio=False),
    }


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _stored_files(app) -> list[Path]:
    root = Path(app.config["MEDIA_ROOT"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("name, reason", [
    ("huge", "Resolusi video terlalu besar (8192×8192)"),
    ("lying", "Isi video lebih panjang daripada yang tertulis"),
    ("tracks", "jalur (trek)"),
    ("fps", "Laju gambar video terlalu tinggi (240 fps)"),
])
def test_hostile_file_is_refused_before_transcoding_with_a_clear_reason(app, as_user, media_target, hostile,
                                                                        name, reason):
    app.config["MEDIA_PROBE_SECONDS"] = 30
    data = hostile[name].read_bytes()
    location, last = upload(as_user("trainee"), data, chunk=len(data), filename=hostile[name].name)
    assert last.status_code == 422, last.get_data(as_text=True)
    message = last.get_json()["message"]
    assert message.startswith("Video ditolak:") and reason in message, message
    assert _count(MediaFile) == 0 and _count(Upload) == 0 and _stored_files(app) == []
    assert media_target == []


def test_a_probe_that_runs_out_of_memory_is_a_plain_refusal(app, as_user, media_clips, media_target):
    app.config["MEDIA_PROBE_MEMORY_MB"] = 40  # the child cannot even load FFmpeg
    _, last = upload(as_user("trainee"), media_clips["h264_mp4"].read_bytes(), chunk=1 << 20)
    assert last.status_code == 422
    message = last.get_json()["message"]
    assert "terlalu berat atau rusak" in message
    assert "Error" not in message and "Traceback" not in message and "av." not in message
    assert _count(MediaFile) == 0 and _stored_files(app) == []


@pytest.fixture
def waiting_video(app, as_user, media_clips, media_target, monkeypatch):
    """A valid 2 s upload left "menunggu" (no eager processing), and a CLI runner."""
    from courseware.media import files

    monkeypatch.setattr(files, "enqueue_processing", lambda file_id: None)
    _, last = upload(as_user("trainee"), media_clips["h264_mp4"].read_bytes(), chunk=1 << 20)
    assert last.status_code == 204
    return int(last.headers["Media-File-Id"])


@pytest.mark.parametrize("settings, reason", [
    ({"MAX_VIDEO_SECONDS": 1, "MEDIA_DURATION_MARGIN": 0}, "lebih panjang daripada batas"),
    ({"MEDIA_TRANSCODE_TIME_FACTOR": 0, "MEDIA_TRANSCODE_MIN_SECONDS": 0}, "melewati batas waktu"),
])
def test_transcoding_stops_at_its_caps_and_the_trainee_reads_why(app, as_user, waiting_video, settings, reason):
    app.config.update(settings)
    result = app.test_cli_runner().invoke(args=["media", "process", str(waiting_video)])
    assert result.exit_code == 1 and "gagal" in result.output
    media = db.session.get(MediaFile, waiting_video)
    assert media.status == "gagal" and reason in media.status_reason and media.playback_key is None
    status = as_user("trainee").get(f"/media/{waiting_video}/status").get_json()
    assert status["status"] == "gagal" and reason in status["reason"]
    assert [p for p in (Path(app.config["MEDIA_ROOT"]) / "work").iterdir()] == []


def test_stored_bytes_per_trainee_are_limited(app, as_user, media_clips, media_target):
    data = media_clips["h264_mp4"].read_bytes()
    client = as_user("trainee")
    _, last = upload(client, data, chunk=1 << 20)
    assert last.status_code == 204
    used = db.session.get(MediaFile, int(last.headers["Media-File-Id"]))
    assert used.playback_size  # the playback copy counts too: one byte short of a second upload
    app.config["MEDIA_MAX_BYTES_PER_USER"] = used.original_size + used.playback_size + len(data) - 1
    refused = create(client, len(data), target_id="2")
    assert refused.status_code == 413 and "Ruang video Anda tidak cukup" in refused.get_json()["message"]
    assert _count(Upload) == 1  # only the finished one
    assert create(as_user("trainee2"), len(data), target_id="2").status_code == 201  # per trainee


def test_versions_per_practical_are_limited(app, as_user, users, practicals):
    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.practicals import service as practicals
    from courseware.practicals.models import SubmissionVersion

    app.config["MEDIA_MAX_VERSIONS"] = 2
    classroom = create_class(users["teacher"], "XI MPLB 1", "2026/2027")
    db.session.add(Enrollment(classroom_id=classroom.id, user_id=users["trainee"].id))
    db.session.commit()
    client = as_user("trainee")
    for number in (1, 2, 3):
        response = client.post("/praktik/LIK_1/versi", data={"partner": "0", "transcript": f"versi {number}"})
        version = db.session.scalars(select(SubmissionVersion).order_by(SubmissionVersion.number.desc())).first()
        if number < 3:
            assert response.status_code in (200, 302) and version.number == number
            media = MediaFile(owner_id=users["trainee"].id, target_kind="submission-version", target_id=str(version.id),
                              original_filename="a.mp4", original_key=f"originals/x/{number}.mp4", original_size=10,
                              container="mp4", video_codec="h264", duration=2.0, width=320, height=240)
            db.session.add(media)
            db.session.commit()
            practicals.attach_media(users["trainee"], version.id, media)
            db.session.commit()
    assert response.status_code == 409, response.status_code
    assert "Batas 2 versi" in response.get_data(as_text=True)
    assert _count(SubmissionVersion) == 2


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
def test_web_server_memory_stays_flat_across_three_hostile_uploads(live, hostile):
    server = live.server().start()
    http = login(server.url, "peserta1")
    http.get(f"{server.url}/praktik/LIK_2")  # warm the page and template caches first
    start = _rss_mib(server.process.pid)
    for name in ("huge", "lying", "tracks"):
        with live.app.app_context():
            version_id = new_version(live.app, live.ids["trainee"])
        data = hostile[name].read_bytes()
        created = tus_create(http, server.url, len(data), version_id, filename=hostile[name].name)
        assert created.status_code == 201, created.text
        refused = tus_patch(http, server.url + created.headers["Location"], 0, data)
        assert refused.status_code == 422, refused.text
    grown = _rss_mib(server.process.pid) - start
    assert grown <= 50, f"web server RSS grew by {grown:.0f} MiB"
    with live.app.app_context():
        assert _count(MediaFile) == 0
