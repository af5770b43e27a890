"""FR.AK.01 and partner consent through the site: no LIK judgement is finalised before both signed
FR.AK.01, and a partner who declines (or has not answered) holds the version back."""
import pytest
from sqlalchemy import func, select

from courseware.assessments.models import Judgement
from courseware.berkas.models import AssessmentForm, ClassAssessor, PartnerConsent
from courseware.extensions import db

from .berkas_helpers import ak01_plan, signed, client_for, school  # noqa: F401 - school is a fixture
from .conftest import login_as
from .test_assessments_views import form_for




def _finalise(app, school, version, trainee):
    return client_for(app, school.assessor).post(f"/penilaian/versi/{version.id}/peserta/{trainee.id}",
                                              data=form_for(school.lik1, "K", action="final"))


def _finals():
    return db.session.scalar(select(func.count()).select_from(Judgement).where(Judgement.state == "final"))


def _agree_ak01(app, school, trainee):
    plan = client_for(app, school.assessor).post(f"/berkas/peserta/{trainee.id}/ak01/rencana",
                                              data={**ak01_plan(), **signed(school.assessor.full_name)})
    assert plan.status_code == 302, plan.get_data(as_text=True)
    agree = client_for(app, trainee).post(f"/berkas/peserta/{trainee.id}/ak01/setuju", data=signed(trainee.full_name))
    assert agree.status_code == 302, agree.get_data(as_text=True)


def test_no_finalise_without_ak01_signed_by_both(app, school):
    version = school.submit(school.trainee, "LIK_1")
    page = client_for(app, school.assessor).get(f"/penilaian/versi/{version.id}/peserta/{school.trainee.id}")
    assert "data-berkas-block" in page.get_data(as_text=True)
    refused = _finalise(app, school, version, school.trainee)
    assert refused.status_code == 409 and "FR.AK.01" in refused.get_data(as_text=True)
    assert _finals() == 0
    # Only the assessor signed: still refused.
    client_for(app, school.assessor).post(f"/berkas/peserta/{school.trainee.id}/ak01/rencana",
                                       data={**ak01_plan(), **signed()})
    assert _finalise(app, school, version, school.trainee).status_code == 409
    client_for(app, school.trainee).post(f"/berkas/peserta/{school.trainee.id}/ak01/setuju", data=signed())
    form = db.session.scalar(select(AssessmentForm).where(AssessmentForm.kind == "FR.AK.01"))
    assert form.is_locked and form.content["methods"] == ["observasi", "tertulis"]
    assert _finalise(app, school, version, school.trainee).status_code == 302
    assert _finals() == 1


def test_partner_declines_so_the_version_cannot_be_finalised(app, school):
    _agree_ak01(app, school, school.trainee)
    version = school.submit(school.trainee, "LIK_1", partner=school.trainee2)
    waiting = _finalise(app, school, version, school.trainee)
    assert waiting.status_code == 409 and "belum menyatakan setuju" in waiting.get_data(as_text=True)
    # Only the partner answers, on their own account.
    for user in (school.trainee, school.ani, school.budi):
        assert client_for(app, user).post(f"/berkas/pasangan/{version.id}", data={"decision": "setuju"}).status_code == 404
    partner = client_for(app, school.trainee2)
    assert "Saya menolak" in partner.get("/berkas/pasangan").get_data(as_text=True)
    assert partner.post(f"/berkas/pasangan/{version.id}", data={"decision": "menolak"}).status_code == 302
    declined = _finalise(app, school, version, school.trainee)
    assert declined.status_code == 409 and "menolak" in declined.get_data(as_text=True)
    assert "merekam ulang" in declined.get_data(as_text=True)
    ak01_page = client_for(app, school.assessor).get(f"/berkas/peserta/{school.trainee.id}/ak01").get_data(as_text=True)
    assert "Pasangan menolak" in ak01_page
    assert _finals() == 0
    # The trainee re-records with another partner, who agrees: that version can be finalised.
    again = school.submit(school.trainee, "LIK_1", partner=school.ani)
    assert client_for(app, school.ani).post(f"/berkas/pasangan/{again.id}", data={"decision": "setuju"}).status_code == 302
    assert _finalise(app, school, again, school.trainee).status_code == 302
    assert _finals() == 1
    # After the final judgement the partner's answer is frozen.
    late = client_for(app, school.ani).post(f"/berkas/pasangan/{again.id}", data={"decision": "menolak"})
    assert late.status_code == 303
    assert db.session.scalar(select(PartnerConsent.decision).where(PartnerConsent.version_id == again.id)) == "setuju"


def test_trainee_agrees_only_after_the_assessor_planned_and_only_their_own(app, school):
    early = client_for(app, school.trainee).post(f"/berkas/peserta/{school.trainee.id}/ak01/setuju", data=signed())
    assert early.status_code == 409 and "Asesor belum" in early.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AssessmentForm)) == 0
    # A trainee cannot plan; another class's assessor cannot plan or open it.
    assert client_for(app, school.trainee).post(f"/berkas/peserta/{school.trainee.id}/ak01/rencana",
                                             data={**ak01_plan(), **signed()}).status_code == 403
    other = client_for(app, school.assessor2)
    assert other.get(f"/berkas/peserta/{school.trainee.id}/ak01").status_code == 404
    assert other.post(f"/berkas/peserta/{school.trainee.id}/ak01/rencana",
                      data={**ak01_plan(), **signed()}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AssessmentForm)) == 0
    client_for(app, school.assessor).post(f"/berkas/peserta/{school.trainee.id}/ak01/rencana",
                                       data={**ak01_plan(), **signed()})
    # Another trainee cannot sign it for them.
    assert client_for(app, school.trainee2).post(f"/berkas/peserta/{school.trainee.id}/ak01/setuju",
                                              data=signed()).status_code == 404


@pytest.mark.parametrize("change, words", [
    ({"methods": []}, "jenis bukti"),
    ({"date": "besok"}, "tanggal"),
    ({"tuk_type": "kapal"}, "jenis TUK"),
    ({"tuk_place": ""}, "tempat uji"),
    ({"tuk_place": "x" * 161}, "terlalu panjang"),
])
def test_bad_plan_is_refused_with_nothing_written(app, school, change, words):
    data = {**ak01_plan(), **signed(), **change}
    response = client_for(app, school.assessor).post(f"/berkas/peserta/{school.trainee.id}/ak01/rencana", data=data)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AssessmentForm)) == 0


def test_two_assessors_racing_to_sign_leave_one_signature(app, school, make_user):
    import threading

    from courseware.berkas.models import FormSignature

    third = make_user("asesor3", ["assessor"], name="Asesor Tiga")
    db.session.add(ClassAssessor(classroom_id=school.a.id, assessor_id=third.id))
    db.session.commit()
    trainee_id = school.trainee.id
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def press(user):
        try:
            with app.app_context():
                client = login_as(app.test_client(), user)
                barrier.wait(timeout=10)
                response = client.post(f"/berkas/peserta/{trainee_id}/ak01/rencana",
                                       data={**ak01_plan(), **signed(user.full_name)})
                statuses.append(response.status_code)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=press, args=(u,)) for u in (school.assessor, third)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(statuses) == [302, 409], statuses
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AssessmentForm)) == 1
    assert db.session.scalar(select(func.count()).select_from(FormSignature)) == 1
