"""Assessment pages over HTTP: who may open what, the marking form, the trainee's view, the recap exports."""
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from courseware.assessments import comments, judgements, lookups
from courseware.results import status as results
from courseware.assessments.models import Judgement
from courseware.audit.models import AuditEvent
from courseware.extensions import db

from .conftest import login_as
from .test_assessments_service import attitudes_for, judge, marks_for


def _text(response) -> str:
    return response.get_data(as_text=True)


def form_for(practical, recommendation=None, action="draf", default="K", sure=True, **overrides):
    data = {"aksi": action, "umpan_balik": "Umpan balik umum", "tuk": "Lab OTKP 2"}
    if recommendation:
        data["rekomendasi"] = recommendation
    if sure:
        data["yakin"] = "1"
    for attitude in practical.attitudes:
        data[f"sikap-{attitude['id']}"] = default
    for point_id, mark in marks_for(practical, default, **overrides).items():
        data[f"hasil-{point_id}"] = mark.result
        data[f"komentar-{point_id}"] = mark.comment
    return data


def _mark_url(version, trainee):
    return f"/penilaian/versi/{version.id}/peserta/{trainee.id}"


@pytest.mark.parametrize("role,status", [("assessor", 200), ("admin", 200), ("teacher", 403), ("trainee", 403)])
def test_queue_and_marking_are_for_assessors_and_admins(assessment_school, app, role, status):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    client = login_as(app.test_client(), getattr(s, role))
    assert client.get("/penilaian/antrean").status_code == status
    assert client.get(_mark_url(version, s.trainee)).status_code == status
    response = client.post(_mark_url(version, s.trainee), data=form_for(s.lik1, "K", action="final"))
    assert response.status_code == (302 if status == 200 else 403)
    if status == 403:
        assert db.session.scalar(select(Judgement)) is None


def test_teacher_and_trainee_cannot_correct(assessment_school, app):
    s = assessment_school
    final = judge(s.submit(s.trainee, "LIK_1"), s.trainee, s.assessor, s.lik1, "K")
    data = {**form_for(s.lik1, "BK", p1_1_a="BK"), "alasan": "Alasan yang cukup panjang"}
    for role in ("teacher", "trainee"):
        client = login_as(app.test_client(), getattr(s, role))
        assert client.post(f"/penilaian/koreksi/{final.id}", data=data).status_code == 403
    assert len(lookups.final_history(final.version_id, s.trainee.id)) == 1


def test_anonymous_is_sent_to_login(client):
    for path in ("/penilaian/antrean", "/penilaian/hasil/LIK_1", "/penilaian/rekaman/1", "/penilaian/rekaman/1.pdf",
                 "/penilaian/kelas/1/rekap", "/penilaian/observasi/1", "/penilaian/versi/1/peserta/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], path


def test_queue_page_lists_rows_with_partner_version_status_and_wait(assessment_school, as_user):
    s = assessment_school
    s.submit(s.trainee, "LIK_1", partner=s.trainee2)
    s.submit(s.budi, "LIK_2", status="diproses")
    page = _text(as_user("assessor").get("/penilaian/antrean"))
    assert page.index(s.trainee.full_name) < page.index(s.budi.full_name)
    # One row for the pair: the submitter's (the partner is named, never queued).
    assert page.count(s.trainee2.full_name) == 1 and "Sedang diproses" in page and "47 jam" in page
    filtered = _text(as_user("assessor").get(f"/penilaian/antrean?kelas={s.b.id}&lik=LIK_2"))
    assert s.budi.full_name in filtered and s.trainee2.full_name not in filtered


def test_server_refuses_overall_k_with_a_bk_point(assessment_school, as_user):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_2")
    client = as_user("assessor")
    response = client.post(_mark_url(version, s.trainee), data=form_for(s.lik2, "K", action="final", p2_3_a="BK"))
    assert response.status_code == 400
    assert "Rekomendasi K hanya boleh jika semua butir bernilai K" in _text(response)
    assert lookups.current_final(version.id, s.trainee.id) is None
    # the page keeps what the assessor typed
    assert "komentar 2.3-a" in _text(response)


def test_draft_then_final_then_no_more_changes(assessment_school, as_user):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    client = as_user("assessor")
    page = _text(client.get(_mark_url(version, s.trainee)))
    assert "<video" in page and "Tandai waktu" in page and "js/marking.js" in page and "<script>" not in page
    data = form_for(s.lik1, "BK", p1_2_b="BK")
    point = s.lik1.active_points[2]
    data.update({"komentar_baru_waktu": "2:05", "komentar_baru_butir": str(point.id),
                 "komentar_baru_teks": "Salam pembuka terlewat"})
    assert client.post(_mark_url(version, s.trainee), data=data).status_code == 302
    draft = lookups.open_draft(version.id, s.trainee.id)
    [comment] = comments.comments_of(draft.id)
    assert (comment.seconds, comment.point_id, comment.text) == (125, point.id, "Salam pembuka terlewat")
    assert draft.tuk == "Lab OTKP 2"
    data.pop("komentar_baru_teks")  # the composer is empty again after the save
    # finalising needs the confirmation tick; the draft stays saved
    response = client.post(_mark_url(version, s.trainee), data={**data, "aksi": "final", "yakin": ""})
    assert response.status_code == 400 and lookups.current_final(version.id, s.trainee.id) is None
    assert client.post(_mark_url(version, s.trainee), data={**data, "aksi": "final"}).status_code == 302
    final = lookups.current_final(version.id, s.trainee.id)
    assert final.recommendation == "BK" and final.assessor_id == s.assessor.id
    # a finalised judgement cannot be re-marked through the form
    again = client.post(_mark_url(version, s.trainee), data=form_for(s.lik1, "K", action="final"))
    assert again.status_code == 409
    assert db.session.get(Judgement, final.id).recommendation == "BK"
    page = _text(client.get(_mark_url(version, s.trainee)))
    assert "Penilaian final" in page and "Koreksi penilaian ini" in page and 'data-seconds="125"' in page
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "assessment.finalise"))
    assert audit.actor_id == s.assessor.id and audit.address == "127.0.0.1"


def test_correction_over_http_needs_a_reason(assessment_school, as_user):
    s = assessment_school
    final = judge(s.submit(s.trainee, "LIK_1"), s.trainee, s.assessor, s.lik1, "K")
    client = as_user("assessor")
    data = form_for(s.lik1, "BK", p1_4_a="BK")
    response = client.post(f"/penilaian/koreksi/{final.id}", data={**data, "alasan": ""})
    assert response.status_code == 400 and "alasan koreksi" in _text(response)
    response = client.post(f"/penilaian/koreksi/{final.id}", data={**data, "alasan": "Koordinasi tidak terlihat."})
    assert response.status_code == 302
    page = _text(client.get(_mark_url(final.version, s.trainee)))
    assert "Koordinasi tidak terlihat." in page and "Dikoreksi" in page


def test_trainee_sees_own_results_escaped_with_time_links_and_resubmit(assessment_school, as_user):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1", partner=s.trainee2)
    draft = judgements.start_or_resume_draft(version, s.trainee, s.assessor)
    marks = marks_for(s.lik1, p1_1_a="BK")
    first = s.lik1.active_points[0]
    marks[first.id].comment = "Data kepuasan <script>alert(1)</script> kurang"
    judgements.save_marks(draft, s.assessor, marks, "BK", "Perbaiki **data** dulu", "Lab", attitudes_for(s.lik1))
    comments.add_comment(version, s.trainee, s.assessor, comments.CommentInput(95, first.id, "Data belum disebut"))
    judgements.finalise(draft, s.assessor)

    page = _text(as_user("trainee").get("/penilaian/hasil/LIK_1"))
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert 'data-seconds="95"' in page and "<strong>data</strong>" in page
    assert "Kirim versi baru LIK_1" in page and "/praktik/LIK_1" in page
    # The partner sees the video named on their page, no judgement about the submitter, and the rule.
    partner_page = _text(as_user("trainee2").get("/penilaian/hasil/LIK_1"))
    assert "Data kepuasan" not in partner_page and "bukan untukmu" in partner_page
    assert "Kirim versi baru" not in partner_page and "Belum mengumpulkan" in partner_page
    assert as_user("trainee").get("/penilaian/hasil/LIK_9").status_code == 404
    assert as_user("teacher").get("/penilaian/hasil/LIK_1").status_code == 403


def test_resubmission_history_shows_each_version_with_its_judgement(assessment_school, as_user):
    s = assessment_school
    judge(s.submit(s.trainee, "LIK_2"), s.trainee, s.assessor, s.lik2, "BK")
    s.submit(s.trainee, "LIK_2")
    page = _text(as_user("trainee").get("/penilaian/hasil/LIK_2"))
    assert page.index("Versi 2") < page.index("Versi 1")
    assert "Belum dinilai." in page and "Umpan balik" in page


def test_recap_for_own_classes_with_csv_and_xlsx(assessment_school, as_user, monkeypatch):
    s = assessment_school
    passed = results.TestResult(results.TestStatus.LULUS, 90.0, 75)
    monkeypatch.setattr(results, "test_results", lambda user_ids, quiz=None: {uid: passed for uid in user_ids})
    for code, practical in (("LIK_1", s.lik1), ("LIK_2", s.lik2)):
        judge(s.submit(s.trainee, code), s.trainee, s.assessor, practical, "K")
    client = as_user("teacher")
    page = _text(client.get(f"/penilaian/kelas/{s.a.id}/rekap"))
    assert s.trainee.full_name in page and s.ani.full_name in page and "LIK_1 belum dikumpulkan." in page
    assert client.get(f"/penilaian/kelas/{s.b.id}/rekap").status_code == 404
    assert client.get(f"/penilaian/kelas/{s.b.id}/rekap.csv").status_code == 404
    assert as_user("trainee").get(f"/penilaian/kelas/{s.a.id}/rekap").status_code == 403
    assert as_user("admin").get(f"/penilaian/kelas/{s.b.id}/rekap").status_code == 200

    response = client.get(f"/penilaian/kelas/{s.a.id}/rekap.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    by_name = {r[2]: r for r in rows[1:]}
    assert rows[0][7] == "Hasil unit"
    assert by_name[s.trainee.full_name][7] == "Kompeten"
    assert by_name[s.ani.full_name][7] == "Dalam proses"     # nothing decided yet: never Belum Kompeten

    response = client.get(f"/penilaian/kelas/{s.a.id}/rekap.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[2][2] == "Nama"
    assert [s.trainee.full_name, "Kompeten"] in [[v[2], v[7]] for v in values[3:]]


def test_dashboard_panels(assessment_school, as_user):
    s = assessment_school
    s.submit(s.trainee, "LIK_1")
    page = _text(as_user("assessor").get("/"))
    assert "1 kiriman menunggu penilaian" in page and "/penilaian/antrean" in page
    page = _text(as_user("trainee").get("/"))
    assert "Hasil penilaian saya" in page and "/penilaian/hasil/LIK_1" in page and "Menunggu penilaian LIK_1" in page
    page = _text(as_user("teacher").get("/"))
    assert f"/penilaian/kelas/{s.a.id}/rekap" in page


def test_marking_someone_not_on_the_version_is_404_and_csrf_is_required(assessment_school, as_user):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1", partner=s.trainee2)
    client = as_user("assessor")
    assert client.get(_mark_url(version, s.ani)).status_code == 404
    assert client.post(_mark_url(version, s.ani), data=form_for(s.lik1, "K")).status_code == 404
    assert client.get(f"/penilaian/versi/{version.id + 99}/peserta/{s.trainee.id}").status_code == 404
    assert client.post(_mark_url(version, s.trainee), data=form_for(s.lik1, "K"), csrf=False).status_code == 400
    assert client.post("/penilaian/koreksi/999", data={"alasan": "x" * 20}).status_code == 404
    assert lookups.open_draft(version.id, s.trainee.id) is None


def test_the_marking_screen_offers_each_points_oral_follow_up_questions(assessment_school, as_user):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_2")
    page = _text(as_user("assessor").get(_mark_url(version, s.trainee)))
    assert "Pertanyaan lisan bila video kurang jelas" in page
    for point in s.lik2.active_points:
        assert point.follow_up[0].replace("'", "&#39;") in page
