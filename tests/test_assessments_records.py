"""Assessment records: FR.AK.02 (HTML and PDF), FR.IA.01 observation checklist, FR.AK.05 class report."""
import io
import re

import pytest
from pypdf import PdfReader

from courseware import UNIT_CODE
from courseware.assessments import comments, judgements
from courseware.results import status as results
from courseware.assessments import records

from .conftest import login_as
from .test_assessments_service import attitudes_for, judge, marks_for


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def judged(assessment_school, monkeypatch):
    """trainee (Peserta1): test passed, LIK_1 K (paired with trainee2), LIK_2 BK on critical point 2.5-a."""
    s = assessment_school
    passed = results.TestResult(results.TestStatus.LULUS, 82.5, 75)
    monkeypatch.setattr(results, "test_results", lambda user_ids, quiz=None: {uid: passed for uid in user_ids})
    s.trainee.full_name = "Siti Nurhaliza Ketaren"
    from courseware.extensions import db
    db.session.commit()
    lik1 = s.submit(s.trainee, "LIK_1", partner=s.trainee2)
    s.j1 = judge(lik1, s.trainee, s.assessor, s.lik1, "K")
    lik2 = s.submit(s.trainee, "LIK_2")
    draft = judgements.start_or_resume_draft(lik2, s.trainee, s.assessor)
    marks = marks_for(s.lik2, p2_5_a="BK")
    crit = next(p for p in s.lik2.active_points if p.uid == "2.5-a")
    marks[crit.id].comment = "Keputusan perbaikan belum mendahulukan pelanggan; tenggat tidak disebut."
    judgements.save_marks(draft, s.assessor, marks, "BK", "Ulangi bagian keputusan perbaikan: sebut tenggatnya.",
                       attitudes=attitudes_for(s.lik2), tuk=
                       "Ruang Praktik OTKP, SMK Negeri 1 Contoh")
    comments.add_comment(lik2, s.trainee, s.assessor, comments.CommentInput(212, crit.id, "Tenggat tidak disebut"))
    s.j2 = judgements.finalise(draft, s.assessor)
    return s


def test_record_page_has_the_fr_ak_02_contents(judged, as_user):
    s = judged
    page = _text(as_user("assessor").get(f"/penilaian/rekaman/{s.trainee.id}"))
    for expected in ("FR.AK.02", "Siti Nurhaliza Ketaren", s.assessor.full_name, "Ruang Praktik OTKP", UNIT_CODE,
                     "Mengelola Layanan Pelanggan Berkualitas", "Tes tertulis: Lulus, nilai 82,5",
                     "LIK_1 (ceklis observasi): 5 dari 5 butir K", "Belum Kompeten", "LIK_2 Belum Kompeten",
                     "Ulangi bagian keputusan perbaikan", "Asesi", "Asesor", "XI MPLB 1"):
        assert expected in page, expected
    assert page.count("sign-line") == 2


def test_who_may_see_a_trainees_records(judged, app, make_user):
    s = judged
    paths = [f"/penilaian/rekaman/{s.trainee.id}", f"/penilaian/rekaman/{s.trainee.id}.pdf",
             f"/penilaian/observasi/{s.j2.id}"]
    outsider_assessor_teacher = make_user("guru3", ["teacher"])
    for user, status in ((s.trainee, 200), (s.teacher, 200), (s.assessor, 200), (s.admin, 200),
                         (s.trainee2, 404), (s.budi, 404), (s.teacher2, 404), (outsider_assessor_teacher, 404)):
        client = login_as(app.test_client(), user)
        for path in paths:
            assert client.get(path).status_code == status, (user.username, path)
    # the partner sees their own record, which never carries the submitter's LIK_1 judgement
    partner_page = _text(login_as(app.test_client(), s.trainee2).get(f"/penilaian/rekaman/{s.trainee2.id}"))
    assert "LIK_1 belum dikumpulkan." in partner_page   # the partner has no evidence of their own
    assert login_as(app.test_client(), s.trainee2).get(f"/penilaian/observasi/{s.j1.id}").status_code == 404


def test_a_draft_checklist_is_only_for_assessors(judged, as_user):
    s = judged
    version = s.submit(s.ani, "LIK_1")
    draft = judgements.start_or_resume_draft(version, s.ani, s.assessor)
    assert as_user("assessor").get(f"/penilaian/observasi/{draft.id}").status_code == 200
    assert as_user("teacher").get(f"/penilaian/observasi/{draft.id}").status_code == 404


def test_observation_checklist_is_fr_ia_01(judged, as_user):
    s = judged
    page = _text(as_user("trainee").get(f"/penilaian/observasi/{s.j2.id}"))
    for expected in ("FR.IA.01", "Penilaian lanjut", "Memperbaiki pelayanan kepada pelanggan", "2.5-a",
                     "kritis", "tenggat tidak disebut", "3:32", "Ruang Praktik OTKP"):
        assert expected in page, expected
    for point in s.lik2.active_points:
        assert point.benchmark[:40] in page


def test_class_report_is_fr_ak_05(judged, as_user, app):
    s = judged
    page = _text(as_user("teacher").get(f"/penilaian/kelas/{s.a.id}/laporan"))
    assert "FR.AK.05" in page and "Siti Nurhaliza Ketaren" in page and s.ani.full_name in page
    assert "LIK_2 Belum Kompeten" in page and s.assessor.full_name in page
    assert as_user("assessor").get(f"/penilaian/kelas/{s.a.id}/laporan").status_code == 200
    assert as_user("teacher2").get(f"/penilaian/kelas/{s.a.id}/laporan").status_code == 404
    assert as_user("trainee").get(f"/penilaian/kelas/{s.a.id}/laporan").status_code == 403


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_produced_opens_and_carries_name_unit_and_every_result(judged, as_user):
    s = judged
    response = as_user("trainee").get(f"/penilaian/rekaman/{s.trainee.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    text = _pdf_text(response.data)
    flat = re.sub(r"\s+", " ", text)
    assert "Siti Nurhaliza Ketaren" in flat
    assert UNIT_CODE in flat and "Mengelola Layanan Pelanggan Berkualitas" in flat
    assert "REKAMAN ASESMEN KOMPETENSI" in flat and "Belum Kompeten" in flat
    assert "Ruang Praktik OTKP, SMK Negeri 1 Contoh" in flat
    # every checklist point with its own result: the text from one point's uid to the next
    checklist = text[text.index("Hasil ceklis observasi"):]
    expected = [(p.uid, m.result) for j in (s.j1, s.j2) for p, m in records.observation_rows(j)]
    uids = [uid for uid, _result in expected]
    positions = [checklist.index(uid, checklist.index(uids[i - 1]) + 1 if i else 0) for i, uid in enumerate(uids)]
    for i, (uid, result) in enumerate(expected):
        segment = checklist[positions[i]:positions[i + 1] if i + 1 < len(positions) else None]
        found = re.search(r"(?m)^(K|BK)(?=\s|$)", segment)
        assert found and found.group(1) == result, (uid, segment)
    assert ("2.5-a", "BK") in expected and sum(r == "K" for _u, r in expected) == 11
    assert "menit 3:32" in flat and "tenggat tidak disebut" in flat
