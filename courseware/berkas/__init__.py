"""The berkas asesmen: BNSP forms per trainee (FR.APL.02, FR.AK.01, ...) as data, signatures, the
public fingerprint check, and the gates other domains ask (practicals wait for APL.02, a LIK
judgement waits for FR.AK.01). See docs/berkas.md."""
from flask_babel import lazy_gettext as _l

from ..cli import add_content_check
from ..navigation import add_nav, add_panel


def _check(root):
    from .definitions import check_forms

    return check_forms(root)


def init_app(app):
    from . import models  # noqa: F401
    from . import signing  # noqa: F401  (registers the ORM guards)
    from . import appeal_models, archive, record_views, views  # noqa: F401 - models and the huey task register here
    from .panels import (appeals_context, staff_context, teacher_records_context, trainee_context,
                         trainee_records_context)

    app.register_blueprint(views.bp)             # FR.APL.02, FR.AK.01, signatures, the public check
    app.register_blueprint(record_views.bp)      # FR.IA.05, FR.AK.03, FR.AK.04, the berkas PDF, the class archive
    app.config.setdefault("BERKAS_GATES", True)
    app.config.setdefault("APPEAL_DAYS", 7)
    add_nav(app, "berkas", _l("Berkas asesmen"), "berkas.index", ("trainee", "teacher", "assessor", "admin"),
            order=55)
    add_panel(app, "berkas-trainee", _l("Berkas asesmen saya"), "berkas/panels/trainee.html", ("trainee",),
              order=42, context=trainee_context)
    add_panel(app, "berkas-staff", _l("Berkas asesmen"), "berkas/panels/staff.html", ("teacher", "assessor"),
              order=46, context=staff_context)
    # No menu entry for these: a user with every role must keep the menu on one line at 1280 px (test_crawl).
    add_panel(app, "berkas-records-assessor", _l("Banding asesmen"), "berkas/records/panels/assessor.html",
              ("assessor", "admin"), order=21, context=appeals_context)
    add_panel(app, "berkas-records-trainee", _l("Umpan balik, banding, dan berkas PDF"),
              "berkas/records/panels/trainee.html", ("trainee",), order=46, context=trainee_records_context)
    add_panel(app, "berkas-records-teacher", _l("Arsip dan umpan balik kelas"), "berkas/records/panels/teacher.html",
              ("teacher",), order=46, context=teacher_records_context)
    add_content_check(app, "formulir", _check)
