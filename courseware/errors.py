"""Error pages in Indonesian, and the one exception services raise for refusable input.

Also the one place where "the database is busy" becomes 503 + Retry-After (never a 500), and
where numbers too large for the database become 400.
"""
import random

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError

# SQLite's busy timeout ran out; PostgreSQL's lock_timeout, NOWAIT, a deadlock or a
# serialisation failure: all mean "try again in a moment".
_LOCK_MESSAGES = ("database is locked", "database table is locked", "lock timeout", "could not obtain lock",
                  "deadlock detected", "could not serialize access", "canceling statement due to lock timeout")


class Busy(Exception):
    """No write lock within the wait a request may spend; the client should retry shortly."""


class ServiceError(Exception):
    """A rule of the domain refused the request; the message is shown to the user as is."""

    def __init__(self, message: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field  # the form field the message belongs beside, when there is one


def _titles():
    return {
        400: _("Permintaan tidak dapat diproses"),
        403: _("Akses ditolak"),
        404: _("Halaman tidak ditemukan"),
        405: _("Metode tidak diizinkan"),
        413: _("Berkas terlalu besar"),
        429: _("Terlalu banyak percobaan"),
        500: _("Terjadi kesalahan di server"),
        503: _("Server sedang sibuk"),
    }


def _explanations():
    return {
        400: _("Data yang dikirim tidak lengkap atau tidak sah. Muat ulang halaman lalu coba lagi."),
        403: _("Akun Anda tidak memiliki izin untuk membuka halaman ini."),
        404: _("Halaman atau data yang Anda cari tidak ada, atau bukan milik Anda."),
        405: _("Cara membuka halaman ini tidak didukung."),
        413: _("Ukuran berkas atau data melebihi batas yang diizinkan."),
        429: _("Tunggu sebentar sebelum mencoba lagi."),
        500: _("Maaf, ada yang tidak beres. Pekerjaan yang sudah tersimpan tetap aman; coba lagi sebentar lagi."),
        503: _("Server sedang melayani banyak penyimpanan sekaligus, jadi yang ini belum tersimpan. Coba lagi "
               "dalam beberapa detik; halaman tes dan unggahan video mencoba lagi sendiri."),
    }


def render_error(status: int, detail: str | None = None):
    title = _titles().get(status, _("Terjadi kesalahan"))
    message = detail or _explanations().get(status, "")
    if (request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/")
            or "Tus-Resumable" in request.headers):
        return jsonify(error=title, message=message), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app):
    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, lambda exc, status=status: render_error(status))

    @app.errorhandler(429)
    def _too_many(exc):
        # Flask-Limiter puts the route's own Indonesian message in the description.
        detail = exc.description if isinstance(exc.description, str) and exc.description[:1].isupper() else None
        return render_error(429, detail)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        return render_error(
            400, _("Formulir ini sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi.")
        )

    @app.errorhandler(ServiceError)
    def _service_error(exc: ServiceError):
        return render_error(exc.status, exc.message)

    @app.errorhandler(Busy)
    def _busy(exc):
        return busy_response()

    @app.errorhandler(OperationalError)
    def _operational(exc: OperationalError):
        _rollback()
        if is_lock_error(exc):
            return busy_response()
        raise exc  # any other database failure: Flask's usual 500 (logged with its traceback)

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def _out_of_range(exc):
        # A number or text the database cannot hold (an id above 2**63, say) is bad input.
        _rollback()
        return render_error(400, _("Angka atau teks yang dikirim di luar batas yang dapat disimpan."))


def is_lock_error(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", None) or exc).lower()
    return any(message in text for message in _LOCK_MESSAGES)


def busy_response():
    """503 with Retry-After; the jitter spreads a class's retries so they do not collide again."""
    return with_retry_after(render_error(503))


def with_retry_after(response):
    """The response with Retry-After: BUSY_RETRY_AFTER seconds plus up to as much again."""
    base = current_app.config.get("BUSY_RETRY_AFTER", 2)
    response = current_app.make_response(response)
    response.headers["Retry-After"] = str(base + random.randint(0, base))  # nosec B311 - not security
    return response


def _rollback():
    from .extensions import db

    db.session.rollback()
