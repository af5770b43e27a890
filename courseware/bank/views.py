"""Bank editor for teachers and admins: /bank-soal/..."""
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.forms import EmptyForm
from ..auth import exam_keys_required
from ..confirm import confirm_page, confirmed
from ..errors import ServiceError
from . import service
from .forms import ImportForm, QuestionForm
from .models import KUKS

bp = Blueprint("bank", __name__, url_prefix="/bank-soal")

STATUSES = ("aktif", "pensiun", "semua")


@exam_keys_required
def index():
    kuk = request.args.get("kuk") or None
    if kuk not in KUKS:
        kuk = None
    status = request.args.get("status", "aktif")
    if status not in STATUSES:
        status = "aktif"
    items = service.bank_items(kuk, status)
    groups = {}
    for q in items:
        groups.setdefault(q.kuk, []).append(q)
    return render_template("bank/index.html", groups=groups, counts=service.kuk_counts(), kuk=kuk,
                           status=status, kuks=KUKS, action_form=EmptyForm(), total=len(items))


@exam_keys_required
def create():
    form = QuestionForm()
    if request.method == "GET" and request.args.get("kuk") in KUKS:
        form.kuk.data = request.args["kuk"]
    if form.validate_on_submit():
        item = service.item_from_form(form.kuk.data, form.stem.data, form.option_values(), form.key.data,
                                      form.explanation.data, form.pool.data, form.level.data)
        try:
            question = service.create_question(item, current_user)
        except service.ItemInvalid as exc:
            return render_template("bank/form.html", form=form, question=None, problems=exc.problems), 400
        flash(_("Soal %(u)s ditambahkan.", u=question.uid), "success")
        return redirect(url_for("bank.index", kuk=question.kuk))
    status = 400 if request.method == "POST" else 200
    return render_template("bank/form.html", form=form, question=None, problems=[]), status


@exam_keys_required
def edit(question_id: int):
    question = service.get_question_for_editor(question_id, current_user)
    latest = service.latest_version_of(question.uid)
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    elif form.validate_on_submit():
        item = service.item_from_form(form.kuk.data, form.stem.data, form.option_values(), form.key.data,
                                      form.explanation.data, form.pool.data, form.level.data)
        try:
            row, how = service.update_question(question, item, current_user)
        except service.ItemInvalid as exc:
            return render_template("bank/form.html", form=form, question=question, latest=latest,
                                   versions=service.versions_of(question.uid), problems=exc.problems,
                                   answered=service.is_answered(question.id)), 400
        messages = {
            "unchanged": (_("Tidak ada perubahan pada soal %(u)s.", u=row.uid), "info"),
            "updated": (_("Soal %(u)s disimpan.", u=row.uid), "success"),
            "new_version": (_("Soal %(u)s sudah pernah dijawab, jadi disimpan sebagai versi %(v)d; versi lama "
                              "dipensiunkan dan tetap tampil di hasil tes lama.", u=row.uid, v=row.version),
                            "success"),
        }
        flash(*messages[how])
        return redirect(url_for("bank.edit", question_id=row.id))
    status = 400 if request.method == "POST" else 200
    return render_template("bank/form.html", form=form, question=question, latest=latest,
                           versions=service.versions_of(question.uid), problems=[],
                           answered=service.is_answered(question.id)), status


@exam_keys_required
def retire(question_id: int):
    if not confirmed():
        question = service.get_question_for_editor(question_id, current_user)
        return confirm_page(
            title=_("Pensiunkan soal %(u)s?", u=question.uid),
            message=_("Soal ini tidak dipakai lagi di tes dan latihan baru. Hasil tes lama tetap menampilkannya, "
                      "dan soal dapat diaktifkan kembali."),
            details=[question.stem[:200]], button=_("Ya, pensiunkan soal"),
            cancel_url=url_for("bank.index", kuk=question.kuk))
    return _set_retired(question_id, True)


@exam_keys_required
def reactivate(question_id: int):
    return _set_retired(question_id, False)


def _set_retired(question_id: int, retired: bool):
    question = service.get_question_for_editor(question_id, current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.set_retired(question, retired, current_user)
    if retired:
        flash(_("Soal %(u)s dipensiunkan: tidak dipakai di tes baru, tetap tampil di hasil tes lama.",
                u=question.uid), "success")
    else:
        flash(_("Soal %(u)s aktif kembali.", u=question.uid), "success")
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/bank-soal")
                    else url_for("bank.index", kuk=question.kuk))


@exam_keys_required
def export(fmt: str):
    stamp = date.today().isoformat()
    if fmt == "gift":
        body, mimetype, name = service.export_gift().encode("utf-8"), "text/plain", \
            f"bank-soal-{stamp}.gift.txt"
    elif fmt == "moodlexml":
        body, mimetype, name = service.export_moodle_xml(), "application/xml", f"bank-soal-{stamp}.xml"
    else:
        abort(404)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@exam_keys_required
def import_gift():
    form = ImportForm()
    if request.method == "GET":
        return render_template("bank/import.html", form=form, report=None)
    if not form.validate_on_submit():
        return render_template("bank/import.html", form=form, report=None), 400
    raw = form.gift_file.data.read(service.MAX_IMPORT_BYTES + 1)
    try:
        report = service.import_file(raw, form.kuk.data or None, current_user, form.pool.data)
    except ServiceError as exc:
        flash(exc.message, "error")
        return render_template("bank/import.html", form=form, report=None), exc.status
    return render_template("bank/import.html", form=form, report=report)


# --- URL table: every route of this blueprint, in one place ----------------------------------

bp.add_url_rule("/",                             view_func=index)
bp.add_url_rule("/baru",                         view_func=create, methods=["GET", "POST"])
bp.add_url_rule("/<int:question_id>",            view_func=edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:question_id>/pensiunkan", view_func=retire, methods=["GET", "POST"])
bp.add_url_rule("/<int:question_id>/aktifkan",   view_func=reactivate, methods=["POST"])
bp.add_url_rule("/ekspor/<fmt>",                 view_func=export)
bp.add_url_rule("/impor",                        view_func=import_gift, methods=["GET", "POST"])
