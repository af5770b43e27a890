"""Error pages in Indonesian, and the one exception services raise for refusable input."""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError


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
    }


def render_error(status: int, detail: str | None = None):
    title = _titles().get(status, _("Terjadi kesalahan"))
    message = detail or _explanations().get(status, "")
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
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
