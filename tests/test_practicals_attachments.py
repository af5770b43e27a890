"""Written products attached to a LIK version: a photo or a PDF judged by its bytes, shown to the
assessor beside the video; anything else is refused with the reason and nothing is stored."""
import io

import pytest
from sqlalchemy import func, select

from courseware.extensions import db
from courseware.practicals.models import SubmissionAttachment

from .conftest import login_as


def _png() -> bytes:
    """A real 8x8 PNG made with PyAV."""
    import av

    out = io.BytesIO()
    with av.open(out, "w", format="image2pipe") as container:
        stream = container.add_stream("png")
        stream.width, stream.height, stream.pix_fmt = 8, 8, "rgb24"
        frame = av.VideoFrame(8, 8, "rgb24")
        frame.planes[0].update(bytes([200]) * frame.planes[0].buffer_size)
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def _post(client, version, data: bytes, name: str):
    return client.post(f"/praktik/versi/{version.id}/lampiran", content_type="multipart/form-data",
                       data={"lampiran": (io.BytesIO(data), name)})


def test_a_photo_and_a_pdf_are_attached_and_the_assessor_sees_them(assessment_school, app):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_2", partner=s.trainee2)
    trainee = login_as(app.test_client(), s.trainee)
    assert _post(trainee, version, _png(), "catatan.png").status_code == 302
    assert _post(trainee, version, PDF, "tabel tindakan.pdf").status_code == 302
    items = list(db.session.scalars(select(SubmissionAttachment).order_by(SubmissionAttachment.id)))
    assert [i.content_type for i in items] == ["image/png", "application/pdf"]
    page = login_as(app.test_client(), s.assessor).get(f"/penilaian/versi/{version.id}/peserta/{s.trainee.id}")
    text = page.get_data(as_text=True)
    assert "Hasil tertulis yang dilampirkan" in text and f"/praktik/lampiran/{items[0].id}" in text
    for viewer, status in ((s.assessor, 200), (s.trainee2, 200), (s.teacher, 200), (s.budi, 404), (s.ani, 404)):
        response = login_as(app.test_client(), viewer).get(f"/praktik/lampiran/{items[1].id}")
        assert response.status_code == status, viewer.username
        if status == 200:
            assert response.data == PDF and response.mimetype == "application/pdf"
            assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("data, name", [
    (b"<html><script>alert(1)</script></html>", "catatan.png"),     # HTML named as a photo
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "rusak.png"),               # a PNG header and nothing that decodes
    (b"%PDF-1.4\n" + b"x" * 100, "terpotong.pdf"),                   # a PDF cut off before %%EOF
    (b"PK\x03\x04" + b"\0" * 64, "tabel.xlsx"),                      # a spreadsheet
    (b"", "kosong.pdf"),
])
def test_anything_but_a_photo_or_a_pdf_is_refused_and_nothing_stored(assessment_school, app, data, name):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    response = _post(login_as(app.test_client(), s.trainee), version, data, name)
    assert response.status_code in (400, 415)
    assert "foto" in response.get_data(as_text=True).lower() or "kosong" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SubmissionAttachment)) == 0


def test_limits_other_trainees_and_size(assessment_school, app):
    s = assessment_school
    version = s.submit(s.trainee, "LIK_1")
    assert _post(login_as(app.test_client(), s.trainee2), version, PDF, "a.pdf").status_code == 404
    app.config["MAX_ATTACHMENT_BYTES"] = 1024
    big = PDF[:-7] + b"x" * 2000 + b"\n%%EOF\n"
    assert _post(login_as(app.test_client(), s.trainee), version, big, "besar.pdf").status_code == 413
    app.config["MAX_ATTACHMENT_BYTES"] = 5 * 1024 * 1024
    client = login_as(app.test_client(), s.trainee)
    for _ in range(5):
        assert _post(client, version, PDF, "a.pdf").status_code == 302
    assert _post(client, version, PDF, "a.pdf").status_code == 409
    assert db.session.scalar(select(func.count()).select_from(SubmissionAttachment)) == 5
