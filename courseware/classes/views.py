from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.forms import EmptyForm
from ..auth import teacher_required, trainee_required
from ..errors import ServiceError
from ..extensions import limiter
from . import service
from .forms import ClassForm, JoinForm, RosterForm

bp = Blueprint("classes", __name__, url_prefix="/kelas")

MAX_ROSTER_BYTES = 512 * 1024


@bp.route("/")
@teacher_required
def index():
    return render_template("classes/index.html", classes=service.classes_taught_by(current_user), form=ClassForm())


@bp.route("/baru", methods=["POST"])
@teacher_required
def create():
    form = ClassForm()
    if form.validate_on_submit():
        try:
            classroom = service.create_class(current_user, form.name.data, form.academic_year.data)
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("classes/index.html", classes=service.classes_taught_by(current_user),
                                   form=form), exc.status
        flash(_("Kelas %(n)s dibuat. Bagikan kode %(c)s kepada peserta.", n=classroom.name, c=classroom.join_code),
              "success")
        return redirect(url_for("classes.detail", class_id=classroom.id))
    return render_template("classes/index.html", classes=service.classes_taught_by(current_user), form=form), 400


@bp.route("/<int:class_id>")
@teacher_required
def detail(class_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    return render_template("classes/detail.html", classroom=classroom, trainees=service.trainees_of(classroom),
                           roster_form=RosterForm(), action_form=EmptyForm())


@bp.route("/<int:class_id>/impor", methods=["POST"])
@teacher_required
def import_roster(class_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    form = RosterForm()
    if not form.validate_on_submit():
        flash(_("Pilih berkas CSV daftar peserta."), "error")
        return redirect(url_for("classes.detail", class_id=class_id))
    raw = form.roster.data.read(MAX_ROSTER_BYTES + 1)
    if len(raw) > MAX_ROSTER_BYTES:
        abort(413)
    try:
        result = service.import_roster(classroom, raw, current_user)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("classes.detail", class_id=class_id))
    return render_template("classes/import_result.html", classroom=classroom, result=result, form=EmptyForm())


@bp.route("/<int:class_id>/kredensial.csv", methods=["POST"])
@teacher_required
def credentials_csv(class_id: int):
    """Echo back the just-shown first passwords as CSV; nothing plain is stored on the server."""
    classroom = service.get_class_for_teacher(class_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    enrolled = {u.username: u for u in service.trainees_of(classroom)}
    rows = []
    for username, password in zip(request.form.getlist("username"), request.form.getlist("password")):
        user = enrolled.get(username)
        if user is not None:
            rows.append({"nis": user.nis or "", "name": user.full_name, "username": username, "password": password})
    filename = f"kata-sandi-awal-kelas-{classroom.id}.csv"
    return Response(service.credentials_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@bp.route("/<int:class_id>/kode-baru", methods=["POST"])
@teacher_required
def new_code(class_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.regenerate_join_code(classroom, current_user)
    flash(_("Kode kelas baru: %(c)s. Kode lama tidak berlaku lagi.", c=classroom.join_code), "success")
    return redirect(url_for("classes.detail", class_id=class_id))


@bp.route("/<int:class_id>/peserta/<int:user_id>/keluarkan", methods=["POST"])
@teacher_required
def remove(class_id: int, user_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.remove_trainee(classroom, user_id, current_user)
    flash(_("Peserta dikeluarkan dari kelas. Akun dan hasil kerjanya tetap tersimpan."), "success")
    return redirect(url_for("classes.detail", class_id=class_id))


JOIN_LIMIT_MESSAGE = "Terlalu banyak percobaan kode kelas. Tunggu 10 menit lalu coba lagi, atau minta guru " \
    "memasukkan Anda lewat daftar peserta."


def _join_user_key() -> str:
    return f"join-user:{getattr(current_user, 'id', None)}"


def _join_address_key() -> str:
    return f"join-addr:{request.remote_addr}"


@bp.route("/gabung", methods=["POST"])
# Every try counts for the account; for the address only wrong codes count, because a whole
# class joins at once from one school NAT address.
@limiter.limit(lambda: current_app.config["JOIN_RATE_LIMIT_USER"], key_func=_join_user_key,
               error_message=JOIN_LIMIT_MESSAGE)
@limiter.limit(lambda: current_app.config["JOIN_RATE_LIMIT_ADDRESS"], key_func=_join_address_key,
               deduct_when=lambda response: bool(g.get("join_refused")), error_message=JOIN_LIMIT_MESSAGE)
@trainee_required
def join():
    form = JoinForm()
    if not form.validate_on_submit():
        flash(_("Isi kode kelas dari guru Anda."), "error")
        return redirect(url_for("dashboard.home"))
    try:
        classroom, new = service.join_with_code(current_user, form.code.data)
    except ServiceError as exc:
        g.join_refused = True
        flash(exc.message, "error")
        return redirect(url_for("dashboard.home"))
    if new:
        flash(_("Anda bergabung dengan kelas %(n)s.", n=classroom.label), "success")
    else:
        flash(_("Anda sudah terdaftar di kelas %(n)s.", n=classroom.label), "info")
    return redirect(url_for("dashboard.home"))
