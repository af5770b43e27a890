"""Written products attached to a submission version (the log, the action table, the improvement
notice the checklist points call for), shown to the assessor beside the video.

Only a photo (JPEG, PNG) or a PDF is accepted, judged by its bytes, never by its name: an image
must decode with PyAV, a PDF must start with %PDF- and end with %%EOF. Files are stored through
the media storage under attachments/, written completely before their row is committed.
"""
import hashlib
import os
import tempfile
import uuid

from flask import abort, current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.models import User
from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..media.storage import get_storage
from .models import SubmissionAttachment, SubmissionVersion

KINDS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
MAX_PER_VERSION = 5


def sniff(head: bytes, tail: bytes) -> str | None:
    """The content type the bytes really are (JPEG, PNG or PDF), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-") and b"%%EOF" in tail:
        return "application/pdf"
    return None


def _image_decodes(path: str) -> bool:
    import av

    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            frame = next(container.decode(stream))
            return frame.width > 0 and frame.height > 0
    except (av.FFmpegError, IndexError, StopIteration, ValueError, OSError):
        return False


def attachments_by_version(versions: list[SubmissionVersion]) -> dict[int, list[SubmissionAttachment]]:
    ids = [v.id for v in versions]
    found: dict[int, list[SubmissionAttachment]] = {i: [] for i in ids}
    if ids:
        for item in db.session.scalars(select(SubmissionAttachment).where(SubmissionAttachment.version_id.in_(ids))
                                       .order_by(SubmissionAttachment.id)):
            found[item.version_id].append(item)
    return found


def add_attachment(user: User, version: SubmissionVersion, stream, filename: str) -> SubmissionAttachment:
    """Store one written product for the submitter's own version; refused with the reason otherwise."""
    if version.submission.trainee_id != user.id:
        abort(404)
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    folder = current_app.config["MEDIA_ROOT"]
    os.makedirs(folder, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix="lampiran-", dir=folder)
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(256 * 1024):
                size += len(chunk)
                if size > limit:
                    raise ServiceError(_("Lampiran terlalu besar: maksimal %(n)d MB.", n=limit // (1024 * 1024)), 413)
                head = head or chunk[:16]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ServiceError(_("Berkas lampiran kosong."))
        with open(path, "rb") as done:
            done.seek(max(0, size - 1024))
            tail = done.read()
        kind = sniff(head, tail)
        if kind is None or (kind != "application/pdf" and not _image_decodes(path)):
            raise ServiceError(_("Lampiran harus foto (JPG atau PNG) atau PDF yang utuh. Berkas ini bukan salah "
                                 "satunya, apa pun nama berkasnya."), 415)
        key = f"attachments/{uuid.uuid4().hex}{KINDS[kind]}"
        with write_transaction():
            count = db.session.scalar(select(func.count()).select_from(SubmissionAttachment)
                                      .where(SubmissionAttachment.version_id == version.id))
            if count >= MAX_PER_VERSION:
                raise ServiceError(_("Satu versi paling banyak %(n)d lampiran.", n=MAX_PER_VERSION), 409)
            get_storage().put_file(key, path, move=True)
            attachment = SubmissionAttachment(version_id=version.id, uploader_id=user.id, storage_key=key,
                                              content_type=kind, size=size, sha256=digest.hexdigest(),
                                              original_filename=os.path.basename(filename or "")[:200] or "lampiran")
            db.session.add(attachment)
            db.session.flush()
            record("practical.attachment", actor=user, target=f"submission:{version.submission_id}",
                   detail={"version": version.number, "attachment": attachment.id, "type": kind, "size": size})
        return attachment
    finally:
        if os.path.exists(path):
            os.unlink(path)
