"""The video storage (S3) goes away in the middle of an upload: the PATCH is answered 503 with
Retry-After and an Indonesian message (never a 500 or the library's words), nothing is recorded
for the bytes that did not reach S3, and when S3 is back the same upload goes on from the recorded
offset to a byte-identical original. Real server process, moto's real HTTP server, real tus PATCHes."""
import hashlib

import pytest

from courseware.extensions import db
from courseware.media.models import MediaFile

from .live_server import live, login, new_version, tus_create, tus_headers, tus_patch  # noqa: F401
from .media_tus import padded_video

requests = pytest.importorskip("requests")
boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")
MiB = 1024 * 1024
BUCKET = "video-sekolah"


def _moto(port: int = 0):
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def test_an_s3_outage_mid_upload_is_a_503_and_the_upload_resumes_when_s3_is_back(live, media_clips, tmp_path,
                                                                                   monkeypatch):
    creds = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    for name, value in creds.items():
        monkeypatch.setenv(name, value)
    s3 = _moto()
    host, port = s3.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket=BUCKET)
    server = live.server()
    # Few, quick retries inside boto: the outage must reach the client within seconds, not minutes.
    server.env.update(creds, S3_BUCKET=BUCKET, S3_ENDPOINT_URL=endpoint, S3_PREFIX="cw",
                      AWS_MAX_ATTEMPTS="2", AWS_RETRY_MODE="standard")
    server.launch()
    server.wait_ready(120)
    target = tmp_path / "dialog.mp4"
    padded_video(target, 10 * MiB, media_clips["h264_mp4"])
    data = target.read_bytes()
    with live.app.app_context():
        version_id = new_version(live.app, live.ids["trainee"])
        db.session.remove()
    http = login(server.url, "peserta1")
    path = tus_create(http, server.url, len(data), version_id).headers["Location"]
    assert tus_patch(http, server.url + path, 0, data[:3 * MiB]).status_code == 204

    s3.stop()
    try:
        failed = tus_patch(http, server.url + path, 3 * MiB, data[3 * MiB:6 * MiB])
        assert failed.status_code == 503, failed.text
        assert int(failed.headers["Retry-After"]) >= 1
        message = failed.json()["message"]
        assert message.startswith("Penyimpanan video sedang tidak dapat dihubungi")
        assert "endpoint" not in failed.text.lower() and "botocore" not in failed.text.lower()
        head = http.head(server.url + path, headers=tus_headers(http))
        assert head.status_code == 200 and head.headers["Upload-Offset"] == str(3 * MiB)
    finally:
        s3 = _moto(port)          # the same address; moto keeps its buckets in this process
    try:
        assert tus_patch(http, server.url + path, 3 * MiB, data[3 * MiB:6 * MiB]).status_code == 204
        last = tus_patch(http, server.url + path, 6 * MiB, data[6 * MiB:])
        assert last.status_code == 204, last.text
        with live.app.app_context():
            key = "cw/" + db.session.get(MediaFile, int(last.headers["Media-File-Id"])).original_key
            db.session.remove()
        stored = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(data).hexdigest()
    finally:
        s3.stop()
