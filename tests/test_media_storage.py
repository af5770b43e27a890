"""Storage backends (local folder, S3 against moto's real HTTP server), the queue and the CLI."""
import os
from pathlib import Path

import pytest

from courseware.media.storage import LocalStorage, S3Storage, check_key


def _exercise(storage, tmp_path: Path):
    payload = bytes(range(256)) * 4096  # 1 MiB, every byte value
    source = tmp_path / "source.bin"
    source.write_bytes(payload)
    storage.put_file("originals/ab/clip.mp4", source)
    assert source.exists()  # copy by default
    assert storage.exists("originals/ab/clip.mp4") and storage.size("originals/ab/clip.mp4") == len(payload)
    assert b"".join(storage.open_read("originals/ab/clip.mp4")) == payload
    assert b"".join(storage.open_read("originals/ab/clip.mp4", 1000, 70_000)) == payload[1000:71_000]
    assert b"".join(storage.open_read("originals/ab/clip.mp4", len(payload) - 5)) == payload[-5:]
    chunks = list(storage.open_read("originals/ab/clip.mp4"))
    assert max(len(c) for c in chunks) <= 1024 * 1024 and len(chunks) > 1  # streamed, not one read
    with storage.local_path_for_processing("originals/ab/clip.mp4") as local:
        assert Path(local).read_bytes() == payload
    moved = tmp_path / "moved.bin"
    moved.write_bytes(b"second")
    storage.put_file("playback/1-x.mp4", moved, move=True)
    assert not moved.exists() and b"".join(storage.open_read("playback/1-x.mp4")) == b"second"
    assert sorted(o.key for o in storage.list("originals/")) == ["originals/ab/clip.mp4"]
    storage.delete("originals/ab/clip.mp4")
    storage.delete("originals/ab/clip.mp4")  # deleting twice is harmless
    assert not storage.exists("originals/ab/clip.mp4")


def test_local_storage_round_trip_leaves_no_temp_files(tmp_path):
    storage = LocalStorage(tmp_path / "files")
    _exercise(storage, tmp_path)
    leftovers = [p.name for p in (tmp_path / "files").rglob("*") if p.is_file() and p.name.startswith(".tmp")]
    assert leftovers == []


def test_local_write_is_atomic_when_the_copy_fails(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path / "files")
    source = tmp_path / "v.bin"
    source.write_bytes(b"old")
    storage.put_file("originals/aa/v.mp4", source)
    source.write_bytes(b"new version" * 1000)

    def failing_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        storage.put_file("originals/aa/v.mp4", source)
    monkeypatch.undo()
    assert b"".join(storage.open_read("originals/aa/v.mp4")) == b"old"  # readers never see half a file
    assert [p.name for p in (tmp_path / "files" / "originals" / "aa").iterdir()] == ["v.mp4"]


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs/path", "originals/../../x", "Originals/A.mp4", ""])
def test_keys_cannot_escape_the_root(key):
    with pytest.raises(ValueError):
        check_key(key)


def test_s3_storage_against_a_local_moto_server(tmp_path, monkeypatch):
    boto3 = pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="video-sekolah")
        storage = S3Storage("video-sekolah", endpoint_url=endpoint, prefix="courseware", temp_dir=tmp_path / "work")
        _exercise(storage, tmp_path)
        assert list((tmp_path / "work").iterdir()) == []  # the processing copy was removed
    finally:
        server.stop()


def test_s3_is_chosen_when_a_bucket_is_configured(tmp_path):
    from courseware.media.storage import storage_from_config

    pytest.importorskip("boto3")
    storage = storage_from_config({"MEDIA_ROOT": str(tmp_path), "S3_BUCKET": "b",
                                   "S3_ENDPOINT_URL": "http://127.0.0.1:9"})
    assert isinstance(storage, S3Storage)
    assert isinstance(storage_from_config({"MEDIA_ROOT": str(tmp_path)}), LocalStorage)


def test_queue_backend_follows_the_settings(tmp_path):
    from huey.storage import MemoryStorage, SqliteStorage

    from courseware.tasks import huey
    from tests.conftest import make_app

    app = make_app(tmp_path, TASKS_EAGER=False)
    try:
        assert not huey.immediate and isinstance(huey.storage, SqliteStorage)
        assert huey.storage.filename == os.path.join(app.instance_path, "tasks.sqlite3")
        assert "worker" in app.cli.commands
    finally:
        make_app(tmp_path, TASKS_EAGER=True)
    assert huey.immediate and isinstance(huey.storage, MemoryStorage)


def test_worker_command_refuses_in_eager_mode(app):
    result = app.test_cli_runner().invoke(args=["worker"])
    assert result.exit_code != 0 and "TASKS_EAGER" in result.output
