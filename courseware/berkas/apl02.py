"""FR.APL.02 Asesmen Mandiri: the trainee answers "Dapatkah saya ...?" per KUK and signs; an assessor
of their class reviews (dapat / tidak dapat dilanjutkan + note) and counter-signs.

The questions come from the unit's elements (lessons.content.ELEMENTS) and the KUK wording of the
shipped checklists (the synced ChecklistPoint.task); the prefix and every fixed text come from
content/forms/FR.APL.02.yaml. When a review says "tidak dapat dilanjutkan" the trainee may start a
new self-assessment later; the old one stays (subject_key "percobaan:N" for the N-th).
"""
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..errors import ServiceError
from ..extensions import db
from ..lessons.content import ELEMENTS
from ..practicals.models import ChecklistPoint, Practical
from . import definitions
from .models import AssessmentForm
from .service import get_or_create_form
from .signing import clean_typed_name, drawing_from_data_url, sign_and_commit, validate_drawing

KIND = "FR.APL.02"
ANSWERS = ("K", "BK")
GO = "lanjut"


def questions() -> list[dict]:
    """[{element, element_title, kuk, question}] for every KUK of both elements, in order."""
    prefix = definitions.definition(KIND).get("question_prefix", "").strip()
    tasks: dict[str, str] = {}
    rows = db.session.execute(select(ChecklistPoint.kuk, ChecklistPoint.task).join(Practical)
                              .where(ChecklistPoint.retired.is_(False))
                              .order_by(Practical.element, ChecklistPoint.order)).all()
    for kuk, task in rows:
        tasks.setdefault(kuk, task)
    out = []
    for number, element in ELEMENTS.items():
        for kuk in element["kuk"]:
            task = tasks.get(kuk)
            text = f"{prefix} {task[0].lower()}{task[1:]}?" if task else f"{prefix} KUK {kuk}?"
            out.append({"element": number, "element_title": element["title"], "kuk": kuk,
                        "question": text.strip()})
    return out


def current_form(trainee_id: int) -> AssessmentForm | None:
    """The newest self-assessment of the trainee (earlier ones stay in the berkas)."""
    return db.session.scalar(select(AssessmentForm).where(AssessmentForm.kind == KIND,
                                                          AssessmentForm.trainee_id == trainee_id)
                             .order_by(AssessmentForm.id.desc()).limit(1))


def form_for(trainee: User) -> AssessmentForm:
    return current_form(trainee.id) or get_or_create_form(KIND, trainee)


def may_restart(form: AssessmentForm | None) -> bool:
    return form is not None and form.is_locked and form.content.get("recommendation") != GO


def restart(trainee: User) -> AssessmentForm:
    form = current_form(trainee.id)
    if not may_restart(form):
        raise ServiceError(_("Asesmen mandiri baru hanya dapat dimulai setelah asesor menyatakan asesmen "
                             "belum dapat dilanjutkan."), 409)
    count = db.session.scalar(select(db.func.count()).select_from(AssessmentForm).where(
        AssessmentForm.kind == KIND, AssessmentForm.trainee_id == trainee.id))
    return get_or_create_form(KIND, trainee, subject_key=f"percobaan:{count + 1}")


def parse_answers(data) -> list[dict]:
    """The trainee's K/BK + evidence per KUK from the posted form; every KUK must be answered."""
    limit = definitions.field(KIND, "kuk").get("evidence_max", 300)
    answers, missing = [], []
    for q in questions():
        answer = (data.get(f"kuk-{q['kuk']}") or "").strip()
        evidence = " ".join((data.get(f"bukti-{q['kuk']}") or "").split())
        if answer not in ANSWERS:
            missing.append(q["kuk"])
            continue
        if len(evidence) > limit:
            raise ServiceError(_("Bukti untuk KUK %(kuk)s terlalu panjang (maksimal %(n)d karakter).",
                                 kuk=q["kuk"], n=limit), field=f"bukti-{q['kuk']}")
        if answer == "K" and not evidence:
            raise ServiceError(_("Untuk KUK %(kuk)s Anda memilih K: sebutkan bukti yang dapat Anda tunjukkan.",
                                 kuk=q["kuk"]), field=f"bukti-{q['kuk']}")
        answers.append({"kuk": q["kuk"], "question": q["question"], "answer": answer, "evidence": evidence})
    if missing:
        raise ServiceError(_("Jawab K atau BK untuk setiap KUK. Belum dijawab: %(kuk)s.", kuk=", ".join(missing)),
                           field=f"kuk-{missing[0]}")
    return answers


def submit(trainee: User, data) -> AssessmentForm:
    """The trainee's answers and signature, in one step: everything is checked before the form row
    is even created, so a refused post leaves nothing behind."""
    answers = parse_answers(data)
    validate_drawing(drawing_from_data_url(data.get("drawing")))
    clean_typed_name(data.get("typed_name"))
    form = current_form(trainee.id)
    if form is not None and form.signature_for("peserta") is not None:
        raise ServiceError(_("Asesmen mandiri ini sudah Anda tandatangani."), 409)
    form = form or get_or_create_form(KIND, trainee)
    return sign_and_commit(form.id, trainee, "peserta", data.get("typed_name"), data.get("drawing"),
                           values={"kuk": answers})


def review(form: AssessmentForm, assessor: User, data) -> AssessmentForm:
    """The assessor's recommendation, note and counter-signature (after the trainee signed)."""
    if form.signature_for("peserta") is None:
        raise ServiceError(_("Peserta belum mengisi dan menandatangani asesmen mandiri ini."), 409)
    item = definitions.field(KIND, "recommendation")
    recommendation = (data.get("recommendation") or "").strip()
    if recommendation not in {o["id"] for o in definitions.options(item)}:
        raise ServiceError(_("Pilih rekomendasi: asesmen dapat dilanjutkan atau tidak dapat dilanjutkan."),
                           field="recommendation")
    note = (data.get("note") or "").replace("\r\n", "\n").strip()
    limit = definitions.field(KIND, "note").get("max_length", 1000)
    if len(note) > limit:
        raise ServiceError(_("Catatan terlalu panjang (maksimal %(n)d karakter).", n=limit), field="note")
    return sign_and_commit(form.id, assessor, "asesor", data.get("typed_name"), data.get("drawing"),
                           values={"recommendation": recommendation, "note": note})


def reviewed_go(trainee_id: int) -> bool:
    form = current_form(trainee_id)
    return bool(form and form.is_locked and form.content.get("recommendation") == GO)
