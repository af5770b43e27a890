"""Lesson pages (other domains link to these URLs; keep them stable). The URL table is at the end."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.forms import EmptyForm
from ..auth import teacher_required, trainee_required
from . import glossary as terms, service

bp = Blueprint("lessons", __name__, url_prefix="/materi")


@login_required
def overview():
    lessons = service.active_lessons()
    is_trainee = current_user.has_role("trainee")
    done = service.done_ids(current_user) if is_trainee else set()
    return render_template("lessons/overview.html", elements=service.elements_overview(lessons, done), done=done,
                           summary=service.progress_summary(current_user) if is_trainee else None)


@login_required
def glossary():
    entries = service.glossary_entries()
    query = (request.args.get("q") or "").strip()[:80]
    shown = terms.search(entries, query)
    groups = {}
    for entry in shown:
        groups.setdefault(terms.initial(entry), []).append(entry)
    return render_template("lessons/glossary.html", entries=entries, groups=groups, query=query,
                           shown=len(shown), letters=terms.letters(shown),
                           source=terms.source_lesson(request.args.get("dari")))


@login_required
def references():
    return render_template("lessons/references.html", entries=service.reference_entries())


@teacher_required
def plan():
    return render_template("lessons/plan.html", plan=service.teaching_plan())


@teacher_required
def progress_grid(class_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    return render_template("lessons/progress_grid.html", classroom=classroom, grid=service.progress_grid(classroom))


@login_required
def show(lesson_id: str):
    lesson = service.get_lesson(lesson_id)
    is_trainee = current_user.has_role("trainee")
    if is_trainee:
        lessons, done_ids = service.lessons_with_progress(current_user)
        done = lesson.id in done_ids
    else:
        lessons, done = service.active_lessons(), False
    previous, following = service.neighbours(lesson, lessons)
    return render_template("lessons/show.html", lesson=lesson, previous=previous, following=following,
                           body_html=service.shown_body(lesson),
                           is_trainee=is_trainee, done=done, element=service.ELEMENTS[lesson.element],
                           form=EmptyForm() if is_trainee else None)


@trainee_required
def mark_done(lesson_id: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    done = service.set_done(current_user, lesson_id, request.form.get("done", "1") != "0")
    if request.accept_mimetypes.best == "application/json":   # a mark queued offline, sent by offline.js
        return jsonify(lesson=lesson_id, done=done)
    if done:
        flash(_("Pelajaran ditandai selesai."), "success")
        if request.form.get("next"):
            following = service.neighbours(service.get_lesson(lesson_id), service.active_lessons())[1]
            if following is not None:
                return redirect(url_for("lessons.show", lesson_id=following.id))
    else:
        flash(_("Tanda selesai dibatalkan."), "info")
    return redirect(url_for("lessons.show", lesson_id=lesson_id) + "#tandai")


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/",                              view_func=overview)
bp.add_url_rule("/kamus",                         view_func=glossary)
bp.add_url_rule("/referensi",                     view_func=references)
bp.add_url_rule("/rencana",                       view_func=plan)
bp.add_url_rule("/kelas/<int:class_id>/kemajuan", view_func=progress_grid)
bp.add_url_rule("/<lesson_id>",                   view_func=show)
bp.add_url_rule("/<lesson_id>/selesai",           view_func=mark_done, methods=["POST"])
