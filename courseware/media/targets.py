"""Upload targets: what videos may be uploaded for, and who may watch them.

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

import re
from dataclasses import dataclass
from typing import Callable

from flask_babel import gettext as _

from ..errors import ServiceError
from ..extensions import db
from .models import MediaFile


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
