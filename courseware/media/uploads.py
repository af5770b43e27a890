"""The tus upload sessions: create, look up, append, terminate (tus 1.0, see views.py).

The row (Upload) is the session's state, so any app host can take the next PATCH; the bytes go to
a partial file or an S3 multipart upload (files.py, s3parts.py). On the last byte the upload is
completed by files.complete_upload (validated by content, stored, registered).
"""
from __future__ import annotations

import logging
import os
import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..inputs import ascii_int
from ..models_base import utcnow
from . import files, s3parts
from .files import discard_partial, partial_path, s3_partials
from .meta import parse_metadata, sanitize_filename
from .models import Upload
from .quota import check_upload_bytes, size_label
from .targets import get_target

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
PATCH_LOCK = timedelta(minutes=15)
MAX_OPEN_UPLOADS = 5
READ_BLOCK = 1024 * 1024


def config(name: str):
    return current_app.config[name]


def upload_ttl() -> timedelta:
    return timedelta(hours=float(current_app.config.get("MEDIA_UPLOAD_EXPIRY_HOURS", 24)))


# --- tus: create, look up, append, terminate ---------------------------------------------

def create_upload(user, length_header: str | None, metadata_header: str | None,
                  defer_length: str | None = None) -> Upload:
    """Start an upload after checking size, metadata and the target's authorize()."""
    if defer_length is not None:
        raise ServiceError(_("Ukuran berkas harus diketahui sebelum mengunggah."), 400)
    length = ascii_int(length_header, maximum=None)  # any size parses; too big is a 413 below
    if length is None:
        raise ServiceError(_("Header Upload-Length wajib berisi ukuran berkas dalam byte."), 400)
    limit = config("MAX_VIDEO_BYTES")
    if length > limit:
        raise ServiceError(_("Berkas terlalu besar (%(size)s); batasnya %(limit)s.",
                             size=size_label(length), limit=size_label(limit)), 413)
    if length == 0:
        raise ServiceError(_("Berkas kosong (0 byte), bukan video."), 400)
    meta = parse_metadata(metadata_header)
    kind, target_id = meta.get("kind", ""), meta.get("target_id", "")
    target = get_target(kind)
    if target is None or not target_id or len(target_id) > 64:
        raise ServiceError(_("Tujuan unggahan tidak dikenal."), 400)
    if not target.authorize(user, target_id):
        raise ServiceError(_("Anda tidak berhak mengunggah video untuk ini."), 403)
    check_upload_bytes(user, length)
    now = utcnow()
    upload_id = secrets.token_hex(16)
    s3 = s3_partials()
    s3_upload_id = s3parts.start(s3, upload_id) if s3 is not None else None
    # Count-then-insert is a read-then-write: in a plain transaction SQLite refuses the second
    # of two trainees starting at once ("database is locked", issue 14) and the count races.
    with write_transaction():
        open_uploads = db.session.scalar(select(func.count()).select_from(Upload).where(
            Upload.owner_id == user.id, Upload.completed_at.is_(None), Upload.expires_at > now))
        if open_uploads >= MAX_OPEN_UPLOADS:
            raise ServiceError(_("Terlalu banyak unggahan yang belum selesai. Lanjutkan atau batalkan yang lama "
                                 "dulu."), 429)
        upload = Upload(
            id=upload_id, s3_upload_id=s3_upload_id, s3_parts=[] if s3 is not None else None, owner_id=user.id, target_kind=kind, target_id=target_id,
            filename=sanitize_filename(meta.get("filename", "")), length=length, offset=0,
            metadata_raw=(metadata_header or "")[:1000], created_at=now, updated_at=now,
            expires_at=now + upload_ttl(),
        )
        db.session.add(upload)
    # The row exists before the file: a file without a row is an orphan the sweep removes.
    if s3 is None:
        partial_path(upload.id).touch()
    return upload


def get_upload_for_user(upload_id: str, user, lock: bool = False) -> Upload:
    """The user's own upload; another user's (or an unknown id) is 404, an expired one 410.

    lock=True locks the row on PostgreSQL (SELECT ... FOR UPDATE); on SQLite the caller's
    write_transaction() (BEGIN IMMEDIATE) already serialises writers.
    """
    valid = re.fullmatch(r"[0-9a-f]{32}", upload_id or "")
    upload = db.session.get(Upload, upload_id, with_for_update=lock or None) if valid else None
    if upload is None or upload.owner_id != user.id:
        raise ServiceError(_("Unggahan tidak ditemukan."), 404)
    if not upload.is_complete and upload.expires_at < utcnow():
        raise ServiceError(_("Unggahan ini sudah kedaluwarsa. Mulai unggah ulang."), 410)
    return upload


def _claim(upload_id: str, user, offset: int, content_length: int | None) -> Upload:
    # Not flushed to disk at once: after a power cut a lost claim is simply no claim.
    with write_transaction(durable=False):
        upload = get_upload_for_user(upload_id, user, lock=True)
        if upload.is_complete:
            raise ServiceError(_("Unggahan ini sudah selesai."), 409)
        if offset != upload.offset:
            raise ServiceError(_("Posisi unggahan tidak cocok (server: %(n)d byte). Ulangi dari posisi itu.",
                                 n=upload.offset), 409)
        if content_length is not None and offset + content_length > upload.length:
            raise ServiceError(_("Data melebihi ukuran berkas yang diumumkan."), 400)
        now = utcnow()
        if upload.locked_until and upload.locked_until > now:
            raise ServiceError(_("Bagian lain dari berkas ini sedang diunggah. Tunggu sebentar."), 423)
        upload.locked_until = now + PATCH_LOCK
    return upload


def append_chunk(upload_id: str, user, offset: int, stream, content_length: int | None) -> Upload:
    """Append the request body to the partial file; complete the upload on its last byte.

    The body is read in chunks and written straight to disk (memory stays flat). If the
    client disconnects half-way, the bytes that did arrive are kept, so the resumed upload
    sends only the rest.
    """
    upload = _claim(upload_id, user, offset, content_length)
    s3 = s3_partials()
    if s3 is not None:
        return _append_s3(s3, upload, user, offset, stream)
    path = partial_path(upload.id)
    received, too_long, durable = 0, False, False
    remaining = upload.length - offset
    # One reused buffer: a fresh 1 MiB bytes object per read costs an mmap and page faults.
    buffer = bytearray(READ_BLOCK)
    view = memoryview(buffer)
    try:
        with open(path, "r+b" if path.exists() else "w+b", buffering=0) as handle:
            handle.truncate(offset)  # bytes past the recorded offset were never acknowledged
            handle.seek(offset)
            while True:
                want = min(READ_BLOCK, remaining - received + 1)
                try:
                    count = stream.readinto(view[:want])
                except Exception as exc:  # noqa: BLE001 - a dropped connection: keep what arrived
                    log.info("upload %s: body ended early after %d bytes (%s)", upload.id, received, exc)
                    break
                if not count:
                    break
                if received + count > remaining:
                    too_long = True
                    break
                written = 0
                while written < count:  # a write error (disk full) propagates: nothing is acknowledged
                    written += handle.write(view[written:count])
                received += count
            if too_long:
                handle.truncate(offset)
                received = 0
            (getattr(os, "fdatasync", None) or os.fsync)(handle.fileno())
            durable = True
    finally:
        # The bytes are fsynced above; this commit need not be (issue 18: two fewer fsyncs per PATCH).
        # If a power cut undoes it, the row keeps the older offset: the next PATCH truncates the file
        # there and the client, which asks HEAD after any break, sends those bytes again.
        with write_transaction(durable=False):
            upload = db.session.get(Upload, upload_id, with_for_update=True)
            upload.offset = offset + received if durable else offset
            upload.locked_until = None
            upload.updated_at = utcnow()
            upload.expires_at = upload.updated_at + upload_ttl()
    if too_long:
        raise ServiceError(_("Data melebihi ukuran berkas yang diumumkan."), 400)
    if upload.offset == upload.length:
        files.complete_upload(upload, user)
    return upload


def _append_s3(storage, upload: Upload, user, offset: int, stream) -> Upload:
    """append_chunk for S3 storage: full parts go to S3 as they fill, the rest to a tail object."""
    received, too_long, parts = 0, False, None
    try:
        received, too_long, parts = s3parts.append(storage, upload, offset, stream)
    finally:
        with write_transaction():
            row = db.session.get(Upload, upload.id, with_for_update=True)
            if parts is not None and not too_long:   # every byte below the new offset is in S3
                row.offset, row.s3_parts = offset + received, parts
            row.locked_until = None
            row.updated_at = utcnow()
            row.expires_at = row.updated_at + upload_ttl()
        upload = row
    if too_long:
        raise ServiceError(_("Data melebihi ukuran berkas yang diumumkan."), 400)
    if received:
        storage.delete(s3parts.tail_key(upload.id, offset))   # the tail the row referred to before
    if upload.offset == upload.length:
        files.complete_upload(upload, user)
    return upload


def terminate_upload(upload_id: str, user) -> None:
    with write_transaction():
        upload = get_upload_for_user(upload_id, user, lock=True)
        if upload.is_complete:
            raise ServiceError(_("Unggahan yang sudah selesai tidak dapat dibatalkan di sini."), 409)
        if upload.locked_until and upload.locked_until > utcnow():
            raise ServiceError(_("Bagian lain dari berkas ini sedang diunggah. Tunggu sebentar."), 423)
        s3_upload_id = upload.s3_upload_id
        db.session.delete(upload)
    discard_partial(upload_id, s3_upload_id)
