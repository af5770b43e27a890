"""Offline reading on a phone: the web app manifest, the service worker, the offline page and the
list of what to keep on the device.

The service worker keeps only the reading pages (lesson overview, lessons, glossary, references),
in a cache named after the user id the server stamps on each page (header X-Courseware-User), and
never keeps anything else: tests, uploads and marking are network-only and show /offline when
the network is gone. Logging out deletes that user's cache (static/js/offline.js).
"""
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from ..i18n import current_language
from . import service

bp = Blueprint("offline", __name__)

USER_HEADER = "X-Courseware-User"
ASSETS = ("css/app.css", "css/lessons.css", "js/lessons.js", "js/offline.js", "favicon.svg",
          "icons/icon-192.png")


def service_worker():
    source = Path(current_app.static_folder, "js", "sw.js").read_bytes()
    response = Response(source, mimetype="text/javascript")
    # Served from the root so its scope can be the whole site; always revalidated so a new
    # version reaches phones on their next visit.
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response


def manifest():
    icon = lambda name, size, purpose="any": {  # noqa: E731
        "src": url_for("static", filename=f"icons/{name}"), "sizes": size, "type": "image/png", "purpose": purpose}
    body = {
        "name": _("Layanan Pelanggan Berkualitas"),
        "short_name": _("Layanan Prima"),
        "description": _("Materi unit N.821100.046, dapat dibaca tanpa sinyal setelah disimpan."),
        "lang": current_language(), "start_url": url_for("lessons.overview"), "scope": "/", "display": "standalone",
        "background_color": "#f5f7fa", "theme_color": "#0b5c8a",
        "icons": [icon("icon-192.png", "192x192"), icon("icon-512.png", "512x512"),
                  icon("maskable-512.png", "512x512", "maskable"),
                  {"src": url_for("static", filename="favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


def page():
    return render_template("lessons/offline.html")


@login_required
def reading_list():
    lessons = service.active_lessons()
    pages = [url_for("lessons.overview")] + [url_for("lessons.show", lesson_id=l.id) for l in lessons] + [
        url_for("lessons.glossary"), url_for("lessons.references")]
    response = jsonify(user=str(current_user.id), csrf=generate_csrf(), pages=pages,
                       assets=[url_for("static", filename=a) for a in ASSETS] + [url_for("offline.page")])
    response.headers["Cache-Control"] = "no-store"
    return response


def stamp_user(response):
    """Name the owner of every page so the service worker files it under that user only."""
    if response.mimetype == "text/html" and current_user and current_user.is_authenticated:
        response.headers[USER_HEADER] = str(current_user.id)
    return response


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/sw.js",                view_func=service_worker)
bp.add_url_rule("/manifest.webmanifest", view_func=manifest)
bp.add_url_rule("/offline",              view_func=page)
bp.add_url_rule("/materi/offline.json",  view_func=reading_list)
