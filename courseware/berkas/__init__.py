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
    from . import views
    from .panels import staff_context, trainee_context

    app.register_blueprint(views.bp)
    app.config.setdefault("BERKAS_GATES", True)
    add_nav(app, "berkas", _l("Berkas asesmen"), "berkas.index", ("trainee", "teacher", "assessor", "admin"),
            order=55)
    add_panel(app, "berkas-trainee", _l("Berkas asesmen saya"), "berkas/panels/trainee.html", ("trainee",),
              order=42, context=trainee_context)
    add_panel(app, "berkas-staff", _l("Berkas asesmen"), "berkas/panels/staff.html", ("teacher", "assessor"),
              order=46, context=staff_context)
    add_content_check(app, "formulir", _check)
