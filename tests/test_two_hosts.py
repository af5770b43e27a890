"""Issue 18: several app hosts without sticky sessions. A tus upload goes on on any host.

Two real servers on two ports share one database (SQLite file or PostgreSQL with DATABASE_URL:
two processes on one machine share a SQLite file safely, so this runs on both) and one storage:

- local storage: partials in UPLOAD_WORK_DIR, a folder both hosts use (in a school: an NFS mount);
- S3 storage (moto's real HTTP server): partials in S3 multipart uploads, small chunks gathered in
  a tail object until a 8 MiB part is full, so no host keeps anything of the upload.

The PATCHes alternate between the hosts (and two race for the same offset); the stored original
must be byte-identical to what was sent.
"""
import hashlib
import threading

import pytest

from courseware.extensions import db
from courseware.media.models import MediaFile, Upload

from .live_server import live, login, new_version, tus_create, tus_headers, tus_patch  # noqa: F401
from .media_tus import padded_video

requests = pytest.importorskip("requests")
MiB = 1024 * 1024
# Chunks that straddle the 8 MiB part boundary, one smaller than a part, and a last short one.
CHUNKS = [3 * MiB, 1 * MiB + 17, 5 * MiB, 4 * MiB - 17]


def _two_hosts(live, **env):
    hosts = [live.server(), live.server()]
    for host in hosts:
        host.env.update(env)
        host.launch()
    for host in hosts:
        host.wait_ready(120)   # a busy 2-core machine needs a while to start two server processes
    return hosts


def _alternate(live, hosts, data: bytes):
    """Create on A, then PATCH A, B, A, B ... checking HEAD on the other host each time."""
    with live.app.app_context():
        version_id = new_version(live.app, live.ids["trainee"])
        db.session.remove()
    http = login(hosts[0].url, "peserta1")
    created = tus_create(http, hosts[0].url, len(data), version_id, filename="dialog.mp4")
    assert created.status_code == 201, created.text
    path = created.headers["Location"]
    offset, last = 0, None
    for n, size in enumerate(CHUNKS + [len(data) - sum(CHUNKS)]):
        host, other = hosts[n % 2], hosts[(n + 1) % 2]
        body = data[offset:offset + size]
        if n == 1:  # two clients (a retry, a second tab) race for the same offset on both hosts
            racing = {}
            http_copy = {"a": _clone(http), "b": _clone(http)}

            def send(name, base, racing=racing, http_copy=http_copy, offset=offset, body=body):
                racing[name] = tus_patch(http_copy[name], base + path, offset, body)

            threads = [threading.Thread(target=send, args=(k, h.url)) for k, h in zip("ab", hosts)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            codes = sorted(r.status_code for r in racing.values())
            assert codes[0] == 204 and codes[1] in (409, 423), [r.text for r in racing.values()]
            last = next(r for r in racing.values() if r.status_code == 204)
        else:
            last = tus_patch(http, host.url + path, offset, body)
            assert last.status_code == 204, last.text
        offset += size
        assert int(last.headers["Upload-Offset"]) == offset
        if offset < len(data):
            head = http.head(other.url + path, headers=tus_headers(http))
            assert head.status_code == 200 and head.headers["Upload-Offset"] == str(offset)
    media_id = int(last.headers["Media-File-Id"])
    assert http.get(f"{hosts[0].url}/media/{media_id}/status").json()["ready"] is True
    return path.rsplit("/", 1)[-1], media_id


def _clone(http):
    other = requests.Session()
    other.cookies.update(http.cookies)
    other.headers.update(http.headers)
    return other


VIDEO_SIZE = sum(CHUNKS) + 2 * MiB + 5


def _video(tmp_path, media_clips, size=VIDEO_SIZE) -> bytes:
    target = tmp_path / "besar.mp4"
    padded_video(target, size, media_clips["h264_mp4"])
    return target.read_bytes()


def test_local_storage_upload_continues_on_the_other_host_via_the_shared_folder(live, media_clips, tmp_path):
    shared = tmp_path / "nfs-unggahan"
    hosts = _two_hosts(live, UPLOAD_WORK_DIR=str(shared))
    data = _video(tmp_path, media_clips)
    upload_id, media_id = _alternate(live, hosts, data)
    with live.app.app_context():
        media = db.session.get(MediaFile, media_id)
        stored = (live.media_root / "files" / media.original_key).read_bytes()
        assert db.session.get(Upload, upload_id).offset == len(data)
        db.session.remove()
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(data).hexdigest()
    assert list(shared.iterdir()) == []                       # the partial moved into storage
    assert not (live.media_root / "uploads").exists() or list((live.media_root / "uploads").iterdir()) == []


def test_partial_lives_in_the_shared_folder_between_patches(live, media_clips, tmp_path):
    shared = tmp_path / "nfs-unggahan"
    hosts = _two_hosts(live, UPLOAD_WORK_DIR=str(shared))
    data = _video(tmp_path, media_clips, size=3 * MiB)
    with live.app.app_context():
        version_id = new_version(live.app, live.ids["trainee"])
        db.session.remove()
    http = login(hosts[0].url, "peserta1")
    path = tus_create(http, hosts[0].url, len(data), version_id).headers["Location"]
    assert tus_patch(http, hosts[0].url + path, 0, data[:MiB]).status_code == 204
    partial = shared / (path.rsplit("/", 1)[-1] + ".part")
    assert partial.read_bytes() == data[:MiB]
    assert tus_patch(http, hosts[1].url + path, MiB, data[MiB:]).status_code == 204


@pytest.fixture
def moto_s3(monkeypatch):
    boto3 = pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    creds = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    for name, value in creds.items():
        monkeypatch.setenv(name, value)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket="video-kabupaten")
    yield {"client": client, "env": {**creds, "S3_BUCKET": "video-kabupaten", "S3_ENDPOINT_URL": endpoint,
                                     "S3_PREFIX": "cw"}}
    server.stop()


def test_s3_upload_continues_on_the_other_host_in_a_multipart_upload(live, media_clips, tmp_path, moto_s3):
    from courseware.media import s3parts

    client = moto_s3["client"]
    hosts = _two_hosts(live, **moto_s3["env"])
    data = _video(tmp_path, media_clips)
    upload_id, media_id = _alternate(live, hosts, data)
    with live.app.app_context():
        media = db.session.get(MediaFile, media_id)
        key = "cw/" + media.original_key
        row = db.session.get(Upload, upload_id)
        # 15 MiB and 5 bytes in 8 MiB parts: one full part and the short last one.
        assert [n for n, _etag in row.s3_parts] == [1, 2] and len(data) // s3parts.PART_BYTES == 1
        db.session.remove()
    stored = client.get_object(Bucket="video-kabupaten", Key=key)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(data).hexdigest()
    left = [o["Key"] for o in client.list_objects_v2(Bucket="video-kabupaten", Prefix="cw/partials/")
            .get("Contents", [])]
    assert left == [] and client.list_multipart_uploads(Bucket="video-kabupaten").get("Uploads", []) == []
    # No host kept anything of the upload on its own disk.
    assert not (live.media_root / "uploads").exists() or list((live.media_root / "uploads").glob("*.part")) == []


def test_s3_partial_between_patches_is_parts_plus_a_tail_object(live, media_clips, tmp_path, moto_s3):
    from courseware.media import s3parts

    client = moto_s3["client"]
    hosts = _two_hosts(live, **moto_s3["env"])
    data = _video(tmp_path, media_clips, size=10 * MiB)
    with live.app.app_context():
        version_id = new_version(live.app, live.ids["trainee"])
        db.session.remove()
    http = login(hosts[0].url, "peserta1")
    path = tus_create(http, hosts[0].url, len(data), version_id).headers["Location"]
    upload_id = path.rsplit("/", 1)[-1]
    assert tus_patch(http, hosts[0].url + path, 0, data[:3 * MiB]).status_code == 204
    tail = client.get_object(Bucket="video-kabupaten", Key=f"cw/partials/{upload_id}/tail-{3 * MiB}")
    assert tail["Body"].read() == data[:3 * MiB]
    assert tus_patch(http, hosts[1].url + path, 3 * MiB, data[3 * MiB:9 * MiB]).status_code == 204
    with live.app.app_context():
        row = db.session.get(Upload, upload_id)
        assert row.offset == 9 * MiB and len(row.s3_parts) == 1
        db.session.remove()
    keys = [o["Key"] for o in client.list_objects_v2(Bucket="video-kabupaten", Prefix="cw/partials/")["Contents"]]
    assert keys == [f"cw/partials/{upload_id}/tail-{9 * MiB}"]      # the old tail was dropped
    assert client.get_object(Bucket="video-kabupaten", Key=keys[0])["Body"].read() == \
        data[s3parts.PART_BYTES:9 * MiB]
    # A wrong offset is refused on either host; the state stays as it was.
    assert tus_patch(http, hosts[0].url + path, 3 * MiB, data[3 * MiB:4 * MiB]).status_code == 409
    last = tus_patch(http, hosts[0].url + path, 9 * MiB, data[9 * MiB:])
    assert last.status_code == 204, last.text
    # Terminating another upload aborts its multipart upload and leaves nothing in the bucket.
    with live.app.app_context():
        other_version = new_version(live.app, live.ids["trainee"], code="LIK_1")
        db.session.remove()
    other = tus_create(http, hosts[1].url, 4 * MiB, other_version).headers["Location"]
    assert tus_patch(http, hosts[1].url + other, 0, data[:MiB]).status_code == 204
    assert http.delete(hosts[0].url + other, headers=tus_headers(http)).status_code == 204
    assert client.list_multipart_uploads(Bucket="video-kabupaten").get("Uploads", []) == []
    assert client.list_objects_v2(Bucket="video-kabupaten", Prefix="cw/partials/").get("KeyCount") == 0
