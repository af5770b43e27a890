"""URLs of the quizzes domain (prefix /tes).

Trainee                                   Teacher (own classes only; admin: all)
GET  /tes/                     list       GET  /tes/kelola                    defaults, class windows, links
GET  /tes/<code>/mulai         start page GET|POST /tes/kelola/<code>         admin: a quiz's defaults
POST /tes/<code>/mulai         start
GET  /tes/percobaan/<id>       take       GET|POST /tes/kelas/<cid>/jadwal    a class's window and settings
GET  /tes/percobaan/<id>/waktu time left (JSON, read-only)
POST /tes/percobaan/<id>/jawab one answer POST /tes/kelas/<cid>/jadwal/tutup  close the window now
POST /tes/percobaan/<id>/simpan all       GET  /tes/kelas/<cid>/hasil[.csv|.xlsx]
POST /tes/percobaan/<id>/kumpulkan        GET  /tes/kelas/<cid>/percobaan/<id> one trainee's review
GET  /tes/percobaan/<id>/hasil result     GET  /tes/analisis?kelas=<cid>&kuis=<code>&semua=1
"""
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user

from ..accounts.forms import EmptyForm
from ..auth import admin_required, exam_keys_required, teacher_required, trainee_required
from ..classes.service import classes_taught_by, get_class_for_teacher
from ..errors import ServiceError
from ..inputs import ascii_int
from . import analysis, export, outcome, selection, service, taking, windows
from .forms import SettingsForm, WindowForm
from .taking import AttemptClosed

bp = Blueprint("quizzes", __name__, url_prefix="/tes")


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _posted_answers() -> dict[int, int]:
    answers = {}
    for name, value in request.form.items():
        if name.startswith("jawaban-"):
            try:
                answers[int(name[len("jawaban-"):])] = int(value)
            except ValueError:
                abort(400)
    return answers


# --- trainee ----------------------------------------------------------------------------

@trainee_required
def index():
    cards = []
    for quiz in service.all_quizzes():
        attempts = service.read_attempts(service.attempts_of(current_user, quiz))
        cards.append({
            "quiz": quiz,
            "open_attempt": service.open_attempt(current_user, quiz),
            "attempts": attempts,
            "left": service.attempts_left(current_user, quiz),
            "window": windows.open_window_for(current_user, quiz) if quiz.is_written else None,
            "windows": windows.windows_of_trainee(current_user, quiz) if quiz.is_written else [],
            "counted": (counted := outcome.counted_attempt(current_user.id, quiz, attempts)),
            "test_status": outcome.pass_status(counted) if counted and quiz.is_written else None,
            "settings": service.settings_for(current_user, quiz),
            "state": service.trainee_quiz_state(current_user, quiz),
        })
    return render_template("quizzes/index.html", cards=cards, form=EmptyForm())


@trainee_required
def start(code: str):
    """GET shows what the attempt will be (items, time, attempts left, rules); only the POST of its
    "Mulai sekarang" button starts one."""
    quiz = service.get_quiz(code)
    if request.method == "GET":
        state = service.trainee_quiz_state(current_user, quiz)
        return render_template("quizzes/start.html", quiz=quiz, state=state, form=EmptyForm())
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        attempt, _created = taking.start_or_resume(current_user, quiz)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("quizzes.index"))
    return redirect(url_for("quizzes.take", attempt_id=attempt.id))


@trainee_required
def take(attempt_id: int):
    attempt = service.get_attempt_for_trainee(attempt_id, current_user)
    if service.reads_closed(attempt):   # scored by the next write or the periodic task, not here
        return redirect(url_for("quizzes.result", attempt_id=attempt.id))
    practice = attempt.quiz.feedback_per_item
    items = [{
        "item": item,
        "options": outcome.shown_options(item),
        "feedback": taking.item_feedback(item) if practice and item.chosen_option_id is not None
        and outcome.may_reveal_key(item.question, attempt, review=False) else None,
    } for item in attempt.items]
    response = Response(render_template("quizzes/take.html", attempt=attempt, items=items, practice=practice,
                                        seconds_left=taking.seconds_left(attempt), form=EmptyForm()))
    response.headers["Cache-Control"] = "no-store"
    return response


@trainee_required
def time_left(attempt_id: int):
    """What an open test page polls: the server's remaining time, or where to go once closed."""
    attempt = service.get_attempt_for_trainee(attempt_id, current_user)
    left = taking.seconds_left(attempt)
    if attempt.is_submitted or left == 0:
        return jsonify(closed=True, seconds_left=0, redirect=url_for("quizzes.result", attempt_id=attempt.id))
    response = jsonify(closed=False, seconds_left=left)
    response.headers["Cache-Control"] = "no-store"
    return response


@trainee_required
def answer(attempt_id: int):
    # save_answers owns the 404 for another trainee's attempt (one query less per click).
    try:
        position, option_id = int(request.form.get("posisi", "")), int(request.form.get("pilihan", ""))
        raw_seq = request.form.get("urutan")   # quiz.js's sequence number of this choice
        seq = ascii_int(raw_seq) if raw_seq else None
        if raw_seq and seq is None:
            raise ValueError(raw_seq)
    except ValueError:
        return _answer_error(_("Pilihan jawaban tidak dikenal. Muat ulang halaman tes."), 400, attempt_id)
    try:
        result = taking.save_answers(attempt_id, current_user, {position: option_id}, single=True, seq=seq)
    except ServiceError as exc:
        return _answer_error(exc.message, exc.status, attempt_id, closed=isinstance(exc, AttemptClosed))
    if _wants_json():
        return jsonify(saved=True, stale=position in result["stale"], answered=result["answered"],
                       seconds_left=result["seconds_left"], feedback=result["feedback"].get(position))
    return redirect(url_for("quizzes.take", attempt_id=attempt_id) + f"#soal-{position}")


def _answer_error(message: str, status: int, attempt_id: int, closed: bool = False):
    target = url_for("quizzes.result", attempt_id=attempt_id) if closed else None
    if _wants_json():
        return jsonify(saved=False, error=message, closed=closed, redirect=target), status
    flash(message, "error")
    return redirect(target or url_for("quizzes.take", attempt_id=attempt_id))


@trainee_required
def save(attempt_id: int):
    service.get_attempt_for_trainee(attempt_id, current_user)
    answers = _posted_answers()
    try:
        taking.save_answers(attempt_id, current_user, answers)
    except ServiceError as exc:
        return _answer_error(exc.message, exc.status, attempt_id, closed=isinstance(exc, AttemptClosed))
    flash(_("Jawaban tersimpan."), "success")
    return redirect(url_for("quizzes.take", attempt_id=attempt_id))


@trainee_required
def submit(attempt_id: int):
    attempt = service.get_attempt_for_trainee(attempt_id, current_user)
    answers = _posted_answers()
    if answers and not attempt.is_submitted:
        try:
            taking.save_answers(attempt_id, current_user, answers)
        except AttemptClosed as exc:
            flash(exc.message, "warning")
        except ServiceError as exc:
            return _answer_error(exc.message, exc.status, attempt_id)
    # A second press or a racing request lands here too and simply sees the result.
    taking.submit(attempt_id, current_user)
    return redirect(url_for("quizzes.result", attempt_id=attempt_id))


@trainee_required
def result(attempt_id: int):
    attempt = service.read_attempt(service.get_attempt_for_trainee(attempt_id, current_user))
    if not attempt.is_submitted:
        return redirect(url_for("quizzes.take", attempt_id=attempt.id))
    return _render_result(attempt, review=outcome.review_open(attempt), teacher_view=False)


def _render_result(attempt, review: bool, teacher_view: bool, classroom=None):
    items = [{"item": i, "options": outcome.shown_options(i),
              "key": i.question.key_option if outcome.may_reveal_key(i.question, attempt, review) else None}
             for i in attempt.items] if review else []
    response = Response(render_template(
        "quizzes/result.html", attempt=attempt, test_status=outcome.pass_status(attempt),
        kuks=outcome.kuk_breakdown(attempt), review=review, items=items,
        review_opens_at=outcome.review_opens_at(attempt), teacher_view=teacher_view, classroom=classroom,
        left=service.attempts_left(attempt.user, attempt.quiz), pass_mark=windows.settings_for_attempt(attempt).pass_mark,
        form=EmptyForm()))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- teacher ----------------------------------------------------------------------------

@teacher_required
def manage():
    quizzes = service.all_quizzes()
    written = service.written_test()
    classes = [{"classroom": c, "window": windows.window_for(written.id, c.id) if written else None}
               for c in classes_taught_by(current_user)]
    return render_template("quizzes/manage.html", quizzes=quizzes, classes=classes, written=written)


@admin_required
def settings(code: str):
    """A quiz's defaults: what a new class window starts from (existing windows keep theirs)."""
    quiz = service.get_quiz(code)
    form = SettingsForm()
    if request.method == "GET":
        form.fill(quiz.settings)
    if form.validate_on_submit():
        try:
            windows.update_defaults(quiz, current_user, form.values())
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("quizzes/settings.html", quiz=quiz, form=form), exc.status
        flash(_("Pengaturan bawaan %(t)s disimpan. Berlaku untuk jadwal kelas yang dibuat sesudah ini.",
                t=quiz.title), "success")
        return redirect(url_for("quizzes.manage"))
    status = 400 if form.errors else 200
    return render_template("quizzes/settings.html", quiz=quiz, form=form), status


def _render_window(classroom, quiz, form, current, status=200):
    items = form.items_per_attempt.data
    if not isinstance(items, int) or not 1 <= items <= selection.MAX_ITEMS:
        items = quiz.items_per_attempt
    shortfall = selection.pool_shortfall(quiz, items)
    return render_template("quizzes/window.html", classroom=classroom, quiz=quiz, form=form, current=current,
                           shortfall=selection.shortfall_message(quiz, shortfall) if shortfall else None,
                           close_form=EmptyForm()), status


@teacher_required
def window(class_id: int):
    classroom = get_class_for_teacher(class_id, current_user)
    quiz = service.written_test()
    if quiz is None:
        abort(404)
    current = windows.window_for(quiz.id, classroom.id)
    form = WindowForm()
    if request.method == "GET":
        form.fill(current.settings if current is not None else quiz.settings)
        if current is not None:
            form.opens_at.data = to_user_timezone(current.opens_at).replace(tzinfo=None)
            form.closes_at.data = to_user_timezone(current.closes_at).replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            values = form.values()
            windows.set_window(classroom, quiz, to_utc(form.opens_at.data), to_utc(form.closes_at.data),
                               values.pop("review_policy"), current_user, **values)
        except ServiceError as exc:
            flash(exc.message, "error")
            return _render_window(classroom, quiz, form, current, exc.status)
        flash(_("Jadwal dan pengaturan tes untuk kelas %(k)s disimpan.", k=classroom.label), "success")
        return redirect(url_for("quizzes.manage"))
    return _render_window(classroom, quiz, form, current, 400 if form.errors else 200)


@teacher_required
def close_window(class_id: int):
    classroom = get_class_for_teacher(class_id, current_user)
    quiz = service.written_test()
    if quiz is None or not EmptyForm().validate_on_submit():
        abort(400)
    if request.form.get("konfirmasi") != "ya":
        flash(_("Tes belum ditutup: centang dulu kotak \"Saya yakin\"."), "error")
        return redirect(url_for("quizzes.window", class_id=class_id))
    closed = windows.close_window_now(classroom, quiz, current_user)
    flash(_("Tes untuk kelas %(k)s ditutup sekarang; %(n)d percobaan yang sedang berjalan dikumpulkan dengan "
            "jawaban yang sudah tersimpan.", k=classroom.label, n=closed), "success")
    return redirect(url_for("quizzes.manage"))


def _results_quiz():
    code = request.args.get("kuis")
    quiz = service.get_quiz(code) if code else service.written_test()
    if quiz is None:
        abort(404)
    return quiz


@teacher_required
def results(class_id: int):
    classroom = get_class_for_teacher(class_id, current_user)
    quiz = _results_quiz()
    window = windows.window_for(quiz.id, classroom.id) if quiz.is_written else None
    return render_template("quizzes/results.html", classroom=classroom, quiz=quiz,
                           settings=window.settings if window is not None else quiz.settings,
                           rows=outcome.class_results(classroom, quiz), quizzes=service.all_quizzes())


def _download(body, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@teacher_required
def results_csv(class_id: int):
    classroom = get_class_for_teacher(class_id, current_user)
    quiz = _results_quiz()
    return _download(export.results_csv(outcome.class_results(classroom, quiz), quiz), "text/csv",
                     f"hasil-{quiz.code}-kelas-{classroom.id}.csv")


@teacher_required
def results_xlsx(class_id: int):
    classroom = get_class_for_teacher(class_id, current_user)
    quiz = _results_quiz()
    body = export.results_xlsx(outcome.class_results(classroom, quiz), quiz, f"{quiz.title} · {classroom.label}")
    return _download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"hasil-{quiz.code}-kelas-{classroom.id}.xlsx")


@exam_keys_required
def teacher_review(class_id: int, attempt_id: int):
    classroom = get_class_for_teacher(class_id, current_user)
    attempt = service.read_attempt(service.get_attempt_for_teacher(attempt_id, current_user))
    if not attempt.is_submitted:
        abort(404)
    return _render_result(attempt, review=True, teacher_view=True, classroom=classroom)


@exam_keys_required
def item_analysis():
    classes = classes_taught_by(current_user)
    selected = None
    if request.args.get("kelas"):
        try:
            selected = get_class_for_teacher(int(request.args["kelas"]), current_user)
        except ValueError:
            abort(404)
    quiz = _results_quiz()
    include_all = request.args.get("semua") == "1"
    class_ids = [selected.id] if selected else [c.id for c in classes]
    result = analysis.analysis_for(quiz, class_ids, include_all=include_all)
    return render_template("quizzes/analysis.html", result=result, quiz=quiz, classes=classes,
                           selected=selected, include_all=include_all, quizzes=service.all_quizzes(),
                           reliability_label=analysis.reliability_label,
                           min_attempts=analysis.MIN_ATTEMPTS_FOR_RELIABILITY, min_answers=analysis.MIN_ANSWERS_PER_ITEM)


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/",                                                view_func=index)
bp.add_url_rule("/<code>/mulai",                                    view_func=start, methods=["GET", "POST"])
bp.add_url_rule("/percobaan/<int:attempt_id>",                      view_func=take)
bp.add_url_rule("/percobaan/<int:attempt_id>/waktu",                view_func=time_left)
bp.add_url_rule("/percobaan/<int:attempt_id>/jawab",                view_func=answer, methods=["POST"])
bp.add_url_rule("/percobaan/<int:attempt_id>/simpan",               view_func=save, methods=["POST"])
bp.add_url_rule("/percobaan/<int:attempt_id>/kumpulkan",            view_func=submit, methods=["POST"])
bp.add_url_rule("/percobaan/<int:attempt_id>/hasil",                view_func=result)
bp.add_url_rule("/kelola",                                          view_func=manage)
bp.add_url_rule("/kelola/<code>",                                   view_func=settings, methods=["GET", "POST"])
bp.add_url_rule("/kelas/<int:class_id>/jadwal",                     view_func=window, methods=["GET", "POST"])
bp.add_url_rule("/kelas/<int:class_id>/jadwal/tutup",               view_func=close_window, methods=["POST"])
bp.add_url_rule("/kelas/<int:class_id>/hasil",                      view_func=results)
bp.add_url_rule("/kelas/<int:class_id>/hasil.csv",                  view_func=results_csv)
bp.add_url_rule("/kelas/<int:class_id>/hasil.xlsx",                 view_func=results_xlsx)
bp.add_url_rule("/kelas/<int:class_id>/percobaan/<int:attempt_id>", view_func=teacher_review)
bp.add_url_rule("/analisis",                                        view_func=item_analysis)
