"""Media rules: upload targets, the tus upload life cycle, validation, processing, clean-up.

The contract with other domains (e.g. practicals) is `register_upload_target`:

    register_upload_target(
        "lik_submission",
        authorize=lambda user, target_id: bool,        # may `user` upload for this target?
        on_complete=lambda user, target_id, media_file: None,  # a valid file arrived
        can_view=lambda user, media_file: bool,        # may `user` watch it?
    )

`target_id` is always a string (it travels in tus metadata). `authorize` may also raise
ServiceError (its message and status are sent to the browser) or return False (403).
`on_complete` runs after the MediaFile row is flushed, inside the transaction that
commits it; raising ServiceError there refuses the upload (the file is deleted). It may
commit itself. `can_view` decides playback, poster and status; the owner can always view.
"""
from __future__ import annotations

import logging
import os
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..inputs import ascii_int
from ..models_base import utcnow
from . import s3parts
from .models import WAITING, MediaFile, Upload, status_label
from .storage import S3Storage, get_storage, media_dirs
from .guard import limits_from_config, probe_isolated
from .meta import parse_metadata, sanitize_filename
from .quota import check_upload_bytes
from .video import NotAVideo

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
PATCH_LOCK = timedelta(minutes=15)
MAX_OPEN_UPLOADS = 5
STUCK_COMPLETION = timedelta(minutes=10)
ORPHAN_AGE_SECONDS = 6 * 3600
STALE_PROCESSING = timedelta(hours=3)
KEEP_COMPLETED_UPLOADS = timedelta(days=7)
READ_BLOCK = 1024 * 1024
CONTAINER_EXT = {"mov": ".mov", "mp4": ".mp4", "3gp": ".3gp", "3g2": ".3g2", "matroska": ".mkv",
                 "webm": ".webm", "avi": ".avi", "mpegts": ".ts"}


# --- the registry of upload targets -----------------------------------------------------

@dataclass(frozen=True)
class UploadTarget:
    kind: str
    authorize: Callable
    on_complete: Callable
    can_view: Callable


_TARGETS: dict[str, UploadTarget] = {}


def register_upload_target(kind: str, authorize: Callable, on_complete: Callable, can_view: Callable) -> None:
    """Declare a kind of thing videos can be uploaded for (process-wide; re-registering replaces)."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", kind or ""):
        raise ValueError(f"bad upload target kind: {kind!r}")
    _TARGETS[kind] = UploadTarget(kind, authorize, on_complete, can_view)


def unregister_upload_target(kind: str) -> None:
    _TARGETS.pop(kind, None)


def get_target(kind: str) -> UploadTarget | None:
    return _TARGETS.get(kind)


# --- small helpers ----------------------------------------------------------------------

def config(name: str):
    return current_app.config[name]


def upload_ttl() -> timedelta:
    return timedelta(hours=float(current_app.config.get("MEDIA_UPLOAD_EXPIRY_HOURS", 24)))


def partial_path(upload_id: str) -> Path:
    folder = media_dirs(current_app.config)["uploads"]
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{upload_id}.part"


def s3_partials() -> S3Storage | None:
    """The S3 storage when partial uploads live in S3 multipart uploads; None for a folder."""
    storage = get_storage()
    return storage if isinstance(storage, S3Storage) else None


def _discard_partial(upload_id: str, s3_upload_id: str | None = None) -> None:
    storage = s3_partials()
    if storage is not None:
        s3parts.discard(storage, upload_id, s3_upload_id)
    _unlink(partial_path(upload_id))


def _size_label(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size < 1024**3 else f"{size / 1024**3:.1f} GB"


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
                             size=_size_label(length), limit=_size_label(limit)), 413)
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
        complete_upload(upload, user)
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
        complete_upload(upload, user)
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
    _discard_partial(upload_id, s3_upload_id)


# --- completion: validate by content, store, register -------------------------------------

def complete_upload(upload: Upload, user) -> MediaFile:
    """The last byte arrived: validate, store the original, create the MediaFile, enqueue work."""
    s3 = s3_partials()
    if s3 is None:
        return _complete(upload, user, partial_path(upload.id), None)
    with s3parts.whole_file(s3, upload) as path:   # the probe reads a local copy
        return _complete(upload, user, path, s3)


def _complete(upload: Upload, user, path: Path, s3) -> MediaFile:
    target = get_target(upload.target_kind)
    try:
        if target is None:
            raise NotAVideo(_("Tujuan unggahan tidak dikenal lagi."))
        info = probe_isolated(path, limits_from_config(current_app.config),
                              memory_mb=config("MEDIA_PROBE_MEMORY_MB"), seconds=config("MEDIA_PROBE_SECONDS"))
    except NotAVideo as exc:
        _refuse(upload, user, str(exc))
        raise ServiceError(_("Video ditolak: %(reason)s", reason=str(exc)), 422)
    except Exception:  # noqa: BLE001 - a probe crash is a refusal too, never a half state
        log.exception("probe crashed for upload %s", upload.id)
        _refuse(upload, user, "probe error")
        raise ServiceError(_("Video ditolak: berkas tidak dapat diperiksa."), 422)

    # The stored name's extension is cosmetic (validation never looks at it): keep the
    # trainee's own if it fits the container family, else name it after the container.
    own = Path(upload.filename).suffix.lower()
    family = {CONTAINER_EXT[name] for name in info.container.split(",") if name in CONTAINER_EXT}
    family |= {".mp4", ".m4v"} if ".mov" in family else set()
    ext = own if own in family else (sorted(family)[0] if family else ".bin")
    key = f"originals/{upload.id[:2]}/{upload.id}{ext}"
    storage = get_storage()
    size = path.stat().st_size
    if s3 is not None:
        s3parts.store(s3, upload, key)        # copied inside the bucket, the partial dropped
    else:
        storage.put_file(key, path, move=True)  # the file is in place before its row is committed
    media = None
    try:
        with write_transaction():
            upload = db.session.get(Upload, upload.id)
            media = MediaFile(
                owner_id=user.id, target_kind=upload.target_kind, target_id=upload.target_id,
                original_filename=upload.filename, original_key=key, original_size=size,
                container=info.container, video_codec=info.video_codec, audio_codec=info.audio_codec,
                duration=info.duration, width=info.width, height=info.height, rotation=info.rotation,
                status=WAITING,
            )
            db.session.add(media)
            db.session.flush()
            upload.completed_at = utcnow()
            upload.media_file_id = media.id
            record("media.upload", actor=user, target=f"media:{media.id}",
                   detail={"kind": upload.target_kind, "target_id": upload.target_id,
                           "bytes": size, "codec": info.video_codec, "seconds": info.duration})
            target.on_complete(user, upload.target_id, media)
    except BaseException:
        db.session.rollback()
        if media is not None and media.id and db.session.get(MediaFile, media.id) is not None:
            db.session.delete(db.session.get(MediaFile, media.id))  # on_complete had committed it
            db.session.commit()
        storage.delete(key)
        _drop_upload(upload.id)
        raise
    enqueue_processing(media.id)
    return db.session.get(MediaFile, media.id)


def _refuse(upload: Upload, user, reason: str) -> None:
    _discard_partial(upload.id, upload.s3_upload_id)
    with write_transaction():
        row = db.session.get(Upload, upload.id)
        if row is not None:
            db.session.delete(row)
        record("media.refused", actor=user, target=f"upload:{upload.id}",
               detail={"reason": reason[:200], "bytes": upload.length, "kind": upload.target_kind})


def _drop_upload(upload_id: str) -> None:
    row = db.session.get(Upload, upload_id)
    _discard_partial(upload_id, row.s3_upload_id if row is not None else None)
    if row is not None:
        db.session.delete(row)
        db.session.commit()


def _unlink(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# --- who may see what ---------------------------------------------------------------------

def can_view(user, media: MediaFile) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if media.owner_id == user.id:
        return True
    target = get_target(media.target_kind)
    return bool(target and target.can_view(user, media))


def get_media_for_viewer(file_id: int, user) -> MediaFile:
    """The media file if `user` may view it; 404 otherwise (ids do not leak)."""
    media = db.session.get(MediaFile, file_id)
    if media is None or not can_view(user, media):
        raise ServiceError(_("Video tidak ditemukan."), 404)
    return media


def status_payload(media: MediaFile, urls: dict) -> dict:
    return {
        "id": media.id, "status": media.status, "label": status_label(media.status),
        "reason": media.status_reason, "ready": media.is_ready, "duration": media.duration,
        **(urls if media.is_ready else {}),
    }


def delete_media_file(media: MediaFile, actor) -> None:
    """Delete a media file and every stored object of it (for domains that allow removal)."""
    keys = [k for k in (media.original_key, media.playback_key, media.poster_key) if k]
    record("media.delete", actor=actor, target=f"media:{media.id}")
    for upload in db.session.scalars(select(Upload).where(Upload.media_file_id == media.id)):
        upload.media_file_id = None
    db.session.delete(media)
    db.session.commit()
    storage = get_storage()
    for key in keys:
        storage.delete(key)


# --- background processing ---------------------------------------------------------------

def enqueue_processing(file_id: int) -> None:
    from .processing import process_media_file

    process_media_file(file_id)


# process(), sweep() and requeue_interrupted() live in work.py (imported at the end).


from .work import process, requeue_interrupted, sweep  # noqa: E402,F401 - the public names stay here
