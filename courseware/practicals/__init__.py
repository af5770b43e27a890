"""Practicals LIK_1 and LIK_2: the sheets, trainees' submissions (video versions), class overview."""
from flask_babel import lazy_gettext as _l

from ..cli import add_content_check, add_content_sync
from ..navigation import add_nav, add_panel


def _sync(app) -> str:
    import click

    from sqlalchemy import inspect

    from ..extensions import db
    from .models import ChecklistPoint, Practical
    from .sheets import SheetError, sync_sheets

    tables = (Practical.__tablename__, ChecklistPoint.__tablename__)
    missing = [t for t in tables if not inspect(db.engine).has_table(t)]
    if missing:
        # A database migrated to a revision older than this domain: say so instead of crashing init.
        return f"dilewati: tabel {', '.join(missing)} belum ada; jalankan migrasi (flask --app app db upgrade)"
    try:
        return sync_sheets(app.config["CONTENT_ROOT"])
    except SheetError as exc:
        raise click.ClickException("Lembar praktik tidak dimuat:\n  " + "\n  ".join(exc.problems))


def _check(root):
    from .sheets import check_content

    return check_content(root)


def register_media_hooks(app) -> bool:
    """Register the "submission-version" upload target with the media domain, when it exists."""
    try:
        from ..media.service import register_upload_target
    except ImportError:
        app.extensions["practicals_media_hooks"] = False
        return False
    from . import service

    # The agreed kind is "submission-version"; should the media registry refuse a hyphen,
    # "submission_version" is used instead (the page passes the registered kind to the widget).
    for kind in (service.UPLOAD_KIND, service.UPLOAD_KIND.replace("-", "_")):
        try:
            register_upload_target(kind, service.authorize_upload, service.attach_media, service.can_view_media)
        except ValueError:
            continue
        app.extensions["practicals_media_hooks"] = True
        app.extensions["practicals_upload_kind"] = kind
        return True
    app.extensions["practicals_media_hooks"] = False
    return False


def init_app(app):
    from . import models  # noqa: F401
    from . import views
    from .panels import practicals_panel_context
    from .sheets import sees_staff_notes

    app.register_blueprint(views.bp)
    app.add_template_test(sees_staff_notes, "staff_reader")
    add_nav(app, "practicals", _l("Praktik"), "practicals.index", ("trainee", "teacher"), order=40)
    add_panel(app, "practicals", _l("Praktik LIK_1 dan LIK_2"), "practicals/_panel.html",
              ("trainee", "teacher"), order=40, context=practicals_panel_context)
    add_content_sync(app, "praktik", _sync)
    add_content_check(app, "praktik", _check)
    register_media_hooks(app)
