"""Partial tus uploads as S3 multipart uploads (S3 storage), so any app host can take the next PATCH.

The state lives in the upload's row, never in one process: `s3_upload_id` (the multipart upload)
and `s3_parts` ([[number, etag], ...]; every part is PART_BYTES long). The bytes after the last
full part (the "tail", shorter than a part: S3 wants every part but the last to be 5 MiB or more)
are kept as a small object partials/<id>/tail-<offset>, named after the offset the row records.
A PATCH that dies before its commit therefore leaves only objects nothing refers to (removed by the
sweep) and parts whose numbers the next PATCH uploads again: the offset advances only after S3 has
acknowledged every byte below it. On the last byte the tail becomes the final, shorter part and
the multipart upload is completed as partials/<id>/whole.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager

log = logging.getLogger(__name__)

PART_BYTES = 8 * 1024 * 1024
READ_BLOCK = 1024 * 1024


def whole_key(upload_id: str) -> str:
    return f"partials/{upload_id}/whole"


def tail_key(upload_id: str, offset: int) -> str:
    return f"partials/{upload_id}/tail-{offset}"


def _client(storage):
    return storage.client, storage.bucket


def start(storage, upload_id: str) -> str:
    client, bucket = _client(storage)
    return client.create_multipart_upload(Bucket=bucket, Key=storage._k(whole_key(upload_id)))["UploadId"]


def _upload_part(storage, upload, number: int, body: bytes) -> list:
    client, bucket = _client(storage)
    etag = client.upload_part(Bucket=bucket, Key=storage._k(whole_key(upload.id)), UploadId=upload.s3_upload_id,
                              PartNumber=number, Body=body)["ETag"]
    return [number, etag]


def append(storage, upload, offset: int, stream) -> tuple[int, bool, list]:
    """Read the request body into parts; returns (bytes received, too long, the parts now).

    Nothing in the row changes here: the caller records offset and parts in one commit.
    """
    parts = [list(p) for p in (upload.s3_parts or [])]
    buffer = bytearray()
    tail = offset - len(parts) * PART_BYTES
    if tail:
        for block in storage.open_read(tail_key(upload.id, offset)):
            buffer += block
        if len(buffer) != tail:
            raise RuntimeError(f"upload {upload.id}: tail object has {len(buffer)} bytes, row says {tail}")
    remaining, received = upload.length - offset, 0
    while True:
        try:
            block = stream.read(min(READ_BLOCK, remaining - received + 1))
        except Exception as exc:  # noqa: BLE001 - a dropped connection: keep what arrived
            log.info("upload %s: body ended early after %d bytes (%s)", upload.id, received, exc)
            break
        if not block:
            break
        if received + len(block) > remaining:
            return 0, True, []
        buffer += block
        received += len(block)
        while len(buffer) >= PART_BYTES:
            parts.append(_upload_part(storage, upload, len(parts) + 1, bytes(buffer[:PART_BYTES])))
            del buffer[:PART_BYTES]
    end = offset + received
    if received == 0 and end != upload.length:
        return 0, False, [list(p) for p in (upload.s3_parts or [])]   # the tail object stays as it is
    if end == upload.length:
        if buffer or not parts:
            parts.append(_upload_part(storage, upload, len(parts) + 1, bytes(buffer)))
    elif buffer:
        client, bucket = _client(storage)
        client.put_object(Bucket=bucket, Key=storage._k(tail_key(upload.id, end)), Body=bytes(buffer))
    return received, False, parts


def drop_tail(storage, upload_id: str, offset: int, parts: list) -> None:
    """After the commit: the tail object the row no longer refers to."""
    if offset - len(parts) * PART_BYTES > 0:
        storage.delete(tail_key(upload_id, offset))


def assemble(storage, upload) -> None:
    """Complete the multipart upload (all bytes are in parts); idempotent."""
    if storage.exists(whole_key(upload.id)):
        return
    client, bucket = _client(storage)
    client.complete_multipart_upload(
        Bucket=bucket, Key=storage._k(whole_key(upload.id)), UploadId=upload.s3_upload_id,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in upload.s3_parts]})


@contextmanager
def whole_file(storage, upload):
    """A local copy of the assembled upload for the probe (removed afterwards)."""
    assemble(storage, upload)
    with storage.local_path_for_processing(whole_key(upload.id)) as path:
        yield path


def store(storage, upload, key: str) -> None:
    """Copy the assembled upload to its final key inside the bucket, then drop the partial."""
    client, bucket = _client(storage)
    client.copy_object(Bucket=bucket, Key=storage._k(key),
                       CopySource={"Bucket": bucket, "Key": storage._k(whole_key(upload.id))})
    storage.delete(whole_key(upload.id))


def discard(storage, upload_id: str, s3_upload_id: str | None) -> None:
    """Abort the multipart upload and delete every object of this upload (terminate, expiry, refusal)."""
    client, bucket = _client(storage)
    if s3_upload_id:
        try:
            client.abort_multipart_upload(Bucket=bucket, Key=storage._k(whole_key(upload_id)),
                                          UploadId=s3_upload_id)
        except Exception:  # noqa: BLE001 - already completed or aborted
            pass
    for item in list(storage.list(f"partials/{upload_id}/")):
        storage.delete(item.key)


def sweep_orphans(storage, live_ids: set[str], older_than_seconds: float) -> int:
    """Multipart uploads and partial objects of uploads that no longer exist."""
    from .storage import older_than

    client, bucket = _client(storage)
    removed = 0
    prefix = storage._k("partials/x")[:-1]
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Uploads", []):
            upload_id = item["Key"][len(prefix):].split("/", 1)[0]
            if upload_id not in live_ids and older_than(item["Initiated"].timestamp(), older_than_seconds):
                client.abort_multipart_upload(Bucket=bucket, Key=item["Key"], UploadId=item["UploadId"])
                removed += 1
    for item in list(storage.list("partials/")):
        if item.key.split("/")[1] not in live_ids and older_than(item.modified, older_than_seconds):
            storage.delete(item.key)
            removed += 1
    return removed
