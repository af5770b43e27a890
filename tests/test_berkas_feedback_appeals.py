"""FR.AK.03 (feedback after a decided result) and FR.AK.04 (appeals decided by someone else)."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from courseware.assessments.models import Judgement
from courseware.audit.models import AuditEvent
from courseware.berkas.appeal_models import Appeal, DeciderError
from courseware.berkas.models import AssessmentForm
from courseware.extensions import db

from .berkas2_fixtures import as_client, berkas_school, text  # noqa: F401
from .berkas_helpers import signed
from .test_assessments_service import judge


def _answers(pattern="ya"):
    data = {}
    for n in range(1, 8):
        data[f"jawab-q{n}"] = pattern if n != 3 else "tidak"
        data[f"komentar-q{n}"] = f"komentar {n}" if n == 2 else ""
    return data


def _forms(kind):
    return list(db.session.scalars(select(AssessmentForm).where(AssessmentForm.kind == kind)))


# --- FR.AK.03 --------------------------------------------------------------------------------

def test_feedback_waits_for_a_decided_unit_result(app, berkas_school):
    s = berkas_school
    client = as_client(app, s.ani)           # nothing decided for Ani
    assert "masih dalam proses" in text(client.get("/berkas/umpan-balik"))
    response = client.post("/berkas/umpan-balik", data={**_answers(), **signed("Ani Wulandari")})
    assert response.status_code == 409 and not _forms("FR.AK.03")


def test_feedback_signed_and_counted_in_the_class_summary(app, berkas_school):
    s = berkas_school
    client = as_client(app, s.trainee)       # LIK_2 BK: unit Belum Kompeten, decided
    missing = {k: v for k, v in _answers().items() if k != "jawab-q4"}
    response = client.post("/berkas/umpan-balik", data={**missing, **signed("Peserta Satu")})
    assert response.status_code == 400 and "Belum dijawab" in text(response) and not _forms("FR.AK.03")
    assert client.post("/berkas/umpan-balik", data={**_answers(), "catatan": "Terima kasih",
                                                    **signed("Peserta Satu")}).status_code == 302
    form = _forms("FR.AK.03")[0]
    assert form.is_locked and form.content["answers"]["q3"]["answer"] == "tidak"
    assert client.post("/berkas/umpan-balik", data={**_answers("tidak"), **signed("X")}).status_code == 409
    # a second trainee of the class: decided too (test failed for good), answers tidak to q1
    s.j_ani = judge(s.submit(s.ani, "LIK_1"), s.ani, s.assessor, s.lik1, "BK")
    assert as_client(app, s.ani).post("/berkas/umpan-balik", data={**_answers("tidak"),
                                                                   **signed("Ani Wulandari")}).status_code == 302
    page = text(as_client(app, s.teacher).get(f"/berkas/kelas/{s.a.id}/umpan-balik"))
    assert "2 dari 4 peserta" in page
    import re
    counts = re.findall(r'data-count="(ya|tidak)"[^>]*>(\d+)<', page)
    assert counts[:6] == [("ya", "1"), ("tidak", "1"), ("ya", "1"), ("tidak", "1"), ("ya", "0"), ("tidak", "2")]
    assert as_client(app, s.teacher2).get(f"/berkas/kelas/{s.a.id}/umpan-balik").status_code == 404
    assert "komentar 2" in text(as_client(app, s.assessor).get(f"/berkas/peserta/{s.trainee.id}/umpan-balik"))
    assert as_client(app, s.teacher2).get(f"/berkas/peserta/{s.trainee.id}/umpan-balik").status_code == 404


# --- FR.AK.04 --------------------------------------------------------------------------------

def _appeal(app, trainee, judgement, reasons="Butir 2.1 sudah saya lakukan pada menit 1:20 di video."):
    return as_client(app, trainee).post(f"/berkas/banding/penilaian/{judgement.id}",
                                        data={"alasan": reasons, **signed(trainee.full_name)})


def test_appeal_is_decided_only_by_someone_else(app, berkas_school):
    s = berkas_school
    assert _appeal(app, s.trainee, s.j2).status_code == 302
    appeal = db.session.scalar(select(Appeal))
    form = _forms("FR.AK.04")[0]
    assert appeal.state == "diajukan" and form.subject_key == f"judgement:{s.j2.id}" and form.signatures
    assert _appeal(app, s.trainee, s.j2).status_code == 302     # a second try lands on the existing appeal
    assert db.session.scalar(select(db.func.count(Appeal.id))) == 1
    url = f"/berkas/banding/{appeal.id}/putus"
    data = {"keputusan": "pertahankan", "catatan": "Penilaian sudah sesuai tolok ukur.", **signed("Asesor Satu")}
    # the assessor who made the judgement: 403, and nothing changes
    response = as_client(app, s.assessor).post(url, data=data)
    assert response.status_code == 403 and "asesor lain" in text(response)
    db.session.refresh(appeal)
    assert appeal.state == "diajukan" and not form.is_locked
    # another class's teacher, the trainee: no decision either
    assert as_client(app, s.teacher2).post(url, data=data).status_code == 403
    assert as_client(app, s.trainee).post(url, data=data).status_code == 403
    # the judging assessor reads the appeal without a decision form; a second assessor gets one
    assert "Putuskan banding" not in text(as_client(app, s.assessor).get(f"/berkas/banding/{appeal.id}"))
    page = as_client(app, s.assessor2).get(f"/berkas/banding/{appeal.id}")
    assert page.status_code == 200 and "Putuskan banding" in text(page) and "ttd-ulang-canvas" in text(page)
    # a second assessor upholds and signs as asesor: the form locks
    assert as_client(app, s.assessor2).post(url, data={**data, **signed("Asesor Kedua")}).status_code == 302
    db.session.refresh(appeal)
    db.session.refresh(form)
    assert appeal.state == "dipertahankan" and appeal.decided_by_id == s.assessor2.id and form.is_locked
    assert form.content["decision"] == "tetap"
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "appeal.submit" in actions and "appeal.decide" in actions
    # the record page and the class report say so
    assert "Banding (FR.AK.04)" in text(as_client(app, s.trainee).get(f"/penilaian/rekaman/{s.trainee.id}"))
    report = text(as_client(app, s.teacher).get(f"/penilaian/kelas/{s.a.id}/laporan"))
    assert "Banding LIK_2 diajukan" in report and "Asesor Kedua" in report


def test_a_trainee_who_is_also_an_assessor_cannot_decide_their_own_appeal(app, berkas_school):
    s = berkas_school
    j = judge(s.submit(s.ganda, "LIK_1"), s.ganda, s.assessor, s.lik1, "BK")
    assert _appeal(app, s.ganda, j).status_code == 302
    appeal = db.session.scalar(select(Appeal))
    response = as_client(app, s.ganda).post(f"/berkas/banding/{appeal.id}/putus", data={
        "keputusan": "pertahankan", "catatan": "Saya memutuskan sendiri saja.", **signed("Gita Ganda")})
    assert response.status_code == 403
    db.session.refresh(appeal)
    assert appeal.state == "diajukan"
    # the ORM guard refuses it too, whatever code path tries
    appeal.decided_by_id, appeal.state = s.ganda.id, "dipertahankan"
    with pytest.raises(DeciderError):
        db.session.commit()
    db.session.rollback()
    appeal.decided_by_id = s.assessor.id                     # the judging assessor
    with pytest.raises(DeciderError):
        db.session.commit()
    db.session.rollback()


def test_reassessment_is_a_new_judgement_with_the_reason(app, berkas_school):
    s = berkas_school
    assert _appeal(app, s.trainee, s.j2).status_code == 302
    appeal = db.session.scalar(select(Appeal))
    data = {"keputusan": "asesmen-ulang", "catatan": "Video menunjukkan butir 2.1 dilakukan dengan benar.",
            "rekomendasi": "K", "umpan_balik": "Sudah sesuai.", "tuk": "Lab OTKP", **signed("Admin Satu")}
    for point in s.lik2.active_points:
        data[f"hasil-{point.id}"] = "K"
    for attitude in s.lik2.attitudes:
        data[f"sikap-{attitude['id']}"] = "K"
    response = as_client(app, s.admin).post(f"/berkas/banding/{appeal.id}/putus", data=data)
    assert response.status_code == 302, text(response)
    db.session.refresh(appeal)
    new = db.session.get(Judgement, appeal.new_judgement_id)
    assert appeal.state == "asesmen-ulang" and new.supersedes_id == s.j2.id and new.recommendation == "K"
    assert "banding FR.AK.04" in new.correction_reason and new.assessor_id == s.admin.id
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.index("assessment.correct") < actions.index("appeal.decide")
    # a second decision on the same appeal: refused
    again = as_client(app, s.assessor2).post(f"/berkas/banding/{appeal.id}/putus", data={
        "keputusan": "pertahankan", "catatan": "Terlambat memutuskan.", **signed("Asesor Kedua")})
    assert again.status_code in (403, 409)


def test_appeal_after_the_deadline_is_refused_with_the_reason(app, berkas_school):
    s = berkas_school
    s.j2.__class__  # noqa: B018
    db.session.execute(Judgement.__table__.update().where(Judgement.id == s.j2.id)
                       .values(finalised_at=s.j2.finalised_at - timedelta(days=8)))
    db.session.commit()
    response = _appeal(app, s.trainee, s.j2)
    assert response.status_code == 409 and "Masa banding sudah lewat" in text(response)
    assert db.session.scalar(select(Appeal)) is None and not _forms("FR.AK.04")
    app.config["APPEAL_DAYS"] = 10
    assert _appeal(app, s.trainee, s.j2).status_code == 302


def test_an_assessor_the_class_did_not_name_neither_sees_nor_decides(app, berkas_school):
    from courseware.berkas.models import ClassAssessor

    s = berkas_school
    assert _appeal(app, s.trainee, s.j2).status_code == 302
    appeal = db.session.scalar(select(Appeal))
    db.session.add(ClassAssessor(classroom_id=s.a.id, assessor_id=s.assessor.id))   # only asesor1 assesses A
    db.session.commit()
    outsider = as_client(app, s.assessor2)
    assert outsider.get(f"/berkas/banding/{appeal.id}").status_code == 404
    assert outsider.get(f"/berkas/ia05/{s.attempt.id}").status_code == 404
    assert outsider.get(f"/berkas/peserta/{s.trainee.id}.pdf").status_code == 404
    response = outsider.post(f"/berkas/banding/{appeal.id}/putus", data={
        "keputusan": "pertahankan", "catatan": "Bukan asesor kelas ini.", **signed("Asesor Kedua")})
    assert response.status_code == 404
    db.session.refresh(appeal)
    assert appeal.state == "diajukan"
    # the named assessor made the judgement, so only an admin can decide now
    assert as_client(app, s.assessor).post(f"/berkas/banding/{appeal.id}/putus", data={
        "keputusan": "pertahankan", "catatan": "Penilaian saya sendiri.", **signed("Asesor1")}).status_code == 403
    assert as_client(app, s.admin).post(f"/berkas/banding/{appeal.id}/putus", data={
        "keputusan": "pertahankan", "catatan": "Admin memutuskan: penilaian tetap."}).status_code == 302
