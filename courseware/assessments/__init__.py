from flask_babel import lazy_gettext as _l

from ..navigation import add_nav, add_panel


def init_app(app):
    from . import guards, views  # noqa: F401 - importing guards registers the ORM guards
    from .panels import assessor_context, teacher_context, trainee_context
    from .form_input import format_seconds
    from .views import user_markdown

    app.register_blueprint(views.bp)
    app.add_template_filter(format_seconds, "video_time")
    app.add_template_filter(user_markdown, "user_md")
    from .comments import timeline_for_submitter
    app.add_template_global(timeline_for_submitter, "assessment_timeline")
    add_nav(app, "assessments", _l("Penilaian"), "assessments.queue", ("assessor", "admin"), order=50)
    # Replaces the dashboard's "belum tersedia" placeholder for assessors.
    add_panel(app, "assessment", _l("Penilaian praktik"), "assessments/panels/assessor.html",
              ("assessor", "admin"), order=20, context=assessor_context)
    add_panel(app, "assessment-results", _l("Hasil penilaian saya"), "assessments/panels/trainee.html",
              ("trainee",), order=45, context=trainee_context)
    add_panel(app, "assessment-recap", _l("Rekap hasil unit"), "assessments/panels/teacher.html",
              ("teacher",), order=45, context=teacher_context)
