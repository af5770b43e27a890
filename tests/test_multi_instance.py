"""Two app processes behind one address: one PostgreSQL database, one MEDIA_ROOT, one SECRET_KEY.

A school that outgrows one PC runs several waitress processes (or hosts) behind nginx; a
trainee's requests land on any of them. Sessions, test attempts and tus uploads (whose partial
files live under the shared MEDIA_ROOT) must therefore work across instances. SQLite is one
file on one machine, so this runs only when DATABASE_URL points at PostgreSQL (CI does).
"""
import hashlib
import os
import re

import pytest

from courseware.extensions import db
from courseware.media.models import MediaFile, Upload

from .live_server import live, login, new_version, refresh_csrf, tus_create, tus_headers, tus_patch  # noqa: F401

requests = pytest.importorskip("requests")

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
    reason="two instances share one database only on PostgreSQL; set DATABASE_URL=postgresql+psycopg://... "
           "(CI runs the suite on PostgreSQL)")


def test_session_attempt_and_upload_move_between_two_instances(live, media_clips):
    from courseware.quizzes.models import Attempt

    with live.app.app_context():
        version_id = new_version(live.app, live.ids["trainee"])
    one, two = live.server(), live.server()
    one.launch(), two.launch()
    one.wait_ready(), two.wait_ready()
    assert one.port != two.port and one.env["MEDIA_ROOT"] == two.env["MEDIA_ROOT"]

    # A session started on instance 1 works on instance 2 (same SECRET_KEY, user row in the shared db).
    http = login(one.url, "peserta1")
    on_two = http.get(f"{two.url}/tes/", allow_redirects=False)
    assert on_two.status_code == 200 and "/keluar" in on_two.text  # signed in (anonymous: 302 to /masuk)
    refresh_csrf(http, two.url)  # a token from instance 2's page is valid on instance 1 too
    assert http.get(f"{one.url}/tes/", allow_redirects=False).status_code == 200

    # A test attempt started on 1 takes answers on 2 and is submitted on 2.
    started = http.post(f"{one.url}/tes/tes-tertulis/mulai", allow_redirects=False)
    assert started.status_code == 302, started.text[:300]
    attempt_id = int(re.search(r"/tes/percobaan/(\d+)$", started.headers["Location"]).group(1))
    with live.app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        keys = {item.position: item.question.key_option.id for item in attempt.items}
        db.session.remove()
    for position in (1, 2, 3, 4, 5):
        answered = http.post(f"{two.url}/tes/percobaan/{attempt_id}/jawab",
                             data={"posisi": position, "pilihan": keys[position]},
                             headers={"Accept": "application/json"})
        assert answered.status_code == 200 and answered.json()["saved"], answered.text
    page = http.get(f"{one.url}/tes/percobaan/{attempt_id}")  # instance 1 sees what 2 saved
    assert page.text.count(" checked>") == 5
    submitted = http.post(f"{two.url}/tes/percobaan/{attempt_id}/kumpulkan", allow_redirects=False)
    again = http.post(f"{one.url}/tes/percobaan/{attempt_id}/kumpulkan", allow_redirects=False)
    assert submitted.status_code == again.status_code == 302
    assert again.headers["Location"].endswith("/hasil")
    assert "5 dari 20 benar" in http.get(f"{one.url}/tes/percobaan/{attempt_id}/hasil").text

    # A tus upload started on 1 continues on 2 (HEAD, PATCH) and completes there.
    data = media_clips["h264_mp4"].read_bytes()
    third = len(data) // 3
    created = tus_create(http, one.url, len(data), version_id)
    assert created.status_code == 201, created.text
    path = created.headers["Location"]
    assert tus_patch(http, one.url + path, 0, data[:third]).status_code == 204
    head = http.head(two.url + path, headers=tus_headers(http))
    assert head.status_code == 200 and head.headers["Upload-Offset"] == str(third)
    assert tus_patch(http, two.url + path, third, data[third:2 * third]).status_code == 204
    assert http.head(one.url + path, headers=tus_headers(http)).headers["Upload-Offset"] == str(2 * third)
    last = tus_patch(http, two.url + path, 2 * third, data[2 * third:])
    assert last.status_code == 204, last.text
    media_id = int(last.headers["Media-File-Id"])
    assert http.get(f"{one.url}/media/{media_id}/status").json()["ready"] is True
    assert http.get(f"{one.url}/media/{media_id}/putar", headers={"Range": "bytes=0-9"}).status_code == 206

    with live.app.app_context():
        media = db.session.get(MediaFile, media_id)
        stored = live.media_root / "files" / media.original_key
        assert hashlib.sha256(stored.read_bytes()).digest() == hashlib.sha256(data).digest()
        assert media.status == "siap"
        assert db.session.get(Upload, path.rsplit("/", 1)[-1]).media_file_id == media_id
        db.session.remove()
    assert list((live.media_root / "uploads").iterdir()) == []
