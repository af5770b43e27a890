"""What other domains ask the berkas before they act (each returns None or the Indonesian reason).

- practicals: `practical_block_reason(trainee)` before a LIK version is saved or its video uploaded.
  On when any class of the trainee keeps its setting "praktik menunggu APL.02" (default on) and
  the newest FR.APL.02 is not yet reviewed "asesmen dapat dilanjutkan".
- assessments: `finalise_block_reason(version, trainee_id)` before a LIK judgement is finalised:
  FR.AK.01 must be signed by assessor and trainee, and a partner named on the version must have
  agreed on their own account (waiting or declined both block; declined means re-record).

App config BERKAS_GATES=False switches both off (the test suite's older tests use it; the site
never does).
"""
from flask import current_app
from flask_babel import gettext as _

from ..classes.service import classes_of_trainee


def _enabled() -> bool:
    return bool(current_app.config.get("BERKAS_GATES", True))


def practical_block_reason(trainee) -> str | None:
    if not _enabled():
        return None
    from . import apl02
    from .service import class_settings

    if not any(class_settings(c.id).apl02_required for c in classes_of_trainee(trainee)):
        return None
    form = apl02.current_form(trainee.id)
    if form is None or form.signature_for("peserta") is None:
        return _("Praktik LIK dibuka setelah Anda mengisi Asesmen Mandiri (FR.APL.02) dan asesor "
                 "menyatakan asesmen dapat dilanjutkan. Isi asesmen mandiri di menu Berkas asesmen.")
    if not form.is_locked:
        return _("Asesmen Mandiri (FR.APL.02) Anda sudah terkirim dan menunggu tinjauan asesor. "
                 "Praktik LIK dapat dikirim setelah asesor menyatakan asesmen dapat dilanjutkan.")
    if not apl02.reviewed_go(trainee.id):
        return _("Asesor menyatakan asesmen belum dapat dilanjutkan (FR.APL.02). Baca catatan asesor, "
                 "lalu isi asesmen mandiri baru bila Anda sudah siap.")
    return None


def finalise_block_reason(version, trainee_id: int) -> str | None:
    if not _enabled():
        return None
    from . import ak01

    if not ak01.agreed(trainee_id):
        return _("Penilaian belum dapat difinalkan: Persetujuan Asesmen (FR.AK.01) peserta ini belum "
                 "ditandatangani asesor dan peserta.")
    state = ak01.consent_state(version)
    if state == "menolak":
        return _("Penilaian tidak dapat difinalkan: pasangan dalam video menolak rekaman ini dipakai. "
                 "Peserta perlu merekam ulang bersama pasangan lain.")
    if state == "menunggu":
        return _("Penilaian belum dapat difinalkan: pasangan dalam video belum menyatakan setuju "
                 "direkam untuk versi ini (lewat akunnya sendiri, menu Berkas asesmen).")
    return None
