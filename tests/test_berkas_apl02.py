"""FR.APL.02 through the site: practicals wait for a reviewed self-assessment, only the class's
assessor reviews, nobody opens another trainee's form, a two-role account never reviews itself."""
from sqlalchemy import func, select

from courseware.berkas.models import AssessmentForm, ClassAssessor, FormSignature
from courseware.extensions import db
from courseware.practicals.models import SubmissionVersion

from .berkas_helpers import apl02_answers, signed, client_for, school  # noqa: F401 - school is a fixture
from .media_tus import create




def _new_version(app, trainee, code="LIK_1"):
    return client_for(app, trainee).post(f"/praktik/{code}/versi", data={"partner": 0, "transcript": ""})


def _fill(app, trainee):
    response = client_for(app, trainee).post(f"/berkas/peserta/{trainee.id}/apl02",
                                          data={**apl02_answers(), **signed(trainee.full_name)})
    assert response.status_code == 302, response.get_data(as_text=True)


def _review(app, assessor, trainee, recommendation="lanjut"):
    return client_for(app, assessor).post(f"/berkas/peserta/{trainee.id}/apl02/tinjau",
                                       data={"recommendation": recommendation, "note": "Catatan asesor.",
                                             **signed(assessor.full_name)})


def _versions():
    return db.session.scalar(select(func.count()).select_from(SubmissionVersion))


def test_practicals_wait_for_a_reviewed_self_assessment(app, school):
    trainee = school.trainee
    refused = _new_version(app, trainee)
    assert refused.status_code == 403
    assert "Asesmen Mandiri (FR.APL.02)" in refused.get_data(as_text=True)
    sheet = client_for(app, trainee).get("/praktik/LIK_1").get_data(as_text=True)
    assert "data-berkas-block" in sheet and "Simpan versi 1" not in sheet
    _fill(app, trainee)
    waiting = _new_version(app, trainee)
    assert waiting.status_code == 403 and "menunggu tinjauan asesor" in waiting.get_data(as_text=True)
    assert _versions() == 0
    assert _review(app, school.assessor, trainee).status_code == 302
    assert _new_version(app, trainee).status_code == 302
    assert _versions() == 1
    assert "data-berkas-block" not in client_for(app, trainee).get("/praktik/LIK_1").get_data(as_text=True)


def test_upload_is_refused_while_the_gate_holds(app, school):
    trainee = school.trainee
    app.config["BERKAS_GATES"] = False
    assert _new_version(app, trainee).status_code == 302  # a version from before the class used the gate
    app.config["BERKAS_GATES"] = True
    version = db.session.scalar(select(SubmissionVersion))
    kind = "submission-version"  # practicals.service.UPLOAD_KIND
    response = create(client_for(app, trainee), 1000, kind=kind, target_id=str(version.id))
    assert response.status_code == 403
    assert "FR.APL.02" in response.get_data(as_text=True)


def test_not_continued_keeps_the_gate_and_a_new_self_assessment_can_start(app, school):
    trainee = school.trainee
    _fill(app, trainee)
    assert _review(app, school.assessor, trainee, "tidak-lanjut").status_code == 302
    refused = _new_version(app, trainee)
    assert refused.status_code == 403 and "belum dapat dilanjutkan" in refused.get_data(as_text=True)
    client = client_for(app, trainee)
    assert client.post(f"/berkas/peserta/{trainee.id}/apl02/baru").status_code == 302
    _fill(app, trainee)
    assert _review(app, school.assessor, trainee).status_code == 302
    assert _new_version(app, trainee).status_code == 302
    kinds = db.session.scalars(select(AssessmentForm.subject_key).where(AssessmentForm.trainee_id == trainee.id)
                               .order_by(AssessmentForm.id)).all()
    assert kinds == [None, "percobaan:2"]


def test_class_setting_off_lets_practicals_start(app, school):
    teacher = client_for(app, school.teacher)
    # Another class's teacher cannot change it.
    assert client_for(app, school.teacher2).post(f"/berkas/kelas/{school.a.id}/pengaturan", data={}).status_code == 404
    assert _new_version(app, school.trainee2).status_code == 403
    assert teacher.post(f"/berkas/kelas/{school.a.id}/pengaturan", data={}).status_code == 302
    assert _new_version(app, school.trainee2).status_code == 302
    assert teacher.post(f"/berkas/kelas/{school.a.id}/pengaturan", data={"apl02_required": "1"}).status_code == 302
    assert _new_version(app, school.ani).status_code == 403


def test_another_class_assessor_cannot_review_or_open(app, school):
    trainee = school.trainee
    _fill(app, trainee)
    other = client_for(app, school.assessor2)
    assert other.get(f"/berkas/peserta/{trainee.id}/apl02").status_code == 404
    response = _review(app, school.assessor2, trainee)
    assert response.status_code == 404
    form = db.session.scalar(select(AssessmentForm).where(AssessmentForm.trainee_id == trainee.id))
    assert [s.role for s in form.signatures] == ["peserta"] and not form.is_locked
    # asesor2 does assess class B's budi.
    assert other.get(f"/berkas/peserta/{school.budi.id}/apl02").status_code == 200


def test_trainees_and_other_teachers_never_open_another_trainees_form(app, school):
    _fill(app, school.trainee)
    form = db.session.scalar(select(AssessmentForm))
    for user in (school.trainee2, school.budi, school.teacher2):
        client = client_for(app, user)
        assert client.get(f"/berkas/peserta/{school.trainee.id}/apl02").status_code == 404, user.username
        assert client.get(f"/berkas/formulir/{form.id}").status_code == 404, user.username
    # Nor fill it in on their behalf.
    response = client_for(app, school.trainee2).post(f"/berkas/peserta/{school.trainee.id}/apl02",
                                                  data={**apl02_answers(), **signed()})
    assert response.status_code == 404
    assert client_for(app, school.teacher).get(f"/berkas/peserta/{school.trainee.id}/apl02").status_code == 200
    assert client_for(app, school.trainee).get(f"/berkas/formulir/{form.id}").status_code == 200


def test_a_trainee_who_is_also_an_assessor_never_reviews_their_own(app, school, make_user):
    both = make_user("dua_peran", ["trainee", "assessor"], name="Dua Peran")
    from courseware.classes.models import Enrollment

    db.session.add(Enrollment(classroom_id=school.a.id, user_id=both.id))
    db.session.add(ClassAssessor(classroom_id=school.a.id, assessor_id=both.id))
    db.session.commit()
    _fill(app, both)
    page = client_for(app, both).get(f"/berkas/peserta/{both.id}/apl02").get_data(as_text=True)
    assert "Tinjauan asesor" not in page
    response = _review(app, both, both)
    assert response.status_code == 403
    assert "diri Anda sendiri" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(FormSignature)) == 1
    # They do review a classmate.
    _fill(app, school.ani)
    assert _review(app, both, school.ani).status_code == 302


def test_unanswered_kuk_and_k_without_evidence_are_refused(app, school):
    data = {**apl02_answers(), **signed()}
    data.pop("kuk-2.3")
    response = client_for(app, school.trainee).post(f"/berkas/peserta/{school.trainee.id}/apl02", data=data)
    assert response.status_code == 400 and "2.3" in response.get_data(as_text=True)
    data = {**apl02_answers(), **signed(), "bukti-1.2": ""}
    response = client_for(app, school.trainee).post(f"/berkas/peserta/{school.trainee.id}/apl02", data=data)
    assert response.status_code == 400 and "sebutkan bukti" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AssessmentForm)) == 0


def test_teacher_names_the_class_assessors_and_only_they_review(app, assessment_school, make_user):
    app.config["BERKAS_GATES"] = True
    s = assessment_school
    other = make_user("asesor3", ["assessor"], name="Asesor Tiga")
    _fill(app, s.trainee)
    # No assessor named yet: every assessor may open the class's forms.
    assert client_for(app, other).get(f"/berkas/peserta/{s.trainee.id}/apl02").status_code == 200
    teacher = client_for(app, s.teacher)
    # Another class's teacher, a trainee, and an unknown or non-assessor account are refused.
    assert client_for(app, s.teacher2).post(f"/berkas/kelas/{s.a.id}/asesor",
                                         data={"username": "asesor1"}).status_code == 404
    assert client_for(app, s.trainee).post(f"/berkas/kelas/{s.a.id}/asesor",
                                        data={"username": "asesor1"}).status_code == 403
    bad = teacher.post(f"/berkas/kelas/{s.a.id}/asesor", data={"username": "peserta2"}, follow_redirects=True)
    assert "Tidak ada akun asesor" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ClassAssessor)) == 0
    assert teacher.post(f"/berkas/kelas/{s.a.id}/asesor", data={"username": "asesor1"}).status_code == 302
    page = teacher.get(f"/berkas/kelas/{s.a.id}").get_data(as_text=True)
    assert s.assessor.full_name in page
    # Now asesor3 is another class's assessor for class A.
    assert client_for(app, other).get(f"/berkas/peserta/{s.trainee.id}/apl02").status_code == 404
    assert _review(app, other, s.trainee).status_code == 404
    assert _review(app, s.assessor, s.trainee).status_code == 302
    # Removing the last named assessor opens the class to every assessor again.
    assert teacher.post(f"/berkas/kelas/{s.a.id}/asesor", data={"remove": str(s.assessor.id)}).status_code == 302
    assert client_for(app, other).get(f"/berkas/peserta/{s.trainee.id}/apl02").status_code == 200


def test_dashboard_and_berkas_index_show_the_forms(app, school):
    _fill(app, school.trainee)
    home = client_for(app, school.trainee).get("/").get_data(as_text=True)
    assert "Berkas asesmen saya" in home and "Menunggu tanda tangan asesor" in home
    index = client_for(app, school.trainee).get("/berkas/").get_data(as_text=True)
    assert "FR.APL.02 · Asesmen Mandiri" in index and "FR.AK.01 · Persetujuan Asesmen dan Kerahasiaan" in index
    staff = client_for(app, school.teacher).get("/").get_data(as_text=True)
    assert f"/berkas/kelas/{school.a.id}" in staff and f"/berkas/kelas/{school.b.id}" not in staff
    assessor = client_for(app, school.assessor2).get("/berkas/").get_data(as_text=True)
    assert f"/berkas/kelas/{school.b.id}" in assessor and f"/berkas/kelas/{school.a.id}" not in assessor
