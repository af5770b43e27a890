"""Submissions: partners from the same class, versions kept, who may see and upload what, video hooks."""
import itertools
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from courseware.audit.models import AuditEvent
from courseware.classes.models import Enrollment
from courseware.classes.service import create_class
from courseware.errors import ServiceError
from courseware.extensions import db
from courseware.practicals import service
from courseware.results import status as results
from courseware.media.models import MediaFile
from courseware.practicals import permissions
from courseware.practicals.models import Submission, SubmissionVersion

from .conftest import login_as

_ids = itertools.count(9001)


def make_media(owner, status="siap", error=None):
    """A finished upload: a real MediaFile row."""
    n = next(_ids)
    media = MediaFile(owner_id=owner.id, target_kind="submission-version", target_id="0",
                      original_filename="dialog.mp4", original_key=f"originals/test/{n}.mp4", original_size=1000,
                      container="mov,mp4,m4a,3gp,3g2,mj2", video_codec="h264", audio_codec="aac", duration=240.0,
                      width=1280, height=720, status=status, status_reason=error)
    db.session.add(media)
    db.session.commit()
    return media


@pytest.fixture
def school(app, users, make_user, practicals):
    """Class A (teacher): trainee, trainee2, ani. Class B (teacher2): budi. An assessor enrolled by mistake in A."""
    extra = {"ani": make_user("ani", ["trainee"], nis="1003"), "budi": make_user("budi", ["trainee"], nis="1004"),
             "odd": make_user("odd", ["assessor"])}
    class_a = create_class(users["teacher"], "XI MPLB 1", "2026/2027")
    class_b = create_class(users["teacher2"], "XI MPLB 2", "2026/2027")
    for user in (users["trainee"], users["trainee2"], extra["ani"], extra["odd"]):
        db.session.add(Enrollment(classroom_id=class_a.id, user_id=user.id))
    db.session.add(Enrollment(classroom_id=class_b.id, user_id=extra["budi"].id))
    db.session.commit()
    return SimpleNamespace(a=class_a, b=class_b, **users, **extra, lik1=practicals["LIK_1"],
                           lik2=practicals["LIK_2"])


def _submit(client, code="LIK_1", partner=0, transcript=""):
    return client.post(f"/praktik/{code}/versi", data={"partner": str(partner), "transcript": transcript})


def _text(response) -> str:
    return response.get_data(as_text=True)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- creating versions ------------------------------------------------------------------------

def test_trainee_creates_version_1_with_a_classmate_and_it_is_audited(as_user, school):
    client = as_user("trainee")
    response = _submit(client, partner=school.trainee2.id, transcript="Selamat pagi, Bu.\nSaya mau usul.")
    assert response.status_code == 302 and response.headers["Location"].endswith("/praktik/LIK_1#kiriman")
    version = db.session.scalar(select(SubmissionVersion))
    assert (version.number, version.partner_id, version.media_file_id) == (1, school.trainee2.id, None)
    assert version.transcript == "Selamat pagi, Bu.\nSaya mau usul."
    assert version.submission.trainee_id == school.trainee.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "practical.submit"))
    assert event.actor_id == school.trainee.id and event.detail["partner"] == school.trainee2.id
    page = _text(client.get("/praktik/LIK_1"))
    assert "Versi 1" in page and "Pasangan: Peserta2" in page and "Belum ada video" in page


def test_partner_choices_are_only_classmates(as_user, school):
    page = _text(as_user("trainee").get("/praktik/LIK_1"))
    options = page.split('<select id="partner"')[1].split("</select>")[0]
    assert "Peserta2" in options and "Ani" in options
    assert "Budi" not in options and "Peserta1" not in options and "Odd" not in options


@pytest.mark.parametrize("who,message", [
    ("trainee", "Anda tidak dapat memilih diri sendiri sebagai pasangan."),
    ("budi", "Pasangan harus peserta yang terdaftar di kelas yang sama dengan Anda."),
    ("teacher", "Pasangan harus peserta yang terdaftar di kelas yang sama dengan Anda."),
    ("odd", "Pasangan harus akun peserta yang aktif."),
    (None, "Pasangan harus peserta yang terdaftar di kelas yang sama dengan Anda."),
])
def test_partner_must_be_a_classmate_trainee(as_user, school, who, message):
    partner_id = getattr(school, who).id if who else 987654
    response = _submit(as_user("trainee"), partner=partner_id)
    assert response.status_code == 400
    assert message in _text(response)
    assert _count(Submission) == 0 and _count(SubmissionVersion) == 0


def test_garbage_partner_value_is_refused_not_crashing(as_user, school):
    response = _submit(as_user("trainee"), partner="abc")
    assert response.status_code == 400 and _count(Submission) == 0


def test_transcript_over_the_limit_is_refused_and_nothing_is_written(as_user, school):
    response = _submit(as_user("trainee"), transcript="a" * 20_001)
    assert response.status_code in (400, 413)
    assert "20.000" in _text(response)
    assert _count(Submission) == 0
    with pytest.raises(ServiceError) as caught:
        service.save_version(school.trainee, school.lik1, None, "b" * 20_001)
    assert caught.value.status == 413


def test_only_trainees_submit(as_user, school):
    assert _submit(as_user("teacher")).status_code == 403
    assert _submit(as_user("assessor")).status_code == 403


def test_csrf_less_post_is_refused(as_user, school):
    response = as_user("trainee").post("/praktik/LIK_1/versi", data={"partner": "0"}, csrf=False)
    assert response.status_code == 400 and _count(Submission) == 0


def test_draft_is_edited_until_the_video_arrives_then_a_new_version_keeps_the_old(as_user, school):
    client = as_user("trainee")
    _submit(client, partner=school.trainee2.id, transcript="versi pertama")
    _submit(client, partner=school.ani.id, transcript="versi pertama, diperbaiki")
    assert _count(SubmissionVersion) == 1            # a draft without video is edited in place
    v1 = db.session.scalar(select(SubmissionVersion))
    assert v1.partner_id == school.ani.id
    media1 = make_media(school.trainee)
    service.attach_media(school.trainee, v1.id, media1)
    db.session.commit()
    _submit(client, partner=school.trainee2.id, transcript="versi kedua")
    versions = db.session.scalars(select(SubmissionVersion).order_by(SubmissionVersion.number)).all()
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].media_file_id == media1.id and versions[0].transcript == "versi pertama, diperbaiki"
    assert versions[0].partner_id == school.ani.id      # the old version keeps its own partner
    assert versions[1].media_file_id is None and versions[1].partner_id == school.trainee2.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "practical.version")).detail["version"] == 2
    page = _text(client.get("/praktik/LIK_1"))
    assert "Versi 2" in page and "Versi 1" in page
    submission_id = versions[0].submission_id
    for role in ("assessor", "teacher", "trainee"):
        page = _text(as_user(role).get(f"/praktik/kiriman/{submission_id}"))
        assert 'id="versi-1"' in page and 'id="versi-2"' in page, role


# --- who may see a submission ----------------------------------------------------------------

@pytest.fixture
def submitted(school):
    """trainee's LIK_2 version 1 with ani as partner, video attached."""
    version, _ = service.save_version(school.trainee, school.lik2, school.ani.id, "naskah")
    media = make_media(school.trainee)
    service.attach_media(school.trainee, version.id, media)
    db.session.commit()
    return SimpleNamespace(version=db.session.get(SubmissionVersion, version.id), media=media,
                           submission_id=version.submission_id)


def _viewer(school, app, name):
    return login_as(app.test_client(), getattr(school, name))


@pytest.mark.parametrize("name,status", [
    ("trainee", 200),      # the submitter
    ("ani", 200),          # the partner
    ("teacher", 200),      # teaches both
    ("assessor", 200),
    ("admin", 200),
    ("trainee2", 404),     # a classmate, not involved
    ("budi", 404),         # another class
    ("teacher2", 404),     # teacher of another class
    ("odd", 200),          # an assessor (enrolled by mistake: still an assessor)
])
def test_submission_page_access(app, school, submitted, name, status):
    response = _viewer(school, app, name).get(f"/praktik/kiriman/{submitted.submission_id}")
    assert response.status_code == status
    if status == 200:
        assert "naskah" in _text(response)


def test_unknown_submission_is_404_like_a_foreign_one(as_user, school):
    assert as_user("trainee").get("/praktik/kiriman/999").status_code == 404


def test_teacher_of_the_partners_class_can_view(app, school, make_user):
    """A pair across classes is impossible through the form, but a partner who later moves class
    stays visible to their new teacher: can_view follows either trainee's class."""
    version, _ = service.save_version(school.trainee, school.lik1, school.ani.id, "")
    db.session.execute(Enrollment.__table__.delete().where(Enrollment.user_id == school.ani.id))
    db.session.add(Enrollment(classroom_id=school.b.id, user_id=school.ani.id))
    db.session.commit()
    version = db.session.get(SubmissionVersion, version.id)
    assert permissions.can_view_version(school.teacher2, version)
    assert permissions.can_view_version(school.teacher, version)
    assert not permissions.can_view_version(make_user("guru3", ["teacher"]), version)


def test_can_view_media_table(app, school, submitted, make_user):
    table = {
        "trainee": True, "ani": True, "teacher": True, "assessor": True, "admin": True, "odd": True,
        "trainee2": False, "budi": False, "teacher2": False,
    }
    for name, expected in table.items():
        assert permissions.can_view_media(getattr(school, name), submitted.media) is expected, name
    assert permissions.can_view_media(make_user("orang", ["teacher", "trainee"]), submitted.media) is False
    # A media file that belongs to no submission version is nobody's business here.
    assert permissions.can_view_media(school.admin, make_media(school.trainee)) is False
    anonymous = SimpleNamespace(is_authenticated=False, id=None)
    assert permissions.can_view_media(anonymous, submitted.media) is False


def test_partner_sees_the_submission_on_their_own_page(app, as_user, school, submitted):
    page = _text(_viewer(school, app, "ani").get("/praktik/LIK_2"))
    assert "Anda tercatat sebagai pasangan Peserta1 di LIK_2 (versi 1)" in page
    # The evidence rule: the partner is told the video is not their evidence.
    assert "Video ini bukti untuk Peserta1, bukan untuk Anda" in page
    other = _text(as_user("trainee2").get("/praktik/LIK_2"))
    assert "Anda tercatat sebagai pasangan" not in other


# --- upload target hooks ---------------------------------------------------------------------

def _refusal(call, *args) -> int:
    with pytest.raises(ServiceError) as caught:
        call(*args)
    return caught.value.status


def test_authorize_upload_only_for_the_submitter_and_before_the_video(school):
    version, _ = service.save_version(school.trainee, school.lik1, None, "")
    assert service.authorize_upload(school.trainee, version.id) is True
    assert service.authorize_upload(school.trainee, str(version.id)) is True
    for name in ("trainee2", "ani", "teacher", "assessor", "admin"):   # not theirs: 404
        assert _refusal(service.authorize_upload, getattr(school, name), version.id) == 404, name
    assert _refusal(service.authorize_upload, school.trainee, 424242) == 404
    assert _refusal(service.authorize_upload, school.trainee, "x") == 404
    anonymous = SimpleNamespace(is_authenticated=False, id=None)
    assert _refusal(service.authorize_upload, anonymous, version.id) == 404
    service.attach_media(school.trainee, version.id, make_media(school.trainee))
    db.session.commit()
    assert _refusal(service.authorize_upload, school.trainee, version.id) == 409


def test_on_complete_attaches_once(school):
    version, _ = service.save_version(school.trainee, school.lik1, None, "")
    first = make_media(school.trainee)
    service.attach_media(school.trainee, version.id, first)
    db.session.commit()
    second = make_media(school.trainee)
    with pytest.raises(ServiceError) as caught:
        service.attach_media(school.trainee, version.id, second)
    assert caught.value.status == 409 and "sudah memiliki video" in caught.value.message
    db.session.rollback()
    assert db.session.get(SubmissionVersion, version.id).media_file_id == first.id
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "practical.video")) == 1


def test_on_complete_refuses_another_trainees_version(school):
    version, _ = service.save_version(school.trainee, school.lik1, None, "")
    with pytest.raises(ServiceError) as caught:
        service.attach_media(school.trainee2, version.id, make_media(school.trainee2))
    assert caught.value.status == 404
    assert db.session.get(SubmissionVersion, version.id).media_file_id is None


def test_media_hooks_are_registered(app, school):
    from courseware.media.targets import get_target

    target = get_target(service.UPLOAD_KIND)
    assert service.UPLOAD_KIND == "submission-version"
    assert target.authorize is service.authorize_upload and target.on_complete is service.attach_media
    assert target.can_view is permissions.can_view_media
    # The media domain passes target ids as strings.
    version, _ = service.save_version(school.trainee, school.lik1, None, "")
    assert target.authorize(school.trainee, str(version.id)) is True
    assert _refusal(target.authorize, school.trainee2, str(version.id)) == 404
    target.on_complete(school.trainee, str(version.id), make_media(school.trainee))
    db.session.commit()
    assert db.session.get(SubmissionVersion, version.id).media_file_id is not None


# --- the functions the assessment domain uses ------------------------------------------------

def test_service_api_for_assessments(school, submitted):
    own = service.submissions_for_trainee(school.trainee, "LIK_2")
    assert [s.id for s in own] == [submitted.submission_id]
    assert [s.id for s in service.submissions_for_trainee(school.ani, "LIK_2")] == [submitted.submission_id]
    assert service.submissions_for_trainee(school.trainee2, "LIK_2") == []
    assert service.submissions_for_trainee(school.trainee, "LIK_9") == []
    assert service.latest_version(own[0]).number == 1
    assert service.latest_version(None) is None
    # Evidence is the submitter's own version with a video: the partner (ani) has none.
    assert results.evidence_version(school.ani.id, "LIK_2") is None
    assert results.evidence_version(school.trainee.id, "LIK_2").id == submitted.version.id
    assert results.evidence_version(school.trainee.id, "LIK_1") is None
    service.save_version(school.ani, school.lik2, None, "")   # a draft without video is no evidence
    assert results.evidence_version(school.ani.id, "LIK_2") is None
    with pytest.raises(Exception) as caught:
        service.visible_submission_or_404(school.budi, submitted.submission_id)
    assert getattr(caught.value, "code", None) == 404
    assert service.visible_submission_or_404(school.ani, submitted.submission_id).id == submitted.submission_id


# --- the teacher's class overview ------------------------------------------------------------

def test_class_overview_shows_who_submitted_what(as_user, school, submitted):
    response = as_user("teacher").get(f"/praktik/kelas/{school.a.id}")
    page = _text(response)
    assert response.status_code == 200
    row = page.split("Peserta1<br>")[1].split("</tr>")[0]
    assert f'/praktik/kiriman/{submitted.submission_id}">Versi 1' in row and "pasangan: Ani" in row
    ani_row = page.split("Ani<br>")[1].split("</tr>")[0]
    assert "Pasangan dari" in ani_row and "Peserta1" in ani_row
    assert "Budi" not in page


def test_class_overview_is_for_the_class_teacher_only(as_user, school):
    assert as_user("teacher2").get(f"/praktik/kelas/{school.a.id}").status_code == 404
    assert as_user("trainee").get(f"/praktik/kelas/{school.a.id}").status_code == 403
    assert as_user("admin").get(f"/praktik/kelas/{school.a.id}").status_code == 200
    assert as_user("teacher").get("/praktik/kelas/999").status_code == 404
    listing = _text(as_user("teacher").get("/praktik/"))
    assert f"/praktik/kelas/{school.a.id}" in listing and f"/praktik/kelas/{school.b.id}" not in listing
