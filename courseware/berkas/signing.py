"""Signing, locking and fingerprinting berkas forms.

`sign(form, signer, role, typed_name, drawing_png)` checks the signer may sign that role, checks the
drawing (a real, non-blank PNG of sensible size), stores the signature and, once every role the
definition names has signed, locks the form and sets its fingerprint. A locked form's content never
changes: the service refuses (409) and an ORM guard refuses any flush that would change it.

`fingerprint(form)` = SHA-256 hex of canonical JSON (sort_keys, compact separators,
ensure_ascii=False) of kind, trainee id and name, subject_key, content and the signatures
(role, typed name, signed_at ISO, SHA-256 of the drawing). `verify(code)` looks the code up by its
index and recomputes it, so a field changed behind the site's back shows as invalid.
"""
import base64
import binascii
import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import event, inspect, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.service import record
from ..database import write_transaction
from ..errors import ServiceError
from ..extensions import db
from ..models_base import utcnow
from . import definitions
from .models import AssessmentForm, FormSignature
from .permissions import may_sign

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_DRAWING_BYTES = 200 * 1024
MAX_DATA_URL_CHARS = (MAX_DRAWING_BYTES * 4) // 3 + 64
MIN_SIDE, MAX_SIDE = 60, 2400
MIN_INK_PIXELS = 30
MAX_TYPED_NAME = 120
FINGERPRINT_RE = re.compile(r"^[0-9a-f]{64}$")
DATA_URL_PREFIX = "data:image/png;base64,"



class LockedFormError(ServiceError):
    def __init__(self):
        super().__init__(_("Formulir ini sudah ditandatangani lengkap dan dikunci; isinya tidak dapat "
                           "diubah lagi."), 409)


# --- the drawing ---------------------------------------------------------------------------------

def drawing_from_data_url(value: str | None) -> bytes:
    """The PNG bytes of the signature pad's hidden field ("data:image/png;base64,...")."""
    value = (value or "").strip()
    if not value:
        raise ServiceError(_("Tanda tangan belum digambar. Gambar tanda tangan Anda di kotak yang tersedia."),
                           field="drawing")
    if len(value) > MAX_DATA_URL_CHARS:
        raise ServiceError(_("Gambar tanda tangan terlalu besar (maksimal %(kb)d KB).",
                             kb=MAX_DRAWING_BYTES // 1024), field="drawing")
    if not value.startswith(DATA_URL_PREFIX):
        raise ServiceError(_("Tanda tangan harus berupa gambar PNG dari kotak tanda tangan."), field="drawing")
    try:
        return base64.b64decode(value[len(DATA_URL_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise ServiceError(_("Data tanda tangan rusak. Hapus lalu gambar ulang."), field="drawing") from None


def validate_drawing(data: bytes) -> bytes:
    """The PNG as given when it is a real, decodable, non-blank PNG of sensible size; else ServiceError."""
    if not data:
        raise ServiceError(_("Tanda tangan belum digambar."), field="drawing")
    if len(data) > MAX_DRAWING_BYTES:
        raise ServiceError(_("Gambar tanda tangan terlalu besar (maksimal %(kb)d KB).",
                             kb=MAX_DRAWING_BYTES // 1024), field="drawing")
    if not data.startswith(PNG_MAGIC):
        raise ServiceError(_("Tanda tangan harus berupa gambar PNG dari kotak tanda tangan."), field="drawing")
    broken = ServiceError(_("Gambar tanda tangan rusak atau bukan PNG. Hapus lalu gambar ulang."), field="drawing")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise broken
            width, height = image.size
            # Measured before decoding, so a tiny file declaring a huge canvas is never inflated.
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
                raise ServiceError(_("Ukuran gambar tanda tangan tidak wajar (%(w)d x %(h)d piksel).",
                                     w=width, h=height), field="drawing")
            image.load()
            ink = _ink_pixels(image)
    except ServiceError:
        raise
    except Exception:  # noqa: BLE001 - any decoder complaint means "not a usable PNG"
        raise broken from None
    if ink < MIN_INK_PIXELS:
        raise ServiceError(_("Kotak tanda tangan masih kosong. Gambar tanda tangan Anda lalu kirim lagi."),
                           field="drawing")
    return data


def _ink_pixels(image) -> int:
    """Pixels that are visibly drawn: opaque enough and darker than near-white."""
    rgba = image.convert("RGBA")
    gray = rgba.convert("L").point(lambda v: 255 if v < 200 else 0)
    alpha = rgba.getchannel("A").point(lambda v: 255 if v > 40 else 0)
    from PIL import ImageChops

    return sum(ImageChops.multiply(gray, alpha).histogram()[255:])


def clean_typed_name(value: str | None) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ServiceError(_("Tulis nama lengkap Anda di bawah tanda tangan."), field="typed_name")
    if len(name) > MAX_TYPED_NAME:
        raise ServiceError(_("Nama terlalu panjang (maksimal %(n)d karakter).", n=MAX_TYPED_NAME),
                           field="typed_name")
    return name


# --- fingerprint and public check ---------------------------------------------------------------

def _iso(value: datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() if value else None


def trainee_name(form: AssessmentForm) -> str | None:
    """The name the fingerprint covers: the snapshot taken at lock time, else the account's name."""
    if form.trainee_name:
        return form.trainee_name
    trainee = form.trainee or (db.session.get(User, form.trainee_id) if form.trainee_id else None)
    return trainee.full_name if trainee else None


def canonical(form: AssessmentForm) -> str:
    signatures = sorted(form.signatures, key=lambda s: (s.signed_at, s.role))
    payload = {
        "kind": form.kind,
        "trainee": {"id": form.trainee_id, "name": trainee_name(form)},
        "subject_key": form.subject_key,
        "content": form.content or {},
        "signatures": [{"role": s.role, "typed_name": s.typed_name, "signed_at": _iso(s.signed_at),
                        "drawing_sha256": hashlib.sha256(s.drawing or b"").hexdigest()} for s in signatures],
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(form: AssessmentForm) -> str:
    return hashlib.sha256(canonical(form).encode("utf-8")).hexdigest()


@dataclass
class FormCheck:
    valid: bool
    kind: str
    title: str
    signed_at: datetime | None


def verify(code: str | None) -> FormCheck | None:
    """The check of a fingerprint code: None when no signed form carries it (or it is malformed)."""
    code = (code or "").strip().lower()
    if not FINGERPRINT_RE.match(code):
        return None
    form = db.session.scalar(select(AssessmentForm).where(AssessmentForm.fingerprint == code).limit(1))
    if form is None or form.locked_at is None:
        return None
    db.session.refresh(form)  # read what the database holds now, not what this session cached
    try:
        title = definitions.definition(form.kind)["title"]
    except KeyError:
        title = form.kind
    return FormCheck(valid=fingerprint(form) == code, kind=form.kind, title=title, signed_at=form.locked_at)


# --- content changes and signing ----------------------------------------------------------------

def ensure_editable(form: AssessmentForm, role: str | None = None) -> None:
    """Refuse when the form is locked, or when `role`'s part was already signed."""
    if form.is_locked:
        raise LockedFormError()
    if role and form.signature_for(role) is not None:
        raise ServiceError(_("Bagian ini sudah Anda tandatangani, jadi tidak dapat diubah lagi."), 409)


def update_content(form: AssessmentForm, role: str, values: dict) -> None:
    """Set the fields of `role` (as the definition assigns them); no commit. Others' fields are kept."""
    ensure_editable(form, role)
    allowed = {f["id"] for f in definitions.fields_for_role(form.kind, role)}
    unknown = set(values) - allowed
    if unknown:
        raise ServiceError(_("Isian ini bukan bagian peran Anda pada formulir."), 403)
    form.content = {**(form.content or {}), **values}
    form.updated_at = utcnow()


def sign(form: AssessmentForm, signer, role: str, typed_name: str | None, drawing_png: bytes) -> FormSignature:
    """Add `signer`'s signature as `role`; lock + fingerprint once every required role signed.

    Does not commit (callers sign inside their own write transaction, with the content change
    they sign)."""
    required = definitions.required_roles(form.kind)
    if role not in required:
        raise ServiceError(_("Peran ini tidak menandatangani formulir %(kind)s.", kind=form.kind), 400)
    if form.is_locked:
        raise LockedFormError()
    if not may_sign(signer, form, role):
        if role == "asesor" and signer.id == form.trainee_id:
            raise ServiceError(_("Anda tidak boleh menandatangani sebagai asesor pada formulir tentang diri "
                                 "Anda sendiri."), 403)
        raise ServiceError(_("Anda tidak berhak menandatangani formulir ini sebagai %(role)s.", role=role), 403)
    if form.signature_for(role) is not None:
        raise ServiceError(_("Formulir ini sudah ditandatangani sebagai %(role)s.", role=role), 409)
    name = clean_typed_name(typed_name)
    drawing = validate_drawing(drawing_png)
    signature = FormSignature(signer_id=signer.id, role=role, typed_name=name, drawing=drawing,
                              signed_at=utcnow().replace(microsecond=0))
    form.signatures.append(signature)
    db.session.flush()
    record("berkas.sign", actor=signer, target=f"form:{form.id}", detail={"kind": form.kind, "role": role})
    if all(form.signature_for(r) is not None for r in required):
        form.locked_at = signature.signed_at
        form.trainee_name = trainee_name(form)
        form.fingerprint = fingerprint(form)
        record("berkas.lock", actor=signer, target=f"form:{form.id}",
               detail={"kind": form.kind, "fingerprint": form.fingerprint})
    return signature


def sign_and_commit(form_id: int, signer, role: str, typed_name, drawing_data_url: str,
                    values: dict | None = None) -> AssessmentForm:
    """Validate first, then in one transaction: (optionally) set `role`'s fields and sign."""
    drawing = validate_drawing(drawing_from_data_url(drawing_data_url))
    name = clean_typed_name(typed_name)
    try:
        with write_transaction() as session:
            form = session.scalar(select(AssessmentForm).where(AssessmentForm.id == form_id)
                                  .with_for_update(of=AssessmentForm))
            if form is None:
                raise ServiceError(_("Formulir tidak ditemukan."), 404)
            session.refresh(form)  # the newest signatures, whatever this session saw before the lock
            if values is not None:
                update_content(form, role, values)
            sign(form, signer, role, name, drawing)
    except IntegrityError:  # a racing signer of the same role won (unique form + role)
        raise ServiceError(_("Formulir ini sudah ditandatangani sebagai %(role)s.", role=role), 409) from None
    return form


# --- the ORM guard: a locked form's content and signatures never change -------------------------

@event.listens_for(AssessmentForm, "before_update")
def _guard_locked_form(_mapper, _connection, target):
    state = inspect(target)
    locked_before = state.attrs.locked_at.history.deleted or ()
    was_locked = (locked_before and locked_before[0] is not None) or (
        not state.attrs.locked_at.history.has_changes() and target.locked_at is not None)
    if not was_locked:
        return
    for name in ("content", "kind", "trainee_id", "trainee_name", "subject_key", "fingerprint", "locked_at"):
        if getattr(state.attrs, name).history.has_changes():
            raise LockedFormError()


@event.listens_for(FormSignature, "before_update")
def _guard_signature_update(_mapper, _connection, _target):
    raise ServiceError(_("Tanda tangan yang tersimpan tidak dapat diubah."), 409)
