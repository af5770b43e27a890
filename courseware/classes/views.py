"""Class pages: the list (with the archive), one class, creating, renaming, archiving, join codes,
the CSV roster import and the credentials sheet. Per-trainee actions are in member_views.py."""
from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.forms import EmptyForm
from ..auth import teacher_required, trainee_required
from ..errors import ServiceError
from ..extensions import limiter
from ..lan import site_address
from . import roster, service
from .forms import AddTraineeForm, ClassForm, JoinForm, RosterForm

bp = Blueprint("classes", __name__, url_prefix="/kelas")

MAX_ROSTER_BYTES = 512 * 1024


def form_error(form, exc: ServiceError) -> None:
    """Put a refusal beside its field when it has one, else at the top of the page."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [exc.message]
    else:
        flash(exc.message, "error")


def _index(form, status=200):
    return render_template("classes/index.html", classes=service.classes_taught_by(current_user),
                           archived=service.classes_taught_by(current_user, archived=True), form=form), status


@teacher_required
def index():
    return _index(ClassForm())


@teacher_required
def create():
    form = ClassForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    try:
        classroom = service.create_class(current_user, form.name.data, form.academic_year.data)
    except ServiceError as exc:
        form_error(form, exc)
        return _index(form, exc.status)
    flash(_("Kelas %(n)s dibuat. Bagikan kode %(c)s kepada peserta.", n=classroom.name, c=classroom.join_code),
          "success")
    return redirect(url_for("classes.detail", class_id=classroom.id))


@teacher_required
def detail(class_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    return _detail(classroom, AddTraineeForm())


def _detail(classroom, add_form, status=200):
    return render_template("classes/detail.html", classroom=classroom, trainees=service.trainees_of(classroom),
                           roster_form=RosterForm(), add_form=add_form, action_form=EmptyForm()), status


@teacher_required
def edit(class_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    form = ClassForm(obj=classroom if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        try:
            service.rename_class(classroom, form.name.data, form.academic_year.data, current_user)
            flash(_("Kelas disimpan sebagai %(n)s.", n=classroom.label), "success")
            return redirect(url_for("classes.detail", class_id=class_id))
        except ServiceError as exc:
            form_error(form, exc)
            status = exc.status
    elif form.errors:
        status = 400
    return render_template("classes/edit.html", classroom=classroom, form=form, action_form=EmptyForm()), status


@teacher_required
def archive(class_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    archived = request.form.get("archived") == "1"
    service.set_archived(classroom, archived, current_user)
    flash(_("Kelas %(n)s diarsipkan: tidak tampil lagi di menu dan beranda; semua datanya tetap tersimpan.",
            n=classroom.label) if archived else _("Kelas %(n)s aktif kembali.", n=classroom.label), "success")
    return redirect(url_for("classes.index") if archived else url_for("classes.detail", class_id=class_id))


@teacher_required
def add_trainee(class_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    form = AddTraineeForm()
    if not form.validate_on_submit():
        return _detail(classroom, form, 400)
    try:
        user, new = service.add_existing_trainee(classroom, form.identifier.data, current_user)
    except ServiceError as exc:
        form.identifier.errors = [exc.message]
        return _detail(classroom, form, exc.status)
    flash(_("%(n)s didaftarkan ke kelas ini.", n=user.full_name) if new
          else _("%(n)s sudah terdaftar di kelas ini.", n=user.full_name), "success" if new else "info")
    return redirect(url_for("classes.detail", class_id=class_id))


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
        result = roster.import_roster(classroom, raw, current_user)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("classes.detail", class_id=class_id))
    return render_template("classes/import_result.html", classroom=classroom, result=result, form=EmptyForm())


def login_address() -> str:
    """The login page as trainees' phones reach it: the lab address under `run.py --lan`."""
    base = site_address(current_app.config, request.host_url) or request.host_url
    return base.rstrip("/") + url_for("accounts.login")


def _echoed_credentials(classroom) -> list[dict]:
    """The first passwords the page just showed, posted back; only for this class's members."""
    enrolled = {u.username: u for u in service.trainees_of(classroom)}
    rows = []
    for username, password in zip(request.form.getlist("username"), request.form.getlist("password")):
        user = enrolled.get(username)
        if user is not None:
            rows.append({"nis": user.nis or "", "name": user.full_name, "username": username, "password": password})
    return rows


@teacher_required
def credentials_csv(class_id: int):
    """Echo back the just-shown first passwords as CSV; nothing plain is stored on the server."""
    classroom = service.get_class_for_teacher(class_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    filename = f"kata-sandi-awal-kelas-{classroom.id}.csv"
    return Response(roster.credentials_csv(_echoed_credentials(classroom)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@teacher_required
def credentials_sheet(class_id: int):
    """A printable sheet of slips (one per trainee) from the just-shown first passwords."""
    classroom = service.get_class_for_teacher(class_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    response = Response(render_template("classes/credentials_sheet.html", classroom=classroom,
                                        rows=_echoed_credentials(classroom), login_url=login_address()))
    response.headers["Cache-Control"] = "no-store"
    return response


@teacher_required
def new_code(class_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.regenerate_join_code(classroom, current_user)
    flash(_("Kode kelas baru: %(c)s. Kode lama tidak berlaku lagi.", c=classroom.join_code), "success")
    return redirect(url_for("classes.detail", class_id=class_id))


def JOIN_LIMIT_MESSAGE() -> str:  # noqa: N802  (Flask-Limiter calls it for each refusal, in the visitor's language)
    return _("Terlalu banyak percobaan kode kelas. Tunggu 10 menit lalu coba lagi, atau minta guru "
             "memasukkan Anda lewat daftar peserta.")


def _join_user_key() -> str:
    return f"join-user:{getattr(current_user, 'id', None)}"


def _join_address_key() -> str:
    return f"join-addr:{request.remote_addr}"


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


from . import member_views  # noqa: E402  (the per-trainee views, routed in the table below)


# --- URL table: every route of this blueprint, in one place (member_views.py: the per-trainee views) ---

bp.add_url_rule("/",                              view_func=index)
bp.add_url_rule("/baru",                          view_func=create, methods=["POST"])
bp.add_url_rule("/<int:class_id>",                view_func=detail)
bp.add_url_rule("/<int:class_id>/ubah",           view_func=edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:class_id>/arsip",          view_func=archive, methods=["POST"])
bp.add_url_rule("/<int:class_id>/tambah",         view_func=add_trainee, methods=["POST"])
bp.add_url_rule("/<int:class_id>/impor",          view_func=import_roster, methods=["POST"])
bp.add_url_rule("/<int:class_id>/kredensial.csv", view_func=credentials_csv, methods=["POST"])
bp.add_url_rule("/<int:class_id>/lembar-akun",    view_func=credentials_sheet, methods=["POST"])
bp.add_url_rule("/<int:class_id>/kode-baru",      view_func=new_code, methods=["POST"])
bp.add_url_rule("/gabung",                        view_func=join, methods=["POST"])
bp.add_url_rule("/<int:class_id>/peserta/<int:user_id>/ubah",        view_func=member_views.edit_member, methods=["GET", "POST"])
bp.add_url_rule("/<int:class_id>/peserta/<int:user_id>/reset-sandi", view_func=member_views.reset_member_password, methods=["GET", "POST"])
bp.add_url_rule("/<int:class_id>/peserta/<int:user_id>/keluarkan",   view_func=member_views.remove, methods=["GET", "POST"])
