"""Per-trainee actions on a class page: correct name and NIS, reset the password (with a printable
slip), remove from the class. The two irreversible ones go through a confirmation page."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import teacher_required
from ..confirm import confirm_page, confirmed
from ..errors import ServiceError
from . import service
from .forms import MemberForm
from .views import form_error, login_address


@teacher_required
def edit_member(class_id: int, user_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    trainee = service.get_member(classroom, user_id)
    form = MemberForm(obj=trainee if request.method == "GET" else None)
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            service.edit_member(classroom, trainee, form.full_name.data, form.nis.data, current_user)
            flash(_("Data %(n)s disimpan.", n=trainee.full_name), "success")
            return redirect(url_for("classes.detail", class_id=class_id))
        except ServiceError as exc:
            form_error(form, exc)
            status = exc.status
    return render_template("classes/member_edit.html", classroom=classroom, trainee=trainee, form=form), status


@teacher_required
def reset_member_password(class_id: int, user_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    trainee = service.get_member(classroom, user_id)
    if not confirmed():
        return confirm_page(
            title=_("Atur ulang kata sandi %(n)s?", n=trainee.full_name),
            message=_("Kata sandi lama langsung tidak berlaku dan %(n)s keluar dari semua perangkat. "
                      "Kata sandi baru ditampilkan sekali untuk dicetak atau dicatat.", n=trainee.full_name),
            details=[_("Jawaban tes, kiriman praktik, dan hasil penilaian tidak berubah.")],
            button=_("Ya, atur ulang kata sandi"), cancel_url=url_for("classes.detail", class_id=class_id))
    try:
        password = service.reset_member_password(classroom, trainee, current_user)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for("classes.detail", class_id=class_id)), 303
    rows = [{"nis": trainee.nis or "", "name": trainee.full_name, "username": trainee.username, "password": password}]
    response = render_template("classes/credentials_sheet.html", classroom=classroom, rows=rows, reset=True,
                               login_url=login_address())
    return response, 200, {"Cache-Control": "no-store"}


@teacher_required
def remove(class_id: int, user_id: int):
    classroom = service.get_class_for_teacher(class_id, current_user)
    trainee = service.get_member(classroom, user_id)
    if not confirmed():
        return confirm_page(
            title=_("Keluarkan %(n)s dari kelas %(k)s?", n=trainee.full_name, k=classroom.label),
            message=_("%(n)s tidak lagi tampil di daftar, rekap, dan laporan kelas ini.", n=trainee.full_name),
            details=[_("Akun, jawaban tes, kiriman praktik, dan hasil penilaiannya tetap tersimpan."),
                     _("Anda dapat mendaftarkannya kembali dengan NIS atau nama pengguna: %(u)s.",
                       u=trainee.username)],
            button=_("Ya, keluarkan dari kelas"), cancel_url=url_for("classes.detail", class_id=class_id))
    service.remove_trainee(classroom, user_id, current_user)
    flash(_("Peserta dikeluarkan dari kelas. Akun dan hasil kerjanya tetap tersimpan."), "success")
    return redirect(url_for("classes.detail", class_id=class_id))
