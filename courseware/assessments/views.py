"""Assessment pages (prefix /penilaian): the assessor's queue and marking screen, a trainee's results,
class recaps and reports, FR.AK.02 records. The URL table is at the end; who may open what is in the
decorators and in assessments.permissions."""
import io

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ..accounts.forms import EmptyForm
from ..formats import csv_text, local_today, spreadsheet_safe
from ..auth import assessor_required, role_required, teacher_required, trainee_required
from ..classes.service import get_class_for_teacher
from ..errors import ServiceError
from ..practicals.attachments import attachments_by_version
from ..results import status as results_status
from ..sanitize import render_user_markdown
from . import assessor_queue, form_input, judgements, permissions, records

bp = Blueprint("assessments", __name__, url_prefix="/penilaian")

def user_markdown(text) -> Markup:
    """Comments, feedback: Markdown through the shared sanitiser (never raw HTML)."""
    # Safe: render_user_markdown escapes raw HTML and cleans with the bleach allow-list.
    return Markup(render_user_markdown(text or ""))  # nosec B704


def _common() -> dict:
    return {"labels": judgements.result_labels(),
            "test_labels": judgements.test_labels(), "unit_labels": results_status.unit_labels()}


# --- assessor ------------------------------------------------------------------------------

@assessor_required
def queue():
    class_id = request.args.get("kelas", type=int)
    code = request.args.get("lik") if request.args.get("lik") in judgements.LIK_CODES else None
    rows = assessor_queue.queue(current_user, class_id=class_id, code=code)
    return render_template("assessments/queue.html", rows=rows, classes=assessor_queue.queue_classes(),
                           class_id=class_id, code=code, codes=judgements.LIK_CODES,
                           format_waiting=assessor_queue.format_waiting, **_common())


def _entries(practical, judgement=None, form=None) -> list[dict]:
    """One dict per active point for the marks form: from the submitted form, or a judgement's marks."""
    entries = []
    for point in judgements.points_of(practical):
        if form is not None:
            entries.append({"point": point, "result": (form.get(f"hasil-{point.id}") or "").upper() or None,
                            "comment": form.get(f"komentar-{point.id}") or "",
                            "time": form.get(f"waktu-{point.id}") or ""})
            continue
        mark = judgement.mark_for(point.id) if judgement is not None else None
        entries.append({"point": point, "result": mark.result if mark else None,
                        "comment": mark.comment if mark else "",
                        "time": form_input.format_seconds(mark.video_seconds) if mark else ""})
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


def _render_marking(version, trainee, form=None, status=200, correcting=False):
    practical = version.submission.practical
    final = judgements.current_final(version.id, trainee.id)
    draft = judgements.open_draft(version.id, trainee.id)
    source = final if final is not None else draft
    values = {"recommendation": source.recommendation if source else None,
              "feedback": source.feedback if source else "", "tuk": source.tuk if source else "",
              "reason": ""}
    if form is not None:
        values = {"recommendation": form.get("rekomendasi") or None, "feedback": form.get("umpan_balik") or "",
                  "tuk": form.get("tuk") or "", "reason": form.get("alasan") or ""}
    history = judgements.final_history(version.id, trainee.id)
    evidence = judgements.evidence_version(trainee.id, practical.code)
    return render_template(
        "assessments/mark.html", version=version, trainee=trainee, practical=practical,
        evidence_rule=permissions.evidence_rule(practical), other=version.partner, final=final, draft=draft,
        history=history,
        entries=_entries(practical, source, form), attitudes=_attitude_entries(practical, source, form),
        attachments=attachments_by_version([version]).get(version.id, []),
        values=values, correcting=correcting,
        is_newest=evidence is not None and evidence.id == version.id,
        newer_of=judgements.superseding(history),
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
    finalising = request.form.get("aksi") == "final"
    try:
        marks = form_input.parse_marks(request.form, practical)
        attitudes = form_input.parse_attitudes(request.form, practical)
        sure = bool(request.form.get("yakin"))
        judgements.save_draft(version, trainee, current_user, marks, request.form.get("rekomendasi"),
                              request.form.get("umpan_balik"), request.form.get("tuk"), attitudes,
                              then_finalise=finalising and sure)
        if finalising and not sure:
            raise ServiceError(_("Draf tersimpan. Centang pernyataan bahwa penilaian sudah benar untuk "
                                 "memfinalkannya."))
    except ServiceError as exc:
        flash(exc.message, "error")
        return _render_marking(version, trainee, request.form, exc.status)
    if finalising:
        flash(_("Penilaian %(c)s untuk %(n)s sudah final.", c=code, n=name), "success")
        return redirect(url_for("assessments.mark", version_id=version_id, trainee_id=trainee_id))
    flash(_("Draf penilaian tersimpan."), "success")
    return redirect(url_for("assessments.mark", version_id=version_id, trainee_id=trainee_id, _anchor="butir"))


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
    if code not in judgements.LIK_CODES:
        abort(404)
    practical = records.practical_by_code(code)
    if practical is None:
        abort(404)
    history = judgements.trainee_history(current_user, code)
    shown = [j for h in history for j in h.judgements]
    return render_template("assessments/results.html", practical=practical, code=code, history=history,
                           result=judgements.effective_lik_result(current_user.id, code),
                           practical_url=url_for("practicals.sheet", code=code),
                           rows_of={j.id: records.observation_rows(j) for j in shown},
                           evidence_rule=permissions.evidence_rule(practical),
                           newer_of=judgements.superseding(shown), **_common())


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
                           rows=records.observation_rows(judgement), superseded_by=judgements.superseded_by(judgement),
                           **_common())


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/antrean",                                         view_func=queue)
bp.add_url_rule("/versi/<int:version_id>/peserta/<int:trainee_id>", view_func=mark, methods=["GET", "POST"])
bp.add_url_rule("/koreksi/<int:judgement_id>",                      view_func=correct, methods=["POST"])
bp.add_url_rule("/hasil/<code>",                                    view_func=results)
bp.add_url_rule("/kelas/<int:class_id>/rekap",                      view_func=recap)
bp.add_url_rule("/kelas/<int:class_id>/rekap.csv",                  view_func=recap_csv)
bp.add_url_rule("/kelas/<int:class_id>/rekap.xlsx",                 view_func=recap_xlsx)
bp.add_url_rule("/kelas/<int:class_id>/laporan",                    view_func=class_report)
bp.add_url_rule("/rekaman/<int:trainee_id>",                        view_func=record)
bp.add_url_rule("/rekaman/<int:trainee_id>.pdf",                    view_func=record_pdf)
bp.add_url_rule("/observasi/<int:judgement_id>",                    view_func=observation)
