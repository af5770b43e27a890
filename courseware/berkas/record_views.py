"""Pages of FR.IA.05, FR.AK.03, FR.AK.04, the berkas PDF and the class archive (prefix /berkas, blueprint
"berkas_records"). The URL table is at the end; who may open what is in the decorators and the permission
modules."""
from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.forms import EmptyForm
from ..accounts.models import User
from ..auth import assessor_required, role_required, trainee_required
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from ..results import status as results
from . import appeals, archive, feedback, ia05, permissions, signature_posts
from .forms_data import find_form

bp = Blueprint("berkas_records", __name__, url_prefix="/berkas")


def _check_csrf() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


def _title(kind: str, fallback: str) -> str:
    from .bundle import _title as title

    return title(kind, fallback)


def _signed_context(form) -> dict:
    return {"form": form, "signatures": list(form.signatures) if form is not None else [],
            "fingerprint": form.fingerprint if form is not None and form.is_locked else None,
            "posted": request.form if request.method == "POST" else {}, "error": None}


# --- FR.IA.05 ----------------------------------------------------------------------------

@login_required
def ia05_sheet(attempt_id: int):
    attempt = ia05.attempt_or_404(attempt_id)
    permissions.trainee_or_404(current_user, attempt.user_id)      # another class's teacher or trainee: 404
    staff = permissions.views_as_staff(current_user, attempt.user_id)
    sheet = ia05.answer_sheet(attempt, staff_view=staff and permissions.may_see_keys(current_user))
    form = find_form(ia05.KIND, attempt.user_id, ia05.subject_key(attempt))
    can_write = permissions.assesses_trainee(current_user, attempt.user_id) and (form is None or form.locked_at is None)
    response = Response(render_template(
        "berkas/records/ia05.html", sheet=sheet, title=_title(ia05.KIND, _("Pertanyaan Tertulis Pilihan Ganda")),
        format_score=results.format_score, can_write=can_write,
        declaration=signature_posts.declaration(ia05.KIND, "asesor"), pad_name=current_user.full_name,
        draft_text=((form.content or {}).get("feedback", "") if form else ""), **_signed_context(form)))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@assessor_required
def ia05_feedback(attempt_id: int):
    attempt = ia05.attempt_or_404(attempt_id)
    if not permissions.assesses_trainee(current_user, attempt.user_id):
        abort(404 if not permissions.views_as_staff(current_user, attempt.user_id) else 403)
    _check_csrf()
    try:
        text = appeals.clean(request.form.get("umpan_balik"), _("Umpan balik"), 1, 2000)
        signature_posts.save_and_sign(ia05.KIND, attempt.user, ia05.subject_key(attempt), {"feedback": text},
                             current_user, "asesor")
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".ia05_sheet", attempt_id=attempt.id)), 303
    flash(_("Umpan balik FR.IA.05 tersimpan dan ditandatangani."), "success")
    return redirect(url_for(".ia05_sheet", attempt_id=attempt.id))


@login_required
def ia05_of(trainee_id: int):
    trainee = permissions.trainee_or_404(current_user, trainee_id)
    attempt = ia05.counted_attempt(trainee.id)
    if attempt is None:
        flash(_("Belum ada percobaan tes tertulis yang dihitung untuk %(n)s.", n=trainee.full_name), "info")
        return redirect(url_for("assessments.record", trainee_id=trainee.id))
    return redirect(url_for(".ia05_sheet", attempt_id=attempt.id))


# --- FR.AK.03 ----------------------------------------------------------------------------

def _render_feedback(trainee: User, values=None, status=200, own=True):
    form = feedback.form_of(trainee.id)
    answers = feedback.answers_of(form)
    if values is not None:
        answers = {q.id: {"answer": values.get(f"jawab-{q.id}"), "comment": values.get(f"komentar-{q.id}", "")}
                   for q in feedback.questions()}
    return render_template(
        "berkas/records/ak03.html", trainee=trainee, questions=feedback.questions(), answers=answers,
        note=values.get("catatan", "") if values is not None else feedback.note_of(form),
        declaration=signature_posts.declaration(feedback.KIND, "peserta"), pad_name=trainee.full_name,
        intro=signature_posts.fixed_texts(feedback.KIND),
        is_open=feedback.is_open_for(trainee.id), own=own, title=_title(feedback.KIND, _("Umpan Balik dan Catatan Asesmen")),
        unit=results.unit_result(trainee.id), **_signed_context(form)), status


@trainee_required
def ak03():
    trainee = current_user._get_current_object()
    if request.method == "GET":
        return _render_feedback(trainee)
    _check_csrf()
    try:
        if not feedback.is_open_for(trainee.id):
            raise ServiceError(_("Umpan balik asesmen baru dapat diisi setelah hasil unit Anda diputuskan."), 409)
        content = feedback.parse_answers(request.form)
        signature_posts.save_and_sign(feedback.KIND, trainee, feedback.SUBJECT, content, trainee, "peserta")
    except ServiceError as exc:
        flash(exc.message, "error")
        return _render_feedback(trainee, request.form, exc.status)
    flash(_("Terima kasih. Umpan balik Anda tersimpan dan ditandatangani."), "success")
    return redirect(url_for(".ak03"))


@role_required("teacher", "assessor", "admin")
def ak03_of(trainee_id: int):
    trainee = permissions.trainee_or_404(current_user, trainee_id)
    if trainee.id == current_user.id:
        return redirect(url_for(".ak03"))
    return _render_feedback(trainee, own=False)


@role_required("teacher", "assessor", "admin")
def ak03_summary(class_id: int):
    classroom = permissions.class_or_404(current_user, class_id)
    rows, signed, total = feedback.class_summary(classroom)
    return render_template("berkas/records/ak03_summary.html", classroom=classroom, rows=rows, signed=signed, total=total,
                           title=_title(feedback.KIND, _("Umpan Balik dan Catatan Asesmen")))


# --- FR.AK.04 ----------------------------------------------------------------------------

@trainee_required
def appeal_index():
    trainee = current_user._get_current_object()
    mine = {a.judgement_id: a for a in appeals.appeals_of(trainee.id)}
    return render_template("berkas/records/appeal_index.html", judgements=appeals.appealable(trainee), mine=mine,
                           appeals=list(mine.values()), deadline=appeals.deadline, days=appeals.appeal_days(),
                           labels=appeals.state_labels(), now=utcnow(),
                           title=_title(appeals.KIND, _("Banding Asesmen")))


def _render_appeal_form(judgement, values=None, status=200):
    return render_template("berkas/records/appeal_form.html", judgement=judgement, reasons=(values or {}).get("alasan", ""),
                           deadline=appeals.deadline(judgement), days=appeals.appeal_days(),
                           title=_title(appeals.KIND, _("Banding Asesmen")),
                           definition_texts=signature_posts.fixed_texts(appeals.KIND), pad_name=current_user.full_name,
                           declaration=signature_posts.declaration(appeals.KIND, "peserta"),
                           posted=request.form if request.method == "POST" else {}, error=None), status


@trainee_required
def appeal_new(judgement_id: int):
    trainee = current_user._get_current_object()
    judgement = appeals.judgement_for_appeal_or_404(trainee, judgement_id)
    existing = appeals.appeal_for(judgement.id)
    if existing is not None:
        return redirect(url_for(".appeal_show", appeal_id=existing.id))
    if request.method == "GET":
        return _render_appeal_form(judgement)
    _check_csrf()
    try:
        from .service import get_or_create_form

        reasons = appeals.clean(request.form.get("alasan"), _("Alasan banding"), appeals.MIN_REASONS,
                                appeals.MAX_REASONS)
        appeals.check_can_appeal(trainee, judgement)
        name, drawing = signature_posts.signature_input()
        subject = appeals.subject_key(judgement.id)
        get_or_create_form(appeals.KIND, trainee, subject)

        def sign(session, _appeal):
            signature_posts.sign_in(session, appeals.KIND, trainee, subject, {"reasons": reasons}, trainee, "peserta",
                           name, drawing)

        appeal = appeals.submit(trainee, judgement, reasons, sign=sign)
    except ServiceError as exc:
        flash(exc.message, "error")
        return _render_appeal_form(judgement, request.form, exc.status)
    flash(_("Banding Anda tercatat. Asesor lain atau admin akan memutuskannya."), "success")
    return redirect(url_for(".appeal_show", appeal_id=appeal.id))


@assessor_required
def appeal_inbox():
    rows = [a for a in appeals.open_appeals() if permissions.views_as_staff(current_user, a.trainee_id)]
    return render_template("berkas/records/appeal_inbox.html", rows=rows, may_decide=appeals.may_decide,
                           deadline=appeals.deadline, title=_title(appeals.KIND, _("Banding Asesmen")))


def _render_appeal(appeal, values=None, status=200, reassessing=False):
    from ..assessments import records
    from ..assessments.views import _attitude_entries, _common, _entries

    judgement = appeal.judgement
    practical = judgement.version.submission.practical
    form = find_form(appeals.KIND, appeal.trainee_id, appeals.subject_key(appeal.judgement_id))
    decide = appeals.may_decide(current_user, appeal) and appeal.is_open
    vals = {"recommendation": judgement.recommendation, "feedback": judgement.feedback, "tuk": judgement.tuk,
            "reason": ""}
    if values is not None:
        vals = {"recommendation": values.get("rekomendasi") or None, "feedback": values.get("umpan_balik") or "",
                "tuk": values.get("tuk") or "", "reason": ""}
    return render_template(
        "berkas/records/appeal_show.html", appeal=appeal, judgement=judgement, practical=practical,
        rows=records.observation_rows(judgement), decide=decide, labels_appeal=appeals.state_labels(),
        entries=_entries(practical, judgement, values) if decide else [],
        attitudes=_attitude_entries(practical, judgement, values) if decide else [], values=vals,
        note=(values or {}).get("catatan", ""), reassessing=reassessing, deadline=appeals.deadline(judgement),
        is_judging_assessor=current_user.id == judgement.assessor_id,
        must_sign=decide and permissions.may_sign(current_user, form, "asesor"), pad_name=current_user.full_name,
        declaration=signature_posts.declaration(appeals.KIND, "asesor"),
        title=_title(appeals.KIND, _("Banding Asesmen")), **_signed_context(form), **_common()), status


@login_required
def appeal_show(appeal_id: int):
    appeal = appeals.appeal_or_404(appeal_id)
    permissions.trainee_or_404(current_user, appeal.trainee_id)
    return _render_appeal(appeal)


@assessor_required
def appeal_decide(appeal_id: int):
    from ..assessments import form_input

    appeal = appeals.appeal_or_404(appeal_id)
    permissions.trainee_or_404(current_user, appeal.trainee_id)
    _check_csrf()
    decision = request.form.get("keputusan")
    try:
        appeals.check_decider(current_user, appeal)
        sign = None
        form = find_form(appeals.KIND, appeal.trainee_id, appeals.subject_key(appeal.judgement_id))
        if permissions.may_sign(current_user, form, "asesor"):
            # checked before anything is written: a bad signature never leaves a decision half-made
            name, drawing = signature_posts.signature_input()
            trainee, decider = appeal.trainee, current_user._get_current_object()

            def sign(session, values):
                signature_posts.sign_in(session, appeals.KIND, trainee, appeals.subject_key(appeal.judgement_id), values,
                               decider, "asesor", name, drawing)
        if decision == "pertahankan":
            appeals.uphold(appeal, current_user, request.form.get("catatan"), sign=sign)
        elif decision == "asesmen-ulang":
            practical = appeal.judgement.version.submission.practical
            marks = form_input.parse_marks(request.form, practical)
            attitudes = form_input.parse_attitudes(request.form, practical)
            appeals.reassess(appeal, current_user, marks, request.form.get("rekomendasi"),
                             request.form.get("umpan_balik"), request.form.get("tuk"), request.form.get("catatan"),
                             attitudes, sign=sign)
        else:
            raise ServiceError(_("Pilih keputusan: pertahankan penilaian atau lakukan asesmen ulang."))
    except ServiceError as exc:
        flash(exc.message, "error")
        db.session.rollback()
        return _render_appeal(appeals.appeal_or_404(appeal_id), request.form, exc.status,
                              reassessing=decision == "asesmen-ulang")
    flash(_("Keputusan banding tersimpan."), "success")
    return redirect(url_for(".appeal_show", appeal_id=appeal.id))


# --- the berkas PDF and the class archive -------------------------------------------------

@login_required
def berkas_pdf(trainee_id: int):
    from .bundle import berkas_pdf as build

    trainee = permissions.trainee_or_404(current_user, trainee_id)
    staff = permissions.views_as_staff(current_user, trainee.id) and permissions.may_see_keys(current_user)
    data = build(trainee, current_app.static_folder, staff_view=staff)
    filename = f"berkas-asesmen-{archive.safe_name(trainee.nis or str(trainee.id))}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


@role_required("teacher", "assessor", "admin")
def archive_start(class_id: int):
    classroom = permissions.class_or_404(current_user, class_id)
    if request.method == "GET":
        return render_template("berkas/records/archive_start.html", classroom=classroom)
    _check_csrf()
    job = archive.request_archive(classroom, current_user)
    return redirect(url_for(".archive_progress", job_id=job.id))


def _job_or_404(job_id: int):
    from .appeal_models import ArchiveJob

    job = db.session.get(ArchiveJob, job_id)
    if job is None:
        abort(404)
    permissions.class_or_404(current_user, job.classroom_id)
    return job


@role_required("teacher", "assessor", "admin")
def archive_progress(job_id: int):
    job = _job_or_404(job_id)
    return render_template("berkas/records/archive_progress.html", job=job)


@role_required("teacher", "assessor", "admin")
def archive_status(job_id: int):
    job = _job_or_404(job_id)
    body = {"state": job.state, "done": job.done, "total": job.total, "percent": job.percent,
            "error": bool(job.error),
            "download": url_for(".archive_download", job_id=job.id) if job.state == "selesai" else None}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@role_required("teacher", "assessor", "admin")
def archive_download(job_id: int):
    job = _job_or_404(job_id)
    path = archive.path_of(job)
    if job.state != "selesai" or path is None or not path.exists():
        abort(404)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=job.storage_name,
                     max_age=0)


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/ia05/<int:attempt_id>",                view_func=ia05_sheet)
bp.add_url_rule("/ia05/<int:attempt_id>/umpan-balik",    view_func=ia05_feedback, methods=["POST"])
bp.add_url_rule("/peserta/<int:trainee_id>/ia05",        view_func=ia05_of)
bp.add_url_rule("/umpan-balik",                          view_func=ak03, methods=["GET", "POST"])
bp.add_url_rule("/peserta/<int:trainee_id>/umpan-balik", view_func=ak03_of)
bp.add_url_rule("/kelas/<int:class_id>/umpan-balik",     view_func=ak03_summary)
bp.add_url_rule("/banding",                              view_func=appeal_index)
bp.add_url_rule("/banding/penilaian/<int:judgement_id>", view_func=appeal_new, methods=["GET", "POST"])
bp.add_url_rule("/banding/masuk",                        view_func=appeal_inbox)
bp.add_url_rule("/banding/<int:appeal_id>",              view_func=appeal_show)
bp.add_url_rule("/banding/<int:appeal_id>/putus",        view_func=appeal_decide, methods=["POST"])
bp.add_url_rule("/peserta/<int:trainee_id>.pdf",         view_func=berkas_pdf)
bp.add_url_rule("/kelas/<int:class_id>/arsip",           view_func=archive_start, methods=["GET", "POST"])
bp.add_url_rule("/arsip/<int:job_id>",                   view_func=archive_progress)
bp.add_url_rule("/arsip/<int:job_id>/status.json",       view_func=archive_status)
bp.add_url_rule("/arsip/<int:job_id>.zip",               view_func=archive_download)
