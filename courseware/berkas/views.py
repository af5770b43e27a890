"""Berkas pages (prefix /berkas): a trainee's forms, a class's forms, APL.02 and AK.01 signing, partner
consent, any form rendered from its definition, drawn signatures, and the PUBLIC fingerprint check
(/periksa). The URL table is at the end; who may open what is in the decorators and permissions.py."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth import role_required, trainee_required
from ..classes.models import Classroom
from ..classes.permissions import can_see_class
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
    teaches = can_see_class(current_user, classroom)
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

@limiter.limit("30 per minute")
def check():
    code = (request.args.get("kode") or "").strip()
    result = signing.verify(code) if code else None
    return render_template("berkas/check.html", code=code, result=result, asked=bool(code))


# --- lists ---------------------------------------------------------------------------------------

@login_required
def index():
    context = {}
    if current_user.has_role("trainee"):
        context.update(apl02_form=apl02.current_form(current_user.id),
                       ak01_form=ak01.find_form(ak01.KIND, current_user.id),
                       partner_versions=(partnered := ak01.versions_as_partner(current_user)),
                       consents=ak01.consent_states(partnered), status_label=service.status_label,
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
                           consent_labels=ak01.consent_labels(), is_trainee=current_user.has_role("trainee"), **context)


@login_required
def class_page(class_id: int):
    classroom = _class_or_404(class_id)
    rows = [(t, apl02.current_form(t.id), ak01.find_form(ak01.KIND, t.id)) for t in trainees_of(classroom)]
    manage = can_see_class(current_user, classroom)
    return render_template("berkas/class.html", classroom=classroom, rows=rows, manage=manage,
                           settings=service.class_settings(class_id), status_label=service.status_label,
                           assessors=service.class_assessors(class_id))


@role_required("teacher", "admin")
def class_settings(class_id: int):
    classroom = _class_or_404(class_id, manage=True)
    service.set_apl02_required(classroom, request.form.get("apl02_required") == "1", current_user)
    flash(_("Pengaturan berkas kelas tersimpan."), "success")
    return redirect(url_for("berkas.class_page", class_id=class_id))


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
        rows=definitions.display_rows(form), versions=(versions := ak01.versions_of_trainee(trainee.id)),
        consents=ak01.consent_states(versions), consent_labels=ak01.consent_labels()), status


@login_required
def ak01_page(trainee_id: int):
    trainee = permissions.trainee_or_404(current_user, trainee_id)
    return _render_ak01(trainee, ak01.find_form(ak01.KIND, trainee.id) or _blank(ak01.KIND, trainee))


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

@trainee_required
def partner_list():
    versions = ak01.versions_as_partner(current_user)
    return render_template("berkas/partner.html", versions=versions, consents=ak01.consent_states(versions),
                           consent_labels=ak01.consent_labels())


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

@login_required
def form_page(form_id: int):
    form = permissions.form_or_404(current_user, form_id)
    definition = definitions.definition(form.kind)
    return render_template("berkas/form.html", form=form, definition=definition,
                           rows=definitions.display_rows(form),
                           signers=[(r, _sig_context(form, r)) for r in definition["signers"]])


@login_required
def signature_image(signature_id: int):
    signature = db.session.get(FormSignature, signature_id)
    if signature is None or not permissions.may_view_form(current_user, signature.form):
        abort(404)
    response = Response(signature.drawing, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/periksa",                               view_func=check)
bp.add_url_rule("/",                                      view_func=index)
bp.add_url_rule("/kelas/<int:class_id>",                  view_func=class_page)
bp.add_url_rule("/kelas/<int:class_id>/pengaturan",       view_func=class_settings, methods=["POST"])
bp.add_url_rule("/kelas/<int:class_id>/asesor",           view_func=class_assessor, methods=["POST"])
bp.add_url_rule("/peserta/<int:trainee_id>/apl02",        view_func=apl02_page, methods=["GET", "POST"])
bp.add_url_rule("/peserta/<int:trainee_id>/apl02/tinjau", view_func=apl02_review, methods=["POST"])
bp.add_url_rule("/peserta/<int:trainee_id>/apl02/baru",   view_func=apl02_restart, methods=["POST"])
bp.add_url_rule("/peserta/<int:trainee_id>/ak01",         view_func=ak01_page)
bp.add_url_rule("/peserta/<int:trainee_id>/ak01/rencana", view_func=ak01_plan, methods=["POST"])
bp.add_url_rule("/peserta/<int:trainee_id>/ak01/setuju",  view_func=ak01_agree, methods=["POST"])
bp.add_url_rule("/pasangan",                              view_func=partner_list)
bp.add_url_rule("/pasangan/<int:version_id>",             view_func=partner_decide, methods=["POST"])
bp.add_url_rule("/formulir/<int:form_id>",                view_func=form_page)
bp.add_url_rule("/tanda-tangan/<int:signature_id>.png",   view_func=signature_image)
