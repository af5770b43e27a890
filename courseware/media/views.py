"""Media URLs (blueprint "media", prefix /media); the URL table is at the end.

tus 1.0 also lets a client send POST /media/tus/<id> with X-HTTP-Method-Override: PATCH, DELETE or HEAD
(MethodOverride below turns it into that method).
"""
import logging
from email.utils import format_datetime
from datetime import timezone

from botocore.exceptions import BotoCoreError, ClientError
from flask import Blueprint, Response, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.http import is_resource_modified

from ..errors import ServiceError, render_error, with_retry_after
from ..inputs import ascii_int
from ..extensions import csrf, db
from . import files, targets, uploads
from .models import MediaFile
from .storage import get_storage

bp = Blueprint("media", __name__, url_prefix="/media")
log = logging.getLogger(__name__)


# --- tus plumbing ------------------------------------------------------------------------

def _is_api() -> bool:
    return request.path.startswith("/media/tus") or request.path.endswith("/status")


def _json_error(status: int, message: str):
    response = jsonify(error=message, message=message)
    response.status_code = status
    if status == 412:
        response.headers["Tus-Version"] = uploads.TUS_VERSION
    return response


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    return _json_error(exc.status, exc.message) if _is_api() else render_error(exc.status, exc.message)


@bp.errorhandler(CSRFError)
def _csrf_error(exc):
    message = _("Token keamanan (CSRF) tidak ada atau tidak sah. Muat ulang halaman lalu lanjutkan unggahan.")
    return _json_error(400, message) if _is_api() else render_error(400, message)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    if not _is_api():
        return render_error(exc.code or 500)
    messages = {
        404: _("Tidak ditemukan."),
        405: _("Metode tidak didukung."),
        413: _("Bagian yang dikirim terlalu besar; kirim dalam potongan lebih kecil."),
    }
    return _json_error(exc.code or 500, messages.get(exc.code, exc.description or ""))


@bp.errorhandler(BotoCoreError)
@bp.errorhandler(ClientError)
def _storage_unavailable(exc):
    """The video storage (S3) is down, unreachable or throttling: 503 with Retry-After, never a 500,
    and the library's words go to the log only. A PATCH whose bytes did not reach S3 recorded
    nothing (uploads._append_s3), so the client asks HEAD and sends them again."""
    log.warning("video storage failed during %s %s: %r", request.method, request.path, exc)
    db.session.rollback()
    message = _("Penyimpanan video sedang tidak dapat dihubungi. Bagian yang sudah tercatat tetap aman; "
                "unggahan dapat dilanjutkan sebentar lagi.")
    return with_retry_after(_json_error(503, message) if _is_api() else render_error(503, message))


@bp.after_request
def _tus_headers(response):
    if request.path.startswith("/media/tus"):
        response.headers["Tus-Resumable"] = uploads.TUS_VERSION
        response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def _require_tus_user():
    """Protocol version, then the session (401), then CSRF: a client without a session learns it
    must log in, not that a token is missing (the tus views are exempt from the global check)."""
    if request.headers.get("Tus-Resumable") != uploads.TUS_VERSION:
        raise ServiceError(_("Versi protokol tus tidak didukung; server memakai %(v)s.", v=uploads.TUS_VERSION), 412)
    if not current_user.is_authenticated:
        raise ServiceError(_("Sesi Anda sudah berakhir. Masuk lagi, lalu lanjutkan unggahan."), 401)
    if request.method in ("POST", "PATCH", "DELETE"):
        # From the header only: reading a form would pull the whole PATCH body in first.
        try:
            validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
        except ValidationError as exc:
            raise CSRFError(exc.args[0] if exc.args else None)
    return current_user._get_current_object()


class MethodOverride:
    """WSGI middleware: tus 1.0 servers must honour X-HTTP-Method-Override on POST, for proxies
    and clients that can only send GET/POST. Only for the tus URLs, and only to tus methods."""

    METHODS = {"PATCH", "DELETE", "HEAD"}

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        wanted = environ.get("HTTP_X_HTTP_METHOD_OVERRIDE", "").strip().upper()
        if (environ.get("REQUEST_METHOD") == "POST" and wanted in self.METHODS
                and environ.get("PATH_INFO", "").startswith("/media/tus/")):
            environ["REQUEST_METHOD"] = wanted
        return self.wsgi_app(environ, start_response)


def _http_date(value) -> str:
    return format_datetime(value.replace(tzinfo=timezone.utc), usegmt=True)


def _upload_headers(upload) -> dict:
    headers = {"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length)}
    if upload.is_complete:
        if upload.media_file_id:
            headers["Media-File-Id"] = str(upload.media_file_id)
            headers["Media-Status-Url"] = url_for("media.status", file_id=upload.media_file_id)
    else:
        headers["Upload-Expires"] = _http_date(upload.expires_at)
    return headers


def _options():
    response = Response(status=204)
    response.headers.update({
        "Tus-Version": uploads.TUS_VERSION,
        "Tus-Extension": uploads.TUS_EXTENSIONS,
        "Tus-Max-Size": str(uploads.config("MAX_VIDEO_BYTES")),
    })
    return response


@csrf.exempt
def tus_create():
    if request.method == "OPTIONS":
        return _options()
    user = _require_tus_user()
    upload = uploads.create_upload(user, request.headers.get("Upload-Length"),
                                   request.headers.get("Upload-Metadata"),
                                   request.headers.get("Upload-Defer-Length"))
    response = Response(status=201)
    # Relative, so it stays right behind a TLS-terminating proxy (tus allows relative URLs).
    response.headers["Location"] = url_for("media.tus_upload", upload_id=upload.id)
    response.headers.update(_upload_headers(upload))
    return response


@csrf.exempt
def tus_upload(upload_id):
    if request.method == "OPTIONS":
        return _options()
    user = _require_tus_user()
    if request.method == "HEAD":
        upload = uploads.get_upload_for_user(upload_id, user)
        response = Response(status=200)
        response.headers.update(_upload_headers(upload))
        if upload.metadata_raw:
            response.headers["Upload-Metadata"] = upload.metadata_raw
        return response
    if request.method == "DELETE":
        uploads.terminate_upload(upload_id, user)
        return Response(status=204)
    # PATCH
    if request.mimetype != "application/offset+octet-stream":
        raise ServiceError(_("Content-Type harus application/offset+octet-stream."), 415)
    offset = ascii_int(request.headers.get("Upload-Offset"))
    if offset is None:
        raise ServiceError(_("Header Upload-Offset wajib berisi angka."), 400)
    uploads.get_upload_for_user(upload_id, user)  # 404/410 before reading any byte
    # A tus client with default settings sends the whole file in one PATCH: allow up to the
    # video limit here (MAX_FORM_BYTES still bounds every other request).
    request.max_content_length = uploads.config("MAX_VIDEO_BYTES") + 1024 * 1024
    upload = uploads.append_chunk(upload_id, user, offset, request.stream, request.content_length)
    response = Response(status=204)
    response.headers.update(_upload_headers(upload))
    return response


# --- status, playback, poster ------------------------------------------------------------

def _media_urls(media: MediaFile) -> dict:
    return {"playback_url": url_for("media.play", file_id=media.id),
            "poster_url": url_for("media.poster", file_id=media.id)}


def status(file_id):
    if not current_user.is_authenticated:
        raise ServiceError(_("Sesi Anda sudah berakhir. Masuk lagi."), 401)
    media = targets.get_media_for_viewer(file_id, current_user)
    response = jsonify(files.status_payload(media, _media_urls(media)))
    response.headers["Cache-Control"] = "no-store"
    return response


@login_required
def play(file_id):
    media = targets.get_media_for_viewer(file_id, current_user)
    if not media.is_ready:
        raise ServiceError(_("Video belum siap diputar (status: %(s)s).", s=media.status), 409)
    return send_stored(media.playback_key, media.playback_size, "video/mp4", media)


@login_required
def poster(file_id):
    media = targets.get_media_for_viewer(file_id, current_user)
    if not media.poster_key:
        raise ServiceError(_("Poster belum tersedia."), 404)
    return send_stored(media.poster_key, None, "image/jpeg", media)


def send_stored(key: str, size: int | None, mimetype: str, media: MediaFile) -> Response:
    """Stream a stored object with ETag/Last-Modified (304) and a single byte range (206/416)."""
    storage = get_storage()
    size = size if size is not None else storage.size(key)
    etag = f"{key.rsplit('/', 1)[-1].split('.')[0]}-{size}"
    last_modified = (media.processed_at or media.created_at).replace(tzinfo=timezone.utc)
    base = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=3600",
            "Content-Disposition": "inline", "X-Content-Type-Options": "nosniff"}

    def finish(response: Response) -> Response:
        response.headers.update(base)
        response.set_etag(etag)
        response.last_modified = last_modified
        return response

    if not is_resource_modified(request.environ, etag=etag, last_modified=last_modified):
        return finish(Response(status=304))
    start, length, status = 0, size, 200
    if "Range" in request.headers and _if_range_matches(etag, last_modified):
        ranges = request.range
        if ranges is not None and len(ranges.ranges) == 1:
            span = ranges.range_for_length(size)
            if span is None:
                response = finish(Response(status=416))
                response.headers["Content-Range"] = f"bytes */{size}"
                return response
            start, length, status = span[0], span[1] - span[0], 206
    body = iter(()) if request.method == "HEAD" else storage.open_read(key, start, length)
    response = Response(body, status=status, mimetype=mimetype, direct_passthrough=True)
    response.content_length = length
    if status == 206:
        response.headers["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}"
    return finish(response)


def _if_range_matches(etag: str, last_modified) -> bool:
    if_range = request.if_range
    if if_range.etag:
        return if_range.etag == etag
    if if_range.date:
        return last_modified.replace(microsecond=0) <= if_range.date
    return True


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/tus/",                     view_func=tus_create, methods=["POST", "OPTIONS"])
bp.add_url_rule("/tus/<upload_id>",          view_func=tus_upload, methods=["HEAD", "PATCH", "DELETE", "OPTIONS"])
bp.add_url_rule("/<int:file_id>/status",     view_func=status, methods=["GET"])
bp.add_url_rule("/<int:file_id>/putar",      view_func=play, methods=["GET"])
bp.add_url_rule("/<int:file_id>/poster.jpg", view_func=poster, methods=["GET"])
