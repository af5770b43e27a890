"""Indonesian formats everywhere: times in TIMEZONE with WIB/WITA/WIT (never "UTC"), decimal commas in
pages and the PDF, CSV for Excel set to Indonesian (BOM, `;`, decimal commas), one charset per download."""
import csv
import io
from datetime import datetime

import pytest
from pypdf import PdfReader

from courseware.formats import csv_text, decimal_comma, local_date, local_datetime

from .conftest import login_as, make_app
from .test_assessments_records import judged  # noqa: F401  (fixture)


@pytest.mark.parametrize("zone,label,shown", [("Asia/Jakarta", "WIB", "3 Des 2026, 06.30 WIB"),
                                              ("Asia/Makassar", "WITA", "3 Des 2026, 07.30 WITA"),
                                              ("Asia/Jayapura", "WIT", "3 Des 2026, 08.30 WIT")])
def test_stored_utc_is_shown_in_the_school_zone_with_its_label(app, zone, label, shown):
    app.config["BABEL_DEFAULT_TIMEZONE"] = zone
    assert local_datetime(datetime(2026, 12, 2, 23, 30)) == shown
    assert local_date(datetime(2026, 12, 2, 23, 30)) == "03-12-2026"  # already the next day locally


def test_numbers_get_decimal_commas():
    assert [decimal_comma(v) for v in (33.3, 75.0, 7, None)] == ["33,3", "75", "7", "–"]
    assert decimal_comma(0.2, 2) == "0,20" and decimal_comma(33.3333, 1) == "33,3"


def test_csv_helper_writes_bom_semicolons_commas_and_defuses_formulas():
    text = csv_text(["Nama", "Nilai"], [["=SUM(A1)", 82.5], ["Ayu; Lestari", None]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows == [["Nama", "Nilai"], ["'=SUM(A1)", "82,5"], ["Ayu; Lestari", ""]]


def test_record_page_pdf_and_recap_use_local_time_and_decimal_commas(judged, as_user):  # noqa: F811
    s = judged
    client = as_user("teacher")
    page = client.get(f"/penilaian/rekaman/{s.trainee.id}").get_data(as_text=True)
    assert "nilai 82,5" in page and "82.5" not in page and "UTC" not in page
    pdf = client.get(f"/penilaian/rekaman/{s.trainee.id}.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "82,5" in text and "82.5" not in text and "UTC" not in text
    observation = as_user("assessor").get(f"/penilaian/observasi/{s.j1.id}").get_data(as_text=True)
    assert "UTC" not in observation

    response = client.get(f"/penilaian/kelas/{s.a.id}/rekap.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0][:3] == ["No", "NIS", "Nama"] and len(rows[0]) == 9
    assert any(r[2] == "Siti Nurhaliza Ketaren" and r[4] == "82,5" for r in rows[1:]), rows


def test_audit_log_shows_local_times_never_utc(app, as_user, users):
    page = as_user("admin").get("/admin/audit/").get_data(as_text=True)
    assert "Waktu (WIB)" in page and "UTC" not in page and " WIB</td>" in page


def test_audit_log_in_papua_says_wit(tmp_path, monkeypatch):
    from courseware.accounts.service import create_user
    from courseware.extensions import db

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "i"))
    papua = make_app(tmp_path, BABEL_DEFAULT_TIMEZONE="Asia/Jayapura",
                     SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with papua.app_context():
        db.create_all()
        admin, _ = create_user("admin.papua", "Admin", ["admin"], password="rahasia-123")
        page = login_as(papua.test_client(), admin).get("/admin/audit/").get_data(as_text=True)
        assert "Waktu (WIT)" in page and " WIT</td>" in page and "UTC" not in page
        db.session.remove()
        db.engine.dispose()


def test_every_download_states_one_charset(as_user, users, judged):  # noqa: F811
    s = judged
    teacher = as_user("teacher")
    for path in (f"/penilaian/kelas/{s.a.id}/rekap.csv", "/bank-soal/ekspor/gift", "/bank-soal/ekspor/moodlexml",
                 f"/kelas/{s.a.id}", f"/penilaian/kelas/{s.a.id}/rekap.xlsx"):
        content_type = teacher.get(path).headers["Content-Type"]
        assert content_type.count("charset") <= 1, (path, content_type)


def test_templates_print_floats_with_decimal_commas_also_inside_messages(app):
    from flask import render_template_string

    with app.test_request_context():
        out = render_template_string('{{ x|round(1) }} · {{ _("nilai %(s)s (KKTP %(k)d)", s=x|round(1), k=75) }}'
                                     ' · {{ _("<%(t)s>", t="<i>") }}', x=33.333)
    assert out == "33,3 · nilai 33,3 (KKTP 75) · <&lt;i&gt;>"  # placeholders still escaped
