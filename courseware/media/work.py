"""Background work on media files: transcoding, re-queueing after a dead worker, clean-up.

Runs in the worker process (`flask --app app worker`), or inside the request when TASKS_EAGER.
"""
from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.service import record
from ..database import write_transaction
from ..extensions import db
from ..models_base import utcnow
from .models import FAILED, PROCESSING, READY, WAITING, MediaFile, Upload
from . import files, s3parts
from .files import unlink_if_present
from .probing import NotAVideo, ProbeResult
from .storage import get_storage, media_dirs, older_than

log = logging.getLogger(__name__)

STUCK_COMPLETION = timedelta(minutes=10)
ORPHAN_AGE_SECONDS = 6 * 3600
STALE_PROCESSING = timedelta(hours=3)
KEEP_COMPLETED_UPLOADS = timedelta(days=7)


def transcode_caps(duration: float) -> dict:
    """Stop decoding past MAX_VIDEO_SECONDS + margin, and after a wall time relative to the length."""
    config = current_app.config
    factor = float(config.get("MEDIA_TRANSCODE_TIME_FACTOR", 8))
    return {"max_seconds": config["MAX_VIDEO_SECONDS"] + config.get("MEDIA_DURATION_MARGIN", 5),
            "wall_seconds": max(float(config.get("MEDIA_TRANSCODE_MIN_SECONDS", 120)), factor * float(duration or 0))}


def process(file_id: int, last_attempt: bool = True, force: bool = False) -> None:
    """Transcode to the playback MP4 and make the poster; record siap or gagal with a reason.

    force=True (`flask media process ID --force`) runs it again whatever the status says.
    """
    from . import transcoding

    with write_transaction():
        media = db.session.get(MediaFile, file_id, with_for_update={"of": MediaFile})
        if media is None or (media.status in (READY, PROCESSING) and not force):
            return  # done already, or another worker has it (a stale one is re-queued by sweep)
        media.status = PROCESSING
        media.status_reason = None
        media.attempts += 1
        media.processing_started_at = utcnow()
    work = media_dirs(current_app.config)["work"]
    work.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)
    tmp_video, tmp_poster = work / f"{file_id}-{token}.mp4", work / f"{file_id}-{token}.jpg"
    storage = get_storage()
    playback_key, poster_key = f"playback/{file_id}-{token}.mp4", f"posters/{file_id}-{token}.jpg"
    try:
        with storage.local_path_for_processing(media.original_key) as source:
            known = ProbeResult(container=media.container, video_codec=media.video_codec,
                                audio_codec=media.audio_codec, duration=media.duration, width=media.width,
                                height=media.height, rotation=media.rotation, fps=0.0)
            result = transcoding.transcode(source, tmp_video, tmp_poster,
                                           preset=current_app.config.get("MEDIA_X264_PRESET", "veryfast"),
                                           info=known, **transcode_caps(media.duration))
        size = tmp_video.stat().st_size
        storage.put_file(playback_key, tmp_video, move=True)
        storage.put_file(poster_key, tmp_poster, move=True)
        with write_transaction():
            media = db.session.get(MediaFile, file_id)
            old = [k for k in (media.playback_key, media.poster_key) if k]
            media.playback_key, media.poster_key, media.playback_size = playback_key, poster_key, size
            media.playback_width, media.playback_height = result["width"], result["height"]
            media.status, media.status_reason, media.processed_at = READY, None, utcnow()
            record("media.ready", target=f"media:{file_id}", detail={"bytes": size})
        for key in old:
            storage.delete(key)
    except Exception as exc:
        db.session.rollback()
        for path in (tmp_video, tmp_poster):
            unlink_if_present(path)
        for key in (playback_key, poster_key):
            storage.delete(key)
        final = last_attempt or isinstance(exc, NotAVideo)
        detail = f"{type(exc).__name__}: {exc}"[:300]
        log.warning("processing media %s failed (final=%s): %s", file_id, final, detail)
        # Trainees read status_reason: our own Indonesian reason, never the library's text
        # (that stays in the log and in the audit detail for the admin).
        reason = str(exc) if isinstance(exc, NotAVideo) else _(
            "berkas tidak dapat diubah menjadi video yang bisa diputar. Rekam ulang atau unggah berkas lain.")
        with write_transaction():
            media = db.session.get(MediaFile, file_id)
            if media is not None:
                media.status = FAILED if final else WAITING
                media.status_reason = (_("Video tidak dapat diproses: %(r)s", r=reason) if final
                                       else _("Percobaan gagal; akan dicoba lagi otomatis."))
                if final:
                    record("media.failed", target=f"media:{file_id}", detail={"reason": detail})
        if not final:
            raise


def requeue_interrupted(before: datetime | None = None, shared_queue: bool = False) -> int:
    """At worker start-up: files a killed worker left in "diproses" go back in the queue.

    With a shared queue (Redis, several hosts) another host may be busy with a file, so only
    files older than the stale limit are taken; with the local queue the lock proves no
    other worker of this instance runs, so every one is.
    """
    now = utcnow()
    cutoff = now - STALE_PROCESSING if shared_queue else (before or now)
    stuck = list(db.session.scalars(select(MediaFile.id).where(
        MediaFile.status == PROCESSING, MediaFile.processing_started_at < cutoff)))
    for file_id in stuck:
        with write_transaction():
            media = db.session.get(MediaFile, file_id)
            media.status = WAITING
            media.status_reason = _("Pemrosesan terhenti; diulang otomatis.")
            record("media.requeued", target=f"media:{file_id}")
        files.enqueue_processing(file_id)
    return len(stuck)


# --- clean-up -----------------------------------------------------------------------------

def sweep(now: datetime | None = None, orphan_age: float = ORPHAN_AGE_SECONDS) -> dict:
    """Delete expired partial uploads and orphans; re-queue processing a dead worker left."""
    from ..accounts.models import User

    now = now or utcnow()
    counts = {"expired": 0, "orphan_partials": 0, "orphan_objects": 0, "scratch": 0, "requeued": 0}
    with write_transaction():
        expired = list(db.session.scalars(select(Upload).where(
            Upload.completed_at.is_(None), Upload.expires_at < now)))
        old_done = list(db.session.scalars(select(Upload).where(
            Upload.completed_at.is_not(None), Upload.completed_at < now - KEEP_COMPLETED_UPLOADS)))
        for upload in expired + old_done:
            db.session.delete(upload)
        expired_ids = [(u.id, u.s3_upload_id) for u in expired]
    for upload_id, s3_upload_id in expired_ids:
        files.discard_partial(upload_id, s3_upload_id)
    counts["expired"] = len(expired_ids)

    dirs = media_dirs(current_app.config)
    live = set(db.session.scalars(select(Upload.id).where(Upload.completed_at.is_(None))))
    for path in dirs["uploads"].glob("*.part"):
        if path.stem not in live and older_than(path.stat().st_mtime, orphan_age):
            unlink_if_present(path)
            counts["orphan_partials"] += 1
    s3 = files.s3_partials()
    if s3 is not None:
        counts["orphan_partials"] += s3parts.sweep_orphans(s3, live, orphan_age)
    for path in dirs["work"].glob("*"):
        if path.is_file() and older_than(path.stat().st_mtime, orphan_age):
            unlink_if_present(path)
            counts["scratch"] += 1

    referenced = set()
    for row in db.session.execute(select(MediaFile.original_key, MediaFile.playback_key, MediaFile.poster_key)):
        referenced.update(k for k in row if k)
    storage = get_storage()
    for prefix in ("originals/", "playback/", "posters/"):
        for item in list(storage.list(prefix)):
            if item.key not in referenced and older_than(item.modified, orphan_age):
                storage.delete(item.key)
                counts["orphan_objects"] += 1

    stuck = list(db.session.scalars(select(Upload).where(
        Upload.completed_at.is_(None), Upload.offset == Upload.length, Upload.locked_until.is_(None),
        Upload.updated_at < now - STUCK_COMPLETION)))
    counts["completed"] = 0
    for upload in stuck:
        try:
            files.complete_upload(upload, db.session.get(User, upload.owner_id))
            counts["completed"] += 1
        except Exception:  # noqa: BLE001 - refused or failed: complete_upload cleaned up
            db.session.rollback()

    stale = list(db.session.scalars(select(MediaFile.id).where(
        MediaFile.status == PROCESSING, MediaFile.processing_started_at < now - STALE_PROCESSING)))
    for file_id in stale:
        with write_transaction():
            media = db.session.get(MediaFile, file_id)
            media.status = WAITING
            media.status_reason = _("Pemrosesan terhenti; diulang otomatis.")
        files.enqueue_processing(file_id)
    counts["requeued"] = len(stale)
    return counts
