"""FR.AK.01 Persetujuan Asesmen dan Kerahasiaan, and the role-play partner's own consent.

The assessor fills the plan (evidence methods from institution.yaml, date, TUK type and place)
and signs with the confidentiality declaration; the trainee then signs that the process and the
right to appeal were explained. Both signatures lock the form.

Partner consent: the classmate named as partner on a submission version answers on their own
account, "setuju" or "menolak". A decision may change until a final judgement exists for that
version. Declined means the version cannot be finalised: the trainee re-records with another
partner (a new version, which asks its partner again).
"""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..accounts.models import User
from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from ..practicals.models import Submission, SubmissionVersion
from . import definitions
from .models import PARTNER_DECISIONS, AssessmentForm, PartnerConsent
from .service import find_form, get_or_create_form
from .permissions import may_sign
from .signing import clean_typed_name, drawing_from_data_url, sign_and_commit, validate_drawing

KIND = "FR.AK.01"


def form_for(trainee: User) -> AssessmentForm:
    return find_form(KIND, trainee.id) or get_or_create_form(KIND, trainee)


def agreed(trainee_id: int) -> bool:
    form = find_form(KIND, trainee_id)
    return bool(form and form.is_locked)


def parse_plan(data) -> dict:
    methods_field = definitions.field(KIND, "methods")
    allowed = {o["id"] for o in definitions.options(methods_field)}
    methods = [m for m in data.getlist("methods") if m in allowed] if hasattr(data, "getlist") else [
        m for m in data.get("methods", []) if m in allowed]
    if len(methods) < methods_field.get("min_selected", 1):
        raise ServiceError(_("Pilih minimal satu jenis bukti yang akan dikumpulkan."), field="methods")
    try:
        when = date.fromisoformat((data.get("date") or "").strip())
    except ValueError:
        raise ServiceError(_("Tulis tanggal asesmen yang sah."), field="date") from None
    if not 2000 <= when.year <= 2100:
        raise ServiceError(_("Tulis tanggal asesmen yang sah."), field="date")
    tuk_field = definitions.field(KIND, "tuk_type")
    tuk_type = (data.get("tuk_type") or "").strip()
    if tuk_type not in {o["id"] for o in definitions.options(tuk_field)}:
        raise ServiceError(_("Pilih jenis TUK."), field="tuk_type")
    place = " ".join((data.get("tuk_place") or "").split())
    limit = definitions.field(KIND, "tuk_place").get("max_length", 160)
    if not place:
        raise ServiceError(_("Tulis tempat uji kompetensi."), field="tuk_place")
    if len(place) > limit:
        raise ServiceError(_("Tempat uji terlalu panjang (maksimal %(n)d karakter).", n=limit), field="tuk_place")
    return {"methods": [m for m in (o["id"] for o in definitions.options(methods_field)) if m in methods],
            "date": when.isoformat(), "tuk_type": tuk_type, "tuk_place": place}


def plan(trainee: User, assessor: User, data) -> AssessmentForm:
    """The assessor's plan and signature; checked in full before the form row is created."""
    values = parse_plan(data)
    validate_drawing(drawing_from_data_url(data.get("drawing")))
    clean_typed_name(data.get("typed_name"))
    form = find_form(KIND, trainee.id)
    if form is None:
        probe = AssessmentForm(kind=KIND, trainee_id=trainee.id, content={})
        if not may_sign(assessor, probe, "asesor"):
            raise ServiceError(_("Anda tidak berhak menandatangani formulir ini sebagai asesor."), 403)
        form = get_or_create_form(KIND, trainee)
    return sign_and_commit(form.id, assessor, "asesor", data.get("typed_name"), data.get("drawing"), values=values)


def agree(form: AssessmentForm, trainee: User, data) -> AssessmentForm:
    if form.trainee_id != trainee.id:
        raise ServiceError(_("Formulir ini bukan milik Anda."), 404)
    if form.signature_for("asesor") is None:
        raise ServiceError(_("Asesor belum mengisi dan menandatangani rencana asesmen ini."), 409)
    return sign_and_commit(form.id, trainee, "peserta", data.get("typed_name"), data.get("drawing"))


# --- partner consent -------------------------------------------------------------------------------

def consent_for(version_id: int, partner_id: int) -> PartnerConsent | None:
    return db.session.scalar(select(PartnerConsent).where(PartnerConsent.version_id == version_id,
                                                          PartnerConsent.partner_id == partner_id))


def consent_state(version: SubmissionVersion) -> str:
    """"tanpa-pasangan" | "menunggu" | "setuju" | "menolak" for the partner named on the version."""
    if version.partner_id is None:
        return "tanpa-pasangan"
    row = consent_for(version.id, version.partner_id)
    return row.decision if row else "menunggu"


def consent_states(versions) -> dict[int, str]:
    """version id -> consent_state for many versions in one query, worked out in the view or panel so
    templates call no query function."""
    versions = list(versions)
    named = [v.id for v in versions if v.partner_id is not None]
    decided = {}
    if named:
        decided = {(c.version_id, c.partner_id): c.decision for c in db.session.scalars(
            select(PartnerConsent).where(PartnerConsent.version_id.in_(named)))}
    return {v.id: "tanpa-pasangan" if v.partner_id is None else decided.get((v.id, v.partner_id), "menunggu")
            for v in versions}


def consent_labels() -> dict:
    return {"tanpa-pasangan": _("Tanpa pasangan di aplikasi"), "menunggu": _("Menunggu jawaban pasangan"),
            "setuju": _("Pasangan setuju"), "menolak": _("Pasangan menolak")}


def versions_as_partner(user: User) -> list[SubmissionVersion]:
    return list(db.session.scalars(select(SubmissionVersion).where(SubmissionVersion.partner_id == user.id)
                                   .order_by(SubmissionVersion.created_at.desc(), SubmissionVersion.id.desc())))


def _final_exists(version_id: int) -> bool:
    from ..assessments.models import Judgement

    return db.session.scalar(select(db.func.count()).select_from(Judgement).where(
        Judgement.version_id == version_id, Judgement.state == "final")) > 0


def decide(partner: User, version_id: int, decision: str) -> PartnerConsent:
    version = db.session.get(SubmissionVersion, version_id)
    if version is None or version.partner_id != partner.id:
        raise ServiceError(_("Versi kiriman tidak ditemukan."), 404)
    if decision not in PARTNER_DECISIONS:
        raise ServiceError(_("Pilih setuju atau menolak."))
    if _final_exists(version.id):
        raise ServiceError(_("Versi ini sudah dinilai final, jadi persetujuan Anda tidak dapat diubah lagi."), 409)
    with write_transaction() as session:
        row = session.scalar(select(PartnerConsent).where(PartnerConsent.version_id == version.id,
                                                          PartnerConsent.partner_id == partner.id)
                             .with_for_update(of=PartnerConsent))
        if row is None:
            row = PartnerConsent(version_id=version.id, partner_id=partner.id, decision=decision)
            session.add(row)
        else:
            row.decision = decision
        row.decided_at = utcnow()
        record("berkas.partner_consent", actor=partner, target=f"version:{version.id}",
               detail={"decision": decision, "submission": version.submission_id})
    return row


def versions_of_trainee(trainee_id: int) -> list[SubmissionVersion]:
    return list(db.session.scalars(select(SubmissionVersion).join(Submission)
                                   .where(or_(Submission.trainee_id == trainee_id))
                                   .order_by(SubmissionVersion.created_at.desc(), SubmissionVersion.id.desc())))
