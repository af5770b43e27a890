"""The berkas PDF of one trainee (read back with pypdf) and the class archive job (ZIP)."""
import io
import re
import zipfile

from pypdf import PdfReader
from sqlalchemy import select

from courseware.berkas.appeal_models import ArchiveJob
from courseware.berkas.models import AssessmentForm
from courseware.extensions import db

from .berkas2_fixtures import as_client, berkas_school, text  # noqa: F401
from .berkas_helpers import signed


def _pdf_text(body: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(body))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _sign_some_forms(app, s):
    assert as_client(app, s.assessor).post(f"/berkas/ia05/{s.attempt.id}/umpan-balik", data={
        "umpan_balik": "Ulangi materi KUK 2.5 sebelum asesmen ulang.", **signed("Asesor Satu")}).status_code == 302
    answers = {f"jawab-q{n}": "ya" for n in range(1, 8)}
    assert as_client(app, s.trainee).post("/berkas/umpan-balik", data={**answers, **signed("Peserta Satu")}
                                          ).status_code == 302
    assert as_client(app, s.trainee).post(f"/berkas/banding/penilaian/{s.j2.id}", data={
        "alasan": "Saya sudah menyebut tenggat pada menit 3:32.", **signed("Peserta Satu")}).status_code == 302


def test_berkas_pdf_has_every_section_page_numbers_and_fingerprints(app, berkas_school):
    s = berkas_school
    s.trainee.full_name = "Siti Nurhaliza Ketaren"
    db.session.commit()
    _sign_some_forms(app, s)
    response = as_client(app, s.teacher).get(f"/berkas/peserta/{s.trainee.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader, body = _pdf_text(response.data)
    import os
    if os.environ.get("BERKAS_PDF_OUT"):
        open(os.environ["BERKAS_PDF_OUT"], "wb").write(response.data)
    flat = re.sub(r"\s+", " ", body)
    for heading in ("BERKAS ASESMEN KOMPETENSI", "FR.APL.02 · Asesmen Mandiri", "FR.AK.01 ·", "FR.IA.01 ·",
                    "LIK_1", "LIK_2", "FR.IA.05 · Pertanyaan Tertulis Pilihan Ganda",
                    "FR.AK.02 · Rekaman Asesmen Kompetensi", "FR.AK.03 · Umpan Balik dan Catatan Asesmen",
                    "FR.AK.04 · Banding Asesmen", "LSP P1 SMK Contoh Nusantara", "Siti Nurhaliza Ketaren",
                    "Ulangi materi KUK 2.5", "Saya sudah menyebut tenggat"):
        assert heading in flat, heading
    total = len(reader.pages)
    for number in range(1, total + 1):
        assert f"Halaman {number} dari {total}" in flat
    signed_forms = list(db.session.scalars(select(AssessmentForm).where(AssessmentForm.locked_at.is_not(None))))
    assert {f.kind for f in signed_forms} == {"FR.IA.05", "FR.AK.03"}
    compact = flat.replace(" ", "")
    for form in signed_forms:
        assert form.fingerprint in compact, form.kind
    # the FR.IA.01 time-stamped comments of the judgements are there
    assert "komentar 2.1-a" in flat
    assert flat.count("Rekomendasi LIK_2") == 1      # FR.AK.02 does not print FR.IA.01 a second time


def test_berkas_pdf_permissions_and_the_trainees_keys(app, berkas_school):
    s = berkas_school
    assert as_client(app, s.teacher2).get(f"/berkas/peserta/{s.trainee.id}.pdf").status_code == 404
    assert as_client(app, s.trainee2).get(f"/berkas/peserta/{s.trainee.id}.pdf").status_code == 404
    own = as_client(app, s.trainee).get(f"/berkas/peserta/{s.trainee.id}.pdf")
    assert own.status_code == 200
    # review "langsung": the trainee's own copy shows the keys and "tercapai"
    assert "Kunci belum boleh ditampilkan" not in _pdf_text(own.data)[1]


def test_trainee_copy_hides_keys_while_the_review_is_closed(app, berkas_school):
    from courseware.quizzes.models import QuizWindow

    s = berkas_school
    window = db.session.scalar(select(QuizWindow).where(QuizWindow.classroom_id == s.a.id))
    window.review_policy = "setelah-ditutup"
    db.session.commit()
    _reader, own = _pdf_text(as_client(app, s.trainee).get(f"/berkas/peserta/{s.trainee.id}.pdf").data)
    assert "Kunci belum boleh ditampilkan" in own
    _reader, staff = _pdf_text(as_client(app, s.teacher).get(f"/berkas/peserta/{s.trainee.id}.pdf").data)
    assert "Kunci belum boleh ditampilkan" not in staff


def test_class_archive_zip_has_every_berkas_and_the_report(app, berkas_school):
    s = berkas_school
    assert as_client(app, s.teacher2).post(f"/berkas/kelas/{s.a.id}/arsip").status_code == 404
    client = as_client(app, s.teacher)
    response = client.post(f"/berkas/kelas/{s.a.id}/arsip")
    assert response.status_code == 302
    job = db.session.scalar(select(ArchiveJob))
    assert job.state == "selesai"
    status = client.get(f"/berkas/arsip/{job.id}/status.json").get_json()
    assert status["percent"] == 100 and status["done"] == status["total"] == 4 and status["download"]
    page = text(client.get(f"/berkas/arsip/{job.id}"))
    assert "Unduh arsip" in page and 'value="100"' in page
    download = client.get(status["download"])
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        names = archive.namelist()
        pdfs = [n for n in names if n.endswith(".pdf") and not n.startswith("FR.AK.05")]
        assert len(pdfs) == 4 and any(n.startswith("FR.AK.05") for n in names)
        for name in names:
            assert PdfReader(io.BytesIO(archive.read(name))).pages
        report = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(
            next(n for n in names if n.startswith("FR.AK.05"))))).pages)
        assert "LAPORAN ASESMEN" in report and s.trainee.full_name in report
    assert as_client(app, s.teacher2).get(f"/berkas/arsip/{job.id}/status.json").status_code == 404
    assert as_client(app, s.trainee).get(f"/berkas/arsip/{job.id}.zip").status_code == 403


def test_a_running_archive_is_reused_and_a_stale_one_is_not(app, berkas_school):
    from datetime import timedelta

    from courseware.models_base import utcnow

    s = berkas_school
    running = ArchiveJob(classroom_id=s.a.id, requested_by_id=s.teacher.id, state="berjalan", total=4)
    db.session.add(running)
    db.session.commit()
    client = as_client(app, s.teacher)
    assert client.post(f"/berkas/kelas/{s.a.id}/arsip").headers["Location"].endswith(f"/berkas/arsip/{running.id}")
    running.created_at = utcnow() - timedelta(hours=2)          # its worker died long ago
    db.session.commit()
    location = client.post(f"/berkas/kelas/{s.a.id}/arsip").headers["Location"]
    assert not location.endswith(f"/berkas/arsip/{running.id}")
    assert db.session.scalar(select(ArchiveJob).order_by(ArchiveJob.id.desc())).state == "selesai"
