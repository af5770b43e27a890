"""End to end through the media domain: a trainee uploads the video of a version with tus."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.extensions import db
from courseware.practicals.models import SubmissionVersion
from courseware.practicals.service import UPLOAD_KIND

from .conftest import login_as
from .media_tus import create, upload

pytest.importorskip("courseware.media.uploads")


@pytest.fixture
def pair(app, users, make_user, practicals):
    ani = make_user("ani", ["trainee"], nis="1003")
    classroom = create_class(users["teacher"], "XI MPLB 1", "2026/2027")
    for user in (users["trainee"], users["trainee2"], ani):
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=user.id))
    db.session.commit()
    return SimpleNamespace(ani=ani, kind=UPLOAD_KIND, **users)


def _client(app, user):
    return login_as(app.test_client(), user)


def _new_version(client, partner_id=0) -> SubmissionVersion:
    response = client.post("/praktik/LIK_2/versi", data={"partner": str(partner_id), "transcript": ""})
    assert response.status_code == 302
    return db.session.scalar(select(SubmissionVersion).order_by(SubmissionVersion.id.desc()))


def test_upload_widget_targets_the_version_and_the_video_is_attached(app, pair, media_clips):
    trainee = _client(app, pair.trainee)
    version = _new_version(trainee, pair.ani.id)
    page = trainee.get("/praktik/LIK_2").get_data(as_text=True)
    assert f'data-kind="{pair.kind}"' in page and f'data-target-id="{version.id}"' in page

    data = media_clips["h264_mp4"].read_bytes()
    _, last = upload(trainee, data, chunk=len(data) // 2 + 1, kind=pair.kind, target_id=str(version.id))
    assert last.status_code == 204, last.get_data(as_text=True)
    media_id = int(last.headers["Media-File-Id"])
    version = db.session.get(SubmissionVersion, version.id)
    assert version.media_file_id == media_id and version.media_status == "siap", version.media_file.status_reason

    page = trainee.get("/praktik/LIK_2").get_data(as_text=True)
    assert f"/media/{media_id}/putar" in page and "data-upload-widget" not in page
    partner_page = _client(app, pair.ani).get("/praktik/LIK_2").get_data(as_text=True)
    assert f"/media/{media_id}/putar" in partner_page
    # Playback follows can_view: the partner, the class teacher and the assessor may; a classmate may not.
    for user, status in ((pair.ani, 200), (pair.teacher, 200), (pair.assessor, 200), (pair.trainee2, 404),
                         (pair.teacher2, 404)):
        assert _client(app, user).get(f"/media/{media_id}/status").status_code == status

    # A second upload to the same version is refused before a byte is sent.
    again = create(trainee, len(data), kind=pair.kind, target_id=str(version.id))
    assert again.status_code == 409 and "sudah memiliki video" in again.get_data(as_text=True)
    # A new version gets its own widget; the old video stays.
    version2 = _new_version(trainee)
    assert version2.number == 2
    page = trainee.get("/praktik/LIK_2").get_data(as_text=True)
    assert f'data-target-id="{version2.id}"' in page and f"/media/{media_id}/putar" in page


def test_another_trainee_cannot_upload_to_my_version(app, pair):
    version = _new_version(_client(app, pair.trainee))
    for user in (pair.trainee2, pair.ani, pair.teacher, pair.assessor):
        response = create(_client(app, user), 1000, kind=pair.kind, target_id=str(version.id))
        assert response.status_code == 404, user.username
    assert create(_client(app, pair.trainee), 1000, kind=pair.kind, target_id="999999").status_code == 404
