"""Berkas pages. URL table (prefix /berkas):

  /                                    everyone with a role: own forms (trainee), classes (staff)
  /periksa?kode=<fingerprint>          PUBLIC: valid/invalid + form kind + date signed, nothing else
  /kelas/<class_id>                    teacher of the class, its assessors, admin: forms per trainee
  /kelas/<class_id>/pengaturan         POST, teacher of the class/admin: APL.02 gate on/off
  /kelas/<class_id>/asesor             POST, teacher of the class/admin: name or remove an assessor
  /peserta/<trainee_id>/apl02          GET the form; POST the trainee's answers + signature
  /peserta/<trainee_id>/apl02/tinjau   POST, assessor of the class: recommendation + signature
  /peserta/<trainee_id>/apl02/baru     POST, the trainee after "tidak dapat dilanjutkan": a new one
  /peserta/<trainee_id>/ak01           GET the form; POST .../rencana (assessor), .../setuju (trainee)
  /pasangan                            a trainee's versions as partner; POST /pasangan/<version_id>
  /formulir/<form_id>                  any form, rendered from its definition (display_rows)
  /tanda-tangan/<signature_id>.png     the drawn signature, for those who may see the form
"""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth import role_required, trainee_required
from ..classes.models import Classroom
from ..classes.service import trainees_of
from ..errors import ServiceError
from ..extensions import db, limiter
from . import ak01, apl02, definitions, permissions, service, signing
from .models import AssessmentForm, FormSignature

bp = Blueprint("berkas", __name__, url_prefix="/berkas")


def _class_or_404(class_id: int, manage: bool = False) -> Classroom:
    classroom = db.session.get(Classroom, class_id)
    if classroom is None:
        abort(404)
    teaches = current_user.is_admin or classroom.teacher_id == current_user.id
    if manage and not teaches:
        abort(404)
    if not (teaches or permissions.assesses_class(current_user, class_id)):
        abort(404)
    return classroom


def _blank(kind: str, trainee) -> AssessmentForm:
    """An unsaved empty form to render before anyone filled it in (GET never writes)."""
    return AssessmentForm(kind=kind, trainee_id=trainee.id, content={})


def _sig_context(form, role: str) -> dict:
    return {"declaration": definitions.declaration(form.kind, role), "signature": form.signature_for(role)}


# --- public check --------------------------------------------------------------------------------

@bp.route("/periksa")
@limiter.limit("30 per minute")
def check():
    code = (request.args.get("kode") or "").strip()
    result = signing.verify(code) if code else None
    return render_template("berkas/check.html", code=code, result=result, asked=bool(code))


# --- lists ---------------------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    context = {}
    if current_user.has_role("trainee"):
        context.update(apl02_form=apl02.current_form(current_user.id),
                       ak01_form=ak01.find_form(ak01.KIND, current_user.id),
                       partner_versions=ak01.versions_as_partner(current_user), status_label=service.status_label,
                       titles={k: definitions.definition(k)["title"] for k in (apl02.KIND, ak01.KIND)})
    classes = {}
    if current_user.has_role("teacher", "admin"):
        from ..classes.service import classes_taught_by

        classes.update({c.id: c for c in classes_taught_by(current_user)})
    if current_user.has_role("assessor", "admin"):
        classes.update({c.id: c for c in permissions.classes_assessed_by(current_user)})
    if not context and not classes and not current_user.has_role("teacher", "assessor", "admin"):
        abort(403)
    return render_template("berkas/index.html", classes=sorted(classes.values(), key=lambda c: c.name),
                           consent_labels=ak01.consent_labels(), consent_state=ak01.consent_state, **context)


@bp.route("/kelas/<int:class_id>")
@login_required
def class_page(class_id: int):
    classroom = _class_or_404(class_id)
    rows = [(t, apl02.current_form(t.id), ak01.find_form(ak01.KIND, t.id)) for t in trainees_of(classroom)]
    manage = current_user.is_admin or classroom.teacher_id == current_user.id
    return render_template("berkas/class.html", classroom=classroom, rows=rows, manage=manage,
                           settings=service.class_settings(class_id), status_label=service.status_label,
                           assessors=service.class_assessors(class_id))


@bp.route("/kelas/<int:class_id>/pengaturan", methods=["POST"])
@role_required("teacher", "admin")
def class_settings(class_id: int):
    classroom = _class_or_404(class_id, manage=True)
    service.set_apl02_required(classroom, request.form.get("apl02_required") == "1", current_user)
    flash(_("Pengaturan berkas kelas tersimpan."), "success")
    return redirect(url_for("berkas.class_page", class_id=class_id))


@bp.route("/kelas/<int:class_id>/asesor", methods=["POST"])
@role_required("teacher", "admin")
def class_assessor(class_id: int):
    classroom = _class_or_404(class_id, manage=True)
    try:
        if request.form.get("remove"):
            service.remove_class_assessor(classroom, int(request.form["remove"]), current_user)
            flash(_("Asesor dilepas dari kelas ini."), "success")
        else:
            user = service.add_class_assessor(classroom, request.form.get("username"), current_user)
            flash(_("%(name)s sekarang asesor kelas ini.", name=user.full_name), "success")
    except (ServiceError, ValueError) as exc:
        flash(getattr(exc, "message", _("Permintaan tidak sah.")), "error")
        return redirect(url_for("berkas.class_page", class_id=class_id)), 303
    return redirect(url_for("berkas.class_page", class_id=class_id))


# --- FR.APL.02 -----------------------------------------------------------------------------------

def _render_apl02(trainee, form, status=200, error=None):
    return render_template(
        "berkas/apl02.html", trainee=trainee, form=form, definition=definitions.definition(apl02.KIND),
        questions=apl02.questions(), answers={a["kuk"]: a for a in form.content.get("kuk") or []},
        posted=request.form if request.method == "POST" else {}, error=error,
        rec_field=definitions.field(apl02.KIND, "recommendation"), options=definitions.options,
        may_fill=permissions.may_sign(current_user, form, "peserta") and form.signature_for("peserta") is None,
        may_review=(permissions.may_sign(current_user, form, "asesor") and form.signature_for("peserta") is not None
                    and not form.is_locked),
        may_restart=current_user.id == trainee.id and apl02.may_restart(form),
        peserta=_sig_context(form, "peserta"), asesor=_sig_context(form, "asesor"),
        rows=definitions.display_rows(form)), status


@bp.route("/peserta/<int:trainee_id>/apl02", methods=["GET", "POST"])
@login_required
def apl02_page(trainee_id: int):
    trainee = permissions.trainee_or_404(current_user, trainee_id)
    form = apl02.current_form(trainee.id) or _blank(apl02.KIND, trainee)
    if request.method == "POST":
        try:
            if current_user.id != trainee.id:
                raise ServiceError(_("Hanya peserta sendiri yang mengisi asesmen mandirinya."), 403)
            apl02.submit(current_user, request.form)
        except ServiceError as exc:
            db.session.rollback()
            return _render_apl02(trainee, form, exc.status, exc)
        flash(_("Asesmen mandiri terkirim dan ditandatangani. Asesor kelas Anda akan meninjaunya."), "success")
        return redirect(url_for("berkas.apl02_page", trainee_id=trainee.id))
    return _render_apl02(trainee, form)


@bp.route("/peserta/<int:trainee_id>/apl02/tinjau", methods=["POST"])
@role_required("assessor")
def apl02_review(trainee_id: int):
    trainee = permissions.trainee_or_404(current_user, trainee_id)
    form = apl02.current_form(trainee.id)
    if form is None:
        abort(404)
    try:
        apl02.review(form, current_user, request.form)
    except ServiceError as exc:
        db.session.rollback()
        return _render_apl02(trainee, form, exc.status, exc)
    flash(_("Tinjauan asesmen mandiri tersimpan dan ditandatangani."), "success")
    return redirect(url_for("berkas.apl02_page", trainee_id=trainee.id))


@bp.route("/peserta/<int:trainee_id>/apl02/baru", methods=["POST"])
@trainee_required
def apl02_restart(trainee_id: int):
    if trainee_id != current_user.id:
        abort(404)
    try:
        apl02.restart(current_user)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("berkas.apl02_page", trainee_id=trainee_id)), 303
    return redirect(url_for("berkas.apl02_page", trainee_id=trainee_id))


# --- FR.AK.01 ------------------------------------------------------------------------------------

def _render_ak01(trainee, form, status=200, error=None):
    return render_template(
        "berkas/ak01.html", trainee=trainee, form=form, definition=definitions.definition(ak01.KIND),
        institution=definitions.institution(), posted=request.form if request.method == "POST" else {},
        error=error, field=lambda fid: definitions.field(ak01.KIND, fid), options=definitions.options,
        may_plan=permissions.may_sign(current_user, form, "asesor") and form.signature_for("asesor") is None,
        may_agree=(permissions.may_sign(current_user, form, "peserta") and form.signature_for("asesor") is not None
                   and form.signature_for("peserta") is None),
        peserta=_sig_context(form, "peserta"), asesor=_sig_context(form, "asesor"),
        rows=definitions.display_rows(form), versions=ak01.versions_of_trainee(trainee.id),
        consent_state=ak01.consent_state, consent_labels=ak01.consent_labels()), status


@bp.route("/peserta/<int:trainee_id>/ak01")
@login_required
def ak01_page(trainee_id: int):
    trainee = permissions.trainee_or_404(current_user, trainee_id)
    return _render_ak01(trainee, ak01.find_form(ak01.KIND, trainee.id) or _blank(ak01.KIND, trainee))


@bp.route("/peserta/<int:trainee_id>/ak01/rencana", methods=["POST"])
@role_required("assessor")
def ak01_plan(trainee_id: int):
    trainee = permissions.trainee_or_404(current_user, trainee_id)
    form = ak01.find_form(ak01.KIND, trainee.id) or _blank(ak01.KIND, trainee)
    try:
        ak01.plan(trainee, current_user, request.form)
    except ServiceError as exc:
        db.session.rollback()
        return _render_ak01(trainee, form, exc.status, exc)
    flash(_("Rencana asesmen tersimpan dan ditandatangani. Peserta sekarang dapat menyetujuinya."), "success")
    return redirect(url_for("berkas.ak01_page", trainee_id=trainee.id))


@bp.route("/peserta/<int:trainee_id>/ak01/setuju", methods=["POST"])
@trainee_required
def ak01_agree(trainee_id: int):
    trainee = permissions.trainee_or_404(current_user, trainee_id)
    form = ak01.find_form(ak01.KIND, trainee.id) or _blank(ak01.KIND, trainee)
    try:
        ak01.agree(form, current_user, request.form)
    except ServiceError as exc:
        db.session.rollback()
        return _render_ak01(trainee, form, exc.status, exc)
    flash(_("Persetujuan asesmen ditandatangani."), "success")
    return redirect(url_for("berkas.ak01_page", trainee_id=trainee.id))


# --- partner consent -----------------------------------------------------------------------------

@bp.route("/pasangan")
@trainee_required
def partner_list():
    return render_template("berkas/partner.html", versions=ak01.versions_as_partner(current_user),
                           consent_state=ak01.consent_state, consent_labels=ak01.consent_labels())


@bp.route("/pasangan/<int:version_id>", methods=["POST"])
@trainee_required
def partner_decide(version_id: int):
    try:
        ak01.decide(current_user, version_id, request.form.get("decision", ""))
    except ServiceError as exc:
        if exc.status == 404:
            abort(404)
        flash(exc.message, "error")
        return redirect(url_for("berkas.partner_list")), 303
    flash(_("Jawaban Anda tersimpan."), "success")
    return redirect(url_for("berkas.partner_list"))


# --- any form, and the drawn signatures ----------------------------------------------------------

@bp.route("/formulir/<int:form_id>")
@login_required
def form_page(form_id: int):
    form = permissions.form_or_404(current_user, form_id)
    definition = definitions.definition(form.kind)
    return render_template("berkas/form.html", form=form, definition=definition,
                           rows=definitions.display_rows(form),
                           signers=[(r, _sig_context(form, r)) for r in definition["signers"]])


@bp.route("/tanda-tangan/<int:signature_id>.png")
@login_required
def signature_image(signature_id: int):
    signature = db.session.get(FormSignature, signature_id)
    if signature is None or not permissions.may_view_form(current_user, signature.form):
        abort(404)
    response = Response(signature.drawing, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
