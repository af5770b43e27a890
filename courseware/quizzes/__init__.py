"""Quizzes: the written test and the practice quizzes, taken on a phone, analysed per item."""
from flask_babel import lazy_gettext as _l

from ..auth import register_permissions
from ..bank.service import register_usage_check
from ..cli import add_content_check, add_content_sync
from ..navigation import add_nav, add_panel


def init_app(app):
    from . import models  # noqa: F401
    from . import permissions, tasks, views  # noqa: F401 - tasks registers the periodic scoring of expired attempts
    from .content import check_definitions, sync_quizzes
    from .panels import teacher_panel_context, trainee_panel_context
    from .service import question_in_use

    app.register_blueprint(views.bp)
    register_permissions(app, *permissions.PREDICATES)
    add_nav(app, "quizzes", _l("Tes"), "quizzes.index", ("trainee",), order=30)
    add_nav(app, "quizzes-teacher", _l("Tes dan analisis"), "quizzes.manage", ("teacher", "admin"), order=30)
    add_panel(app, "quiz", _l("Tes tertulis"), "quizzes/panel_trainee.html", ("trainee",), order=30,
              context=trainee_panel_context)
    add_panel(app, "quiz-teacher", _l("Tes tertulis"), "quizzes/panel_teacher.html", ("teacher",), order=30,
              context=teacher_panel_context)
    add_content_sync(app, "kuis", sync_quizzes)
    add_content_check(app, "kuis", check_definitions)
    # The bank asks whether an attempt has shown a question (then it versions instead of editing).
    register_usage_check(question_in_use)
