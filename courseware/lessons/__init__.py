"""Lessons: Markdown lessons for both elements, glossary, references, progress and the 5-JP plan."""
from flask_babel import lazy_gettext as _l

from ..cli import add_content_check, add_content_sync
from ..navigation import add_nav, add_panel


def init_app(app):
    from . import models  # noqa: F401
    from . import offline, views
    from .checks import check_content
    from .service import panel_context
    from .sync import sync_summary

    app.register_blueprint(views.bp)
    app.register_blueprint(offline.bp)
    app.after_request(offline.stamp_user)
    add_nav(app, "lessons", _l("Materi"), "lessons.overview", ("admin", "teacher", "trainee", "assessor"), order=5)
    add_panel(app, "lessons", _l("Materi pembelajaran"), "lessons/panel.html", ("trainee", "teacher"), order=20,
              context=panel_context)
    add_content_sync(app, "materi", sync_summary)
    add_content_check(app, "materi", check_content)
