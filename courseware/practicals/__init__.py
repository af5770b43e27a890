"""Practicals LIK_1 and LIK_2: the sheets, trainees' submissions (video versions), class overview."""
from flask_babel import lazy_gettext as _l

from ..auth import register_permissions
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


def register_media_hooks() -> None:
    """Videos uploaded for "submission-version" belong to a version: the media domain asks these."""
    from ..media.targets import register_upload_target
    from . import permissions, service

    register_upload_target(service.UPLOAD_KIND, service.authorize_upload, service.attach_media,
                           permissions.can_view_media)


def init_app(app):
    from . import models  # noqa: F401
    from . import permissions, views
    from .panels import practicals_panel_context
    from .sheets import sees_staff_notes

    app.register_blueprint(views.bp)
    app.add_template_test(sees_staff_notes, "staff_reader")
    register_permissions(app, *permissions.PREDICATES)
    add_nav(app, "practicals", _l("Praktik"), "practicals.index", ("trainee", "teacher"), order=40)
    add_panel(app, "practicals", _l("Praktik LIK_1 dan LIK_2"), "practicals/_panel.html",
              ("trainee", "teacher"), order=40, context=practicals_panel_context)
    add_content_sync(app, "praktik", _sync)
    add_content_check(app, "praktik", _check)
    register_media_hooks()
