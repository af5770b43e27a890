"""Practicals pages: the sheets, trainees' versions and attachments, a class's overview. The URL
table is at the end; who may open what is in the decorators and in practicals.permissions.
"""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth import teacher_required, trainee_required
from ..classes.service import classes_taught_by, get_class_for_teacher
from ..errors import ServiceError
from ..accounts.forms import EmptyForm
from ..extensions import db
from ..media.storage import get_storage
from . import attachments, service
from .forms import VersionForm
from .models import SubmissionAttachment, SubmissionVersion
from .permissions import can_view_version

bp = Blueprint("practicals", __name__, url_prefix="/praktik")

def _version_form(user) -> VersionForm:
    form = VersionForm()
    form.partner.choices = [(0, _("Tanpa pasangan / pasangan dari luar aplikasi"))] + [
        (u.id, f"{u.full_name} ({u.username})") for u in service.classmates_of(user)]
    return form


def _render_sheet(practical, form=None, status=200):
    context = {"practical": practical, "other": service.other_practical(practical),
               "evidence_rule": service.evidence_rule(practical),
               "upload_kind": service.UPLOAD_KIND}
    if current_user.has_role("trainee"):
        submission = service.own_submission(current_user, practical)
        latest = service.latest_version(submission)
        if form is None:
            form = _version_form(current_user)
            if latest is not None and latest.media_file_id is None:
                form.partner.data, form.transcript.data = latest.partner_id or 0, latest.transcript
            elif latest is not None:
                form.partner.data = latest.partner_id or 0
        versions = list(reversed(submission.versions)) if submission else []
        context.update(berkas_block=service.berkas_block_reason(current_user))
        context.update(submission=submission, latest=latest, form=form, versions=versions,
                       attachments=attachments.attachments_by_version(versions), attach_form=EmptyForm(),
                       partnered=service.partnered_versions(current_user, practical))
    return render_template("practicals/sheet.html", **context), status


@login_required
def index():
    practicals = service.all_practicals()
    mine = {}
    if current_user.has_role("trainee"):
        for practical in practicals:
            mine[practical.code] = service.latest_version(service.own_submission(current_user, practical))
    classes = classes_taught_by(current_user) if current_user.has_role("teacher", "admin") else []
    return render_template("practicals/index.html", practicals=practicals, mine=mine, classes=classes)


@login_required
def sheet(code: str):
    return _render_sheet(service.get_practical_or_404(code))


@trainee_required
def save_version(code: str):
    practical = service.get_practical_or_404(code)
    form = _version_form(current_user)
    if not form.validate_on_submit():
        flash(_("Periksa kembali isian kiriman Anda."), "error")
        return _render_sheet(practical, form, 400)
    try:
        version, created = service.save_version(current_user, practical, form.partner.data, form.transcript.data)
    except ServiceError as exc:
        flash(exc.message, "error")
        return _render_sheet(practical, form, exc.status)
    if created:
        flash(_("Versi %(n)d tersimpan. Sekarang unggah videonya di bawah.", n=version.number), "success")
    else:
        flash(_("Perubahan versi %(n)d tersimpan.", n=version.number), "success")
    return redirect(url_for("practicals.sheet", code=practical.code, _anchor="kiriman"))


@login_required
def submission(submission_id: int):
    from ..assessments.comments import timeline_for_submitter  # the assessor's comments under each video

    submission = service.visible_submission_or_404(current_user, submission_id)
    versions = service.visible_versions(current_user, submission)
    return render_template("practicals/submission.html", submission=submission, versions=versions,
                           timelines={v.id: timeline_for_submitter(current_user, v) for v in versions})


@teacher_required
def class_overview(class_id: int):
    classroom = get_class_for_teacher(class_id, current_user)
    practicals, rows = service.class_overview(classroom)
    return render_template("practicals/class_overview.html", classroom=classroom, practicals=practicals, rows=rows)


# --- written products attached to a version ------------------------------------------------

@trainee_required
def attach(version_id: int):
    version = db.session.get(SubmissionVersion, version_id)
    if version is None or version.submission.trainee_id != current_user.id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    upload = request.files.get("lampiran")
    if upload is None or not upload.filename:
        flash(_("Pilih foto atau PDF yang akan dilampirkan."), "error")
        return _render_sheet(version.submission.practical, status=400)
    try:
        attachments.add_attachment(current_user, version, upload.stream, upload.filename)
    except ServiceError as exc:
        flash(exc.message, "error")
        return _render_sheet(version.submission.practical, status=exc.status)
    flash(_("Lampiran tersimpan di versi %(n)d.", n=version.number), "success")
    return redirect(url_for("practicals.sheet", code=version.submission.practical.code, _anchor="kiriman"))


@login_required
def attachment(attachment_id: int):
    item = db.session.get(SubmissionAttachment, attachment_id)
    if item is None or not can_view_version(current_user, item.version):
        abort(404)
    storage = get_storage()
    return Response(storage.open_read(item.storage_key), mimetype=item.content_type, headers={
        "Content-Length": str(item.size), "Cache-Control": "private, no-store",
        "Content-Disposition": f'inline; filename="lampiran-{item.id}{attachments.KINDS[item.content_type]}"'})


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/",                                view_func=index)
bp.add_url_rule("/<code>",                          view_func=sheet)
bp.add_url_rule("/<code>/versi",                    view_func=save_version, methods=["POST"])
bp.add_url_rule("/kiriman/<int:submission_id>",     view_func=submission)
bp.add_url_rule("/kelas/<int:class_id>",            view_func=class_overview)
bp.add_url_rule("/versi/<int:version_id>/lampiran", view_func=attach, methods=["POST"])
bp.add_url_rule("/lampiran/<int:attachment_id>",    view_func=attachment)
