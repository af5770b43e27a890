"""The berkas core through the site: signatures are checked, signing locks, the fingerprint detects a
changed field, the public check page says only valid/invalid + kind + date."""
import re

import pytest
from sqlalchemy import func, select, text

from courseware.berkas import signing
from courseware.berkas.models import AssessmentForm, FormSignature
from courseware.extensions import db

from .berkas_helpers import apl02_answers, data_url, signature_png, signed
from .conftest import login_as


@pytest.fixture
def school(assessment_school):
    return assessment_school


def _client(app, user):
    return login_as(app.test_client(), user)


def _trainee_signs_apl02(app, trainee):
    response = _client(app, trainee).post(f"/berkas/peserta/{trainee.id}/apl02",
                                          data={**apl02_answers(), **signed(trainee.full_name)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(AssessmentForm).where(AssessmentForm.trainee_id == trainee.id))


def _assessor_reviews(app, assessor, trainee, recommendation="lanjut"):
    return _client(app, assessor).post(f"/berkas/peserta/{trainee.id}/apl02/tinjau",
                                       data={"recommendation": recommendation, "note": "Siap praktik.",
                                             **signed(assessor.full_name)})


def _counts():
    return (db.session.scalar(select(func.count()).select_from(AssessmentForm)),
            db.session.scalar(select(func.count()).select_from(FormSignature)))


@pytest.mark.parametrize("drawing, words", [
    ("data:image/png;base64," + "A" * 400_000, "terlalu besar"),
    (data_url(b"GIF89a" + b"\x00" * 500), "PNG"),
    (data_url(b"\x89PNG\r\n\x1a\n" + b"\x00" * 300), "rusak"),
    (data_url(signature_png(blank=True)), "kosong"),
    (data_url(signature_png(width=20, height=20)), "tidak wajar"),
    ("data:image/png;base64,@@@", "rusak"),
    ("", "belum digambar"),
])
def test_bad_signature_data_is_refused_with_nothing_written(app, school, drawing, words):
    before = _counts()
    response = _client(app, school.trainee).post(
        f"/berkas/peserta/{school.trainee.id}/apl02",
        data={**apl02_answers(), "typed_name": "Peserta Satu", "drawing": drawing})
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert _counts() == before


def test_typed_name_is_required(app, school):
    response = _client(app, school.trainee).post(
        f"/berkas/peserta/{school.trainee.id}/apl02", data={**apl02_answers(), **signed("   ")})
    assert response.status_code == 400
    assert "nama lengkap" in response.get_data(as_text=True).lower()
    assert _counts() == (0, 0)


def test_signing_by_all_roles_locks_the_form_and_later_edits_are_refused(app, school):
    form = _trainee_signs_apl02(app, school.trainee)
    assert form.signature_for("peserta") and not form.is_locked and form.fingerprint is None
    # The trainee's part is signed: posting it again is refused, nothing changes.
    again = _client(app, school.trainee).post(f"/berkas/peserta/{school.trainee.id}/apl02",
                                              data={**apl02_answers("BK"), **signed()})
    assert again.status_code == 409
    assert _assessor_reviews(app, school.assessor, school.trainee).status_code == 302
    db.session.expire_all()
    form = db.session.get(AssessmentForm, form.id)
    assert form.is_locked and re.fullmatch(r"[0-9a-f]{64}", form.fingerprint)
    assert form.fingerprint == signing.fingerprint(form)
    # A second review after the lock: refused, the recommendation stays.
    late = _assessor_reviews(app, school.assessor, school.trainee, "tidak-lanjut")
    assert late.status_code == 409
    db.session.expire_all()
    assert db.session.get(AssessmentForm, form.id).content["recommendation"] == "lanjut"
    # The service and the ORM guard refuse a content change of a locked form.
    with pytest.raises(signing.LockedFormError):
        signing.update_content(form, "asesor", {"note": "diubah"})
    form = db.session.get(AssessmentForm, form.id)
    form.content = {**form.content, "note": "diam-diam"}
    with pytest.raises(signing.LockedFormError):
        db.session.flush()
    db.session.rollback()


def test_fingerprint_detects_a_field_changed_in_the_database(app, school):
    form = _trainee_signs_apl02(app, school.trainee)
    _assessor_reviews(app, school.assessor, school.trainee)
    db.session.expire_all()
    code = db.session.get(AssessmentForm, form.id).fingerprint
    public = app.test_client()
    page = public.get(f"/berkas/periksa?kode={code}").get_data(as_text=True)
    assert 'data-check="sah"' in page and "FR.APL.02" in page
    # Someone edits the stored answers behind the site's back (no ORM guard on raw SQL).
    with db.engine.begin() as conn:
        row = conn.execute(text("SELECT content FROM assessment_forms WHERE id = :i"), {"i": form.id}).scalar()
        changed = row.replace('"answer": "K"', '"answer": "BK"', 1) if isinstance(row, str) else None
        if changed is None:  # PostgreSQL's JSON comes back decoded
            import json
            row["kuk"][0]["answer"] = "BK"
            changed = json.dumps(row)
        conn.execute(text("UPDATE assessment_forms SET content = :c WHERE id = :i"), {"c": changed, "i": form.id})
    db.session.rollback()  # end the test session's read snapshot (SQLite WAL), as a new request would
    page = public.get(f"/berkas/periksa?kode={code}").get_data(as_text=True)
    assert 'data-check="tidak-sah"' in page and 'data-check="sah"' not in page


def test_check_page_shows_only_validity_kind_and_date(app, school):
    form = _trainee_signs_apl02(app, school.trainee)
    _assessor_reviews(app, school.assessor, school.trainee)
    db.session.expire_all()
    form = db.session.get(AssessmentForm, form.id)
    page = app.test_client().get(f"/berkas/periksa?kode={form.fingerprint}").get_data(as_text=True)
    main = page.split('<main id="isi"', 1)[1]
    assert "FR.APL.02" in main and form.locked_at.strftime("%d-%m-%Y")[:5] in main
    for secret in (school.trainee.full_name, school.trainee.username, school.assessor.full_name,
                   "Rekaman latihan", "Siap praktik", "tanda-tangan"):
        assert secret not in main, secret
    for code in ("0" * 64, "bukan-kode", "'; DROP TABLE x; --"):
        unknown = app.test_client().get("/berkas/periksa", query_string={"kode": code})
        assert unknown.status_code == 200 and 'data-check="tidak-sah"' in unknown.get_data(as_text=True)


def test_signature_images_only_for_those_who_may_see_the_form(app, school):
    form = _trainee_signs_apl02(app, school.trainee)
    signature_id = form.signatures[0].id
    url = f"/berkas/tanda-tangan/{signature_id}.png"
    ok = _client(app, school.trainee).get(url)
    assert ok.status_code == 200 and ok.data.startswith(b"\x89PNG")
    assert _client(app, school.teacher).get(url).status_code == 200
    assert _client(app, school.trainee2).get(url).status_code == 404
    assert _client(app, school.teacher2).get(url).status_code == 404
    assert app.test_client().get(url).status_code in (302, 401)


def test_demo_trainee_has_a_signed_apl02_and_ak01(app, practicals):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    forms = db.session.scalars(select(AssessmentForm).order_by(AssessmentForm.kind)).all()
    assert [(f.kind, f.trainee.username, f.is_locked) for f in forms] == [
        ("FR.AK.01", "peserta1", True), ("FR.APL.02", "peserta1", True)]
    for form in forms:
        check = signing.verify(form.fingerprint)
        assert check is not None and check.valid
    assert forms[1].content["recommendation"] == "lanjut" and len(forms[1].content["kuk"]) == 10


def test_a_name_correction_after_signing_keeps_the_printed_code_valid(app, school):
    form = _trainee_signs_apl02(app, school.trainee)
    _assessor_reviews(app, school.assessor, school.trainee)
    db.session.expire_all()
    form = db.session.get(AssessmentForm, form.id)
    code, name = form.fingerprint, form.trainee_name
    assert name == school.trainee.full_name
    # The class teacher corrects the trainee's name through the class page.
    response = _client(app, school.teacher).post(f"/kelas/{school.a.id}/peserta/{school.trainee.id}/ubah",
                                                 data={"full_name": "Nama Baru Sekali", "nis": "1001"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(type(school.trainee), school.trainee.id).full_name == "Nama Baru Sekali"
    page = app.test_client().get(f"/berkas/periksa?kode={code}").get_data(as_text=True)
    assert 'data-check="sah"' in page
