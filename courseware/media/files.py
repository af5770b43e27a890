"""A media file's life: the finished upload becomes a stored original and a MediaFile row
(validated by content), then status, deletion, and the hand-over to the worker (work.py).

Also where an unfinished upload's bytes live (a .part file, or an S3 multipart upload, see
s3parts.py): the tus session (uploads.py) writes them, completion and the sweep remove them.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from . import s3parts
from .guard import limits_from_config, probe_isolated
from .models import WAITING, MediaFile, Upload, status_label
from .probing import NotAVideo
from .storage import S3Storage, get_storage, media_dirs
from .targets import get_target

log = logging.getLogger(__name__)

CONTAINER_EXT = {"mov": ".mov", "mp4": ".mp4", "3gp": ".3gp", "3g2": ".3g2", "matroska": ".mkv",
                 "webm": ".webm", "avi": ".avi", "mpegts": ".ts"}


# --- where an unfinished upload's bytes live -----------------------------------------------

def partial_path(upload_id: str) -> Path:
    folder = media_dirs(current_app.config)["uploads"]
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{upload_id}.part"


def s3_partials() -> S3Storage | None:
    """The S3 storage when partial uploads live in S3 multipart uploads; None for a folder."""
    storage = get_storage()
    return storage if isinstance(storage, S3Storage) else None


def discard_partial(upload_id: str, s3_upload_id: str | None = None) -> None:
    storage = s3_partials()
    if storage is not None:
        s3parts.discard(storage, upload_id, s3_upload_id)
    unlink_if_present(partial_path(upload_id))


def unlink_if_present(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


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
    config = current_app.config
    try:
        if target is None:
            raise NotAVideo(_("Tujuan unggahan tidak dikenal lagi."))
        info = probe_isolated(path, limits_from_config(config),
                              memory_mb=config["MEDIA_PROBE_MEMORY_MB"], seconds=config["MEDIA_PROBE_SECONDS"])
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
    discard_partial(upload.id, upload.s3_upload_id)
    with write_transaction():
        row = db.session.get(Upload, upload.id)
        if row is not None:
            db.session.delete(row)
        record("media.refused", actor=user, target=f"upload:{upload.id}",
               detail={"reason": reason[:200], "bytes": upload.length, "kind": upload.target_kind})


def _drop_upload(upload_id: str) -> None:
    row = db.session.get(Upload, upload_id)
    discard_partial(upload_id, row.s3_upload_id if row is not None else None)
    if row is not None:
        db.session.delete(row)
        db.session.commit()


# --- a stored file: status, deletion, processing -------------------------------------------

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


def enqueue_processing(file_id: int) -> None:
    """Hand the file to the worker (process() in work.py, through the huey task in processing.py)."""
    from .processing import process_media_file

    process_media_file(file_id)
