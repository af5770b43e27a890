"""S3 multipart partials (courseware/media/s3parts.py) against moto's real HTTP server: a body that
ends early keeps what arrived (full parts plus a tail object), a body longer than announced records
nothing, and a PATCH that died before its commit leaves nothing the next one could trip over."""
import io
import os
import types

import pytest

from courseware.media import s3parts
from courseware.media.storage import S3Storage

MiB = 1024 * 1024
PART = s3parts.PART_BYTES


@pytest.fixture
def s3(tmp_path, monkeypatch):
    boto3 = pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket="video-uji")
    yield S3Storage("video-uji", endpoint_url=endpoint, prefix="p", temp_dir=tmp_path / "work")
    server.stop()


class Breaks(io.RawIOBase):
    """A request body whose connection drops after `keep` bytes."""

    def __init__(self, data, keep):
        self.data, self.keep, self.pos = data, keep, 0

    def read(self, size=-1):
        if self.pos >= self.keep:
            raise ConnectionResetError("client went away")
        block = self.data[self.pos:min(self.pos + size, self.keep)]
        self.pos += len(block)
        return block


def _upload(storage, length):
    upload = types.SimpleNamespace(id=os.urandom(16).hex(), length=length, s3_parts=[], offset=0)
    upload.s3_upload_id = s3parts.start(storage, upload.id)
    return upload


def _commit(storage, upload, offset, received, parts):
    """What service._append_s3 does after append(): record, then drop the old tail."""
    upload.offset, upload.s3_parts = offset + received, parts
    if received:
        storage.delete(s3parts.tail_key(upload.id, offset))


def _keys(storage, upload):
    return sorted(item.key for item in storage.list(f"partials/{upload.id}/"))


def test_a_dropped_body_keeps_full_parts_and_a_tail_then_completes_byte_identical(s3):
    data = os.urandom(2 * PART + 3 * MiB)
    upload = _upload(s3, len(data))
    keep = PART + 2 * MiB + 11
    received, too_long, parts = s3parts.append(s3, upload, 0, Breaks(data, keep))
    assert (received, too_long, [n for n, _ in parts]) == (keep, False, [1])
    _commit(s3, upload, 0, received, parts)
    assert _keys(s3, upload) == [f"partials/{upload.id}/tail-{keep}"]
    assert b"".join(s3.open_read(s3parts.tail_key(upload.id, keep))) == data[PART:keep]
    # A PATCH from the recorded offset that dies after S3 took a part, before its commit:
    died = s3parts.append(s3, upload, keep, Breaks(data[keep:], PART))
    assert [n for n, _ in died[2]] == [1, 2]              # part 2 went to S3, but the row never heard of it
    # ... the retry from the same offset uploads part 2 again and finishes.
    received, too_long, parts = s3parts.append(s3, upload, keep, io.BytesIO(data[keep:]))
    assert not too_long and received == len(data) - keep and [n for n, _ in parts] == [1, 2, 3]
    _commit(s3, upload, keep, received, parts)
    with s3parts.whole_file(s3, upload) as path:
        assert path.read_bytes() == data
    s3parts.store(s3, upload, "originals/ab/hasil.mp4")
    assert b"".join(s3.open_read("originals/ab/hasil.mp4")) == data
    # Left over: only the tail object of the PATCH that died (the row never referred to it).
    assert _keys(s3, upload) == [f"partials/{upload.id}/tail-{keep + PART}"]
    assert s3parts.sweep_orphans(s3, live_ids={upload.id}, older_than_seconds=-1) == 0
    assert s3parts.sweep_orphans(s3, live_ids=set(), older_than_seconds=-1) == 1
    assert _keys(s3, upload) == []


def test_a_body_longer_than_announced_records_nothing(s3):
    data = os.urandom(PART + MiB)
    upload = _upload(s3, len(data))
    received, too_long, parts = s3parts.append(s3, upload, 0, io.BytesIO(data + b"extra"))
    assert too_long and received == 0 and parts == []


def test_small_uploads_are_one_short_part_and_an_empty_patch_changes_nothing(s3):
    data = os.urandom(300 * 1024)
    upload = _upload(s3, len(data))
    received, too_long, parts = s3parts.append(s3, upload, 0, io.BytesIO(data[:1000]))
    _commit(s3, upload, 0, received, parts)
    assert parts == [] and _keys(s3, upload) == [f"partials/{upload.id}/tail-1000"]
    assert s3parts.append(s3, upload, 1000, io.BytesIO(b"")) == (0, False, [])
    assert _keys(s3, upload) == [f"partials/{upload.id}/tail-1000"]   # the tail is still the one recorded
    received, too_long, parts = s3parts.append(s3, upload, 1000, io.BytesIO(data[1000:]))
    _commit(s3, upload, 1000, received, parts)
    assert [n for n, _ in parts] == [1]
    with s3parts.whole_file(s3, upload) as path:
        assert path.read_bytes() == data
    s3parts.discard(s3, upload.id, upload.s3_upload_id)
    assert _keys(s3, upload) == []
