"""Playback: HTTP Range (206/416), conditional requests, and who may watch."""
import pytest

from courseware.extensions import db
from courseware.media.models import MediaFile
from tests.media_tus import upload


@pytest.fixture
def ready_video(app, as_user, media_clips, media_target):
    _, last = upload(as_user("trainee"), media_clips["h264_mp4"].read_bytes())
    media = db.session.get(MediaFile, int(last.headers["Media-File-Id"]))
    assert media.status == "siap"
    return media


def _playback_bytes(app, media) -> bytes:
    from pathlib import Path

    return (Path(app.config["MEDIA_ROOT"]) / "files" / media.playback_key).read_bytes()


def test_range_request_returns_exactly_the_requested_bytes(app, as_user, ready_video):
    whole = _playback_bytes(app, ready_video)
    client = as_user("assessor")
    response = client.get(f"/media/{ready_video.id}/putar", headers={"Range": "bytes=100-1099"})
    assert response.status_code == 206
    assert response.data == whole[100:1100]
    assert response.headers["Content-Range"] == f"bytes 100-1099/{len(whole)}"
    assert response.headers["Content-Length"] == "1000"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.mimetype == "video/mp4"

    tail = client.get(f"/media/{ready_video.id}/putar", headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.data == whole[-500:]
    open_ended = client.get(f"/media/{ready_video.id}/putar", headers={"Range": f"bytes={len(whole) - 10}-"})
    assert open_ended.status_code == 206 and open_ended.data == whole[-10:]


def test_no_range_is_200_with_everything_and_bad_range_is_416(app, as_user, ready_video):
    whole = _playback_bytes(app, ready_video)
    client = as_user("assessor")
    full = client.get(f"/media/{ready_video.id}/putar")
    assert full.status_code == 200 and full.data == whole and full.headers["Accept-Ranges"] == "bytes"
    beyond = client.get(f"/media/{ready_video.id}/putar", headers={"Range": f"bytes={len(whole) + 5}-"})
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(whole)}"


def test_conditional_requests(app, as_user, ready_video):
    client = as_user("assessor")
    first = client.get(f"/media/{ready_video.id}/putar")
    etag = first.headers["ETag"]
    again = client.get(f"/media/{ready_video.id}/putar", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    stale = client.get(f"/media/{ready_video.id}/putar", headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert stale.status_code == 200  # the range applies only to the version the client has


def test_poster_is_a_jpeg(app, as_user, ready_video):
    response = as_user("trainee").get(f"/media/{ready_video.id}/poster.jpg")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.data[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("path", ["putar", "poster.jpg", "status"])
def test_another_trainee_gets_404(app, as_user, ready_video, path):
    assert as_user("trainee2").get(f"/media/{ready_video.id}/{path}").status_code == 404
    assert as_user("teacher").get(f"/media/{ready_video.id}/{path}").status_code == 404
    assert as_user("trainee").get(f"/media/{ready_video.id}/{path}").status_code == 200  # the owner
    assert as_user("assessor").get(f"/media/{ready_video.id}/{path}").status_code == 200  # can_view


def test_anonymous_is_sent_to_login(client, ready_video):
    response = client.get(f"/media/{ready_video.id}/putar")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert client.get(f"/media/{ready_video.id}/status").status_code == 401


def test_unknown_id_is_404(as_user, media_target):
    assert as_user("assessor").get("/media/999/putar").status_code == 404


def test_not_ready_video_is_not_served(app, as_user, ready_video):
    ready_video.status = "diproses"
    db.session.commit()
    response = as_user("assessor").get(f"/media/{ready_video.id}/putar")
    assert response.status_code == 409


def test_templates_render_player_and_status(app, ready_video):
    from flask import render_template_string

    with app.test_request_context():
        html = render_template_string(
            '{% from "media/_upload_widget.html" import video_player, processing_status, upload_widget %}'
            '{{ video_player(m) }}|{{ upload_widget("uji", 7) }}', m=ready_video)
    assert f'/media/{ready_video.id}/putar' in html and 'preload="metadata"' in html
    assert f'/media/{ready_video.id}/poster.jpg' in html and "<script>" not in html
    assert 'data-kind="uji"' in html and 'data-target-id="7"' in html and "onclick" not in html
