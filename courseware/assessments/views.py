"""Assessment pages (prefix /penilaian): the assessor's queue and marking screen, a trainee's results,
class recaps and reports, FR.AK.02 records. The URL table is at the end; who may open what is in the
decorators and in assessments.permissions."""
import io

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..accounts.forms import EmptyForm
from ..formats import csv_text, local_datetime, local_today, spreadsheet_safe
from ..models_base import utcnow
from ..auth import assessor_required, role_required, teacher_required, trainee_required
from ..classes.service import get_class_for_teacher
from ..errors import ServiceError, render_error
from ..extensions import db
from ..practicals.attachments import attachments_by_version
from ..practicals.models import SubmissionVersion
from ..results import status as results_status
from ..sanitize import render_user_markdown
from . import assessor_queue, comments, form_input, judgements, lookups, permissions, records

bp = Blueprint("assessments", __name__, url_prefix="/penilaian")

def user_markdown(text) -> Markup:
    """Comments, feedback: Markdown through the shared sanitiser (never raw HTML)."""
    # Safe: render_user_markdown escapes raw HTML and cleans with the bleach allow-list.
    return Markup(render_user_markdown(text or ""))  # nosec B704


def _common() -> dict:
    return {"labels": lookups.result_labels(),
            "test_labels": lookups.test_labels(), "unit_labels": results_status.unit_labels()}


# --- assessor ------------------------------------------------------------------------------

@assessor_required
def queue():
    class_id = request.args.get("kelas", type=int)
    code = request.args.get("lik") if request.args.get("lik") in lookups.LIK_CODES else None
    rows = assessor_queue.queue(current_user, class_id=class_id, code=code)
    return render_template("assessments/queue.html", rows=rows, classes=assessor_queue.queue_classes(),
                           class_id=class_id, code=code, codes=lookups.LIK_CODES,
                           format_waiting=assessor_queue.format_waiting, **_common())


def _entries(practical, judgement=None, form=None) -> list[dict]:
    """One dict per active point for the marks form: from the submitted form, or a judgement's marks."""
    entries = []
    for point in lookups.points_of(practical):
        if form is not None:
            entries.append({"point": point, "result": (form.get(f"hasil-{point.id}") or "").upper() or None,
                            "comment": form.get(f"komentar-{point.id}") or ""})
            continue
        mark = judgement.mark_for(point.id) if judgement is not None else None
        entries.append({"point": point, "result": mark.result if mark else None,
                        "comment": mark.comment if mark else ""})
    return entries


def _attitude_entries(practical, judgement=None, form=None) -> list[dict]:
    """One dict per observed attitude for the marks form: from the submitted form, or a judgement."""
    entries = []
    for attitude in practical.attitudes or []:
        if form is not None:
            mark = {"result": (form.get(f"sikap-{attitude['id']}") or "").upper() or None,
                    "comment": form.get(f"sikap-komentar-{attitude['id']}") or ""}
        else:
            mark = ((judgement.attitude_marks or {}) if judgement is not None else {}).get(attitude["id"]) or {}
        entries.append({"attitude": attitude, "result": mark.get("result"), "comment": mark.get("comment") or ""})
    return entries


def _queue_filter(values) -> dict:
    """The queue's filters (kelas, lik) carried from the queue through marking and "Berikutnya"."""
    kelas = values.get("kelas", "")
    lik = values.get("lik")
    return {"kelas": int(kelas) if str(kelas).isdigit() and len(str(kelas)) < 10 else None,
            "lik": lik if lik in lookups.LIK_CODES else None}


def _start_seconds(values) -> int | None:
    """Where the video opens: ?t=<seconds> (a save without JavaScript comes back with it)."""
    raw = str(values.get("t") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 5 else None


def _render_marking(version, trainee, form=None, status=200, correcting=False):
    practical = version.submission.practical
    final = lookups.current_final(version.id, trainee.id)
    draft = lookups.open_draft(version.id, trainee.id)
    source = final if final is not None else draft
    values = {"recommendation": source.recommendation if source else None,
              "feedback": source.feedback if source else "",
              "tuk": source.tuk if source else judgements.last_tuk(current_user),
              "reason": ""}
    if form is not None:
        values = {"recommendation": form.get("rekomendasi") or None, "feedback": form.get("umpan_balik") or "",
                  "tuk": form.get("tuk") or "", "reason": form.get("alasan") or ""}
    history = lookups.final_history(version.id, trainee.id)
    evidence = lookups.evidence_version(trainee.id, practical.code)
    earlier = [h for h in lookups.trainee_history(trainee, practical.code) if h.version.id != version.id]
    earlier_judgements = [j for h in earlier for j in h.judgements]
    args = form if form is not None else request.args
    return render_template(
        "assessments/mark.html", version=version, trainee=trainee, practical=practical,
        evidence_rule=permissions.evidence_rule(practical), other=version.partner, final=final, draft=draft,
        history=history, earlier=earlier, comments=comments.comments_of(source.id if source else None),
        points=lookups.points_of(practical), comment_max=comments.MAX_TEXT,
        start=_start_seconds(args), queue_filter=_queue_filter(args),
        entries=_entries(practical, source, form), attitudes=_attitude_entries(practical, source, form),
        attachments=attachments_by_version([version]).get(version.id, []),
        values=values, correcting=correcting,
        is_newest=evidence is not None and evidence.id == version.id,
        newer_of=lookups.superseding(history + earlier_judgements),
        rows_of={j.id: records.observation_rows(j) for j in earlier_judgements},
        final_rows=records.observation_rows(final) if final is not None else [],
        berkas_block=None if final else judgements.berkas_block_reason(version, trainee.id), **_common()), status


@assessor_required
def mark(version_id: int, trainee_id: int):
    version, trainee = permissions.version_and_trainee_or_404(version_id, trainee_id)
    permissions.check_judgeable(current_user, version, trainee.id)   # a partner, or an assessor in the video: 403
    if request.method == "GET":
        return _render_marking(version, trainee)
    if not EmptyForm().validate_on_submit():
        abort(400)
    practical = version.submission.practical
    # Read before the writes: each commit expires the loaded rows, and reading them again after
    # would cost five statements for a flash message and a redirect.
    code, name, version_id, trainee_id = practical.code, trainee.full_name, version.id, trainee.id
    action = request.form.get("aksi")
    finalising = action == "final"
    start = _start_seconds(request.form)
    try:
        marks = form_input.parse_marks(request.form, practical)
        attitudes = form_input.parse_attitudes(request.form, practical)
        # The composer's fields come along without JavaScript: "Simpan komentar" needs a text,
        # "Simpan draf" with an empty composer adds nothing.
        new_comment = comments.parse_comment(request.form, practical, _duration(version), "komentar_baru_",
                                             required=action == "komentar")
        # Comments first (each opens the draft if needed), so a finalise below freezes them too.
        removed = request.form.getlist("hapus_komentar")
        if removed:
            comments.remove_comments(version, trainee, current_user, removed)
        if new_comment is not None:
            comments.add_comment(version, trainee, current_user, new_comment)
            start = new_comment.seconds
        sure = bool(request.form.get("yakin"))
        judgements.save_draft(version, trainee, current_user, marks, request.form.get("rekomendasi"),
                              request.form.get("umpan_balik"), request.form.get("tuk"), attitudes,
                              then_finalise=finalising and sure)
        if finalising and not sure:
            raise ServiceError(_("Draf tersimpan. Centang pernyataan bahwa penilaian sudah benar untuk "
                                 "memfinalkannya."))
    except ServiceError as exc:
        if _wants_json():
            return render_error(exc.status, exc.message)
        flash(exc.message, "error")
        return _render_marking(version, trainee, request.form, exc.status)
    back = _marking_url(version_id, trainee_id, start, request.form)
    if finalising:
        flash(_("Penilaian %(c)s untuk %(n)s sudah final.", c=code, n=name), "success")
        return redirect(back)
    message = _("Draf penilaian tersimpan pukul %(t)s.", t=local_datetime(utcnow(), "HH.mm.ss"))
    if _wants_json():
        return jsonify(ok=True, message=message, comment_added=new_comment is not None,
                       list_html=_comment_items(version_id, trainee_id))
    flash(message, "success")
    return redirect(back + ("#komentar" if action == "komentar" else "#butir"))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _duration(version) -> float | None:
    return version.media_file.duration if version.media_file is not None else None


def _marking_url(version_id: int, trainee_id: int, start, form) -> str:
    return url_for("assessments.mark", version_id=version_id, trainee_id=trainee_id,
                   t=start if start is not None else None,
                   **{k: v for k, v in _queue_filter(form).items() if v is not None})


def _comment_items(version_id: int, trainee_id: int) -> str:
    version = db.session.get(SubmissionVersion, version_id)
    draft = lookups.open_draft(version_id, trainee_id)
    return render_template("assessments/_comment_items.html", comments=comments.comments_of(draft.id if draft else None),
                           version=version, editable=True)


@assessor_required
def comment(version_id: int, trainee_id: int):
    """Add a time-stamped comment (waktu, butir, teks) to the open draft, or remove one (hapus)."""
    version, trainee = permissions.version_and_trainee_or_404(version_id, trainee_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    seconds = None
    try:
        permissions.check_judgeable(current_user, version, trainee.id)
        if request.form.get("hapus"):
            comments.remove_comments(version, trainee, current_user, [request.form["hapus"]])
            message = _("Komentar dihapus.")
        else:
            new = comments.parse_comment(request.form, version.submission.practical, _duration(version))
            comments.add_comment(version, trainee, current_user, new)
            seconds = new.seconds
            message = _("Komentar di menit %(t)s tersimpan.", t=form_input.format_seconds(new.seconds))
    except ServiceError as exc:
        if _wants_json():
            return render_error(exc.status, exc.message)
        flash(exc.message, "error")
        return _render_marking(version, trainee, None, exc.status)
    if _wants_json():
        return jsonify(ok=True, message=message, list_html=_comment_items(version_id, trainee_id))
    flash(message, "success")
    return redirect(_marking_url(version.id, trainee.id, seconds, request.form) + "#komentar")


@assessor_required
def next_in_queue():
    """The version after ?dari= in the assessor's own queue (same filters), else the first one.
    The queue's rules hold: only submitters, never a version the assessor appears in."""
    current = request.args.get("dari", type=int)
    wanted = _queue_filter(request.args)
    rows = assessor_queue.queue(current_user, class_id=wanted["kelas"], code=wanted["lik"])
    ids = [row.version.id for row in rows]
    after = ids.index(current) + 1 if current in ids else 0
    for row in rows[after:] + rows[:after]:
        if row.version.id != current:
            return redirect(url_for("assessments.mark", version_id=row.version.id, trainee_id=row.trainee.id,
                                    **{k: v for k, v in wanted.items() if v is not None}))
    flash(_("Tidak ada kiriman lain yang menunggu penilaian Anda di antrean ini."), "info")
    return redirect(url_for("assessments.queue", **{k: v for k, v in wanted.items() if v is not None}))


@assessor_required
def correct(judgement_id: int):
    old = permissions.judgement_for_viewer_or_404(current_user, judgement_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    version, trainee = old.version, old.trainee
    permissions.check_judgeable(current_user, version, trainee.id)
    try:
        marks = form_input.parse_marks(request.form, version.submission.practical)
        attitudes = form_input.parse_attitudes(request.form, version.submission.practical)
        judgements.correct(old, current_user, marks, request.form.get("rekomendasi"),
                        request.form.get("umpan_balik"), request.form.get("tuk"), request.form.get("alasan"),
                        attitudes)
    except ServiceError as exc:
        flash(exc.message, "error")
        return _render_marking(version, trainee, request.form, exc.status, correcting=True)
    flash(_("Koreksi tersimpan sebagai penilaian final baru; penilaian lama tetap tercatat."), "success")
    return redirect(url_for("assessments.mark", version_id=version.id, trainee_id=trainee.id))


# --- trainee ---------------------------------------------------------------------------------

@trainee_required
def results(code: str):
    code = (code or "").upper()
    if code not in lookups.LIK_CODES:
        abort(404)
    practical = records.practical_by_code(code)
    if practical is None:
        abort(404)
    history = lookups.trainee_history(current_user, code)
    shown = [j for h in history for j in h.judgements]
    return render_template("assessments/results.html", practical=practical, code=code, history=history,
                           timelines=comments.timelines_for_trainee(history),
                           result=lookups.effective_lik_result(current_user.id, code),
                           practical_url=url_for("practicals.sheet", code=code),
                           rows_of={j.id: records.observation_rows(j) for j in shown},
                           evidence_rule=permissions.evidence_rule(practical),
                           newer_of=lookups.superseding(shown), **_common())


# --- teacher: recap and exports -----------------------------------------------------------

@teacher_required
def recap(class_id: int):
    classroom = get_class_for_teacher(class_id, current_user)
    return render_template("assessments/recap.html", classroom=classroom, rows=records.class_recap(classroom),
                           **_common())


def _export_name(classroom, ext: str) -> str:
    return f"rekap-unit-kelas-{classroom.id}-{local_today().isoformat()}.{ext}"


@teacher_required
def recap_csv(class_id: int):
    classroom = get_class_for_teacher(class_id, current_user)
    header, rows = records.recap_table(classroom)
    return Response(csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{_export_name(classroom, "csv")}"'})


@teacher_required
def recap_xlsx(class_id: int):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    classroom = get_class_for_teacher(class_id, current_user)
    header, rows = records.recap_table(classroom)
    book = Workbook()
    sheet = book.active
    sheet.title = "Rekap unit"
    sheet.append([f"{records.UNIT_CODE} {records.UNIT_TITLE}"])
    sheet.append([_("Kelas: %(k)s", k=classroom.label)])
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([spreadsheet_safe(v) for v in row])
    for column, width in zip("ABCDEFGHI", (5, 12, 30, 14, 10, 22, 22, 16, 60)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return Response(out.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{_export_name(classroom, "xlsx")}"'})


# --- records ------------------------------------------------------------------------------

@role_required("teacher", "assessor", "admin")
def class_report(class_id: int):
    classroom = permissions.class_for_report_or_404(current_user, class_id)
    return render_template("assessments/class_report.html", classroom=classroom,
                           rows=records.class_report(classroom), appeals=records.class_appeals(classroom),
                           today=local_today(), **_common())


@login_required
def record(trainee_id: int):
    trainee = permissions.trainee_for_records_or_404(current_user, trainee_id)
    return render_template("assessments/record.html", rec=records.assessment_record(trainee), **_common())


@login_required
def record_pdf(trainee_id: int):
    from .pdf import record_pdf as build

    trainee = permissions.trainee_for_records_or_404(current_user, trainee_id)
    data = build(records.assessment_record(trainee), current_app.static_folder)
    filename = f"rekaman-asesmen-{trainee.nis or trainee.id}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


@login_required
def observation(judgement_id: int):
    judgement = permissions.judgement_for_viewer_or_404(current_user, judgement_id)
    return render_template("assessments/observation.html", judgement=judgement,
                           practical=judgement.version.submission.practical,
                           rows=records.observation_rows(judgement), superseded_by=lookups.superseded_by(judgement),
                           **_common())


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/antrean",                                         view_func=queue)
bp.add_url_rule("/versi/<int:version_id>/peserta/<int:trainee_id>", view_func=mark, methods=["GET", "POST"])
bp.add_url_rule("/versi/<int:version_id>/peserta/<int:trainee_id>/komentar",
                view_func=comment, methods=["POST"])
bp.add_url_rule("/berikutnya",                                       view_func=next_in_queue)
bp.add_url_rule("/koreksi/<int:judgement_id>",                      view_func=correct, methods=["POST"])
bp.add_url_rule("/hasil/<code>",                                    view_func=results)
bp.add_url_rule("/kelas/<int:class_id>/rekap",                      view_func=recap)
bp.add_url_rule("/kelas/<int:class_id>/rekap.csv",                  view_func=recap_csv)
bp.add_url_rule("/kelas/<int:class_id>/rekap.xlsx",                 view_func=recap_xlsx)
bp.add_url_rule("/kelas/<int:class_id>/laporan",                    view_func=class_report)
bp.add_url_rule("/rekaman/<int:trainee_id>",                        view_func=record)
bp.add_url_rule("/rekaman/<int:trainee_id>.pdf",                    view_func=record_pdf)
bp.add_url_rule("/observasi/<int:judgement_id>",                    view_func=observation)
